"""The built site in a real browser: accessible, private, searchable, usable on a phone.

The strict build of the session (the `site` fixture) is served on 127.0.0.1 and read by Debian's
headless Chromium through Playwright, one browser for the whole run. Every page in the nav is
checked in the light and the dark palette (chosen, as a reader's system chooses it, through
prefers-color-scheme) at desktop (1280x800) and phone (360x740, touch) sizes:

- accessibility: axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) finds nothing; computed colours of the
  footer and of links reach 4.5:1; links in running text are underlined; every control has a
  name; the keyboard reaches search, navigation and every citation, with visible focus;
- privacy: no request leaves the local server, no cookie is set, and browser storage holds only
  what a reader asked for. Allowed: Material's `__palette` key, and only after the reader used
  the palette toggle (overrides/main.html stops Material writing it on every page view).
  Nothing else, in localStorage or sessionStorage;
- search, citations and their previews, links and anchors, images, console errors, and no
  sideways scrolling on a phone.

Screenshots of every page, on request: FACTSHEET_SCREENSHOTS=build/screenshots ./run test tests/test_browser.py
Without /usr/bin/chromium each of these tests fails, saying so; `./run test` installs Debian's
chromium where it can, and says how where it cannot. Lighthouse is separate: `./run lighthouse`.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rispy
from bs4 import BeautifulSoup
from pybtex.database import parse_string

from helpers import ROOT, BuiltSite, screenshot

# Debian's Chromium (FACTSHEET_CHROMIUM names another); without it every browser test fails, saying why.
CHROMIUM = Path(os.environ.get("FACTSHEET_CHROMIUM", "/usr/bin/chromium"))

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's palette
VARIANTS = [f"{device}-{scheme}" for device in DEVICES for scheme in SCHEMES]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
FOOTER_CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations", "incomplete"]}
NAV = BuiltSite(ROOT, "").nav_urls  # {title: site URL}, read from mkdocs.yml
PAGES = list(NAV.values())
PAGE_IDS = [url.strip("/") or "home" for url in PAGES]
MIN_CONTRAST = 4.5  # WCAG 1.4.3 for text below 18pt (24px), or 14pt (18.66px) bold


# --- Serving the site and driving the browser --------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    """The built site over HTTP on 127.0.0.1, on a free port, in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(site.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def chromium_is_there() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (sudo apt-get install chromium "
                    "fonts-liberation; `./run test` does so itself as root)", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    chromium_is_there()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@dataclass(repr=False)
class Visit:
    """What one page showed in one variant, gathered once and checked by several tests."""

    url: str
    scheme: str  # Material's palette as applied: "default" or "slate"
    violations: list[dict]
    errors: list[str]  # console errors and uncaught exceptions
    broken_images: list[str]
    scroll_width: int
    inner_width: int
    links: list[str]  # every a[href], resolved
    contrast: list[dict]  # computed contrast of footer text and links
    plain_links: list[str]  # links in running text that are not underlined
    footer_contrast: list[dict]  # axe's colour-contrast violations and undecided nodes in the footer
    heading_gaps: list[str]  # headings with a blank line below their text (HEADING_GAPS)
    unnamed: list[str] | None  # controls without an accessible name (NAMES_VARIANT only)
    foreign_requests: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # keeps pytest's failure reports short
        return f"Visit(/{self.url})"


class Browsing:
    """One browser context per variant, reused; every request of every context is recorded."""

    def __init__(self, browser, base: str, search_initial: str):
        self.browser = browser
        self.search_initial = search_initial  # what the search panel says until its index loads
        self.base = base
        self.host = urllib.parse.urlsplit(base).netloc
        self.requests: list[tuple[str, str]] = []  # (context, URL)
        self.contexts = {}
        self.pages = {}
        self.visits: dict[tuple[str, str], Visit] = {}
        self.axe = Axe()

    def context(self, variant: str, fresh: bool = False):
        """The variant's shared context, or with fresh=True a new one that the caller closes."""
        if variant in self.contexts and not fresh:
            return self.contexts[variant]
        device, scheme = variant.split("-")
        context = self.browser.new_context(color_scheme=scheme, service_workers="block", **DEVICES[device])
        context.on("request", lambda request: self.requests.append((variant, request.url)))
        if not fresh:
            self.contexts[variant] = context
        return context

    def page(self, variant: str):
        if variant not in self.pages:
            self.pages[variant] = self.context(variant).new_page()
        return self.pages[variant]

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base, path)

    def foreign(self, urls) -> list[str]:
        return [url for url in urls if urllib.parse.urlsplit(url).netloc != self.host and not url.startswith(("data:", "blob:", "about:"))]

    def visit(self, variant: str, path: str) -> Visit:
        key = (variant, path)
        if key in self.visits:
            return self.visits[key]
        page = self.page(variant)
        errors: list[str] = []
        on_console = lambda message: message.type == "error" and errors.append(f"console: {message.text}")  # noqa: E731
        on_error = lambda error: errors.append(f"uncaught: {error}")  # noqa: E731
        page.on("console", on_console)
        page.on("pageerror", on_error)
        first_request = len(self.requests)
        try:
            page.goto(self.url(path))
            # Until the search index has loaded, the page is still fetching and may still fail.
            page.wait_for_function("(initial) => document.querySelector('.md-search-result__meta').textContent.trim() !== initial", arg=self.search_initial)
            device, scheme = variant.split("-")
            name = f"{path.strip('/') or 'home'}-{device}-{scheme}.png"
            screenshot(page, name, full_page=True)
            facts = page.evaluate(PAGE_FACTS)
            heading_gaps = page.evaluate(HEADING_GAPS)
            violations = self.axe.run(page, options=AXE_OPTIONS).response["violations"]
            # axe's verdict on the footer, including what it could not decide ("incomplete"); axe
            # is in the page already.
            footer = page.evaluate("([context, options]) => axe.run(context, options)", [".md-footer", FOOTER_CONTRAST])
            # Last: it marks each control with a number.
            unnamed = _unnamed_controls(page) if variant == NAMES_VARIANT else None
        finally:
            page.remove_listener("console", on_console)
            page.remove_listener("pageerror", on_error)
        visit = Visit(
            url=path,
            scheme=facts["scheme"],
            violations=violations,
            errors=errors,
            broken_images=facts["brokenImages"],
            scroll_width=facts["scrollWidth"],
            inner_width=facts["innerWidth"],
            links=facts["links"],
            contrast=facts["contrast"],
            plain_links=facts["plainLinks"],
            footer_contrast=footer["violations"] + footer["incomplete"],
            heading_gaps=heading_gaps,
            unnamed=unnamed,
            foreign_requests=self.foreign(url for _, url in self.requests[first_request:]),
        )
        self.visits[key] = visit
        return visit

    def close(self):
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def browsing(browser, server, site):
    session = Browsing(browser, server, site.html("").select_one(".md-search-result__meta").get_text(strip=True))
    yield session
    session.close()


# Text contrast from computed colours (JavaScript): `contrast(element)`.
CONTRAST_FUNCTIONS = """
  // Contrast from computed colours, as a second opinion beside axe's: backgrounds composited up
  // the ancestors (Material's footer is translucent black on translucent black), opacity applied.
  const parse = (colour) => {
    const parts = colour.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const alpha = top[3] + bottom[3] * (1 - top[3]);
    return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha).concat(alpha);
  };
  const luminance = (colour) => {
    const [r, g, b] = colour.slice(0, 3).map((v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (element) => {
    const layers = [];
    let opacity = 1;
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      opacity *= Number(style.opacity);
      const background = parse(style.backgroundColor);
      if (background[3] > 0) layers.push(background);
      if (background[3] >= 1) break;
    }
    const canvas = document.body.dataset.mdColorScheme === "slate" ? [0, 0, 0, 1] : [255, 255, 255, 1];
    const background = layers.reverse().reduce((below, layer) => over(layer, below), canvas);
    const text = parse(getComputedStyle(element).color);
    const foreground = over([text[0], text[1], text[2], text[3] * opacity], background);
    const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  };
"""

# Runs in the page after it has loaded: facts that several tests check.
PAGE_FACTS = """
async () => {
  const images = [...document.images];
  for (const image of images) image.loading = "eager";
  await Promise.all(images.map((image) => image.decode().catch(() => null)));

""" + CONTRAST_FUNCTIONS + """  const checked = document.querySelectorAll(
    ".md-copyright, .md-copyright__highlight, .md-copyright a, .md-footer__direction, .md-footer__title," +
    ".md-typeset a, .md-nav__link, .admonition-title, .md-typeset .admonition p"
  );
  const visible = (element) => element.checkVisibility({ opacityProperty: true, visibilityProperty: true });

  // Links inside running text must not rely on colour alone (WCAG 1.4.1).
  const runningText = ".md-content .md-typeset :is(p, li, td, dd) a:not(.headerlink):not(.md-button)";
  const plainLinks = [...document.querySelectorAll(runningText)]
    .filter((link) => !getComputedStyle(link).textDecorationLine.includes("underline"))
    .map((link) => link.outerHTML.slice(0, 120));

  return {
    scheme: document.body.dataset.mdColorScheme,
    brokenImages: images.filter((image) => !(image.complete && image.naturalWidth > 0)).map((image) => image.src),
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    links: [...document.querySelectorAll("a[href]")].map((link) => link.href),
    contrast: [...checked]
      .filter((element) => visible(element) && element.textContent.trim())
      .map((element) => ({ element: element.outerHTML.slice(0, 100), ratio: contrast(element) })),
    plainLinks,
  };
}
"""


def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            messages = [check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])]
            lines.append(f"    {' '.join(node['target'])}: {'; '.join(messages)[:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


# --- Every page, every variant -----------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_axe_finds_no_accessibility_violation(browsing, variant, path):
    visit = browsing.visit(variant, path)
    expected = SCHEMES[variant.split("-")[1]]
    assert visit.scheme == expected, f"the page showed palette {visit.scheme!r}, not {expected!r}"
    assert not visit.violations, f"/{path} ({variant}):\n{_report(visit.violations)}"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_footer_and_link_text_reach_4_5_to_1(browsing, variant, path):
    """Includes the footer's "Made with" line: 4.47:1 in Material's light palette, by axe's reckoning."""
    visit = browsing.visit(variant, path)
    assert not visit.footer_contrast, f"/{path} ({variant}): footer contrast:\n{_report(visit.footer_contrast)}"
    contrast = visit.contrast
    assert any("md-copyright" in item["element"] for item in contrast), "the footer was not measured"
    low = [f"{item['ratio']:.2f}:1 {item['element']}" for item in contrast if item["ratio"] < MIN_CONTRAST]
    assert not low, f"/{path} ({variant}): text below {MIN_CONTRAST}:1:\n" + "\n".join(low)


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_links_in_text_are_underlined(browsing, variant, path):
    visit = browsing.visit(variant, path)
    assert not visit.plain_links, f"/{path} ({variant}): links told apart by colour alone:\n" + "\n".join(visit.plain_links)
    assert not [v for v in visit.violations if v["id"] == "link-in-text-block"]


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_page_loads_without_errors_or_broken_images(browsing, variant, path):
    visit = browsing.visit(variant, path)
    assert not visit.errors, f"/{path} ({variant}):\n" + "\n".join(visit.errors)
    assert not visit.broken_images, f"/{path} ({variant}): broken images {visit.broken_images}"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_page_asks_nothing_of_other_hosts(browsing, variant, path):
    visit = browsing.visit(variant, path)
    assert not visit.foreign_requests, f"/{path} ({variant}) requested {visit.foreign_requests}"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_phone_page_does_not_scroll_sideways(browsing, scheme, path):
    visit = browsing.visit(f"phone-{scheme}", path)
    assert visit.scroll_width <= visit.inner_width, f"/{path} is {visit.scroll_width}px wide on a {visit.inner_width}px screen"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
def test_every_internal_link_and_anchor_resolves(browsing, path):
    visit = browsing.visit("desktop-light", path)
    broken = []
    for link in sorted(set(visit.links)):
        target, _, fragment = link.partition("#")
        if urllib.parse.urlsplit(target).netloc != browsing.host:
            continue
        if target.endswith(".pdf") and os.environ.get("FACTSHEET_PDF") == "off":
            continue  # a build without the PDF edition still links to it
        status, ids = _fetch(target)
        if status != 200:
            broken.append(f"{link}: HTTP {status}")
        elif fragment and ids is not None:
            fragment = urllib.parse.unquote(fragment)
            if fragment not in ids:
                broken.append(f"{link}: no element with id {fragment!r}")
    assert not broken, f"/{path}:\n" + "\n".join(broken)


@functools.lru_cache(maxsize=None)
def _fetch(url: str) -> tuple[int, frozenset[str] | None]:
    """(HTTP status, the ids of an HTML page's elements), each page fetched and parsed once."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read()
            if "html" not in response.headers.get("Content-Type", ""):
                return response.status, None
            soup = BeautifulSoup(body.decode("utf-8"), "html.parser")
            return response.status, frozenset(element["id"] for element in soup.find_all(id=True))
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
def test_every_control_has_an_accessible_name(browsing, path):
    """Covers the References page, which has no `##` heading: Material leaves its TOC toggle unnamed."""
    visit = browsing.visit(NAMES_VARIANT, path)
    assert not visit.unnamed, f"/{path}: controls without a name:\n" + "\n".join(visit.unnamed)


NAMES_VARIANT = "desktop-light"


def _unnamed_controls(page) -> list[str]:
    # Run once the search index has loaded (Browsing.visit waits for it): the page has then
    # stopped changing (this failed twice under load, comparing markup that changed between two
    # looks). Each element is known by a number it carries, not by its markup.
    unnamed = []
    for role in ("button", "checkbox", "radio", "textbox", "searchbox", "combobox", "dialog", "link"):
        every = page.get_by_role(role, include_hidden=True).evaluate_all(
            "els => els.map((e, i) => { e.dataset.roleCheck = i; return e.outerHTML; })")
        named = set(page.get_by_role(role, name=re.compile(r"\S"), include_hidden=True).evaluate_all("els => els.map((e) => Number(e.dataset.roleCheck))"))
        unnamed += [f"{role}: {html[:120]}" for number, html in enumerate(every) if number not in named]
    return unnamed


def test_search_dialog_is_named(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(""))
    expect(page.get_by_role("dialog", name="Search", include_hidden=True)).to_have_count(1)
    page.get_by_role("textbox", name="Search").click()
    expect(page.get_by_role("dialog", name="Search")).to_be_visible()


# --- Keyboard -----------------------------------------------------------------------------------

# Logs every element that takes focus, whether it shows that it has it, and the citation preview.
FOCUS_LOG = """
() => {
  window.__focused = [];
  document.addEventListener("focusin", (event) => {
    const element = event.target;
    // Material hides the palette radio buttons and outlines their label instead.
    const shown = element.matches(".md-option") ? element.nextElementSibling : element;
    const style = getComputedStyle(shown);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const preview = document.querySelector(".citation-preview");
    // Each element is known by a number it carries, so that the walk can tell when it wraps.
    if (!element.dataset.focusCheck) element.dataset.focusCheck = window.__focused.length;
    window.__focused.push({
      element: Number(element.dataset.focusCheck),
      html: element.outerHTML.slice(0, 120),
      href: element.getAttribute("href"),
      search: element.matches(".md-search__input"),
      nav: element.matches(".md-nav a[href]"),
      citation: element.matches("a.citation-link"),
      visible: outline || style.boxShadow !== "none",
      preview: preview ? preview.textContent : null,
    });
  });
}
"""


FOCUS_LEFT_OR_WRAPPED = """() => !document.activeElement || document.activeElement === document.body ||
  (window.__focused.length > 1 && document.activeElement.dataset.focusCheck === "0")"""


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
def test_keyboard_reaches_search_navigation_and_every_citation_with_visible_focus(browsing, path):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(path))
    page.evaluate(FOCUS_LOG)
    citations = page.locator("a.citation-link")
    nav_links = page.locator(".md-nav a[href]").evaluate_all("els => els.filter((e) => e.checkVisibility()).map((e) => e.getAttribute('href'))")
    stops = page.evaluate("document.querySelectorAll('a[href], input, button, [tabindex]').length")

    # Tab to the first citation: its preview opens on focus and Escape closes it.
    presses = 0
    if citations.count():
        while not page.evaluate("!!document.activeElement?.matches('a.citation-link')"):
            page.keyboard.press("Tab")
            presses += 1
            assert presses < stops + 20, "Tab never reached a citation"
        preview = page.locator("div.citation-preview")
        expect(preview).to_be_visible()
        page.keyboard.press("Escape")
        expect(preview).to_have_count(0)
        assert page.evaluate("document.activeElement.matches('a.citation-link')"), "Escape moved the focus"
    # Walk to the end of the page: each focused citation's preview adds its own links (reachable
    # by keyboard), so the page has more stops than at load; the walk ends when focus leaves the
    # page (or, past its end, comes back to its first stop: on some pages it never rests on the
    # body, and the walk went round twice), bounded all the same.
    for _ in range(10 * stops):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_LEFT_OR_WRAPPED):
            break
    focused = page.evaluate("window.__focused")
    focused = focused[:next((n for n, stop in enumerate(focused) if n and stop["element"] == focused[0]["element"]), len(focused))]
    assert any(stop["search"] for stop in focused), "Tab never reached the search box"
    reached_nav = {stop["href"] for stop in focused if stop["nav"]}
    assert set(nav_links) <= reached_nav, f"navigation links never reached: {sorted(set(nav_links) - reached_nav)}"
    reached = sum(stop["citation"] for stop in focused)
    assert reached >= citations.count(), f"Tab reached {reached} of {citations.count()} citation links"
    invisible = [stop["html"] for stop in focused if not stop["visible"]]
    assert not invisible, "focus not shown (no outline, no box-shadow) on:\n" + "\n".join(invisible)
    no_preview = [stop["html"] for stop in focused if stop["citation"] and not stop["preview"]]
    assert not no_preview, f"no preview on focus for: {no_preview[:3]}"


# --- Search ---------------------------------------------------------------------------------------

SEARCHES = {
    "GERAC": "clinical-studies/",
    "pregnancy": "evidence/",
    "sham": "evidence/",
    "NICE": "clinical-guidance/",
    # A DOI or a PubMed number pasted from elsewhere finds its work (issue 23).
    "10.1001/archinte.167.17.1892": "references/",
    "17893311": "references/",
}
ONLY_IN_REFERENCES = "Mediators of Inflammation"  # a journal's name: no page mentions it


def _search(browsing, device: str, term: str) -> list[str]:
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(""))
    if device == "phone":
        page.locator("label.md-header__button[for='__search']").click()  # the magnifier opens search
    else:
        page.locator(".md-search__input").click()
    box = page.locator(".md-search__input")
    expect(box).to_be_focused()
    # The whole term, then one key release: Material searches on keyup, so exactly one query runs
    # and no results of a half-typed term can be mistaken for the answer.
    box.fill(term)
    box.press("End")
    page.wait_for_function(SEARCH_ANSWERED, timeout=10_000)
    results = page.locator(".md-search-result__link")
    return [urllib.parse.urlsplit(href).path for href in results.evaluate_all("els => els.map((e) => e.href)")]


# True once the search shows results, or says that there are none.
SEARCH_ANSWERED = """
() => {
  const none = JSON.parse(document.getElementById("__config").textContent).translations["search.result.none"];
  const meta = document.querySelector(".md-search-result__meta").textContent.trim();
  return document.querySelector(".md-search-result__list").children.length > 0 || meta === none;
}
"""


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("term", SEARCHES)
def test_search_finds_the_right_page(browsing, device, term):
    paths = _search(browsing, device, term)
    expected = urllib.parse.urlsplit(browsing.url(SEARCHES[term])).path
    assert expected in paths, f"searching {term!r} found {paths}, not {expected}"


def test_search_finds_words_that_only_the_references_contain(browsing, site):
    for url in NAV.values():
        article = site.article(url)
        for listing in article.select(".reference-list"):
            listing.decompose()
        assert ONLY_IN_REFERENCES.lower() not in article.get_text(" ").lower(), f"/{url} mentions it outside its references"
    hrefs = _search(browsing, "desktop", ONLY_IN_REFERENCES)
    page = browsing.page("desktop-light")
    links = page.locator(".md-search-result__link").evaluate_all("els => els.map((e) => e.href)")
    references = urllib.parse.urlsplit(browsing.url(NAV["References"])).path
    assert any(path == references for path in hrefs) or any(link.endswith("#references") for link in links), links


# --- Citations ------------------------------------------------------------------------------------


def _cited_pages(site) -> list[str]:
    return [url for title, url in NAV.items() if title != "References" and site.article(url).select("a.citation-link")]


def _in_view_below_header(page, selector: str) -> None:
    target = page.locator(selector)
    expect(target).to_be_in_viewport()
    top = target.evaluate("e => e.getBoundingClientRect().top")
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert top >= header - 1, f"{selector} is under the header ({top:.0f}px < {header:.0f}px)"


@pytest.mark.parametrize("device", DEVICES)
def test_citation_leads_to_its_reference_entry(browsing, site, device):
    page = browsing.page(f"{device}-light")
    for path in _cited_pages(site):
        page.goto(browsing.url(path))
        link = page.locator("a.citation-link").first
        key = link.get_attribute("href").removeprefix("#")
        if device == "phone":
            link.tap()  # the first tap previews the reference
            expect(page.locator("div.citation-preview")).to_be_visible()
            assert "#" not in page.url, "the first tap followed the link"
            link.tap()
        else:
            link.click()
        page.wait_for_url(f"**#{key}")
        _in_view_below_header(page, f"#{key}")


def test_backlinks_lead_to_the_citing_paragraph(browsing):
    page = browsing.page("desktop-light")
    references = browsing.url(NAV["References"])
    page.goto(references)
    backlinks = page.locator(".reference-backlinks a").evaluate_all(
        "els => els.map((e) => ({href: e.href, raw: e.getAttribute('href'), key: e.closest('li.reference').id}))"
    )
    assert backlinks
    # One backlink into each citing page, and one to a citation further down a page.
    chosen = list({urllib.parse.urlsplit(b["href"]).path: b for b in backlinks}.values())
    chosen += [b for b in backlinks if b["href"].split("#")[1] != "cite-1"][:1]
    for backlink in chosen:
        page.goto(references)
        page.locator(f'#{backlink["key"]} .reference-backlinks a[href="{backlink["raw"]}"]').click()
        anchor = backlink["href"].split("#")[1]
        page.wait_for_url(f"**#{anchor}")
        assert page.url == backlink["href"]
        _in_view_below_header(page, f"#{anchor}")
        expect(page.locator(f'#{anchor} a[href="#{backlink["key"]}"]')).to_have_count(1)


@pytest.mark.parametrize("device", DEVICES)
def test_preview_shows_the_full_reference(browsing, site, device):
    page = browsing.page(f"{device}-light")
    path = "clinical-studies/" if "clinical-studies/" in _cited_pages(site) else _cited_pages(site)[0]
    page.goto(browsing.url(path))
    for link in page.locator("a.citation-link").all()[:5]:
        key = link.get_attribute("href")
        if device == "phone":
            link.tap()
        else:
            link.hover()
        preview = page.locator("div.citation-preview")
        expect(preview).to_be_visible()
        reference = page.locator(f"{key} .reference-text").inner_text()
        shown = " ".join(preview.inner_text().split())
        assert " ".join(reference.split()) in shown
        for identifier in page.locator(f"{key} .reference-links a").all_inner_texts():
            assert " ".join(identifier.split()) in shown
        box = preview.bounding_box()
        width = page.viewport_size["width"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the preview runs off the {width}px screen"
        page.keyboard.press("Escape")
        expect(preview).to_have_count(0)


@pytest.mark.parametrize("kind, label", [("bib", "BibTeX"), ("ris", "RIS")])
def test_reference_download_saves_just_that_entry(browsing, kind, label):
    context = browsing.context("desktop-light", fresh=True)
    try:
        page = context.new_page()
        page.goto(browsing.url(NAV["Clinical studies"]))
        with page.expect_download() as saving:
            page.locator(f"#ref-haake2007 a.reference-export:has-text('{label}')").click()
        download = saving.value
        assert download.suggested_filename == f"haake2007.{kind}"
        text = Path(download.path()).read_text(encoding="utf-8")
        if kind == "bib":
            (entry,) = parse_string(text, "bibtex").entries.values()
            assert entry.fields["doi"] == "10.1001/archinte.167.17.1892"
        else:
            (record,) = rispy.loads(text)
            assert record["id"] == "haake2007" and record["doi"] == "10.1001/archinte.167.17.1892"
    finally:
        context.close()


def test_evidence_table_sorts_by_a_column_and_says_so(browsing):
    context = browsing.context("desktop-light", fresh=True)
    try:
        page = context.new_page()
        page.goto(browsing.url(NAV["All the studies at a glance"]))
        heading = page.locator(".evidence-table th", has_text="Participants")
        heading.locator("button").click()
        expect(heading).to_have_attribute("aria-sort", "ascending")
        column = page.locator(".evidence-table tbody tr td:nth-child(3)").all_inner_texts()
        numbers = [int(n.replace(",", "")) for n in column if n.strip() != "—"]
        assert numbers == sorted(numbers) and numbers, column
        heading.locator("button").press("Enter")
        expect(heading).to_have_attribute("aria-sort", "descending")
        column = page.locator(".evidence-table tbody tr td:nth-child(3)").all_inner_texts()
        numbers = [int(n.replace(",", "")) for n in column if n.strip() != "—"]
        assert numbers == sorted(numbers, reverse=True) and column[0] == f"{max(numbers):,}", "the largest study first"
    finally:
        context.close()


# --- What a reader meets: previews, reference lists, the table, states axe does not test -------


def _citation_near_the_bottom(page, device: str):
    """A citation of the clinical studies page scrolled to 40 px above the screen's bottom edge."""
    link = page.locator("a.citation-link").nth(6)
    link.evaluate("(e) => window.scrollBy(0, e.getBoundingClientRect().bottom - window.innerHeight + 40)")
    bottom = link.evaluate("(e) => e.getBoundingClientRect().bottom")
    assert page.viewport_size["height"] - 60 < bottom <= page.viewport_size["height"], f"the citation is at {bottom:.0f}px"
    return link


def _open_preview(page, device: str, link) -> None:
    if device == "phone":
        link.tap()
    else:
        link.hover()
    expect(page.locator("div.citation-preview")).to_be_visible()


@pytest.mark.parametrize("device", DEVICES)
def test_preview_of_a_citation_near_the_bottom_opens_inside_the_screen(browsing, device):
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    link = _citation_near_the_bottom(page, device)
    _open_preview(page, device, link)
    box = page.locator("div.citation-preview").bounding_box()
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert box["y"] >= header and box["y"] + box["height"] <= height, (
        f"the preview spans {box['y']:.0f}-{box['y'] + box['height']:.0f}px of a {height}px screen (header to {header:.0f}px)")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("Escape")


def test_preview_stays_open_while_the_mouse_moves_into_it_and_its_links_work(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    link = page.locator("a.citation-link").nth(2)
    link.scroll_into_view_if_needed()
    key = link.get_attribute("href")
    link.hover()
    preview = page.locator("div.citation-preview")
    expect(preview).to_be_visible()
    start, target = link.bounding_box(), preview.locator(".citation-preview__jump").bounding_box()
    # From the citation across the gap and the text under it, at a hand's pace, to the link.
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = target["x"] + 10, target["y"] + target["height"] / 2
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
        page.wait_for_timeout(30)
    expect(preview).to_be_visible()
    page.mouse.down()
    page.mouse.up()
    page.wait_for_url(f"**{key}")
    expect(preview).to_have_count(0)


@pytest.mark.parametrize("device", DEVICES)
def test_preview_is_gone_after_following_the_citation_and_coming_back(browsing, device):
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    link = page.locator("a.citation-link").nth(3)
    key = link.get_attribute("href")
    if device == "phone":
        link.tap()
        link.tap()
    else:
        link.click()
    page.wait_for_url(f"**{key}")
    expect(page.locator("div.citation-preview")).to_have_count(0)
    page.go_back()
    page.wait_for_function("() => !location.hash")
    expect(page.locator("div.citation-preview")).to_have_count(0)


# The contrast of an element's edge (its border) against what is behind it, for WCAG 1.4.11.
EDGE_CONTRAST = """
(element) => {
""" + CONTRAST_FUNCTIONS + """
  const style = getComputedStyle(element);
  const border = parse(style.borderTopColor);
  const behind = document.body.dataset.mdColorScheme === "slate" ? parse(getComputedStyle(document.body).backgroundColor) : [255, 255, 255, 1];
  const edge = over(border, behind);
  const [light, dark] = [luminance(edge), luminance(behind)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}
"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_preview_has_a_visible_edge_in_both_palettes(browsing, scheme):
    page = browsing.page(f"desktop-{scheme}")
    page.goto(browsing.url(NAV["Clinical studies"]))
    page.locator("a.citation-link").first.hover()
    preview = page.locator("div.citation-preview")
    expect(preview).to_be_visible()
    ratio = preview.evaluate(EDGE_CONTRAST)
    assert ratio >= 3, f"the preview's edge is {ratio:.2f}:1 against the page ({scheme})"
    page.keyboard.press("Escape")


# Every piece of text of each reference-list entry, and of each status label, with the box it
# must stay inside; and where the list starts against the paragraph before it.
REFERENCE_GEOMETRY = """
() => {
  const outside = [];
  const inside = (rect, box) => rect.left >= box.left - 0.5 && rect.right <= box.right + 0.5;
  for (const entry of document.querySelectorAll("li.reference")) {
    const walker = document.createTreeWalker(entry, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !node.parentElement.checkVisibility() || node.parentElement.closest(".visually-hidden")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const badge = node.parentElement.closest(".status-badge");
      for (const rect of range.getClientRects()) {
        if (!inside(rect, entry.getBoundingClientRect()) || (badge && !inside(rect, badge.getBoundingClientRect()))) {
          outside.push(`${entry.id}: "${node.textContent.trim().slice(0, 40)}" at ${Math.round(rect.left)}-${Math.round(rect.right)}px`);
        }
      }
    }
  }
  const list = document.querySelector("ul.reference-list");
  const paragraph = document.querySelector(".md-content__inner > p:not([class])");
  return {outside, listLeft: list.getBoundingClientRect().left, textLeft: paragraph.getBoundingClientRect().left};
}
"""


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("title", ["Home", "Clinical guidance", "References"])
def test_reference_entries_keep_their_text_inside_their_box(browsing, device, title):
    """Status labels ("Superseded by NICE 2016") spilled out of their box into the margin."""
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(NAV[title]))
    assert page.locator("li.reference .status-badge").count(), "no status label to check"
    geometry = page.evaluate(REFERENCE_GEOMETRY)
    assert not geometry["outside"], "text outside its box:\n" + "\n".join(geometry["outside"])
    assert abs(geometry["listLeft"] - geometry["textLeft"]) < 1, (
        f"the reference list starts {geometry['listLeft'] - geometry['textLeft']:.0f}px right of the text")


def test_evidence_table_fits_its_column_on_a_desktop(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV["All the studies at a glance"]))
    facts = page.evaluate("""() => {
      const table = document.querySelector('.evidence-table table').getBoundingClientRect();
      const column = document.querySelector('.md-content__inner > p:not([class])').getBoundingClientRect();
      const widths = [...document.querySelectorAll('.evidence-table thead th')].map((th) => Math.round(th.getBoundingClientRect().width));
      return {left: table.left, right: table.right, columnLeft: column.left, columnRight: column.right, widths};
    }""")
    assert facts["left"] >= facts["columnLeft"] - 0.5 and facts["right"] <= facts["columnRight"] + 0.5, facts
    # "Main finding", the longest text, gets the widest column whatever the rows say, so that it
    # reads as sentences rather than a word or two a line (evidence-table.css).
    assert facts["widths"][-1] == max(facts["widths"]), f"column widths {facts['widths']} px: 'Main finding' is not the widest"


def _column(page, n: int) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(f".evidence-table tbody tr td:nth-child({n})").all_inner_texts()]


def test_evidence_table_sorts_on_a_phone_by_a_visible_control(browsing):
    page = browsing.page("phone-light")
    page.goto(browsing.url(NAV["All the studies at a glance"]))
    buttons = page.locator(".evidence-table .sort-button")
    assert buttons.count() == 6
    # Every sort button that can take focus is on screen and big enough for a thumb.
    for box in buttons.evaluate_all("els => els.map((e) => ({visible: e.checkVisibility(), ...e.getBoundingClientRect().toJSON()}))"):
        assert box["visible"] and box["height"] >= 24 and box["width"] >= 24 and box["right"] <= 360, box
    participants = page.locator(".evidence-table .sort-button", has_text="Participants")
    participants.tap()
    numbers = [int(n.replace(",", "")) for n in _column(page, 3) if n != "—"]
    assert numbers == sorted(numbers)
    participants.tap()
    assert _column(page, 3)[0] == f"{max(numbers):,}", "a second tap sorts largest first"
    first = page.locator(".evidence-table tbody tr").first.bounding_box()
    assert first["y"] > participants.bounding_box()["y"], "the sort buttons stand above the cards"


def test_evidence_table_sorts_each_column_by_what_it_means(browsing):
    context = browsing.context("desktop-light", fresh=True)
    try:
        page = context.new_page()
        page.goto(browsing.url(NAV["All the studies at a glance"]))
        study = page.locator(".evidence-table .sort-button", has_text="Study")
        study.click()
        names = [name.strip("() ") for name in _column(page, 1)]
        assert names == sorted(names, key=str.lower), f"'Study' sorts by name: {names}"
        length = page.locator(".evidence-table .sort-button", has_text="Length")
        length.click()
        column = _column(page, 5)
        given = [text for text in column if text != "—"]
        assert column[len(given):] == ["—"] * (len(column) - len(given)), "studies without a length come last"
        assert given[-1] == "Short term", "a length too vague to place comes after the others"
        assert given.index("3 months") < given.index("1 year") < given.index("24 months"), given
        assert given.index("Weekly for 8 weeks") < given.index("3 months"), given
        length.click()
        column = _column(page, 5)
        assert column[-1] == "—" and column[0] in ("24 months", "Up to 10 sessions; 24 months"), column
    finally:
        context.close()


# Hovered and focused: the states axe never sees. Measured once Material's colour transitions on
# the element and around it have ended (they are created as the style is read, so none is missed).
STATE_CONTRAST = "async (element) => {" + CONTRAST_FUNCTIONS + """
  const running = document.getAnimations().filter((animation) => animation.effect?.target?.contains?.(element) &&
    animation.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(running.map((animation) => animation.finished.catch(() => null)));
  return contrast(element);
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_links_in_hover_and_focus_states_reach_4_5_to_1(browsing, scheme):
    page = browsing.page(f"desktop-{scheme}")
    page.goto(browsing.url(NAV["Clinical studies"]))
    low = []
    for selector in ("a.citation-link", ".md-content p a:not(.citation-link)", ".md-nav__link[href]", ".md-footer__link"):
        link = page.locator(selector).first
        link.scroll_into_view_if_needed()
        link.hover()
        low += [f"{selector} hovered: {ratio:.2f}:1" for ratio in [link.evaluate(STATE_CONTRAST)] if ratio < MIN_CONTRAST]
        page.mouse.move(0, page.viewport_size["height"] - 1)
        link.focus()
        low += [f"{selector} focused: {ratio:.2f}:1" for ratio in [link.evaluate(STATE_CONTRAST)] if ratio < MIN_CONTRAST]
        page.keyboard.press("Escape")
    # Search: the highlighted words in the results, and "N matching documents".
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").fill("sham")
    page.locator(".md-search__input").press("End")
    page.wait_for_function(SEARCH_ANSWERED, timeout=10_000)
    for selector in (".md-search-result mark", ".md-search-result__meta"):
        ratio = page.locator(selector).first.evaluate(STATE_CONTRAST)
        if ratio < MIN_CONTRAST:
            low.append(f"{selector}: {ratio:.2f}:1")
    page.keyboard.press("Escape")
    assert not low, f"({scheme}) below {MIN_CONTRAST}:1:\n" + "\n".join(low)


def test_focused_citation_leaves_its_brackets_visible(browsing):
    """The focus ring covered the "(" and ";" beside citations."""
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV["Home"]))
    link = page.locator("a.citation-link").first
    link.focus()
    overlap = link.evaluate("""(link) => {
      const style = getComputedStyle(link);
      const box = link.getBoundingClientRect();
      // How far the focus mark reaches beyond the link's box, left and right.
      let reach = style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset) : 0;
      for (const shadow of style.boxShadow === "none" ? [] : style.boxShadow.split(/,(?![^(]*\\))/)) {
        const [x, y, blur, spread] = (shadow.replace(/rgba?\\([^)]*\\)/, "").match(/-?[\\d.]+px/g) || []).map(parseFloat);
        if (!shadow.includes("inset")) reach = Math.max(reach, Math.abs(x || 0) + (blur || 0) + (spread || 0));
      }
      const before = link.previousSibling, after = link.nextSibling;
      const rect = (node, at) => { const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 1); return r.getBoundingClientRect(); };
      const left = before && before.nodeType === 3 ? rect(before, before.length - 1) : null;
      const right = after && after.nodeType === 3 ? rect(after, 0) : null;
      return {reach, covers: [left && box.left - reach < left.right - 1 ? before.textContent.slice(-1) : null,
                              right && box.right + reach > right.left + 1 ? after.textContent[0] : null].filter(Boolean)};
    }""")
    assert not overlap["covers"], f"the focus mark ({overlap['reach']:.1f}px out) covers {overlap['covers']}"
    visible = link.evaluate("(e) => getComputedStyle(e).boxShadow !== 'none' || getComputedStyle(e).outlineStyle !== 'none'")
    assert visible, "focus not shown"


def test_search_answers_with_one_reference_not_the_whole_list(browsing):
    _search(browsing, "desktop", ONLY_IN_REFERENCES)
    page = browsing.page("desktop-light")
    results = page.locator(".md-search-result__link").evaluate_all(
        "els => els.map((e) => ({height: e.getBoundingClientRect().height, href: e.href, text: e.textContent.trim().slice(0, 60)}))")
    tall = [r for r in results if r["height"] > 400]
    assert not tall, f"results taller than 400px: {tall}"
    assert any(r["href"].endswith("#ref-zijlstra2003") for r in results), [r["href"] for r in results]
    empty = [r["href"] for r in results if re.search(r"\?h=(#|$)", r["href"])]
    assert not empty, f"links with an empty ?h=: {empty}"


def test_search_does_not_return_the_whole_evidence_table(browsing):
    _search(browsing, "desktop", "sham")
    page = browsing.page("desktop-light")
    heights = page.locator(".md-search-result__link").evaluate_all("els => els.map((e) => e.getBoundingClientRect().height)")
    assert heights and max(heights) <= 400, f"a result {max(heights):.0f}px tall"


@pytest.mark.parametrize("device", DEVICES)
def test_a_page_reference_list_leads_back_to_the_text_highlighted(browsing, device):
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    back = page.locator("ul.page-references .reference-backlinks a")
    assert back.count() >= page.locator("ul.page-references li.reference").count()
    texts = back.all_inner_texts()
    assert not [t for t in texts if re.fullmatch(r"\(?\d+\)?", t.strip())], f"backlinks that say nothing: {texts}"
    target = back.first.get_attribute("href")
    back.first.click()
    page.wait_for_url(f"**{target}")
    _in_view_below_header(page, target)
    highlight = page.locator(target).evaluate("(e) => getComputedStyle(e).backgroundColor")
    assert highlight not in ("rgba(0, 0, 0, 0)", "transparent"), "the citation reached is not highlighted"


def test_bibliography_backlinks_name_their_place(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV["References"]))
    texts = page.locator(".reference-backlinks a").all_inner_texts()
    assert texts and not [t for t in texts if re.fullmatch(r"\(?\d+\)?", t.strip())], texts


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
def test_phone_headings_have_no_line_of_their_own_for_the_hidden_pilcrow(browsing, path):
    gaps = browsing.visit("phone-light", path).heading_gaps
    assert not gaps, f"/{path}: " + "\n".join(gaps)


