"""Citations as readers see them: author-year links, reference lists, backlinks, previews."""

import re
import textwrap
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from helpers import FIXTURE_BIB, ROOT, STYLE, make_fixture_site, mkdocs_serve


def citations(article):
    return article.select("span.citation")


def reference_ids(article):
    return [li["id"] for li in article.select("ul.reference-list > li.reference")]


# --- The factsheet site ------------------------------------------------------------------------


def test_citations_read_author_year_with_one_link_per_work(site):
    article = site.article("")
    first = next(c for c in citations(article) if c["data-cites"].startswith("witt2006"))
    assert first.get_text() == "(Witt 2006; Haake 2007; Cherkin 2009; Sherman 2009a)"
    assert [a["href"] for a in first.select("a")] == ["#ref-witt2006", "#ref-haake2007", "#ref-cherkin2009", "#ref-sherman2009a"]
    assert not article.select("sup"), "no superscript footnote numbers beside citations"


def test_each_page_lists_exactly_the_works_it_cites(site):
    """...and the works that replace a superseded one it cites (README: "mark a reference out of date")."""
    from pybtex.database import parse_file

    entries = parse_file(ROOT / "references.bib").entries
    for title, url in site.nav_urls.items():
        article = site.article(url)
        cited = {a["href"].removeprefix("#ref-") for a in article.select("a.citation-link")}
        cited |= {entries[key].fields["replacement"] for key in cited if "replacement" in entries[key].fields}
        listed = {i.removeprefix("ref-") for i in reference_ids(article)}
        if title == "References":
            continue
        assert cited == listed, f"{title}: cited {sorted(cited - listed)} not listed; listed {sorted(listed - cited)} not cited"


def test_bibliography_page_lists_every_entry_alphabetically(site):
    from pybtex.database import parse_file

    entries = parse_file(ROOT / "references.bib").entries
    ids = [i.removeprefix("ref-") for i in reference_ids(site.article("references/"))]
    assert sorted(ids) == sorted(entries)

    def sort_key(key):
        person = entries[key].persons.get("author", [None])[0]
        name = str(person.last_names[0]) if person else entries[key].fields["institution"]
        return (name.lower().strip("{}"), entries[key].fields["year"], key)

    assert ids == sorted(ids, key=sort_key)


def test_year_suffixes_are_the_same_on_every_page(site):
    """Sherman 2009a and 2009b read the same wherever they are cited."""
    seen = {}
    for url in site.nav_urls.values():
        for link in site.article(url).select("a.citation-link"):
            key = link["href"].removeprefix("#ref-")
            label = re.search(r"\d{4}[a-z]?|n\.d\.", link.get_text()).group(0)
            assert seen.setdefault(key, label) == label, f"{key} reads {label} on /{url}, {seen[key]} elsewhere"
    assert seen["sherman2009a"] == "2009a" and seen["sherman2009b"] == "2009b"


def test_reference_entries_use_typographic_dashes_and_link_doi_and_pubmed(site):
    article = site.article("references/")
    for entry in article.select("li.reference"):
        text = entry.get_text()
        assert "--" not in text, entry["id"]
    haake = article.select_one("#ref-haake2007")
    assert "1892–1898" in haake.get_text()
    hrefs = [a["href"] for a in haake.select(".reference-links a.reference-doi, .reference-links a.reference-pubmed")]
    assert hrefs == ["https://doi.org/10.1001/archinte.167.17.1892", "https://pubmed.ncbi.nlm.nih.gov/17893311/"]


def test_reference_anchor_is_the_same_wherever_a_work_is_listed(site):
    for url in site.nav_urls.values():
        for entry in site.article(url).select("li.reference"):
            assert re.fullmatch(r"ref-[a-z]+(\d{4}|nd)[a-z]?", entry["id"])
    assert site.article("clinical-studies/").select_one("#ref-haake2007")
    assert site.article("references/").select_one("#ref-haake2007")


