"""Review dates: the rules for `last_reviewed` and `next_review`, the clock, and the weekly check.

A passed `next_review` never fails a build or a test (the calendar alone must not block an
urgent fix): the page tells readers "Review overdue since …" and the build prints an INFO line
(mkdocs_factsheet/page_metadata.py). The team is told by the weekly workflow
(.github/workflows/review.yml), which runs this module: `./run review`, or

    python -m mkdocs_factsheet.review [docs]

lists every page whose review is overdue, as `docs/page.md:LINE: …`, and exits 1 if there is one.

The clock: FACTSHEET_TODAY=YYYY-MM-DD sets "today" for the build and this check (tests use it);
without it, today's date.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date, datetime
from pathlib import Path

MAX_REVIEW_INTERVAL_DAYS = 3 * 365 + 1  # three years, a leap day included
CLOCK = "FACTSHEET_TODAY"


def today() -> date:
    """Today, or the date FACTSHEET_TODAY names."""
    value = os.environ.get(CLOCK, "").strip()
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"{CLOCK}={value!r} is not a date: write it as YYYY-MM-DD") from None


def is_day(value) -> bool:
    """A YYYY-MM-DD date as YAML reads it (not a date with a time, which cannot be compared)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def line_of(field: str, source: str) -> int:
    """The line of `field:` in a page's front matter (1 if it is not there)."""
    match = re.search(rf"^{field}\s*:", source, re.MULTILINE)
    return source.count("\n", 0, match.start()) + 1 if match else 1


def review_problems(meta: dict, source: str, on: date) -> list[tuple[int, str]]:
    """(line, problem) for the review dates in a page's front matter: mistakes that stop a build.
    An overdue review is not one of them (see `overdue`)."""
    problems = []
    reviewed, due = meta.get("last_reviewed"), meta.get("next_review")
    for field, value in (("last_reviewed", reviewed), ("next_review", due)):
        if not is_day(value):
            found = f" (found {value})" if value else ""
            problems.append((line_of(field, source), f"front matter needs {field}: YYYY-MM-DD{found}"))
    if problems:
        return problems
    if reviewed > on:
        problems.append((line_of("last_reviewed", source), f"last_reviewed {reviewed} is in the future"))
    if due <= reviewed:
        problems.append((line_of("next_review", source), f"next_review {due} is not after last_reviewed {reviewed}"))
    elif (due - reviewed).days > MAX_REVIEW_INTERVAL_DAYS:
        problems.append((line_of("next_review", source), f"next_review {due} is more than 3 years after last_reviewed {reviewed}"))
    return problems


def overdue(meta: dict, on: date) -> date | None:
    """The page's next_review, if that day has passed."""
    due = meta.get("next_review")
    return due if is_day(due) and due < on else None


def overdue_pages(docs: Path, on: date) -> list[str]:
    """`docs/page.md:LINE: review overdue since …` for each page whose next_review has passed."""
    from mkdocs.utils.meta import get_data  # here: the clock above is read by the ledger's core, which runs without MkDocs

    found = []
    for path in sorted(docs.rglob("*.md")):
        source = path.read_text(encoding="utf-8-sig")
        _, meta = get_data(source)
        if due := overdue(meta, on):
            name = f"{docs.name}/{path.relative_to(docs).as_posix()}"
            found.append(f"{name}:{line_of('next_review', source)}: review overdue since {long_date(due)}: "
                         "check the page, then update last_reviewed and next_review")
    return found


def main(argv: list[str]) -> int:
    docs = Path(argv[0] if argv else "docs")
    on = today()
    found = overdue_pages(docs, on)
    for line in found:
        print(line)
    print(f"{len(found)} page(s) overdue for review on {on.isoformat()}" if found else f"No page is overdue for review on {on.isoformat()}.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