# Headings whose box runs more than half a line below their text: the "¶" on a line of its own.
HEADING_GAPS = """() => [...document.querySelectorAll('.md-content h1, .md-content h2, .md-content h3')].flatMap((h) => {
      const range = document.createRange();
      range.selectNodeContents(h);
      const link = h.querySelector('.headerlink');
      if (link) range.setEndBefore(link);
      const text = [...range.getClientRects()].reduce((b, r) => Math.max(b, r.bottom), 0);
      const style = getComputedStyle(h);
      const box = h.getBoundingClientRect().bottom - parseFloat(style.paddingBottom);
      return box - text > parseFloat(style.lineHeight) / 2 ? [`${h.textContent.trim().slice(0, 50)}: ${Math.round(box - text)}px below its text`] : [];
    })"""


@pytest.mark.parametrize("width", [1024, 1280])
def test_desktop_headings_have_no_line_of_their_own_for_the_hidden_pilcrow(browsing, width):
    """At 1280 px "Physiological studies of how acupuncture works" left a 45 px blank line, at
    1024 px a Clinical studies heading 34 px: the hidden "¶" wrapped alone."""
    page = browsing.page("desktop-light")
    page.set_viewport_size({"width": width, "height": 800})
    gaps = []
    try:
        for path in (NAV["Physiological studies"], NAV["Clinical studies"]):
            page.goto(browsing.url(path))
            gaps += page.evaluate(HEADING_GAPS)
    finally:
        page.set_viewport_size(DEVICES["desktop"]["viewport"])
    assert not gaps, "\n".join(gaps)


