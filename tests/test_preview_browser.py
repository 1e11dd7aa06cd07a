"""The preview's problem box in a real browser (Debian's Chromium, as tests/test_browser.py).

Under a real `mkdocs serve`, with two mistakes made (an unquoted colon in a page's title, a broken
link on the home page), the box on the evidence page is a named region with a heading, fits a
360 px phone, and axe finds no WCAG 2.2 AA violation in either palette. With the page left open,
fixing the mistakes clears the box by MkDocs' live reload alone, and a new mistake shows.
Screenshots, on request, go to $FACTSHEET_SCREENSHOTS/preview-*.png.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from helpers import ROOT, screenshot, serving
from browsing import AXE_OPTIONS, CHROMIUM, DEVICES, LAUNCH_ARGS, chromium_is_there
from test_preview import NAV, problems

pytestmark = pytest.mark.browser  # a real mkdocs serve, read by Chromium

# The page's own title line, whatever an editor makes it, and a title with an unquoted colon.
TITLE = next(line for line in (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
UNQUOTED = "title: The evidence: a title with a colon, unquoted"
BOX = re.compile(r"^Preview: \d+ problems? to fix before publishing$")


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    with serving(tmp_path_factory, FACTSHEET_TODAY="2026-12-01") as running:
        yield running


class OwnThreadChromium:
    """One Chromium for this module, driven from a thread of its own: test_browser.py's browser is
    open for the whole session, and Playwright's sync API allows one per thread."""

    def __init__(self):
        self.thread = ThreadPoolExecutor(max_workers=1)  # one thread: Playwright's objects stay in it
        self.playwright = self.browser = None

    def run(self, steps) -> None:
        """Runs steps(browser) in the browser's thread; what fails there fails the test."""
        self.thread.submit(self._launch).result(timeout=120)
        self.thread.submit(steps, self.browser).result(timeout=600)  # a TimeoutError after 10 minutes

    def _launch(self) -> None:
        if self.browser is None:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)

    def close(self) -> None:
        def stop():
            if self.browser:
                self.browser.close()
            if self.playwright:
                self.playwright.stop()
        self.thread.submit(stop).result(timeout=60)
        self.thread.shutdown()


@pytest.fixture(scope="module")
def chromium():
    chromium_is_there()
    running = OwnThreadChromium()
    yield running
    running.close()


@pytest.fixture(scope="class")
def two_mistakes(preview):
    """Made once for the class's tests, put right after its last (whatever order the tests run in)."""
    with preview.edited("docs/evidence.md", TITLE, UNQUOTED), preview.edited("docs/index.md", "](evidence.md)", "](evidnce.md)"):
        preview.wait_until("browser: two problems shown", lambda: len(problems(preview, NAV["The evidence"])) == 2)
        yield
    preview.wait_until("browser: cleared", lambda: preview.box(NAV["The evidence"]) is None)


class TestWithTwoMistakes:
    """The two mistakes are made once and the box checked in each variant, then put right."""

    @pytest.mark.parametrize("variant", ["desktop-light", "desktop-dark", "phone-light", "phone-dark"])
    def test_problem_box_is_accessible_and_fits(self, preview, chromium, two_mistakes, variant):
        chromium.run(lambda browser: check_the_box(preview, browser, variant))


def check_the_box(preview, browser, variant: str) -> None:
    device, scheme = variant.split("-")
    page_url = preview.url(NAV["The evidence"])
    context = browser.new_context(color_scheme=scheme, service_workers="block", **DEVICES[device])
    try:
        page = context.new_page()
        page.goto(page_url)
        region = page.get_by_role("region", name=BOX)
        expect(region).to_be_visible()
        expect(region.get_by_role("heading", level=2)).to_have_text("Preview: 2 problems to fix before publishing")
        expect(region.get_by_role("heading", name=re.compile("^On this page"))).to_be_visible()
        expect(region.get_by_role("link", name=re.compile(r"^docs\/index\.md:\d+$"))).to_be_visible()
        assert region.bounding_box()["y"] < 5, "the box is the first thing on the page"
        screenshot(page, f"preview-{variant}.png")
        wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"{wide[0]}px wide on a {wide[1]}px screen"
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        # The link to the other page's problem takes the editor there.
        region.get_by_role("link", name=re.compile(r"^docs\/index\.md:\d+$")).click()
        expect(page).to_have_url(preview.url(""))
    finally:
        context.close()


def test_box_clears_and_shows_by_live_reload_alone(preview, chromium):
    chromium.run(lambda browser: watch_the_box(preview, browser))


def watch_the_box(preview, browser) -> None:
    context = browser.new_context(**DEVICES["desktop"])
    try:
        page = context.new_page()
        page.goto(preview.url(NAV["The evidence"]))
        region = page.get_by_role("region", name=BOX)
        expect(region).to_have_count(0)
        with preview.edited("docs/evidence.md", TITLE, UNQUOTED):
            start = time.monotonic()
            expect(region).to_be_visible(timeout=60_000)
            preview.timings["browser, left open: box shown after save (s)"] = round(time.monotonic() - start, 2)
            expect(region).to_contain_text("docs/evidence.md:2: front matter: a colon inside a value")
        start = time.monotonic()
        expect(region).to_have_count(0, timeout=60_000)
        preview.timings["browser, left open: box gone after fix (s)"] = round(time.monotonic() - start, 2)
        expect(page.get_by_role("heading", level=1)).to_contain_text("The evidence: reviews")
    finally:
        context.close()
