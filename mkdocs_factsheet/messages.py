"""Messages in the editor's words: every problem as one `file:line: message` line.

- `yaml_problem` turns a YAML error (a page's front matter, or mkdocs.yml) into the line at fault
  and what to do, from PyYAML's own error mark;
- `MessageLocator` is a logging filter on MkDocs' link, nav and config loggers: it rewrites their
  messages ("Doc file 'index.md' contains a link …") to start `docs/index.md:12:`, the line where
  the link is written, so they read like every other message of the build, and attaches the same
  as a Problem (problems.py) for the editor preview. The loggers are the engine's own: under
  ProperDocs, which answers `import mkdocs` with itself, they are named `properdocs.…`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from mkdocs_factsheet.problems import Problem

# PyYAML's wording of the mistakes editors make, and what to do about each.
YAML_ADVICE = (
    ("mapping values are not allowed",
     "a colon inside a value: put the whole value in double quotes, e.g. title: \"Acupuncture: what the research says\""),
    ("expected <block end>", "this line is indented differently from the lines around it: line it up with them"),
    ("did not find expected key", "this line is indented differently from the lines around it: line it up with them"),
    ("did not find expected '-' indicator", "this line is indented differently from the lines around it: line it up with them"),
    ("found character '\\t' that cannot start any token", "a tab: indent with spaces"),
    ("found a tab character", "a tab: indent with spaces"),
    ("found duplicate anchor", "an & or * at the start of a value: put the value in double quotes"),
    ("found undefined alias", "a * at the start of a value: put the value in double quotes"),
    ("found unexpected end of stream", "a quote is opened and not closed"),
    ("while scanning a quoted scalar", "a quote is opened and not closed"),
)


def yaml_problem(error: yaml.YAMLError, first_line: int = 1) -> tuple[int, str]:
    """(line, message) for a YAML error; `first_line` is the file line of the YAML's first line."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = first_line + mark.line if mark else first_line
    problem = " ".join(str(getattr(error, "problem", "") or error).split())
    context = " ".join(str(getattr(error, "context", "") or "").split())
    for words, advice in YAML_ADVICE:
        if words in problem or words in context:
            return line, f"{advice} (YAML: {problem})"
    return line, f"cannot be read as YAML: {problem}"


LINK = re.compile(r"Doc file '(?P<page>[^']+)' contains (?P<what>a link|an unrecognized relative link|a link to) '(?P<url>[^']+)'(?P<rest>.*)", re.DOTALL)
NAV_REFERENCE = re.compile(r"A reference to '(?P<target>[^']+)' is included in the 'nav' configuration(?P<rest>.*)", re.DOTALL)
CONFIG_VALUE = re.compile(r"Config value '(?P<key>[\w.]+)': (?P<rest>.*)", re.DOTALL)
NOT_IN_NAV = re.compile(r"The following pages exist in the docs directory, but are not included in the \"nav\" configuration:(?P<pages>.*)", re.DOTALL)


def engine_logger(name: str = "") -> logging.Logger:
    """The logger of the engine that runs the build (`mkdocs`, or `properdocs` under ProperDocs),
    or of one of its modules (`structure.pages`)."""
    import mkdocs  # here, not at the top: the ledger's core reads YAML with yaml_problem and runs without MkDocs

    return logging.getLogger(".".join(part for part in (mkdocs.__name__, name) if part))


class MessageLocator(logging.Filter):
    """Puts `docs/page.md:LINE:` (or `mkdocs.yml:LINE:`) in front of MkDocs' link and nav messages."""

    LOGGERS = ("structure.pages", "structure.nav", "config")

    def __init__(self, docs_dir: str, config_file: str | None):
        super().__init__()
        self.docs_dir = Path(docs_dir)
        self.config_file = Path(config_file) if config_file else None
        root = self.config_file.parent if self.config_file else self.docs_dir.parent
        docs = self.docs_dir.resolve()
        self.docs_name = docs.relative_to(root.resolve()).as_posix() if docs.is_relative_to(root.resolve()) else self.docs_dir.name

    def attach(self) -> None:
        for name in self.LOGGERS:
            engine_logger(name).addFilter(self)

    def detach(self) -> None:
        for name in self.LOGGERS:
            engine_logger(name).removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        severity = "error" if record.levelno >= logging.ERROR else "warning" if record.levelno >= logging.WARNING else "info"
        problems = self.locate(record.getMessage(), severity)
        if problems:
            record.msg, record.args = "\n".join(str(p) for p in problems), ()
            record.problems = problems
        return True

    def locate(self, message: str, severity: str = "warning") -> list[Problem]:
        if match := LINK.match(message):
            line = _line_containing(self.docs_dir / match["page"], match["url"])
            rest = match["rest"].removeprefix(",")
            return [Problem(f"contains {match['what']} '{match['url']}',{rest}", f"{self.docs_name}/{match['page']}", line, severity=severity)]
        if self.config_file is None:
            return []
        name = self.config_file.name
        if match := CONFIG_VALUE.match(message):
            key = match["key"].split(".")[0]
            line = _line_containing(self.config_file, f"{key}:", at_start=True)
            return [Problem(f"{match['key']}: {match['rest']}", name, line, severity=severity)]
        if match := NAV_REFERENCE.match(message):
            line = _line_containing(self.config_file, match["target"], after="nav:")
            rest = match["rest"].removeprefix(",").strip()
            return [Problem(f"the nav names '{match['target']}', {rest.replace('the documentation files', f'{self.docs_name}/')}", name, line, severity=severity)]
        if match := NOT_IN_NAV.match(message):
            line = _line_containing(self.config_file, "nav:")
            pages = [p.strip() for p in match["pages"].split("\n  - ") if p.strip()]
            return [Problem(f"{self.docs_name}/{page} is not in the nav: add a line for it under nav:, or readers cannot find it", name, line, severity=severity)
                    for page in pages]
        return []


def _line_containing(path: Path, text: str, after: str | None = None, at_start: bool = False) -> int:
    """The first line of the file holding `text` (after the line holding `after`; at the start of
    the line with at_start), or 1."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(after)), 0) if after else 0
    found = (line.startswith(text) if at_start else text in line for line in lines[start:])
    return next((i + 1 for i, hit in enumerate(found, start) if hit), start + 1)


def docs_path(config, src_uri: str) -> str:
    """A page file as the editor names it: under the docs folder mkdocs.yml sets (`docs/index.md`)."""
    root = Path(config.config_file_path or ".").resolve().parent
    docs = Path(config.docs_dir).resolve()
    folder = docs.relative_to(root).as_posix() if docs.is_relative_to(root) else docs.as_posix()
    return f"{folder}/{src_uri}"