def test_home_title_says_the_site_name_once(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(""))
    assert page.title() == "Acupuncture for back pain"


def test_cite_this_page_does_not_scroll_sideways_on_a_phone(browsing):
    page = browsing.page("phone-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    page.locator(".cite-page summary").tap()
    code = page.locator(".cite-page pre code")
    expect(code).to_be_visible()
    widths = code.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], f"its BibTeX is {widths[0]}px wide in {widths[1]}px"


# --- Privacy ----------------------------------------------------------------------------------


def _storage(page) -> dict[str, list[str]]:
    return page.evaluate("({local: Object.keys(localStorage), session: Object.keys(sessionStorage)})")


def test_reading_stores_nothing_and_follows_the_system_palette(browsing, site):
    """A reader who only reads, searches and previews leaves no cookie and no stored key."""
    context = browsing.context("desktop-light", fresh=True)
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(browsing.url(path))
            if page.locator("a.citation-link").count():
                page.locator("a.citation-link").first.hover()
        page.locator(".md-search__input").click()
        page.keyboard.type("sham")
        page.wait_for_function(SEARCH_ANSWERED, timeout=10_000)
        page.keyboard.press("Escape")
        assert context.cookies() == []
        assert _storage(page) == {"local": [], "session": []}
        # Nothing stored, so the palette still follows the system when it changes. (Material
        # used to store the palette of the first page seen, and kept it light from then on.)
        page.emulate_media(color_scheme="dark")
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    finally:
        context.close()


