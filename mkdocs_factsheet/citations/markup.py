"""The HTML readers see: citations as author-year links, reference lists, badges and backlinks.

Class names and ids are what the stylesheets, scripts and the PDF plugin (pdf.py) rely on: span.citation#cite-N,
a.citation-link to #ref-KEY, ul.reference-list (.page-references for a page's own list),
li.reference#ref-KEY, .status-badge, .reference-backlinks ("Cited in:"), .reference-exports.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from .bibliography import WEB_ADDRESS

TAG = re.compile(r"<[^>]+>")
PANDOC_LINK = re.compile(r'<a href="#ref-([^"]+)" role="doc-biblioref">')


def plain(html_text: str) -> str:
    """The text of our own HTML (citations, references), whose escaped text has no tags to keep."""
    return TAG.sub("", html_text)


def after_search(name: str, searchable: str = "") -> str:
    """Where the plugin puts the HTML named `name` after search indexing; search reads `searchable`."""
    return f"<!-- after-search:{name} -->{searchable}<!-- /after-search -->"


AFTER_SEARCH = re.compile(r"<!-- after-search:(\S+) -->(.*?)<!-- /after-search -->", re.DOTALL)


def in_text(pandoc_html: str, number: int) -> str:
    # The link names the work; aria-describedby lets a screen reader read the full reference
    # (listed at the end of the same page) when the link takes focus: the reference's text
    # only, not its links, downloads and "Cited in" list.
    linked = PANDOC_LINK.sub(r'<a href="#ref-\1" class="citation-link" role="doc-biblioref" aria-describedby="ref-\1-text">', pandoc_html)
    return linked.replace('<span class="citation"', f'<span class="citation" id="cite-{number}"', 1)


def problem_marker(source: str, message: str) -> str:
    """Under `mkdocs serve`, a citation that cannot be resolved, shown where it stands."""
    return f'<mark class="citation-problem" title="{html.escape(message)}">{html.escape(source)}</mark>'


def badge(status: str, replacement_key: str = "", replacement_name: str = "") -> str:
    """A visible note beside each citation of a superseded, withdrawn or retracted work."""
    label = status.lower()
    if replacement_key:
        label += f' by <a href="#ref-{html.escape(replacement_key)}">{html.escape(replacement_name)}</a>'
    return f' <span class="status-badge status-{html.escape(status.lower())}">{label[0].upper()}{label[1:]}</span>'


def reference_list(items: list[str], bibliography: bool) -> str:
    kind = "reference-list" if bibliography else "reference-list page-references"
    return f'<ul class="{kind}">\n' + "\n".join(items) + "\n</ul>"


def reference_item(key: str, badge_html: str, reference_html: str, links: str, backlinks: str) -> str:
    parts = [badge_html.strip(), f'<span class="reference-text" id="ref-{html.escape(key)}-text">{reference_html}</span>', links, backlinks]
    return f'<li class="reference" id="ref-{html.escape(key)}">{" ".join(p for p in parts if p)}</li>'


def backlinks(places: list[tuple[str, str]]) -> str:
    """Links from an entry to each place that cites it: (address, where) pairs."""
    seen: dict[str, int] = {}
    links = []
    for url, where in places:
        seen[where] = seen.get(where, 0) + 1
        text = where if seen[where] == 1 else f"{where} ({ordinal(seen[where])} citation)"  # not a bare "(2)"
        links.append(f'<a href="{html.escape(url)}">{html.escape(text)}</a>')
    return f'<span class="reference-backlinks">Cited in: {", ".join(links)}</span>' if links else ""


def ordinal(n: int) -> str:
    """2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def identifier_links(fields: dict[str, str], key: str, name: str, downloads_url: str) -> str:
    """DOI and PubMed links (or the URL), then the downloads of the entry as BibTeX and RIS.

    The site publishes the whole bibliography in each format; the reference-export script saves
    just this entry from it, named after its key. Without scripts, the link downloads the whole file.
    """
    links = []
    if doi := fields.get("doi"):
        links.append(f'<a class="reference-doi" href="https://doi.org/{html.escape(doi)}">DOI: {html.escape(doi)}</a>')
    if pmid := fields.get("pmid"):
        links.append(f'<a class="reference-pubmed" href="https://pubmed.ncbi.nlm.nih.gov/{html.escape(pmid)}/">PubMed: {html.escape(pmid)}</a>')
    if not links and (url := fields.get("url")) and WEB_ADDRESS.match(url):  # bibliography.py reports any other
        # Named by its site ("Web page at nice.org.uk"), not read out character by character;
        # print and the PDF add the full address after it.
        site = (urlsplit(url).hostname or url).removeprefix("www.")
        links.append(f'<a class="reference-url" href="{html.escape(url)}">Web page at {html.escape(site)}</a>')
    download_links = [
        f'<a class="reference-export" href="{downloads_url}/references.{kind}" download="{html.escape(key)}.{kind}" '
        f'data-key="{html.escape(key)}">{label}<span class="visually-hidden"> for {html.escape(name)}</span></a>'
        for kind, label in (("bib", "BibTeX"), ("ris", "RIS"))
    ]
    # Downloads get a span of their own, which the PDF leaves out (pdf.css).
    # (The class names say "export", as the stylesheets and scripts know them.)
    downloads_html = f'<span class="reference-exports">{" · " if links else ""}{" · ".join(download_links)}</span>'
    return f'<span class="reference-links">{" · ".join(links)}{downloads_html}</span>'
