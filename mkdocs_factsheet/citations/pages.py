"""The pages of one build, as the citations plugin sees them: each page's Markdown and where it
starts in the file, read once converted as the core reads a document (reading_order.py: each
citation in reading order, with its line and heading), and the works the page cites and lists.

`CitedPages` is told where each page starts (`start_page`, with its Markdown) and ends (`end_page`,
with its HTML); in between, the Markdown extension adds what it finds to `current`.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

from . import markup
from .reading_order import place_citations
from .references import ReferenceLists
from .syntax import FoundOnPage


@dataclass
class CitedPage:
    page: object  # MkDocs' Page
    found: FoundOnPage
    body: str  # the Markdown, without front matter
    first_line: int  # the body's first line in the page file


class CitedPages:
    def __init__(self):
        self.pages: dict[str, CitedPage] = {}  # src_uri -> the page and what was found on it
        self.current = FoundOnPage()  # where the extension puts what it finds on the page being converted

    def current_page(self) -> FoundOnPage:
        return self.current

    def start_page(self, markdown: str, page) -> str:
        source = page.file.content_string
        first_line = source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
        markdown = unicodedata.normalize("NFC", markdown)  # keys as the bibliography has them (bibliography.py)
        self.current = FoundOnPage()
        self.pages[page.file.src_uri] = CitedPage(page, self.current, markdown, first_line)
        return markdown

    def end_page(self, html_text: str, page, lists: ReferenceLists) -> str:
        """Puts the page's citations in reading order, with their lines and headings; lists the
        works the page cites and the works it lists (those cited, the works that replace them, or
        every entry) in `page.meta["works_cited"]` and `page.meta["works_listed"]`."""
        cited = self.pages[page.file.src_uri]
        found = cited.found
        self.current = FoundOnPage()
        headings = {item.id: html.unescape(markup.plain(item.title)) for item in toc_items(page.toc)}  # text: backlinks escape it
        place_citations(found, html_text, headings, cited.body, cited.first_line, lists.bibliography.entries)
        # For page-metadata and evidence-table: the works this page lists, as data (their text and
        # the style's order are completed once pandoc has formatted them).
        entries = lists.bibliography.entries
        page.meta["works_cited"] = [lists.as_data(key) for key in lists.cited(found) if key in entries]
        page.meta["works_listed"] = [lists.as_data(key) for key in lists.listed(found) if key in entries]
        return html_text


def toc_items(items):
    for item in items:
        yield item
        yield from toc_items(item.children)
