"""The citation core on its own: a Python-Markdown extension that needs no MkDocs.

    md = markdown.Markdown(extensions=[CitationsExtension(bibliography="references.bib", style="style.csl")])
    html = md.convert("Acupuncture helped [@witt2006].")
    ext.problems  # what it met, as Problems (file, line, message)

turns each `[@key]` citation into its formatted text, linked to the document's reference list,
which it adds at the end (as `bib_by_default` in mkdocs.yml) or where `\\bibliography` stands, and
`\\full_bibliography` lists every entry: the same HTML the site has. The syntax is syntax.py's, the
filling in resolver.py's, the lists references.py's: the MkDocs plugin uses the same parts, but
formats the whole site's citations in one pandoc run instead of one run per document. Any engine
that loads Python-Markdown extensions can host it.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from html import unescape
from pathlib import Path

from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from ..problems import Problem
from . import markup
from .bibliography import Bibliography, read_bibliography
from .checks import check_document, check_style
from .cache import Cache
from .citeproc import Citeproc, CiteprocError
from .default_list import DefaultReferenceList
from .pandoc_messages import Places, located
from .reading_order import citations_by_section, place_citations, title_with_citations_as_text
from .references import ReferenceLists, citation_affixes
from .resolver import fix_citations, fix_reference_lists
from .syntax import FoundOnPage
from .syntax import CitationsExtension as CitationSyntax


class CitationsExtension(CitationSyntax):
    """Citations for one document at a time, formatted by pandoc's citeproc as the site formats them."""

    def __init__(self, bibliography: str | Path, style: str | Path, bib_command: str = "\\bibliography",
                 full_bib_command: str = "\\full_bibliography", bib_by_default: bool = True,
                 title: str = "", downloads: str = "cite"):
        super().__init__(lambda: self.document, bib_command, full_bib_command)
        self.document = FoundOnPage()
        self.source = ""  # the document's Markdown, to find each citation's line
        self.tree_final = False  # once every treeprocessor has run: the postprocessors' next text is the document
        self.md = None  # the Markdown it extends: its table of contents (toc) is read and completed
        self.bib_by_default, self.title, self.downloads = bib_by_default, title, downloads
        self.bib_name, self.style_name = Path(bibliography).name, Path(style).name
        self.style, style_problems = _read_file(Path(style), "citation style")
        bib_data, bib_problems = _read_file(Path(bibliography), "bibliography")
        self.bibliography = Bibliography({})
        if not bib_problems:
            self.bibliography, bib_problems = read_bibliography(bib_data, self.bib_name)
        # In the plugin's order: the style, then the bibliography.
        self.read_problems = (style_problems or check_style(self.style, self.style_name)) + bib_problems
        self.cache = tempfile.TemporaryDirectory(prefix="citations-")  # this extension's formatted citations
        self.problems: list[Problem] = list(self.read_problems)

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        md.registerExtension(self)
        self.md = md
        if self.bib_by_default:
            DefaultReferenceList(lambda: self.document).extendMarkdown(md)
        # Before Python-Markdown's own (normalize_whitespace 30, raw HTML blocks stashed at 20, meta
        # 27) and pymdown's snippets (32): the Markdown as typed, as the plugin has each page's.
        md.preprocessors.register(_KeepSource(md, self), "citations_source", 35)
        md.treeprocessors.register(_TreeFinal(md, self), "citations_tree_final", -100)
        md.postprocessors.register(_FormatCitations(md, self), "citations_format", 5)

    def reset(self):
        self.document, self.source, self.tree_final = FoundOnPage(), "", False
        self.problems = list(self.read_problems)

    def format(self, html: str) -> str:
        """The document's HTML with its citations and reference lists filled in."""
        found, lists = self.document, ReferenceLists(self.bibliography, citation_affixes(self.style))
        title = self.title or unescape(markup.plain(_first_h1(html))) or "this document"  # text: backlinks escape it
        entries = self.bibliography.entries
        place_citations(found, html, _headings(html, self.contents()), self.source, 1, entries)
        in_order = found.in_order
        unavailable = str(self.read_problems[0]) if self.read_problems else ""
        problems, notes = check_document(found, entries, unavailable, None)
        self.problems += notes + problems  # in the order the plugin logs them
        if not unavailable:
            places = Places(self.bibliography, self.bib_name, self.style, self.style_name, [(None, c) for c in in_order])
            try:
                citeproc = self._formatted(in_order)
                lists.use(citeproc.result())
                self.problems += [p for warning in citeproc.warnings for p in located(warning, places)]
            except CiteprocError as error:
                problems = [p for message in error.messages for p in located(message, places)] or [Problem(str(error))]
                unavailable = str(problems[0])
                self.problems += problems

        def citation_html(index: int, source: str) -> str:
            citation = found.citations[index]
            if citation.problem or unavailable:
                return markup.problem_marker(source, citation.problem or unavailable)
            return lists.citation(source, citation.number, citation.keys)

        def list_html(kind: str) -> str:
            keys = lists.in_order(entries if kind == "full" else lists.cited_with_replacements(found))
            backlinks: dict[str, list] = {}
            under = citations_by_section(in_order)
            for citation in in_order:
                # A citation in the heading reads as its formatted text, as in the site's backlinks.
                where = lists.readable(citation.section, under[citation.section]) or title
                for key in dict.fromkeys(citation.keys if not citation.problem else []):
                    backlinks.setdefault(key, []).append((f"#cite-{citation.number}", where))
            return lists.reference_list(keys, self.downloads, backlinks, bibliography=kind == "full")

        html, _ = fix_reference_lists(html, list_html)
        html, _ = fix_citations(html, citation_html)
        self._cite_as_text_in_contents({citation.index: citation_html(citation.index, citation.source) for citation in in_order})
        return html

    def contents(self) -> list[dict] | None:
        """The document's headings as toc's tokens, flat ({'id', 'name', ...}): what MkDocs makes
        a page's table of contents of; None without toc."""
        tokens = getattr(self.md, "toc_tokens", None)
        if tokens is None:
            return None
        flat, stack = [], list(reversed(tokens))
        while stack:
            token = stack.pop()
            flat.append(token)
            stack += reversed(token["children"])
        return flat

    def _cite_as_text_in_contents(self, text_of: dict[int, str]) -> None:
        """A citation in a heading shows as plain text in toc's table of contents, as on the site."""
        under = citations_by_section(self.document.in_order)
        for token in self.contents() or []:
            title = title_with_citations_as_text(token["name"], under, text_of)
            if title != token["name"]:
                self.md.toc = self.md.toc.replace(f'href="#{token["id"]}">{token["name"]}</a>', f'href="#{token["id"]}">{title}</a>')
                token["name"] = title
                token["html"], _ = fix_citations(token["html"], lambda index, source: markup.plain(text_of.get(index, source)))

    def _formatted(self, in_order) -> Citeproc:
        """pandoc started on the document's citations."""
        sources = {c.source for c in in_order if not c.problem}
        entries = self.bibliography.entries
        sources |= {f"[@{e.fields['replacement']}]" for e in entries.values() if e.fields.get("replacement")}
        citeproc = Citeproc(self.bibliography.bibtex, self.style, Cache(Path(self.cache.name)))
        citeproc.start(sources)
        return citeproc


