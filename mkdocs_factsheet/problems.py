"""One problem of the build, as data: where it is, how bad, what is wrong and what to do.

Every plugin of the package logs a problem with `report(log, problem)`: the logger prints it as
one `file:line: message` line (the terminal, and `--strict` counting warnings), and carries the
Problem itself as `extra={"problem": problem}`, which the editor preview (editor_preview.py) reads
from the log record as it is, never by parsing the text back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


@dataclass(frozen=True)
class Problem:
    message: str  # what is wrong, e.g. "unknown citation key 'wit2006' (did you mean 'witt2006'?)"
    file: str | None = None  # as the editor names it: docs/evidence.md, references.bib, mkdocs.yml
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # "error", "warning" or "info" (LEVELS)
    hint: str = ""  # what to do about it, where the message does not already say

    @property
    def where(self) -> str:
        """`file:line:column`, as far as they are known."""
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part) if self.file else ""

    @property
    def text(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return f"{self.where}: {self.text}" if self.where else self.text


def report(log: logging.Logger | logging.LoggerAdapter, problem: Problem) -> None:
    """Logs the problem at its level, with the Problem itself attached to the record."""
    log.log(LEVELS[problem.severity], str(problem), extra={"problem": problem})


def from_record(record: logging.LogRecord) -> list[Problem]:
    """The problems a log record carries (`problem`, or `problems` for a message about several);
    for a message logged without one, its text, unlocated."""
    if isinstance(problem := getattr(record, "problem", None), Problem):
        return [problem]
    if problems := getattr(record, "problems", None):
        return list(problems)
    severity = "error" if record.levelno >= logging.ERROR else "warning" if record.levelno >= logging.WARNING else "info"
    return [Problem(record.getMessage(), severity=severity)]
