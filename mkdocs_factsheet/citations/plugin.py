"""The citations plugin: mkdocs-bibtex's configuration, our reading and rendering.

mkdocs.yml configures it with mkdocs-bibtex's options (bib_file, csl_file, bib_command,
full_bib_command, bib_by_default; config.py); none of mkdocs-bibtex's passes run. A thin
adapter between MkDocs' events and the parts that know nothing of MkDocs' build:

- on_startup: notes whether this is `mkdocs serve`, where problems never stop the preview;
- on_config: reads and checks the style and the bibliography (sources.py), and adds the Markdown
  extension (syntax.py) that finds citations while each page is converted;
- on_files: publishes the bibliography as BibTeX and RIS (downloads.py); checks pages are UTF-8;
  starts pandoc (citeproc.py) on every entry and on the citations the pages' Markdown probably
  holds, so that it works while the pages are converted and the theme's files copied;
- on_page_markdown / on_page_content: notes the page whose citations the extension finds, then
  puts them in reading order, finds their lines and headings (pages.py), and lists the works the
  page cites and lists in `page.meta["works_cited"]` and `["works_listed"]` for the
  page-metadata and evidence-table plugins and the theme;
- on_env, once every page is converted: reports every problem (checks.py; under `mkdocs build`,
  then stops), and makes sure pandoc formats every citation the pages hold: the run already
  started goes on if it does, else one run formats them all (citeproc.py, cached);
- on_page_context, first before the search plugin (the first page waits for pandoc, then every
  page's placeholders are filled in with text, which search indexes: resolver.py), then after
  it: the links, lists and backlinks go in (references.py, markup.py).

Every build starts from nothing (`mkdocs serve` keeps the plugin object between rebuilds), so a
mistake fixed is gone on the next rebuild; only the caches on disk carry over.
"""

from __future__ import annotations

import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs_bibtex.plugin import BibTexPlugin

from ..messages import docs_path
from ..nav import nav_titles
from ..problems import Problem, report as report_problem
from ..project_files import linked_outside, nav_citation_problems
from . import markup
from .cache import Cache
from .checks import check_citations, check_page_files
from .citeproc import CiteprocError
from .config import NOT_HONOURED, CitationsConfig, not_honoured_problems
from .default_list import DefaultReferenceList
from .downloads import DOWNLOADS_DIR
from .pages import CitedPages, toc_items
from .pandoc_messages import Places, located
from .reading_order import citations_by_section, title_with_citations_as_text
from .references import ReferenceLists
from .resolver import fix_citations, fix_reference_lists
from .sources import Sources
from .syntax import CITED_KEY, CitationsExtension, probable_citations

log = get_plugin_logger("citations")


class CitationsPlugin(BibTexPlugin):
    """Citations recognised by the Markdown parser, formatted by pandoc's citeproc for the whole site."""

    config_class = CitationsConfig

    def __init__(self):
        super().__init__()
        self.serving = False
        self.site: SiteCitations | None = None
        self.not_honoured: list[Problem] = []  # problems with the options mkdocs.yml gives

    def load_config(self, options, config_file_path=None):
        # mkdocs-bibtex's options that this plugin does not honour: named, with their line, in on_config.
        self.not_honoured = not_honoured_problems(options, config_file_path, "citations")
        return super().load_config({k: v for k, v in options.items() if k not in NOT_HONOURED}, config_file_path)

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    def on_config(self, config):
        self.site = SiteCitations(self.config, config)
        self.log_cache_notes()
        self.report(self.not_honoured + self.site.sources.problems)
        current_page = self.site.pages.current_page
        config.markdown_extensions.append(CitationsExtension(current_page, self.config.bib_command, self.config.full_bib_command))
        if self.config.bib_by_default:
            config.markdown_extensions.append(DefaultReferenceList(current_page))
        return config

    def on_files(self, files, config):
        sources = self.site.sources
        problems = linked_outside(files, sources.root, config.docs_dir, config.theme.custom_dir)
        for file in list(files):
            # The style may sit in the theme folder, whose files MkDocs publishes: it is build
            # input, not part of the site.
            if sources.csl_path and file.abs_src_path and Path(file.abs_src_path).resolve() == sources.csl_path:
                files.remove(file)
        self.report(problems + check_page_files(files.documentation_pages(), self.site.docs_folder, repair=self.serving))
        for path, content in sources.downloads.items():
            files.append(File.generated(config, path, content=content))
        self.site.start_early(files.documentation_pages())
        return files

    def on_page_markdown(self, markdown, page, config, files):
        return self.site.pages.start_page(markdown, page)

    @event_priority(100)  # before other plugins read page.meta["works_cited"] (page-metadata)
    def on_page_content(self, html_text, page, config, files):
        return self.site.pages.end_page(html_text, page, self.site.lists)

    def on_env(self, env, config, files):
        site = self.site
        problems, warnings, notes = check_citations(
            site.pages.pages, site.lists.bibliography, site.unavailable, site.docs_folder, site.sources.bib_name
        )
        for note in notes:
            report_problem(log, note)
        self.report(site.nav_problems + problems)
        for warning in warnings:
            report_problem(log, warning)
        # pandoc works while MkDocs copies the theme's files; the first page to be written waits.
        site.start_formatting(site.cited_sources())
        return env

    def on_build_error(self, error):
        if self.site and self.site.sources.citeproc:
            self.site.sources.citeproc.stop()

    @event_priority(100)  # before the search plugin indexes the page
    def _fill_in_text(self, context, page, config, nav):
        site = self.site
        if not site.filled_in:
            problems = site.finish_formatting()
            self.log_cache_notes()
            self.report(problems)
            site.fill_in()
        return context

    @event_priority(-100)  # after the search plugin has indexed the page
    def _fill_in_html(self, context, page, config, nav):
        page.content = self.site.fill_in_after_search(page)
        return context

    on_page_context = CombinedEvent(_fill_in_text, _fill_in_html)

    def log_cache_notes(self) -> None:
        """A damaged or unwritable cache is no problem of the site's: one INFO line each."""
        for note in self.site.sources.cache.notes:
            log.info(note)
        self.site.sources.cache.notes.clear()

    def report(self, problems: list[Problem]) -> None:
        """Logs each problem on a line of its own; under `mkdocs build`, then stops the build."""
        for problem in problems:
            report_problem(log, problem)
        if problems and not self.serving:
            raise PluginError(f"{len(problems)} citation problem(s), listed above.")


