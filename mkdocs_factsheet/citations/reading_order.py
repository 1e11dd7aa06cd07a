"""A converted document's citations as readers meet them, each with the line it is written on.

Once Python-Markdown has converted a document, its HTML holds a placeholder for each citation
(syntax.py). `place_citations` puts them in reading order, numbers them (their ids, cite-N), notes
the heading each stands under, and finds the line of the Markdown each is written on; so too for
each citation that cannot be cited where it stands (syntax.py's misplaced ones: in an image's alt
text, in a raw HTML block) and for each heading whose id a citation's link uses. The MkDocs plugin
(pages.py) and the core on its own (extension.py) both read a page with it, so both report the
same problems at the same lines. Needs no MkDocs.
"""

from __future__ import annotations

import re
from html import escape, unescape

from . import markup
from .syntax import LIST_PLACEHOLDER, PLACEHOLDER, Citation, FoundOnPage

HEADING_OR_CITATION = re.compile(r'<h[1-6][^>]*\bid="([^"]+)"|' + PLACEHOLDER.pattern, re.DOTALL)


def place_citations(found: FoundOnPage, html_text: str, headings: dict[str, str], markdown: str,
                    first_line: int, entries) -> None:
    """Fills in `found.in_order` (each citation numbered, with its section and line), adds the
    headings that clash with a citation's or an entry's id to `found.misplaced` and locates every
    misplaced one, and notes the kinds of reference list the HTML holds in `found.lists`.
    `headings` is {heading id: its text}; `markdown` is what the parser read, whose first line is
    `first_line` of the file (a page's body starts after its front matter)."""
    in_order, section, searched = [], "", 0
    for match in HEADING_OR_CITATION.finditer(html_text):
        if match.group(1):
            section = headings.get(match.group(1), "")
            continue
        citation = found.citations[int(match.group(2))]
        citation.number, citation.section = len(in_order) + 1, section
        searched = locate(citation, markdown, searched, first_line)
        in_order.append(citation)
    found.misplaced += clashing_headings(headings, entries)
    for citation in found.misplaced:
        # Not in reading order: each is found from the image or HTML block it stands in, where
        # known, so that a citation of the same work before it is not taken for it.
        near = markdown.find(citation.near) if citation.near else -1
        locate(citation, markdown, max(near, 0), first_line)
    found.in_order = in_order
    found.lists = set(LIST_PLACEHOLDER.findall(html_text))


def clashing_headings(headings: dict[str, str], keys) -> list[Citation]:
    """Headings whose ids are the ids of citations (cite-N) or reference entries (ref-KEY)
    {heading id: its text}: a link to either would land on the wrong one."""
    return [
        Citation(title, [], f"the heading '{title}' gets the id {id}, which a citation's link uses: "
                            f"reword it, or give it an id of its own, e.g. {{#{id.replace('-', '')}-section}}")
        for id, title in headings.items()
        if re.fullmatch(r"cite-\d+", id) or (id.startswith("ref-") and id[4:] in keys)
    ]


def locate(citation: Citation, markdown: str, start: int, first_line: int) -> int:
    """Finds the citation's line in the file: its source, however the lines broke (and whatever
    blockquote marks began them), at or after `start`. Returns where the search goes on."""
    found = markdown.find(citation.source, start)
    if found >= 0:
        citation.line = first_line + markdown.count("\n", 0, found)
        return found + len(citation.source)
    pattern = re.compile(r"[\s>]+".join(re.escape(part) for part in citation.source.split()))
    match = pattern.search(markdown, start) or pattern.search(markdown)
    if not match:
        citation.line = first_line
        return start
    citation.line = first_line + markdown.count("\n", 0, match.start())
    return match.end()


def citations_by_section(citations: list[Citation]) -> dict[str, list[Citation]]:
    """The citations under each heading (by its text), which include those in the heading itself."""
    under: dict[str, list[Citation]] = {}
    for citation in citations:
        under.setdefault(citation.section, []).append(citation)
    return under


def title_with_citations_as_text(title: str, under: dict[str, list[Citation]], text_of: dict[int, str]) -> str:
    """A heading's title in the table of contents (escaped text), each citation in it as the text
    of its HTML in `text_of` (by placeholder number): a contents entry holds no links.
    `under` is citations_by_section's: a heading's own citations are under it."""
    for citation in under.get(unescape(markup.plain(title)), ()):
        for written in (citation.source, escape(citation.source, quote=False)):
            if written in title:
                title = title.replace(written, markup.plain(text_of.get(citation.index, "")))
    return title
