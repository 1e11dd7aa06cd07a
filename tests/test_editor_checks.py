"""The build's checks in the editor's words: review dates that inform and never block, front
matter YAML cannot read, MkDocs' link and nav messages with their file and line, and the evidence
table rule. The clock is set with FACTSHEET_TODAY, so these tests mean the same on any day; the
whole site is also built on a day long after every review is due, and must still build.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
import yaml
from bs4 import BeautifulSoup

from mkdocs_factsheet import review
from helpers import BIBLIOGRAPHY_PAGE, ROOT, copy_project, errors, mkdocs
from test_editing import rel, run, tool

CLOCK = "FACTSHEET_TODAY"
WITH_METADATA = ("page-metadata",)
REVIEW_WORKFLOW = ROOT / ".github" / "workflows" / "review.yml"


# The fixture's bibliography page, with review dates of its own.
BIBLIOGRAPHY = BIBLIOGRAPHY_PAGE.replace("---\n", "---\nlast_reviewed: 2026-11-24\nnext_review: 2027-11-24\n", 1)


def dated(reviewed: str, due: str, title: str = "Home") -> dict[str, str]:
    return {"bibliography.md": BIBLIOGRAPHY,
            "index.md": f"---\ntitle: {title}\nlast_reviewed: {reviewed}\nnext_review: {due}\n---\n# Home\n\nText [@witt2006].\n"}


# --- A passed next_review -----------------------------------------------------------------------


@pytest.mark.parametrize("today, overdue", [("2026-12-01", False), ("2030-06-01", True)])
def test_a_passed_review_date_tells_readers_and_the_editor_and_still_builds(fixture_site, monkeypatch, today, overdue):
    monkeypatch.setenv(CLOCK, today)
    built = fixture_site(dated("2026-11-24", "2027-11-24"), plugins=WITH_METADATA)
    result = built.build()
    assert result.returncode == 0 and not errors(result), result.stderr
    page = built.html()
    notice = page.select_one(".review-overdue")
    info = "INFO    -  page_metadata: docs/index.md: review overdue since 24 November 2027: check the page, then update last_reviewed and next_review"
    if overdue:
        assert " ".join(notice.get_text(" ").split()).startswith("Review overdue since 24 November 2027")
        assert notice.find_previous("h1") is not None, "under the page's heading"
        assert "Review overdue since: 24 November 2027" in " ".join(page.select_one("aside.page-review").get_text(" ").split())
        assert info in result.stderr
    else:
        assert notice is None and "overdue" not in result.stderr
        assert "Next review due: 24 November 2027" in " ".join(page.select_one("aside.page-review").get_text(" ").split())


@pytest.fixture(scope="module")
def far_future_build(tmp_path_factory):
    """The whole site, built strictly as on a day long after every page's next review."""
    project = copy_project(tmp_path_factory.mktemp("future"))
    result = mkdocs("build", "--strict", cwd=project, env={CLOCK: "2099-01-01", "FACTSHEET_PDF": "off"})
    return project / "site", result


def test_the_calendar_never_breaks_the_build(far_future_build):
    site, result = far_future_build
    assert result.returncode == 0, result.stderr
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one("article .review-overdue") is not None


def test_a_build_without_the_pdf_does_not_link_to_it(far_future_build):
    site, _ = far_future_build
    assert not (site / "acupuncture-for-back-pain.pdf").exists()
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one("article") is not None and home.select(".pdf-download, a[href$='.pdf']") == []


# --- The weekly review check --------------------------------------------------------------------


@dataclass
class Checked:
    returncode: int
    stdout: str


@pytest.fixture
def review_check(monkeypatch, capsys):
    """`./run review` (python -m mkdocs_factsheet.review DOCS) in process, on a given day."""

    def check(docs, today: str) -> Checked:
        monkeypatch.setenv(CLOCK, today)
        capsys.readouterr()
        code = review.main([str(docs)])
        return Checked(code, capsys.readouterr().out)

    return check