def _cite_as_text_in_contents(toc, found, text_of: dict[int, str]) -> None:
    """A citation in a heading shows as plain text in the table of contents."""
    under = citations_by_section(found.in_order)  # a heading's own citations are under it: linear, not quadratic
    for item in toc_items(toc):
        item.title = title_with_citations_as_text(item.title, under, text_of)


class SiteCitations:
    """One build's citations: its sources, its pages, the one pandoc run, and filling them in."""

    def __init__(self, options, config):
        root = Path(config.config_file_path or ".").resolve().parent
        config_file = config.config_file_path or "mkdocs.yml"
        self.sources = Sources(options, root, config_file, Cache(root / options["cache_dir"]))
        self.unavailable = self.sources.unavailable  # why no citation can be resolved, if none can
        self.docs_folder = docs_path(config, "").rstrip("/")  # as editors name it, e.g. "docs"
        self.pages = CitedPages()
        self.lists = ReferenceLists(self.sources.bibliography, self.sources.affixes)
        self.titles: dict[str, str] = dict(nav_titles(config.nav or []))
        self.nav_problems = nav_citation_problems(self.titles.values(), config_file, CITED_KEY.search)
        self.after_search: dict[str, dict[str, str]] = {}  # src_uri -> {name: HTML}, put in after search indexing
        self.filled_in = False

    def cited_sources(self) -> set[str]:
        """Every citation the pages hold, as written, and the name of each work that replaces another."""
        sources = {c.source for cited in self.pages.pages.values() for c in cited.found.in_order if not c.problem}
        return sources | self._replacement_sources()

    def probable_sources(self, page_files) -> set[str]:
        """The citations the pages' Markdown probably holds (syntax.probable_citations), of
        entries the bibliography has: before the pages are converted, to start pandoc early."""
        entries = self.lists.bibliography.entries
        sources = set()
        for file in page_files:
            for citation in probable_citations(file.content_bytes.decode("utf-8-sig", errors="replace")):
                if not citation.problem and citation.keys and all(key in entries for key in citation.keys):
                    sources.add(citation.source)
        return sources | self._replacement_sources()

    def _replacement_sources(self) -> set[str]:
        entries = self.lists.bibliography.entries
        return {f"[@{e.fields['replacement']}]" for e in entries.values() if e.fields.get("replacement")}

    def start_early(self, page_files) -> None:
        """Starts pandoc before the pages are converted, on every entry and on the citations the
        pages probably hold, when the cache has no entries formatted (a new bibliography or
        style, or no cache): with them, it most likely has the citations too, and on_env formats
        the few new ones."""
        citeproc = self.sources.citeproc
        if citeproc and not citeproc.formatted.entries:
            self.start_formatting(self.probable_sources(page_files))

    def start_formatting(self, sources: set[str]) -> None:
        citeproc = self.sources.citeproc
        if not citeproc or self.unavailable:
            return
        if citeproc.start(sources):
            missing = len(citeproc.missing)
            cached = len(sources & citeproc.formatted.citations.keys())
            log.debug(f"pandoc formats {missing} citation(s); {cached} were in the cache")
        elif not citeproc.running:
            log.debug(f"pandoc does not run: all {len(sources)} citation(s) were in the cache")

    def finish_formatting(self) -> list[Problem]:
        citeproc = self.sources.citeproc
        if not citeproc or self.unavailable:
            return []
        waiting, started = bool(citeproc.running), time.perf_counter()
        try:
            formatted = citeproc.result()
        except CiteprocError as error:
            problems = [p for message in error.messages for p in located(message, self._pandoc_places())] or [Problem(str(error))]
            self.unavailable = str(problems[0])
            return problems
        for warning in citeproc.warnings:
            for problem in located(warning, self._pandoc_places()):
                report_problem(log, problem)
        if waiting:  # how long the pages waited for pandoc (`mkdocs build -v`; bench/run.py --timeline)
            log.debug(f"waited {time.perf_counter() - started:.2f} s for pandoc")
        self.lists.use(formatted)
        return []

    def _pandoc_places(self) -> Places:
        """What pandoc read, with the files and lines it came from, to say where its messages are about."""
        sources = self.sources
        citations = [(f"{self.docs_folder}/{path}", citation) for path, cited in self.pages.pages.items() for citation in cited.found.in_order]
        return Places(sources.bibliography, sources.bib_name, sources.csl, sources.csl_name, citations)

    def fill_in(self) -> None:
        """Fills every page's placeholders with text for the search index; the HTML waits for
        `fill_in_after_search`. So the index holds every work once (the References page's) and no
        markup it would only parse and drop."""
        self.filled_in = True
        places = self._places()
        lists = self.lists
        for path, cited in self.pages.pages.items():
            page, found = cited.page, cited.found
            after_search: dict[str, str] = {}
            text_of: dict[int, str] = {}
            for citation in found.in_order:
                if citation.problem or self.unavailable:
                    text_of[citation.index] = markup.problem_marker(citation.source, citation.problem or self.unavailable)
                    continue
                name = f"cite-{citation.number}"
                after_search[name] = lists.citation(citation.source, citation.number, citation.keys)
                text_of[citation.index] = markup.after_search(name, markup.plain(after_search[name]))
            anchors = {f"cite-{c.number}" for c in found.in_order}

            def list_html(kind: str, page=page, found=found, after_search=after_search) -> str:
                downloads_url = get_relative_url(DOWNLOADS_DIR, page.file.url)
                if kind == "full":
                    keys = lists.in_order(lists.bibliography.entries)
                    backlinks = {key: [(f"{get_relative_url(url, page.file.url)}#cite-{number}", where)
                                       for url, where, number in places.get(key, [])] for key in keys}
                    after_search["bibliography"] = lists.reference_list(keys, downloads_url, backlinks, bibliography=True)
                    anchors.update(f"ref-{key}" for key in keys)
                    return markup.after_search("bibliography", lists.searchable_list(keys))
                # The page's own list: its backlinks lead to the citations on the page, by section.
                keys = lists.in_order(lists.cited_with_replacements(found))
                backlinks = {key: [(f"#cite-{number}", where.split(" › ", 1)[-1])
                                   for url, where, number in places.get(key, []) if url == page.file.url] for key in keys}
                after_search["references"] = lists.reference_list(keys, downloads_url, backlinks, bibliography=False)
                anchors.update(f"ref-{key}" for key in keys)
                return markup.after_search("references")

            content, _ = fix_reference_lists(page.content, list_html)
            page.content, _ = fix_citations(content, lambda index, source: text_of[index])
            _cite_as_text_in_contents(page.toc, found, text_of)
            page.present_anchor_ids.update(anchors)
            for works in (page.meta["works_cited"], page.meta["works_listed"]):
                works.sort(key=lambda data: lists.position.get(data["key"], 0))
            self.after_search[path] = after_search

    def fill_in_after_search(self, page) -> str:
        after_search = self.after_search.pop(page.file.src_uri, {})
        if not after_search:
            return page.content
        return markup.AFTER_SEARCH.sub(lambda m: after_search.get(m.group(1), m.group(2)), page.content)

    def _places(self) -> dict[str, list[tuple[str, str, int]]]:
        """key -> (citing page's URL, where on it, citation number), in page order."""
        places: dict[str, list] = {}
        for path, cited in self.pages.pages.items():
            page = cited.page
            title = self.titles.get(path) or page.meta.get("title") or page.file.name
            under, readable = citations_by_section(cited.found.in_order), {}
            for citation in cited.found.in_order:
                if citation.problem:
                    continue
                if citation.section not in readable:
                    readable[citation.section] = self.lists.readable(citation.section, under[citation.section])
                section = readable[citation.section]
                where = title if section in ("", title) else f"{title} › {section}"
                for key in dict.fromkeys(citation.keys):
                    places.setdefault(key, []).append((page.file.url, where, citation.number))
        return places
