"""The command line: `./run ledger check [--all]` and `./run ledger missing docs/page.md`, the ledger
without a build."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from mkdocs_factsheet.ledger.records import Project
from mkdocs_factsheet.ledger.rules import Rules, check
from mkdocs_factsheet.ledger.writing import missing
from mkdocs_factsheet.messages import yaml_problem
from mkdocs_factsheet.review import today


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as data, its !ENV and other tags as their default or nothing."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node, deep=True)
        return values[-1] if values else None
    return None


_ConfigLoader.add_multi_constructor("!", _tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tag)


def plugin_options(config_file: Path) -> dict:
    """The evidence-ledger plugin's options in mkdocs.yml."""
    if not config_file.is_file():
        return {}
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    for item in config.get("plugins") or []:
        if isinstance(item, dict) and "evidence-ledger" in item:
            return item["evidence-ledger"] or {}
    return {}


def main(argv: list[str]) -> int:
    usage = ("usage: ./run ledger check [--all]\n"
             "       ./run ledger missing docs/page.md")
    if not argv or argv[0] not in ("check", "missing"):
        print(usage, file=sys.stderr)
        return 2
    root = Path.cwd()
    try:
        options = plugin_options(root / "mkdocs.yml")
    except yaml.YAMLError as error:
        line, message = yaml_problem(error)
        print(f"mkdocs.yml:{line}: {message}", file=sys.stderr)
        return 2
    project = Project(root, works=options.get("works", "evidence/works.yml"), claims=options.get("claims", "evidence/claims"),
                      bib_file=options.get("bib_file", "references.bib"))
    ledger = project.ledger()
    if argv[0] == "missing":
        if len(argv) != 2:
            print(usage, file=sys.stderr)
            return 2
        path = Path(argv[1])
        docs = (root / project.docs).resolve()
        if path.suffix != ".md" or not path.is_file() or docs not in path.resolve().parents:
            print(f"{argv[1]}: not a page: name a Markdown file in {project.docs}/, e.g. {project.docs}/index.md", file=sys.stderr)
            return 2
        page = path.resolve().relative_to(docs).as_posix()
        print(missing(page, path.read_text(encoding="utf-8-sig"), ledger, page in options.get("patient_pages", [])), end="")
        return 0
    rules = Rules(covered="all" if "--all" in argv else options.get("covered_pages", "all"),
                  patient_pages=options.get("patient_pages", []), corrections_page=options.get("corrections_page", "corrections.md"),
                  today=today())
    problems = check(project.pages(), ledger, rules, project.bib_keys())
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the evidence ledger" if problems else "The evidence ledger has no problems.")
    return 1 if problems else 0

