"""Editor preview: under `mkdocs serve`, every problem of the build is shown in the browser.

MkDocs prints problems only in the terminal, and when a rebuild raises it stops answering every
request ("The server will appear stuck until build errors are resolved") until the next good
build. This plugin, only under `mkdocs serve`:

- collects every WARNING and ERROR logged while the site builds (a logging handler on the
  engine's logger, attached for the build and removed after it), each as the Problem its record
  carries (problems.py; a message logged without one is shown as it is, unlocated), and puts a
  problem box at the top of every page: each problem as the same `file:line: message` line the
  build prints, those of the page itself first, the others linking to their page. The live reload shows the next build's box, or none;
- keeps the theme's compiled templates from one rebuild to the next (they are recompiled when
  they change);
- keeps the preview answering when a rebuild fails anyway (a mistake in mkdocs.yml, which MkDocs
  reads before any plugin runs, or a plugin that raises): the failure is said in one line and the
  last site that built is served again, with the box. It does so by wrapping the server's
  builder in `on_serve`, the event MkDocs provides to modify the server before it starts.

Under `mkdocs build` (and gh-deploy) it shows, catches and keeps nothing: a strict build, the
tests and CI fail on every problem. In both, MkDocs' own link and nav messages are given the
file and line they are about (mkdocs_factsheet.messages).
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import tempfile
from pathlib import Path

import yaml
from jinja2 import FileSystemBytecodeCache
from mkdocs.exceptions import Abort, BuildError, ConfigurationError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.utils import get_relative_url

from mkdocs_factsheet.messages import MessageLocator, docs_path, engine_logger, yaml_problem
from mkdocs_factsheet.problems import Problem, from_record, report

log = get_plugin_logger("editor-preview")

# MkDocs' own line when a rebuild is given up: the problems before it are listed themselves.
ABORTED = "Aborted with "
BOX_START, BOX_END = "<!-- editor-preview problems -->", "<!-- /editor-preview problems -->"


class ProblemCollector(logging.Handler):
    """Keeps every WARNING and ERROR logged under `mkdocs` while attached, once each, in order."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(ABORTED):
            return  # MkDocs gave up: the problems themselves are listed
        for problem in from_record(record):
            if problem.message.strip() and problem not in self.problems:
                self.problems.append(problem)

    def __enter__(self) -> ProblemCollector:
        engine_logger().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        engine_logger().removeHandler(self)


