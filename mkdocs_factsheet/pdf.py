"""The `pdf` plugin: the whole factsheet as one A4 document, made from the built pages by WeasyPrint.

- on_config says whether this build makes the PDF (its `enabled` and `on_serve` options), and
  tells the theme (`extra.pdf_edition`, for the download link in overrides/main.html);
- on_nav notes the reading order;
- on_post_page keeps each page's rendered content (citations and reference lists resolved);
- on_post_build joins the pages behind a title page, with one reference list (the References
  page's) so every id stays unique, points citations and cross-page links inside the document,
  and writes it into the site (`filename`). An id the joined document would still give twice
  (two headings with one `{#id}`, a second list of every work) is a Problem at the page line
  that gives it, and no PDF is made.

The pages' HTML is read with Python's HTML parser (pdf_html.py), never with regexes on class names.

In mkdocs.yml, `enabled: !ENV [FACTSHEET_PDF, true]` and `on_serve: !ENV [FACTSHEET_PDF, false]`:
built by `mkdocs build`, left out of `mkdocs serve` (a preview rebuilds in a second, the PDF takes
several), and FACTSHEET_PDF=off or =on says otherwise for both.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from mkdocs_factsheet.citations.pages import toc_items
from mkdocs_factsheet.messages import docs_path
from mkdocs_factsheet.pdf_html import classes, copy, outer_html
from mkdocs_factsheet.problems import Problem, report

log = get_plugin_logger("pdf")

HOME_CHAPTER = "Overview"  # the home page's chapter, whose heading on the site is the site's name
# The notes each chapter opens with, which the page's template adds (overrides/partials/): the
# safety line first, then the dated note on how current the evidence is.
NOTES = ("safety-net", "evidence-currency")
REPEATED = "the PDF edition joins every page into one document, where each must be unique: change or remove one (no PDF made)"


@dataclass
class Chapter:
    """One page, as the PDF edition takes it."""

    title: str
    body: str  # the notes and the page's content (citations and reference lists resolved)
    file: str  # the page file, as the editor names it: docs/evidence.md
    source: str  # the page file's text
    heading_ids: list[str] = field(default_factory=list)  # the ids of its headings, in order


class Edition:
    """The pages of one build, in reading order, and how to join them."""

    def __init__(self, config):
        self.config = config
        self.order: list[str] = []  # page URLs in nav order
        self.pages: dict[str, Chapter] = {}  # url -> the page

    def slug(self, url: str) -> str:
        return url.strip("/").replace("/", "-") or "home"

    def document(self) -> tuple[str | None, list[Problem]]:
        """The joined document; or, where it would give an id twice, None and a Problem for each."""
        given: dict[str, list[tuple[str, str]]] = {}  # id in the document -> (page URL, id on the page), each time
        sections = []
        for url in self.order:
            given.setdefault(f"page-{self.slug(url)}", []).append((url, ""))
            sections.append(
                f'<section class="pdf-page" id="page-{self.slug(url)}" data-running-head="{html.escape(self._running_head(url))}">'
                f"{self._localise(url, given)}</section>"
            )
        problems = self._repeated_ids({i: places for i, places in given.items() if len(places) > 1})
        if problems:
            return None, problems
        root = Path(self.config.config_file_path).parent
        document = (
            f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.config.site_name)}</title>"
            f'<meta name="author" content="{html.escape(self.config.site_author or "")}">'
            f'<meta name="description" content="{html.escape(self.config.site_description or "")}">'
            f'<meta name="dcterms.created" content="{edition_date(root, self.config.docs_dir).isoformat()}">'
            f"</head><body>{self._title_page()}{self._contents()}{''.join(sections)}</body></html>"
        )
        return document, []

    def _localise(self, url: str, given: dict[str, list[tuple[str, str]]]) -> str:
        """The page's HTML for the joined document: without its own reference list (the PDF has
        one, at the end) or heading anchors; ids made unique across pages (noted in `given`), and
        links between pages made links within the PDF. The home page is headed as its chapter."""
        slug, home = self.slug(url), [url == ""]

        def leave_out(tag: str, attributes: dict[str, str]) -> bool:
            return (tag == "a" and "headerlink" in classes(attributes)
                    or tag == "h2" and attributes.get("id") == "references"
                    or tag == "ul" and {"reference-list", "page-references"} <= classes(attributes))

        def new_inner(tag: str, attributes: dict[str, str]) -> str | None:
            # The home page is headed with the site's name, which the title page and every
            # running head already give: on paper its chapter is headed as the Contents name it.
            if tag == "h1" and home[0]:
                home[0] = False
                return HOME_CHAPTER
            return None

        def new_value(tag: str, name: str, value: str) -> str:
            if name == "id":
                # A work's id (ref-KEY) is kept: citations on every page link to the one list.
                unique = value if value.startswith("ref-") else f"{slug}-{value}"
                given.setdefault(unique, []).append((url, value))
                return unique
            return self._link(url, value) if name == "href" else value

        return copy(self.pages[url].body, leave_out, new_inner, new_value)

    def _link(self, url: str, target: str) -> str:
        """A link on page `url`, as a link within the PDF where it leads to a page of it."""
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            return target
        path, _, anchor = target.partition("#")
        if not path:
            return f"#{anchor}" if anchor.startswith("ref-") else f"#{self.slug(url)}-{anchor}"
        other = _resolve(url, path)
        if other not in self.pages:
            return target
        return f"#{self.slug(other)}-{anchor}" if anchor else f"#page-{self.slug(other)}"

    def _repeated_ids(self, repeated: dict[str, list[tuple[str, str]]]) -> list[Problem]:
        """One Problem where an id is given again, naming where it was given first; what is given
        again at one place (a second list of every work) in one Problem."""
        again: dict[tuple, list[str]] = {}  # (where again, where first) -> the ids on the page
        for places in repeated.values():
            first, *others = [self._where(url, page_id, nth=places[: n].count((url, page_id)))
                              for n, (url, page_id) in enumerate(places)]
            for where, (url, page_id) in zip(others, places[1:]):
                again.setdefault((where, first), []).append(page_id or f"page-{self.slug(url)}")
        problems = []
        for ((file, line), (first_file, first_line)), ids in again.items():
            first = f"{first_file}:{first_line}" if first_line else first_file
            works = list(dict.fromkeys(i.removeprefix("ref-").removesuffix("-text") for i in ids if i.startswith("ref-")))
            others = [i for i in ids if not i.startswith("ref-")]
            said = [f"{_quoted(works, 'work')} {'are' if len(works) > 1 else 'is'} also listed at {first}"] if works else []
            said += [f"{_quoted(others, 'id')} {'are' if len(others) > 1 else 'is'} also given at {first}"] if others else []
            problems.append(Problem(f"{'; '.join(said)}: {REPEATED}", file, line))
        return problems

    def _where(self, url: str, page_id: str, nth: int) -> tuple[str, int | None]:
        """The page file, and the line that gives the element its id (the nth time the page gives it)."""
        chapter = self.pages[url]
        lines = id_lines(chapter.source, page_id, chapter.heading_ids)
        return chapter.file, lines[nth] if nth < len(lines) else lines[-1] if lines else None

    def _title_page(self) -> str:
        config = self.config
        address = f'<p class="pdf-address"><a href="{html.escape(config.site_url)}">{html.escape(config.site_url)}</a></p>' if config.site_url else ""
        return (
            '<section class="pdf-title-page">'
            f"<p class=\"pdf-title\">{html.escape(config.site_name)}</p>"
            f'<p class="pdf-subtitle">{html.escape(config.site_description or "")}</p>'
            f'<p class="pdf-publisher">Published by {html.escape(config.extra.get("publisher") or config.site_author or config.site_name)}</p>'
            f'<p class="pdf-date">This edition: {edition_date(Path(config.config_file_path).parent, config.docs_dir):%-d %B %Y}</p>'
            f"{address}</section>"
        )

    def _chapter_title(self, url: str) -> str:
        """The page's title in the nav, except the home page's ("Home" means nothing on paper)."""
        return HOME_CHAPTER if url == "" else self.pages[url].title

    def _running_head(self, url: str) -> str:
        """The chapter's title at the top right of its pages."""
        return self._chapter_title(url)

    def _contents(self) -> str:
        items = "".join(f'<li><a href="#page-{self.slug(url)}">{html.escape(self._chapter_title(url))}</a></li>' for url in self.order)
        return f'<nav class="pdf-contents"><p class="pdf-contents-title">Contents</p><ol>{items}</ol></nav>'


