"""The citation core without MkDocs: the resolver as a pure function, and the Markdown extension as
Markdown in, HTML out (pymdown-extensions' `MdCase.check_markdown` shape), in process."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import replace

import markdown
import pytest
from bs4 import BeautifulSoup

from helpers import FIXTURE_BIB, STYLE, make_fixture_site
from mkdocs_factsheet.citations.bibliography import read_bibliography
from mkdocs_factsheet.citations.cache import Cache
from mkdocs_factsheet.citations.citeproc import Citeproc
from mkdocs_factsheet.citations.extension import CitationsExtension
from mkdocs_factsheet.citations.references import citation_affixes
from mkdocs_factsheet.citations.resolver import fix_citations, fix_reference_lists
from mkdocs_factsheet.citations.syntax import CitationsExtension as CitationSyntax
from mkdocs_factsheet.citations.syntax import FoundOnPage, probable_citations
from mkdocs_factsheet.problems import Problem


# --- the resolver ---------------------------------------------------------------------------


def test_fix_citations_fills_what_the_mapper_knows_and_lists_the_rest():
    html = '<p>A <span data-citation="0">[@witt2006]</span> and <span data-citation="1">[see @x &amp; @y]</span>.</p>'
    mapped = {0: "(Witt 2006)"}
    fixed, unresolved = fix_citations(html, lambda index, source: mapped[index])
    assert fixed == '<p>A (Witt 2006) and <span data-citation="1">[see @x &amp; @y]</span>.</p>'
    assert unresolved == ["[see @x & @y]"]


def test_fix_reference_lists_fills_each_kind():
    html = '<div data-reference-list="page"></div><div data-reference-list="full"></div>'
    fixed, unresolved = fix_reference_lists(html, lambda kind: {"page": "<ul>page</ul>"}[kind])
    assert fixed == '<ul>page</ul><div data-reference-list="full"></div>'
    assert unresolved == ["full"]


# --- the extension: Markdown in, HTML out ---------------------------------------------------


class MdCase:
    """One Markdown instance with the extension, as pymdown-extensions' tests/util.py sets one up."""

    def __init__(self, extension: CitationsExtension, *others: str):
        self.extension = extension
        self.md = markdown.Markdown(extensions=[extension, *others])

    def check_markdown(self, source: str, expected: str) -> None:
        self.md.reset()
        assert self.md.convert(textwrap.dedent(source)) == textwrap.dedent(expected).strip()


@pytest.fixture(scope="module")
def extension(tmp_path_factory) -> CitationsExtension:
    bib = tmp_path_factory.mktemp("core") / "refs.bib"
    bib.write_text(FIXTURE_BIB, encoding="utf-8")
    return CitationsExtension(bibliography=bib, style=STYLE, bib_by_default=False)


WITT = ('<span class="citation" id="cite-{n}" data-cites="witt2006">{before}<a href="#ref-witt2006" class="citation-link" '
        'role="doc-biblioref" aria-describedby="ref-witt2006-text">{text}</a>{after}</span>')


def test_a_citation_becomes_its_formatted_link(extension):
    MdCase(extension).check_markdown(
        "Acupuncture helped [@witt2006], as @witt2006 [p. 490] found.",
        f"<p>Acupuncture helped {WITT.format(n=1, before='(', text='Witt 2006', after=')')}, as "
        f"{WITT.format(n=2, before='Witt (', text='2006, p. 490', after=')')} found.</p>",
    )
    assert extension.problems == []


def test_code_escapes_and_links_stay_as_typed(extension):
    MdCase(extension).check_markdown(
        r"`[@witt2006]`, \@witt2006 and [@witt2006](https://example.org/).",
        '<p><code>[@witt2006]</code>, @witt2006 and <a href="https://example.org/">@witt2006</a>.</p>',
    )


def test_an_unknown_key_is_shown_as_typed_and_reported_as_data(extension):
    MdCase(extension).check_markdown(
        "# Title\n\nTypo [@wit2006].",
        """
        <h1>Title</h1>
        <p>Typo <mark class="citation-problem" title="unknown citation key &#x27;wit2006&#x27; (did you mean &#x27;witt2006&#x27;?)">[@wit2006]</mark>.</p>
        """,
    )
    assert extension.problems == [Problem("unknown citation key 'wit2006' (did you mean 'witt2006'?)", line=3)]


def test_the_document_lists_what_it_cites_where_bibliography_stands(extension):
    html = markdown.markdown("Two [@sherman2009a; @witt2006].\n\n\\bibliography\n", extensions=[extension])
    items = BeautifulSoup(html, "html.parser").select("ul.reference-list.page-references > li.reference")
    assert [item["id"] for item in items] == ["ref-sherman2009a", "ref-witt2006"]
    assert [a["href"] for a in items[0].select(".reference-backlinks a")] == ["#cite-1"]


