"""Resource benchmark for hostile sizes (issue 21, item 11): prints figures, checks nothing in CI.

    .venv/bin/python bench/resources.py [--headings 2500,5000,10000] [--abstract-mb 50] [--runs 1]

Each build is `python -m mkdocs build --strict` of a small site in a temporary directory (the real
citations plugin and style, a cold `.cache/`, FACTSHEET_PDF=off), in a fresh process whose wall
time and peak RSS (getrusage of the children: the largest single process, Python or pandoc) are
reported:

- headings: one page with N headings, each holding a citation, against the same page with the
  citations taken out of the headings (the plugin still on). Target: 10,000 headed citations
  under 10 s more than the same page without citations;
- abstract: a bibliography whose one entry has an abstract of the given size (fields pandoc does
  not need are never read or sent to it). Target: under 500 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLE = ROOT / "overrides" / "citation-style.csl"
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": run.returncode, "wall": wall, "peak_kb": usage.ru_maxrss, "log": run.stdout[-3000:]}))
"""
ENTRY = """@article{witt2006,
  author  = {Witt, Claudia M. and Jena, Susanne},
  title   = {A trial in {Germany}},
  journal = {American Journal of Epidemiology},
  year    = {2006},
  pages   = {487--496},
%s}
"""


def site(directory: Path, page: str, bib: str) -> Path:
    (directory / "docs").mkdir(parents=True)
    (directory / "docs" / "index.md").write_text(page, encoding="utf-8")
    (directory / "refs.bib").write_text(bib, encoding="utf-8")
    shutil.copy(STYLE, directory / "style.csl")
    (directory / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Bench
        plugins:
          - citations:
              bib_file: refs.bib
              csl_file: style.csl
        markdown_extensions:
          - toc
        """), encoding="utf-8")
    return directory


def build(directory: Path) -> dict:
    shutil.rmtree(directory / ".cache", ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "FACTSHEET_PDF": "off"}
    command = [sys.executable, "-c", MEASURE, str(directory), sys.executable, "-m", "mkdocs", "build", "--strict",
               "--site-dir", str(directory / "site")]
    result = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    if result["rc"] != 0:
        raise SystemExit(f"build failed in {directory}:\n{result['log']}")
    return result


def best(directory: Path, runs: int) -> dict:
    results = [build(directory) for _ in range(runs)]
    return min(results, key=lambda r: r["wall"])


def headed_page(count: int, cited: bool) -> str:
    citation = " [@witt2006]" if cited else ""
    return "# Headed citations\n\n" + "".join(f"## Section {n}{citation}\n\nText of section {n}.\n\n" for n in range(count)) + (
        "" if cited else "Cited once [@witt2006].\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--headings", default="2500,5000,10000")
    parser.add_argument("--abstract-mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-resources-") as temporary:
        temporary = Path(temporary)
        print(f"{'case':<42} {'wall s':>8} {'peak MB':>8}")
        for count in [int(n) for n in args.headings.split(",") if n]:
            figures = {}
            for cited in (False, True):
                directory = site(temporary / f"headings-{count}-{cited}", headed_page(count, cited), ENTRY % "")
                figures[cited] = best(directory, args.runs)
                print(f"{f'{count} headings, citations in them: {cited}':<42} {figures[cited]['wall']:>8.2f} {figures[cited]['peak_kb'] / 1024:>8.0f}")
            extra = figures[True]["wall"] - figures[False]["wall"]
            verdict = "" if count != 10000 else (" PASS" if extra < 10 else " FAIL") + " (target: under 10 s)"
            print(f"{f'{count} headings: citations cost':<42} {extra:>8.2f}{verdict}")
        abstract = "  abstract = {" + ("Long text of an abstract. " * int(args.abstract_mb * 1024 * 1024 / 26)) + "},\n"
        directory = site(temporary / "abstract", "# Abstract\n\nCited [@witt2006].\n", ENTRY % abstract)
        figure = best(directory, args.runs)
        verdict = "PASS" if figure["peak_kb"] / 1024 < 500 else "FAIL"
        print(f"{f'{args.abstract_mb:g} MB abstract':<42} {figure['wall']:>8.2f} {figure['peak_kb'] / 1024:>8.0f} {verdict} (target: under 500 MB)")


if __name__ == "__main__":
    main()
