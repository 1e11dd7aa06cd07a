"""The warning signs with back pain as data (evidence/warning-signs.yml): read with the line of each
tier and sign, so that the tests and the safety line use the one copy, and a mistake in the file is a
Problem with its line. Works without MkDocs."""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs_factsheet.ledger.records import load_located, one_line
from mkdocs_factsheet.problems import Problem

SHAPE = ("write tiers: as a list, each with box: (the box's title on the home page), signs: (a list, "
         "one sign a line, in quotes) and, for the signs the safety line names, safety_line: (its words before them)")


@dataclass
class Tier:
    box: str
    signs: list[str]
    safety_line: str = ""
    line: int = 1


def read_warning_signs(text: str, name: str = "evidence/warning-signs.yml") -> tuple[list[Tier], list[Problem]]:
    problems: list[Problem] = []
    data = load_located(text, name, problems)
    if data is None:
        return [], problems
    tiers = data.get("tiers") if isinstance(data, dict) else None
    if not isinstance(tiers, list) or not tiers:
        return [], problems + [Problem(SHAPE, name, getattr(data, "key_lines", {}).get("tiers", 1), severity="warning")]
    found = []
    for tier in tiers:
        line = getattr(tier, "line", 1)
        signs = tier.get("signs") if isinstance(tier, dict) else None
        if not isinstance(tier, dict) or not one_line(tier.get("box")) or not isinstance(signs, list) or not signs \
                or not all(isinstance(sign, str) and sign.strip() for sign in signs):
            problems.append(Problem(SHAPE, name, line, severity="warning"))
            continue
        found.append(Tier(one_line(tier["box"]), [one_line(sign) for sign in signs], one_line(tier.get("safety_line")), line))
    return found, problems