def test_the_extension_gives_the_html_the_site_gives(fixture_site):
    # A heading with a citation and an ampersand: its id, its entry in the table of contents and its
    # text in the backlinks as the site's, with toc's permalinks ("¶") as the project has them.
    page = ("# Trials\n\nAcupuncture helped [@witt2006]. @sherman2009a found more.\n\n## Later & again [@sherman2009b]\n\n"
            "Again [see @witt2006, p. 490].\n")
    built = fixture_site({"index.md": page}, extra_config="markdown_extensions:\n  - toc:\n      permalink: true\n")
    result = built.build()
    assert result.returncode == 0, result.stderr
    site = built.html()
    alone = CitationsExtension(bibliography=built.path / "refs.bib", style=STYLE)
    md = markdown.Markdown(extensions=[alone, "toc"], extension_configs={"toc": {"permalink": True}})
    html = BeautifulSoup(md.convert(page), "html.parser")
    assert [str(s) for s in html.select("span.citation")] == [str(s) for s in site.select("span.citation")]
    assert str(html.select_one("ul.page-references")) == str(site.select_one("ul.page-references"))
    assert [h["id"] for h in html.select("h1, h2")] == [h["id"] for h in site.select("[role=main] h1, [role=main] h2")]
    contents = [a.get_text() for a in BeautifulSoup(md.toc, "html.parser").select("a")]
    assert contents == [a.get_text() for a in site.select("ul.nav.flex-column a")] == ["Trials", "Later & again (Sherman 2009b)", "References"]


# --- the same problems as the site, at the same lines ----------------------------------------
# Each page, and what the site reports for it (without the "citations: " its logger adds). The
# core once reported the first two without their lines, and the headings and the note not at
# all; one build of a fixture site with every page gives the plugin's side.

RAW_HTML = "inside an HTML block is published as typed: add markdown to the block's opening tag (<div markdown>), or cite outside the HTML"
AS_THE_SITE_REPORTS = {
    "image.md": (
        "# Home\n\nText [@witt2006].\n\n![Chart from [@sherman2009a]](https://example.org/chart.png)\n",
        ["docs/image.md:5: citation @sherman2009a in an image's alt text: describe the image in words there, and cite beside it"],
    ),
    # Front matter: lines are counted in the file, as an editor reads them.
    "raw-html.md": (
        "---\ntitle: Boxes\n---\n# Home\n\nText.\n\n<div class=\"box\">\nAs shown [@witt2006].\n</div>\n",
        [f"docs/raw-html.md:9: citation [@witt2006] {RAW_HTML}"],
    ),
    "headings.md": (
        "# Home\n\n## Cite 1\n\nA claim [@witt2006].\n\n## Ref witt2006\n\nMore [@sherman2009b].\n",
        ["docs/headings.md:3: the heading 'Cite 1' gets the id cite-1, which a citation's link uses: "
         "reword it, or give it an id of its own, e.g. {#cite1-section}",
         "docs/headings.md:7: the heading 'Ref witt2006' gets the id ref-witt2006, which a citation's link uses: "
         "reword it, or give it an id of its own, e.g. {#refwitt2006-section}"],
    ),
    # The same work cited before: each is found where it stands, not at the first citation of it.
    "repeated.md": (
        "# Home\n\nText [@witt2006].\n\n![Chart from [@witt2006]](https://example.org/chart.png)\n\n<div>\nAs shown [@witt2006].\n</div>\n",
        ["docs/repeated.md:5: citation @witt2006 in an image's alt text: describe the image in words there, and cite beside it",
         f"docs/repeated.md:8: citation [@witt2006] {RAW_HTML}"],
    ),
    "superseded.md": ("# Home\n\nAn old trial [@old2000].\n", ["docs/superseded.md:3: cites old2000, superseded (replaced by witt2006)"]),
}
SUPERSEDED_ENTRY = ("\n@article{old2000,\n  author = {Old, Ann},\n  title = {An old trial},\n  journal = {Journal},\n"
                    "  year = {2000},\n  status = {superseded},\n  replacement = {witt2006},\n}\n")


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> tuple[list[str], CitationsExtension]:
    """What the plugin reports for the pages of AS_THE_SITE_REPORTS (one strict build of one fixture
    site), and the core with the same bibliography."""
    pages = {name: page for name, (page, _) in AS_THE_SITE_REPORTS.items()}
    built = make_fixture_site(tmp_path_factory.mktemp("as-the-site-reports"), pages, bib=FIXTURE_BIB + SUPERSEDED_ENTRY)
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    logged = [re.sub(r"^[A-Z]+\s+-\s+citations: ", "", line) for line in result.stderr.splitlines()]
    return logged, CitationsExtension(bibliography=built.path / "refs.bib", style=STYLE)


