"""The browser tests' shared machinery: the session's site served on 127.0.0.1, one Debian Chromium
for the run (Playwright), and `Browsing`, which visits each page once per variant and gathers what
several tests check. tests/test_browser.py (pages, search, citations, privacy) and
tests/test_browser_keyboard.py (keyboard, focus, screen readers, paper) use it as a pytest plugin
(`pytest_plugins`), so that pytest-xdist can run the two in different workers.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import ROOT, BuiltSite, screenshot

# Debian's Chromium (FACTSHEET_CHROMIUM names another); without it every browser test fails, saying why.
CHROMIUM = Path(os.environ.get("FACTSHEET_CHROMIUM", "/usr/bin/chromium"))

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

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
# Colour contrast is checked once per page and palette, at the desktop size: the phone size runs
# every other rule, and axe's colour-contrast only on text whose colours (text, backgrounds, opacity,
# size and weight: COLOUR_SIGNATURES) the desktop size of the same page and palette did not show.
WITHOUT_COLOUR_CONTRAST = {**AXE_OPTIONS, "rules": {"color-contrast": {"enabled": False}}}
COLOUR_CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}
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
    colours: dict[str, str]  # the colour signatures of its visible text, each with an element that has it
    colours_checked_again: list[str]  # on a phone: text whose colours the desktop did not show
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
        device, scheme = variant.split("-")
        # The desktop visit of the page comes first: the phone visit checks colours it did not show.
        desktop = self.visit(f"desktop-{scheme}", path) if device == "phone" else None
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
            name = f"{path.strip('/') or 'home'}-{device}-{scheme}.png"
            screenshot(page, name, full_page=True)
            facts = page.evaluate(PAGE_FACTS)
            heading_gaps = page.evaluate(HEADING_GAPS)
            colours = page.evaluate(COLOUR_SIGNATURES, list(desktop.colours) if desktop else None)
            if desktop:
                violations = self.axe.run(page, options=WITHOUT_COLOUR_CONTRAST).response["violations"]
                again = colours["new"]
                if again:  # axe is in the page already: not injected again
                    violations += page.evaluate("([context, options]) => axe.run(context, options)", ["[data-colour-check]", COLOUR_CONTRAST])["violations"]
                # The footer's undecided colours ("incomplete", below) likewise, where new.
                in_footer = ".md-footer [data-colour-check]"
                footer = page.evaluate("([context, options]) => axe.run(context, options)", [in_footer, FOOTER_CONTRAST]) if any(
                    item["footer"] for item in again) else {"violations": [], "incomplete": []}
            else:
                again = []
                violations = self.axe.run(page, options=AXE_OPTIONS).response["violations"]
                # axe's verdict on the footer, including what it could not decide ("incomplete"); axe
                # is in the page already.
                footer = page.evaluate("([context, options]) => axe.run(context, options)", [".md-footer", FOOTER_CONTRAST])
            # Last: it marks each control with a number.
            unnamed = unnamed_controls(page) if variant == NAMES_VARIANT else None
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
            colours=colours["signatures"],
            colours_checked_again=[item["html"] for item in again],
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

# The colours of the page's visible text, as signatures: what decides its contrast (text colour,
# the backgrounds behind it up to the first opaque one, background images, opacity, text shadow,
# and size and weight, which set the ratio needed). Given the desktop's signatures, it marks the
# elements whose signature is new with data-colour-check, for axe to check.
COLOUR_SIGNATURES = """
(seen) => {
  const signatures = {}, fresh = [];
  for (const element of document.querySelectorAll("body *")) {
    if (![...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim())) continue;
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const style = getComputedStyle(element);
    const parts = [style.color, style.fontSize, style.fontWeight, style.textShadow];
    let opacity = 1;
    for (let node = element; node; node = node.parentElement) {
      const around = getComputedStyle(node);
      opacity *= Number(around.opacity);
      if (around.backgroundImage !== "none") parts.push(around.backgroundImage);
      parts.push(around.backgroundColor);
      if (!around.backgroundColor.startsWith("rgba") && around.backgroundColor !== "transparent") break;  // opaque
    }
    const signature = [opacity, ...parts].join(" | ");
    if (seen && !seen.includes(signature)) {
      element.dataset.colourCheck = "";
      fresh.push({html: element.outerHTML.slice(0, 100), footer: !!element.closest(".md-footer")});
    }
    signatures[signature] ??= element.outerHTML.slice(0, 100);
  }
  return {signatures, new: fresh};
}
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


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            messages = [check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])]
            lines.append(f"    {' '.join(node['target'])}: {'; '.join(messages)[:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)



NAMES_VARIANT = "desktop-light"


def unnamed_controls(page) -> list[str]:
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


# True once the search shows results, or says that there are none.
SEARCH_ANSWERED = """
() => {
  const none = JSON.parse(document.getElementById("__config").textContent).translations["search.result.none"];
  const meta = document.querySelector(".md-search-result__meta").textContent.trim();
  return document.querySelector(".md-search-result__list").children.length > 0 || meta === none;
}
"""


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


def storage(page) -> dict[str, list[str]]:
    return page.evaluate("({local: Object.keys(localStorage), session: Object.keys(sessionStorage)})")


def assert_no_request_to_other_hosts_and_nothing_stored(browsing: Browsing) -> None:
    """Every request of the session so far, and every shared context's cookies and storage: each
    test module ends with this, since pytest-xdist may run the modules in different workers."""
    if not browsing.requests:  # run on its own
        browsing.visit("desktop-light", "")
    foreign = sorted(set(browsing.foreign(url for _, url in browsing.requests)))
    assert not foreign, f"requests to other hosts: {foreign}"
    for variant, context in browsing.contexts.items():
        assert context.cookies() == [], f"{variant}: cookies set"
        for page in context.pages:
            stored = storage(page)
            assert stored == {"local": [], "session": []}, f"{variant}: stored {stored}"
