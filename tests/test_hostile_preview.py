"""A damaged cache never freezes the preview (issue 21, item 5): under a real `mkdocs serve`,
cache files cut short (as a build killed while writing left them before the cache was written
atomically) are ignored, made again and reported on one INFO line, and the next save shows."""

from __future__ import annotations

import json

import pytest

from helpers import serving

pytestmark = pytest.mark.serve

TODAY = "2026-12-01"  # the preview's clock: the test means the same on any day


def test_a_truncated_cache_is_rebuilt_and_the_preview_follows_the_edit(tmp_path_factory):
    with serving(tmp_path_factory, FACTSHEET_TODAY=TODAY) as preview:
        cache = preview.project / ".cache" / "citations"
        files = sorted(cache.glob("*.json"))
        assert len(files) == 2, files  # the bibliography's and pandoc's
        for file in files:
            file.write_bytes(file.read_bytes()[:100])
        with preview.edited("docs/about.md", "\n# ", "\nA sentence saved after the cache broke.\n\n# "):
            preview.wait_until("edit shown with a damaged cache", lambda: "saved after the cache broke" in preview.get("about/")[1])
            assert "Traceback" not in preview.log
            notes = [line for line in preview.log.splitlines() if "damaged cache file ignored" in line]
            assert sorted(line.split("citations: ")[1].split(":")[0] for line in notes) == sorted(
                f".cache/citations/{file.name}" for file in files)
            assert all(json.loads(file.read_text()) for file in files)  # made again, whole
            assert [c.get_text() for c in preview.page("").select("span.citation")][:1] != []
