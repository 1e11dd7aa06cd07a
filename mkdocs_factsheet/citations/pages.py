"""The pages of one build, as the citations plugin sees them: each page's citations, in reading
order, with the line where each is written and the heading it stands under.

`CitedPages` is told where each page starts (`start_page`, with its Markdown) and ends (`end_page`,
with its HTML); in between, the Markdown extension adds what it finds to `current`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from . import markup
from .references import ReferenceLists
from .syntax import LIST_PLACEHOLDER, PLACEHOLDER, Citation, FoundOnPage, clashing_headings

HEADING_OR_CITATION = re.compile(r'<h[1-6][^>]*\bid="([^"]+)"|' + PLACEHOLDER.pattern, re.DOTALL)


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
        found, body, first_line = cited.found, cited.body, cited.first_line
        self.current = FoundOnPage()
        titles = {item.id: item.title for item in toc_items(page.toc)}
        in_order, section, searched = [], "", 0
        for match in HEADING_OR_CITATION.finditer(html_text):
            if match.group(1):
                section = html.unescape(markup.plain(titles.get(match.group(1), "")))  # text: backlinks escape it
                continue
            citation = found.citations[int(match.group(2))]
            citation.number, citation.section = len(in_order) + 1, section
            searched = locate(citation, body, searched, first_line)
            in_order.append(citation)
        found.misplaced += clashing_headings({i: html.unescape(markup.plain(t)) for i, t in titles.items()}, lists.bibliography.entries)
        for citation in found.misplaced:
            locate(citation, body, 0, first_line)
        found.in_order = in_order
        found.lists = set(LIST_PLACEHOLDER.findall(html_text))
        # For page-metadata and evidence-table: the works this page lists, as data (their text and
        # the style's order are completed once pandoc has formatted them).
        entries = lists.bibliography.entries
        page.meta["works_cited"] = [lists.as_data(key) for key in lists.cited(found) if key in entries]
        page.meta["works_listed"] = [lists.as_data(key) for key in lists.listed(found) if key in entries]
        return html_text


def locate(citation: Citation, body: str, start: int, first_line: int) -> int:
    """Finds the citation's line in the page file: its source, however the lines broke (and
    whatever blockquote marks began them), at or after `start`. Returns where the search goes on."""
    found = body.find(citation.source, start)
    if found >= 0:
        citation.line = first_line + body.count("\n", 0, found)
        return found + len(citation.source)
    pattern = re.compile(r"[\s>]+".join(re.escape(part) for part in citation.source.split()))
    match = pattern.search(body, start) or pattern.search(body)
    if not match:
        citation.line = first_line
        return start
    citation.line = first_line + body.count("\n", 0, match.start())
    return match.end()


def toc_items(items):
    for item in items:
        yield item
        yield from toc_items(item.children)