def test_review_check_lists_each_overdue_page_and_fails(tmp_path, review_check):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\nlast_reviewed: 2026-01-01\nnext_review: 2027-01-01\n---\n# A\n", encoding="utf-8")
    (docs / "b.md").write_text("---\ntitle: B\nlast_reviewed: 2026-06-01\nnext_review: 2027-06-01\n---\n# B\n", encoding="utf-8")
    early = review_check(docs, "2026-12-01")
    assert early.returncode == 0 and early.stdout == "No page is overdue for review on 2026-12-01.\n"
    late = review_check(docs, "2027-03-01")
    assert late.returncode == 1
    assert late.stdout.splitlines() == [
        "docs/a.md:3: review overdue since 1 January 2027: check the page, then update last_reviewed and next_review",
        "1 page(s) overdue for review on 2027-03-01",
    ]


def test_review_check_passes_on_the_site_today_as_the_clock_says(review_check):
    assert review_check(ROOT / "docs", "2026-12-01").returncode == 0
    assert review_check(ROOT / "docs", "2099-01-01").returncode == 1


def test_review_workflow_runs_the_check_every_week():
    data = yaml.safe_load(REVIEW_WORKFLOW.read_text(encoding="utf-8"))
    on = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    assert [entry["cron"].split()[-1] for entry in on["schedule"]] == ["1"], "weekly, on Mondays"
    assert data["permissions"] == {"contents": "read"}
    (job,) = data["jobs"].values()
    assert isinstance(job["timeout-minutes"], int)
    assert [step["run"] for step in job["steps"] if "run" in step] == ["./run review"]
    result = run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", rel(REVIEW_WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(tool("zizmor"), "--offline", "--pedantic", "--format", "plain", rel(REVIEW_WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr


# --- Front matter YAML cannot read --------------------------------------------------------------


FRONT_MATTER_MISTAKES = [
    ("title: Acupuncture: the evidence\n",
     'docs/index.md:2: front matter: a colon inside a value: put the whole value in double quotes, e.g. title: "Acupuncture: what the research says" (YAML: mapping values are not allowed in this context)'),
    ('title: "Acupuncture\n',
     "docs/index.md:5: front matter: a quote is opened and not closed (YAML: found unexpected end of stream)"),
    ("title: Home\n\tdescription: A page.\n",
     "docs/index.md:3: front matter: a tab: indent with spaces (YAML: found a tab character that violates indentation)"),
    ("title: Home\n  description: A page.\n",
     "docs/index.md:3: front matter: a colon inside a value: put the whole value in double quotes, e.g. title: \"Acupuncture: what the research says\" (YAML: mapping values are not allowed in this context)"),
]


def page_with(front_matter: str) -> str:
    return f"---\n{front_matter}last_reviewed: 2026-11-24\nnext_review: 2027-11-24\n---\n# Home\n\nText [@witt2006].\n"


@pytest.mark.parametrize("front_matter, message", FRONT_MATTER_MISTAKES)
def test_front_matter_yaml_cannot_read_is_located_with_the_yaml_problem(front_matter, message):
    """In process: what the page-metadata plugin reports of each page's front matter."""
    from mkdocs_factsheet.page_metadata import front_matter_problem

    line, problem = message.removeprefix("docs/index.md:").split(": front matter: ", 1)
    assert front_matter_problem(page_with(front_matter)) == (int(line), problem)


def test_unreadable_front_matter_is_one_line_with_the_yaml_problem(fixture_site, monkeypatch):
    """The build: that one line, and nothing else (no missing dates for the block YAML could not read)."""
    monkeypatch.setenv(CLOCK, "2026-12-01")
    front_matter, message = FRONT_MATTER_MISTAKES[0]
    page = page_with(front_matter)
    built = fixture_site({"bibliography.md": BIBLIOGRAPHY, "index.md": page}, plugins=WITH_METADATA)
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result) == [f"page_metadata: {message}"], result.stderr


