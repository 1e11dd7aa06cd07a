"""The `pdf` plugin: the whole factsheet as one A4 document, made from the built pages by WeasyPrint.

- on_config says whether this build makes the PDF (its `enabled` and `on_serve` options), and
  tells the theme (`extra.pdf_edition`, for the download link in overrides/main.html);
- on_nav notes the reading order;
- on_post_page keeps each page's rendered content (citations and reference lists resolved);
- on_post_build joins the pages behind a title page, with one reference list (the References
  page's) so every id stays unique, points citations and cross-page links inside the document,
  and writes it into the site (`filename`).

In mkdocs.yml, `enabled: !ENV [FACTSHEET_PDF, true]` and `on_serve: !ENV [FACTSHEET_PDF, false]`:
built by `mkdocs build`, left out of `mkdocs serve` (a preview rebuilds in a second, the PDF takes
several), and FACTSHEET_PDF=off or =on says otherwise for both.
"""

from __future__ import annotations

import html
import re
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

log = get_plugin_logger("pdf")

HOME_CHAPTER = "Overview"  # the home page's chapter, whose heading on the site is the site's name

ID = re.compile(r'\bid="([^"]+)"')
HREF = re.compile(r'\bhref="([^"]*)"')
CURRENCY_NOTE = re.compile(r'<aside class="admonition info evidence-currency".*?</aside>', re.DOTALL)
SAFETY_NET = re.compile(r'<aside class="admonition danger safety-net".*?</aside>', re.DOTALL)


class Edition:
    """The pages of one build, in reading order, and how to join them."""

    def __init__(self, config):
        self.config = config
        self.order: list[str] = []  # page URLs in nav order
        self.pages: dict[str, tuple[str, str]] = {}  # url -> (title, article HTML)

    def slug(self, url: str) -> str:
        return url.strip("/").replace("/", "-") or "home"

    def document(self) -> str | None:
        sections = []
        for url in self.order:
            title, body = self.pages[url]
            body = _without_page_references(body)
            if url == "":
                # The home page is headed with the site's name, which the title page and every
                # running head already give: on paper its chapter is headed as the Contents and
                # the running head name it.
                body = re.sub(r"(<h1\b[^>]*>).*?(</h1>)", rf"\g<1>{HOME_CHAPTER}\g<2>", body, count=1, flags=re.DOTALL)
            sections.append(
                f'<section class="pdf-page" id="page-{self.slug(url)}" data-running-head="{html.escape(self._running_head(url))}">'
                f"{self._localise(url, body)}</section>"
            )
        document = (
            f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.config.site_name)}</title>"
            f'<meta name="author" content="{html.escape(self.config.site_author or "")}">'
            f'<meta name="description" content="{html.escape(self.config.site_description or "")}">'
            f'<meta name="dcterms.created" content="{edition_date(Path(self.config.config_file_path).parent).isoformat()}">'
            f"</head><body>{self._title_page()}{self._contents()}{''.join(sections)}</body></html>"
        )
        repeated = [i for i, n in Counter(ID.findall(document)).items() if n > 1]
        if repeated:
            # Logged, not raised: `--strict` stops the build on it, and `mkdocs serve` goes on.
            log.error(f"PDF: element ids repeated in the joined document: {', '.join(repeated[:5])}; no PDF made")
            return None
        return document

    def _localise(self, url: str, body: str) -> str:
        """Makes ids unique across pages and turns links between pages into links within the PDF."""
        slug = self.slug(url)
        body = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", body)
        body = ID.sub(lambda m: m.group(0) if m.group(1).startswith("ref-") else f'id="{slug}-{m.group(1)}"', body)

        def link(match: re.Match) -> str:
            target = match.group(1)
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                return match.group(0)
            path, _, anchor = target.partition("#")
            if not path:
                return f'href="#{anchor if anchor.startswith("ref-") else f"{slug}-{anchor}"}"'
            other = _resolve(url, path)
            if other not in self.pages:
                return match.group(0)
            return f'href="#{self.slug(other)}-{anchor}"' if anchor else f'href="#page-{self.slug(other)}"'

        return HREF.sub(link, body)

    def _title_page(self) -> str:
        config = self.config
        address = f'<p class="pdf-address"><a href="{html.escape(config.site_url)}">{html.escape(config.site_url)}</a></p>' if config.site_url else ""
        return (
            '<section class="pdf-title-page">'
            f"<p class=\"pdf-title\">{html.escape(config.site_name)}</p>"
            f'<p class="pdf-subtitle">{html.escape(config.site_description or "")}</p>'
            f'<p class="pdf-publisher">Published by {html.escape(config.extra.get("publisher") or config.site_author or config.site_name)}</p>'
            f'<p class="pdf-date">This edition: {edition_date(Path(config.config_file_path).parent):%-d %B %Y}</p>'
            f"{address}</section>"
        )

    def _chapter_title(self, url: str) -> str:
        """The page's title in the nav, except the home page's ("Home" means nothing on paper)."""
        return HOME_CHAPTER if url == "" else self.pages[url][0]

    def _running_head(self, url: str) -> str:
        """The chapter's title at the top right of its pages."""
        return self._chapter_title(url)

    def _contents(self) -> str:
        items = "".join(f'<li><a href="#page-{self.slug(url)}">{html.escape(self._chapter_title(url))}</a></li>' for url in self.order)
        return f'<nav class="pdf-contents"><p class="pdf-contents-title">Contents</p><ol>{items}</ol></nav>'