def core_problems(extension: CitationsExtension, name: str) -> list[str]:
    """What the core alone reports for the page, named as the site names it (a host of the core
    knows the file it converts; Python-Markdown does not)."""
    # MkDocs' own extensions, and meta for the front matter MkDocs reads before converting.
    md = markdown.Markdown(extensions=[extension, "meta", "toc", "tables", "fenced_code"])
    md.convert(AS_THE_SITE_REPORTS[name][0])
    return [str(replace(problem, file=f"docs/{name}")) for problem in extension.problems]


@pytest.mark.build
@pytest.mark.parametrize("name", AS_THE_SITE_REPORTS)
def test_the_core_reports_what_the_site_reports_at_the_same_line(reported, name):
    logged, core = reported
    expected = AS_THE_SITE_REPORTS[name][1]
    assert core_problems(core, name) == expected
    assert [line for line in logged if line.startswith(f"docs/{name}:")] == expected


def test_a_works_name_is_its_citation_without_what_the_style_puts_round_it():
    assert citation_affixes(STYLE.read_bytes()) == ("(", ")")
    numeric = b'<style xmlns="http://purl.org/net/xbiblio/csl"><citation><layout prefix="[" suffix="]"/></citation></style>'
    assert citation_affixes(numeric) == ("[", "]")


# --- formatting early: before the pages are converted --------------------------------------


def _parsed(source: str) -> list[str]:
    """The citations the parser finds in the Markdown, as written, those it can read."""
    found = FoundOnPage()
    markdown.markdown(source, extensions=[CitationSyntax(lambda: found)])
    return [c.source for c in found.citations if not c.problem]


def test_the_citations_a_page_probably_holds_include_every_one_the_parser_finds():
    source = textwrap.dedent("""\
        # Trials [@witt2006]

        Acupuncture helped [see @witt2006,
        p. 490; @sherman2009a], as @sherman2009b [p. 3] found, and @{sherman2009a} too.

        - Mail someone@example.org about [-@witt2006].

        Code `[@sherman2009b]` and \\@witt2006 are no citations.
        """)
    probable = [c.source for c in probable_citations(source) if not c.problem]
    assert set(_parsed(source)) <= set(probable)
    # A code span is not told apart: formatted, unused, too; harmless, as the next test shows.
    assert sorted(set(probable) - set(_parsed(source))) == ["[@sherman2009b]"]


def _citeproc(tmp_path) -> Citeproc:
    bibliography, problems = read_bibliography(FIXTURE_BIB.encode(), "refs.bib")
    assert problems == []
    return Citeproc(bibliography.bibtex, STYLE.read_bytes(), Cache(tmp_path))


def test_a_citations_text_does_not_depend_on_the_others_formatted_with_it(tmp_path):
    """Every entry is in every run, so year suffixes and the list's order come out the same
    whatever else pandoc formats: pandoc may start on the citations pages probably hold."""
    alone = _citeproc(tmp_path / "alone")
    alone.start({"[@sherman2009a]"})
    with_others = _citeproc(tmp_path / "with-others")
    with_others.start({"[@sherman2009a]", "[@sherman2009b]", "@sherman2009b [p. 3]", "[see @witt2006, p. 490; @sherman2009a]"})
    one, many = alone.result(), with_others.result()
    assert one.citations["[@sherman2009a]"] == many.citations["[@sherman2009a]"]
    assert "2009a" in one.citations["[@sherman2009a]"]
    assert one.entries == many.entries


def test_a_run_started_early_goes_on_if_it_formats_every_citation_else_one_run_formats_both(tmp_path):
    citeproc = _citeproc(tmp_path)
    assert citeproc.start({"[@witt2006]", "[@sherman2009a]"})
    early = citeproc.running
    assert not citeproc.start({"[@witt2006]"})  # covered: the early run goes on
    assert citeproc.running is early
    assert citeproc.start({"[@witt2006]", "[@sherman2009b]"})  # one it lacks: a run for both sets
    assert citeproc.running is not early and early[0].poll() is not None
    assert set(citeproc.result().citations) == {"[@witt2006]", "[@sherman2009a]", "[@sherman2009b]"}


def test_a_key_typed_in_another_unicode_form_is_the_same_key(tmp_path):
    # "müller2020a" with the ü as u + combining diaeresis (as some editors and exporters write it).
    bib = tmp_path / "refs.bib"
    bib.write_text(FIXTURE_BIB + "\n@article{müller2020a,\n  author = {Müller, Hans},\n  title = {Study},\n"
                   "  journal = {J},\n  year = {2020},\n}\n", encoding="utf-8")
    extension = CitationsExtension(bibliography=bib, style=STYLE, bib_by_default=False)
    html = markdown.Markdown(extensions=[extension]).convert("One [@" + unicodedata.normalize("NFD", "müller2020a") + "].")
    assert [c.get_text() for c in BeautifulSoup(html, "html.parser").select("span.citation")] == ["(Müller 2020)"]
    assert extension.problems == []
