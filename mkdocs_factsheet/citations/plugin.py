"""The citations plugin: mkdocs-bibtex's configuration, our reading and rendering.

mkdocs.yml configures it with mkdocs-bibtex's options (bib_file, csl_file, bib_command,
full_bib_command, bib_by_default; config.py); none of mkdocs-bibtex's passes run. Events:

- on_startup: notes whether this is `mkdocs serve`, where problems never stop the preview;
- on_config: checks the style and the bibliography (bibliography.py), and adds the Markdown
  extension (syntax.py) that finds citations while each page is converted;
- on_files: publishes the bibliography as BibTeX and RIS (exports.py); checks pages are UTF-8;
- on_page_markdown / on_page_content: notes the page whose citations the extension finds, then
  puts them in reading order, finds their lines and headings, and lists the works the page cites
  in `page.meta["references"]` for mkdocs_factsheet/page_metadata.py;
- on_env, once every page is converted: reports every problem as `file:line: message` (and,
  under `mkdocs build`, stops), and starts one pandoc run for all citations (citeproc.py, cached);
- on_page_context, first before the search plugin (the first page waits for pandoc, then every
  page's placeholders are filled in with text, which search indexes), then after it: the links,
  lists and backlinks go in (markup.py).

Every build starts from nothing (`mkdocs serve` keeps the plugin object between rebuilds), so a
mistake fixed is gone on the next rebuild; only the caches on disk carry over.
"""

from __future__ import annotations

import difflib
import html
import json
import re
import xml.etree.ElementTree as etree
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs_bibtex.plugin import BibTexPlugin

from ..messages import docs_path
from ..problems import Problem, report as report_problem
from . import markup
from .config import NOT_HONOURED, CitationsConfig, not_honoured_problems
from .bibliography import BibEntry, Bibliography, plain_fields, read_bibliography
from .citeproc import CACHE_FORMAT, Citeproc, CiteprocError, Formatted, digest
from .exports import EXPORT_DIR, exports
from .syntax import DEFAULT_LIST_MARKER, LIST_PLACEHOLDER, PLACEHOLDER, Citation, CitationsExtension, FoundOnPage

log = get_plugin_logger("citations")

HEADING_OR_CITATION = re.compile(r'<h[1-6][^>]*\bid="([^"]+)"|' + PLACEHOLDER.pattern, re.DOTALL)


class CitationsPlugin(BibTexPlugin):
    """Citations recognised by the Markdown parser, formatted by pandoc's citeproc for the whole site."""

    config_class = CitationsConfig

    def __init__(self):
        super().__init__()
        self.serving = False
        self.build: SiteBuild | None = None
        self.not_honoured: list[str] = []  # problems with the options mkdocs.yml gives

    def load_config(self, options, config_file_path=None):
        # mkdocs-bibtex's options that this plugin does not honour: named, with their line, in on_config.
        self.not_honoured = not_honoured_problems(options, config_file_path, "citations")
        return super().load_config({k: v for k, v in options.items() if k not in NOT_HONOURED}, config_file_path)

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    def on_config(self, config):
        self.build = SiteBuild(self.config, config)
        self.report(self.not_honoured + self.build.config_problems)
        config.markdown_extensions.append(
            CitationsExtension(self.build.found_on_current_page, self.config.bib_command, self.config.full_bib_command)
        )
        return config

    def on_files(self, files, config):
        self.report(self.build.check_files(files, config, repair=self.serving))
        for path, content in self.build.exports().items():
            files.append(File.generated(config, path, content=content))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        return self.build.start_page(markdown, page, bib_by_default=self.config.bib_by_default)

    @event_priority(100)  # before other hooks read page.meta["references"] (page_metadata.py)
    def on_page_content(self, html_text, page, config, files):
        return self.build.end_page(html_text, page)

    def on_env(self, env, config, files):
        build = self.build
        build.check_citations()
        self.report(build.problems)
        for warning in build.warnings:
            report_problem(log, warning)
        # pandoc works while MkDocs copies the theme's files; the first page to be written waits.
        build.start_formatting()
        return env

    @event_priority(100)  # before the search plugin indexes the page
    def _fill_in_text(self, context, page, config, nav):
        build = self.build
        if not build.filled_in:
            build.finish_formatting()
            self.report(build.format_problems)
            build.fill_in()
        return context

    @event_priority(-100)  # after the search plugin has indexed the page
    def _fill_in_html(self, context, page, config, nav):
        page.content = self.build.fill_in_later(page)
        return context

    on_page_context = CombinedEvent(_fill_in_text, _fill_in_html)

    def report(self, problems: list[Problem]) -> None:
        """Logs each problem on a line of its own; under `mkdocs build`, then stops the build."""
        for problem in problems:
            report_problem(log, problem)
        if problems and not self.serving:
            raise PluginError(f"{len(problems)} citation problem(s), listed above.")
        problems.clear()


