"""The project's own set-up, as a newcomer meets it: the pins install on every Python the project
supports, `./run` makes a stale or broken .venv/ again, and it installs (or, without root, names)
the system packages the build and the tests need, a half-installed one included.

The pins are checked with pip's own resolver against PyPI for each Python (`pip install --dry-run
--python-version X --only-binary=:all:`), so no other Python need be on this machine. The system
package tests run the real `./run` with stand-ins for dpkg-query, apt-get and id first on PATH:
a test must not remove or break the machine's own packages, nor drop root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import ROOT, copy_project

pytestmark = pytest.mark.setup

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# The system Pythons of Debian 12, Ubuntu 24.04 and Debian 13, and the newest release line.
SUPPORTED = ["3.11.2", "3.12.3", "3.13.5", "3.14"]
OLDEST = re.fullmatch(r">=\s*(\d+\.\d+(?:\.\d+)?)", PYPROJECT["project"]["requires-python"])[1]
# Each once: requires-python's lowest is Debian 12's, and pip's dry run costs about 25 s of CPU.
PYTHONS = list(dict.fromkeys([OLDEST, *SUPPORTED]))
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"


def pins() -> list[str]:
    """Every `name==version` in the requirements files, and the build back-end pyproject.toml names."""
    found = []
    for path in sorted(ROOT.glob("requirements*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                found.append(line)
    return found + PYPROJECT["build-system"]["requires"]


def test_every_requirement_is_pinned():
    for path in sorted(ROOT.glob("requirements*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith(("-r ", "-e ", ".")):
                assert re.fullmatch(r"[A-Za-z0-9._-]+==[\w.]+", line), f"{path.name}:{number}: pin it as name==version: {line}"


@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory):
    """pip's dry run of the pins for each Python, all side by side (each mostly waits on PyPI)."""
    folder = tmp_path_factory.mktemp("pins")
    (folder / "pins.txt").write_text("\n".join(pins()) + "\n", encoding="utf-8")
    running = {
        python: subprocess.Popen(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--disable-pip-version-check",
             "--target", str(folder / python), "--python-version", python, "--only-binary=:all:", "-r", str(folder / "pins.txt")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for python in PYTHONS
    }
    yield {python: (process, process.communicate(timeout=600)[0]) for python, process in running.items()}


@pytest.mark.parametrize("python", PYTHONS)
def test_the_pins_install_on_each_supported_python(dry_runs, python):
    """requires-python's lowest version counts too: the project says it runs there."""
    process, output = dry_runs[python]
    problems = [line for line in output.splitlines() if line.startswith("ERROR") or "yanked" in line]
    assert process.returncode == 0 and not problems, f"Python {python}:\n" + "\n".join(problems or output.splitlines()[-5:])


# --- ./run and the machine ------------------------------------------------------------------------


def run(project: Path, *command: str, path: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "FACTSHEET_TODAY": "2026-12-01", **env}
    if path:
        environment["PATH"] = f"{path}{os.pathsep}{environment['PATH']}"
    return subprocess.run(["./run", *command], cwd=project, capture_output=True, text=True, env=environment, timeout=900)


def test_a_stale_venv_is_made_again_with_one_line_saying_so(tmp_path):
    """To keep this quick, the copy's site needs only MkDocs, at the pinned versions: what `./run
    review` runs on (the whole set installs on each Python: the test above)."""
    project = copy_project(tmp_path)
    pinned = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    # As constraints: the pins, without the line that installs the project itself (`-e .`).
    (project / "pinned.txt").write_text("\n".join(line for line in pinned if not line.startswith("-e ")) + "\n", encoding="utf-8")
    (project / "requirements.txt").write_text("-c pinned.txt\nmkdocs\n", encoding="utf-8")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to("/nowhere/python3.9")  # a Python since removed
    result = run(project, "review")
    assert result.returncode == 0, result.stdout + result.stderr
    version = subprocess.run(["python3", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert result.stderr.splitlines()[0] == f"./run: .venv/ was made by another Python, or is broken: making it again with {version}"
    assert result.stdout == "No page is overdue for review on 2026-12-01.\n"
    again = run(project, "review")  # now current: nothing said, nothing made
    assert again.returncode == 0 and again.stderr == "", again.stderr


def stand_ins(folder: Path, uid: int, dpkg: str) -> Path:
    """dpkg-query, apt-get and id as a machine in a given state answers; apt-get notes its calls."""
    folder.mkdir()
    scripts = {
        "id": f'[ "$1" = -u ] && echo {uid} || exec /usr/bin/id "$@"',
        "dpkg-query": dpkg,
        "apt-get": f'echo "apt-get $*" >> {folder / "apt-get.log"}; [ "$1" = update ]',  # the install fails here
    }
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


NOT_INSTALLED = 'exit 1'
# Installed as dpkg says, but one of its files is gone.
HALF_INSTALLED = 'case "$1" in -W) echo "install ok installed";; -L) echo /usr; echo /usr/lib/gone-for-the-test.so;; esac'


def test_without_root_a_missing_pango_names_the_command_and_the_build_without_pdf(tmp_path):
    project = copy_project(tmp_path, share_venv=True)
    result = run(project, "build", path=stand_ins(tmp_path / "bin", 1000, NOT_INSTALLED))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"./run: these system packages are missing; install them with: sudo apt-get install --reinstall {PDF_PACKAGES}",
        "./run: or build without the PDF edition: FACTSHEET_PDF=off ./run build",
        "./run: stopped: the PDF edition needs these system packages",
    ]
    assert not (tmp_path / "bin" / "apt-get.log").exists(), "no root: nothing installed"


def test_without_root_a_build_without_the_pdf_needs_no_pango(tmp_path):
    project = copy_project(tmp_path, share_venv=True)
    result = run(project, "build", path=stand_ins(tmp_path / "bin", 1000, NOT_INSTALLED), FACTSHEET_PDF="off")
    assert result.returncode == 0, result.stderr
    assert "./run:" not in result.stderr and (project / "site" / "index.html").exists()


def test_a_half_installed_package_is_reinstalled_as_root(tmp_path):
    project = copy_project(tmp_path, share_venv=True)
    stubs = stand_ins(tmp_path / "bin", 0, HALF_INSTALLED)
    result = run(project, "build", path=stubs)
    assert result.returncode == 1, "the stand-in apt-get fails the install"
    said = result.stderr.splitlines()
    assert said[0] == "./run: libpango-1.0-0 is half installed: /usr/lib/gone-for-the-test.so is missing"
    assert (stubs / "apt-get.log").read_text().splitlines() == ["apt-get update -qq", f"apt-get install --reinstall -y -qq {PDF_PACKAGES}"]


def test_run_test_installs_chromium_and_the_fonts_the_layout_tests_measure():
    script = (ROOT / "run").read_text(encoding="utf-8")
    packages = re.search(r'^BROWSER_PACKAGES="([^"]+)"', script, re.MULTILINE)[1].split()
    assert packages == ["chromium", "fonts-liberation"]
    assert re.search(r"^  test\)\n(?:    .*\n)*?    debian_packages \$BROWSER_PACKAGES", script, re.MULTILINE)


def test_without_chromium_each_browser_test_fails_saying_why(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/test_browser.py::test_home_title_says_the_site_name_once",
         "--basetemp", str(tmp_path / "pytest")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "FACTSHEET_CHROMIUM": str(tmp_path / "no-chromium")},
    )
    assert result.returncode == 1, result.stdout
    assert f"{tmp_path / 'no-chromium'} is missing: install Debian's chromium package" in result.stdout
    assert "1 error" in result.stdout and "skipped" not in result.stdout
