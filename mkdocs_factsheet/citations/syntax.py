"""The Markdown extension: finds citations while Python-Markdown converts a page.

Citations are pandoc's syntax: `[@key]`, `[@a; @b]`, `[see @key, p. 3]`, `[-@key]`, `@key`,
`@key [p. 3]`, `@{key}`. Because they are inline patterns of the parser itself, code spans, fenced
and indented code, escapes, raw HTML, autolinks, links and images are the parser's business, read
exactly as they render: a citation is whatever renders as text. Each citation becomes a small
placeholder element holding its source; the plugin (plugin.py) formats every citation of the site
at once and fills the placeholders in when all pages are converted, as mkdocs-autorefs does for
its cross-references.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown import Extension
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX, AtomicString

# pandoc's citation key: starts with a letter, digit or _, and may hold single :.#$%&-+?<>~/
# between them; `@{...}` takes any other key.
KEY = r"\w(?:[\w]|[:.#$%&\-+?<>~/](?=\w))*"
CITED_KEY = re.compile(rf"(?<![\w.+-])(-?)@(?:\{{([^{{}}]+)\}}|({KEY}))")
# Invisible characters a copy-paste brings along; inside a citation pandoc would read them as text.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# The placeholder's element, and how the plugin finds it in the page's HTML.
PLACEHOLDER_TAG = "span"
PLACEHOLDER_ATTRIBUTE = "data-citation"
PLACEHOLDER = re.compile(rf'<{PLACEHOLDER_TAG} {PLACEHOLDER_ATTRIBUTE}="(\d+)">.*?</{PLACEHOLDER_TAG}>', re.DOTALL)
LIST_ATTRIBUTE = "data-reference-list"
LIST_PLACEHOLDER = re.compile(rf'<div {LIST_ATTRIBUTE}="(\w+)"></div>')


@dataclass
class Citation:
    """One citation as an editor wrote it, as the parser found it."""

    source: str  # the Markdown, e.g. "[see @witt2006, p. 490]" or "@witt2006"
    keys: list[str]
    problem: str = ""  # why it cannot be read, if it cannot
    line: int = 0  # in the page file, once the plugin has found it there
    number: int = 0  # its place on the page (id cite-N), in reading order
    section: str = ""  # the heading it stands under, for backlinks
    index: int = -1  # its placeholder's number, in the order the parser found it
    near: str = ""  # Markdown it stands in, searched for first to find its line (an image, an HTML block)


@dataclass
class FoundOnPage:
    """What the parser found on one page: citations, misplaced ones, reference list commands."""

    citations: list[Citation] = field(default_factory=list)
    misplaced: list[Citation] = field(default_factory=list)
    in_order: list[Citation] = field(default_factory=list)  # those on the page, in reading order
    lists: set[str] = field(default_factory=set)  # the kinds of reference list the page holds

    def add(self, citation: Citation) -> etree.Element:
        citation.index = len(self.citations)
        self.citations.append(citation)
        placeholder = etree.Element(PLACEHOLDER_TAG, {PLACEHOLDER_ATTRIBUTE: str(citation.index)})
        # Shown as typed if nothing fills it in; never parsed again.
        placeholder.text = AtomicString(citation.source)
        return placeholder


def read_group(text: str) -> Citation:
    """A bracketed citation `[...]` as pandoc reads it: items split by `;`, one key each."""
    source = "[" + " ".join(text.split()) + "]"
    keys, readable = [], True
    for item in text.split(";"):
        cited = CITED_KEY.findall(item)
        readable &= len(cited) == 1
        keys += [braced or plain for _, braced, plain in cited]
    problem = "" if readable else f"cannot read citation {source}: write [@key], or [@key1; @key2] for several"
    if invisible := INVISIBLE.search(text):
        problem = invisible_problem(source, invisible.group())
    return Citation(source, keys, problem)


def invisible_problem(source: str, char: str) -> str:
    return (f"citation {INVISIBLE.sub('', source)} holds an invisible character (U+{ord(char):04X}), "
            f"which pandoc would read as text: delete it, or type the citation again")


def probable_citations(markdown: str) -> list[Citation]:
    """The citations a page's Markdown probably holds, as the parser will write them, read from
    its text alone: so that pandoc can start on them before the pages are converted. Code, links
    and escapes are not told apart here, so a few may be no citations, and a citation the parser
    reads differently is missed; the plugin formats the ones the parser finds, whatever this says."""
    markdown = unicodedata.normalize("NFC", markdown)  # as CitedPages.start_page gives it the parser
    found: list[Citation] = []

    def group(match: re.Match) -> str:
        if not CITED_KEY.search(match.group(1)):
            return match.group(0)  # a locator, `@key [p. 3]`, or other brackets: as the parser, left alone
        found.append(read_group(match.group(1)))
        return " "  # its keys are not also narrative citations, as in the parser

    rest = re.sub(CitationGroupProcessor.PATTERN, group, markdown, flags=re.DOTALL)
    for match in re.finditer(NarrativeCitationProcessor.PATTERN, rest):
        found.append(Citation(" ".join(match.group(0).split()), [match.group(1) or match.group(2)]))
    return found


class CitationGroupProcessor(InlineProcessor):
    """`[see @a, p. 3; @b]`. Runs after links and images (so `[text](url)`, `[text][label]` and
    `![alt](src)` are theirs) and before autolinks and raw HTML."""

    ANCESTOR_EXCLUDES = ("a", "code", "pre")
    # Brackets inside a locator (`[@witt2006, p. [3]]`) belong to the citation, as in pandoc.
    PATTERN = r"\[((?:[^\[\]]|\[[^\[\]@]*\])*)\](?=(\[[^\[\]]*\])?)"

    def __init__(self, md, current_page):
        super().__init__(self.PATTERN, md)
        self.current_page = current_page

    def handleMatch(self, m, data):
        text = m.group(1)
        if not CITED_KEY.search(text):
            return None, None, None
        citation = read_group(text)
        if STX in text:
            citation.problem = f"cannot read citation {citation.source}: code or escapes inside a citation; write them outside it"
            citation.source = "[" + self.unescape(text) + "]"
        elif m.group(2) and CITED_KEY.search(m.group(2)):
            second = m.group(2)
            citation.problem = (f"citation {citation.source} is followed by {second}, which Markdown reads as a link "
                                f"label; write [{text}; {second[1:-1]}] for several")
        return self.current_page().add(citation), m.start(0), m.end(0)


class NarrativeCitationProcessor(InlineProcessor):
    """`@key found...`, `@key [p. 3] found...`: not after a word character, so e-mail addresses are
    left alone. Runs after raw HTML, so attributes are never read."""

    ANCESTOR_EXCLUDES = ("a", "code", "pre")
    PATTERN = rf"(?<![\w.+@/\\-])@(?:\{{([^{{}}]+)\}}|({KEY}))(?:[ ]?\[([^\[\]@]*)\])?({INVISIBLE.pattern}\w*)?"

    def __init__(self, current_page):
        super().__init__(self.PATTERN)
        self.current_page = current_page

    def handleMatch(self, m, data):
        source = " ".join(m.group(0).split())
        citation = Citation(source, [m.group(1) or m.group(2)])
        if m.group(4) or (m.group(3) and INVISIBLE.search(m.group(3))):  # @witt\u200b2006
            citation.problem = invisible_problem(source, INVISIBLE.search(source).group())
        return self.current_page().add(citation), m.start(0), m.end(0)


class LiteralHtmlCodeProcessor(InlineProcessor):
    """`<code>…</code>`, `<kbd>…</kbd>`, `<samp>…</samp>` written as HTML stay as typed, like a code
    span (Python-Markdown would otherwise read Markdown, and citations, inside them)."""

    PATTERN = r"<(code|kbd|samp)(?:\s[^>]*)?>.*?</\1\s*>"

    def __init__(self, md):
        super().__init__(self.PATTERN, md)

    def handleMatch(self, m, data):
        return self.md.htmlStash.store(self.unescape(m.group(0))), m.start(0), m.end(0)


class ReferenceListProcessor(BlockProcessor):
    """A paragraph that is just `\\bibliography` (this page's references) or `\\full_bibliography`
    (every entry), as mkdocs-bibtex's bib_command and full_bib_command name them."""

    def __init__(self, parser, commands: dict[str, str], current_page):
        super().__init__(parser)
        self.commands = commands  # paragraph text -> list kind
        self.current_page = current_page

    def test(self, parent, block):
        return block.strip() in self.commands

    def run(self, parent, blocks):
        command = blocks.pop(0).strip()
        kind, on_page = self.commands[command], self.current_page()
        if kind != "default" and on_page.lists - {"default"}:  # each work's entry (id ref-KEY) once a page
            on_page.misplaced.append(Citation(command, [], f"a second reference list on this page ({command}): "
                                                         f"keep one, each work is listed once a page"))
            return
        on_page.lists.add(kind)
        etree.SubElement(parent, "div", {LIST_ATTRIBUTE: kind})


class ImageAltCitationTreeprocessor(Treeprocessor):
    """A citation in an image's alt text cannot link anywhere: report it rather than publish it raw."""

    def __init__(self, md, current_page):
        super().__init__(md)
        self.current_page = current_page

    def run(self, root):
        for image in root.iter("img"):
            for key in CITED_KEY.finditer(image.get("alt", "")):
                source = key.group(0)
                self.current_page().misplaced.append(Citation(source, [key.group(2) or key.group(3)],
                    f"citation {source} in an image's alt text: describe the image in words there, and cite beside it",
                    near="![" + image.get("alt", "")))


class AttributeListTreeprocessor(Treeprocessor):
    """`[@key]{: .x}`: attr_list gives the citation's placeholder the attributes, which the
    formatted citation cannot keep; report it rather than drop them, or the citation, silently."""

    def __init__(self, md, current_page):
        super().__init__(md)
        self.current_page = current_page

    def run(self, root):
        for element in root.iter(PLACEHOLDER_TAG):
            index = element.get(PLACEHOLDER_ATTRIBUTE)
            if index is None or len(element.attrib) == 1:
                continue
            citation = self.current_page().citations[int(index)]
            extra = " ".join(f'{name}="{value}"' for name, value in element.attrib.items() if name != PLACEHOLDER_ATTRIBUTE)
            citation.problem = (f"citation {citation.source} is followed by an attribute list ({extra}), which a "
                                f"citation cannot take: leave it out, or put it at the end of the paragraph")
            element.attrib.clear()
            element.set(PLACEHOLDER_ATTRIBUTE, index)


class RawHtmlCitationTreeprocessor(Treeprocessor):
    """A citation in a raw HTML block is published as typed (Markdown leaves the block alone):
    report it. Comments, code and tags' attributes are no text, so they are not searched."""

    NOT_TEXT = re.compile(r"<!--.*?-->|<(code|pre|kbd|samp|script|style)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)

    def __init__(self, md, current_page):
        super().__init__(md)
        self.current_page = current_page

    def run(self, root):
        for block in self.md.htmlStash.rawHtmlBlocks:
            if not isinstance(block, str):
                continue
            text = self.NOT_TEXT.sub(" ", block)
            for match in re.finditer(r"\[[^\[\]]*@[^\[\]]*\]|" + CITED_KEY.pattern, text):
                if "[" in match.group(0) and not CITED_KEY.search(match.group(0)):
                    continue
                keys = [braced or plain for _, braced, plain in CITED_KEY.findall(match.group(0))]
                self.current_page().misplaced.append(Citation(match.group(0), keys,
                    f"citation {match.group(0)} inside an HTML block is published as typed: add markdown "
                    f"to the block's opening tag (<div markdown>), or cite outside the HTML", near=block.strip()))


class CitationsExtension(Extension):
    """`current_page()` returns the record (FoundOnPage) of the page being converted, where its citations go."""

    def __init__(self, current_page, bib_command: str = "\\bibliography", full_bib_command: str = "\\full_bibliography"):
        super().__init__()
        self.current_page = current_page
        self.commands = {bib_command: "page", full_bib_command: "full"}

    def extendMarkdown(self, md):
        if "@" not in md.ESCAPED_CHARS:  # `\@key` is a literal @key, as in pandoc
            md.ESCAPED_CHARS.append("@")
        md.inlinePatterns.register(LiteralHtmlCodeProcessor(md), "citations_literal_html_code", 175)
        md.inlinePatterns.register(CitationGroupProcessor(md, self.current_page), "citations_group", 115)
        md.inlinePatterns.register(NarrativeCitationProcessor(self.current_page), "citations_narrative", 85)
        md.parser.blockprocessors.register(ReferenceListProcessor(md.parser, self.commands, self.current_page), "citations_reference_list", 12)
        md.treeprocessors.register(ImageAltCitationTreeprocessor(md, self.current_page), "citations_image_alt", 19)
        # After attr_list (8), which sets the attributes.
        md.treeprocessors.register(AttributeListTreeprocessor(md, self.current_page), "citations_attribute_list", 7)
        md.treeprocessors.register(RawHtmlCitationTreeprocessor(md, self.current_page), "citations_raw_html", 6)
