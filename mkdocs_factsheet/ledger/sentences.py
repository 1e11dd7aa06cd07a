"""A page's Markdown as sentences: each with its line, its text as readers see it, and the citation
keys the project's own citation extension finds in it (see the package's docstring for what counts
as a sentence)."""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

import markdown

from mkdocs_factsheet.citations.syntax import PLACEHOLDER, CitationsExtension, FoundOnPage


@dataclass
class Sentence:
    line: int
    markdown: str
    text: str  # as a reader reads it: no Markdown, no citations
    keys: tuple[str, ...]  # the citation keys it carries, in order

    def contains(self, words: str) -> bool:
        return words in normal(self.text) or words in normal(self.markdown)


def normal(text: str) -> str:
    """Text as compared: curly quotes as straight ones, runs of spaces as one."""
    return " ".join(text.translate(QUOTES).split())


QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})

FENCE = re.compile(r"^\s*(```|~~~)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
SKIPPED_LINE = re.compile(
    r"^\s*(?:#{1,6}(?:\s|$)"  # a heading
    r"|(?:!!!|\?\?\?\+?)\s"  # a note box's first line, with its title
    r"|</?[A-Za-z][^>]*>\s*$"  # a line that is only an HTML tag
    r"|\\\w+\s*$|\[\[[^\]]*\]\]\s*$"  # \bibliography, [[ledger: corrections]]
    r"|\[[^\]]+\]:\s"  # a link definition
    r"|\{[:.#][^}]*\}\s*$)"  # an attribute list
)
TABLE_ROW = re.compile(r"^\s*\|")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "p", "pp", "al", "approx", "chap", "fig", "no", "dr", "mr", "mrs", "ms", "st", "cf", "ca", "vol"}
SENTENCE_END = re.compile(r"[\"'”’)*_]*\s+(?=[A-Z0-9\"“‘(*_\[@])")


class CitationReader:
    """Reads a sentence's Markdown as the site does: its citation keys and its text."""

    def __init__(self):
        self.found = FoundOnPage()
        self.md = markdown.Markdown(extensions=[CitationsExtension(lambda: self.found)])

    def read(self, source: str) -> tuple[str, tuple[str, ...]]:
        self.found = FoundOnPage()
        self.md.reset()
        rendered = self.md.convert(source)
        keys = tuple(key for citation in self.found.citations for key in citation.keys)
        text = html.unescape(re.sub(r"<[^>]+>", "", PLACEHOLDER.sub("", rendered)))
        text = re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))
        return text, keys


def sentences(page: str, reader: CitationReader | None = None) -> list[Sentence]:
    """The sentences of a page's Markdown (front matter included, as in the file), in order."""
    reader = reader or CitationReader()
    found = []
    for block, starts, is_row in _blocks(page):
        if is_row:
            cells = [cell.strip() for cell in block.strip().strip("|").split("|")]
            read = [reader.read(cell) for cell in cells]
            text = " | ".join(t for t, _ in read if t)
            keys = tuple(k for _, ks in read for k in ks)
            found.append(Sentence(starts[0][1], block.strip(), text, keys))
            continue
        for start, end in _split(block):
            source = block[start:end].strip()
            if not source:
                continue
            offset = start + len(block[start:end]) - len(block[start:end].lstrip())
            line = starts[bisect.bisect_right([s for s, _ in starts], offset) - 1][1]
            text, keys = reader.read(source)
            if text or keys:
                found.append(Sentence(line, source, text, keys))
    return found


def _blocks(page: str):
    """(text, [(offset, line)], is_table_row) for each paragraph, list item, box line group and row."""
    lines = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), page).split("\n")
    first = 0
    if lines and lines[0].strip() == "---":
        first = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    block: list[tuple[int, str]] = []
    in_code = False

    def flush():
        if block:
            text, starts = "", []
            for number, part in block:
                starts.append((len(text), number))
                text += part + " "
            yield text, starts, False
            block.clear()

    for index in range(first, len(lines)):
        line, number = QUOTE_MARK.sub("", lines[index]), index + 1
        if FENCE.match(line):
            in_code = not in_code
            yield from flush()
            continue
        if in_code:
            continue
        if not line.strip() or SKIPPED_LINE.match(line):
            yield from flush()
            continue
        if TABLE_ROW.match(line):
            yield from flush()
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not TABLE_RULE.match(line) and not TABLE_RULE.match(following):
                yield line, [(0, number)], True
            continue
        if LIST_ITEM.match(line):
            yield from flush()
            line = LIST_ITEM.sub("", line, count=1)
        block.append((number, line.strip()))
    yield from flush()


def _split(text: str):
    """(start, end) of each sentence of a block."""
    start, square, round_, code = 0, 0, 0, False
    for index, char in enumerate(text):
        if char == "`":
            code = not code
        elif code:
            continue
        elif char == "[":
            square += 1
        elif char == "]":
            square = max(0, square - 1)
        elif char == "(":
            round_ += 1
        elif char == ")":
            round_ = max(0, round_ - 1)
        elif char in ".!?" and not square and not round_:
            end = SENTENCE_END.match(text, index + 1)
            word = re.search(r"([\w.]+)$", text[start:index])
            before = word.group(1) if word else ""
            initial = re.fullmatch(r"[A-Z]", before) and text[index - 2 : index - 1] in (" ", ".", "")
            if end and before.lower() not in ABBREVIATIONS and not initial:
                yield start, end.end()
                start = end.end()
    yield start, len(text)