class SiteBuild:
    """What one build knows: the bibliography, each page's citations, their formatted HTML."""

    def __init__(self, options, config):
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.cache_dir = self.root / ".cache" / "citations"
        self.docs_folder = docs_path(config, "").rstrip("/")  # as editors name it, e.g. "docs"
        self.config_problems: list[Problem] = []
        self.problems: list[Problem] = []
        self.format_problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.unavailable = ""  # why no citation can be resolved (bibliography or style unreadable)
        self.bib_name = options.bib_file or ""
        self.csl_path: Path | None = None
        self.bibliography = Bibliography({})
        self.downloads: dict[str, str] = exports(self.bibliography)
        self.citeproc: Citeproc | None = None
        self.pages: dict[str, tuple] = {}  # src_uri -> (page, FoundOnPage, body, first line)
        self.current = FoundOnPage()
        self.titles: dict[str, str] = dict(_nav_titles(config.nav or []))
        self.formatted = Formatted()
        self.later: dict[str, dict[str, str]] = {}  # src_uri -> {name: HTML}, after search indexing
        self.data: dict[str, dict] = {}  # key -> page.meta["references"] item
        self.position: dict[str, int] = {}  # key -> its place in the style's order
        self.items: dict[tuple[str, str], tuple[str, str, str]] = {}  # (key, downloads folder) -> list item's parts
        self.filled_in = False
        self._read_inputs(options)

    # --- on_config ------------------------------------------------------------------------

    def _read_inputs(self, options) -> None:
        problems = self.config_problems
        if (options.bib_file or "").startswith(("http://", "https://")):
            problems.append(Problem("plugins: citations: name one local file as bib_file (not a web address: the build works offline)", "mkdocs.yml"))
        if not options.bib_file:
            problems.append(Problem("plugins: citations: bib_file is not set; name the bibliography, e.g. bib_file: references.bib", "mkdocs.yml"))
        if not options.csl_file:
            problems.append(Problem("plugins: citations: csl_file is not set; name the citation style, e.g. csl_file: overrides/citation-style.csl", "mkdocs.yml"))
        csl = self._read_style(options.csl_file) if options.csl_file else None
        remote = (options.bib_file or "").startswith(("http://", "https://"))
        bib = self._read_bibliography(options.bib_file) if options.bib_file and not remote else None
        if problems:
            self.unavailable = str(problems[0])
        elif bib is not None and csl is not None:
            try:
                self.citeproc = Citeproc(bib.bibtex, csl, self.cache_dir)
            except CiteprocError as error:
                problems.append(Problem(str(error)))
                self.unavailable = str(error)

    def _read_style(self, name: str) -> bytes | None:
        path = self.root / name
        if not path.is_file():
            self.config_problems.append(Problem("citation style file not found (mkdocs.yml, plugins: citations: csl_file)", name))
            return None
        data = path.read_bytes()
        try:
            style = etree.fromstring(data)
        except etree.ParseError as error:
            line, column = error.position
            self.config_problems.append(Problem(f"not a complete CSL style: {str(error).split(':')[0]} at column {column}", name, line))
            return None
        if style.tag != "{http://purl.org/net/xbiblio/csl}style":
            self.config_problems.append(Problem('not a CSL style (no <style xmlns="http://purl.org/net/xbiblio/csl"> element)', name, 1))
            return None
        self.csl_path = path.resolve()
        return data

    def _read_bibliography(self, name: str) -> Bibliography | None:
        path = self.root / name
        if not path.is_file():
            self.config_problems.append(Problem("bibliography file not found (mkdocs.yml, plugins: citations: bib_file)", name))
            return None
        data = path.read_bytes()
        # A bibliography that passed every check is kept under the hash of its bytes, so that a
        # rebuild with the same file parses nothing.
        cache_file = self.cache_dir / f"bib-{digest(data, bytes([CACHE_FORMAT]))}.json"
        if cache_file.is_file():
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            self.bibliography = Bibliography({key: BibEntry(**entry) for key, entry in cached["entries"].items()})
            self.downloads = cached["exports"]
            return self.bibliography
        bibliography, problems = read_bibliography(data, name)
        if problems:
            self.config_problems.extend(problems)
            return None
        self.bibliography, self.downloads = bibliography, exports(bibliography)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        entries = {key: vars(entry) for key, entry in bibliography.entries.items()}
        cache_file.write_text(json.dumps({"entries": entries, "exports": self.downloads}), encoding="utf-8")
        return bibliography

    # --- on_files -------------------------------------------------------------------------

    def check_files(self, files, config, repair: bool) -> list[Problem]:
        problems = []
        for file in list(files):
            # The style may sit in the theme folder, whose files MkDocs publishes: it is build
            # input, not part of the site.
            if self.csl_path and file.abs_src_path and Path(file.abs_src_path).resolve() == self.csl_path:
                files.remove(file)
        for file in files.documentation_pages():
            data = file.content_bytes
            try:
                data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                line = data.count(b"\n", 0, error.start) + 1
                problems.append(Problem(f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8", docs_path(config, file.src_uri), line))
                if repair:  # the preview shows the page, with � where the byte is
                    file.content_string = data.decode("utf-8-sig", errors="replace")
        return problems

    def exports(self) -> dict[str, str]:
        """The downloads (BibTeX, RIS), made once per bibliography and cached with it."""
        return self.downloads

    # --- each page ------------------------------------------------------------------------

    def found_on_current_page(self) -> FoundOnPage:
        return self.current

    def start_page(self, markdown: str, page, bib_by_default: bool) -> str:
        source = page.file.content_string
        first_line = source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
        self.current = FoundOnPage()
        self.pages[page.file.src_uri] = (page, self.current, markdown, first_line)
        if bib_by_default:  # the page's own list, taken out again if it cites nothing
            markdown += f"\n\n## References\n\n{DEFAULT_LIST_MARKER}\n"
        return markdown

    def end_page(self, html_text: str, page) -> str:
        """Puts the page's citations in reading order, with their lines and headings."""
        _, found, body, first_line = self.pages[page.file.src_uri]
        self.current = FoundOnPage()
        titles = {item.id: item.title for item in _toc_items(page.toc)}
        in_order, section, searched = [], "", 0
        for match in HEADING_OR_CITATION.finditer(html_text):
            if match.group(1):
                section = markup.plain(titles.get(match.group(1), ""))
                continue
            citation = found.citations[int(match.group(2))]
            citation.number, citation.section = len(in_order) + 1, section
            searched = _locate(citation, body, searched, first_line)
            in_order.append(citation)
        for citation in found.misplaced:
            _locate(citation, body, 0, first_line)
        found.in_order = in_order
        kinds = LIST_PLACEHOLDER.findall(html_text)
        found.lists = set(kinds)
        if "default" in kinds and (not in_order or "page" in kinds):  # nothing to list here
            html_text = re.sub(r'<h2 id="([^"]*)">(?:(?!<h2).)*?</h2>\s*<div data-reference-list="default"></div>', "", html_text, flags=re.DOTALL)
            page.toc.items[:] = _without_last(page.toc.items, "References")
            found.lists.discard("default")
        # For mkdocs_factsheet/page_metadata.py: the works this page lists, as data (their text and
        # the style's order are completed in on_env).
        page.meta["references"] = [self._as_data(key) for key in self._listed(found, page) if key in self.bibliography.entries]
        return html_text

    def _listed(self, found: FoundOnPage, page) -> list[str]:
        if "full" in found.lists:
            return list(self.bibliography.entries)
        return self._cited_with_replacements(found)

    def _cited_with_replacements(self, found: FoundOnPage) -> list[str]:
        cited = [key for c in found.in_order if not c.problem for key in c.keys if key in self.bibliography.entries]
        cited += [self.bibliography.entries[key].fields["replacement"] for key in cited if self.bibliography.entries[key].fields.get("replacement")]
        return list(dict.fromkeys(cited))

    def _as_data(self, key: str) -> dict:
        if key not in self.data:
            entry = self.bibliography.entries[key]
            self.data[key] = {"key": key, "type": entry.type, "text": "", **plain_fields(entry)}
        return self.data[key]

    # --- on_env ---------------------------------------------------------------------------

    def check_citations(self) -> None:
        """One Problem per citation that cannot be resolved; uncited entries as warnings."""
        entries = self.bibliography.entries
        cited, listed_anyway = set(), set()
        for path, (page, found, _, _) in self.pages.items():
            for citation in [*found.in_order, *found.misplaced]:
                page_file = f"{self.docs_folder}/{path}"
                if not citation.problem and not self.unavailable:
                    unknown = [key for key in citation.keys if key not in entries]
                    if unknown:
                        citation.problem = "; ".join(f"unknown citation key '{key}'{self._suggest(key, citation.source)}" for key in unknown)
                if citation.problem:
                    self.problems.append(Problem(citation.problem, page_file, citation.line))
                    continue
                cited.update(citation.keys)
                for key in citation.keys if not self.unavailable else []:
                    if status := entries[key].fields.get("status"):
                        replacement = entries[key].fields.get("replacement")
                        note = f"cites {key}, {status}" + (f" (replaced by {replacement})" if replacement else "")
                        report_problem(log, Problem(note, page_file, citation.line, severity="info"))
            if "full" in found.lists:
                nocite = page.meta.get("nocite") or []
                listed_anyway.update(nocite)
                self.problems += [Problem(f"nocite lists unknown key '{key}'{self._suggest(key)}", f"{self.docs_folder}/{path}")
                                  for key in nocite if key not in entries]
        for key, entry in entries.items():
            if key not in cited and key not in listed_anyway:
                self.warnings.append(Problem(
                    f"entry '{key}' is not cited on any page "
                    f"(cite it, delete it, or list it under 'nocite:' in the bibliography page's front matter)",
                    self.bib_name, entry.line, severity="warning",
                ))

    def _suggest(self, key: str, source: str = "") -> str:
        entries = self.bibliography.entries
        following = re.search(rf"@{re.escape(key)}([^\s,;\]]+)", source)
        if following and key + following.group(1) in entries:
            return f' (a key ends before "{following.group(1)[0]}": write @{{{key + following.group(1)}}})'
        same_case = [k for k in entries if k.lower() == key.lower()]
        if same_case:
            return f" (did you mean '{same_case[0]}'? keys are case-sensitive)"
        close = difflib.get_close_matches(key, entries, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def start_formatting(self) -> None:
        if not self.citeproc or self.unavailable:
            return
        entries = self.bibliography.entries
        sources = {c.source for _, found, _, _ in self.pages.values() for c in found.in_order if not c.problem}
        sources |= {f"[@{e.fields['replacement']}]" for e in entries.values() if e.fields.get("replacement")}
        self.citeproc.start(sources)
        if self.citeproc.running:
            missing = len(self.citeproc.missing)
            log.debug(f"pandoc formats {missing} citation(s); {len(sources) - missing} were in the cache")
        else:
            log.debug(f"pandoc does not run: all {len(sources)} citation(s) were in the cache")

    def finish_formatting(self) -> None:
        if not self.citeproc or self.unavailable:
            return
        try:
            self.formatted = self.citeproc.result()
        except CiteprocError as error:
            self.format_problems.append(Problem(str(error)))
            self.unavailable = str(error)
            return
        for warning in self.citeproc.warnings:
            log.warning(f"pandoc: {warning}")
        self.position = {key: i for i, key in enumerate(self.formatted.entries)}
        for key, data in self.data.items():
            data["text"] = markup.plain(self.formatted.entries.get(key, ""))

    def fill_in(self) -> None:
        """Fills every page's placeholders with text for the search index; the HTML waits for
        `fill_in_later`. So the index holds every work once (the References page's) and no markup
        it would only parse and drop."""
        self.filled_in = True
        places = self._places()
        for path, (page, found, _, _) in self.pages.items():
            later: dict[str, str] = {}
            text_of: dict[int, str] = {}
            for citation in found.in_order:
                index = citation.index
                if citation.problem or self.unavailable:
                    message = citation.problem or self.unavailable
                    text_of[index] = markup.problem_marker(citation.source, message)
                    continue
                name = f"cite-{citation.number}"
                later[name] = markup.in_text(self.formatted.citations[citation.source], citation.number)
                later[name] += "".join(self._badge(key) for key in citation.keys)
                text_of[index] = markup.later(name, markup.plain(later[name]))
            anchors = {f"cite-{c.number}" for c in found.in_order}

            def list_html(match, page=page, found=found, later=later):
                kind = match.group(1)
                if kind == "full":
                    keys = self._in_order(self.bibliography.entries)
                    later["bibliography"] = self._reference_list(keys, page, places)
                    anchors.update(f"ref-{key}" for key in keys)
                    return markup.later("bibliography", self._searchable_list(keys))
                keys = self._in_order(self._cited_with_replacements(found))
                later["references"] = self._reference_list(keys, page, places, here_only=True)
                anchors.update(f"ref-{key}" for key in keys)
                return markup.later("references")

            content = LIST_PLACEHOLDER.sub(list_html, page.content)
            page.content = PLACEHOLDER.sub(lambda m: text_of.get(int(m.group(1)), m.group(0)), content)
            for item in _toc_items(page.toc):  # a citation in a heading: plain text in the contents
                for citation in found.in_order:
                    for written in (citation.source, html.escape(citation.source, quote=False)):
                        if written in item.title:
                            item.title = item.title.replace(written, markup.plain(text_of.get(citation.index, "")))
            page.present_anchor_ids.update(anchors)
            page.meta["references"].sort(key=lambda data: self.position.get(data["key"], 0))
            self.later[path] = later

    def fill_in_later(self, page) -> str:
        later = self.later.pop(page.file.src_uri, {})
        return markup.LATER.sub(lambda m: later.get(m.group(1), m.group(2)), page.content) if later else page.content

    def _places(self) -> dict[str, list[tuple[str, str, int]]]:
        """key -> (citing page's URL, where on it, citation number), in page order."""
        places: dict[str, list] = {}
        for path, (page, found, _, _) in self.pages.items():
            title = self.titles.get(path) or page.meta.get("title") or page.file.name
            for citation in found.in_order:
                if citation.problem:
                    continue
                section = self._readable(citation.section, found)
                where = title if section in ("", title) else f"{title} › {section}"
                for key in dict.fromkeys(citation.keys):
                    places.setdefault(key, []).append((page.file.url, where, citation.number))
        return places

    def _readable(self, heading: str, found: FoundOnPage) -> str:
        """A heading's text as readers see it: a citation in it as its formatted text, not as typed."""
        for citation in found.in_order:
            if citation.source in heading and not citation.problem:
                heading = heading.replace(citation.source, markup.plain(self.formatted.citations.get(citation.source, citation.source)))
        return heading

    def _badge(self, key: str) -> str:
        fields = self.bibliography.entries[key].fields
        if not fields.get("status"):
            return ""
        replacement = fields.get("replacement", "")
        name = markup.plain(self.formatted.citations.get(f"[@{replacement}]", "")).strip("()") if replacement else ""
        return markup.badge(fields["status"], replacement, name)

    def _in_order(self, keys) -> list[str]:
        return sorted(keys, key=lambda key: self.position.get(key, 0))

    def _reference_list(self, keys: list[str], page, places: dict, here_only: bool = False) -> str:
        """The full bibliography, with backlinks to every citing place, or a page's own list (which
        the PDF leaves out), whose backlinks lead to the citations on that page (`here_only`), by section."""
        exports_url = get_relative_url(EXPORT_DIR, page.file.url)
        items = []
        for key in keys:
            if here_only:
                links = [(f"#cite-{number}", where.split(" › ", 1)[-1]) for url, where, number in places.get(key, []) if url == page.file.url]
            else:
                links = [(f"{get_relative_url(url, page.file.url)}#cite-{number}", where) for url, where, number in places.get(key, [])]
            items.append(self._reference_item(key, exports_url, markup.backlinks(links)))
        return markup.reference_list(items, bibliography=not here_only)

    def _reference_item(self, key: str, exports_url: str, backlinks: str) -> str:
        """One list item; all but its backlinks made once per build for each address of the downloads folder."""
        if (key, exports_url) not in self.items:
            entry, name = self.bibliography.entries[key], self._short_name(key)
            self.items[key, exports_url] = (
                self._badge(key), self.formatted.entries.get(key, html.escape(key)),
                markup.identifier_links(entry.fields, key, name, exports_url),
            )
        badge, text, links = self.items[key, exports_url]
        return markup.reference_item(key, badge, text, links, backlinks)

    def _short_name(self, key: str) -> str:
        """First author and year, e.g. "Witt 2006", to tell which entry a link or search result is for."""
        data = self._as_data(key)
        return f"{data['authors'][0].split(',')[0] if data['authors'] else data.get('title', '')} {data.get('year', '')}".strip()

    def _searchable_list(self, keys: list[str]) -> str:
        """What the search index reads of the bibliography: each work as a section of its own, titled
        by its short name ("Witt 2006") and found at its entry (#ref-witt2006), so that a search
        answers with the one work, not with the whole list."""
        def title(key: str) -> str:  # as cited ("Sherman 2009a"), or for a work listed uncited, "Sherman 2009"
            cited = self.formatted.citations.get(f"[@{key}]")
            return markup.plain(cited).strip("()") if cited else html.escape(self._short_name(key))

        return "".join(
            f'<h2 id="ref-{html.escape(key)}">{title(key)}</h2><p>{markup.plain(self._badge(key) + " " + self.formatted.entries.get(key, ""))}</p>'
            for key in keys
        )


def _locate(citation: Citation, body: str, start: int, first_line: int) -> int:
    """Finds the citation's line in the page file: its source, however the lines broke (and
    whatever blockquote marks began them), at or after `start`. Returns where the search goes on."""
    found = body.find(citation.source, start)
    if found >= 0:
        citation.line = first_line + body.count("\n", 0, found)
        return found + len(citation.source)
    pattern = re.compile(r"[\s>]+".join(re.escape(part) for part in citation.source.split()))
    match = pattern.search(body, start) or pattern.search(body)
    if not match:
        citation.line = first_line
        return start
    citation.line = first_line + body.count("\n", 0, match.start())
    return match.end()


def _nav_titles(items):
    """(page path, title) pairs from mkdocs.yml's nav, whose short titles suit backlinks."""
    for item in items:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, str):
                    yield target, title
                else:
                    yield from _nav_titles(target)


def _toc_items(items):
    for item in items:
        yield item
        yield from _toc_items(item.children)


def _without_last(items: list, title: str) -> list:
    """The table of contents without the last top-level entry named `title` (the default list's heading)."""
    for index in range(len(items) - 1, -1, -1):
        if items[index].title == title:
            return items[:index] + items[index + 1 :]
        children = items[index].children
        for child_index in range(len(children) - 1, -1, -1):
            if children[child_index].title == title:
                del children[child_index]
                return items
    return items
