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

import tempfile
import unicodedata
from pathlib import Path

from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from ..problems import Problem
from . import markup
from .bibliography import Bibliography, read_bibliography
from .checks import suggest
from .cache import Cache
from .citeproc import Citeproc, CiteprocError
from .default_list import DefaultReferenceList
from .pandoc_messages import Places, located
from .pages import HEADING_OR_CITATION, locate
from .references import ReferenceLists, citation_affixes
from .resolver import fix_citations, fix_reference_lists
from .syntax import LIST_PLACEHOLDER, FoundOnPage
from .syntax import CitationsExtension as CitationSyntax


class CitationsExtension(CitationSyntax):
    """Citations for one document at a time, formatted by pandoc's citeproc as the site formats them."""

    def __init__(self, bibliography: str | Path, style: str | Path, bib_command: str = "\\bibliography",
                 full_bib_command: str = "\\full_bibliography", bib_by_default: bool = True,
                 title: str = "", downloads: str = "cite"):
        super().__init__(lambda: self.document, bib_command, full_bib_command)
        self.document = FoundOnPage()
        self.source = ""  # the document's Markdown, to find each citation's line
        self.bib_by_default, self.title, self.downloads = bib_by_default, title, downloads
        self.bib_name = Path(bibliography).name
        self.bibliography: Bibliography
        self.bibliography, self.read_problems = read_bibliography(Path(bibliography).read_bytes(), self.bib_name)
        self.style, self.style_name = Path(style).read_bytes(), Path(style).name
        self.cache = tempfile.TemporaryDirectory(prefix="citations-")  # this extension's formatted citations
        self.problems: list[Problem] = list(self.read_problems)

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        md.registerExtension(self)
        if self.bib_by_default:
            DefaultReferenceList(lambda: self.document).extendMarkdown(md)
        md.preprocessors.register(_KeepSource(md, self), "citations_source", 5)
        md.postprocessors.register(_FormatCitations(md, self), "citations_format", 5)

    def reset(self):
        self.document, self.source = FoundOnPage(), ""
        self.problems = list(self.read_problems)

    def format(self, html: str) -> str:
        """The document's HTML with its citations and reference lists filled in."""
        found, lists = self.document, ReferenceLists(self.bibliography, citation_affixes(self.style))
        title = self.title or markup.plain(_first_h1(html)) or "this document"
        in_order, section, searched = [], "", 0
        for match in HEADING_OR_CITATION.finditer(html):
            if match.group(1):
                section = markup.plain(_heading_text(html, match.end()))
                continue
            citation = found.citations[int(match.group(2))]
            citation.number, citation.section = len(in_order) + 1, section
            searched = locate(citation, self.source, searched, 1)
            in_order.append(citation)
        found.in_order = in_order
        found.lists = set(LIST_PLACEHOLDER.findall(html))
        entries = self.bibliography.entries
        unavailable = str(self.read_problems[0]) if self.read_problems else ""
        for citation in [*in_order, *found.misplaced]:
            unknown = [key for key in citation.keys if key not in entries]
            if unknown and not citation.problem and not unavailable:
                citation.problem = "; ".join(f"unknown citation key '{key}'{suggest(key, entries, citation.source)}" for key in unknown)
            if citation.problem:
                self.problems.append(Problem(citation.problem, line=citation.line or None))
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
            for citation in in_order:
                where = citation.section or title
                for key in dict.fromkeys(citation.keys if not citation.problem else []):
                    backlinks.setdefault(key, []).append((f"#cite-{citation.number}", where))
            return lists.reference_list(keys, self.downloads, backlinks, bibliography=kind == "full")

        html, _ = fix_reference_lists(html, list_html)
        html, _ = fix_citations(html, citation_html)
        return html

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


class _FormatCitations(Postprocessor):
    def __init__(self, md, extension: CitationsExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, text):
        return self.extension.format(text)


def _first_h1(html: str) -> str:
    start = html.find("<h1")
    return html[html.find(">", start) + 1 : html.find("</h1>", start)] if start >= 0 else ""


def _heading_text(html: str, after: int) -> str:
    """The inner HTML of the heading whose opening tag's id ends at `after`."""
    start = html.find(">", after) + 1
    end = html.find("</h", start)
    return html[start:end]


def makeExtension(**kwargs):  # noqa: N802 - the name Python-Markdown looks for
    """For hosts that load extensions by name, e.g. mkdocs.yml's `markdown_extensions:` under Zensical."""
    return CitationsExtension(**kwargs)