def _without_page_references(body: str) -> str:
    """Drops a page's own reference list and its heading: the PDF has one list, at the end."""
    return re.sub(r'<h2 id="references">.*?</h2>|<ul class="reference-list page-references">.*?</ul>', "", body, flags=re.DOTALL)


def _resolve(base: str, path: str) -> str:
    """The site URL a relative link on page `base` points to, e.g. ('evidence/', '../') -> ''."""
    parts = [p for p in base.split("/") if p]
    for piece in path.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece and piece != ".":
            parts.append(piece)
    resolved = "/".join(parts)
    return resolved.removesuffix("index.html") + ("/" if resolved and not resolved.endswith("/") else "")


def edition_date(root: Path) -> date:
    """The day the content last changed: the last commit to docs/ or references.bib."""
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", "docs", "references.bib"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()
        if stamp:
            return date.fromisoformat(stamp)
    except (OSError, subprocess.CalledProcessError):
        pass
    newest = max(p.stat().st_mtime for p in [*root.joinpath("docs").rglob("*.md"), root / "references.bib"])
    return date.fromtimestamp(newest)


# --- The plugin ---------------------------------------------------------------------------------


# What WeasyPrint needs from the system (./run installs them where it can).
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"


class PdfConfig(Config):
    enabled = opt.Type(bool, default=True)
    # Also under `mkdocs serve` (each rebuild then takes seconds longer).
    on_serve = opt.Type(bool, default=False)
    # Where the PDF goes in the site, and the stylesheet for paper (relative to mkdocs.yml).
    filename = opt.Type(str, default="factsheet.pdf")
    stylesheet = opt.Type(str, default="overrides/assets/stylesheets/pdf.css")


class PdfPlugin(BasePlugin[PdfConfig]):
    def __init__(self):
        self.serving = False
        self.edition: Edition | None = None

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    def on_config(self, config):
        making = self.config.enabled and (self.config.on_serve or not self.serving)
        self.edition = Edition(config) if making else None
        if making:
            try:
                import weasyprint  # noqa: F401 - found before the pages are built, not after
            except OSError as error:  # WeasyPrint loads Pango when imported
                raise PluginError(
                    f"pdf: the PDF edition needs Pango, which this system lacks ({error}): install it with "
                    f"`sudo apt-get install {SYSTEM_PACKAGES}`, or build without the PDF: FACTSHEET_PDF=off"
                ) from None
        # overrides/main.html links to the PDF only when there is one.
        config.extra["pdf_edition"] = self.config.filename if making else None
        return config

    def on_nav(self, nav, config, files):
        if self.edition:
            self.edition.order = [page.url for page in nav.pages]
        return nav

    def on_post_page(self, output, page, config):
        if self.edition:
            # The dated note on how current the evidence is (overrides/partials/evidence-currency.html)
            # is part of the page's template, not its content: the PDF's chapter opens with it too.
            # So is the safety line (overrides/partials/safety-net.html), which comes first.
            notes = [m.group(0) for m in (SAFETY_NET.search(output), CURRENCY_NOTE.search(output)) if m]
            self.edition.pages[page.url] = (page.title, "".join(notes) + page.content)
        return output

    def on_post_build(self, config):
        if not self.edition:
            why = "mkdocs serve (on_serve: false)" if self.config.enabled else "enabled: false (FACTSHEET_PDF=off)"
            log.info(f"no PDF this time: {why}")
            return
        from weasyprint import CSS, HTML  # imported here: only a PDF build needs it

        from mkdocs_factsheet.pdf_tags import finish  # the PDF/UA tags WeasyPrint leaves out

        document = self.edition.document()
        if document is None:
            return
        root = Path(config.config_file_path).parent
        target = Path(config.site_dir) / self.config.filename
        HTML(string=document, base_url=config.site_dir).write_pdf(
            target, stylesheets=[CSS(filename=root / self.config.stylesheet)], pdf_variant="pdf/ua-1", pdf_identifier=False,
            finisher=finish,
        )
        log.info(f"PDF written: {target.name} ({target.stat().st_size // 1024} KiB)")
