"""Each kind of editing mistake stops the build with one clear line naming the file and line."""

import pytest

from conftest import FIXTURE_BIB, errors

PAGE = {"index.md": "# Home\n\nA claim [@witt2006]. Another [@sherman2009a; @sherman2009b].\n"}


def assert_fails_with(result, *expected):
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert errors(result)[: len(expected)] == [f"citations: {line}" for line in expected], result.stderr


def test_unknown_key_names_page_line_and_close_match(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nFine [@witt2006].\n\nTypo [@wit2006].\n"}, )
    assert_fails_with(built.build(), "docs/index.md:5: unknown citation key 'wit2006' (did you mean 'witt2006'?)")


def test_unknown_key_after_front_matter_counts_its_lines(fixture_site):
    built = fixture_site({"index.md": "---\ntitle: Home\n---\n# Home\n\nTypo [@nobody1999].\n"})
    assert_fails_with(built.build(), "docs/index.md:6: unknown citation key 'nobody1999'")


def test_unreadable_citation_is_reported_not_dropped(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nTwo keys [@witt2006 @sherman2009a].\n"})
    assert_fails_with(
        built.build(),
        "docs/index.md:3: cannot read citation [@witt2006 @sherman2009a]: write [@key], or [@key1; @key2] for several",
    )


def test_missing_comma_names_the_line_at_fault(fixture_site):
    bib = FIXTURE_BIB.replace("  title   = {A trial in {Germany}},", "  title   = {A trial in {Germany}}")
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:3: syntax error in entry 'witt2006': missing ',' at the end of this line")


def test_unclosed_entry_names_its_first_line(fixture_site):
    bib = FIXTURE_BIB.replace("  pmid    = {111},\n}", "  pmid    = {111},\n")
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:1: entry 'witt2006' is not closed before the next entry at line 13")


def test_duplicate_key(fixture_site):
    bib = FIXTURE_BIB + "\n@article{witt2006,\n  author = {Witt, C.}, title = {Again}, journal = {J}, year = {2006},\n}\n"
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:29: duplicate key 'witt2006' (first defined at line 1)")


def test_duplicate_doi(fixture_site):
    bib = FIXTURE_BIB.replace("  pages   = {114},", "  pages   = {114},\n  doi     = {10.1000/FIXTURE.witt},")
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:21: entry 'sherman2009b' repeats DOI 10.1000/fixture.witt (also at line 1)")


def test_missing_required_field(fixture_site):
    bib = FIXTURE_BIB.replace("  journal = {Journal of Clinical Outcomes Management},\n", "")
    built = fixture_site(PAGE, bib=bib)
    assert_fails_with(built.build(), "refs.bib:13: entry 'sherman2009a' (article) is missing required field(s): journal")


def test_missing_bibliography_file(fixture_site):
    built = fixture_site(PAGE, bib=None)
    assert_fails_with(built.build(), "refs.bib: bibliography file not found (mkdocs.yml, plugins: bibtex: bib_file)")


def test_missing_style_file(fixture_site):
    built = fixture_site(PAGE, style=False)
    assert_fails_with(built.build(), "style.csl: citation style file not found (mkdocs.yml, plugins: bibtex: csl_file)")


def test_file_that_is_not_a_csl_style(fixture_site):
    built = fixture_site(PAGE)
    (built.path / "style.csl").write_text("<html>not a style</html>\n")
    assert_fails_with(built.build(), 'style.csl:1: not a CSL style (no <style xmlns="http://purl.org/net/xbiblio/csl"> element)')


@pytest.mark.parametrize("mistakes", [2])
def test_every_problem_is_listed_not_just_the_first(fixture_site, mistakes):
    built = fixture_site({"index.md": "# Home\n\n[@wit2006]\n\n[@sherman2009]\n"})
    result = built.build()
    assert result.returncode == 1
    assert len([e for e in errors(result) if "unknown citation key" in e]) == mistakes


def test_unknown_key_under_nocite(fixture_site):
    page = "---\nnocite: [witt2006, sherman2009a, sherman2009b, nobody1999]\n---\n# Bibliography\n\n\\full_bibliography\n"
    built = fixture_site({"index.md": "# Home\n", "bibliography.md": page})
    assert_fails_with(built.build(), "docs/bibliography.md: nocite lists unknown key 'nobody1999'")