ATX_HEADING = re.compile(r" {0,3}#{1,6}(\s|$)")
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
REFERENCE_LIST_COMMAND = re.compile(r"\s*\\\w*bibliography\s*$")  # \bibliography, \full_bibliography


def id_lines(source: str, page_id: str, heading_ids: list[str]) -> list[int]:
    """The lines of a page file that give an element this id: an attribute list (`{#id}`), an HTML
    attribute (`id="id"`), the heading the table of contents gives it to (headings in order), or,
    for a work in a reference list (ref-KEY), the line that places the list."""
    if not page_id:
        return []
    written = re.compile(r"\{[^}]*#" + re.escape(page_id) + r"[\s}]|\bid=[\"']" + re.escape(page_id) + "[\"']")
    lines = source.splitlines()
    # Past the front matter, whose YAML comments start with # too.
    start = lines.index("---", 1) + 1 if lines and lines[0] == "---" and "---" in lines[1:] else 0
    found, headings, fenced = [], [], False
    for number, line in enumerate(lines[start:], start + 1):
        if FENCE.match(line):
            fenced = not fenced
        elif fenced:
            continue
        elif written.search(line):
            found.append(number)
        elif ATX_HEADING.match(line):
            headings.append(number)
        elif page_id.startswith("ref-") and REFERENCE_LIST_COMMAND.match(line):
            found.append(number)
    if not found and page_id in heading_ids and heading_ids.index(page_id) < len(headings):
        found.append(headings[heading_ids.index(page_id)])
    return found