class _KeepSource(Preprocessor):
    """Notes the Markdown, to find each citation's line; in one Unicode form, NFC, as the plugin
    reads each page, so that a key typed decomposed is the bibliography's key (bibliography.py)."""

    def __init__(self, md, extension: CitationsExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines):
        lines = [unicodedata.normalize("NFC", line) for line in lines]
        self.extension.source = "\n".join(lines)
        return lines


class _TreeFinal(Treeprocessor):
    """Notes that every treeprocessor has run. Before then, toc runs the postprocessors on each
    heading and on its table of contents: those runs leave the citations as typed, as under
    MkDocs (so a heading's id is the site's), and report nothing, so each problem is reported once."""

    def __init__(self, md, extension: CitationsExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        self.extension.tree_final = True


class _FormatCitations(Postprocessor):
    def __init__(self, md, extension: CitationsExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, text):
        return self.extension.format(text) if self.extension.tree_final else text


def _read_file(path: Path, what: str) -> tuple[bytes, list[Problem]]:
    """The file's bytes; or none and the Problem, as the plugin reports it, so that the document
    still converts, each citation marked with why it cannot be resolved."""
    try:
        return path.read_bytes(), []
    except FileNotFoundError:
        return b"", [Problem(f"{what} file not found", path.name)]
    except OSError as error:
        return b"", [Problem(f"{what} file cannot be read ({error.strerror})", path.name)]


_HEADING = re.compile(r'<h([1-6])[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1\s*>', re.DOTALL)


def _first_h1(html: str) -> str:
    start = html.find("<h1")
    return html[html.find(">", start) + 1 : html.find("</h1>", start)] if start >= 0 else ""


def _headings(html_text: str, contents: list[dict] | None) -> dict[str, str]:
    """{id: text} of each heading, as the plugin has them from MkDocs' table of contents: from
    toc's tokens where toc runs (without its permalinks' "¶"), else from the HTML; as text, which
    backlinks escape."""
    if contents is not None:
        return {token["id"]: unescape(markup.plain(token["name"])) for token in contents}
    return {unescape(id): unescape(markup.plain(inner)) for _, id, inner in _HEADING.findall(html_text)}


def makeExtension(**kwargs):  # noqa: N802 - the name Python-Markdown looks for
    """For hosts that load extensions by name, e.g. mkdocs.yml's `markdown_extensions:` under Zensical."""
    return CitationsExtension(**kwargs)