def test_palette_toggle_is_remembered_because_the_reader_asked(browsing):
    context = browsing.context("desktop-light", fresh=True)
    try:
        page = context.new_page()
        page.goto(browsing.url(""))
        page.get_by_title("Switch to dark mode").click()
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        assert [key.rsplit(".", 1)[-1] for key in _storage(page)["local"]] == ["__palette"]
        assert _storage(page)["session"] == []
        page.goto(browsing.url(PAGES[-1]))
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        assert context.cookies() == []
    finally:
        context.close()


def test_whole_run_asked_nothing_of_other_hosts_and_set_no_cookie(browsing):
    """Runs last: every request of every test above, and every shared context's cookies."""
    if not browsing.requests:  # run on its own
        browsing.visit("desktop-light", "")
    foreign = sorted(set(browsing.foreign(url for _, url in browsing.requests)))
    assert not foreign, f"requests to other hosts: {foreign}"
    for variant, context in browsing.contexts.items():
        assert context.cookies() == [], f"{variant}: cookies set"
        for page in context.pages:
            storage = _storage(page)
            assert storage == {"local": [], "session": []}, f"{variant}: stored {storage}"


# --- The home page's first screen (issue 13) ---------------------------------------------------


def _fully_in_first_screen(page, selector: str) -> dict:
    box = page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, height: innerHeight}; }")
    assert box["bottom"] <= box["height"], f"{selector} ends at {box['bottom']:.0f}px, below the first screen ({box['height']}px)"
    return box


