"""The built site as a reader meets it: pages, navigation, search, content, privacy."""

import html
import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

from helpers import content_check, line_in, where


DATA = Path(__file__).parent / "data"


def test_every_nav_page_is_built_with_its_heading(site):
    for title, url in site.nav_urls.items():
        article = site.article(url)
        assert article is not None, f"{title}: no page at /{url}"
        assert article.h1 and article.h1.get_text(strip=True), f"{title}: no heading"


def test_build_printed_no_warning(site):
    assert "WARNING" not in site.log and "ERROR" not in site.log, site.log


def test_no_markdown_citation_syntax_survives(site):
    for title, url in site.nav_urls.items():
        html = str(site.article(url))
        text = site.text(url)
        for leftover in ("[@", "[^", "\\bibliography", "\\full_bibliography", "-@"):
            assert leftover not in text, f"{title}: '{leftover}' left in the text"
        assert not re.search(r"(?<![\w.])@[a-z]+\d{4}", text), f"{title}: a bare @key is left in the text"
        assert 'class="footnote' not in html, f"{title}: footnotes rendered"


def test_every_figure_of_the_factsheet_is_on_its_page(site):
    """A content check: the factsheet's figures and findings, as tests/data/facts.yml words them."""
    facts = yaml.safe_load((DATA / "facts.yml").read_text(encoding="utf-8"))
    texts = {page: site.text(site.nav_urls[page]) for page in facts}  # each page read once, not once a fact
    missing = [
        f"{where(site.nav_sources[page])}: the factsheet's figure or finding '{fact}' is no longer on this page "
        f"(tests/data/facts.yml:{line_in('tests/data/facts.yml', fact)}): put it back; if it was wrong, correct it "
        "here, in tests/data/facts.yml and in docs/corrections.md"
        for page, expected in facts.items()
        for fact in expected
        if fact not in texts[page]
    ]
    content_check(missing)


def test_no_sentence_is_copied_from_the_source(site):
    """'In the project's own words': no run of 8 words of the source factsheet on any page."""

    def words(text):
        return re.findall(r"[a-z0-9£%.,]+", text.lower().replace("-", " "))

    source = words((DATA / "source-factsheet.txt").read_text(encoding="utf-8"))
    runs = {tuple(source[i : i + 8]) for i in range(len(source) - 7)}
    for title, url in site.nav_urls.items():
        article = site.article(url)
        # Study titles in the reference lists and "(Witt 2006; Haake 2007)" citations rightly
        # read as in the source.
        for quoted in article.select(".reference-list, .citation"):
            quoted.decompose()
        # The Corrections page quotes the factsheet's words, in quotation marks, to correct them.
        text = article.get_text(" ")
        if title == "Corrections to the original factsheet":
            text = re.sub(r"The factsheet said: “[^”]*”", " ", text)
        page = words(text)
        copied = [" ".join(page[i : i + 8]) for i in range(len(page) - 7) if tuple(page[i : i + 8]) in runs]
        content_check([
            f"{where(site.nav_sources[title], run)}: '{run}' is 8 words in a row as the 2010 factsheet has them: "
            "say it in your own words" for run in copied[:3]])


def test_search_index_has_every_page_and_finds_study_names(site):
    docs = site.search_index["docs"]
    locations = {d["location"].split("#")[0] for d in docs}
    assert set(site.nav_urls.values()) <= locations
    for term, url in [("GERAC", "clinical-studies/"), ("pregnancy", "evidence/"), ("sham", "evidence/"),
                      ("NICE", "clinical-guidance/"), ("microcirculation", "physiological-studies/")]:
        found = {d["location"].split("#")[0] for d in docs if term.lower() in (d["title"] + d["text"]).lower()}
        assert url in found, f"search for {term!r} does not reach /{url}"


def test_search_indexes_citations_and_each_reference_once_as_text(site):
    """Citations and the References page's entries are indexed as text; lists, links and
    backlinks are not."""
    references = site.nav_urls["References"]
    indexed = {d["location"]: d["title"] + " " + d["text"] for d in site.search_index["docs"]}
    everything = " ".join(" ".join(html.unescape(text).split()) for text in indexed.values())
    page = site.nav_urls["Clinical studies"]
    on_page = " ".join(" ".join(html.unescape(text).split()) for url, text in indexed.items() if url.startswith(page))
    for citation in site.article(page).select("span.citation"):
        assert citation.get_text() in on_page, f"{citation.get_text()} is not indexed on /{page}"
    for entry in site.article(references).select("li.reference .reference-text"):
        reference = " ".join(entry.get_text().split())
        assert everything.count(reference) == 1, f"indexed {everything.count(reference)} times: {reference}"
    for noise in ("Cited in:", "DOI:", "PubMed:", "BibTeX for", "RIS for"):
        assert noise not in everything, f"the search index holds '{noise}'"
    assert "DOI:" in site.text(references) and "Cited in:" in site.text(references)


def test_pages_are_uk_english_and_say_where_the_content_comes_from(site):
    for url in site.nav_urls.values():
        page = site.html(url)
        assert page.html["lang"] == "en-GB"
        assert "factsheet" in page.select_one(".md-copyright").get_text().lower()


def test_light_and_dark_palettes_are_offered(site):
    page = site.html("")
    schemes = {i["data-md-color-scheme"] for i in page.select("input[data-md-color-scheme]")}
    assert schemes == {"default", "slate"}


def test_pages_load_nothing_from_other_hosts(site):
    """No web fonts, scripts or styles from a CDN; no GitHub API calls from the repository widget."""
    for path in site.root.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        for url in re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', page):
            assert not urlparse(url).netloc, f"{path.relative_to(site.root)} loads {url}"
        assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
        assert "data-md-component=\"source\"" not in page, "repository widget calls the GitHub API"
    for css in site.root.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?https?:", css.read_text(encoding="utf-8")), css
