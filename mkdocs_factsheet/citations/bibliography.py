"""Reads and checks the bibliography: one pybtex parse, which also says where each entry stands.

Everything else (pandoc's input, the downloadable BibTeX and RIS, the data the other plugins use) is made
from this one parse, so no other reader of references.bib can see different entries: pandoc gets
the entries pybtex read, written out again with @string macros expanded.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from pybtex.bibtex.utils import split_name_list
from pybtex.database.input.bibtex import LowLevelParser, Parser
from pybtex.backends.plaintext import Backend
from pybtex.richtext import Text
from pybtex.scanner import PybtexSyntaxError

from ..problems import Problem


# Fields every entry of a type must have, so that no reference renders half empty.
REQUIRED_FIELDS = {
    "article": ("author", "title", "journal", "year"),
    "book": ("title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": ("title", "year"),
}

# pybtex's plain-text renderer (`render_as("text")` would look it up among the entry points each time).
PLAIN_TEXT = Backend()

# `status` marks a reference that should no longer be relied on; `replacement` names the key of
# the work that replaces it. Every citation of such a reference shows a badge (see README).
STATUSES = ("superseded", "withdrawn", "retracted")

# The fields the site publishes (downloads, JSON-LD, Scholar tags) and gives pandoc. Bibliography
# entries come from outside (exporters, copied records), so anything else stays in references.bib:
# Zotero's `file` and `annotation`, Mendeley's paths and `mendeley-groups`, JabRef's `owner` and
# `timestamp` may be private, and an abstract or notes are only weight for pandoc.
PUBLISHED_FIELDS = frozenset({
    "author", "editor", "title", "journal", "booktitle", "year", "date", "month", "volume", "number", "issue",
    "pages", "chapter", "edition", "series", "publisher", "institution", "organization", "school", "address",
    "location", "type", "howpublished", "doi", "pmid", "pmcid", "url", "isbn", "issn",
    "note",  # printed with the reference by every style: here, which fields no public record showed
    "status", "replacement",  # this site's own: see STATUSES
})
# Read, then turned into published fields: biblatex's names, and a parent entry's key.
READ_FIELDS = PUBLISHED_FIELDS | {"journaltitle", "crossref"}
# Fields whose value is an identifier, never LaTeX.
IDENTIFIERS = ("pages", "doi", "url", "pmid", "pmcid")
# Where a field's value becomes a link: only web addresses may (never javascript:, data: and the like).
WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
LATEX_LINK = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
DOI = re.compile(r"10\.\d{4,9}/\S+")
# What pandoc's BibTeX reader cannot read in an entry key (it stops with an error of its own).
PANDOC_KEY_REJECTS = re.compile(r'["{}#%\\~|<>^]')
# Zero-width and other invisible characters that a copy-paste brings along.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# A `%` not written as `\%`: pandoc's BibTeX reader, like LaTeX, takes the rest of the line as a
# comment, so the reference would be cut short.
COMMENT_SIGN = re.compile(r"(?<!\\)%")

# What only pybtex's LaTeX reader can read: a command (other than the escaped signs below), a
# tie (~), math ($), TeX's quotes (`` '' ,, !` ?`) or a comment.
LATEX_TO_READ = re.compile(r"\\(?![&%#_])|(?<!\\)%|[~`$]|''|,,")
ESCAPED_SIGN = re.compile(r"\\([&%#_])")
# LaTeX that pybtex's reader leaves as a command, read here as readers see it: text styles as their
# text, biblatex's quotes as quotes, sorting tricks as nothing, simple math as its text.
STYLED = re.compile(r"\\(?:text(?:it|bf|sc|sl|up|rm|sf|tt|md|normal|subscript|superscript)|emph|mkbib(?:emph|italic|bold))\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
QUOTED = re.compile(r"\\mkbibquote\s*\{([^{}]*)\}")
LINKED = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}|\\url\s*\{([^{}]*)\}")  # as its text (links: link_problems)
DROPPED = re.compile(r"\\noopsort\s*\{[^{}]*\}|\\relax\b\s*(?:\{\})?")
MATH = re.compile(r"(?<!\\)\$([^$]*)\$")
MATH_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "chi": "χ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "pm": "±", "times": "×", "approx": "≈", "ne": "≠", "neq": "≠",
    "lt": "<", "gt": ">", "%": "%", ",": "\u2009", " ": " ", ";": " ", "cdot": "·",
}
MATH_COMMAND = re.compile(r"\\([A-Za-z]+|[%,; ])")
COMMAND_LEFT = re.compile(r"\\[A-Za-z]")


@dataclass
class BibEntry:
    key: str
    type: str
    line: int
    fields: dict[str, str]  # lower-case names; people as "Last, First and Last, First"
    bibtex: str  # the entry as BibTeX, macros expanded: what pandoc reads and readers download
    plain: dict | None = field(default=None, compare=False)  # plain_fields(), made once


class Bibliography:
    """The entries of a bib file that passed every check, in file order."""

    def __init__(self, entries: dict[str, BibEntry]):
        self.entries = entries

    @property
    def bibtex(self) -> str:
        return "\n".join(entry.bibtex for entry in self.entries.values())

    def entry_at(self, line: int) -> BibEntry | None:
        """The entry at a line of `bibtex`, where pandoc reports a problem. pandoc notices a field
        left open (a value ending in a backslash) only at the next entry's `@`, or at the end."""
        start, previous = 1, None
        for entry in self.entries.values():
            if line == start and previous:
                return previous
            start += entry.bibtex.count("\n") + 1  # the entry's lines, and the line joining them
            if line < start:
                return entry
            previous = entry
        return previous


