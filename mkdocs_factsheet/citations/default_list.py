"""A page's own reference list where the page cites and does not place one (mkdocs-bibtex's
`bib_by_default`): a "References" heading and the list's placeholder, added to the end of the
parsed page only when the parser has found a citation on it.

It runs after the inline patterns (which find the citations, priority 20) and before Python-
Markdown's prettifier (10) and table of contents (5), so the heading is laid out, given its id
and listed in the contents as if the editor had written it; a page that cites nothing gets none.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from .syntax import LIST_ATTRIBUTE

HEADING = "References"


class DefaultListTreeprocessor(Treeprocessor):
    def __init__(self, md, current_page):
        super().__init__(md)
        self.current_page = current_page

    def run(self, root):
        placed = any(element.get(LIST_ATTRIBUTE) == "page" for element in root.iter("div"))
        if self.current_page().citations and not placed:
            etree.SubElement(root, "h2").text = HEADING
            etree.SubElement(root, "div", {LIST_ATTRIBUTE: "default"})


class DefaultReferenceList(Extension):
    """`current_page()` returns what the parser found on the page being converted (syntax.FoundOnPage)."""

    def __init__(self, current_page):
        super().__init__()
        self.current_page = current_page

    def extendMarkdown(self, md):
        md.treeprocessors.register(DefaultListTreeprocessor(md, self.current_page), "citations_default_list", 15)
