"""Each kind of editing mistake stops the build with one clear line naming the file and line."""

import re
import subprocess
import sys
from dataclasses import dataclass

import markdown as python_markdown
import pytest
from bs4 import BeautifulSoup

from helpers import FIXTURE_BIB, STYLE, errors, mkdocs_environment
from mkdocs_factsheet.citations.bibliography import read_bibliography
from mkdocs_factsheet.citations.extension import CitationsExtension

PAGE = {"index.md": "# Home\n\nA claim [@witt2006]. Another [@sherman2009a; @sherman2009b].\n"}


def assert_fails_with(result, *expected):
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert errors(result)[: len(expected)] == [f"citations: {line}" for line in expected], result.stderr


@pytest.mark.parametrize("page", ["# Home\n\nA claim [@witt2006].\n", "# Home\n\nA claim [@witt2006] and [@nokey].\n"])
def test_a_forked_mkdocs_prints_and_exits_as_a_fresh_one(fixture_site, page):
    """The build tier's mkdocs runs are forked from a process with the libraries imported
    (tests/mkdocs_launcher.py): each must print, and exit, as `python -m mkdocs` started afresh."""
    site = fixture_site(pages={"index.md": page})
    forked = site.build()
    fresh = subprocess.run(forked.args, cwd=site.path, env=mkdocs_environment(), capture_output=True, text=True)
    timing = re.compile(r"built in [0-9.]+ seconds")
    assert (forked.returncode, forked.stdout, timing.sub("", forked.stderr)) == (fresh.returncode, fresh.stdout, timing.sub("", fresh.stderr))
    assert "Documentation built" in forked.stderr or "unknown citation key 'nokey'" in forked.stderr