def read_bibliography(data: bytes, name: str) -> tuple[Bibliography, list[Problem]]:
    """The bib file's entries, and one `name:line: message` per problem in it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return Bibliography({}), [Problem(f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8", name, line)]
    # One normal form, so a precomposed and a decomposed "Müller" are one author, one key.
    text = unicodedata.normalize("NFC", text)
    reader = _PositionedParser(name)
    try:
        entries = reader.read(text)
    except PybtexSyntaxError as error:
        return Bibliography({}), [reader.syntax_problem(text, error)]
    problems = reader.problems + _check_entries(entries, name)
    return Bibliography(entries if not problems else {}), problems


class _PositionedParser(Parser):
    """pybtex's BibTeX parser, noting the line where each entry starts.

    It drives pybtex's own low-level parser the way `Parser.parse_string` does, reading the
    entry's fields as written (macros expanded) and where the command began.
    """

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.problems: list[Problem] = []
        self.low_level: LowLevelParser | None = None
        self.raw_lines: dict[str, tuple[int, str]] = {}  # key -> (line, text) while reading

    def handle_error(self, error):
        raise error

    def read(self, text: str) -> dict[str, BibEntry]:
        self.low_level = commands = LowLevelParser(text, handle_error=self.handle_error, macros=self.macros)
        entries: dict[str, BibEntry] = {}
        by_lower: dict[str, BibEntry] = {}
        counted, line = 0, 1
        for command, body in commands:
            line += text.count("\n", counted, commands.command_start)
            counted = commands.command_start
            if command.lower() in ("string", "preamble"):
                continue
            key, fields = body
            if first := by_lower.get(key.lower()):
                same = "" if first.key == key else f" as '{first.key}'; keys that differ only in case are the same key to BibTeX"
                self.problems.append(Problem(f"duplicate key '{key}' (first defined at line {first.line}{same})", self.name, line))
                continue
            raw = text[commands.command_start : commands.pos]
            if bad := PANDOC_KEY_REJECTS.search(key) or INVISIBLE.search(key):
                self.problems.append(Problem(f"entry key '{key}' holds {_named(bad.group())}, which pandoc cannot read "
                                             f"in a key: use letters, digits and - _ : . / + & only", self.name, line))
            if comment := _bare_percent(raw, {name.lower() for name, _ in fields}):
                self.problems.append(Problem(
                    f"entry '{key}': a bare % starts a comment (pandoc drops the rest of the line); write \\% for a per cent sign",
                    self.name, line + raw.count("\n", 0, comment),
                ))
            values, seen = {}, set()
            for name, parts in fields:
                name = name.lower()
                if name in seen:
                    self.problems.append(Problem(f"entry '{key}' has field '{name}' twice", self.name, line))
                seen.add(name)
                if name in READ_FIELDS:  # the rest is never read: an abstract may be megabytes
                    values[name] = " ".join("".join(parts).split())
            entry = BibEntry(key, command.lower(), line, _biblatex_names(values), "")
            self.raw_lines[key] = (line, raw)
            self._read_latex(entry)
            entries[key] = by_lower[key.lower()] = entry
        self._inherit(entries, by_lower)
        for entry in entries.values():
            entry.bibtex = _as_bibtex(entry.type, entry.key, entry.fields)
        self.raw_lines.clear()
        return entries

    def _read_latex(self, entry: BibEntry) -> None:
        """Makes the entry's plain fields once (cached with the checked entries), reporting LaTeX
        that cannot become text at the line of its field."""
        line, raw = self.raw_lines[entry.key]
        entry.plain = None
        try:
            plain_fields(entry)
        except UnreadableLatex as error:
            written = re.search(rf"^\s*{re.escape(error.field_name)}\s*=", raw, re.MULTILINE | re.IGNORECASE)
            at = line + raw.count("\n", 0, written.start()) if written else line
            self.problems.append(Problem(
                f"entry '{entry.key}': the {error.field_name} has the LaTeX command {error.command}, "
                f"which the site cannot show as text: write what it should say instead" if error.command else
                f"entry '{entry.key}': the {error.field_name} has a backslash that pybtex cannot read "
                f"as LaTeX; write \\textbackslash{{}} for a backslash itself, or take it out",
                self.name, at,
            ))

    def _inherit(self, entries: dict[str, BibEntry], by_lower: dict[str, BibEntry]) -> None:
        """`crossref`: a child takes the fields it lacks from its parent, as BibTeX, biblatex and
        pandoc do (the parent's title as the child's booktitle); so each entry stands on its own."""
        for entry in entries.values():
            parent_key = entry.fields.pop("crossref", None)
            if parent_key is None:
                continue
            parent = by_lower.get(parent_key.lower())
            if parent is None or parent is entry:
                self.problems.append(Problem(f"entry '{entry.key}' has crossref '{parent_key}', which is not in the bibliography",
                                             self.name, entry.line))
                continue
            inherited = dict(parent.fields)
            inherited.pop("crossref", None)
            if "title" in inherited:
                inherited.setdefault("booktitle", inherited.pop("title"))
            for name in ("status", "replacement"):
                inherited.pop(name, None)
            entry.fields = {**{k: v for k, v in inherited.items() if k not in entry.fields}, **entry.fields}
            self._read_latex(entry)

    def syntax_problem(self, text: str, error: PybtexSyntaxError) -> Problem:
        """Names the line where the fault is, which is often before the line where pybtex noticed it."""
        commands = self.low_level
        line = error.lineno or 1
        start = commands.command_start or 0
        start_line = text.count("\n", 0, start) + 1
        key = commands.current_entry_key
        where = f" in entry '{key}'" if key else ""
        lines = text.splitlines()
        noticed = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        if key and noticed.startswith("@") and line > start_line:
            return Problem(f"entry '{key}' is not closed before the next entry at line {line}", self.name, start_line)
        previous = line - 1
        while previous > 0 and not lines[previous - 1].strip():
            previous -= 1
        if previous and re.match(r"\w+\s*=", noticed) and not lines[previous - 1].rstrip().endswith((",", "{", "(")):
            return Problem(f"syntax error{where}: missing ',' at the end of this line", self.name, previous)
        message = str(error).split(": ", 1)[-1]
        return Problem(f"syntax error{where}: {message}", self.name, line)


def _biblatex_names(values: dict[str, str]) -> dict[str, str]:
    """biblatex's `journaltitle` as the journal, and the year of a `date` (2020-03) as the year."""
    if "journaltitle" in values:
        title = values.pop("journaltitle")
        values.setdefault("journal", title)
    if "year" not in values and (year := re.match(r"\s*(\d{4})\b", values.get("date", ""))):
        values["year"] = year.group(1)
    return values


