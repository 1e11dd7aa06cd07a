"""The editor's preview: a real `mkdocs serve`, each mistake an editor makes typed into a copy of
the project. Every page keeps answering; the affected page shows the problem at the top, as the
same `file:line: message` line the build prints, and every page lists it; fixing it clears it.
Review dates inform and never block, whatever the day (the clock is set with FACTSHEET_TODAY).

The citation mistakes (misspelt key, missing comma, duplicate key) are in test_preview_citations.py.
Timings of each show and clear are written, on request, to $FACTSHEET_TIMINGS (a JSON file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import ROOT, BuiltSite
from helpers import ANSWER_SECONDS, Preview, serving

NAV = BuiltSite(ROOT, "").nav_urls  # {title: site URL}
# The About page's review dates as they stand, which the tests take out or move into the past.
ABOUT_REVIEW_DATES = re.search(r"^last_reviewed: .*\nnext_review: .*$", (ROOT / "docs" / "about.md").read_text(encoding="utf-8"), re.MULTILINE).group(0)
ABOUT_NEXT_REVIEW = ABOUT_REVIEW_DATES.splitlines()[1]
PAGES = list(NAV.values())
TODAY = "2026-12-01"  # the preview's clock: these tests mean the same on any day


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    with serving(tmp_path_factory, FACTSHEET_TODAY=TODAY) as running:
        yield running


def problems(preview: Preview, path: str) -> list[str]:
    """The problem lines of the box on a page, as text."""
    box = preview.box(path)
    return [" ".join(li.get_text("").split()) for li in box.select("li")] if box else []


def this_page_problems(preview: Preview, path: str) -> list[str]:
    box = preview.box(path)
    heading = box and box.find("h3", string=re.compile("^On this page"))
    return [" ".join(li.get_text("").split()) for li in heading.find_next("ul").select("li")] if heading else []


def assert_every_page_answers(preview: Preview) -> None:
    """Once the rebuild after the edit has ended (and did not leave the preview stuck), every page
    answers. Not timed: under load a rebuild (during which MkDocs holds each request) took over 2 s."""
    preview.idle()
    for path in PAGES:
        status, _, seconds = preview.get(path)  # a hang fails after ANSWER_SECONDS
        assert status == 200, f"/{path}: HTTP {status}"
        preview.timings["slowest page answer (s)"] = max(seconds, preview.timings.get("slowest page answer (s)", 0))


def line_of(project: Path, relative: str, text: str) -> int:
    lines = (project / relative).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def shows_then_clears(preview: Preview, name: str, page: str, expected: str, edit, own_page: bool = True) -> list[str]:
    """Makes the mistake, waits for the page to show it, checks every page; fixes it, waits for it
    to clear. Returns the page's own problems as shown (own_page: the mistake is in that page's file)."""
    with edit:
        preview.wait_until(f"{name}: shown", lambda: any(expected in line for line in problems(preview, page)))
        assert_every_page_answers(preview)
        own = this_page_problems(preview, page)
        assert any(expected in line for line in own) == own_page, own
        other = next(p for p in PAGES if p != page)
        assert any(expected in line for line in problems(preview, other)), "the box on every page lists it"
    preview.wait_until(f"{name}: cleared", lambda: all(preview.box(p) is None for p in (page, "")))
    assert_every_page_answers(preview)
    return own


def test_the_preview_starts_without_problems(preview):
    assert_every_page_answers(preview)
    assert all(preview.box(path) is None for path in PAGES)
    assert "Traceback" not in preview.log


def test_missing_review_date(preview):
    own = shows_then_clears(
        preview, "missing next_review", NAV["About this information"],
        "docs/about.md:1: front matter needs next_review: YYYY-MM-DD",
        preview.edited("docs/about.md", ABOUT_NEXT_REVIEW + "\n", ""),
    )
    assert own[0].startswith("Warning:")


@pytest.mark.parametrize(
    "name, target, problem",
    [
        ("broken link", "evidnce.md", "but the target is not found among documentation files."),
        # MkDocs checks anchors after it has written the pages: the box still lists the problem.
        ("broken anchor", "evidence.md#no-such-heading", "but the doc 'evidence.md' does not contain an anchor '#no-such-heading'."),
    ],
)
def test_broken_link_names_the_page_and_line(preview, name, target, problem):
    line = line_of(preview.project, "docs/index.md", "](evidence.md)")
    shows_then_clears(
        preview, name, "", f"docs/index.md:{line}: contains a link '{target}', {problem}",
        preview.edited("docs/index.md", "](evidence.md)", f"]({target})"),
    )


def test_unquoted_colon_in_title_is_a_yaml_problem_not_missing_dates(preview):
    page = NAV["The evidence"]
    with preview.edited("docs/evidence.md", 'title: "The evidence: reviews"', "title: The evidence: reviews"):
        expected = "docs/evidence.md:2: front matter: a colon inside a value: put the whole value in double quotes"
        preview.wait_until("unquoted colon: shown", lambda: any(expected in line for line in problems(preview, page)))
        assert_every_page_answers(preview)
        shown = problems(preview, page)
        assert not any("needs last_reviewed" in line or "needs next_review" in line for line in shown), shown
        article = preview.page(page).select_one("article")
        assert "last_reviewed:" not in article.get_text() and "reviews last_reviewed" not in article.get_text()
    preview.wait_until("unquoted colon: cleared", lambda: preview.box(page) is None)


def test_nav_line_indented_one_space_too_little(preview):
    line = line_of(preview.project, "mkdocs.yml", "  - Clinical guidance: clinical-guidance.md")
    before = preview.log.count("\n")
    edit = preview.edited("mkdocs.yml", "\n  - Clinical guidance: clinical-guidance.md", "\n - Clinical guidance: clinical-guidance.md")
    with edit:
        expected = f"mkdocs.yml:{line}: this line is indented differently from the lines around it: line it up with them"
        preview.wait_until("nav indentation: shown", lambda: any(expected in text for text in problems(preview, "")))
        assert_every_page_answers(preview)
        box = preview.box(NAV["Clinical studies"])
        assert "could not be rebuilt: this is the last version that built" in box.get_text(" ")
    preview.wait_until("nav indentation: cleared", lambda: preview.box("") is None)
    printed = preview.log.splitlines()[before:]
    assert not any("Traceback" in text for text in printed), "\n".join(printed)
    assert sum(expected in text for text in printed) == 1, "one line in the terminal"


def test_nav_entry_for_a_missing_page(preview):
    line = line_of(preview.project, "mkdocs.yml", "  - References: references.md")
    shows_then_clears(
        preview, "nav names a missing page", "",
        f"mkdocs.yml:{line + 1}: the nav names 'exercise.md', which is not found in docs/.",
        preview.edited("mkdocs.yml", "  - References: references.md\n", "  - References: references.md\n  - Exercise: exercise.md\n"),
        own_page=False,
    )


def test_page_left_out_of_the_nav(preview):
    line = line_of(preview.project, "mkdocs.yml", "nav:")
    page = "---\ntitle: New\ndescription: A new page.\nlast_reviewed: 2026-11-24\nnext_review: 2027-11-24\n---\n\n# New\n\nText.\n"
    expected = f"mkdocs.yml:{line}: docs/new-page.md is not in the nav: add a line for it under nav:, or readers cannot find it"
    with preview.created("docs/new-page.md", page):
        preview.wait_until("page not in nav: shown", lambda: any(expected in text for text in problems(preview, "")))
        assert_every_page_answers(preview)
    preview.wait_until("page not in nav: cleared", lambda: preview.box("") is None)


def test_study_without_a_row_in_the_evidence_table(preview):
    row = next(line for line in (preview.project / "docs/evidence-table.md").read_text(encoding="utf-8").splitlines() if "[@yuan2008]" in line)
    cited_at = line_of(preview.project, "docs/evidence.md", "@yuan2008")
    shows_then_clears(
        preview, "study without a table row", NAV["The evidence"],
        f"docs/evidence.md:{cited_at}: cites yuan2008, which has no row in docs/evidence-table.md: add one",
        preview.edited("docs/evidence-table.md", row + "\n", ""),
    )


def test_passed_review_date_informs_readers_and_does_not_block(preview):
    """With the clock at 1 December 2026, a review due on 25 November 2026 has passed."""
    page = NAV["About this information"]
    with preview.edited("docs/about.md", ABOUT_REVIEW_DATES, "last_reviewed: 2025-11-25\nnext_review: 2026-11-25"):
        notice = lambda: preview.page(page).select_one(".review-overdue")  # noqa: E731
        preview.wait_until("overdue notice: shown", lambda: notice() is not None)
        assert " ".join(notice().get_text(" ").split()).startswith("Review overdue since 25 November 2026")
        assert preview.box(page) is None, "an overdue review is not a problem of the build"
        assert "docs/about.md: review overdue since 25 November 2026" in preview.log
    preview.wait_until("overdue notice: cleared", lambda: preview.page(page).select_one(".review-overdue") is None)


def test_misspelt_setting_in_mkdocs_yml(preview):
    line = line_of(preview.project, "mkdocs.yml", "plugins:")
    expected = f'mkdocs.yml:{line}: plugins: The "evidence-tabel" plugin is not installed'
    with preview.edited("mkdocs.yml", "  - evidence-table:\n", "  - evidence-tabel:\n"):
        preview.wait_until("misspelt plugin: shown", lambda: any(expected in text for text in problems(preview, "")))
        assert_every_page_answers(preview)
    preview.wait_until("misspelt plugin: cleared", lambda: preview.box("") is None)


def test_an_edited_template_shows_at_once(preview):
    """The preview keeps the theme's compiled templates between rebuilds; a template the editor
    changes (here a partial that main.html includes) is compiled again, not served stale."""
    page = NAV["Clinical studies"]
    currency = lambda: " ".join(preview.page(page).select_one(".evidence-currency").get_text(" ").split())  # noqa: E731
    with preview.edited("overrides/partials/evidence-currency.html", "The research in this factsheet goes up to 2010.",
                        "The research in this factsheet (template edited) goes up to 2010."):
        preview.wait_until("edited template: shown", lambda: "(template edited)" in currency())
    preview.wait_until("edited template: undone", lambda: "(template edited)" not in currency())
    assert "The research in this factsheet goes up to 2010." in currency()
