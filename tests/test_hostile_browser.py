"""Script in the bibliography never runs in a reader's browser (issue 21, security cases).

A copy of the site whose most cited reference carries script in its title and journal (closing
the JSON-LD block, an image that runs code when it fails to load, a comment that would swallow the
page) is built strictly and loaded in Debian's headless Chromium, as tests/test_browser.py loads the
real site: on a page that cites it, in its citation preview, and on the References page. No
dialog may open, no script from the data may run, and the payload must be there as text.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from helpers import copy_project, mkdocs

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    _why = f"{CHROMIUM} is missing: install Debian's chromium package (`./run test` does, as root on Debian)"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{_why}; CI must run the browser tests", pytrace=False)
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
ORIGINAL_TITLE = "Pragmatic randomized trial evaluating the clinical and economic effectiveness of acupuncture for chronic low back pain"
# Each sets window.__pwned and opens a dialog, if it ever runs.
TITLE = ("</script><script>window.__pwned='title';alert('title')</script> "
         "<img src=x onerror=\"window.__pwned='img';alert('img')\"> <!--<script>")
JOURNAL = "<svg onload=\"window.__pwned='journal';alert('journal')\"></svg>"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile"))
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace(ORIGINAL_TITLE, TITLE, 1).replace("journal = {American Journal of Epidemiology}", f"journal = {{{JOURNAL}}}", 1)
    assert TITLE in text and JOURNAL in text
    bib.write_text(text, encoding="utf-8")
    site = project / "site"
    result = mkdocs("build", "--strict", "--site-dir", str(site), cwd=project, env={"FACTSHEET_PDF": "off"})
    assert result.returncode == 0, result.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", site
    httpd.shutdown()
    httpd.server_close()


def visit(base: str) -> tuple[list[str], dict]:
    """Loads the pages in Chromium: (the dialogs that opened, what each page showed)."""
    dialogs, seen = [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for path in ("", "references/"):
                page.goto(base + path)
                page.wait_for_load_state("load")
                if path == "":  # the citation preview puts the reference beside the citation
                    link = page.locator('a.citation-link[href="#ref-witt2006"]').first
                    link.hover()
                    link.focus()
                    page.wait_for_timeout(300)
                page.wait_for_timeout(300)  # time for an onerror or onload to fire
                seen[path] = {
                    "pwned": page.evaluate("() => window.__pwned ?? null"),
                    "text": page.locator("#ref-witt2006 .reference-text").inner_text(),
                    "json_ld": page.evaluate("() => document.querySelector('script[type=\"application/ld+json\"]').textContent"),
                    "scripts": page.evaluate("() => [...document.scripts].filter((s) => s.textContent.includes('__pwned') && s.type !== 'application/ld+json').length"),
                }
        finally:
            browser.close()
    return dialogs, seen


def test_no_script_from_the_bibliography_runs(hostile_site):
    base, site = hostile_site
    # Its own thread: Playwright's sync API refuses a thread where an event loop runs, as the
    # session's browser of tests/test_browser.py leaves one running in the main thread.
    result: dict = {}

    def run():
        try:
            result["visited"] = visit(base)
        except BaseException as error:  # raised again below, in the test's own thread
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in result:
        raise result["error"]
    assert "visited" in result, "the browser did not finish in 120 s"
    dialogs, seen = result["visited"]
    assert dialogs == []
    for path, facts in seen.items():
        assert facts["pwned"] is None, path
        assert facts["scripts"] == 0, path
        assert "<script>window.__pwned=" in facts["text"] and "<img src=x onerror=" in facts["text"], path  # there, as text
        names = [work["name"] for work in json.loads(facts["json_ld"])["citation"]]  # the works the page cites
        assert TITLE.replace("--", "–") in names if path == "" else names == [], path
    head = (site / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert json.dumps(JOURNAL, ensure_ascii=False)[1:-1] not in head  # written escaped, never as is