# Where each field starts in an entry's text: `name =` after `{`, `(` or `,`.
FIELD_START = re.compile(r"[{(,]\s*([A-Za-z][\w:.-]*)\s*=")


def _bare_percent(raw: str, names: set[str]) -> int | None:
    """Where the first bare `%` stands in a published field that pandoc reads as LaTeX, if one does.
    A `url` is read as typed, so a percent-encoded address (`a%20b`) is right as it is. `names`:
    the entry's field names, so that `, x =` inside a value is not taken for a field."""
    if not COMMENT_SIGN.search(raw):
        return None
    starts = [(m.start(), m.group(1).lower()) for m in FIELD_START.finditer(raw) if m.group(1).lower() in names]
    positions = [start for start, _ in starts]
    for comment in COMMENT_SIGN.finditer(raw):
        at = bisect.bisect_right(positions, comment.start()) - 1
        name = starts[at][1] if at >= 0 else ""
        if at < 0 or (name in READ_FIELDS and name != "url"):
            return comment.start()
    return None


def _named(char: str) -> str:
    return f"'{char}'" if char.isprintable() and not INVISIBLE.match(char) else f"an invisible character (U+{ord(char):04X})"


def _as_bibtex(kind: str, key: str, fields: dict[str, str]) -> str:
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}}}\n"