def test_a_date_with_a_time_or_a_number_for_a_title_is_a_clear_line(fixture_site, monkeypatch):
    monkeypatch.setenv(CLOCK, "2026-12-01")
    page = "---\ntitle: 2026\nlast_reviewed: 2026-11-24 10:30:00\nnext_review: 2027-11-24\n---\n# Home\n\nText [@witt2006].\n"
    built = fixture_site({"bibliography.md": BIBLIOGRAPHY, "index.md": page}, plugins=WITH_METADATA)
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result) == ["page_metadata: docs/index.md:3: front matter needs last_reviewed: YYYY-MM-DD (found 2026-11-24 10:30:00)"]


def test_unreadable_front_matter_is_not_shown_on_the_page(fixture_site, monkeypatch):
    monkeypatch.setenv(CLOCK, "2026-12-01")
    page = "---\ntitle: Acupuncture: the evidence\nlast_reviewed: 2026-11-24\nnext_review: 2027-11-24\n---\n# Home\n\nText.\n"
    built = fixture_site({"index.md": page}, plugins=("page-metadata",))
    result = mkdocs("build", "--site-dir", str(built.path / "site"), cwd=built.path)  # not strict: to see the page
    assert result.returncode == 0, result.stderr
    text = built.html().get_text(" ")
    assert "last_reviewed" not in text and "Acupuncture: the evidence" not in text


# --- MkDocs' own messages, located --------------------------------------------------------------


def test_mkdocs_link_and_nav_messages_name_the_file_and_line(fixture_site, monkeypatch):
    monkeypatch.setenv(CLOCK, "2026-12-01")
    pages = {
        "index.md": "# Home\n\nSee [the other page](other.md).\n\nAnd [a typo](othr.md), [an anchor](other.md#nowhere).\n",
        "other.md": "# Other\n",
        "loose.md": "# Not in the nav\n",
    }
    nav = "plugins:\n  - editor-preview\nvalidation:\n  omitted_files: warn\n  anchors: warn\nnav:\n  - Home: index.md\n  - Other: other.md\n  - Gone: gone.md\n"
    built = fixture_site(pages, bib=None, style=False, extra_config="")
    config = built.path / "mkdocs.yml"
    config.write_text("site_name: Fixture\n" + nav.replace("nav:\n", "nav:\n  - Bibliography: bibliography.md\n"), encoding="utf-8")
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result) == [
        "mkdocs.yml:7: docs/loose.md is not in the nav: add a line for it under nav:, or readers cannot find it",
        "mkdocs.yml:11: the nav names 'gone.md', which is not found in docs/.",
        "docs/index.md:5: contains a link 'othr.md', but the target is not found among documentation files.",
        "docs/index.md:5: contains a link 'other.md#nowhere', but the doc 'other.md' does not contain an anchor '#nowhere'.",
    ], result.stderr


# --- The evidence table rule, at build time -----------------------------------------------------


@pytest.mark.build
def test_each_study_needs_one_row_in_the_evidence_table(tmp_path):
    project = copy_project(tmp_path)
    table = project / "docs" / "evidence-table.md"
    text = table.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| [@yuan2008]"))
    extra = row.replace("[@yuan2008]", "[@nice2016]")
    table.write_text(text.replace(row, extra), encoding="utf-8")
    lines = (project / "docs" / "evidence.md").read_text(encoding="utf-8").splitlines()
    cited = next(i for i, line in enumerate(lines, 1) if "@yuan2008" in line)
    row_line = next(i for i, line in enumerate(table.read_text(encoding="utf-8").splitlines(), 1) if "[@nice2016]" in line)
    result = mkdocs("build", "--strict", cwd=project, env={CLOCK: "2026-12-01", "FACTSHEET_PDF": "off"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # (The evidence ledger also names the row's entry, whose key no longer matches: its own tests cover that.)
    assert [e for e in errors(result) if e.startswith("evidence-table:")] == [
        f"evidence-table: docs/evidence.md:{cited}: cites yuan2008, which has no row in docs/evidence-table.md: add one",
        f"evidence-table: docs/evidence-table.md:{row_line}: has a row for nice2016, which none of docs/evidence.md, "
        "docs/clinical-studies.md, docs/physiological-studies.md cites: cite it there or remove the row",
    ], result.stderr