def test_backlinks_lead_to_the_citing_place(site):
    article = site.article("references/")
    articles = {}  # each citing page read once
    for entry in article.select("li.reference"):
        links = entry.select(".reference-backlinks a")
        assert links, f"{entry['id']} has no backlinks"
        for link in links:
            page_url, anchor = link["href"].split("#")
            if page_url not in articles:
                articles[page_url] = site.article(page_url.removeprefix("../"))
            target = articles[page_url]
            place = target.select_one(f"#{anchor}")
            assert place is not None and place.select_one(f'a[href="#{entry["id"]}"]'), link["href"]


def test_citation_preview_is_wired_to_the_reference_for_screen_readers(site):
    page = site.html("clinical-studies/")
    for link in page.select("a.citation-link"):
        described = page.select_one(f"#{link['aria-describedby']}")
        # The reference's own text: not its downloads and "Cited in" links (issue 23).
        assert described is not None and "reference-text" in described["class"]
        assert described.find_parent("li", class_="reference")["id"] == link["href"].removeprefix("#")
    scripts = [s.get("src", "") for s in page.select("script")]
    assert any(s.endswith("citation-preview.js") for s in scripts)


# --- Behaviours on small fixture sites --------------------------------------------------------


# The citation core in process (it gives the HTML the site gives: tests/test_citation_core.py).


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    from mkdocs_factsheet.citations.extension import CitationsExtension

    bib = tmp_path_factory.mktemp("core") / "refs.bib"
    bib.write_text(FIXTURE_BIB, encoding="utf-8")
    return CitationsExtension(bibliography=bib, style=STYLE)


def rendered(core, page: str) -> BeautifulSoup:
    """The page as the site renders it (MkDocs' own extensions with ours), checked to have no problem."""
    html = markdown.Markdown(extensions=[core, "toc", "tables", "fenced_code"]).convert(textwrap.dedent(page))
    assert core.problems == [], core.problems
    return BeautifulSoup(html, "html.parser")


def test_locators_and_prefixes_are_kept(core):
    page = rendered(core, "# Home\n\nA claim [see @witt2006, p. 490; @sherman2009a, chap. 3].\n")
    text = page.select_one("span.citation").get_text().replace("\xa0", " ")
    assert text == "(see Witt 2006, p. 490; Sherman 2009a, chap. 3)"


def test_narrative_citation_names_the_author_in_the_sentence(core):
    assert rendered(core, "# Home\n\n@witt2006 found it.\n").select_one("span.citation").get_text() == "Witt (2006)"


def test_year_suffixes_do_not_depend_on_which_page_is_built_first(fixture_site):
    built = fixture_site(
        {
            "index.md": "# Home\n\nOnly the second [@sherman2009b].\n",
            "later.md": "# Later\n\nOnly the first [@sherman2009a]. Also [@witt2006].\n",
        }
    )
    assert built.build().returncode == 0
    assert built.html().select_one("span.citation").get_text() == "(Sherman 2009b)"
    assert built.html("later").select_one("span.citation").get_text() == "(Sherman 2009a)"


def test_at_signs_in_code_email_and_link_text_are_left_alone(core):
    page = """\
        # Home

        Write `[@witt2006]` to cite. Mail editor@example.org or <editor@example.org>.
        See [the @witt2006 page](https://example.org/@witt2006).

        ```
        [@sherman2009a] and @witt2006 stay as typed
        ```

        A real one [@witt2006].
        """
    article = rendered(core, page)
    assert [c.get_text() for c in article.select("span.citation")] == ["(Witt 2006)"]
    text = article.get_text()
    for kept in ("[@witt2006]", "editor@example.org", "the @witt2006 page", "[@sherman2009a] and @witt2006 stay as typed"):
        assert kept in text


def test_uncited_entry_fails_strict_build_unless_listed_on_the_bibliography_page(fixture_site):
    built = fixture_site({"index.md": "# Home\n\n[@witt2006]\n", "bibliography.md": "# References\n\n\\full_bibliography\n"})
    result = built.build()
    assert result.returncode == 1
    assert "refs.bib:13: entry 'sherman2009a' is not cited on any page" in result.stderr
    (built.path / "docs" / "bibliography.md").write_text(
        "---\nnocite: [sherman2009a, sherman2009b]\n---\n# References\n\n\\full_bibliography\n", encoding="utf-8"
    )
    assert built.build().returncode == 0


