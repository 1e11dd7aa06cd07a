"""Reads and checks the bibliography: one pybtex parse, which also says where each entry stands.

Everything else (pandoc's input, the downloadable BibTeX and RIS, the data other hooks use) is made
from this one parse, so no other reader of references.bib can see different entries: pandoc gets
the entries pybtex read, written out again with @string macros expanded.
"""

from __future__ import annotations

import re
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

# A `%` not written as `\%`: pandoc's BibTeX reader, like LaTeX, takes the rest of the line as a
# comment, so the reference would be cut short.
COMMENT_SIGN = re.compile(r"(?<!\\)%")

# What only pybtex's LaTeX reader can read: a command (other than the escaped signs below), a
# tie (~), math ($), TeX's quotes (`` '' ,, !` ?`) or a comment.
LATEX_TO_READ = re.compile(r"\\(?![&%#_])|(?<!\\)%|[~`$]|''|,,")
ESCAPED_SIGN = re.compile(r"\\([&%#_])")


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


def read_bibliography(data: bytes, name: str) -> tuple[Bibliography, list[Problem]]:
    """The bib file's entries, and one Problem (in file `name`) per problem in it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return Bibliography({}), [Problem(f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8", name, line)]
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
            if comment := COMMENT_SIGN.search(raw):
                self.problems.append(Problem(
                    f"entry '{key}': a bare % starts a comment (pandoc drops the rest of the line); write \\% for a per cent sign",
                    self.name, line + raw.count("\n", 0, comment.start()),
                ))
            values = {}
            for name, parts in fields:
                if name.lower() in values:
                    self.problems.append(Problem(f"entry '{key}' has field '{name.lower()}' twice", self.name, line))
                values[name.lower()] = " ".join("".join(parts).split())
            entry = BibEntry(key, command.lower(), line, values, _as_bibtex(command.lower(), key, values))
            try:
                plain_fields(entry)  # made once, and cached with the checked entries
            except UnreadableLatex as error:
                written = re.search(rf"^\s*{re.escape(error.field_name)}\s*=", raw, re.MULTILINE | re.IGNORECASE)
                at = line + raw.count("\n", 0, written.start()) if written else line
                self.problems.append(Problem(
                    f"entry '{key}': the {error.field_name} has a backslash that pybtex cannot read "
                    f"as LaTeX; write \\textbackslash{{}} for a backslash itself, or take it out", self.name, at,
                ))
            entries[key] = by_lower[key.lower()] = entry
        return entries

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
    return problems


def plain(latex: str) -> str:
    """A field's text without LaTeX: accents and symbols as Unicode, protective braces gone.

    pybtex's LaTeX reader (latexcodec underneath) costs about 0.3 ms a field, and 70 ms to load,
    so it reads only text that has LaTeX in it. Text without (`LATEX_TO_READ` finds none) holds
    nothing but braces, dashes and the escapes \\& \\% \\# \\_, which are replaced here just as the
    reader would replace them: tests/test_bibliography.py checks the two agree on random text.
    """
    if LATEX_TO_READ.search(latex):
        return Text.from_latex(latex).render(PLAIN_TEXT)
    text = latex.replace("---", "\u2014").replace("--", "\u2013").replace("{", "").replace("}", "")
    return ESCAPED_SIGN.sub(r"\1", text)


class UnreadableLatex(ValueError):
    """A field whose LaTeX pybtex's reader cannot read, such as a backslash that ends the text."""

    def __init__(self, field_name: str):
        super().__init__(field_name)
        self.field_name = field_name


def plain_fields(entry: BibEntry) -> dict:
    """The entry's fields as other formats want them (JSON-LD, Google Scholar, RIS): Unicode text,
    authors as a list. Page ranges keep BibTeX's `--` between first and last page."""
    if entry.plain is not None:
        return entry.plain

    def read(name: str, latex: str) -> str:
        try:
            return plain(latex)
        except (UnicodeDecodeError, PybtexSyntaxError) as error:  # e.g. a backslash ending the text
            raise UnreadableLatex(name) from error

    fields = {name: value if name in ("pages", "doi", "url", "pmid") else read(name, value) for name, value in entry.fields.items()}
    fields["pages"] = entry.fields.get("pages", "").replace("{", "").replace("}", "")
    fields["authors"] = [read("author", name) for name in _people(entry.fields.get("author", ""))]
    fields["editors"] = [read("editor", name) for name in _people(entry.fields.get("editor", ""))]
    entry.plain = fields
    return fields


def _people(names: str) -> list[str]:
    return [name for name in split_name_list(names) if name != "others"] if names else []
