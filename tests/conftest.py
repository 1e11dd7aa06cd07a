"""pytest's fixtures and hooks: the one clock, the tiers, the site built once per session, small
fixture sites. What the tests share otherwise is in helpers.py (tests import that, never this)."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
from filelock import FileLock

from helpers import BuiltSite, make_fixture_site, mkdocs
from mkdocs_factsheet.review import CLOCK, today

# The tiers, cheapest first. A test gets the tier its fixtures call for (the first that matches
# below), unless it is marked with one; a test with none of these fixtures runs in process.
TIERS = {
    "unit": "no build: the plugins' core in process (the bibliography reader, messages), or one linter run",
    "build": "reads a strict build: the session's site, or a small fixture site built for the test",
    "serve": "a real mkdocs serve of a copy of the project; each case edits and restores",
    "browser": "Debian's Chromium reads the built site or the preview",
    "setup": "the project's own set-up: the pins on each supported Python, ./run on a fresh or broken machine, the plain pip recipe and Zensical in fresh venvs (needs PyPI)",
}
TIER_OF_FIXTURE = [
    ("browser", {"browser", "browsing", "server"}),
    ("serve", {"preview"}),
    ("build", {"site", "fixture_site", "published", "properdocs_site", "far_future_build", "project", "pdf", "text"}),
]
QUICK = "unit or build"  # `./run test quick`: what an editor runs before publishing


def pytest_configure(config):
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    # The one clock: every build and check of the run takes FACTSHEET_TODAY as today. Unset, it is
    # the day the run starts, read once, through the project's clock; CI runs again years on.
    os.environ.setdefault(CLOCK, today().isoformat())


def pytest_collection_modifyitems(items):
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            used = set(item.fixturenames)
            item.add_marker(next((tier for tier, fixtures in TIER_OF_FIXTURE if used & fixtures), "unit"))
    # The modules of the slowest tiers first: pytest-xdist (`./run test`: --no-loadscope-reorder)
    # hands out whole modules in this order, so the long ones start at once and the short ones fill
    # in at the end, rather than a fresh venv's single test starting last (it went by test count).
    slowest: dict = {}
    for item in items:
        rank = next(rank for rank, tier in enumerate(TIERS) if item.get_closest_marker(tier))
        slowest[item.path] = max(slowest.get(item.path, 0), rank)
    items.sort(key=lambda item: -slowest[item.path])  # stable: each module's own order is kept


# Readability figures that tests/test_trust.py measures, printed after the run for editors.
READABILITY: list[tuple[str, float, float, float]] = []
SECONDS_BY_TIER: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # tier -> [tests, seconds]


def pytest_runtest_logreport(report):
    # A report carries its test's markers as keywords (also from pytest-xdist's workers).
    if report.when == "call":
        READABILITY.extend(row for name, rows in report.user_properties if name == "readability" for row in rows)
    tier = next((tier for tier in TIERS if tier in report.keywords), None)
    if tier:
        SECONDS_BY_TIER[tier][0] += report.when == "call"
        SECONDS_BY_TIER[tier][1] += report.duration  # set-up (shared builds, servers) included


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The factsheet site, built with --strict exactly as `./run build` builds it: once for the whole
    run, the first pytest-xdist worker to need it building it for all (they only read it)."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent  # shared by the run's workers
    out, log = run_folder / "site", run_folder / "site.log"
    with FileLock(run_folder / "site.lock"):
        if not log.exists():
            result = mkdocs("build", "--strict", "--site-dir", str(out))
            assert result.returncode == 0, result.stderr
            log.write_text(result.stderr, encoding="utf-8")
    return BuiltSite(out, log.read_text(encoding="utf-8"))


@pytest.fixture
def fixture_site(tmp_path):
    """make(pages={'index.md': '...'}, bib=..., style=True, extra_config='') -> FixtureSite"""

    def make(pages: dict[str, str], **options):
        return make_fixture_site(tmp_path, pages, **options)

    return make


def pytest_terminal_summary(terminalreporter):
    if SECONDS_BY_TIER:
        terminalreporter.section(f"time by tier (quick = {QUICK}; FACTSHEET_TODAY={os.environ.get(CLOCK)})")
        for tier in TIERS:
            if tier in SECONDS_BY_TIER:
                tests, seconds = SECONDS_BY_TIER[tier]
                terminalreporter.write_line(f"{tier:<8} {tests:>4} tests {seconds:>8.1f} s")
    if READABILITY:
        terminalreporter.section("readability (targets: FK grade 8 or less on patient pages, 6 for the key messages; 20 words a sentence or fewer)")
        terminalreporter.write_line(f"{'page':<32} {'FK grade':>8} {'SMOG':>6} {'words/sentence':>15}")
        for title, grade, smog, words in READABILITY:
            terminalreporter.write_line(f"{title:<32} {grade:>8.1f} {smog:>6.1f} {words:>15.1f}")
