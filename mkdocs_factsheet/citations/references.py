"""Reference lists and what other plugins read of them, for one bibliography once it is formatted.

`ReferenceLists` makes a page's list or the whole bibliography (with backlinks and the downloads'
links), the badge of a superseded work, and the search index's view of the bibliography; and the
data of each work that page-metadata and evidence-table read (`page.meta["works_cited"]`,
`page.meta["works_listed"]`).
It knows no MkDocs object: callers give it addresses, relative to the page, as strings.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree

from . import markup
from .bibliography import Bibliography, plain_fields
from .citeproc import Formatted
from .syntax import Citation, FoundOnPage


CSL = "{http://purl.org/net/xbiblio/csl}"


def citation_affixes(style: bytes) -> tuple[str, str]:
    """What the style puts round every citation ("(" and ")" for "(Witt 2006)"), from its
    `<citation><layout prefix=… suffix=…>`, so a work's name can be given without them."""
    try:
        layout = etree.fromstring(style).find(f"{CSL}citation/{CSL}layout")
    except etree.ParseError:
        layout = None
    return (layout.get("prefix", ""), layout.get("suffix", "")) if layout is not None else ("", "")


class ReferenceLists:
    def __init__(self, bibliography: Bibliography, affixes: tuple[str, str] = ("", "")):
        self.bibliography = bibliography
        self.affixes = affixes  # what the style puts round a citation (citation_affixes)
        self.formatted = Formatted()
        self.position: dict[str, int] = {}  # key -> its place in the style's order
        self.data: dict[str, dict] = {}  # key -> the work as data, in page.meta["works_cited"] and ["works_listed"]
        self.items: dict[tuple[str, str], tuple[str, str, str]] = {}  # (key, downloads folder) -> list item's parts

    def use(self, formatted: Formatted) -> None:
        """Takes pandoc's text for every entry and citation: the style's order, and each work's text."""
        self.formatted = formatted
        self.position = {key: i for i, key in enumerate(formatted.entries)}
        for key, data in self.data.items():
            data["text"] = html.unescape(markup.plain(formatted.entries.get(key, "")))  # text, not HTML

    # --- what a page lists ------------------------------------------------------------------

    def listed(self, found: FoundOnPage) -> list[str]:
        """The works a page lists: all of them under `full_bib_command`, else those it cites."""
        if "full" in found.lists:
            return list(self.bibliography.entries)
        return self.cited_with_replacements(found)

    def cited(self, found: FoundOnPage) -> list[str]:
        """The works a page cites, in reading order, once each."""
        entries = self.bibliography.entries
        return list(dict.fromkeys(key for c in found.in_order if not c.problem for key in c.keys if key in entries))

    def cited_with_replacements(self, found: FoundOnPage) -> list[str]:
        """The works a page's own list shows: those it cites, and the works that replace them."""
        entries = self.bibliography.entries
        cited = self.cited(found)
        cited += [entries[key].fields["replacement"] for key in cited if entries[key].fields.get("replacement")]
        return list(dict.fromkeys(cited))

    def as_data(self, key: str) -> dict:
        """A work as plain data (fields without protective braces, `authors` as a list, `text`)."""
        if key not in self.data:
            entry = self.bibliography.entries[key]
            self.data[key] = {"key": key, "type": entry.type, "text": "", **plain_fields(entry)}
        return self.data[key]

    def in_order(self, keys) -> list[str]:
        return sorted(keys, key=lambda key: self.position.get(key, 0))

    # --- HTML -------------------------------------------------------------------------------

    def citation(self, source: str, number: int, keys: list[str]) -> str:
        """A citation as readers see it: its links (id cite-N), then a badge per superseded work."""
        return markup.in_text(self.formatted.citations[source], number) + "".join(self.badge(key) for key in keys)

    def badge(self, key: str) -> str:
        fields = self.bibliography.entries[key].fields
        if not fields.get("status"):
            return ""
        replacement = fields.get("replacement", "")
        name = self.cited_name(replacement) if replacement else ""
        return markup.badge(fields["status"], replacement, name)

    def reference_list(self, keys: list[str], downloads_url: str, backlinks: dict[str, list[tuple[str, str]]], bibliography: bool) -> str:
        """The whole bibliography (`bibliography`) or a page's own list (which the PDF leaves out),
        each item with its backlinks: (address, where) pairs."""
        items = [self.reference_item(key, downloads_url, markup.backlinks(backlinks.get(key, []))) for key in keys]
        return markup.reference_list(items, bibliography=bibliography)

    def reference_item(self, key: str, downloads_url: str, backlinks: str) -> str:
        """One list item; all but its backlinks made once per build for each address of the downloads folder."""
        if (key, downloads_url) not in self.items:
            entry, name = self.bibliography.entries[key], self.short_name(key)
            if self.formatted.citations.get(f"[@{key}]"):  # "Sherman 2009a", not "Sherman 2009" twice
                name = html.unescape(self.cited_name(key))
            self.items[key, downloads_url] = (
                self.badge(key), self.formatted.entries.get(key, html.escape(key)),
                markup.identifier_links(entry.fields, key, name, downloads_url),
            )
        badge, text, links = self.items[key, downloads_url]
        return markup.reference_item(key, badge, text, links, backlinks)

    def cited_name(self, key: str) -> str:
        """A work as its citation names it ("Sherman 2009a"), without what the style puts round it."""
        text = markup.plain(self.formatted.citations.get(f"[@{key}]", ""))
        prefix, suffix = self.affixes
        text = text.removeprefix(prefix) if prefix else text
        return text.removesuffix(suffix) if suffix else text

    def short_name(self, key: str) -> str:
        """First author and year, e.g. "Witt 2006", to tell which entry a link or search result is for."""
        data = self.as_data(key)
        return f"{data['authors'][0].split(',')[0] if data['authors'] else data.get('title', '')} {data.get('year', '')}".strip()

    def readable(self, heading: str, citations: list[Citation]) -> str:
        """A heading's text as readers see it: a citation in it (one of those under it) as its
        formatted text, not as typed."""
        for citation in citations:
            if citation.source in heading and not citation.problem:
                heading = heading.replace(citation.source, markup.plain(self.formatted.citations.get(citation.source, citation.source)))
        return heading

    def searchable_list(self, keys: list[str]) -> str:
        """What the search index reads of the bibliography: each work as a section of its own, titled
        by its short name ("Witt 2006") and found at its entry (#ref-witt2006), so that a search
        answers with the one work, not with the whole list."""
        def title(key: str) -> str:  # as cited ("Sherman 2009a"), or for a work listed uncited, "Sherman 2009"
            cited = self.formatted.citations.get(f"[@{key}]")
            return self.cited_name(key) if cited else html.escape(self.short_name(key))

        def identifiers(key: str) -> str:  # so that a pasted DOI or PubMed number finds its work
            data = self.as_data(key)
            return "".join(f" {html.escape(data[field])}" for field in ("doi", "pmid") if data.get(field))

        return "".join(
            f'<h2 id="ref-{html.escape(key)}">{title(key)}</h2><p>{markup.plain(self.badge(key) + " " + self.formatted.entries.get(key, ""))}{identifiers(key)}</p>'
            for key in keys
        )
