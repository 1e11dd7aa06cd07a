"""Build benchmark: how much the citation processing costs, against a floor without it.

    .venv/bin/python bench/run.py [--runs 5] [--live-runs N] [--no-live] [--no-corpus] [--no-pdf] [--profile] [--timeline] [--keep]

Everything runs on copies in a temporary directory (the project's working tree as it is now, and
the corpus from bench/make_corpus.py), so neither docs/ nor the project's .cache/ is touched.
Every build is `python -m mkdocs build --strict --site-dir <fresh dir>` with NO_MKDOCS_2_WARNING=1,
in a fresh wrapper process per run that reports the wall time and the peak RSS of the build's
process tree (getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process, Python or pandoc).

Cases (rounds are interleaved, case after case, so drift in the machine's speed hits all alike):

- factsheet: the site as built for publishing (cold: no .cache/, as on CI), FACTSHEET_PDF=off;
  the same with FACTSHEET_PDF unset (the PDF edition, when the checkout has that step); and warm
  (.cache/ kept from the previous build, as on an editor's machine);
- floor: the same site with citation processing off (mkdocs.yml without the `citations` plugin;
  `[@key]` stays as text), with and without the PDF;
- corpus: 100 pages x 20 citations, 1,000 references; cold, warm, and floor;
- live: `mkdocs serve` on a copy; the time from saving a change (a word appended to a page; a
  word put in one reference's title in references.bib) until the served page shows it.

It is not a test (pytest does not collect it); it prints figures and PASS/FAIL against targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import make_corpus  # noqa: E402

PY = sys.executable
SKIP_TOP = {".git", ".venv", "site", ".cache", "bench", "build", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

TARGETS = {  # name: (limit, "<=" or "<", unit); issue 22's targets
    "factsheet": (1.2, "≤", ""),
    "corpus cold": (1.6, "≤", ""),
    "corpus warm": (1.1, "≤", ""),
    "live page": (1.0, "<", " s"),
    "live bib": (2.0, "<", " s"),
    "corpus memory": (300.0, "<", " MB"),
}

# Runs one build in a fresh process and reports its wall time and its process tree's peak RSS.
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": run.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kb": usage.ru_maxrss, "log": run.stdout[-6000:]}))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Copies and configurations ---------------------------------------------------------------


def copy_project(dest: Path) -> Path:
    """The project's working tree as it is now, without build output, caches, venv or bench/."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory).resolve() == ROOT
        return {n for n in names if n == "__pycache__" or (top and n in SKIP_TOP)}

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    # "Last changed" comes from git history (mkdocs_factsheet/last_changed.py): one commit of it.
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "copy"]):
        subprocess.run(["git", *command], cwd=dest, check=True, capture_output=True)
    return dest


def without_citations(config: str) -> str:
    """mkdocs.yml with the `citations` plugin taken out, all else as written."""
    lines = config.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        plugin = re.match(r"^(\s*)-\s+citations\s*:?\s*(#.*)?$", line)
        if plugin:
            indent = len(plugin.group(1))
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                i += 1
            continue
        out.append(line)
        i += 1
    # An emptied `hooks:` would be `hooks: null`; drop the key then.
    text = "".join(out)
    hooks = re.search(r"^hooks:[ \t]*\n((?:(?:[ \t]+.*|-.*|[ \t]*#.*|[ \t]*)\n)*)", text, re.MULTILINE)
    if hooks and not re.search(r"^\s*-\s", hooks.group(1), re.MULTILINE):
        text = text[: hooks.start()] + hooks.group(1) + text[hooks.end():]
    return text


def _load_yaml(text: str) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load(text, Loader=Loader)


def make_floor(directory: Path) -> None:
    config = directory / "mkdocs.yml"
    text = without_citations(config.read_text(encoding="utf-8"))
    data = _load_yaml(text)
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in data.get("plugins") or []]
    hooks = data.get("hooks") or []
    if "citations" in plugins or ("hooks" in data and data["hooks"] is None):
        raise SystemExit(f"bench: could not take citations out of {config}: plugins {plugins}, hooks {hooks}")
    config.write_text(text, encoding="utf-8")


