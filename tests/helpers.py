"""What the tests share: the project's paths, mkdocs as an editor runs it, copies of the project,
small fixture sites, a real `mkdocs serve` of a copy (free ports, start, stop, edits that are put
back), and the bibliography rules the tests hold references.bib to.

Tests import from here (`from helpers import ...`), never from conftest.py, which holds only
pytest's fixtures and hooks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_string

from mkdocs_launcher import Launcher

ROOT = Path(__file__).resolve().parent.parent
STYLE = ROOT / "overrides" / "citation-style.csl"


def mkdocs(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the mkdocs command line as an editor would, in a process of its own (forked with the
    libraries imported: mkdocs_launcher.py), capturing what it prints. A build of the project
    itself keeps its formatted citations in a temporary folder, not the project's .cache/."""
    env = {**mkdocs_environment(), **(env or {})}
    with tempfile.TemporaryDirectory(prefix="citation-cache-") as cache:
        if cwd == ROOT:
            env.setdefault("FACTSHEET_CITATION_CACHE", cache)
        return _launcher().run(list(args), cwd, env)


def mkdocs_environment() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


@cache
def _launcher() -> Launcher:
    """One forking server for this test process (so for each pytest-xdist worker)."""
    return Launcher(mkdocs_environment())


# What a copy of the project leaves out: set-up, build output and caches, so that it builds afresh.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "site", ".cache", ".pytest_cache", "__pycache__", "build", "bench", "*.egg-info")


def copy_project(target: Path, share_venv: bool = False) -> Path:
    """A copy of the project in target/project, as a git repository of one commit: "Last changed"
    on every page comes from git history (mkdocs_factsheet/last_changed.py). With share_venv, its
    .venv/ is a link to the repository's, which `./run` in the copy uses and never changes."""
    project = target / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED)
    if share_venv:
        (project / ".venv").symlink_to(ROOT / ".venv")
    identity = ["-c", "user.name=test", "-c", "user.email=test@localhost"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "copy"]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    return project


@dataclass
class BuiltSite:
    root: Path
    log: str

    def html(self, url: str) -> BeautifulSoup:
        """The page at a site URL such as '' (home) or 'clinical-studies/'."""
        path = self.root / url / "index.html" if not url.endswith(".html") else self.root / url
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def article(self, url: str):
        return self.html(url).select_one("article.md-content__inner")

    def text(self, url: str) -> str:
        return " ".join(self.article(url).get_text(" ").split())

    @cached_property
    def nav_urls(self) -> dict[str, str]:
        """mkdocs.yml's nav as {title: site URL}."""
        nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("# Page tree", 1)[1])["nav"]
        pages = {}
        for item in nav:
            (title, src), = item.items()
            pages[title] = "" if src == "index.md" else src.removesuffix(".md") + "/"
        return pages

    @cached_property
    def nav_sources(self) -> dict[str, str]:
        """mkdocs.yml's nav as {title: source file}, such as 'docs/index.md'."""
        nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("# Page tree", 1)[1])["nav"]
        return {title: f"docs/{src}" for item in nav for title, src in item.items()}

    @cached_property
    def search_index(self) -> dict:
        return json.loads((self.root / "search" / "search_index.json").read_text(encoding="utf-8"))


# --- Content checks: what the editor reads ------------------------------------------------------
# A test of the content (a fact the factsheet must carry, a rule for the writing) fails with
# `file:line: what to change`, as the build does, never with a Python assertion alone.


def _plain(text: str) -> str:
    """Text as a reader sees it, for finding it in Markdown: no emphasis, links or citations, one space."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"\[?-?@[\w:.#$%&+?<>~/-]+(?:,[^\]]*)?\]?", " ", text)  # citations
    return " ".join(re.sub(r"[*_`]", "", text).lower().split())


def line_in(source: str, text: str) -> int | None:
    """The line of a file (relative to the project) where text, or its first words, stand; None if nowhere."""
    raw = (ROOT / source).read_text(encoding="utf-8").splitlines()
    exact = next((number for number, line in enumerate(raw, 1) if text in line), None)
    if exact:
        return exact
    lines = [_plain(line) for line in raw]
    words = _plain(text).split()
    for length in (len(words), 6, 4, 2):
        needle = " ".join(words[:length])
        found = next((number for number, line in enumerate(lines, 1) if needle and needle in line), None)
        if found:
            return found
    return None


def where(source: str, text: str = "") -> str:
    """`file:line` of text in a source file; of its first line with a heading when the text is not there."""
    line = line_in(source, text) if text else None
    if line is None:
        lines = (ROOT / source).read_text(encoding="utf-8").splitlines()
        line = next((number for number, value in enumerate(lines, 1) if value.startswith("# ")), 1)
    return f"{source}:{line}"


def content_check(problems: list[str]) -> None:
    """Fails a content check with its problems, one `file:line: what to change` a line, and nothing
    else (no Python traceback): CONTRIBUTING.md, "What the tests check in your text", explains each."""
    if problems:
        pytest.fail("content check (CONTRIBUTING.md, \"What the tests check in your text\"):\n" + "\n".join(problems), pytrace=False)


FIXTURE_BIB = """\
@article{witt2006,
  author  = {Witt, Claudia M. and Jena, Susanne},
  title   = {A trial in {Germany}},
  journal = {American Journal of Epidemiology},
  year    = {2006},
  volume  = {164},
  number  = {5},
  pages   = {487--496},
  doi     = {10.1000/fixture.witt},
  pmid    = {111},
}

