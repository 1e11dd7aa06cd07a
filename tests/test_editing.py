"""Safety nets for editors: the publish workflow, Markdown style, UK spelling, references.bib,
pre-commit, and a second build engine (ProperDocs). All fast and offline; every failure names the
file and line, as CONTRIBUTING.md describes.

The tools (check-jsonschema, zizmor, pymarkdownlnt, codespell, pre-commit, properdocs) are pinned
in requirements-test.txt and run from the same environment as pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from helpers import ROOT, bib_problems, copy_project

BIN = Path(sysconfig.get_path("scripts"))
DATA = Path(__file__).parent / "data"
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
BIB = ROOT / "references.bib"
PAGES = sorted((ROOT / "docs").glob("*.md"))
MARKDOWN_FILES = [*PAGES, ROOT / "README.md", ROOT / "CONTRIBUTING.md"]


def run(*command: str | Path, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def tool(name: str) -> Path:
    path = BIN / name
    assert path.exists(), f"{name} is not installed: ./run test installs requirements-test.txt"
    return path


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --- The publish workflow -----------------------------------------------------------------------


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflow_matches_github_schema():
    result = run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", rel(WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_and_pre_commit_config_have_no_zizmor_findings():
    result = run(tool("zizmor"), "--offline", "--pedantic", "--format", "plain", rel(WORKFLOW), rel(PRE_COMMIT))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_would_catch_an_unpinned_action(tmp_path):
    """The check above can fail: an unpinned action that keeps its credentials is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
    )
    result = run(tool("zizmor"), "--offline", "--format", "plain", bad)
    assert result.returncode != 0 and "unpinned-uses" in result.stdout + result.stderr