@pytest.mark.parametrize("device", DEVICES)
def test_home_first_screen_says_where_the_evidence_stands(browsing, device):
    """Before any scrolling, at 360 and 1280 px wide: the dated note with NICE's advice and the
    Cochrane review, and the first of the home page's own points (NICE: do not offer). On a day
    the page's review is overdue, the notice that says so comes first among its points and takes
    that place: the reader is told, and the calendar alone never fails this test."""
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(""))
    assert page.evaluate("scrollY") == 0
    note = page.locator("article aside.evidence-currency")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Since 2016, NICE has told the NHS not to offer acupuncture for low back pain")
    expect(note).to_contain_text("2020 Cochrane review of 33 trials")
    _fully_in_first_screen(page, "article aside.evidence-currency")
    first_point = "#where-the-evidence-stands-today + ul > li"
    expect(page.locator(first_point).first).to_contain_text("NICE has told the NHS not to offer acupuncture")
    overdue = page.locator("article .review-overdue")
    _fully_in_first_screen(page, "article .review-overdue" if overdue.count() else first_point)


# --- Keyboard, screen readers, forced colours and paper (issue 23) ------------------------------
# What axe does not test. Each test walks one page once per width, in the one browser.

# Where the focused element is, whether it is shown, and how much of it the header and
# "Back to top" cover.
TAB_STOP = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  // Material hides the palette's radio buttons and shows one label, the other's, instead.
  const shown = element.matches(".md-option") ? element.parentElement.querySelector("label:not([hidden])") : element;
  const box = shown.getBoundingClientRect();
  // Sampled across each line of the element: what is on top at each point (header, "Back to top").
  let points = 0, covered = 0;
  for (const line of shown.getClientRects()) for (const fx of [0.1, 0.5, 0.9]) {
    for (const fy of [0.25, 0.75]) {
      const x = line.left + line.width * fx, y = line.top + line.height * fy;
      if (x < 0 || x >= innerWidth) continue;
      points += 1;
      const hit = document.elementFromPoint(x, y);
      // Covered: outside the screen, or under what stays on top (header, "Back to top", a preview).
      const cover = hit?.closest(".md-header, .md-top, .md-dialog, .citation-preview");
      if (!hit || (cover && !cover.contains(shown))) covered += 1;
    }
  }
  return {
    html: element.outerHTML.slice(0, 100),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth &&
      shown.checkVisibility({visibilityProperty: true, opacityProperty: true}),
    inDrawer: !!element.closest(".md-sidebar--primary"),
    hiddenShare: points ? covered / points : 1,
  };
}
"""


def _walk_focus(page, backwards: bool = False, limit: int = 600) -> list[dict]:
    """Presses Tab (or Shift+Tab) from the page's start (or end) until the focus leaves the page."""
    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, %s)" % ("document.body.scrollHeight" if backwards else "0"))
    page.evaluate("document.body.focus()")
    stops = []
    # "Back to top" shows a frame after the page scrolls up: backwards, each stop is looked at two
    # frames after the key.
    look = f"async () => {{ {'await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));' if backwards else ''} return ({TAB_STOP})(); }}"
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        stop = page.evaluate(look)
        if stop and (not stop["onScreen"] or stop["hiddenShare"]):
            # What Material slides or fades in on focus (search, "Skip to content"): up to 400 ms.
            try:
                page.wait_for_function(f"() => {{ const stop = ({TAB_STOP})(); return !stop || (stop.onScreen && !stop.hiddenShare); }}", timeout=400, polling="raf")
            except PlaywrightTimeout:
                pass
            stop = page.evaluate(TAB_STOP)
        if stop is None or (stops and stop["html"] == stops[0]["html"] and len(stops) > 3):
            break
        stops.append(stop)
    return stops