def test_formatted_citations_are_cached_by_content(fixture_site):
    built = fixture_site({"index.md": "# Home\n\n[@witt2006] [@sherman2009a] [@sherman2009b]\n"})
    assert built.build().returncode == 0
    cache = sorted((built.path / ".cache" / "citations").glob("*.json"), key=lambda path: path.name.startswith("bib-"))
    assert [path.name.startswith("bib-") for path in cache] == [False, True], "formatted citations, checked bibliography"
    stamps = [path.stat().st_mtime_ns for path in cache]
    assert built.build().returncode == 0
    assert [path.stat().st_mtime_ns for path in cache] == stamps, "an unchanged site must not be parsed or formatted again"
    bib = built.path / "refs.bib"
    bib.write_text(bib.read_text().replace("A trial in {Germany}", "A trial in {Berlin}"))
    assert built.build().returncode == 0
    assert "A trial in Berlin" in built.html().get_text()


def test_the_cache_folder_is_where_cache_dir_says(fixture_site):
    # The tests' builds of the project keep their cache out of the project this way (helpers.mkdocs).
    built = fixture_site({"index.md": "# Home\n\n[@witt2006]\n"})
    config = built.path / "mkdocs.yml"
    config.write_text(config.read_text().replace("csl_file: style.csl\n", "csl_file: style.csl\n      cache_dir: kept/citations\n"))
    assert built.build().returncode == 0
    assert sorted(path.name.startswith("bib-") for path in (built.path / "kept" / "citations").glob("*.json")) == [False, True]
    assert not (built.path / ".cache").exists()


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return re.sub(r"<[^>]+>", "", response.read().decode())
    except OSError:
        return ""


def _shown(url: str) -> str:
    """A page's text, without the live-reload script's build stamps (they change on every rebuild)."""
    return re.sub(r"livereload\(\d+, \d+\)", "livereload()", _fetch(url))


