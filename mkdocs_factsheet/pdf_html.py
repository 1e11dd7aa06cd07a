"""The built pages' HTML as the PDF edition needs it, read with Python's HTML parser.

The PDF plugin (pdf.py) picks elements out of a page and leaves others out by their tag, class
and id as the parser reads them, never by a regex over the markup: `copy` writes a page's HTML
again token by token, as written, except the elements it is told to leave out and the ids and
link targets it is told to change; `outer_html` gives an element as written.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from html.parser import HTMLParser

# Elements that have no end tag (so never hold others).
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

Attributes = dict[str, str]


def classes(attributes: Attributes) -> set[str]:
    return set((attributes.get("class") or "").split())


class _Copier(HTMLParser):
    def __init__(self, leave_out: Callable[[str, Attributes], bool], new_inner: Callable[[str, Attributes], str | None],
                 new_value: Callable[[str, str, str], str]):
        super().__init__(convert_charrefs=False)  # text as written, entities included
        self.leave_out, self.new_inner, self.new_value = leave_out, new_inner, new_value
        self.out: list[str] = []
        self.skipping: list[str] = []  # the open elements from one left out (or whose content is replaced) down
        self.then = ""  # what to write when the skipping ends: the end tag of an element whose content is replaced

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closed=tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs, closed: bool) -> None:
        written = self.get_starttag_text()
        if self.skipping:
            if not closed:
                self.skipping.append(tag)
            return
        attributes = {name: value or "" for name, value in attrs}
        if self.leave_out(tag, attributes):
            if not closed:
                self.skipping.append(tag)
            return
        changed = {name: self.new_value(tag, name, value) for name, value in attributes.items()}
        if changed != attributes:
            end = "/>" if written.endswith("/>") else ">"
            written = f"<{tag}" + "".join(f' {name}="{html.escape(value)}"' for name, value in changed.items()) + end
        self.out.append(written)
        if not closed and (inner := self.new_inner(tag, attributes)) is not None:
            self.out.append(inner)
            self.skipping.append(tag)
            self.then = f"</{tag}>"

    def handle_endtag(self, tag):
        if not self.skipping:
            self.out.append(f"</{tag}>")
            return
        if tag in self.skipping:  # an end tag of nothing open is ignored, as browsers do
            while self.skipping.pop() != tag:
                pass
        if not self.skipping:
            self.out.append(self.then)
            self.then = ""

    def _text(self, text: str) -> None:
        if not self.skipping:
            self.out.append(text)

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")

    def handle_comment(self, data):
        self._text(f"<!--{data}-->")

    def handle_decl(self, decl):
        self._text(f"<!{decl}>")

    def handle_pi(self, data):
        self._text(f"<?{data}>")

    def unknown_decl(self, data):
        self._text(f"<![{data}]]>")  # a CDATA section, as in an inline SVG


def copy(text: str, leave_out: Callable[[str, Attributes], bool] = lambda tag, attributes: False,
         new_inner: Callable[[str, Attributes], str | None] = lambda tag, attributes: None,
         new_value: Callable[[str, str, str], str] = lambda tag, name, value: value) -> str:
    """The HTML as written, without the elements `leave_out(tag, attributes)` picks (and all
    they hold); an element for which `new_inner` gives HTML holds that instead of its content;
    every attribute's value is `new_value(tag, name, value)`."""
    copier = _Copier(leave_out, new_inner, new_value)
    copier.feed(text)
    copier.close()
    return "".join(copier.out)


class _Finder(HTMLParser):
    def __init__(self, text: str, wanted: Callable[[str, Attributes], bool]):
        super().__init__(convert_charrefs=False)
        self.text, self.wanted = text, wanted
        self.line_starts = [0]  # where each line of the text starts, to turn the parser's positions into offsets
        while (newline := text.find("\n", self.line_starts[-1])) >= 0:
            self.line_starts.append(newline + 1)
        self.found: str | None = None
        self.open: list[str] = []  # the open elements from the wanted one down
        self.start = 0

    def handle_starttag(self, tag, attrs):
        if self.found is not None or tag in VOID:
            return
        if self.open:
            self.open.append(tag)
        elif self.wanted(tag, {name: value or "" for name, value in attrs}):
            self.open, self.start = [tag], self._offset()

    def handle_endtag(self, tag):
        if self.found is None and tag in self.open:
            while self.open.pop() != tag:
                pass
            if not self.open:
                at = self._offset()
                self.found = self.text[self.start : self.text.index(">", at) + 1]

    def _offset(self) -> int:
        """Where the tag being read starts in the text."""
        line, column = self.getpos()
        return self.line_starts[line - 1] + column


def outer_html(text: str, wanted: Callable[[str, Attributes], bool]) -> str | None:
    """The first element `wanted(tag, attributes)` picks, as written (with what it holds), or None."""
    finder = _Finder(text, wanted)
    finder.feed(text)
    finder.close()
    return finder.found