WIDTHS = {"phone": 360, "laptop": 1024, "zoomed": 1219}  # 1219: 1280 px at 125 % is 1024


@pytest.mark.parametrize("width", WIDTHS)
def test_menu_opens_by_keyboard_and_a_closed_menu_takes_no_focus(browsing, width):
    """Below 1220 px the menu button took no focus, while Tab walked through the closed,
    off-screen drawer (20 stops on a phone, 13 at 1024-1219 px); the search results' empty
    scroller was a stop of its own. Every stop is on screen, and the button says its state."""
    page = browsing.page("phone-light" if width == "phone" else "desktop-light")
    page.set_viewport_size({"width": WIDTHS[width], "height": 740 if width == "phone" else 800})
    try:
        page.goto(browsing.url(NAV["Having acupuncture"]))
        stops = _walk_focus(page)
        unseen = [stop["html"] for stop in stops if not stop["onScreen"]]
        assert not unseen, f"{len(unseen)} of {len(stops)} Tab stops are not on screen:\n" + "\n".join(unseen)
        button = page.get_by_role("button", name="Navigation")
        expect(button).to_have_attribute("aria-expanded", "false")
        assert any('for="__drawer"' in stop["html"] for stop in stops), "Tab never reaches the menu button"
        button.focus()
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        menu = page.locator(".md-sidebar--primary")
        assert menu.evaluate("(menu) => menu.contains(document.activeElement)"), "the opened menu does not take the focus"
        expect(page.locator(".md-sidebar--primary a[href]").first).to_be_in_viewport()
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_be_focused()
    finally:
        page.set_viewport_size(DEVICES["phone" if width == "phone" else "desktop"]["viewport"])


