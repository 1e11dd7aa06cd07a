"""The keyboard, focus and hover, screen readers, forced colours and paper: what axe does not test,
in the browser of tests/test_browser.py (tests/browsing.py), each page walked once per width.

Tab reaches search, the navigation and every citation on every page, each stop showing its focus
and never hidden under the header or "Back to top"; the phone's and a laptop's menu open by
keyboard; links keep 4.5:1 when hovered or focused; focus rings reach 3:1; a focused citation
shows in forced colours; a screen reader hears names, not addresses or symbols; printed pages keep
all their text.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytest.register_assert_rewrite("browsing")  # before the import: its assertions report as the tests' do
from browsing import (  # noqa: E402
                      AXE_OPTIONS, CONTRAST_FUNCTIONS, DEVICES, MIN_CONTRAST, NAV, PAGE_IDS, PAGES, SCHEMES, SEARCH_ANSWERED,
                      assert_no_request_to_other_hosts_and_nothing_stored, axe_report)
from helpers import screenshot  # noqa: E402

pytest_plugins = ["browsing"]  # the site's server, the browser and the shared page contexts


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


# Looked at after every few presses (each look costs a round trip): the log shows the first stop again
# once the walk has come round, however far past it the last presses went.
FOCUS_LEFT_OR_WRAPPED = """() => !document.activeElement || document.activeElement === document.body ||
  window.__focused.slice(1).some((stop) => stop.element === 0)"""
PRESSES_BETWEEN_LOOKS = 8


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
    for _ in range(10 * stops // PRESSES_BETWEEN_LOOKS):
        for _ in range(PRESSES_BETWEEN_LOOKS):
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
    assert not low and not violations, "footer focus rings below 3:1:\n" + "\n".join(low) + "\nin the open drawer:\n" + axe_report(violations)


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


# --- Last -------------------------------------------------------------------------------------


def test_whole_module_asked_nothing_of_other_hosts_and_set_no_cookie(browsing):
    """Runs last: every request of every test above (in this worker), and every shared context's
    cookies and storage."""
    assert_no_request_to_other_hosts_and_nothing_stored(browsing)