def _wait_for(url: str, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in _fetch(url):
            return True
        time.sleep(0.2)
    return False


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def _wait_for_html(url: str, check, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check(page := _page(url)):
            return page
        time.sleep(0.2)
    raise AssertionError(f"{url} did not show what was expected in {seconds} s; last seen:\n{page[:2000]}")


# --- One `mkdocs serve` of a small fixture site for the module: each case edits and restores -----

SERVED_PAGES = {"index.md": "# Home\n\nA claim [@witt2006]. Another [@sherman2009a].\n", "other.md": "# Other\n\nFine [@sherman2009b].\n"}


@dataclass
class Served:
    path: Path
    url: str
    as_started: dict[str, str]  # each page's text as first served, which every case restores

    @property
    def log(self) -> str:
        return (self.path / "serve.log").read_text(encoding="utf-8")

    @contextmanager
    def edited(self, relative: str, old: str, new: str):
        """The file changed as an editor would; afterwards put back, and served as it was at start."""
        path = self.path / relative
        original = path.read_text(encoding="utf-8")
        assert old in original, f"{relative} has no {old!r}"
        path.write_text(original.replace(old, new, 1), encoding="utf-8")
        try:
            yield path
        finally:
            path.write_text(original, encoding="utf-8")
            for page, text in self.as_started.items():
                deadline = time.monotonic() + 30
                while _shown(self.url + page) != text:
                    assert time.monotonic() < deadline, f"/{page} not served as it was within 30 s"
                    time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The fixture site, watching its bibliography and style, served with --verbose (pandoc's lines)."""
    path = tmp_path_factory.mktemp("served")
    make_fixture_site(path, SERVED_PAGES, extra_config="watch:\n  - refs.bib\n  - style.csl\n")
    with mkdocs_serve(path, "--verbose") as url:
        assert _wait_for(url, "A trial in Germany", 120), "mkdocs serve did not come up"
        yield Served(path, url, {page: _shown(url + page) for page in ("", "other/")})


@pytest.mark.serve
@pytest.mark.parametrize("edited", ["refs.bib", "style.csl"])
def test_mkdocs_serve_rebuilds_when_the_bibliography_or_style_changes(served, edited):
    if edited == "refs.bib":
        with served.edited("refs.bib", "A trial in {Germany}", "A trial in {Hamburg}"):
            assert _wait_for(served.url, "A trial in Hamburg", 30)
    else:
        with served.edited("style.csl", '<text variable="title"/>', '<text variable="title" prefix="Title: "/>'):
            assert _wait_for(served.url, "Title: A trial in Germany", 30)


@pytest.mark.serve
def test_mkdocs_serve_shows_a_mistake_in_place_and_clears_it_when_fixed(served):
    """The editor's preview never stops on a content mistake: the page answers, the bad citation
    is marked where it stands, the error line is logged, and fixing it clears the mark."""
    logged = len(served.log)
    with served.edited("docs/index.md", "A claim [@witt2006]", "Typo [@wit2006]"):
        page = BeautifulSoup(_wait_for_html(served.url, lambda html: "citation-problem" in html, 30), "html.parser")
        (mark,) = page.select("mark.citation-problem")
        assert mark.get_text() == "[@wit2006]"
        assert mark["title"] == "unknown citation key 'wit2006' (did you mean 'witt2006'?)"
        assert [c.get_text() for c in page.select("span.citation")] == ["(Sherman 2009a)"]
        other = BeautifulSoup(_page(served.url + "other/"), "html.parser")
        assert [c.get_text() for c in other.select("span.citation")] == ["(Sherman 2009b)"]
        assert "citations: docs/index.md:3: unknown citation key 'wit2006' (did you mean 'witt2006'?)" in served.log[logged:]
    # Fixed (the page as it was): the mark is gone.
    page = BeautifulSoup(_page(served.url), "html.parser")
    assert not page.select("mark.citation-problem")
    assert [c.get_text() for c in page.select("span.citation")] == ["(Witt 2006)", "(Sherman 2009a)"]


@pytest.mark.serve
def test_mkdocs_serve_keeps_serving_with_a_broken_bibliography(served):
    """A syntax error in the bib file: every citation is marked with the reason, pages still
    answer; the fix clears the marks on the next rebuild."""
    with served.edited("refs.bib", "  title   = {A trial in {Germany}},", "  title   = {A trial in {Germany}}"):
        page = BeautifulSoup(_wait_for_html(served.url, lambda html: "citation-problem" in html, 30), "html.parser")
        marks = page.select("mark.citation-problem")
        assert [mark.get_text() for mark in marks] == ["[@witt2006]", "[@sherman2009a]"]
        assert {mark["title"] for mark in marks} == {"refs.bib:3: syntax error in entry 'witt2006': missing ',' at the end of this line"}
        other = BeautifulSoup(_page(served.url + "other/"), "html.parser")
        assert [mark.get_text() for mark in other.select("mark.citation-problem")] == ["[@sherman2009b]"]
    page = BeautifulSoup(_page(served.url), "html.parser")
    assert not page.select("mark.citation-problem")
    assert [c.get_text() for c in page.select("span.citation")] == ["(Witt 2006)", "(Sherman 2009a)"]


@pytest.mark.serve
def test_mkdocs_serve_formats_only_the_citations_a_page_edit_adds(served):
    """Editing a page re-runs pandoc for new citations only; an edit that adds none runs no pandoc."""
    def pandoc_lines() -> list[str]:
        return [line.split("citations: ", 1)[1] for line in served.log.splitlines() if "pandoc" in line and "citations: " in line]

    assert pandoc_lines()[0] == "pandoc formats 3 citation(s); 0 were in the cache", "the first build formats each once"
    seen = len(pandoc_lines())
    with served.edited("docs/index.md", "[@sherman2009a].\n", "[@sherman2009a].\n\nA sentence added by the editor.\n"):
        assert _wait_for(served.url, "added by the editor", 30)
        after_text_edit = pandoc_lines()[seen:]  # one line per rebuild (the watcher may rebuild twice)
        assert after_text_edit and set(after_text_edit) == {"pandoc does not run: all 3 citation(s) were in the cache"}
    seen = len(pandoc_lines())
    with served.edited("docs/index.md", "[@sherman2009a].\n", "[@sherman2009a].\n\nA new one [@witt2006, p. 5].\n"):
        assert _wait_for(served.url, "Witt 2006, p. 5", 30)
        after_citation_edit = pandoc_lines()[seen:]
        assert [line for line in after_citation_edit if "formats" in line] == ["pandoc formats 1 citation(s); 3 were in the cache"]