def page_url(md_path: str) -> str:
    """Site URL of a docs page (use_directory_urls), e.g. 'a/b.md' -> 'a/b/', 'index.md' -> ''."""
    stem = md_path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def nav_pages(directory: Path) -> list[str]:
    data = _load_yaml((directory / "mkdocs.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(items):
        for item in items or []:
            target = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(target, list):
                walk(target)
            elif isinstance(target, str) and target.endswith(".md"):
                found.append(target)

    walk(data.get("nav"))
    return found


def pick_live_targets(directory: Path) -> tuple[str, str, str]:
    """(a content page to edit, a bib key, a content page that cites that key)."""
    pages = [p for p in nav_pages(directory) if p not in ("index.md", "references.md")]
    bib = (directory / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,\s]+),", bib, re.MULTILINE)
    for page in pages:
        text = (directory / "docs" / page).read_text(encoding="utf-8")
        for key in keys:
            if re.search(rf"(?<![\w.+-])@{re.escape(key)}(?![\w:.-]*\w)", text):
                return pages[0], key, page
    raise SystemExit(f"bench: no page in {directory} cites any reference")


def retitle(bib: Path, key: str, word: str, original: dict) -> None:
    """Puts `word` before the title of entry `key` (the first time, remembers the title)."""
    text = bib.read_text(encoding="utf-8")
    start = re.search(rf"^@\w+\{{{re.escape(key)},", text, re.MULTILINE).start()
    end = text.find("\n@", start + 1)
    end = len(text) if end < 0 else end
    entry = text[start:end]
    title = re.search(r"^(\s*title\s*=\s*\{)(.*)(\},?)[ \t]*$", entry, re.MULTILINE)
    original.setdefault(key, title.group(2))
    entry = entry[: title.start(2)] + f"{word} {original[key]}" + entry[title.end(2):]
    bib.write_text(text[:start] + entry + text[end:], encoding="utf-8")


# --- Build cases -----------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    label: str
    directory: Path
    env: dict
    cold: bool = False  # delete .cache/ before every run
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)
    failed: str = ""

    def run(self, work: Path) -> dict:
        site = work / f"site-{self.name}"
        shutil.rmtree(site, ignore_errors=True)
        if self.cold:
            shutil.rmtree(self.directory / ".cache", ignore_errors=True)
        command = [PY, "-c", MEASURE, str(self.directory), PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            return {"rc": done.returncode, "log": done.stderr[-3000:]}
        return json.loads(done.stdout.strip().splitlines()[-1])

    def site(self, work: Path) -> Path:
        return work / f"site-{self.name}"

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


PYCACHE: Path | None = None  # set in bench(): bytecode goes to the temporary directory
CODE: Path | None = None  # set in bench(): the copy of the project whose plugins every case loads


def environment(pdf: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FACTSHEET_PDF", "PYTHONDONTWRITEBYTECODE")}
    # Bytecode is cached (as on an editor's machine) but in the temporary directory, so that the
    # corpus, which loads the real citations plugin (mkdocs_factsheet/citations), writes nothing into the project.
    env.update(NO_MKDOCS_2_WARNING="1", NO_COLOR="1", PYTHONPYCACHEPREFIX=str(PYCACHE))
    # The corpus has no mkdocs_factsheet/ of its own: it loads the plugins from the copy, so that
    # every case measures the code of the tree this script belongs to, not the one pip installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE), env.get("PYTHONPATH")]))
    if not pdf:
        env["FACTSHEET_PDF"] = "off"
    return env


def run_builds(cases: list[Case], runs: int, work: Path) -> None:
    log(f"warm-up: one untimed build per case ({len(cases)} cases)")
    for case in cases:
        result = case.run(work)
        if result["rc"] != 0:
            case.failed = f"build failed (exit {result['rc']}):\n{result['log']}"
            log(f"  {case.label}: FAILED\n{result['log']}")
    for round_ in range(1, runs + 1):
        log(f"round {round_}/{runs}")
        for case in cases:
            if case.failed:
                continue
            result = case.run(work)
            if result["rc"] != 0:
                case.failed = f"build failed (exit {result['rc']}):\n{result['log']}"
                log(f"  {case.label}: FAILED\n{result['log']}")
                continue
            case.walls.append(result["wall"])
            case.cpus.append(result["cpu"])
            case.peaks_kb.append(result["peak_kb"])
            log(f"  {case.label:<48} {result['wall']:6.2f} s  {result['peak_kb'] / 1024:5.0f} MB")


# --- Live rebuild ----------------------------------------------------------------------------


@dataclass
class Live:
    label: str
    target: str | None  # key of TARGETS; "info" for a figure without a target; None for a floor
    times: list[float] = field(default_factory=list)
    failed: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 120.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, word: str, deadline: float) -> float | None:
    """Polls the URL every 20 ms until the page contains word; returns when it did."""
    word = word.lower()
    while time.perf_counter() < deadline:
        body = fetch(url, timeout=max(1.0, deadline - time.perf_counter()))
        if body is not None and word in body.lower():
            return time.perf_counter()
        time.sleep(0.02)
    return None


def live_session(directory: Path, env: dict, edits: list[tuple[Live, str]], reps: int, rng: random.Random, work: Path) -> None:
    """Serves `directory`, then times each kind of edit ("page" or "bib") `reps` times."""
    page, key, citing = pick_live_targets(directory)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log_file = work / f"serve-{directory.name}.log"
    with open(log_file, "w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.perf_counter() + 600
        while fetch(base + page_url(page), timeout=5) is None:
            if server.poll() is not None or time.perf_counter() > deadline:
                tail = log_file.read_text(encoding="utf-8")[-3000:]
                for live, _ in edits:
                    live.failed = f"mkdocs serve did not start:\n{tail}"
                return
            time.sleep(0.2)
        time.sleep(1.5)  # the file watcher takes its first snapshot after the server is up
        original: dict[str, str] = {}
        for live, kind in edits:
            for rep in range(reps):
                word = "benchmark" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
                if kind == "page":
                    with open(directory / "docs" / page, "a", encoding="utf-8") as f:
                        f.write(f"\n\nEdited {word}\n")
                    url = base + page_url(page)
                else:
                    retitle(directory / "references.bib", key, word, original)
                    url = base + page_url(citing)
                saved = time.perf_counter()
                seen = wait_for(url, word, saved + 300)
                if seen is None:
                    tail = log_file.read_text(encoding="utf-8")[-3000:]
                    live.failed = f"the change did not appear within 300 s:\n{tail}"
                    break
                live.times.append(seen - saved)
                log(f"  {live.label:<48} {seen - saved:6.2f} s")
                time.sleep(rng.uniform(0.6, 1.2))  # let the server settle; vary the watcher's phase
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Reporting -------------------------------------------------------------------------------


def verdict(name: str, value: float) -> tuple[str, str]:
    limit, op, unit = TARGETS[name]
    ok = value <= limit if op == "≤" else value < limit
    return f"{op} {limit:g}{unit}", "PASS" if ok else "FAIL"


# One build with MkDocs' debug log, each line of interest timed from the start of the process.
TIMELINE = r"""
import logging, sys, time
from mkdocs.__main__ import cli
start = time.perf_counter()
SHOWN = ("Running `config` event from plugin 'citations'", "Running `files` event from plugin 'citations'",
         "citations: pandoc formats", "Reading markdown pages", "Running `env` event from plugin 'citations'",
         "Running `page_context` event from plugin 'citations'",
         "Running `page_context` event from plugin 'material/search'", "citations: waited", "Running `post_build`")
seen = set()
class Timeline(logging.Handler):
    def emit(self, record):
        message = record.getMessage().splitlines()[0]
        shown = next((s for s in SHOWN if message.startswith(s)), None)
        if shown and shown not in seen:
            seen.add(shown)
            print(f"{time.perf_counter() - start:6.2f} s  {message}", flush=True)
logging.getLogger("mkdocs").addHandler(Timeline())
try:
    cli()
finally:
    print(f"{time.perf_counter() - start:6.2f} s  build done", flush=True)
"""


def timeline(case: Case, work: Path) -> None:
    """When the citation work starts and ends in one more build of the case (first of each kind)."""
    if case.cold:
        shutil.rmtree(case.directory / ".cache", ignore_errors=True)
    site = work / f"site-timeline-{case.name}"
    command = [PY, "-c", TIMELINE, "build", "--strict", "-v", "--site-dir", str(site)]
    done = subprocess.run(command, cwd=case.directory, env=case.env, capture_output=True, text=True)
    print(f"\n== Timeline: {case.label} (one build, seconds from the start of its process; exit {done.returncode}) ==")
    print(done.stdout.rstrip())


def spread(values: list[float]) -> str:
    low_high = f"{min(values):.2f}–{max(values):.2f} s"
    return f"{statistics.median(values):6.2f} s   {low_high:<14}"


def profile(case: Case, work: Path, top: int = 25) -> None:
    """cProfile of one more build of the case, top functions by cumulative time."""
    import pstats

    out = work / f"{case.name}.prof"
    site = work / f"site-profile-{case.name}"
    shutil.rmtree(site, ignore_errors=True)
    if case.cold:
        shutil.rmtree(case.directory / ".cache", ignore_errors=True)
    command = [PY, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=case.directory, env=case.env, capture_output=True, text=True)
    print(f"\n== Profile: {case.label} (one build under cProfile, {time.perf_counter() - start:.2f} s, exit {done.returncode}) ==")
    pstats.Stats(str(out), stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(top)
    print(f"-- the same profile, only the citation code (mkdocs_factsheet/citations, mkdocs-bibtex, pybtex, pypandoc), top {top} --")
    pstats.Stats(str(out), stream=sys.stdout).sort_stats("cumulative").print_stats(r"mkdocs_factsheet/citations|mkdocs_bibtex|pybtex|pypandoc", top)
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description="Build benchmark: citations on against citations off (bench/README.md).")
    parser.add_argument("--runs", type=int, default=5, help="timed builds per case (default 5)")
    parser.add_argument("--live-runs", type=int, default=None, help="edits timed per live case (default: --runs)")
    parser.add_argument("--no-live", action="store_true", help="skip the mkdocs serve measurements")
    parser.add_argument("--no-corpus", action="store_true", help="skip the large corpus")
    parser.add_argument("--no-pdf", action="store_true", help="skip the factsheet cases with the PDF (no target judges them)")
    parser.add_argument("--profile", action="store_true", help="profile (cProfile, top 25) each build case that misses its target")
    parser.add_argument("--timeline", action="store_true", help="one more build of each corpus case with its timeline (when pandoc starts, when the pages wait for it)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    parser.add_argument("--seed", type=int, default=1, help="seed for the live edits' words and pauses")
    args = parser.parse_args()
    live_runs = args.live_runs or args.runs
    rng = random.Random(args.seed)

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        return bench(args, live_runs, rng, work)
    finally:
        if args.keep:
            log(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def bench(args, live_runs: int, rng: random.Random, work: Path) -> int:
    global PYCACHE, CODE
    PYCACHE = work / "pycache"
    load_before = os.getloadavg()
    log(f"copying the project and making the corpus in {work}")
    with_pdf = ("factsheet-pdf", "floor-pdf")
    names = ("factsheet-cold", "factsheet-pdf", "factsheet-warm", "floor", "floor-pdf")
    fact = {name: copy_project(work / name) for name in names if not (args.no_pdf and name in with_pdf)}
    CODE = fact["factsheet-cold"]
    for name in ("floor", "floor-pdf"):
        if name in fact:
            make_floor(fact[name])
    cases = [
        Case("factsheet-cold", "factsheet, PDF off, cold cache", fact["factsheet-cold"], environment(False), cold=True),
        Case("factsheet-pdf", "factsheet, with PDF, cold cache", fact.get("factsheet-pdf"), environment(True), cold=True),
        Case("factsheet-warm", "factsheet, PDF off, warm cache", fact["factsheet-warm"], environment(False)),
        Case("floor", "factsheet floor (citations off), PDF off", fact["floor"], environment(False)),
        Case("floor-pdf", "factsheet floor (citations off), with PDF", fact.get("floor-pdf"), environment(True)),
    ]
    cases = [case for case in cases if case.directory is not None]
    corpus_info = None
    if not args.no_corpus:
        corpus_info = make_corpus.make(BENCH / "corpus")
        corpus = {name: work / name for name in ("corpus-cold", "corpus-warm", "corpus-floor")}
        for directory in corpus.values():
            shutil.copytree(BENCH / "corpus", directory, ignore=shutil.ignore_patterns(".cache", "site"))
        make_floor(corpus["corpus-floor"])
        cases += [
            Case("corpus-cold", "corpus, cold cache", corpus["corpus-cold"], environment(False), cold=True),
            Case("corpus-warm", "corpus, warm cache", corpus["corpus-warm"], environment(False)),
            Case("corpus-floor", "corpus floor (citations off)", corpus["corpus-floor"], environment(False)),
        ]
    by = {case.name: case for case in cases}
    run_builds(cases, args.runs, work)

    # Does this checkout have a PDF step? Then the build with FACTSHEET_PDF unset writes a .pdf.
    pdf_case = by.get("factsheet-pdf")
    pdf_files = sorted(p.name for p in pdf_case.site(work).glob("*.pdf")) if pdf_case and not pdf_case.failed else []
    has_pdf = bool(pdf_files) and not list(by["factsheet-cold"].site(work).glob("*.pdf"))

    lives: list[Live] = []
    if not args.no_live:
        sessions = [
            ("factsheet", work / "live-factsheet", lambda d: copy_project(d), [("page", "live page"), ("bib", "info")]),
            ("factsheet floor", work / "live-floor", lambda d: make_floor(copy_project(d)), [("page", None)]),
        ]
        if not args.no_corpus:
            sessions += [
                # Issue 22 sets the page-edit target on the factsheet and the references.bib one on the corpus.
                ("corpus", work / "live-corpus", lambda d: shutil.copytree(BENCH / "corpus", d), [("page", "info"), ("bib", "live bib")]),
                ("corpus floor", work / "live-corpus-floor", lambda d: make_floor(shutil.copytree(BENCH / "corpus", d)), [("page", None)]),
            ]
        for name, directory, prepare, kinds in sessions:
            prepare(directory)
            edits = []
            for kind, target in kinds:
                what = "page edit" if kind == "page" else "references.bib edit"
                suffix = " (citations off)" if target is None else ""
                edits.append((Live(f"{name.replace(' floor', '')}: {what}{suffix}", target), kind))
            log(f"live: mkdocs serve on a copy ({name})")
            live_session(directory, environment(False), edits, live_runs, rng, work)
            lives += [live for live, _ in edits]

    report(args, cases, by, lives, has_pdf, pdf_files, corpus_info, live_runs, (load_before, os.getloadavg()))

    if args.timeline:
        for name in ("corpus-cold", "corpus-warm", "corpus-floor"):
            if name in by and not by[name].failed:
                timeline(by[name], work)

    if args.profile:
        failing = []
        if ratio(by, "factsheet-cold", "floor") and verdict("factsheet", ratio(by, "factsheet-cold", "floor"))[1] == "FAIL":
            failing.append(by["factsheet-cold"])
        if "corpus-cold" in by and ratio(by, "corpus-cold", "corpus-floor") and verdict("corpus cold", ratio(by, "corpus-cold", "corpus-floor"))[1] == "FAIL":
            failing.append(by["corpus-cold"])
        if "corpus-warm" in by and ratio(by, "corpus-warm", "corpus-floor") and verdict("corpus warm", ratio(by, "corpus-warm", "corpus-floor"))[1] == "FAIL":
            failing.append(by["corpus-warm"])
        if not failing:
            print("\n--profile: every build target passed; nothing to profile.")
        for case in failing:
            profile(case, work)
    return 0


def ratio(by: dict, case: str, floor: str, measure: str = "median") -> float | None:
    """Case over floor: median wall times, or their fastest runs ("min"), or median CPU times ("cpu")."""
    a, b = by.get(case), by.get(floor)
    if not a or not b or a.failed or b.failed or not a.walls or not b.walls:
        return None
    if measure == "cpu":
        return statistics.median(a.cpus) / statistics.median(b.cpus)
    if measure == "min":
        return min(a.walls) / min(b.walls)
    return a.median / b.median


def report(args, cases, by, lives, has_pdf, pdf_files, corpus_info, live_runs, loads) -> None:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    try:  # the pandoc that the citations plugin runs
        from mkdocs_factsheet.citations.citeproc import pandoc_binary

        pandoc = subprocess.run([pandoc_binary(), "--version"], capture_output=True, text=True).stdout.split()[1]
    except Exception:  # noqa: BLE001 - only for the header
        pandoc = "?"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                             capture_output=True, text=True).stdout.strip()
    print("== Build benchmark (bench/run.py) ==")
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
          f"MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}, mkdocs-bibtex {version('mkdocs-bibtex')}, pandoc {pandoc}")
    print(f"load average (1 min) at start {loads[0][0]:.2f}, at end {loads[1][0]:.2f}: "
          "other work on the machine slows every case alike; see the min and the CPU column")
    print(f"project: {head}{' + uncommitted changes' if changed else ''} (working tree copied as it was)")
    if corpus_info:
        print(f"corpus: {corpus_info['pages']} pages x 20 citations, {corpus_info['entries']} references "
              f"({corpus_info['nocite']} under nocite:), bench/make_corpus.py seed {make_corpus.SEED}")
    if args.no_pdf:
        print("PDF step: not measured (--no-pdf)")
    elif has_pdf:
        print(f"PDF step: present (FACTSHEET_PDF unset wrote {', '.join(pdf_files)}; FACTSHEET_PDF=off wrote none)")
    else:
        print("PDF step: NOT present in this checkout (no .pdf written with FACTSHEET_PDF unset): the 'with PDF' "
              "cases are the same builds as the 'PDF off' ones")

    print(f"\n== Builds: python -m mkdocs build --strict --site-dir <new dir>; {args.runs} timed runs per case after one untimed ==")
    print(f"{'case':<46} {'median':>8}   {'min–max':<14}  {'peak RSS':>9}   {'CPU':>7}")
    for case in cases:
        if case.failed:
            print(f"{case.label:<46} FAILED: {case.failed.splitlines()[0]}")
            continue
        print(f"{case.label:<46} {spread(case.walls)}  {max(case.peaks_kb) / 1024:6.0f} MB   {statistics.median(case.cpus):5.2f} s")
    print("(wall time of the whole command, Python start-up included; peak RSS: the largest process of the build's")
    print(" tree over all runs, Python or pandoc, from getrusage(RUSAGE_CHILDREN); CPU: median user+system time)")

    print("\n== Ratios: median wall time of the case / median wall time of its floor; the same for the fastest runs")
    print("   (min) and for median CPU time (CPU). The targets judge the first. ==")
    print(f"{'ratio':<46} {'value':>6}   {'min':>5}   {'CPU':>5}   {'target':<9} result")

    verdicts: list[tuple[str, str]] = []

    def line(label: str, case: str, floor: str, target: str | None) -> None:
        value, fastest, cpu = (ratio(by, case, floor, measure) for measure in ("median", "min", "cpu"))
        if value is None:
            print(f"{label:<46} {'n/a':>6}")
            return
        limit, result = verdict(target, value) if target else ("(info)", "")
        if result:
            verdicts.append((label, result))
        print(f"{label:<46} {value:6.2f}   {fastest:5.2f}   {cpu:5.2f}   {limit:<9} {result}")

    line("factsheet on/off (PDF off, cold cache)", "factsheet-cold", "floor", "factsheet")
    line("factsheet on/off (PDF off, warm cache)", "factsheet-warm", "floor", None)
    if has_pdf:
        line("factsheet on/off (with PDF, cold cache)", "factsheet-pdf", "floor-pdf", None)
        line("factsheet with PDF / PDF off (cold cache)", "factsheet-pdf", "factsheet-cold", None)
    elif not args.no_pdf:
        print(f"{'factsheet with PDF':<46} {'same':>6}   (no PDF step: equal to PDF off)")
    if "corpus-cold" in by:
        line("corpus cold on/off", "corpus-cold", "corpus-floor", "corpus cold")
        line("corpus warm on/off", "corpus-warm", "corpus-floor", "corpus warm")
        peaks = [max(by[n].peaks_kb) / 1024 for n in ("corpus-cold", "corpus-warm") if by[n].peaks_kb]
        if peaks:
            limit, result = verdict("corpus memory", max(peaks))
            verdicts.append(("corpus peak memory", result))
            print(f"{'corpus peak memory (citations on)':<46} {max(peaks):4.0f} MB   {'':>5}   {'':>5}   {limit:<9} {result}")

    if lives:
        print(f"\n== Live rebuild: mkdocs serve on a copy (FACTSHEET_PDF=off); save → the served page shows it; {live_runs} edits each ==")
        print("(mkdocs serve polls the files every 0.5 s and waits 0.1 s for quiet: 0.1–0.6 s of each figure is the watcher)")
        print(f"{'case':<46} {'median':>8}   {'min–max':<14}  {'target':<9} result")
        for live in lives:
            if live.failed or not live.times:
                print(f"{live.label:<46} FAILED: {(live.failed or 'no measurement').splitlines()[0]}")
                continue
            if live.target in TARGETS:
                limit, result = verdict(live.target, statistics.median(live.times))
                verdicts.append((live.label, result))
            else:
                limit, result = ("(info)" if live.target else "(floor)"), ""
            print(f"{live.label:<46} {spread(live.times)}  {limit:<9} {result}")

    failed = [label for label, result in verdicts if result == "FAIL"]
    print(f"\n== Targets: {len(verdicts) - len(failed)} of {len(verdicts)} PASS" + (f"; FAIL: {', '.join(failed)}" if failed else "") + " ==")
    for case in cases:
        if case.failed:
            print(f"\n{case.label}: {case.failed}")
    for live in lives:
        if live.failed:
            print(f"\n{live.label}: {live.failed}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
