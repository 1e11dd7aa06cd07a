"""What publishing adds: addresses, edit links, dates from git, sitemap, a helpful 404 page."""

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, mkdocs

PUBLISHED = {
    "SITE_URL": "https://factsheet.example/acupuncture/",
    "EDIT_URI": "https://github.example/team/factsheet/edit/main/docs/",
    "FACTSHEET_PDF": "off",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The site as the publishing workflow builds it, with its address and repository set."""
    out = tmp_path_factory.mktemp("published")
    result = mkdocs("build", "--strict", "--site-dir", str(out), env=PUBLISHED)
    assert result.returncode == 0, result.stderr
    return out


def page(root, url):
    return BeautifulSoup((root / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_canonical_links_sitemap_and_open_graph_use_the_published_address(published, site):
    urls = [loc.text for loc in ElementTree.parse(published / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sorted(urls) == sorted(PUBLISHED["SITE_URL"] + url for url in site.nav_urls.values())
    for url in site.nav_urls.values():
        html = page(published, url)
        assert html.select_one('link[rel="canonical"]')["href"] == PUBLISHED["SITE_URL"] + url
        assert html.select_one('meta[property="og:url"]')["content"] == PUBLISHED["SITE_URL"] + url


def test_every_page_has_edit_and_view_source_actions_without_the_github_api(published, site):
    for title, url in site.nav_urls.items():
        html = page(published, url)
        source = title if url else "index"
        edit = html.select_one('a.md-content__button[rel="edit"]')
        assert edit["href"].startswith(PUBLISHED["EDIT_URI"]), title
        view = html.select_one('a.md-content__button[title="View source of this page"]')
        assert view["href"] == edit["href"].replace("/edit/", "/raw/"), source
        assert html.select_one('[data-md-component="source"]') is None, "the repository widget calls the GitHub API"


def test_every_page_has_a_description_and_says_when_it_last_changed(site):
    for title, url in site.nav_urls.items():
        html = site.html(url)
        description = html.select_one('meta[name="description"]')["content"]
        assert 20 <= len(description) <= 160 and description != site.html("").select_one("title").text, title
        if _last_commit_day(ROOT, _source(url)) is None:  # a new page, not committed yet: no date
            assert html.select_one(".md-source-file") is None, title
            continue
        changed = html.select_one(".md-source-file").get_text(" ", strip=True)
        assert re.fullmatch(r"Last changed: \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d", changed), changed


def test_not_found_page_helps_the_reader_on(published, site):
    html = BeautifulSoup((published / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert html.h1.get_text() == "Page not found"
    links = {a["href"] for a in html.select("article li a")}
    assert links == {"/acupuncture/" + (url or ".") for url in site.nav_urls.values()}


def _last_commit_day(repository: Path, page: str) -> str | None:
    """`git log -1` of the page's file, as "24 November 2026" (London time); None before its first commit."""
    stamp = subprocess.run(["git", "log", "-1", "--format=%at", "--", f"docs/{page}"], cwd=repository,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not stamp:
        return None
    return f"{datetime.fromtimestamp(int(stamp), ZoneInfo('Europe/London')):%-d %B %Y}"


def _last_changed(root: Path, url: str) -> str | None:
    shown = page(root, url).select_one(".md-source-file")
    return shown.get_text(" ", strip=True).removeprefix("Last changed: ") if shown else None


def _clone(tmp_path: Path, *options: str) -> Path:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", *options, f"file://{ROOT}", str(clone)], check=True)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    return clone


def _source(url: str) -> str:
    return "index.md" if not url else url.removesuffix("/") + ".md"


def test_last_changed_is_the_last_commit_of_each_page(site):
    """Not the day of the build: git-revision-date-localized showed that on every page, as its
    `git log --diff-filter=r` finds no commit with Debian's git 2.39."""
    for url in site.nav_urls.values():
        assert _last_changed(site.root, url) == _last_commit_day(ROOT, _source(url)), url


@pytest.mark.build
def test_a_clone_deep_enough_shows_each_pages_last_commit(tmp_path):
    """A shallow clone whose history reaches back past every page's last change: the dates are
    right. (The publishing workflow clones the whole history.) The history is made so: a commit
    that changes every page, then a shallow clone of two commits, cut off just before it."""
    full = _clone(tmp_path / "full")
    pages = [path.name for path in (full / "docs").glob("*.md")]
    for name in pages:
        with (full / "docs" / name).open("a", encoding="utf-8") as page_file:
            page_file.write("\n")
    identity = ["-c", "user.name=test", "-c", "user.email=test@localhost"]
    subprocess.run(["git", *identity, "commit", "-q", "-am", "every page"], cwd=full, check=True)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "--quiet", "--depth", "2", f"file://{full}", str(clone)], check=True)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    assert (clone / ".git" / "shallow").exists(), "not a shallow clone"
    result = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "site"), cwd=clone, env={"FACTSHEET_PDF": "off"})
    assert result.returncode == 0, result.stderr
    for name in pages:
        url = "" if name == "index.md" else name.removesuffix(".md") + "/"
        assert _last_changed(tmp_path / "site", url) == _last_commit_day(clone, name), name


@pytest.mark.build
def test_a_clone_too_shallow_for_the_dates_fails_the_build(tmp_path):
    """With one commit of history every page would show that commit's day: the build says so."""
    clone = _clone(tmp_path, "--depth", "1")
    result = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "site"), cwd=clone, env={"FACTSHEET_PDF": "off"})
    assert result.returncode != 0
    assert re.search(r"WARNING\s+-\s+last_changed: docs/\S+\.md: is in a shallow clone whose history stops before its last change "
                     r"\(fetch the whole history: git fetch --unshallow, or fetch-depth: 0\)", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.build
def test_a_page_not_yet_committed_shows_no_date_and_says_why(tmp_path):
    """An editor's new page has no history yet: it shows no "Last changed" date (never the build's),
    the build says why, and nothing fails, so the page can be previewed and tested before it is committed."""
    clone = _clone(tmp_path)
    (clone / "docs" / "new-page.md").write_text("# A new page\n\nText.\n", encoding="utf-8")
    result = mkdocs("build", "--site-dir", str(tmp_path / "preview"), cwd=clone, env={"FACTSHEET_PDF": "off"})
    assert result.returncode == 0, result.stderr
    assert re.search(r'INFO\s+-\s+last_changed: docs/new-page.md: not committed yet, so it shows no "Last changed" date until it is',
                     result.stderr), result.stderr
    assert "last_changed: docs/new-page.md" not in "".join(line for line in result.stderr.splitlines(True) if "WARNING" in line)
    assert page(tmp_path / "preview", "new-page/").select_one(".md-source-file") is None