def _check_entries(entries: dict[str, BibEntry], name: str) -> list[Problem]:
    problems = []
    doi_line: dict[str, int] = {}
    for key, entry in entries.items():
        fields = entry.fields
        missing = [f for f in REQUIRED_FIELDS.get(entry.type, ("title",)) if not fields.get(f, "").strip()]
        if missing:
            problems.append(Problem(f"entry '{key}' ({entry.type}) is missing required field(s): {', '.join(missing)}", name, entry.line))
        if doi := fields.get("doi", "").strip().lower():
            if doi in doi_line:
                problems.append(Problem(f"entry '{key}' repeats DOI {doi} (also at line {doi_line[doi]})", name, entry.line))
            doi_line.setdefault(doi, entry.line)
        status = fields.get("status", "").strip().lower()
        if status and status not in STATUSES:
            problems.append(Problem(f"entry '{key}' has status '{status}'; use one of: {', '.join(STATUSES)}", name, entry.line))
        replacement = fields.get("replacement")
        if replacement and replacement not in entries:
            problems.append(Problem(f"entry '{key}' names replacement '{replacement}', which is not in the bibliography", name, entry.line))
        problems += [Problem(f"entry '{key}': {problem}", name, entry.line) for problem in link_problems(fields)]
    return problems


def link_problems(fields: dict[str, str]) -> list[str]:
    """What would make a link that is not a web address, or an identifier that is not one.

    A `url`, and any `\\url{}` or `\\href{}` in a field, becomes a link (pandoc links the title to
    the url): only http:// and https:// may, never javascript:, data:, vbscript: or a file."""
    problems = []
    url = fields.get("url", "")
    if url and not WEB_ADDRESS.match(url):
        problems.append(f"url '{_shown(url)}' is not a web address: write one that starts https:// (or http://)")
    for name, value in fields.items():
        for target in LATEX_LINK.findall(value):
            if not WEB_ADDRESS.match(target.strip()):
                problems.append(f"the {name} links to '{_shown(target)}', which is not a web address: "
                                f"write one that starts https:// (or http://)")
    if (doi := fields.get("doi")) and not DOI.fullmatch(doi):
        problems.append(f"doi '{_shown(doi)}' is not a DOI: write it as 10.NNNN/…, without https://doi.org/")
    if (pmid := fields.get("pmid")) and not pmid.isdigit():
        problems.append(f"pmid '{_shown(pmid)}' is not a PubMed number: write its digits only")
    for name in IDENTIFIERS:
        if fields.get(name, "").endswith("\\"):  # it would escape the closing brace: pandoc stops
            problems.append(f"the {name} ends with a backslash: take it out")
    if (pmcid := fields.get("pmcid")) and not re.fullmatch(r"PMC\d+", pmcid):
        problems.append(f"pmcid '{_shown(pmcid)}' is not a PubMed Central number: write it as PMC followed by digits")
    return problems


