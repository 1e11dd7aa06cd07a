"""pandoc's errors and warnings, at the place an editor fixes: the entry's line in the bib file,
the citation's line on the page, the style's line; the same Problem in the terminal, under
--strict and in the preview box (which reads it from the log record, problems.py)."""

from __future__ import annotations

import re

import markdown
import pytest

from helpers import FIXTURE_BIB, STYLE, errors
from mkdocs_factsheet.citations.bibliography import read_bibliography
from mkdocs_factsheet.citations.extension import CitationsExtension
from mkdocs_factsheet.citations.pandoc_messages import Places, located, read_messages
from mkdocs_factsheet.problems import Problem


MATH_CITATION = "# Home\n\nOne [@witt2006].\n\nTwo [@sherman2009a, p. $\\frac{x$].\n"
MATH_PROBLEM = ("citation [@sherman2009a, p. $\\frac{x$]: pandoc cannot read the TeX math $\\frac{x$ (unexpected eof) "
                "and shows it as typed: correct it, or write it as plain text")


def convert(tmp_path, text: str, style: bytes | None = None) -> CitationsExtension:
    (tmp_path / "refs.bib").write_text(FIXTURE_BIB, encoding="utf-8")
    (tmp_path / "style.csl").write_bytes(style or STYLE.read_bytes())
    extension = CitationsExtension(bibliography=tmp_path / "refs.bib", style=tmp_path / "style.csl")
    markdown.Markdown(extensions=[extension]).convert(text)
    return extension


def test_tex_math_pandoc_cannot_read_in_a_locator_is_at_the_citations_line(tmp_path):
    assert convert(tmp_path, MATH_CITATION).problems == [Problem(MATH_PROBLEM, None, 5, severity="warning")]


def test_a_macro_the_style_does_not_define_is_at_the_styles_line(tmp_path):
    style = STYLE.read_bytes().replace(b"<layout", b'<layout><text macro="nope"/>', 1)
    line = style[: style.index(b'macro="nope"')].count(b"\n") + 1
    assert [str(p) for p in convert(tmp_path, "# Home\n\nOne [@witt2006].\n", style).problems] == [
        f'style.csl:{line}: the style uses the macro \'nope\', which it does not define (no <macro name="nope">)']


def test_a_style_pandoc_cannot_use_stops_at_the_styles_first_line(tmp_path):
    style = re.sub(rb"<citation.*?</citation>", b"", STYLE.read_bytes(), flags=re.DOTALL)
    line = style[: style.index(b"<style")].count(b"\n") + 1
    assert [str(p) for p in convert(tmp_path, "# Home\n\nOne [@witt2006].\n", style).problems] == [
        f"style.csl:{line}: pandoc cannot use this citation style: No citation element present"]


def test_a_key_pandoc_cannot_find_is_at_every_citation_of_it():
    """Our checks stop an unknown key before pandoc runs; were pandoc to miss one, it says where."""
    bibliography = read_bibliography(FIXTURE_BIB.encode(), "refs.bib")[0]
    from mkdocs_factsheet.citations.syntax import Citation
    cited = [("docs/a.md", Citation("[@zz]", ["zz"], line=3)), ("docs/b.md", Citation("[@witt2006; @zz]", ["witt2006", "zz"], line=9)),
             ("docs/b.md", Citation("[@witt2006]", ["witt2006"], line=11))]
    (message,) = read_messages("[WARNING] Citeproc: citation zz not found\n", failed=False)
    assert [str(p) for p in located(message, Places(bibliography, "refs.bib", citations=cited))] == [
        "docs/a.md:3: pandoc cannot find the cited key 'zz' in the bibliography",
        "docs/b.md:9: pandoc cannot find the cited key 'zz' in the bibliography"]


def test_pandocs_messages_are_read_one_per_warning_and_the_error_last():
    stderr = ("[WARNING] Could not convert TeX math \\frac{x, rendering as TeX:\n  \\frac{x\n         ^\n  unexpected eof\n"
              "  expecting \"{\"\n[WARNING] Citeproc: undefined macro nope\n"
              "Error reading bibliography file references.bib:\n(line 7, column 1):\nunexpected '@'\n")
    messages = read_messages(stderr, failed=True)
    assert [(m.severity, m.formula, m.detail, m.macro, m.bib_line) for m in messages] == [
        ("warning", "\\frac{x", "unexpected eof", "", None), ("warning", "", "", "nope", None), ("error", "", "unexpected '@'", "", 7)]


def test_tex_math_pandoc_cannot_read_fails_the_strict_build_at_the_pages_line_every_time(fixture_site):
    built = fixture_site({"index.md": MATH_CITATION})
    for _ in range(2):  # the second build reads pandoc's output from the cache: the warning stays
        result = built.build()
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert errors(result)[:1] == [f"citations: docs/index.md:5: {MATH_PROBLEM}"], result.stderr