def _quoted(names: list[str], what: str) -> str:
    """"the id 'a'", "the works 'a', 'b' and 'c'", "the ids 'a', 'b', 'c', 'd', 'e' and 3 more"."""
    shown = [f"'{name}'" for name in names[:5]]
    if len(names) > 5:
        shown.append(f"{len(names) - 5} more")
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"the {what}{'s' if len(names) > 1 else ''} {listed}"


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


def edition_date(root: Path, docs_dir: str) -> date:
    """The day the content last changed: the last commit to the docs folder or references.bib; in
    a copy without git history, the newest of their files."""
    docs = Path(docs_dir)
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", str(docs), "references.bib"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()
        if stamp:
            return date.fromisoformat(stamp)
    except (OSError, subprocess.CalledProcessError):
        pass
    newest = max(p.stat().st_mtime for p in [*docs.rglob("*.md"), root / "references.bib", root / "mkdocs.yml"] if p.is_file())
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
            notes = [outer_html(output, lambda tag, attributes, note=note: tag == "aside" and note in classes(attributes)) for note in NOTES]
            self.edition.pages[page.url] = Chapter(
                page.title, "".join(note for note in notes if note) + page.content, docs_path(config, page.file.src_uri),
                page.file.content_string, [item.id for item in toc_items(page.toc)],
            )
        return output

    def on_post_build(self, config):
        if not self.edition:
            why = "mkdocs serve (on_serve: false)" if self.config.enabled else "enabled: false (FACTSHEET_PDF=off)"
            log.info(f"no PDF this time: {why}")
            return
        from weasyprint import CSS, HTML  # imported here: only a PDF build needs it

        from mkdocs_factsheet.pdf_tags import finish  # the PDF/UA tags WeasyPrint leaves out

        document, problems = self.edition.document()
        for problem in problems:
            # Logged, not raised: `--strict` stops the build on it, and `mkdocs serve` goes on.
            report(log, problem)
        if document is None:
            return
        root = Path(config.config_file_path).parent
        target = Path(config.site_dir) / self.config.filename
        HTML(string=document, base_url=config.site_dir).write_pdf(
            target, stylesheets=[CSS(filename=root / self.config.stylesheet)], pdf_variant="pdf/ua-1", pdf_identifier=False,
            finisher=finish,
        )
        log.info(f"PDF written: {target.name} ({target.stat().st_size // 1024} KiB)")
