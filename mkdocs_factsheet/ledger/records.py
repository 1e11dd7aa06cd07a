"""The ledger's files as data: works.yml and claims/<page>.yml read with the line of each entry and
field, and what could not be read as a Problem (the package's one type, mkdocs_factsheet/problems.py:
a warning, so that `mkdocs build --strict` fails on it); a project's pages, ledger and bibliography keys from disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from mkdocs_factsheet.ledger.sentences import normal
from mkdocs_factsheet.ledger.vocabulary import CLAIM_FIELDS, WORK_FIELDS
from mkdocs_factsheet.messages import yaml_problem
from mkdocs_factsheet.problems import Problem


@dataclass
class Work:
    key: str
    design: str
    seen: str
    line: int


@dataclass
class Claim:
    page: str  # docs-relative, e.g. "evidence.md"
    file: str  # e.g. "evidence/claims/evidence.yml"
    line: int
    says: str
    cites: tuple[str, ...]
    source: str
    seen: str
    checked: date | None
    fact: str = ""
    correction: dict = field(default_factory=dict)
    other_designs: tuple[str, ...] = ()
    lines: dict = field(default_factory=dict)  # field name -> its line


@dataclass
class Ledger:
    works: dict[str, Work] = field(default_factory=dict)
    claims: dict[str, list[Claim]] = field(default_factory=dict)  # page -> its claims
    claim_files: dict[str, str] = field(default_factory=dict)  # page -> its claims file
    problems: list[Problem] = field(default_factory=list)  # what could not be read
    works_file: str = "evidence/works.yml"
    claims_dir: str = "evidence/claims"

    def claims_file(self, page: str) -> str:
        return self.claim_files.get(page) or f"{self.claims_dir}/{page.removesuffix('.md')}.yml"

    def all_claims(self):
        for claims in self.claims.values():
            yield from claims


class _Located(dict):
    line = 0
    key_lines: dict = {}


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, remembering the line of each mapping and of each of its keys."""


def _mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            line = key.start_mark.line + 1
            if key.value in mapping.key_lines:  # YAML would keep the last silently (a merge can leave two)
                loader.duplicates.append((key.value, line, mapping.key_lines[key.value]))
            else:
                mapping.key_lines[key.value] = line
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
# Dates stay text here, so that a date that is no date (2026-13-01) is a message, not an exception.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _day(value) -> date | str | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return str(value)


def load_located(text: str, name: str, problems: list[Problem]):
    """YAML as data whose mappings know their line (`.line`, `.key_lines`); a mistake, or a key
    written twice, is added to `problems` as `name:line: what to change`."""
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        line, message = yaml_problem(error)
        problems.append(Problem(message, name, line, severity="warning"))
        return None
    finally:
        loader.dispose()
    for key, line, first in loader.duplicates:
        problems.append(Problem(f"{key} is written twice (first at line {first}), and only this one would count: keep one",
                                name, line, severity="warning"))
    return data


def one_line(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def read_ledger(works_text: str | None, claims_texts: dict[str, str], works_file: str = "evidence/works.yml",
                claims_dir: str = "evidence/claims") -> Ledger:
    """The ledger from its files' text: works.yml's, and each claims file's by page ("evidence.md")."""
    ledger = Ledger(works_file=works_file, claims_dir=claims_dir)
    problems = ledger.problems
    data = load_located(works_text, works_file, problems) if works_text is not None else {}
    if data is not None and not isinstance(data, dict):
        problems.append(Problem("write one entry per work: its key, a colon, then design: and seen: indented under it",
                                works_file, 1, severity="warning"))
    for key, entry in (data or {}).items() if isinstance(data, dict) else ():
        line = data.key_lines.get(key, 1)
        if not isinstance(entry, dict):
            problems.append(Problem(f"{key}: give design: and seen: indented under the key", works_file, line, severity="warning"))
            continue
        for name in entry:
            if name not in WORK_FIELDS:
                problems.append(Problem(f"{key}: unknown field '{name}': a work has design: and seen:",
                                        works_file, entry.key_lines.get(name, line), severity="warning"))
        ledger.works[str(key)] = Work(str(key), one_line(entry.get("design")), one_line(entry.get("seen")), line)
    for page, text in claims_texts.items():
        name = f"{claims_dir}/{page.removesuffix('.md')}.yml"
        ledger.claim_files[page] = name
        ledger.claims[page] = _read_claims(page, name, text, problems)
    return ledger


def _read_claims(page: str, name: str, text: str, problems: list[Problem]) -> list[Claim]:
    data = load_located(text, name, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem("write the claims as a list: each entry starts with '- says:'", name, 1, severity="warning"))
        return []
    claims = []
    for entry in data:
        if not isinstance(entry, dict):
            problems.append(Problem("each entry is says:, cites:, source:, seen: and checked: under one '-'", name, getattr(entry, "line",
                                    1), severity="warning"))
            continue
        line = entry.key_lines.get("says", entry.line)
        for key in entry:
            if key not in CLAIM_FIELDS:
                problems.append(Problem(f"unknown field '{key}': an entry has {', '.join(CLAIM_FIELDS)}",
                                        name, entry.key_lines.get(key, line), severity="warning"))
        cites = entry.get("cites")
        if cites is None or isinstance(cites, str):
            cites = [cites] if cites else []
        correction = entry.get("correction") or {}
        if not isinstance(correction, dict):
            problems.append(Problem("correction: needs factsheet_said: and why: indented under it", name, entry.key_lines.get("correction",
                                    line), severity="warning"))
            correction = {}
        others = entry.get("other_designs") or []
        claims.append(Claim(
            page=page, file=name, line=line, says=normal(one_line(entry.get("says"))),
            cites=tuple(str(key) for key in cites), source=one_line(entry.get("source")), seen=one_line(entry.get("seen")),
            checked=_day(entry.get("checked")), fact=one_line(entry.get("fact")), correction=correction,
            other_designs=tuple(str(word) for word in (others if isinstance(others, list) else [others])),
            lines=dict(entry.key_lines),
        ))
    return claims


@dataclass
class Project:
    root: Path
    docs: str = "docs"
    works: str = "evidence/works.yml"
    claims: str = "evidence/claims"
    bib_file: str = "references.bib"

    def pages(self) -> dict[str, str]:
        docs = self.root / self.docs
        return {path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8-sig") for path in sorted(docs.rglob("*.md"))}

    def ledger(self) -> Ledger:
        works = self.root / self.works
        claims_dir = self.root / self.claims
        texts = {}
        if claims_dir.is_dir():
            for path in sorted(claims_dir.rglob("*.yml")):
                texts[path.relative_to(claims_dir).with_suffix(".md").as_posix()] = path.read_text(encoding="utf-8-sig")
        works_text = works.read_text(encoding="utf-8-sig") if works.is_file() else None
        return read_ledger(works_text, texts, self.works, self.claims)

    def bib_keys(self):
        from mkdocs_factsheet.citations.bibliography import read_bibliography

        path = self.root / self.bib_file
        if not path.is_file():
            return None
        bibliography, problems = read_bibliography(path.read_bytes(), self.bib_file)
        return None if problems else set(bibliography.entries)
