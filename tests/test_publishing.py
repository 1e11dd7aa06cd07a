"""What publishing adds: addresses, edit links, dates from git, sitemap, a helpful 404 page."""

import re
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, mkdocs

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
        changed = html.select_one(".md-source-file").get_text(" ", strip=True)
        assert re.fullmatch(r"Last changed: \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d", changed), changed


def test_not_found_page_helps_the_reader_on(published, site):
    html = BeautifulSoup((published / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert html.h1.get_text() == "Page not found"
    links = {a["href"] for a in html.select("article li a")}
    assert links == {"/acupuncture/" + (url or ".") for url in site.nav_urls.values()}


def test_a_shallow_clone_builds_with_dates(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)], check=True)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    result = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "site"), cwd=clone)
    assert result.returncode == 0, result.stderr
    changed = page(tmp_path / "site", "evidence/").select_one(".md-source-file").get_text(" ", strip=True)
    assert changed.startswith("Last changed: ")