@article{sherman2009a,
  author  = {Sherman, Karen J. and Coeytaux, Remy R.},
  title   = {Acupuncture for common pain},
  journal = {Journal of Clinical Outcomes Management},
  year    = {2009},
  pages   = {224--230},
}

@article{sherman2009b,
  author  = {Sherman, Karen J. and Cherkin, Daniel C.},
  title   = {Characteristics of patients},
  journal = {BMC Musculoskeletal Disorders},
  year    = {2009},
  pages   = {114},
}
"""


BIBLIOGRAPHY_PAGE = "---\nnocite: [witt2006, sherman2009a, sherman2009b]\n---\n# Bibliography\n\n\\full_bibliography\n"


@dataclass
class FixtureSite:
    """A small MkDocs project using the real citations plugin and style, for one behaviour."""

    path: Path

    def build(self) -> subprocess.CompletedProcess:
        return mkdocs("build", "--strict", "--site-dir", str(self.path / "site"), cwd=self.path)

    def html(self, page: str = "index") -> BeautifulSoup:
        url = "index.html" if page == "index" else f"{page}/index.html"
        return BeautifulSoup((self.path / "site" / url).read_text(encoding="utf-8"), "html.parser")


def make_fixture_site(path: Path, pages: dict[str, str], bib: str | None = FIXTURE_BIB, style: bool = True,
                      extra_config: str = "", plugins: tuple[str, ...] = ()) -> FixtureSite:
    """A small MkDocs project in path: the pages, the bibliography and style, and mkdocs.yml."""
    # A bibliography page that lists every fixture entry, so no entry counts as uncited.
    pages = {"bibliography.md": BIBLIOGRAPHY_PAGE, **pages}
    (path / "docs").mkdir()
    for name, text in pages.items():
        (path / "docs" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    if bib is not None:
        (path / "refs.bib").write_text(bib, encoding="utf-8")
    if style:
        shutil.copy(STYLE, path / "style.csl")
    config = """\
        site_name: Fixture
        plugins:
          - citations:
              bib_file: refs.bib
              csl_file: style.csl
        """
    config = textwrap.dedent(config) + "".join(f"  - {name}\n" for name in plugins)
    (path / "mkdocs.yml").write_text(config + textwrap.dedent(extra_config), encoding="utf-8")
    return FixtureSite(path)


def errors(result: subprocess.CompletedProcess) -> list[str]:
    """The ERROR and WARNING lines MkDocs printed, without the level prefix."""
    return [re.sub(r"^(ERROR|WARNING)\s+-\s+", "", line) for line in result.stderr.splitlines() if re.match(r"(ERROR|WARNING)\s", line)]




# --- A real `mkdocs serve` of a copy of the project ---------------------------------------------
# The copy lives in a temporary folder, so the tests edit its files as an editor would without
# touching the repository. The server listens on a free loopback port, is started with
# subprocess and stopped by its PID; every wait is bounded.

STARTUP_SECONDS = 180  # the first build, on a busy machine
CHANGE_SECONDS = 60  # a rebuild after a save
# A page asked for during a rebuild waits for it to end (MkDocs holds the request), so a page is
# given a rebuild's time to answer; a preview that is stuck is told from its log (Preview.idle).
ANSWER_SECONDS = CHANGE_SECONDS
# What each preview run measured, for people to read, on request only: no test writes outside its
# own temporary folder unless asked (FACTSHEET_TIMINGS=build/preview-timings.json ./run test ...).
TIMINGS = Path(os.environ["FACTSHEET_TIMINGS"]) if os.environ.get("FACTSHEET_TIMINGS") else None
# Screenshots of the pages the browser tests visit, on request only (FACTSHEET_SCREENSHOTS=build/screenshots).
SCREENSHOTS = Path(os.environ["FACTSHEET_SCREENSHOTS"]) if os.environ.get("FACTSHEET_SCREENSHOTS") else None


def screenshot(page, name: str, **options) -> None:
    """Saves what a browser page shows as SCREENSHOTS/name, when screenshots were asked for."""
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name, **options)


def answer_ctrl_c() -> None:
    """In the server's process: Ctrl+C stops it, even if the tests run where it is ignored (a
    shell's background job), so that MkDocs cleans up as it does for an editor."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    """A loopback port that no one listens on, as the system hands it out (safe in parallel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(server: subprocess.Popen) -> None:
    """Stops a server with Ctrl+C, as the editor does; kills it if it has not stopped in 15 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@contextmanager
def mkdocs_serve(project: Path, *options: str):
    """`mkdocs serve` of a small project on a free port, printing into project/serve.log; yields its address."""
    port = free_port()
    with (project / "serve.log").open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", *options, "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            start_new_session=True, preexec_fn=answer_ctrl_c,
        )
        try:
            yield f"http://127.0.0.1:{port}/"
            assert server.poll() is None, "the server stopped by itself:\n" + (project / "serve.log").read_text(encoding="utf-8")
        finally:
            stop(server)


@dataclass
class Preview:
    project: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    port: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def log(self) -> str:
        return (self.project / "serve.log").read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        self.port = free_port()
        log = (self.project / "serve.log").open("w", encoding="utf-8")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "FACTSHEET_PDF": "off", **self.env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=answer_ctrl_c,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while "Serving on http://" not in self.log:
            assert self.process.poll() is None, f"mkdocs serve stopped:\n{self.log}"
            assert time.monotonic() < deadline, f"mkdocs serve did not start in {STARTUP_SECONDS} s:\n{self.log}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process:
            stop(self.process)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def idle(self) -> None:
        """Waits until the last rebuild the server started has ended; fails at once if it ended in
        MkDocs' "An error happened during the rebuild", after which the preview appears stuck (every
        page waits for a good build), as an editor would meet it."""
        deadline = time.monotonic() + CHANGE_SECONDS
        while True:
            log = self.log
            last = log.rfind("Detected file changes")
            if last < 0:  # no rebuild yet
                return
            ended = re.search(r"Reloading browsers|An error happened during the rebuild", log[last:])
            if ended:
                assert "An error happened" not in ended[0], f"the preview is stuck after a failed rebuild:\n{log[last:][-3000:]}"
                return
            assert self.process.poll() is None, f"mkdocs serve stopped:\n{log[-3000:]}"
            assert time.monotonic() < deadline, f"still rebuilding after {CHANGE_SECONDS} s:\n{log[last:][-3000:]}"
            time.sleep(0.1)

    def get(self, path: str = "", timeout: float = ANSWER_SECONDS) -> tuple[int, str, float]:
        """(status, body, seconds) for a page; a hang fails with a timeout."""
        start = time.monotonic()
        try:
            with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
                return response.status, response.read().decode("utf-8"), time.monotonic() - start
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), time.monotonic() - start

    def page(self, path: str = "") -> BeautifulSoup:
        status, body, _ = self.get(path)
        assert status == 200, f"/{path}: HTTP {status}"
        return BeautifulSoup(body, "html.parser")

    def box(self, path: str = "") -> BeautifulSoup | None:
        """The problem box on a page, or None."""
        return self.page(path).select_one("section.editor-preview")

    def wait_until(self, what: str, condition, timeout: float = CHANGE_SECONDS) -> float:
        """Polls until condition() holds; returns the seconds it took (kept in self.timings)."""
        start = time.monotonic()
        while True:
            try:
                if condition():
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                pass  # a page that answers late is checked by the caller, not here
            assert time.monotonic() - start < timeout, f"{what}: not within {timeout} s\n{self.log[-3000:]}"
            time.sleep(0.1)
        self.timings[what] = round(time.monotonic() - start, 2)
        return self.timings[what]

    @contextmanager
    def created(self, relative: str, text: str):
        """A new file, saved; deleted afterwards."""
        path = self.project / relative
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        finally:
            path.unlink()

    @contextmanager
    def edited(self, relative: str, old: str, new: str, count: int = 1):
        """The file changed as an editor would, saved; put back as it was afterwards."""
        path = self.project / relative
        original = path.read_text(encoding="utf-8")
        assert old in original, f"{relative} has no {old!r}"
        path.write_text(original.replace(old, new, count), encoding="utf-8")
        try:
            yield path
        finally:
            path.write_text(original, encoding="utf-8")


@contextmanager
def serving(tmp_path_factory, **env: str):
    preview = Preview(copy_project(tmp_path_factory.mktemp("preview")), env=env)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()
        if TIMINGS:
            TIMINGS.parent.mkdir(parents=True, exist_ok=True)
            previous = json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.exists() else {}
            TIMINGS.write_text(json.dumps({**previous, **preview.timings}, indent=2) + "\n", encoding="utf-8")


# --- The bibliography rules (references.bib, as CONTRIBUTING.md states them) --------------------

# Fields every entry of a type needs (as mkdocs_factsheet/citations/bibliography.py checks at build time).
REQUIRED_FIELDS = {
    "article": ("author", "title", "journal", "year"),
    "book": ("title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "misc": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
}
KEY = re.compile(r"[a-z]+(\d{4}|nd)[a-z]?")  # smithnd: an undated web page (year = {n.d.})
ENTRY_START = re.compile(r"^[ \t]*@(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)


@dataclass
class RawEntry:
    type: str
    key: str
    line: int
    notes: list[str]  # the % comment lines right above the entry


def raw_entries(text: str) -> list[RawEntry]:
    lines = text.splitlines()
    entries = []
    for match in ENTRY_START.finditer(text):
        if match[1].lower() in ("comment", "string", "preamble"):
            continue
        line = text.count("\n", 0, match.start()) + 1
        above = line - 2
        notes = []
        while above >= 0 and lines[above].lstrip().startswith("%"):
            notes.insert(0, lines[above].strip())
            above -= 1
        entries.append(RawEntry(match[1].lower(), match[2], line, notes))
    return entries


def sorted_run(keys: list[str]) -> set[str]:
    """The most keys that already stand in sorted order: the others are the ones to move."""
    best: list[list[str]] = []  # best[i]: the longest sorted run ending at keys[i]
    for i, key in enumerate(keys):
        before = [best[j] for j in range(i) if keys[j] <= key]
        best.append(max(before, key=len, default=[]) + [key])
    return set(max(best, key=len, default=[]))


def bib_problems(text: str, name: str = "references.bib") -> list[str]:
    """One `name:line: message` per problem, in file order."""
    entries = raw_entries(text)
    problems = []
    first_line: dict[str, int] = {}
    for entry in entries:
        if entry.key in first_line:
            problems.append(f"{name}:{entry.line}: duplicate key '{entry.key}' (first at line {first_line[entry.key]})")
        first_line.setdefault(entry.key, entry.line)
    if problems:
        return problems
    try:
        fields_of = parse_string(text, "bibtex").entries
    except Exception as error:  # noqa: BLE001 - any parse failure is one problem to report
        return [f"{name}: cannot be read: {error}"]

    doi_line: dict[str, int] = {}
    in_order = sorted(e.key for e in entries)
    placed = sorted_run([e.key for e in entries])
    for entry in entries:
        at = f"{name}:{entry.line}: entry '{entry.key}'"
        data = fields_of[entry.key]
        if not KEY.fullmatch(entry.key):
            problems.append(f"{at}: key should be the first author's surname and the year, in lower case, e.g. smith2021 or smith2021a")
        if entry.key not in placed:
            place = in_order.index(entry.key)
            where = f"after '{in_order[place - 1]}'" if place else "to the top"
            problems.append(f"{at}: out of order; entries are sorted by key, so move it {where}")
        if not any(note.startswith("% checked:") for note in entry.notes):
            problems.append(f"{at}: no '% checked:' line right above it saying where its fields were confirmed")
        if entry.type not in REQUIRED_FIELDS:
            problems.append(f"{at}: type @{entry.type} is not one the site knows: use one of {', '.join(sorted(REQUIRED_FIELDS))}")
        else:
            present = {k.lower() for k, v in data.fields.items() if v.strip()} | {k.lower() for k in data.persons}
            missing = [f for f in REQUIRED_FIELDS[entry.type] if f not in present]
            if missing:
                problems.append(f"{at} ({entry.type}) is missing required field(s): {', '.join(missing)}")
        pages = data.fields.get("pages", "")
        if re.search(r"(?<!-)-(?!-)|---|[\u2010-\u2015\u2212]", pages):
            problems.append(f"{at}: write the page range '{pages}' with two hyphens, e.g. 1892--1898")
        if doi := data.fields.get("doi", "").strip().lower():
            if doi in doi_line:
                problems.append(f"{at}: repeats DOI {doi} (also at line {doi_line[doi]})")
            doi_line.setdefault(doi, entry.line)
    return problems
