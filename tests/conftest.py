"""Shared fixtures: the site built once per session, and small fixture sites for error cases."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
STYLE = ROOT / "overrides" / "citation-style.csl"


def mkdocs(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the mkdocs command line as an editor would, capturing what it prints."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=env, capture_output=True, text=True)


# What a copy of the project leaves out: set-up, build output and caches, so that it builds afresh.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "site", ".cache", ".pytest_cache", "__pycache__", "build", "bench", "*.egg-info")


def copy_project(target: Path) -> Path:
    """A copy of the project in target/project, as a git repository of one commit: "Last changed"
    on every page comes from git history (mkdocs_factsheet/last_changed.py)."""
    project = target / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED)
    identity = ["-c", "user.name=test", "-c", "user.email=test@localhost"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "copy"]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    return project


@dataclass
class BuiltSite:
    root: Path
    log: str

    def html(self, url: str) -> BeautifulSoup:
        """The page at a site URL such as '' (home) or 'clinical-studies/'."""
        path = self.root / url / "index.html" if not url.endswith(".html") else self.root / url
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def article(self, url: str):
        return self.html(url).select_one("article.md-content__inner")

    def text(self, url: str) -> str:
        return " ".join(self.article(url).get_text(" ").split())

    @cached_property
    def nav_urls(self) -> dict[str, str]:
        """mkdocs.yml's nav as {title: site URL}."""
        nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("# Page tree", 1)[1])["nav"]
        pages = {}
        for item in nav:
            (title, src), = item.items()
            pages[title] = "" if src == "index.md" else src.removesuffix(".md") + "/"
        return pages

    @cached_property
    def search_index(self) -> dict:
        return json.loads((self.root / "search" / "search_index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The factsheet site, built with --strict exactly as `./run build` builds it."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs("build", "--strict", "--site-dir", str(out))
    assert result.returncode == 0, result.stderr
    return BuiltSite(out, result.stderr)


FIXTURE_BIB = """\
@article{witt2006,
  author  = {Witt, Claudia M. and Jena, Susanne},
  title   = {A trial in {Germany}},
  journal = {American Journal of Epidemiology},
  year    = {2006},
  volume  = {164},
  number  = {5},
  pages   = {487--496},
  doi     = {10.1000/fixture.witt},
  pmid    = {111},
}

@article{sherman2009a,
  author  = {Sherman, Karen J. and Coeytaux, Remy R.},
  title   = {Acupuncture for common pain},
  journal = {Journal of Clinical Outcomes Management},
  year    = {2009},
  pages   = {224--230},
}

@article{sherman2009b,
  author  = {Sherman, Karen J. and Cherkin, Daniel C.},
  title   = {Characteristics of patients},
  journal = {BMC Musculoskeletal Disorders},
  year    = {2009},
  pages   = {114},
}
"""


BIBLIOGRAPHY_PAGE = "---\nnocite: [witt2006, sherman2009a, sherman2009b]\n---\n# Bibliography\n\n\\full_bibliography\n"


@dataclass
class FixtureSite:
    """A small MkDocs project using the real citations plugin and style, for one behaviour."""

    path: Path

    def build(self) -> subprocess.CompletedProcess:
        return mkdocs("build", "--strict", "--site-dir", str(self.path / "site"), cwd=self.path)

    def html(self, page: str = "index") -> BeautifulSoup:
        url = "index.html" if page == "index" else f"{page}/index.html"
        return BeautifulSoup((self.path / "site" / url).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def fixture_site(tmp_path):
    """make(pages={'index.md': '...'}, bib=..., style=True, extra_config='', plugins=('page-metadata',)) -> FixtureSite"""

    def make(pages: dict[str, str], bib: str | None = FIXTURE_BIB, style: bool = True, extra_config: str = "",
             plugins: tuple[str, ...] = ()):
        # A bibliography page that lists every fixture entry, so no entry counts as uncited.
        pages = {"bibliography.md": BIBLIOGRAPHY_PAGE, **pages}
        (tmp_path / "docs").mkdir()
        for name, text in pages.items():
            (tmp_path / "docs" / name).write_text(textwrap.dedent(text), encoding="utf-8")
        if bib is not None:
            (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
        if style:
            shutil.copy(STYLE, tmp_path / "style.csl")
        config = """\
            site_name: Fixture
            plugins:
              - citations:
                  bib_file: refs.bib
                  csl_file: style.csl
            """
        config = textwrap.dedent(config) + "".join(f"  - {name}\n" for name in plugins)
        (tmp_path / "mkdocs.yml").write_text(config + textwrap.dedent(extra_config), encoding="utf-8")
        return FixtureSite(tmp_path)

    return make


def errors(result: subprocess.CompletedProcess) -> list[str]:
    """The ERROR and WARNING lines MkDocs printed, without the level prefix."""
    return [re.sub(r"^(ERROR|WARNING)\s+-\s+", "", line) for line in result.stderr.splitlines() if re.match(r"(ERROR|WARNING)\s", line)]


# Readability figures that tests/test_trust.py measures, printed after the run for editors.
READABILITY: list[tuple[str, float, float, float]] = []


def pytest_terminal_summary(terminalreporter):
    if READABILITY:
        terminalreporter.section("readability (targets: FK grade 8 or less on patient pages, 6 for the key messages; 20 words a sentence or fewer)")
        terminalreporter.write_line(f"{'page':<32} {'FK grade':>8} {'SMOG':>6} {'words/sentence':>15}")
        for title, grade, smog, words in READABILITY:
            terminalreporter.write_line(f"{title:<32} {grade:>8.1f} {smog:>6.1f} {words:>15.1f}")