def test_workflow_tests_on_every_push_and_pull_request_and_publishes_only_main():
    flow = workflow()
    assert set(flow["on"]) == {"push", "pull_request"} and not any(flow["on"].values()), "every push and pull request"
    assert flow["permissions"] == {"contents": "read"}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    main_only = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["if"] == main_only
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["environment"]["name"] == "github-pages"
    for name, job in flow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"job {name} has no timeout-minutes"

    runs = [step["run"] for step in build["steps"] if "run" in step]
    assert "./run test" in runs and "./run build" in runs
    assert runs.index("./run test") < runs.index("./run build")
    publish_build = next(step for step in build["steps"] if step.get("run") == "./run build")
    assert set(publish_build["env"]) == {"SITE_URL", "EDIT_URI", "FACTSHEET_CONTACT"}, "mkdocs.yml reads the address, edit links and contact"
    assert publish_build["env"]["FACTSHEET_CONTACT"].endswith("/issues', github.server_url, github.repository) }}"), "the repository's issues page until the owner gives an address"
    uses = {step["uses"].split("@")[0]: step for job in flow["jobs"].values() for step in job["steps"] if "uses" in step}
    checkout = uses["actions/checkout"]["with"]
    assert checkout["fetch-depth"] == 0 and checkout["persist-credentials"] is False
    python = uses["actions/setup-python"]["with"]
    assert python["python-version"] == "3.11" and python["cache"] == "pip"
    assert python["cache-dependency-path"].split() == ["requirements.txt", "requirements-test.txt"]
    assert uses["actions/upload-pages-artifact"]["with"]["path"].rstrip("/") == "site"
    assert uses["actions/upload-pages-artifact"]["if"] == main_only
    assert uses["actions/configure-pages"]["if"] == main_only
    assert [step.get("uses", "").split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert set(uses) == {
        "actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
        "actions/configure-pages", "actions/deploy-pages",
    }


def test_ci_runs_the_readme_test_command_then_again_two_years_on():
    """.ci/run is what CI runs on a fresh clone: README's `./run test`, and the whole suite again
    with FACTSHEET_TODAY two years ahead, so the calendar alone never fails a test."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./run test    # sets everything up" in readme
    runs = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if "./run test" in line and not line.startswith("#")]
    assert len(runs) == 2 and runs[0].startswith("./run test"), runs
    assert runs[1].startswith("FACTSHEET_TODAY=$(date -u -d '+2 years' +%F) ./run test"), runs


def test_tests_share_one_helper_module_and_never_import_conftest():
    """What the tests share is in tests/helpers.py; conftest.py holds pytest's fixtures and hooks only."""
    for path in sorted((ROOT / "tests").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not re.match(r"\s*(from conftest import|import conftest)", line), (
                f"tests/{path.name}:{number}: import what tests share from helpers, not conftest")


def test_every_action_is_pinned_to_a_commit_with_its_version_noted():
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert lines
    for line in lines:
        assert re.fullmatch(r"\s*(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line), line


# --- Markdown style -----------------------------------------------------------------------------

def markdown_findings(*paths: Path, cwd: Path = ROOT) -> list[str]:
    result = run(
        sys.executable, "-m", "pymarkdown", "--strict-config", "--config", ROOT / ".pymarkdown.yml", "scan",
        *[p.relative_to(cwd) for p in paths], cwd=cwd,
    )
    assert result.returncode in (0, 1) and not result.stderr.strip(), result.stdout + result.stderr
    findings = []
    for finding in result.stdout.splitlines():
        match = re.match(r"(.+?):(\d+):(\d+): (MD\d+|PML\d+)(.*)", finding)
        assert match, finding
        path, line, column, rule = Path(match[1]), int(match[2]), int(match[3]), match[4]
        path = path.relative_to(cwd) if path.is_absolute() else path
        findings.append(f"{path.as_posix()}:{line}:{column}: {rule}{match[5]}")
    return findings


def test_pages_readme_and_contributing_follow_the_markdown_style():
    findings = markdown_findings(*MARKDOWN_FILES)
    assert not findings, "Markdown style (.pymarkdown.yml):\n" + "\n".join(findings)


def test_markdown_style_fits_material_and_still_catches_mistakes(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(
        "---\ntitle: A page\ndescription: What it is about.\n---\n\n# A page\n\n"
        "## Does it work?\n\nA claim [@witt2006].\n\n"
        '!!! note "Editor\'s note"\n\n    An admonition body is indented by 4 spaces.\n\n'
        "- a list\n    - nested by 4 spaces, as Python-Markdown needs\n\n```text\ncode\n```\n",
        encoding="utf-8",
    )
    assert markdown_findings(good, cwd=tmp_path) == []
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: A page\n---\n\nNo heading first.\n\n# One\n\n# Two\n\n- a\n  - nested by 2\n", encoding="utf-8")
    rules = {re.search(r"(MD|PML)\d+", f)[0] for f in markdown_findings(bad, cwd=tmp_path)}
    assert {"MD041", "MD025", "PML101"} <= rules


# --- Spelling -----------------------------------------------------------------------------------


def codespell(*args: str | Path, cwd: Path = ROOT) -> list[str]:
    """codespell's findings, with the settings of .codespellrc (read from the top folder)."""
    result = run(sys.executable, "-m", "codespell_lib", *args, cwd=cwd)
    assert result.returncode in (0, 65), result.stdout + result.stderr  # 65: misspellings found
    return result.stdout.splitlines()


def test_spelling():
    findings = codespell("docs", "README.md", "CONTRIBUTING.md", "references.bib")
    assert not findings, "Misspelt (a right word codespell questions goes in tests/data/words.txt):\n" + "\n".join(findings)


def test_pages_use_uk_spelling():
    """tests/data/us-spellings.txt lists US spellings common in health writing, with the UK form.
    Only the pages: titles in references.bib keep their published spelling."""
    findings = codespell("--dictionary", DATA / "us-spellings.txt", *[rel(p) for p in PAGES])
    assert not findings, "US spelling on a page; write the UK form:\n" + "\n".join(findings)


def test_uk_spelling_check_catches_us_forms(tmp_path):
    (tmp_path / "page.md").write_text("A Randomized trial analyzed pediatric behavior.\n", encoding="utf-8")
    found = codespell("--dictionary", DATA / "us-spellings.txt", "page.md", cwd=tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == [
        "Randomized ==> Randomised", "analyzed ==> analysed", "pediatric ==> paediatric", "behavior ==> behaviour",
    ]


def test_word_lists_are_tidy():
    words = (DATA / "words.txt").read_text(encoding="utf-8").split()
    assert words == sorted(set(words)) and all(w == w.lower() for w in words), "words.txt: lower case, sorted, once each"
    pairs = (DATA / "us-spellings.txt").read_text(encoding="utf-8").splitlines()
    assert pairs == sorted(set(pairs)) and all(re.fullmatch(r"[a-z]+->[a-z]+", p) for p in pairs), pairs


# --- references.bib lint ------------------------------------------------------------------------

def test_references_bib_passes_the_lint():
    problems = bib_problems(BIB.read_text(encoding="utf-8"))
    assert not problems, "references.bib:\n" + "\n".join(problems)


GOOD_BIB = """\
% checked: PubMed 1 (DOI).
@article{adams2001,
  author  = {Adams, A.},
  title   = {One},
  journal = {J},
  year    = {2001},
  pages   = {1--9},
  doi     = {10.1000/One},
}

% checked: the publisher's page.
@techreport{brown2002,
  author      = {{Brown Institute}},
  title       = {Two},
  institution = {{Brown Institute}},
  year        = {2002},
}
"""


@pytest.mark.parametrize(
    "change, expected",
    [
        (("", ""), None),
        (("{adams2001,", "{Adams2001,"), "references.bib:2: entry 'Adams2001': key should be"),
        (("@article{adams2001,", "@article{zeta2001,"), "references.bib:12: entry 'brown2002': out of order; entries are sorted by key, so move it to the top"),
        (("% checked: PubMed 1 (DOI).\n", "% missing: PMID.\n"), "references.bib:2: entry 'adams2001': no '% checked:' line"),
        (("% checked: PubMed 1 (DOI).\n", ""), "references.bib:1: entry 'adams2001': no '% checked:' line"),
        (("  journal = {J},\n", ""), "references.bib:2: entry 'adams2001' (article) is missing required field(s): journal"),
        (("  institution = {{Brown Institute}},\n", ""), "references.bib:12: entry 'brown2002' (techreport) is missing required field(s): institution"),
        (("{1--9}", "{1-9}"), "references.bib:2: entry 'adams2001': write the page range '1-9' with two hyphens"),
        (("{1--9}", "{1\u20139}"), "references.bib:2: entry 'adams2001': write the page range"),
        (("  year        = {2002},\n", "  year        = {2002},\n  doi = {10.1000/ONE},\n"), "references.bib:12: entry 'brown2002': repeats DOI 10.1000/one (also at line 2)"),
        (("@techreport{brown2002", "@techreport{adams2001"), "references.bib:12: duplicate key 'adams2001' (first at line 2)"),
        (("@techreport", "@online"), "references.bib:12: entry 'brown2002': type @online is not one the site knows"),
    ],
)
def test_bib_lint_reports_each_mistake_with_its_line(change, expected):
    problems = bib_problems(GOOD_BIB.replace(*change, 1))
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(expected), problems


# --- pre-commit ---------------------------------------------------------------------------------


def test_pre_commit_runs_the_same_checks_with_local_tools_only():
    result = run(tool("pre-commit"), "validate-config", rel(PRE_COMMIT))
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "only local hooks: pre-commit downloads nothing"
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    for hook in hooks.values():
        assert hook["language"] == "system" and hook.get("pass_filenames") is False, hook["id"]
        program = next(word for word in hook["entry"].split() if not word.startswith(("env", "NO_MKDOCS")))
        assert program.startswith(".venv/bin/"), f"{hook['id']}: run a tool from .venv/, not {program}"
    assert hooks["editing-checks"]["entry"] == ".venv/bin/python -m pytest tests/test_editing.py -q"
    build = hooks["mkdocs-build"]["entry"].split()
    assert build[-3:] == [".venv/bin/mkdocs", "build", "--strict"], "mkdocs build --strict, never with -q"


# --- ProperDocs ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def properdocs_site(tmp_path_factory) -> Path:
    """The site built by ProperDocs, strictly, from a fresh copy of the project (no shared cache)."""
    project = copy_project(tmp_path_factory.mktemp("properdocs"))
    out = project / "site"
    result = run(
        sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "--site-dir", out,
        cwd=project, env={"NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    return out


def files_of(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def page_facts(root: Path, page: str) -> tuple[list[str], list[str]]:
    """A built page's element ids, and the text of each resolved citation, in order."""
    soup = BeautifulSoup((root / page).read_text(encoding="utf-8"), "html.parser")
    ids = [tag["id"] for tag in soup.select("[id]")]
    citations = [" ".join(span.get_text(" ").split()) for span in soup.select("span.citation")]
    return ids, citations


def test_properdocs_builds_the_same_site(site, properdocs_site):
    assert files_of(properdocs_site) == files_of(site.root)
    pages = sorted(p for p in files_of(site.root) if p.endswith(".html"))
    assert "index.html" in pages and "references/index.html" in pages
    cited = 0
    for page in pages:
        mkdocs_ids, mkdocs_citations = page_facts(site.root, page)
        properdocs_ids, properdocs_citations = page_facts(properdocs_site, page)
        assert properdocs_ids == mkdocs_ids, f"{page}: element ids differ"
        assert properdocs_citations == mkdocs_citations, f"{page}: citations differ"
        cited += len(mkdocs_citations)
    assert cited > 50, "the comparison saw too few citations to mean anything"
