"""The plain MkDocs recipe, as someone who has never seen `./run` follows it: in a fresh venv made by
the system's Python, `pip install -r requirements.txt`, then `mkdocs build --strict` and
`mkdocs serve`, on a copy of the project without git history (a downloaded archive).

One test, because a fresh venv is dear: pip reuses its cache, so it downloads only what it has
never seen.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a downloaded archive would not hold: history, set-up, build output and caches.
NOT_IN_ARCHIVE = shutil.ignore_patterns(".git", ".venv", "site", ".cache", ".pytest_cache", "__pycache__", "build", "*.egg-info")
END_OF_LIFE = "Material for MkDocs reaches end of life on May 5, 2027."
STARTUP_SECONDS = 180  # the first build, on a busy machine

# A fresh venv from PyPI: the set-up tier, not the quick one an editor runs before publishing.
pytestmark = pytest.mark.setup


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answer_ctrl_c() -> None:
    """In the server's process: Ctrl+C stops it, even where the tests run with it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_pip_install_requirements_then_mkdocs_build_and_serve_in_a_fresh_venv(tmp_path):
    project = tmp_path / "archive"
    shutil.copytree(ROOT, project, ignore=NOT_IN_ARCHIVE)
    venv = tmp_path / "venv"
    system_python = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([system_python, "-m", "venv", venv], check=True)
    # What an editor's shell has: none of the variables the tests or ./run set.
    env = {name: value for name, value in os.environ.items()
           if name not in ("NO_MKDOCS_2_WARNING", "FACTSHEET_PDF", "VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"PATH": f"{venv / 'bin'}:{env.get('PATH', '')}", "NO_COLOR": "1", "FACTSHEET_TODAY": "2026-12-01"}
    installed = subprocess.run(["pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
                               cwd=project, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    built = subprocess.run(["mkdocs", "build", "--strict"], cwd=project, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    # Material's notice, as it prints it under ./run too (README, "Engine").
    assert END_OF_LIFE in built.stderr
    last_changed = [line for line in built.stderr.splitlines() if "last_changed" in line]
    assert last_changed == ['INFO    -  last_changed: no git history here (a copy without .git, such as a downloaded archive): '
                            'pages show no "Last changed" date'], built.stderr
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "Last changed" not in home
    assert (project / "site" / "acupuncture-for-back-pain.pdf").stat().st_size > 100_000
    assert 'href="acupuncture-for-back-pain.pdf"' in home

    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(["mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=answer_ctrl_c)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "Serving on http://" not in log_path.read_text(encoding="utf-8"):
            assert server.poll() is None, log_path.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            served = response.read().decode("utf-8")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    served_log = log_path.read_text(encoding="utf-8")
    assert re.search(r"INFO\s+-\s+pdf: no PDF this time: mkdocs serve \(on_serve: false\)", served_log), served_log
    assert ".pdf" not in served, "the preview has no PDF, so no PDF link"
    assert "citation-link" in served and END_OF_LIFE in served_log
