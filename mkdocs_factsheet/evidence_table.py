"""Evidence table: every study the evidence pages cite has one row in the table, and no other row.

A rule of the site, checked at build time so that the editor hears of it in the preview and
in `./run build`, not only from a test. Configured in mkdocs.yml:

    plugins:
      - evidence-table:
          table: evidence-table.md
          pages: [evidence.md, clinical-studies.md, physiological-studies.md]

Which works a page cites comes from the citations plugin, as `page.meta["works_cited"]` (a list
of dicts with a "key"): this plugin reads no citation syntax itself. The line it names is where
the key is first written on the page.
"""

from __future__ import annotations

import re

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from mkdocs_factsheet.messages import docs_path
from mkdocs_factsheet.problems import Problem, report

log = get_plugin_logger("evidence-table")


class EvidenceTableConfig(Config):
    table = config_options.Type(str, default="evidence-table.md")
    pages = config_options.ListOfItems(config_options.Type(str), default=[])


class EvidenceTablePlugin(BasePlugin[EvidenceTableConfig]):
    def on_pre_build(self, config):
        self.docs = docs_path(config, "").rstrip("/")
        self.cited: dict[str, list[str]] = {}  # page src_uri -> keys it cites, in order
        self.sources: dict[str, str] = {}

    def on_page_context(self, context, page, config, nav):
        # By now every plugin has had on_page_content, where the citation module lists the works.
        self._note(page)
        return context

    @event_priority(50)  # before the editor preview shows the build's problems
    def on_post_build(self, config):
        table = self.config.table
        if table not in self.cited:
            report(log, Problem(f"the evidence-table plugin names {self.docs}/{table}, which is not a page of the site", "mkdocs.yml", severity="warning"))
            return
        for problem in table_problems(self.cited, self.sources, table, self.config.pages, self.docs):
            report(log, problem)

    def _note(self, page) -> None:
        keys = [r["key"] for r in page.meta.get("works_cited", []) if isinstance(r, dict) and "key" in r]
        self.cited[page.file.src_uri] = keys
        self.sources[page.file.src_uri] = page.file.content_string


def table_problems(cited: dict[str, list[str]], sources: dict[str, str], table: str, pages: list[str], docs: str) -> list[Problem]:
    """One warning per study without a row (at its citation), and per row without a study (at the row)."""
    rows = cited.get(table, [])
    problems = []
    studied: dict[str, str] = {}
    for page in pages:
        for key in cited.get(page, []):
            studied.setdefault(key, page)
            if key not in rows:
                line = line_of_key(sources.get(page, ""), key)
                problems.append(Problem(f"cites {key}, which has no row in {docs}/{table}: add one", f"{docs}/{page}", line, severity="warning"))
    for key in rows:
        if key not in studied:
            line = line_of_key(sources.get(table, ""), key)
            listed = ", ".join(f"{docs}/{p}" for p in pages)
            problems.append(Problem(f"has a row for {key}, which none of {listed} cites: cite it there or remove the row",
                                    f"{docs}/{table}", line, severity="warning"))
    return problems


def line_of_key(source: str, key: str) -> int:
    """The line where `@key` is first written (1 if it cannot be found, e.g. under nocite)."""
    match = re.search(rf"@{re.escape(key)}(?![\w:.-]*\w)", source)
    return source.count("\n", 0, match.start()) + 1 if match else 1