class EditorPreviewPlugin(BasePlugin):
    """One instance lives for the whole `mkdocs serve` (MkDocs keeps plugins with on_startup)."""

    def __init__(self):
        self.serving = False
        self.collector: ProblemCollector | None = None
        self.locator: MessageLocator | None = None
        self.site_dir: Path | None = None
        self.last_good: Path | None = None  # a copy of the last site that built, to serve if one does not
        self.pages: dict[str, str] = {}  # page file as the editor names it (docs/x.md) -> site URL
        self.project: Path | None = None  # the folder of mkdocs.yml, which file names are relative to
        self.templates: Path | None = None  # the theme's compiled templates, for this session

    def on_startup(self, *, command, dirty):
        self.serving = command == "serve"

    # --- every build ---------------------------------------------------------------------------

    @event_priority(100)  # first, so that no message of the build is missed
    def on_config(self, config):
        if self.locator:
            self.locator.detach()
        self.locator = MessageLocator(config.docs_dir, config.config_file_path)
        self.project = Path(config.config_file_path).parent if config.config_file_path else Path(config.docs_dir).parent
        self.locator.attach()
        if self.serving:
            self.site_dir = Path(config.site_dir)
            self._collect()
        return config

    def on_env(self, env, config, files):
        # Each rebuild makes a new Jinja environment, which would compile the theme's templates
        # again: a quarter of a rebuild. Jinja keeps their bytecode for the session, under each
        # template's checksum, so a template the editor changes is compiled afresh.
        if self.serving:
            self.templates = self.templates or Path(tempfile.mkdtemp(prefix="editor-preview-templates-"))
            env.bytecode_cache = FileSystemBytecodeCache(str(self.templates))
        return env

    def on_post_page(self, output, page, config):
        self.pages[docs_path(config, page.file.src_uri)] = page.url
        return output

    @event_priority(-100)  # last: after every other plugin has had its say
    def on_post_build(self, config):
        if self.serving and self.collector:
            self._show(self.collector.problems, failed=None)
            self._keep_last_good()
        self._finish()

    def on_build_error(self, error):
        if self.locator:
            self.locator.detach()

    def on_shutdown(self):
        self._finish()
        for folder in (self.last_good, self.templates):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)

    # --- serve only -----------------------------------------------------------------------------

    def on_serve(self, server, config, builder):
        docs_dir, config_file = config.docs_dir, config.config_file_path

        def build_and_keep_serving():
            self._collect()  # from the start: mkdocs.yml is read before any plugin event
            self.locator = MessageLocator(docs_dir, config_file)  # for its settings' messages
            self.locator.attach()
            try:
                builder()
            except (Exception, SystemExit) as error:  # noqa: BLE001 - the preview must go on serving
                self._recover(error)
            finally:
                self._finish()

        server.builder = build_and_keep_serving
        return server

    def _collect(self) -> None:
        if self.collector is None:
            self.collector = ProblemCollector().__enter__()

    def _finish(self) -> None:
        if self.collector:
            self.collector.__exit__()
            self.collector = None
        if self.locator:
            self.locator.detach()

    def _recover(self, error: BaseException) -> None:
        """Says why the rebuild failed, in one line, and serves the last good site with the problems."""
        problems = self.collector.problems if self.collector else []
        if reason := failure_reason(error):
            report(log, reason)  # and so collected
        self._finish()
        log.warning("The preview shows the last version of the site that built, with the problems above, until they are fixed.")
        if self.site_dir and self.last_good:
            # Puts back what the failed build removed or did not write; keeps what it did write.
            site_dir = self.site_dir
            written = lambda folder, names: [n for n in names if (site_dir / Path(folder).relative_to(self.last_good) / n).is_file()]  # noqa: E731
            shutil.copytree(self.last_good, site_dir, dirs_exist_ok=True, ignore=written)
        self._show(problems or [Problem("the site could not be rebuilt (see the terminal)")], failed=True)

    def _keep_last_good(self) -> None:
        if self.site_dir is None:
            return
        self.last_good = self.last_good or Path(tempfile.mkdtemp(prefix="editor-preview-"))
        shutil.rmtree(self.last_good, ignore_errors=True)
        shutil.copytree(self.site_dir, self.last_good)

    def _show(self, problems: list[Problem], failed: bool | None) -> None:
        """Writes the problem box into every page of the served site (or takes it out)."""
        if self.site_dir is None:
            return
        urls = {url: name for name, url in self.pages.items()}
        for path in self.site_dir.rglob("*.html"):
            relative = path.relative_to(self.site_dir).as_posix()
            url = relative.removesuffix("index.html")
            text = path.read_text(encoding="utf-8")
            text = re.sub(re.escape(BOX_START) + ".*?" + re.escape(BOX_END), "", text, flags=re.DOTALL)
            count = f"({len(problems)} problem{'s' if len(problems) != 1 else ''}) " if problems else ""
            text = re.sub(r"<title>(?:\(\d+ problems?\) )?", f"<title>{count}", text, count=1)  # in the tab
            if problems:
                box = problem_box(problems, urls.get(url), url, self.pages, failed, self._source_line)
                text = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + box, text, count=1)
            path.write_text(text, encoding="utf-8")


    def _source_line(self, problem: Problem) -> str | None:
        """The line the problem names, as the editor typed it, to show under the message."""
        if not (self.project and problem.file and problem.line):
            return None
        try:
            lines = (self.project / problem.file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        if not 0 < problem.line <= len(lines) or not lines[problem.line - 1].strip():
            return None
        line = lines[problem.line - 1].rstrip()
        return line if len(line) <= 200 else line[:199] + "…"


def failure_reason(error: BaseException) -> Problem | None:
    """Why a rebuild raised, or None where the build has already said why."""
    if isinstance(error, Abort):
        return None  # "Aborted with …": the problems were logged before it
    if isinstance(error, ConfigurationError):
        cause = error.__cause__ or error.__context__
        if isinstance(cause, yaml.YAMLError):
            name = Path(getattr(getattr(cause, "problem_mark", None), "name", "mkdocs.yml")).name
            line, message = yaml_problem(cause)
            return Problem(message, name, line)
        return Problem(" ".join(str(error).split()), "mkdocs.yml")
    if isinstance(error, BuildError):
        return Problem(" ".join(str(error).split()))
    return Problem(f"the site could not be rebuilt: {type(error).__name__}: {error} (`mkdocs serve -v` shows where)")


STYLE = """
.editor-preview{all:revert;display:block;box-sizing:border-box;margin:0;padding:.5rem .8rem;
 border:0;border-bottom:.25rem solid #a50e0e;background:#fff;color:#1f1f1f;
 font:.8rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere;z-index:5;position:relative}
.editor-preview *{all:revert;color:inherit;font:inherit}
.editor-preview h2{margin:0 0 .2rem;font-size:.95rem;font-weight:700;color:#a50e0e}
.editor-preview h3{margin:.4rem 0 .1rem;font-size:.8rem;font-weight:700}
.editor-preview p{margin:0 0 .25rem;max-width:60rem}
.editor-preview ul{margin:0;padding-left:1.1rem}
.editor-preview li{margin:.15rem 0}
.editor-preview code,.editor-preview .where{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em}
.editor-preview a{color:#0b57d0;text-decoration:underline}
.editor-preview a:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px}
.editor-preview .level{font-weight:700}
.editor-preview .source{display:block;margin:.1rem 0 .2rem;padding:.1rem .4rem;background:#f3f3f3;border-left:.2rem solid #6b6b6b;white-space:pre-wrap;font-size:.75rem}
.editor-preview .level-error{color:#a50e0e}
"""


def problem_box(problems: list[Problem], this_page: str | None, page_url: str, pages: dict[str, str], failed: bool | None,
                source_line=lambda problem: None) -> str:
    """The box: a labelled region with a heading, this page's problems first, then all the others."""
    here = [p for p in problems if this_page and p.file == this_page]
    elsewhere = [p for p in problems if p not in here]
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    title = f"Preview: {count} to fix before publishing"
    intro = (
        "The site could not be rebuilt: this is the last version that built. " if failed else ""
    ) + "Only the preview shows this box; it updates each time you save."

    def item(problem: Problem, link: bool) -> str:
        level = f'<span class="level level-{problem.severity}">{problem.severity.capitalize()}:</span> '
        if not problem.file:
            return f"<li>{level}{html.escape(problem.text)}</li>"
        where = html.escape(problem.where)
        url = pages.get(problem.file)
        if link and url is not None:
            where = f'<a href="{html.escape(get_relative_url(url, page_url) if page_url else url or "./")}">{where}</a>'
        source = source_line(problem)
        quoted = f'<code class="source">{problem.line} │ {html.escape(source)}</code>' if source else ""
        return f'<li>{level}<span class="where">{where}</span>: {html.escape(problem.text)}{quoted}</li>'

    parts = [f'<h2 id="editor-preview-title">{html.escape(title)}</h2><p>{intro}</p>']
    if here:
        parts.append(f"<h3>On this page ({html.escape(this_page)})</h3><ul>{''.join(item(p, False) for p in here)}</ul>")
    if elsewhere:
        heading = "Elsewhere in the site" if here else "In the site"
        parts.append(f"<h3>{heading}</h3><ul>{''.join(item(p, True) for p in elsewhere)}</ul>")
    return (
        f'{BOX_START}<section class="editor-preview" aria-labelledby="editor-preview-title" lang="en-GB">'
        f"<style>{STYLE}</style>{''.join(parts)}</section>{BOX_END}"
    )
