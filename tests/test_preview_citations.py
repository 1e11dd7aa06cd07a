"""The editor's preview and the citation mistakes: a misspelt key, a missing comma, a duplicate
key, an uncited entry and a `%` in a title, each typed into a copy of the project under a real
`mkdocs serve`. Every page keeps answering, the problem shows at the top of the pages with its
`file:line:`, an unknown key shows in place as a marked `[@key]`, and fixing it clears it.

These rest on the contract of the citations plugin: each problem logged as a Problem
(mkdocs_factsheet/problems.py), printed as one `file:line: message` line; under `mkdocs serve`
nothing raised for content problems, and an unknown citation rendered as
`<mark class="citation-problem" title="…">[@key]</mark>`.
"""

from __future__ import annotations

import pytest

from helpers import serving
from test_preview import NAV, assert_every_page_answers, line_of, problems, shows_then_clears, this_page_problems

ENTRY_LINE = "@article{hopton2010,"
TITLE_LINE = "  title   = {Acupuncture for Chronic Pain: Is Acupuncture More than an Effective Placebo? A Systematic Review of Pooled Data from Meta-analyses},"


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    with serving(tmp_path_factory, FACTSHEET_TODAY="2026-12-01") as running:
        yield running


def test_misspelt_key_is_shown_in_place_and_at_the_top(preview):
    page = NAV["The evidence"]
    line = line_of(preview.project, "docs/evidence.md", "[@hopton2010]")
    with preview.edited("docs/evidence.md", "[@hopton2010]", "[@hopton2001]"):
        expected = f"docs/evidence.md:{line}:"
        preview.wait_until("misspelt key: shown", lambda: any(expected in text and "hopton2001" in text for text in problems(preview, page)))
        assert_every_page_answers(preview)
        assert any("hopton2001" in text for text in this_page_problems(preview, page))
        marker = preview.page(page).select_one("article mark.citation-problem")
        assert marker is not None and marker.get_text() == "[@hopton2001]", "the unknown key stays visible where it was typed"
        assert "hopton2001" in marker["title"]
    preview.wait_until("misspelt key: cleared", lambda: preview.box(page) is None)
    assert_every_page_answers(preview)


@pytest.mark.parametrize(
    "name, old, new, at, key",
    [
        ("missing comma", TITLE_LINE, TITLE_LINE.removesuffix(","), TITLE_LINE, "hopton2010"),
        ("duplicate key", "@article{lewis2010,", "@article{hopton2010,", "@article{hopton2010,", "hopton2010"),
        ("% in a title", "Is Acupuncture More than", "Is Acupuncture 100% More than", TITLE_LINE, "%"),
    ],
)
def test_bibliography_mistake_is_shown_with_its_line(preview, name, old, new, at, key):
    if name == "duplicate key":  # the second of the two entries is the one at fault
        lines = (preview.project / "references.bib").read_text(encoding="utf-8").splitlines()
        line = next(i for i, text in enumerate(lines, 1) if text.startswith("@article{lewis2010,"))
    else:
        line = line_of(preview.project, "references.bib", at)
    expected = f"references.bib:{line}:"
    with preview.edited("references.bib", old, new):
        preview.wait_until(f"{name}: shown", lambda: any(expected in text and key in text for text in problems(preview, "")))
        assert_every_page_answers(preview)
    preview.wait_until(f"{name}: cleared", lambda: preview.box("") is None)
    assert_every_page_answers(preview)


def test_uncited_entry_is_shown(preview):
    entry = (
        "% checked: a test entry.\n@article{zzztest2020,\n  author  = {Test, A.},\n  title   = {A test},\n"
        "  journal = {J},\n  year    = {2020},\n}\n"
    )
    path = preview.project / "references.bib"
    line = path.read_text(encoding="utf-8").count("\n") + 2  # the @ line of the entry added at the end
    shows_then_clears(
        preview, "uncited entry", "", f"references.bib:{line}:",
        preview.edited("references.bib", path.read_text(encoding="utf-8"), path.read_text(encoding="utf-8") + entry),
        own_page=False,
    )
