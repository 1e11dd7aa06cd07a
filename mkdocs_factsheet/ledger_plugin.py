"""Evidence ledger: the ledger's checks at build time, and the pages made from it.

The rules and the reading are in mkdocs_factsheet.ledger (no MkDocs there); this plugin

- on_files: reads the ledger (evidence/works.yml, evidence/claims/*.yml) and checks it against
  every page as written, so that a strict build fails, and the editor preview shows each problem,
  as `file:line: what to change`;
- on_config: reads the warning signs (evidence/warning-signs.yml), given to the templates as `warning_signs` (on_env), from
  which the safety line on every page (overrides/partials/safety-net.html) names them;
- on_page_markdown: fills the line `[[ledger: corrections]]` on the Corrections page with the list
  of corrections the ledger records, and `[[ledger: counts]]` on "How we check this information"
  with the ledger's counts. It runs after the citations plugin's on_page_markdown (it is listed
  after it), so the citations of the list are found like any other;
- on_post_build: logs every problem (a Problem, mkdocs_factsheet/problems.py, carried with the
  log record, so the preview shows it with its file and line), before the preview shows the build's problems.

Configured in mkdocs.yml:

    plugins:
      - evidence-ledger:
          covered_pages: all      # or a list: the pages whose every factual sentence needs an entry
          patient_pages: [index.md, having-acupuncture.md]
          corrections_page: corrections.md
          counts_page: how-we-check.md
          warning_signs: evidence/warning-signs.yml

Entries in the ledger are checked on every page; `covered_pages` says where every cited sentence
must have an entry (and where hedges, design words and corrections are checked for sentences that
have none yet). A `checked` date after today (mkdocs_factsheet.review.today, the injected clock
FACTSHEET_TODAY) is a problem. The ledger's files are watched under `mkdocs serve`.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from mkdocs_factsheet.ledger import (
    COUNTS_MARKER,
    CORRECTIONS_MARKER,
    Problem,
    Project,
    Rules,
    check,
    corrections_markdown,
    counts,
    counts_markdown,
)
from mkdocs_factsheet.ledger.warning_signs import read_warning_signs
from mkdocs_factsheet.nav import nav_titles
from mkdocs_factsheet.problems import report
from mkdocs_factsheet.review import today

log = get_plugin_logger("evidence-ledger")


class CoveredPages(config_options.BaseConfigOption):
    """`all`, or a list of page files."""

    def __init__(self, default="all"):
        super().__init__()
        self.default = default

    def run_validation(self, value):
        if value == "all":
            return value
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        raise config_options.ValidationError("write covered_pages: all, or a list of pages such as [index.md, evidence.md]")


class LedgerConfig(Config):
    works = config_options.Type(str, default="evidence/works.yml")
    claims = config_options.Type(str, default="evidence/claims")
    bib_file = config_options.Type(str, default="references.bib")
    covered_pages = CoveredPages()
    patient_pages = config_options.ListOfItems(config_options.Type(str), default=[])
    corrections_page = config_options.Type(str, default="corrections.md")
    counts_page = config_options.Type(str, default="how-we-check.md")
    warning_signs = config_options.Type(str, default="evidence/warning-signs.yml")


class EvidenceLedgerPlugin(BasePlugin[LedgerConfig]):
    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        self.docs = Path(config.docs_dir).name
        self.project = Project(root, docs=self.docs, works=self.config.works, claims=self.config.claims, bib_file=self.config.bib_file)
        self.rules = Rules(covered=self.config.covered_pages, patient_pages=self.config.patient_pages,
                           corrections_page=self.config.corrections_page, docs=self.docs, today=today())
        self.titles = dict(nav_titles(config.nav or []))
        self.problems: list[Problem] = []
        # The warning signs, for the safety line on every page (overrides/partials/safety-net.html).
        signs = root / self.config.warning_signs
        self.warning_signs, self.sign_problems = [], []
        if signs.is_file():
            self.warning_signs, self.sign_problems = read_warning_signs(signs.read_text(encoding="utf-8-sig"), self.config.warning_signs)
        return config

    def on_env(self, env, config, files):
        env.globals["warning_signs"] = self.warning_signs  # the templates' own variable, not a config entry
        return env

    def on_serve(self, server, config, builder):
        # The ledger's files, or the folder they will be created in (evidence/claims/ may not exist yet).
        for name in {self.config.works, self.config.claims, self.config.warning_signs}:
            path = self.project.root / name
            while not path.exists() and path.parent != self.project.root and self.project.root in path.parents:
                path = path.parent
            if path.exists() and path != self.project.root:
                server.watch(str(path))
        return server

    def on_files(self, files, config):
        pages = {file.src_uri: file.content_string for file in files.documentation_pages()}
        for page, text in pages.items():  # a page not in the nav is named by its heading
            heading = re.search(r"^# (.+)$", text, re.MULTILINE)
            self.titles.setdefault(page, heading.group(1).strip() if heading else page.removesuffix(".md"))
        self.ledger = self.project.ledger()
        bib_keys = self.project.bib_keys()
        self.problems = self.sign_problems + check(pages, self.ledger, self.rules, bib_keys)
        self.figures = counts(self.ledger, pages, self.rules, bib_keys)
        for page, marker in ((self.config.corrections_page, CORRECTIONS_MARKER), (self.config.counts_page, COUNTS_MARKER)):
            if page not in pages:
                self.problems.append(Problem(f"the evidence-ledger plugin names {self.docs}/{page}, which is not a page of the site",
                                             "mkdocs.yml", 1, severity="warning"))
            elif marker not in pages[page]:
                self.problems.append(Problem(f"has no line {marker}: put it where the ledger's list goes",
                                             f"{self.docs}/{page}", 1, severity="warning"))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        if page.file.src_uri == self.config.corrections_page:
            markdown = markdown.replace(CORRECTIONS_MARKER, corrections_markdown(self.ledger, page.file.src_uri, self.titles))
        if page.file.src_uri == self.config.counts_page:
            markdown = markdown.replace(COUNTS_MARKER, counts_markdown(self.figures))
        return markdown

    @event_priority(50)  # before the editor preview shows the build's problems
    def on_post_build(self, config):
        for problem in self.problems:
            report(log, problem)
