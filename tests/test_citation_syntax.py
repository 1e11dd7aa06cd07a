"""Citations read as pandoc reads them: the site and `pandoc --citeproc` give the same text.

Each case is written once for the site and, where the block around it differs (an admonition),
once in pandoc's own Markdown; both are rendered with the same bibliography and style, and the
text of the block holding the case must match word for word.
"""

import re
import subprocess
from pathlib import Path

import pypandoc
import pytest
from bs4 import BeautifulSoup

from helpers import FIXTURE_BIB, STYLE, make_fixture_site

BIB = FIXTURE_BIB + """
@article{van-der:berg.2001/x,
  author  = {van der Berg, Anna},
  title   = {Keys with punctuation},
  journal = {Journal of Keys},
  year    = {2001},
}
"""

# (site Markdown, pandoc Markdown or None for the same). "CaseN" marks the block compared.
CASES = [
    ("Case1 one work [@witt2006].", None),
    ("Case2 two works [@witt2006; @sherman2009a].", None),
    ("Case3 with a prefix and locators [see @witt2006, p. 490; also @sherman2009a, chap. 3].", None),
    ("Case4 page ranges [@witt2006, pp. 33-35].", None),
    ("Case5 suppress the author: Witt [-@witt2006] found it.", None),
    ("Case6 @witt2006 found it in the sentence.", None),
    ("Case7 @witt2006 [p. 3] found it, with a locator.", None),
    ("Case8 adjacent groups [@witt2006] [@sherman2009b], and [@sherman2009a], [@witt2006].", None),
    ("Case9 a key with punctuation [@van-der:berg.2001/x] and @van-der:berg.2001/x too.", None),
    ("Case10 punctuation after @witt2006. And @sherman2009a, then @sherman2009b; end.", None),
    ("Case11 a citation broken over lines [see @witt2006,\np. 490;\n@sherman2009b].", None),
    ("Case12 emphasis in a prefix [*see* @witt2006] and a suffix [@witt2006, *passim*].", None),
    ("Case13 braces @{sherman2009a} and [@{sherman2009b}, p. 2].", None),
    ("Case14 before a colon [@witt2006]: the chain of events.", None),
    ("Case15 an escaped bracket \\[@witt2006] and at sign \\@witt2006.", None),
    ("- Case16 in a list [@witt2006]\n- and @sherman2009a in the next item", None),
    ("1. Case17 in a numbered list [@sherman2009b; @witt2006]", None),
    ("| Study | Case18 |\n| --- | --- |\n| GERAC [@witt2006] | @sherman2009a |", None),
    ("## Case19 a heading citing @witt2006", None),
    ("> Case20 in a blockquote [@witt2006;\n> @sherman2009a].", None),
    ('!!! note "Note"\n    Case21 in an admonition [@sherman2009b].', "::: note\nCase21 in an admonition [@sherman2009b].\n:::"),
    ("Case22 an e-mail editor@example.org is not a citation, [@witt2006] is.", None),
]


def block_text(soup: BeautifulSoup, marker: str) -> str:
    """The text of the paragraph, item, cell or heading that holds `marker`."""
    found = soup.find(string=re.compile(rf"\b{marker}\b"))
    assert found is not None, marker
    block = found.find_parent(["p", "li", "td", "th", "h1", "h2", "h3", "h4"])
    if block.name in ("td", "th"):
        block = block.find_parent("tr")
        return " | ".join(" ".join(cell.get_text(" ").split()) for cell in block.find_all(["td", "th"])).replace("\xa0", " ")
    return " ".join(block.get_text(" ").replace("¶", "").replace("\xa0", " ").split())


def pandoc_html(markdown: str, folder: Path) -> BeautifulSoup:
    pandoc = Path(pypandoc.__file__).parent / "files" / "pandoc"
    (folder / "pandoc.md").write_text(markdown, encoding="utf-8")
    result = subprocess.run(
        [pandoc, "--from=markdown", "--to=html", "--citeproc", "--wrap=none", f"--bibliography={folder / 'refs.bib'}",
         f"--csl={STYLE}", "--metadata=lang:en-GB", str(folder / "pandoc.md")],
        capture_output=True, text=True, check=True,
    )
    return BeautifulSoup(result.stdout, "html.parser")


def tidy(text: str) -> str:
    """Space before punctuation is how get_text joins elements, not a difference in the text."""
    return re.sub(r"\s+([,.;:)\]])", r"\1", re.sub(r"([(\[])\s+", r"\1", text))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every case on one page of a small site, built once for both tests."""
    site_md = "# Home\n\n" + "\n\n".join(case for case, _ in CASES) + "\n"
    built = make_fixture_site(tmp_path_factory.mktemp("syntax"), {"index.md": site_md}, bib=BIB,
                              extra_config="markdown_extensions:\n  - admonition\n  - tables\n")
    result = built.build()
    assert result.returncode == 0, result.stderr
    return built


@pytest.mark.build
def test_site_and_pandoc_render_the_same_citations(built):
    site = built.html().select_one("body")
    pandoc = pandoc_html("\n\n".join(p or case for case, p in CASES) + "\n", built.path)
    for number in range(1, len(CASES) + 1):
        marker = f"Case{number}"
        assert tidy(block_text(site, marker)) == tidy(block_text(pandoc, marker)), marker


@pytest.mark.build
def test_every_case_is_cited_not_left_raw(built):
    """The comparison above would pass if both left a citation raw: make sure neither did."""
    body = built.html().select_one("article, body")
    for code in body.select("code, pre, .md-nav, nav, head"):
        code.decompose()
    text = body.get_text(" ")
    assert re.findall(r"(?<![\w\\])@\{?[a-z]", text.replace("editor@example.org", "")) == ["@w"], "only the escaped \\@witt2006"
    assert len(built.html().select("span.citation")) == 32