def test_unknown_key_names_page_line_and_close_match(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nFine [@witt2006].\n\nTypo [@wit2006].\n"}, )
    assert_fails_with(built.build(), "docs/index.md:5: unknown citation key 'wit2006' (did you mean 'witt2006'?)")


def test_unknown_key_after_front_matter_counts_its_lines(fixture_site):
    built = fixture_site({"index.md": "---\ntitle: Home\n---\n# Home\n\nTypo [@nobody1999].\n"})
    assert_fails_with(built.build(), "docs/index.md:6: unknown citation key 'nobody1999'")


def test_unreadable_citation_is_reported_not_dropped(core):
    rendered = render(core, "# Home\n\nTwo keys [@witt2006 @sherman2009a].\n")
    assert rendered.problems == [(3, "cannot read citation [@witt2006 @sherman2009a]: write [@key], or [@key1; @key2] for several")]
    assert rendered.marked == ["[@witt2006 @sherman2009a]"]


def test_missing_comma_names_the_line_at_fault(fixture_site):
    bib = FIXTURE_BIB.replace("  title   = {A trial in {Germany}},", "  title   = {A trial in {Germany}}")
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:3: syntax error in entry 'witt2006': missing ',' at the end of this line")






def test_missing_bibliography_file(fixture_site):
    built = fixture_site(PAGE, bib=None)
    assert_fails_with(built.build(), "refs.bib: bibliography file not found (mkdocs.yml, plugins: citations: bib_file)")
    # The core alone says so too, and marks the citation, rather than raising.
    core = render(CitationsExtension(bibliography=built.path / "refs.bib", style=STYLE), PAGE["index.md"])
    assert core.problems == [(None, "refs.bib: bibliography file not found")] and core.marked == ["[@witt2006]", "[@sherman2009a; @sherman2009b]"]


def test_missing_style_file(fixture_site):
    built = fixture_site(PAGE, style=False)
    assert_fails_with(built.build(), "style.csl: citation style file not found (mkdocs.yml, plugins: citations: csl_file)")
    core = render(CitationsExtension(bibliography=built.path / "refs.bib", style=built.path / "style.csl"), PAGE["index.md"])
    assert core.problems == [(None, "style.csl: citation style file not found")] and core.marked == ["[@witt2006]", "[@sherman2009a; @sherman2009b]"]


def test_file_that_is_not_a_csl_style(fixture_site):
    built = fixture_site(PAGE)
    (built.path / "style.csl").write_text("<html>not a style</html>\n")
    message = 'style.csl:1: not a CSL style (no <style xmlns="http://purl.org/net/xbiblio/csl"> element)'
    assert_fails_with(built.build(), message)
    # The core alone says the same, not pandoc's message without a line.
    core = CitationsExtension(bibliography=built.path / "refs.bib", style=built.path / "style.csl")
    assert render(core, PAGE["index.md"]).problems == [(1, message)]


def test_every_problem_is_listed_not_just_the_first(core):
    rendered = render(core, "# Home\n\n[@wit2006]\n\n[@sherman2009]\n")
    assert [(line, message.split(" (")[0]) for line, message in rendered.problems] == [
        (3, "unknown citation key 'wit2006'"), (5, "unknown citation key 'sherman2009'")]


def test_unknown_key_under_nocite(fixture_site):
    page = "---\nnocite: [witt2006, sherman2009a, sherman2009b, nobody1999]\n---\n# Bibliography\n\n\\full_bibliography\n"
    built = fixture_site({"index.md": "# Home\n", "bibliography.md": page})
    assert_fails_with(built.build(), "docs/bibliography.md: nocite lists unknown key 'nobody1999'")


# --- What an editor may type on a page: read as Python-Markdown renders it ----------------------
# In process, through the citation core (the extension gives the HTML the site gives:
# tests/test_citation_core.py); the builds above show that its problems stop the build, located.

MKDOCS_EXTENSIONS = ["toc", "tables", "fenced_code"]  # what MkDocs adds to every page's Markdown


def core_with(folder, bib: str) -> CitationsExtension:
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    return CitationsExtension(bibliography=folder / "refs.bib", style=STYLE)


@pytest.fixture(scope="module")
def core(tmp_path_factory) -> CitationsExtension:
    """The citation core with the fixture bibliography and the site's style."""
    return core_with(tmp_path_factory.mktemp("core"), FIXTURE_BIB)


@dataclass
class Rendered:
    html: BeautifulSoup
    problems: list[tuple[int | None, str]]  # (line, message), as the build prints them after `docs/index.md:`

    @property
    def marked(self) -> list[str]:
        """Citations shown as typed, marked as a problem."""
        return [mark.get_text() for mark in self.html.select("mark.citation-problem")]


def render(extension: CitationsExtension, page: str) -> Rendered:
    html = python_markdown.Markdown(extensions=[extension, *MKDOCS_EXTENSIONS]).convert(page)
    return Rendered(BeautifulSoup(html, "html.parser"), [(problem.line, str(problem)) for problem in extension.problems])


def assert_builds(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def cited_texts(built) -> list[str]:
    return [c.get_text().replace("\xa0", " ") for c in built.html().select("span.citation")]


def cited(rendered: Rendered) -> list[str]:
    return [c.get_text().replace("\xa0", " ") for c in rendered.html.select("span.citation")]


def raw_citations_outside_code(rendered: Rendered) -> list[str]:
    """Any `@key` of the fixture bibliography left as text outside code: a citation published raw."""
    body = BeautifulSoup(str(rendered.html), "html.parser")
    for code in body.select("code, pre"):
        code.decompose()
    return [key for key in ("@witt2006", "@sherman2009a", "@sherman2009b") if key in body.get_text()]


@pytest.mark.parametrize(
    "markdown, expected",
    [
        # A stray backtick is text to Markdown, so what follows it is still cited.
        ("A `stray backtick.\n\nLater [@witt2006].\n", ["(Witt 2006)"]),
        # An unclosed fence: Python-Markdown reads the backticks as text, so the citation counts.
        ("```\nNot closed [@witt2006]\n", ["(Witt 2006)"]),
        # A citation before a colon, as on the Physiological studies page.
        ("It proposes this chain of events [@witt2006]:\n\n1. one\n", ["(Witt 2006)"]),
        # A citation split over two lines of a blockquote.
        ("> A claim [@witt2006;\n> @sherman2009a].\n", ["(Witt 2006; Sherman 2009a)"]),
        # An escaped bracket: the bracket is text, the key a narrative citation, as in pandoc.
        ("Quoted \\[@witt2006].\n", ["Witt (2006)"]),
        # A narrative citation with a locator.
        ("@witt2006 [p. 3] found it.\n", ["Witt (2006, p. 3)"]),
        # Keys with pandoc's punctuation, in braces, and suppress-author.
        ("As found [-@witt2006]; see @{sherman2009a}.\n", ["(2006)", "Sherman (2009a)"]),
    ],
)
def test_citations_are_read_as_markdown_renders_them(core, markdown, expected):
    rendered = render(core, "# Home\n\n" + markdown)
    assert rendered.problems == []
    assert cited(rendered) == expected
    assert raw_citations_outside_code(rendered) == []


@pytest.mark.parametrize(
    "markdown, literal",
    [
        ("Indented code:\n\n    [@witt2006] as typed\n", "[@witt2006] as typed"),
        ("Raw HTML <code>[@witt2006]</code> and <kbd>@witt2006</kbd>.\n", "[@witt2006]"),
        ("Escaped \\@witt2006 is no citation.\n", "Escaped @witt2006 is no citation."),
        ("Mail editor@example.org or <editor@example.org>, see <https://example.org/@witt2006>.\n", "editor@example.org"),
        # Link syntax wins: the link text stays as written (README, "How citations work").
        ("See [@witt2006](https://example.org/) and [the @witt2006 page](https://example.org/).\n", "@witt2006"),
    ],
)
def test_code_escapes_and_links_stay_as_typed(core, markdown, literal):
    rendered = render(core, "# Home\n\n" + markdown + "\nOne real citation [@witt2006].\n")
    assert rendered.problems == []
    assert cited(rendered) == ["(Witt 2006)"]
    assert literal in rendered.html.get_text()


def test_link_reference_definition_is_markdowns(core):
    rendered = render(core, "# Home\n\nSee [@witt2006] and [the trial][@witt2006].\n\n[@witt2006]: https://example.org/witt\n")
    assert rendered.problems == []
    assert cited(rendered) == []
    assert [a["href"] for a in rendered.html.select("p a[href*=example]")] == ["https://example.org/witt"] * 2


def test_two_bracketed_citations_side_by_side(core):
    rendered = render(core, "# Home\n\nA claim [@witt2006][@sherman2009a].\n")
    assert rendered.problems[:1] == [(3, "citation [@witt2006] is followed by [@sherman2009a], which Markdown "
                                         "reads as a link label; write [@witt2006; @sherman2009a] for several")]


def test_citation_in_image_alt_text(core):
    rendered = render(core, "# Home\n\nText [@witt2006].\n\n![Chart from [@sherman2009a]](https://example.org/chart.png)\n")
    assert rendered.problems == [(5, "citation @sherman2009a in an image's alt text: "
                                     "describe the image in words there, and cite beside it")]


def test_key_with_an_apostrophe(tmp_path):
    core = core_with(tmp_path, FIXTURE_BIB + "\n@misc{o'brien2019,\n  title = {A report},\n  year = {2019},\n}\n")
    rendered = render(core, "# Home\n\nA claim [@o'brien2019].\n")
    assert rendered.problems[:1] == [(3, "unknown citation key 'o' (a key ends before \"'\": write @{o'brien2019})")]
    rendered = render(core, "# Home\n\nA claim [@{o'brien2019}].\n")
    assert rendered.problems == []
    assert cited(rendered) == ["(A report 2019)"]


def test_key_differing_only_in_case(core):
    rendered = render(core, "# Home\n\nA claim [@Witt2006].\n")
    assert rendered.problems[:1] == [(3, "unknown citation key 'Witt2006' (did you mean 'witt2006'? keys are case-sensitive)")]



def test_non_utf8_page(fixture_site):
    built = fixture_site(PAGE)
    (built.path / "docs" / "index.md").write_bytes("# Home\n\nCaf\u00e9 [@witt2006].\n".encode("latin-1"))
    assert_fails_with(built.build(), "docs/index.md:3: byte 0xe9 is not UTF-8; save the file as UTF-8")


# --- The bibliography: anything pybtex reads builds; the rest is one located line -------------


def test_percent_sign_in_a_field(tmp_path):
    bib = FIXTURE_BIB.replace("{A trial in {Germany}}", "{A trial in {Germany}: 50% better}")
    _, problems = read_bibliography(bib.encode("utf-8"), "refs.bib")
    assert [str(problem) for problem in problems] == ["refs.bib:3: entry 'witt2006': a bare % starts a comment (pandoc drops "
                                                      "the rest of the line); write \\% for a per cent sign"]
    rendered = render(core_with(tmp_path, bib.replace("50%", "50\\%")), "# Bibliography\n\n\\full_bibliography\n")
    assert rendered.problems == []
    assert "A trial in Germany: 50% better" in rendered.html.get_text()


@pytest.mark.parametrize(
    "bib",
    [
        pytest.param(FIXTURE_BIB.replace("}\n\n@article{sherman2009a,", "} @article{sherman2009a,"), id="two entries on one line"),
        pytest.param(FIXTURE_BIB.replace("@article{sherman2009b,", "@comment{ @article{sherman2009b,") + "}\n", id="comment wrapper"),
        pytest.param(FIXTURE_BIB.replace("@article{sherman2009a,", "@article(sherman2009a,").replace("  pages   = {224--230},\n}", "  pages   = {224--230},\n)"),
                     id="parentheses"),
        pytest.param("\ufeff" + FIXTURE_BIB, id="byte order mark"),
        pytest.param('@string{aje = "American Journal of Epidemiology"}\n' + FIXTURE_BIB.replace("{American Journal of Epidemiology}", "aje"),
                     id="string macro"),
    ],
)
def test_valid_bibtex_builds(fixture_site, bib):
    built = fixture_site(PAGE, bib=bib)
    assert_builds(built.build())
    assert cited_texts(built) == ["(Witt 2006)", "(Sherman 2009a; Sherman 2009b)"]
    exported = (built.path / "site" / "cite" / "references.bib").read_text(encoding="utf-8")
    assert "journal = {American Journal of Epidemiology}" in exported  # macros expanded
    assert exported.count("@article{") == 3


def test_latex_becomes_unicode_outside_html(fixture_site):
    bib = FIXTURE_BIB.replace("Witt, Claudia M.", 'M{\\"u}ller, J{\\"o}rg').replace("A trial in {Germany}", "A trial in {G}{\\\"o}ttingen \\& Berlin")
    page = "---\nlast_reviewed: 2026-01-01\nnext_review: 2027-01-01\n---\n# Home\n\nA claim [@witt2006].\n"
    dates = "last_reviewed: 2026-01-01\nnext_review: 2027-01-01\n"
    bibliography = "---\n" + dates + "nocite: [witt2006, sherman2009a, sherman2009b]\n---\n# Bibliography\n\n\\full_bibliography\n"
    built = fixture_site({"index.md": page, "bibliography.md": bibliography}, bib=bib, plugins=("page-metadata",),
                         extra_config="site_description: Fixture\nextra:\n  publisher: Fixture team\n")
    assert_builds(built.build())
    ris = (built.path / "site" / "cite" / "references.ris").read_text(encoding="utf-8")
    assert "AU  - Müller, Jörg" in ris and "T1  - A trial in Göttingen & Berlin" in ris
    head = str(built.html().select_one("head"))
    assert "Müller, Jörg" in head and "Göttingen &amp; Berlin" in head and "\\" not in head.replace("\\u0026", "&")  # JSON-LD escapes &
    assert cited_texts(built) == ["(Müller 2006)"]




def test_empty_bibliography_with_nothing_cited(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nNo citations yet.\n", "bibliography.md": "# Bibliography\n\n\\full_bibliography\n"}, bib="")
    assert_builds(built.build())
    assert not built.html().select("h2#references")


@pytest.mark.parametrize("option, message", [
    ("bib_file", "mkdocs.yml: plugins: citations: bib_file is not set; name the bibliography, e.g. bib_file: references.bib"),
    ("csl_file", "mkdocs.yml: plugins: citations: csl_file is not set; name the citation style, e.g. csl_file: overrides/citation-style.csl"),
])
def test_option_missing_from_mkdocs_yml(fixture_site, option, message):
    built = fixture_site(PAGE)
    config = built.path / "mkdocs.yml"
    config.write_text("".join(line for line in config.read_text().splitlines(True) if option not in line))
    assert_fails_with(built.build(), message)


def test_truncated_style(fixture_site):
    built = fixture_site(PAGE)
    style = built.path / "style.csl"
    text = style.read_text(encoding="utf-8")
    style.write_text(text[: len(text) // 2], encoding="utf-8")
    line = text[: len(text) // 2].count("\n") + 1
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (message,) = errors(result)[:-1] or errors(result)
    found = re.fullmatch(r"citations: style.csl:(\d+): not a complete CSL style: unclosed token at column \d+", message)
    assert found and int(found.group(1)) <= line, result.stderr


@pytest.mark.parametrize("option, value, why", [
    ("bib_dir", ".", "the build reads one bibliography: name it as bib_file"),
    ("footnote_format", '"{number}"', "citations are formatted by the citation style, csl_file, never as footnotes"),
    ("enable_inline_citations", "false", "the Markdown parser always finds citations, wherever they render as text"),
    ("csl_file_encoding", "latin-1", "the style is XML, read in the encoding its XML declaration names"),
])
def test_mkdocs_bibtex_option_the_plugin_does_not_honour(fixture_site, option, value, why):
    built = fixture_site(PAGE)
    config = built.path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("      csl_file: style.csl\n", f"      csl_file: style.csl\n      {option}: {value}\n")
    config.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"      {option}: {value}") + 1
    assert_fails_with(built.build(), f"mkdocs.yml:{line}: plugins: citations: {option} is an mkdocs-bibtex option "
                                     f"this plugin does not honour ({why}); remove it")
