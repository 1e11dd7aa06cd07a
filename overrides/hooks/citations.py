"""Citations: checks the bibliography and renders every `[@key]` of the site in one citeproc pass.

mkdocs-bibtex, configured under `plugins: - bibtex` in mkdocs.yml, names the bibliography
(`bib_file`), the citation style (`csl_file`) and the list placeholders (`bib_command`,
`full_bib_command`, `bib_by_default`). Its own passes are switched off here: its bibliography
load crashes on bad input and would only repeat ours, and its page pass scans raw Markdown (code
included), runs pandoc once per page and renders footnotes. Instead:

- on_config checks the style and the bibliography (one `file:line: message` error per problem,
  never a traceback) while pandoc, already started, formats the citations of every page;
- on_files checks every citation's key and collects pandoc's result: every citation and every
  entry formatted in one citeproc run, so year suffixes (2009a, 2009b) are decided once for the
  whole site. Results are cached in .cache/citations under hashes of the bibliography, the style
  and the pandoc binary, so a rebuild formats only citations it has not seen before. It also
  publishes the bibliography as BibTeX and RIS (cite/references.bib, cite/references.ris);
- on_page_markdown leaves placeholders, which on_page_content fills with the text of the
  citations and of the full bibliography; on_page_context, after the search plugin has indexed
  the page, puts in their HTML (author-year links; entries with links and backlinks) and each
  page's own reference list, so that the index holds every work once and no markup it would
  only parse and drop.

Citing pages hand the works they list to page_metadata.py as `page.meta["references"]`.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import html
import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc
import rispy
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data
from pybtex.database import BibliographyDataError
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError

log = get_plugin_logger("citations")

# Bump when what the cache holds (formatted HTML, checked entries) would change for the same inputs.
CACHE_FORMAT = 2

# Where the bibliography is published as BibTeX and RIS, for readers' reference managers.
EXPORT_DIR = "cite"
RIS_TYPES = {"article": "JOUR", "incollection": "CHAP", "book": "BOOK", "techreport": "RPRT"}

# Fields every entry of a type must have, so that no reference renders half empty.
REQUIRED_FIELDS = {
    "article": ("author", "title", "journal", "year"),
    "book": ("title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": ("title", "year"),
}

KEY = r"\w(?:[\w:.-]*\w)?"

# One pass over a page finds, in order: spans whose `@` is not a citation (code, comments, link
# text and targets, autolinks), headings, and citations. Alternatives are tried left to right, so
# a citation inside code or link text is consumed as code or link first. An e-mail address needs
# no alternative of its own: its `@` follows a word character, which no citation's `@` may.
# The lookahead passes over every position where none of them can start without trying each
# one: it made the scan of a large site seven times faster.
PAGE_TOKENS = re.compile(
    rf"""
    (?=[`~<!\[\#@]|^[ \t]+[`~])
    (?:
      (?P<fence>^[ \t]*(?P<marker>`{{3,}}|~{{3,}})[^\n]*\n[\s\S]*?(?:^[ \t]*(?P=marker)[ \t]*$|\Z))
    | (?P<code>(?P<ticks>`+)[\s\S]+?(?P=ticks))
    | (?P<comment><!--[\s\S]*?-->)
    | (?P<link>!?\[[^\[\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\]))
    | (?P<autolink><[^<>\s]+[@:][^<>\s]*>)
    | (?P<heading>^\#{{1,6}}[ \t]+)(?=(?P<heading_text>[^\n]*))
    | (?P<group>\[[^\[\]]*?(?<![\w.+\\-])-?@[^\[\]]*\])(?![(\[:])
    | (?P<narrative>(?<![\w.+@\\/-])@{KEY})
    )
    """,
    re.VERBOSE | re.MULTILINE,
)
CITED_KEY = re.compile(rf"(?<![\w.+-])-?@({KEY})")
BRACE = re.compile(r"[{}]")
BIB_ENTRY_START = re.compile(r"^[ \t]*@(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.MULTILINE)
# Where render_page leaves a citation or a reference list for fill_in (Markdown wraps a list's
# placeholder, alone on its line, in a paragraph).
PLACEHOLDER = re.compile(r"<p>(%%BIBLIOGRAPHY%%)</p>|(%%CITATION-\d+%%)")
TAG = re.compile(r"<[^>]+>")
# What waits until after search indexing, between two comments (which search skips) around the
# plain text that search should read instead, if any: the citations, a page's own reference
# list, and the bibliography with its links and backlinks.
LATER = re.compile(r"<!-- later:(\S+) -->(.*?)<!-- /later -->", re.DOTALL)
PANDOC_CITATION = re.compile(r'<div id="c(\d+)">\s*<p>(.*?)</p>\s*</div>', re.DOTALL)
PANDOC_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', re.DOTALL)


@dataclass
class Citation:
    """One citation as an editor wrote it on a page."""

    source: str  # the Markdown, e.g. "[see @witt2006, p. 490]" or "@witt2006"
    keys: list[str]
    line: int
    section: str  # the heading it stands under, for backlinks
    span: tuple[int, int]  # where it stands in the page's Markdown


@dataclass
class CitingPage:
    path: str  # relative to docs/, as in error messages
    title: str
    markdown: str  # the body the citations were found in
    citations: list[Citation] = field(default_factory=list)


@dataclass
class BibEntry:
    key: str
    type: str
    line: int
    fields: dict[str, str]
    raw: str  # the entry as written in the bib file, for readers to download
    ris: str = ""  # the same as an RIS record


# `status` marks a reference that should no longer be relied on; `replacement` names the key of
# the work that replaces it. Every citation of such a reference shows a badge (see README).
STATUSES = ("superseded", "withdrawn", "retracted")


class CitationError(PluginError):
    """Stops the build after every problem has been logged on a line of its own."""


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --- Checking the bibliography ---------------------------------------------------------------


def read_bibliography(path: Path, name: str, cache_dir: Path) -> tuple[dict[str, BibEntry], list[str]]:
    """The bib file's entries and one `name:line: message` per problem in it.

    A bibliography that passed every check is kept in cache_dir under the hash of its text, so
    that a rebuild with the same file parses nothing.
    """
    if not path.is_file():
        return {}, [f"{name}: bibliography file not found (mkdocs.yml, plugins: bibtex: bib_file)"]
    text = path.read_text(encoding="utf-8")
    cache_file = cache_dir / f"bib-{_digest(text.encode(), bytes([CACHE_FORMAT]))}.json"
    if cache_file.is_file():
        return {key: BibEntry(**entry) for key, entry in json.loads(cache_file.read_text(encoding="utf-8")).items()}, []
    entries, problems = _check_bibliography(text, name)
    if not problems:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({key: vars(entry) for key, entry in entries.items()}), encoding="utf-8")
    return entries, problems


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def _check_bibliography(text: str, name: str) -> tuple[dict[str, BibEntry], list[str]]:
    matches = [m for m in BIB_ENTRY_START.finditer(text) if m.group(1).lower() not in ("comment", "string", "preamble")]
    starts = [(m.group(1).lower(), m.group(2), _line_of(text, m.start())) for m in matches]

    problems = []
    first_line: dict[str, int] = {}
    for _, key, line in starts:
        if key in first_line:
            problems.append(f"{name}:{line}: duplicate key '{key}' (first defined at line {first_line[key]})")
        else:
            first_line[key] = line
    # An entry left open swallows the next one; pybtex would only notice somewhere inside it.
    for match, following in zip(matches, matches[1:]):
        if _entry_end(text, match.start(), following.start()) is None:
            key, line = match.group(2), _line_of(text, match.start())
            problems.append(f"{name}:{line}: entry '{key}' is not closed before the next entry at line {_line_of(text, following.start())}")
    if problems:
        return {}, problems

    try:
        data = Parser().parse_string(text)
    except PybtexSyntaxError as error:
        return {}, [_syntax_problem(name, text, error, starts)]
    except BibliographyDataError as error:
        return {}, [f"{name}: {error}"]

    raw = {m.group(2): text[m.start() : _entry_end(text, m.start(), len(text))] + "\n" for m in matches}
    entries = {}
    doi_line: dict[str, int] = {}
    for key, entry in data.entries.items():
        line = first_line.get(key, 1)
        fields = {k.lower(): v for k, v in entry.fields.items()}
        for role, persons in entry.persons.items():
            fields[role.lower()] = " and ".join(str(p) for p in persons)
        kind = entry.type.lower()
        missing = [f for f in REQUIRED_FIELDS.get(kind, ("title",)) if not fields.get(f, "").strip()]
        if missing:
            problems.append(f"{name}:{line}: entry '{key}' ({kind}) is missing required field(s): {', '.join(missing)}")
        doi = fields.get("doi", "").strip().lower()
        if doi:
            if doi in doi_line:
                problems.append(f"{name}:{line}: entry '{key}' repeats DOI {doi} (also at line {doi_line[doi]})")
            doi_line.setdefault(doi, line)
        status = fields.get("status", "").strip().lower()
        if status and status not in STATUSES:
            problems.append(f"{name}:{line}: entry '{key}' has status '{status}'; use one of: {', '.join(STATUSES)}")
        entry = entries[key] = BibEntry(key, kind, line, fields, raw[key])
        entry.ris = rispy.dumps([{"id": key, **_ris_record(entry)}], implementation=PlainRisWriter)
    for entry in entries.values():
        replacement = entry.fields.get("replacement")
        if replacement and replacement not in entries:
            problems.append(f"{name}:{entry.line}: entry '{entry.key}' names replacement '{replacement}', which is not in the bibliography")
    return entries, problems


@functools.cache
def scan_page(source: str) -> tuple[str, dict, list[Citation], list[tuple[int, str]]]:
    """A page file's body, front matter, citations and unreadable citations (line, problem)."""
    body, meta = get_data(source)
    offset = source[: len(source) - len(body)].count("\n") if source.endswith(body) else 0
    return body, meta, *find_citations(body, offset + 1)


def _early_sources(docs: Path, bib: Path) -> set[str]:
    """The citations of every Markdown file under docs/, and of every replacement the bib names."""
    sources = {f"[@{key}]" for key in re.findall(r"^\s*replacement\s*=\s*[{\"]([^}\"]+)", bib.read_text(encoding="utf-8"), re.MULTILINE)}
    for path in docs.rglob("*.md"):
        sources.update(citation.source for citation in scan_page(path.read_text(encoding="utf-8-sig"))[2])
    return sources


def _entry_end(text: str, start: int, limit: int) -> int | None:
    """Where the entry opening at `start` closes (after its last brace), or None if not before `limit`."""
    depth = 0
    for brace in BRACE.finditer(text, text.index("{", start), limit):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.end()
    return None


def _syntax_problem(name: str, text: str, error: PybtexSyntaxError, starts: list) -> str:
    """Names the line where the fault is, which is often before the line where pybtex noticed it."""
    line = error.lineno or 1
    lines = text.splitlines()
    entry = next((key for _, key, start in reversed(starts) if start <= line), None)
    where = f" in entry '{entry}'" if entry else ""
    message = str(error).split(": ", 1)[-1]
    noticed = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    previous = line - 1
    while previous > 0 and not lines[previous - 1].strip():
        previous -= 1
    if previous and re.match(r"\w+\s*=", noticed) and not lines[previous - 1].rstrip().endswith((",", "{", "(")):
        return f"{name}:{previous}: syntax error{where}: missing ',' at the end of this line"
    return f"{name}:{line}: syntax error{where}: {message}"


def check_style(path: Path, name: str) -> list[str]:
    if not path.is_file():
        return [f"{name}: citation style file not found (mkdocs.yml, plugins: bibtex: csl_file)"]
    head = path.read_text(encoding="utf-8")[:2000]
    if "<style" not in head or "http://purl.org/net/xbiblio/csl" not in head:
        return [f"{name}:1: not a CSL style (no <style xmlns=\"http://purl.org/net/xbiblio/csl\"> element)"]
    return []


# --- Finding citations on pages --------------------------------------------------------------


def find_citations(markdown: str, first_line: int = 1) -> tuple[list[Citation], list[tuple[int, str]]]:
    """Returns the citations of a page body in order, and (line, problem) for unreadable ones."""
    citations, problems = [], []
    section, line, counted = "", first_line, 0
    for match in PAGE_TOKENS.finditer(markdown):
        if match.group("heading"):
            section = _plain_heading(match.group("heading_text"))
            continue
        kind = match.lastgroup
        if kind not in ("group", "narrative"):
            continue
        source = match.group(kind)
        line += markdown.count("\n", counted, match.start())
        counted = match.start()
        if kind == "group" and any(len(CITED_KEY.findall(item)) != 1 for item in source[1:-1].split(";")):
            problems.append((line, f"cannot read citation {source}: write [@key], or [@key1; @key2] for several"))
            continue
        citations.append(Citation(source, CITED_KEY.findall(source), line, section, match.span(kind)))
    return citations, problems


def _plain_heading(text: str) -> str:
    text = re.sub(r"\{[^}]*\}\s*$", "", text)  # attr_list, e.g. {#anchor}
    text = PAGE_TOKENS.sub(lambda m: "" if m.lastgroup in ("group", "narrative") else m.group(0), text)
    return re.sub(r"[*_`]|\s+#+\s*$", "", text).strip()


# --- Formatting: one citeproc run for the site, cached ---------------------------------------


@dataclass
class Formatted:
    entries: dict[str, str]  # key -> reference HTML, in bibliography order
    citations: dict[str, str]  # citation source -> in-text HTML


def pandoc_binary() -> Path:
    """The pandoc of pypandoc-binary, whose version requirements.txt pins.

    pypandoc's own choice would be the newest pandoc it finds, on PATH or elsewhere, which may
    format differently from the one CI uses; and it asks each candidate its version, which cost
    every build 60 ms.
    """
    bundled = Path(pypandoc.__file__).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
    if not bundled.is_file():
        raise PluginError(f"pandoc not found at {bundled}: install requirements.txt (pypandoc-binary), e.g. with ./run build")
    return bundled


class Citeproc:
    """Formats citations with pandoc's citeproc, cached by the bibliography, style and pandoc.

    `start` runs pandoc in the background for the citations the cache lacks, so that it works
    while the build checks the bibliography and reads the pages; `result` collects it.
    """

    def __init__(self, bib: Path, csl: Path, cache_dir: Path):
        self.bib, self.csl = bib, csl
        self.pandoc = pandoc_binary()
        stat = self.pandoc.stat()
        pandoc = f"{self.pandoc}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        digest = _digest(bib.read_bytes(), csl.read_bytes(), pandoc, bytes([CACHE_FORMAT]))
        self.cache_file = cache_dir / f"{digest}.json"
        cached = json.loads(self.cache_file.read_text(encoding="utf-8")) if self.cache_file.is_file() else {}
        self.formatted = Formatted(cached.get("entries", {}), cached.get("citations", {}))
        self.running = None

    def start(self, sources: set[str]) -> None:
        missing = sorted(sources - self.formatted.citations.keys())
        if self.running or (not missing and self.formatted.entries):
            return
        # nocite '@*' puts every entry in the run, so disambiguation (2009a/2009b) depends on the
        # bibliography alone, never on which citations happen to be formatted together.
        document = "---\nnocite: '@*'\nlink-citations: true\nlink-bibliography: false\nlang: en-GB\n---\n\n"
        document += "".join(f"::: {{#c{i}}}\n{source}\n:::\n\n" for i, source in enumerate(missing))
        folder = tempfile.TemporaryDirectory(prefix="citeproc-")
        Path(folder.name, "in.md").write_text(document, encoding="utf-8")
        process = subprocess.Popen(
            [self.pandoc, "--from=markdown", "--to=html", "--wrap=none", "--citeproc",
             f"--bibliography={self.bib}", f"--csl={self.csl}", "--output=out.html", "in.md",
             # Haskell's garbage collector: an old generation of 128 MB from the start spares a
             # large bibliography repeated full collections (1,000 entries: 15-20% faster).
             "+RTS", "-O128m", "-RTS"],
            cwd=folder.name, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.running = (process, missing, folder)

    def result(self, sources: set[str]) -> Formatted:
        """Every citation in `sources` and every entry, formatted (pandoc runs again if needed)."""
        self.start(sources)
        if self.running:
            process, missing, folder = self.running
            _, errors = process.communicate()
            self.running = None
            if process.returncode != 0:
                raise CitationError(f"pandoc could not format the citations: {errors.strip()}")
            for warning in errors.strip().splitlines():
                log.warning(f"pandoc: {warning}")
            output = Path(folder.name, "out.html").read_text(encoding="utf-8")
            folder.cleanup()
            self.formatted.entries = {key: body.strip() for key, body in PANDOC_ENTRY.findall(output)}
            self.formatted.citations.update({missing[int(i)]: body.strip() for i, body in PANDOC_CITATION.findall(output)})
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            self.cache_file.write_text(json.dumps(vars(self.formatted)), encoding="utf-8")
            return self.result(sources)  # any citation the early run could not know of
        return self.formatted


# --- The site's citations --------------------------------------------------------------------


class SiteCitations:
    """What one build knows: the bibliography, every page's citations, their formatted HTML."""

    def __init__(self, config, bibtex):
        root = Path(config.config_file_path).resolve().parent
        self.cache_dir = root / ".cache" / "citations"
        self.bib = root / bibtex.config.bib_file
        self.csl = root / bibtex.config.csl_file
        self.bib_name = bibtex.config.bib_file
        self.bib_command = bibtex.config.bib_command
        self.full_bib_command = bibtex.config.full_bib_command
        self.bib_by_default = bibtex.config.bib_by_default
        problems = check_style(self.csl, bibtex.config.csl_file)
        if not problems and self.bib.is_file():
            # pandoc formats the pages' citations while the bibliography is checked.
            self.citeproc = Citeproc(self.bib, self.csl, self.cache_dir)
            self.citeproc.start(_early_sources(Path(config.docs_dir), self.bib))
        self.entries, bib_problems = read_bibliography(self.bib, self.bib_name, self.cache_dir)
        stop_on(problems + bib_problems)
        self.pages: dict[str, CitingPage] = {}
        self.places: dict[str, list[tuple[str, int, str]]] = {}  # key -> (page, citation number, where)
        self.placeholders: dict[str, dict[str, str]] = {}  # page -> {placeholder: HTML}
        self.anchors: dict[str, set[str]] = {}  # page -> the ids its citations and lists add
        self.later: dict[str, dict[str, str]] = {}  # page -> {name: HTML}, after search indexing
        self.formatted: Formatted | None = None
        self.urls: dict[str, str] = {}  # page path -> its site URL

    def collect(self, files, nav_titles: dict[str, str]) -> None:
        """Reads every page's citations, checks their keys, and formats them all at once."""
        self.urls = {file.src_uri: file.url for file in files.documentation_pages()}
        problems = []
        listed_anyway: set[str] = set()
        for file in files.documentation_pages():
            body, meta, citations, unreadable = scan_page(file.content_string)
            title = nav_titles.get(file.src_uri) or meta.get("title") or file.name
            page = CitingPage(file.src_uri, str(title), body, citations)
            problems += [f"docs/{file.src_uri}:{line}: {message}" for line, message in unreadable]
            for citation in page.citations:
                for key in citation.keys:
                    if key not in self.entries:
                        problems.append(f"docs/{file.src_uri}:{citation.line}: unknown citation key '{key}'{self._suggest(key)}")
            if self.full_bib_command in body:
                listed_anyway.update(meta.get("nocite") or [])
                problems += [f"docs/{file.src_uri}: nocite lists unknown key '{key}'{self._suggest(key)}"
                             for key in meta.get("nocite") or [] if key not in self.entries]
            self.pages[file.src_uri] = page
        stop_on(problems)

        cited = {key for page in self.pages.values() for c in page.citations for key in c.keys}
        for key, entry in self.entries.items():
            if key not in cited and key not in listed_anyway:
                log.warning(
                    f"{self.bib_name}:{entry.line}: entry '{key}' is not cited on any page "
                    f"(cite it, delete it, or list it under 'nocite:' in the bibliography page's front matter)"
                )
        for page in self.pages.values():
            for number, citation in enumerate(page.citations, start=1):
                where = page.title if citation.section in ("", page.title) else f"{page.title} › {citation.section}"
                for key in citation.keys:
                    self.places.setdefault(key, []).append((page.path, number, where))
                    if status := self.entries[key].fields.get("status"):
                        replacement = self.entries[key].fields.get("replacement")
                        log.info(f"docs/{page.path}:{citation.line}: cites {key}, {status}" + (f" (replaced by {replacement})" if replacement else ""))
        sources = {c.source for page in self.pages.values() for c in page.citations}
        sources |= {f"[@{e.fields['replacement']}]" for e in self.entries.values() if e.fields.get("replacement")}
        self.formatted = self.citeproc.result(sources)

    def _suggest(self, key: str) -> str:
        close = difflib.get_close_matches(key, self.entries, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def render_page(self, markdown: str, page) -> str:
        """Marks the page's citations and reference list with placeholders, filled in by `fill_in`.

        The HTML goes in after Markdown conversion: as raw HTML inside the Markdown, Python-
        Markdown and MkDocs would parse all of it again, which made large sites slow.
        """
        found = self.pages[page.file.src_uri]
        if markdown != found.markdown:  # another plugin changed the page since on_files
            found.citations, _ = find_citations(markdown)
        html_of: dict[str, str] = {}
        later: dict[str, str] = {}
        anchors = {f"cite-{number}" for number in range(1, len(found.citations) + 1)}
        pieces, end = [], len(markdown)
        for number, citation in reversed(list(enumerate(found.citations, start=1))):
            badges = "".join(self._badge(key) for key in citation.keys)
            name = f"cite-{number}"
            later[name] = _in_text_html(self.formatted.citations[citation.source], number) + badges
            html_of[f"%%CITATION-{number}%%"] = _later(name, _plain(later[name]))
            start, stop = citation.span
            pieces += [markdown[stop:end], f"%%CITATION-{number}%%"]
            end = start
        markdown = markdown[:end] + "".join(reversed(pieces))
        cited = [key for c in found.citations for key in c.keys]
        cited += [self.entries[key].fields["replacement"] for key in cited if self.entries[key].fields.get("replacement")]
        cited = list(dict.fromkeys(cited))
        if self.full_bib_command in markdown:
            listed = list(self.entries)
            later["bibliography"] = self._reference_list(listed, page, bibliography=True)
            html_of["%%BIBLIOGRAPHY%%"] = _later("bibliography", self._searchable_list(listed))
            anchors.update(f"ref-{key}" for key in listed)
            markdown = markdown.replace(self.full_bib_command, "\n\n%%BIBLIOGRAPHY%%\n\n")
        else:
            listed = cited
        if cited and (self.bib_command in markdown or self.bib_by_default):
            later["references"] = self._reference_list(cited, page)
            anchors.update(f"ref-{key}" for key in cited)
            if self.bib_command in markdown:
                markdown = markdown.replace(self.bib_command, "\n\n%%REFERENCES%%\n\n")
            else:
                markdown += "\n\n## References\n\n%%REFERENCES%%\n"
        self.placeholders[page.file.src_uri] = html_of
        self.anchors[page.file.src_uri] = anchors
        self.later[page.file.src_uri] = later
        # For overrides/hooks/page_metadata.py: the works this page lists, as data.
        page.meta["references"] = [self._as_data(key) for key in self._in_order(listed)]
        return markdown

    def fill_in(self, content: str, page) -> str:
        """Puts the citations and the full bibliography into the page's HTML as plain text, and
        their ids on record.

        Their HTML waits for `fill_in_later`, after the search index is made, and so does the
        page's own reference list. So the index holds every work once (the References page's)
        and no markup that it would only parse and drop: the lists made the index three times
        larger, and the links more than doubled the time of indexing a large site.
        """
        html_of = self.placeholders.pop(page.file.src_uri, {})
        content = PLACEHOLDER.sub(lambda m: html_of[m.group(1) or m.group(2)], content)
        content = content.replace("<p>%%REFERENCES%%</p>", _later("references"))
        page.present_anchor_ids.update(self.anchors.pop(page.file.src_uri, ()))
        for item in _toc_items(page.toc):  # a citation in a heading: plain text in the contents
            item.title = PLACEHOLDER.sub(lambda m: _plain(html_of[m.group(1) or m.group(2)]), item.title)
        return content

    def fill_in_later(self, content: str, page) -> str:
        later = self.later.pop(page.file.src_uri, {})
        return LATER.sub(lambda m: later[m.group(1)], content) if later else content

    def _badge(self, key: str) -> str:
        """A visible note beside each citation of a superseded, withdrawn or retracted work."""
        fields = self.entries[key].fields
        if not fields.get("status"):
            return ""
        replacement = fields.get("replacement")
        label = f"{fields['status'].lower()}"
        if replacement:
            name = _plain(self.formatted.citations[f"[@{replacement}]"]).strip("()")
            label += f' by <a href="#ref-{html.escape(replacement)}">{name}</a>'
        return f' <span class="status-badge status-{html.escape(fields["status"].lower())}">{label[0].upper()}{label[1:]}</span>'

    def _in_order(self, keys: list[str]) -> list[str]:
        return sorted(keys, key=self._position.__getitem__)

    @functools.cached_property
    def _position(self) -> dict[str, int]:
        """Each key's place in the bibliography's order (the style's)."""
        return {key: i for i, key in enumerate(self.formatted.entries)}

    @functools.cache
    def _as_data(self, key: str) -> dict:
        entry = self.entries[key]
        return {"key": key, "type": entry.type, "text": _plain(self.formatted.entries[key]), **plain_fields(entry)}

    def _reference_list(self, keys: list[str], page, bibliography: bool = False) -> str:
        """The full bibliography, with backlinks, or a page's own list (which the PDF leaves out)."""
        exports = get_relative_url(EXPORT_DIR, page.file.url)
        items = [self._entry(key, exports, self._backlinks(key, page, here_only=not bibliography)) for key in self._in_order(keys)]
        kind = "reference-list" if bibliography else "reference-list page-references"
        return f'<ul class="{kind}">\n' + "\n".join(items) + "\n</ul>"

    def _searchable_list(self, keys: list[str]) -> str:
        """What the search index reads of a reference list: each work as a section of its own,
        titled by its short name ("Witt 2006") and found at its entry (#ref-witt2006), so that a
        search answers with the one work, not with the whole list."""
        def title(key: str) -> str:  # as cited ("Sherman 2009a"), or for a work listed uncited, "Sherman 2009"
            cited = self.formatted.citations.get(f"[@{key}]")
            return _plain(cited).strip("()") if cited else html.escape(_short_name(self._as_data(key)))

        return "".join(
            f'<h2 id="ref-{html.escape(key)}">{title(key)}</h2><p>{_plain(self._badge(key) + " " + self.formatted.entries[key])}</p>'
            for key in self._in_order(keys)
        )

    @functools.cache
    def _entry(self, key: str, exports: str, backlinks: str) -> str:
        """A reference list item; `exports` is the relative address of the download folder."""
        parts = [
            self._badge(key).strip(),
            f'<span class="reference-text">{self.formatted.entries[key]}</span>',
            _identifier_links(self.entries[key].fields, _export_links(key, _short_name(self._as_data(key)), exports)),
            backlinks,
        ]
        return f'<li class="reference" id="ref-{html.escape(key)}">{" ".join(p for p in parts if p)}</li>'

    def exports(self) -> dict[str, str]:
        """{site path: content}: the bibliography as BibTeX (each entry as written) and as RIS."""
        return {
            f"{EXPORT_DIR}/references.bib": "\n".join(entry.raw for entry in self.entries.values()),
            f"{EXPORT_DIR}/references.ris": "\n".join(entry.ris for entry in self.entries.values()),
        }

    def _backlinks(self, key: str, page, here_only: bool = False) -> str:
        """Links from a reference list entry to each place that cites it, named by page and
        section; in a page's own list (`here_only`), to the places on that page, by section."""
        links, seen = [], Counter()
        for path, number, where in self.places.get(key, []):
            if here_only and path != page.file.src_uri:
                continue
            seen[where] += 1
            url = get_relative_url(self.urls[path], page.file.url) if not here_only else ""
            text = where.split(" › ", 1)[-1] if here_only else where
            if seen[where] > 1:  # "Key messages, 2nd citation", not a bare "(2)"
                text += f" ({_ordinal(seen[where])} citation)"
            links.append(f'<a href="{html.escape(url)}#cite-{number}">{html.escape(text)}</a>')
        return f'<span class="reference-backlinks">Cited in: {", ".join(links)}</span>' if links else ""


def _ordinal(n: int) -> str:
    """2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plain(html_text: str) -> str:
    """The text of our own HTML (citations, references), whose escaped text has no tags to keep."""
    return TAG.sub("", html_text)


def _later(name: str, searchable: str = "") -> str:
    """Where `fill_in_later` puts the HTML named `name`; search reads `searchable` there."""
    return f"<!-- later:{name} -->{searchable}<!-- /later -->"


def _in_text_html(pandoc_html: str, number: int) -> str:
    # The link names the work; aria-describedby lets a screen reader read the full reference
    # (listed at the end of the same page) when the link takes focus.
    linked = re.sub(
        r'<a href="#ref-([^"]+)" role="doc-biblioref">',
        r'<a href="#ref-\1" class="citation-link" role="doc-biblioref" aria-describedby="ref-\1">',
        pandoc_html,
    )
    return linked.replace('<span class="citation"', f'<span class="citation" id="cite-{number}"', 1)


def _short_name(fields: dict) -> str:
    """First author and year, e.g. "Witt 2006", to tell screen-reader users which entry a link is for."""
    first = fields["authors"][0].split(",")[0] if fields["authors"] else fields.get("title", "")
    return f"{first} {fields.get('year', '')}".strip()


def _export_links(key: str, name: str, exports: str) -> list[str]:
    """Download links for the entry as BibTeX and RIS.

    The site publishes the whole bibliography in each format (see `SiteCitations.exports`); the
    reference-export script saves just this entry from it, named after its key. Without scripts,
    the link downloads the whole file.
    """
    return [
        f'<a class="reference-export" href="{exports}/references.{kind}" download="{html.escape(key)}.{kind}" '
        f'data-key="{html.escape(key)}">{label}<span class="visually-hidden"> for {html.escape(name)}</span></a>'
        for kind, label in (("bib", "BibTeX"), ("ris", "RIS"))
    ]


def _identifier_links(fields: dict[str, str], more: list[str]) -> str:
    links = []
    if doi := fields.get("doi"):
        links.append(f'<a class="reference-doi" href="https://doi.org/{html.escape(doi)}">DOI: {html.escape(doi)}</a>')
    if pmid := fields.get("pmid"):
        links.append(f'<a class="reference-pubmed" href="https://pubmed.ncbi.nlm.nih.gov/{html.escape(pmid)}/">PubMed: {html.escape(pmid)}</a>')
    if not links and (url := fields.get("url")):
        links.append(f'<a class="reference-url" href="{html.escape(url)}">{html.escape(url)}</a>')
    # Downloads get a span of their own, which the PDF leaves out (pdf.css).
    downloads = f'<span class="reference-exports">{" · " if links else ""}{" · ".join(more)}</span>'
    return f'<span class="reference-links">{" · ".join(links)}{downloads}</span>'


class PlainRisWriter(rispy.RisWriter):
    def set_header(self, count):  # reference managers expect each record to open with "TY"
        return ""


def plain_fields(entry: BibEntry) -> dict:
    """The entry's fields as other formats want them: no protective braces, authors as a list."""
    fields = {name: re.sub(r"[{}]|\\(?=&)", "", value) for name, value in entry.fields.items()}
    fields["authors"] = [a for a in fields.get("author", "").split(" and ") if a and a != "others"]
    return fields


def _ris_record(entry: BibEntry) -> dict:
    fields = plain_fields(entry)
    first, _, last = fields.get("pages", "").partition("--")
    record = {
        "type_of_reference": RIS_TYPES.get(entry.type, "GEN"),
        "authors": fields["authors"],
        "secondary_authors": [e for e in fields.get("editor", "").split(" and ") if e],
        "primary_title": fields.get("title"),
        "secondary_title": fields.get("journal") or fields.get("booktitle"),
        "year": fields.get("year"),
        "volume": fields.get("volume"),
        "number": fields.get("number"),
        "start_page": first or None,
        "end_page": last or None,
        "publisher": fields.get("publisher") or fields.get("institution"),
        "place_published": fields.get("address"),
        "issn": fields.get("isbn"),
        "doi": fields.get("doi"),
        "accession_number": fields.get("pmid"),
        "urls": [fields["url"]] if fields.get("url") else None,
    }
    return {name: value for name, value in record.items() if value}


def stop_on(problems: list[str]) -> None:
    for problem in problems:
        log.error(problem)
    if problems:
        raise CitationError(f"{len(problems)} citation problem(s), listed above.")


# --- MkDocs events ---------------------------------------------------------------------------

site: SiteCitations | None = None


@event_priority(100)  # before mkdocs-bibtex parses the bibliography, which would crash on bad input
def on_config(config):
    global site
    bibtex = config.plugins.get("bibtex")
    if bibtex is None:
        raise PluginError("overrides/hooks/citations.py needs the bibtex plugin in mkdocs.yml")
    # This hook reads the bibliography and renders the citations, so mkdocs-bibtex's own passes
    # would only repeat the work: a second parse of the bibliography (0.6 s for 1,000 entries)
    # and a second rendering of every page. Its options in mkdocs.yml stay the configuration.
    config.plugins.events["config"].remove(bibtex.on_config)
    config.plugins.events["page_markdown"].remove(bibtex.on_page_markdown)
    site = SiteCitations(config, bibtex)


def on_files(files, config):
    # The style sits in the theme folder (overrides/), whose files MkDocs publishes; it is build
    # input, not part of the site.
    style = site.csl.resolve()
    for file in list(files):
        if file.abs_src_path and file.abs_src_path.endswith(style.name) and Path(file.abs_src_path).resolve() == style:
            files.remove(file)
    site.collect(files, dict(_nav_titles(config.nav or [])))
    for path, content in site.exports().items():
        files.append(File.generated(config, path, content=content))


def _nav_titles(items):
    """(page path, title) pairs from mkdocs.yml's nav, whose short titles suit backlinks."""
    for item in items:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, str):
                    yield target, title
                else:
                    yield from _nav_titles(target)


def on_page_markdown(markdown, page, config, files):
    return site.render_page(markdown, page)


@event_priority(100)  # before other hooks read the page's HTML (page_metadata.py, pdf.py)
def on_page_content(html_text, page, config, files):
    return site.fill_in(html_text, page)


@event_priority(-100)  # after the search plugin has indexed the page
def on_page_context(context, page, config, nav):
    page.content = site.fill_in_later(page.content, page)
    return context


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)
