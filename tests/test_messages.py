"""MkDocs' own messages about a page or mkdocs.yml name the file and line, under MkDocs and under
ProperDocs alike, in the docs folder mkdocs.yml sets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import errors

PAGE = "# Home\n\nSee [the study][witt].\n\nAnd [a page that is not there](missing.md).\n\n[witt]: bibliography.md\n"


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_a_broken_link_and_a_nav_entry_are_located_under_both_engines(fixture_site, engine):
    built = fixture_site({"index.md": PAGE}, plugins=("editor-preview",),
                         extra_config="theme: material\ndocs_dir: content\nnav:\n  - Home: index.md\n  - Gone: gone.md\n  - bibliography.md\n")
    (built.path / "docs").rename(built.path / "content")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run([sys.executable, "-m", engine, "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(built.path / "site")],
                            cwd=built.path, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    nav_line = (built.path / "mkdocs.yml").read_text(encoding="utf-8").splitlines().index("  - Gone: gone.md") + 1
    assert errors(result) == [
        f"mkdocs.yml:{nav_line}: the nav names 'gone.md', which is not found in content/.",
        "content/index.md:5: contains a link 'missing.md', but the target is not found among documentation files.",
    ], result.stderr