def _shown(value: str) -> str:
    """A value as the message quotes it: short, on one line."""
    value = value.replace("\n", " ")
    return value if len(value) <= 60 else value[:57] + "..."


def plain(latex: str) -> str:
    """A field's text without LaTeX: accents and symbols as Unicode, protective braces gone.

    pybtex's LaTeX reader (latexcodec underneath) costs about 0.3 ms a field, and 70 ms to load,
    so it reads only text that has LaTeX in it. Text without (`LATEX_TO_READ` finds none) holds
    nothing but braces, dashes and the escapes \\& \\% \\# \\_, which are replaced here just as the
    reader would replace them: tests/test_bibliography.py checks the two agree on random text.
    """
    if LATEX_TO_READ.search(latex):
        source, latex = latex, _as_text(latex)
        text = Text.from_latex(latex).render(PLAIN_TEXT) if LATEX_TO_READ.search(latex) else _fast(latex)
        if (command := COMMAND_LEFT.search(text)) and "\\textbackslash" not in source:
            raise LatexCommandLeft(re.match(r"\\[A-Za-z]+", text[command.start():]).group())
        return re.sub(" {2,}", " ", text)
    return _fast(latex)


def _as_text(latex: str) -> str:
    """What pybtex's reader leaves as commands, turned into text it reads as text (see STYLED)."""
    while True:
        text = DROPPED.sub("", STYLED.sub(r"{\1}", QUOTED.sub(r"“\1”", LINKED.sub(lambda m: m.group(1) or m.group(2) or "", latex))))
        if text == latex:
            break
        latex = text
    return MATH.sub(lambda m: _math(m.group(1)), text)


def _math(formula: str) -> str:
    formula = MATH_COMMAND.sub(lambda m: MATH_SYMBOLS.get(m.group(1), m.group(0)), formula)
    return re.sub(r"[_^]\{?([^{}]*)\}?", r"\1", formula).replace("{", "").replace("}", "")


def _fast(latex: str) -> str:
    text = latex.replace("---", "\u2014").replace("--", "\u2013").replace("{", "").replace("}", "")
    return ESCAPED_SIGN.sub(r"\1", text)


class LatexCommandLeft(ValueError):
    """A LaTeX command that neither pybtex's reader nor `_as_text` turns into text."""


class UnreadableLatex(ValueError):
    """A field whose LaTeX pybtex's reader cannot read, such as a backslash that ends the text,
    or a command it would leave as a command (`command`)."""

    def __init__(self, field_name: str, command: str = ""):
        super().__init__(field_name)
        self.field_name = field_name
        self.command = command


def plain_fields(entry: BibEntry) -> dict:
    """The entry's fields as other formats want them (JSON-LD, Google Scholar, RIS): Unicode text,
    authors as a list. Page ranges keep BibTeX's `--` between first and last page."""
    if entry.plain is not None:
        return entry.plain

    def read(name: str, latex: str) -> str:
        try:
            return plain(latex)
        except LatexCommandLeft as error:
            raise UnreadableLatex(name, str(error)) from error
        except (UnicodeDecodeError, PybtexSyntaxError) as error:  # e.g. a backslash ending the text
            raise UnreadableLatex(name) from error

    fields = {name: value if name in IDENTIFIERS else read(name, value) for name, value in entry.fields.items()}
    fields["pages"] = entry.fields.get("pages", "").replace("{", "").replace("}", "")
    fields["authors"] = [read("author", name) for name in _people(entry.fields.get("author", ""))]
    fields["editors"] = [read("editor", name) for name in _people(entry.fields.get("editor", ""))]
    entry.plain = fields
    return fields


def _people(names: str) -> list[str]:
    return [name for name in split_name_list(names) if name != "others"] if names else []
