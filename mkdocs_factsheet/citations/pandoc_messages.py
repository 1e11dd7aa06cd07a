"""What pandoc says, as Problems at the place an editor fixes: the entry in the bib file, the
citation on the page, the style.

pandoc reads copies (the bibliography as bibliography.py writes it, one document holding every
citation), so a position in its messages is one of those copies. Its messages name a line of the
copied bibliography, a key, a TeX formula or a style macro: `read_messages` keeps what each names,
as data; `located` finds it in what the citation core holds (the entries with their lines, each
page's citations with theirs, the style's text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..problems import Problem
from .bibliography import Bibliography
from .syntax import Citation

BIB_ERROR = re.compile(r"Error reading bibliography file \S+:\s*\(line (\d+), column \d+\):\s*(.*)", re.DOTALL)
STYLE_ERROR = re.compile(r"CiteprocParseError:\s*(.*)", re.DOTALL)
KEY_NOT_FOUND = re.compile(r"Citeproc: citation (\S+) not found")
UNDEFINED_MACRO = re.compile(r"Citeproc: undefined macro (\S+)")
TEX_MATH = re.compile(r"Could not convert TeX math (.*), rendering as TeX:")


@dataclass(frozen=True)
class PandocMessage:
    """One message of pandoc's, and what it names."""

    text: str  # pandoc's words, on one line
    severity: str = "warning"  # "error" when pandoc stopped
    detail: str = ""  # what pandoc says went wrong (for TeX math: its parser's complaint)
    bib_line: int | None = None  # a line of the bibliography pandoc read
    key: str = ""  # a cited key pandoc did not find
    formula: str = ""  # TeX math pandoc shows as typed
    macro: str = ""  # a macro the style uses and does not define
    style: bool = False  # pandoc cannot use the style at all


def read_messages(stderr: str, failed: bool) -> list[PandocMessage]:
    """pandoc's stderr as messages: one per `[WARNING]` (with the indented lines under it), and,
    when pandoc failed, its error, which comes last."""
    chunks: list[list[str]] = []
    levels: list[str] = []
    lines = stderr.strip().splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("[WARNING]", "[INFO]")):
            chunks.append([line.split("]", 1)[1].strip()])
            levels.append("info" if line.startswith("[INFO]") else "warning")
        elif line.startswith((" ", "\t")) and chunks:
            chunks[-1].append(line.strip())
        elif line.strip():
            chunks.append([" ".join(" ".join(lines[index:]).split())])  # the error, to the end
            levels.append("error" if failed else "warning")
            break
    return [_message(chunk, level) for chunk, level in zip(chunks, levels)]


def _message(chunk: list[str], severity: str) -> PandocMessage:
    text = chunk[0]
    if match := BIB_ERROR.match(text):
        return PandocMessage(text, severity, " ".join(match[2].split()), bib_line=int(match[1]))
    if match := STYLE_ERROR.match(text):
        return PandocMessage(text, severity, match[1], style=True)
    if match := KEY_NOT_FOUND.match(text):
        return PandocMessage(text, severity, key=match[1])
    if match := UNDEFINED_MACRO.match(text):
        return PandocMessage(text, severity, macro=match[1])
    if match := TEX_MATH.match(text):
        complaint = next((line for line in chunk[1:] if line.startswith("unexpected")), "")
        return PandocMessage(text, severity, complaint, formula=match[1])
    return PandocMessage(text, severity)


@dataclass
class Places:
    """Where pandoc's input came from: the bibliography and style (with the names mkdocs.yml gives
    them) and every citation with its page file (None for a document of its own)."""

    bibliography: Bibliography
    bib_name: str
    style: bytes = b""
    style_name: str = ""
    citations: list[tuple[str | None, Citation]] = field(default_factory=list)


def located(message: PandocMessage, places: Places) -> list[Problem]:
    """The message as Problems, one per place it is about (a key cited twice: two), or unlocated."""
    severity = message.severity
    if message.bib_line is not None and (entry := places.bibliography.entry_at(message.bib_line)):
        return [Problem(f"entry '{entry.key}': pandoc cannot read this entry ({message.detail})", places.bib_name, entry.line, severity=severity)]
    if message.style:
        return [Problem(f"pandoc cannot use this citation style: {message.detail}", places.style_name or None,
                        _style_line(places.style, "<style"), severity=severity)]
    if message.macro:
        return [Problem(f"the style uses the macro '{message.macro}', which it does not define (no <macro name=\"{message.macro}\">)",
                        places.style_name or None, _style_line(places.style, f'macro="{message.macro}"'), severity=severity)]
    if message.key:
        return [Problem(f"pandoc cannot find the cited key '{message.key}' in the bibliography", page, citation.line or None, severity=severity)
                for page, citation in places.citations if message.key in citation.keys] or [Problem(f"pandoc: {message.text}", severity=severity)]
    if message.formula:
        why = f" ({message.detail})" if message.detail else ""
        advice = f"pandoc cannot read the TeX math ${message.formula}${why} and shows it as typed: correct it, or write it as plain text"
        problems = [Problem(f"entry '{entry.key}': {advice}", places.bib_name, entry.line, severity=severity)
                    for entry in places.bibliography.entries.values() if message.formula in entry.bibtex]
        problems += [Problem(f"citation {citation.source}: {advice}", page, citation.line or None, severity=severity)
                     for page, citation in places.citations if message.formula in citation.source]
        if problems:
            return problems
    return [Problem(f"pandoc: {message.text}", severity=severity)]


def _style_line(style: bytes, text: str) -> int | None:
    """The first line of the style holding `text`."""
    for number, line in enumerate(style.decode("utf-8", errors="replace").splitlines(), 1):
        if text in line:
            return number
    return None