@pytest.mark.parametrize("device", DEVICES)
def test_focus_is_never_hidden_under_the_header_or_back_to_top(browsing, device):
    """Tabbing backwards scrolls the page up, which shows "Back to top" under the sticky header:
    25 of 215 stops were hidden on the desktop, 34 of 201 on the phone (WCAG 2.4.11)."""
    page = browsing.page(f"{device}-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    hidden = [f"{stop['hiddenShare']:.0%} of {stop['html']}" for stop in _walk_focus(page, backwards=True) if stop["hiddenShare"] > 0]
    assert not hidden, f"{len(hidden)} focused elements partly or wholly covered:\n" + "\n".join(hidden)


def test_skip_link_leads_to_the_dated_note_and_previews_are_reachable_by_keyboard(browsing):
    """"Skip to content" jumped past the "How up to date is this?" note; the links inside a
    citation's preview (DOI, PubMed, downloads) could not be reached by keyboard."""
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    page.keyboard.press("Tab")
    expect(page.locator(".md-skip")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # Nothing of the article is skipped: Tab goes to its first link, which the safety line and the
    # dated note, at the article's top, come before everything else.
    first = page.evaluate("""() => {
      const active = document.activeElement, article = document.querySelector('article');
      const note = article.querySelector('.evidence-currency');
      const firstLink = article.querySelector('a[href], button, input, [tabindex]:not([tabindex="-1"])');
      return {first: active === firstLink, beforeNote: !!(active.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING) || note.contains(active),
              html: active.outerHTML.slice(0, 100)};
    }""")
    assert first["first"] and first["beforeNote"], f"after 'Skip to content', Tab goes to {first['html']}, past the top of the article"
    citation = page.locator("a.citation-link").first
    citation.focus()
    page.keyboard.press("Tab")
    inside = page.evaluate("() => ({inPreview: !!document.activeElement.closest('.citation-preview'), href: document.activeElement.getAttribute('href')})")
    assert inside["inPreview"], "Tab from a citation does not go into its preview"
    assert inside["href"].startswith("https://doi.org/") or "pubmed" in inside["href"], inside
    expect(page.locator("div.citation-preview")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("div.citation-preview")).to_have_count(0)
    expect(citation).to_be_focused()


def _changed_pixels(before: bytes, after: bytes) -> int:
    from PIL import Image, ImageChops
    import io
    difference = ImageChops.difference(Image.open(io.BytesIO(before)).convert("RGB"), Image.open(io.BytesIO(after)).convert("RGB"))
    return sum(1 for pixel in difference.get_flattened_data() if max(pixel) > 32)


def test_focused_citation_shows_in_forced_colours(browsing):
    """Windows high contrast drops backgrounds and shadows: a focused citation changed 0 pixels."""
    page = browsing.page("desktop-light")
    page.emulate_media(forced_colors="active")
    try:
        page.goto(browsing.url(NAV["Clinical studies"]))
        # A citation on one line: the ring of one that wraps is drawn round each part, not its whole box.
        index = page.locator("a.citation-link").evaluate_all("els => els.findIndex((e) => e.getClientRects().length === 1)")
        citation = page.locator("a.citation-link").nth(index)
        citation.scroll_into_view_if_needed()
        box = citation.bounding_box()
        clip = {"x": box["x"] - 4, "y": box["y"] - 4, "width": box["width"] + 8, "height": box["height"] + 8}
        before = page.screenshot(clip=clip)
        citation.focus()  # with no mouse used, as from the keyboard: :focus-visible
        page.evaluate("document.querySelector('.citation-preview')?.remove()")  # only the link's own box counts
        changed = _changed_pixels(before, page.screenshot(clip=clip))
        screenshot(page, "focused-citation-forced-colours.png", clip={**clip, "x": clip["x"] - 60, "width": clip["width"] + 120})
        assert changed >= box["width"], f"focus changed {changed} pixels around a {box['width']:.0f}px citation"
    finally:
        page.emulate_media(forced_colors="none")


# The contrast of the focus ring of the focused element against what is behind it.
RING_CONTRAST = "(element) => {" + CONTRAST_FUNCTIONS + """
  const style = getComputedStyle(element);
  let background = [0, 0, 0, 0];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) { background = colour[3] >= 1 ? colour : over(colour, [255, 255, 255, 1]); break; }
  }
  const ring = over([...parse(style.outlineColor).slice(0, 3), parse(style.outlineColor)[3] * Number(style.opacity)], background);
  const [light, dark] = [luminance(ring), luminance(background)].sort((a, b) => b - a);
  return {ratio: (light + 0.05) / (dark + 0.05), outline: style.outlineStyle, html: element.outerHTML.slice(0, 80)};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_footer_focus_rings_and_the_phone_drawer_title_are_visible(browsing, scheme):
    """Footer focus rings were 2.08:1 and 2.33:1 (3:1 needed); the drawer's "Table of contents"
    title 4.41:1 light, 4.05:1 dark (axe's only violation, with the drawer open)."""
    page = browsing.page(f"desktop-{scheme}")
    page.goto(browsing.url(NAV["Having acupuncture"]))
    low = []
    links = page.locator(".md-footer a[href]")
    for n in range(links.count()):
        links.nth(n).focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        ring = page.locator(":focus").evaluate(RING_CONTRAST)
        if ring["outline"] == "none" or ring["ratio"] < 3:
            low.append(f"{ring['ratio']:.2f}:1 ({ring['outline']}) {ring['html']}")
    phone = browsing.page(f"phone-{scheme}")
    phone.goto(browsing.url(NAV["Having acupuncture"]))
    phone.locator('.md-header label[for="__drawer"]').tap()
    expect(phone.locator(".md-sidebar--primary a[href]").first).to_be_in_viewport()
    phone.locator('.md-sidebar--primary label[for="__toc"]').first.tap()  # the page's own contents
    expect(phone.locator(".md-sidebar--primary .md-nav--secondary .md-nav__title").first).to_be_in_viewport()
    phone.wait_for_timeout(300)  # the drawer's slide
    screenshot(phone, f"drawer-phone-{scheme}.png")
    violations = browsing.axe.run(phone, context=".md-sidebar--primary", options=AXE_OPTIONS).response["violations"]
    assert not low and not violations, "footer focus rings below 3:1:\n" + "\n".join(low) + "\nin the open drawer:\n" + _report(violations)


# The accessibility tree, as a screen reader gets it (Chromium's, through the DevTools protocol).
def _ax_tree(page) -> list[dict]:
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    value = lambda node, key: (node.get(key) or {}).get("value", "")  # noqa: E731
    return [{"role": value(node, "role"), "name": value(node, "name"), "description": value(node, "description"),
             "focusable": any(p["name"] == "focusable" and p["value"]["value"] for p in node.get("properties", []))}
            for node in nodes if not node.get("ignored")]


def test_what_a_screen_reader_hears(browsing, site):
    """Headings ended in "¶" and "¶" links took Tab; each citation's description ran to 330
    characters with "BibTeX for…", "RIS for…" and "Cited in: …"; sort buttons read "Study ↕";
    nothing announced search results or sorting; web pages were named by raw addresses."""
    page = browsing.page("desktop-light")
    problems = []
    for path in (NAV["Clinical studies"], NAV["All the studies at a glance"], NAV["References"]):
        page.goto(browsing.url(path))
        if path == NAV["All the studies at a glance"]:
            page.locator(".evidence-table .sort-button", has_text="Participants").click()
        nodes = _ax_tree(page)
        problems += [f"/{path}: heading {n['name']!r}" for n in nodes if n["role"] == "heading" and "¶" in n["name"]]
        problems += [f"/{path}: tab stop {n['role']} {n['name']!r}" for n in nodes if n["focusable"] and n["name"].strip() == "¶"]
        problems += [f"/{path}: link named by its address {n['name']!r}" for n in nodes if n["role"] == "link" and re.match(r"https?://", n["name"])]
        for node in nodes:
            if node["role"] == "link" and node["description"] and re.search(r"BibTeX|RIS for|Cited in", node["description"]):
                problems.append(f"/{path}: citation {node['name']!r} described as {node['description'][:80]!r}…")
        if path == NAV["All the studies at a glance"]:
            problems += [f"sort button named {n['name']!r}" for n in nodes if n["role"] == "button" and re.search(r"[↕↑↓]", n["name"])]
            status = page.locator(".evidence-table [role=status]")
            if not status.count() or "Sorted by Participants" not in status.first.inner_text():
                problems.append("re-sorting the table is not announced: no live region says it")
    # Search: the count of results is in a live region.
    page.goto(browsing.url(""))
    box = page.locator(".md-search__input")
    box.click()
    box.fill("sham")
    box.press("End")
    page.wait_for_function(SEARCH_ANSWERED, timeout=10_000)
    meta = page.locator(".md-search-result__meta")
    if meta.get_attribute("role") != "status" and meta.get_attribute("aria-live") not in ("polite", "assertive"):
        problems.append("the number of search results is not announced")
    page.keyboard.press("Escape")
    # The 404 page has a title of its own.
    page.goto(browsing.url("404.html"))
    if not page.title().startswith("Page not found"):
        problems.append(f"the 404 page is titled {page.title()!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_reference_links_on_a_phone_are_targets_a_thumb_can_hit(browsing):
    """DOI, PubMed, download and "Cited in" links are 16 px high, 23 px apart: 70 borderline
    targets. A 24 px circle on each (WCAG 2.5.8) must not touch another link or its circle."""
    page = browsing.page("phone-light")
    page.goto(browsing.url(NAV["References"]))
    crowded = page.evaluate("""() => {
      const boxes = [...document.querySelectorAll('li.reference a')].flatMap((a) => [...a.getClientRects()].map((r) => ({a, r})));
      const centre = ({r}) => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
      const small = (r) => r.width < 24 || r.height < 24;
      const crowded = new Set();
      for (const one of boxes) {
        if (!small(one.r)) continue;
        const [x, y] = centre(one);
        for (const other of boxes) {
          if (other.a === one.a) continue;
          // Distance from one's centre to the other's box, and between centres of undersized ones.
          const dx = Math.max(other.r.left - x, 0, x - other.r.right), dy = Math.max(other.r.top - y, 0, y - other.r.bottom);
          const [ox, oy] = centre(other);
          if (Math.hypot(dx, dy) < 12 || (small(other.r) && Math.hypot(ox - x, oy - y) < 24)) crowded.add(one.a);
        }
      }
      return [...crowded].map((a) => a.textContent.trim().slice(0, 40));
    }""")
    assert not crowded, f"{len(crowded)} links too close to another:\n" + "\n".join(crowded[:20])


@pytest.mark.parametrize("title", ["All the studies at a glance", "Clinical studies"])
def test_printing_a_page_keeps_all_its_text_and_drops_screen_controls(browsing, site, title, tmp_path):
    """Printing the evidence table cut "Main finding" to 8 or 9 characters a line: Material's
    table scroller clips it. Nothing printed sits in a box that clips it, the table's header
    repeats on each sheet, and controls that only work on a screen are left out."""
    from pypdf import PdfReader
    page = browsing.page("desktop-light")
    page.goto(browsing.url(NAV[title]))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # an A4 sheet's text width, as Chromium prints it
    try:
        clipped = page.evaluate("""() => {
          const clipped = [];
          const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim() || !node.parentElement.checkVisibility()) continue;
            const range = document.createRange(); range.selectNodeContents(node);
            const text = range.getBoundingClientRect();
            for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
              const style = getComputedStyle(box);
              if (box.matches('.visually-hidden') || (style.overflowX === 'visible' && style.overflowY === 'visible')) continue;
              const edge = box.getBoundingClientRect();
              if (text.right > edge.right + 1 || text.left < edge.left - 1 || text.bottom > edge.bottom + 1) {
                clipped.push(`${node.textContent.trim().slice(0, 30)} (in ${box.className || box.tagName})`);
                break;
              }
            }
          }
          return clipped;
        }""")
        target = tmp_path / f"{NAV[title].strip('/')}.pdf"
        page.pdf(path=target, format="A4", print_background=True)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(DEVICES["desktop"]["viewport"])
    assert not clipped, f"{len(clipped)} pieces of text cut off by a box that clips them:\n" + "\n".join(clipped[:10])
    sheets = [" ".join(sheet.extract_text().split()) for sheet in PdfReader(target).pages]
    printed = re.sub(r"-\s+", "-", " ".join(sheets))
    if title == "All the studies at a glance":
        rows = [re.sub(r"-\s+", "-", " ".join(cell.get_text(" ").split())) for cell in site.article(NAV[title]).select(".evidence-table tbody td:last-child")]
        cut = [row for row in rows if row not in printed]
        assert not cut, f"{len(cut)} of {len(rows)} main findings not printed whole, e.g. {cut[:2]}"
        names = [" ".join(cell.get_text(" ").split()).strip("() ") for cell in site.article(NAV[title]).select(".evidence-table tbody td:first-child")]
        with_rows = [sheet for sheet in sheets if any(f"{name} " in sheet for name in names) and "References" not in sheet[:200]]
        headed = [sheet for sheet in with_rows if "Main finding" in sheet]
        assert len(headed) == len(with_rows), f"the header row is on {len(headed)} of the {len(with_rows)} sheets with rows"
    for leftover in ("Select a column heading", "↕", "BibTeX", "Cited in", "Cite this page"):
        assert leftover not in printed, f"printed: {leftover!r}"


def test_preview_follows_its_citation_when_the_phone_is_turned(browsing):
    """A preview open when the phone turned was left behind, off screen."""
    page = browsing.page("phone-light")
    page.goto(browsing.url(NAV["Clinical studies"]))
    link = page.locator("a.citation-link").nth(2)
    link.scroll_into_view_if_needed()
    link.tap()
    preview = page.locator("div.citation-preview")
    expect(preview).to_be_visible()
    try:
        page.set_viewport_size({"width": 740, "height": 360})
        page.wait_for_timeout(200)
        box, cited = preview.bounding_box(), link.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 740, f"the preview spans {box['x']:.0f}-{box['x'] + box['width']:.0f}px of 740px"
        beside = abs(box["y"] - (cited["y"] + cited["height"])) < 12 or abs(box["y"] + box["height"] - cited["y"]) < 12
        assert beside, f"the preview is at {box['y']:.0f}px, its citation at {cited['y']:.0f}px"
    finally:
        page.keyboard.press("Escape")
        page.set_viewport_size(DEVICES["phone"]["viewport"])


def test_words_found_by_search_do_not_look_like_links(browsing):
    """Material underlined the found words in the accent colour, as links are shown."""
    _search(browsing, "desktop", "sham")
    page = browsing.page("desktop-light")
    mark = page.locator(".md-search-result mark").first.evaluate("""(mark) => {
      const style = getComputedStyle(mark), link = getComputedStyle(mark.closest('a') || mark.parentElement);
      return {underlined: style.textDecorationLine.includes('underline'), colour: style.color, around: link.color, background: style.backgroundColor};
    }""")
    page.keyboard.press("Escape")
    assert not mark["underlined"] and mark["colour"] == mark["around"], mark
    assert mark["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), f"found words are not highlighted: {mark}"


@pytest.mark.parametrize("path", [NAV["All the studies at a glance"], NAV["Words we use"], NAV["Corrections to the original factsheet"]])
def test_phone_header_and_footer_titles_are_not_cut(browsing, path):
    """The header read "Acupuncture fo…", and "Next" in the footer was cut on 2 pages."""
    page = browsing.page("phone-light")
    page.goto(browsing.url(path))
    cut = page.evaluate("""() => [...document.querySelectorAll('.md-header__topic .md-ellipsis, .md-footer__title .md-ellipsis')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 ||
                     e.getBoundingClientRect().bottom > e.closest('.md-header, .md-footer').getBoundingClientRect().bottom)
      .map((e) => `${e.textContent.trim()}: ${e.scrollWidth}px of ${e.clientWidth}px`)""")
    assert not cut, f"/{path}: titles cut off:\n" + "\n".join(cut)
