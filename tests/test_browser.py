"""The built site in a real browser: accessible, private, searchable, usable on a phone.

The strict build of the session (the `site` fixture) is served on 127.0.0.1 and read by Debian's
headless Chromium through Playwright, one browser for the whole run (tests/browsing.py). Every page
in the nav is checked in the light and the dark palette (chosen, as a reader's system chooses it,
through prefers-color-scheme) at desktop (1280x800) and phone (360x740, touch) sizes:

- accessibility: axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) finds nothing (its colour-contrast rule
  once per page and palette, at the desktop size, and at the phone size on any text whose colours
  the desktop did not show); computed colours of the footer and of links reach 4.5:1; links in
  running text are underlined; every control has a name;
- privacy: no request leaves the local server, no cookie is set, and browser storage holds only
  what a reader asked for. Allowed: Material's `__palette` key, and only after the reader used
  the palette toggle (overrides/main.html stops Material writing it on every page view).
  Nothing else, in localStorage or sessionStorage;
- search, citations and their previews, links and anchors, images, console errors, and no
  sideways scrolling on a phone.

The keyboard, focus, hover, screen readers and paper: tests/test_browser_keyboard.py.
Screenshots of every page, on request: FACTSHEET_SCREENSHOTS=build/screenshots ./run test tests/test_browser.py
Without /usr/bin/chromium each of these tests fails, saying so; `./run test` installs Debian's
chromium where it can, and says how where it cannot. Lighthouse is separate: `./run lighthouse`.
"""

from __future__ import annotations

import functools
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rispy
from bs4 import BeautifulSoup
from playwright.sync_api import expect
from pybtex.database import parse_string

pytest.register_assert_rewrite("browsing")  # before the import: its assertions report as the tests' do
from browsing import (  # noqa: E402
                      CONTRAST_FUNCTIONS, DEVICES, HEADING_GAPS, MIN_CONTRAST, NAMES_VARIANT, NAV, PAGE_IDS, PAGES, SCHEMES,
                      SEARCH_ANSWERED, VARIANTS, assert_no_request_to_other_hosts_and_nothing_stored, axe_report, storage)

pytest_plugins = ["browsing"]  # the site's server, the browser and the shared page visits


# --- Every page, every variant -----------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_axe_finds_no_accessibility_violation(browsing, variant, path):
    visit = browsing.visit(variant, path)
    expected = SCHEMES[variant.split("-")[1]]
    assert visit.scheme == expected, f"the page showed palette {visit.scheme!r}, not {expected!r}"
    assert not visit.violations, f"/{path} ({variant}):\n{axe_report(visit.violations)}"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_footer_and_link_text_reach_4_5_to_1(browsing, variant, path):
    """Includes the footer's "Made with" line: 4.47:1 in Material's light palette, by axe's reckoning."""
    visit = browsing.visit(variant, path)
    assert not visit.footer_contrast, f"/{path} ({variant}): footer contrast:\n{axe_report(visit.footer_contrast)}"
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



def test_search_dialog_is_named(browsing):
    page = browsing.page("desktop-light")
    page.goto(browsing.url(""))
    expect(page.get_by_role("dialog", name="Search", include_hidden=True)).to_have_count(1)
    page.get_by_role("textbox", name="Search").click()
    expect(page.get_by_role("dialog", name="Search")).to_be_visible()


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
        assert storage(page) == {"local": [], "session": []}
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
        assert [key.rsplit(".", 1)[-1] for key in storage(page)["local"]] == ["__palette"]
        assert storage(page)["session"] == []
        page.goto(browsing.url(PAGES[-1]))
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        assert context.cookies() == []
    finally:
        context.close()


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


# --- Last -------------------------------------------------------------------------------------


def test_whole_module_asked_nothing_of_other_hosts_and_set_no_cookie(browsing):
    """Runs last: every request of every test above (in this worker), and every shared context's
    cookies and storage."""
    assert_no_request_to_other_hosts_and_nothing_stored(browsing)
