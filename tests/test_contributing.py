"""CONTRIBUTING.md, walked through as an editor would, in a fresh copy of the project: every
command it documents exists and runs, and its examples (add a page, cite a new study on an
evidence page and add its row) build as it says. The copy borrows the repository's .venv/ (a
link), which `./run` there uses as it is and never changes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import ROOT, STARTUP_SECONDS, answer_ctrl_c, copy_project, errors, free_port, mkdocs

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
RUN_COMMANDS = set(re.findall(r"^  ([a-z]+)\)$", (ROOT / "run").read_text(encoding="utf-8"), re.MULTILINE))


def blocks(language: str) -> list[str]:
    """The guide's fenced code blocks in one language, without their indentation."""
    found = re.findall(rf"^( *)```{language}\n(.*?)^\1```$", GUIDE, re.MULTILINE | re.DOTALL)
    return [re.sub(rf"^{indent}", "", body, flags=re.MULTILINE) for indent, body in found]


def commands() -> list[str]:
    """Every command the guide tells the editor to type: its sh blocks and inline `./run …`."""
    typed = [line.strip() for block in blocks("sh") for line in block.splitlines() if line.strip()]
    return typed + re.findall(r"`((?:[A-Z_]+=\S+ )*\./run [a-z]+[^`]*)`", GUIDE)


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path, share_venv=True)


def test_every_documented_command_exists():
    found = commands()
    assert {"./run serve", "./run test", "./run review", ".venv/bin/pre-commit install"} <= set(found), found
    for command in found:
        program = next(word for word in command.split() if "=" not in word)
        if program == "./run":
            assert command.split("./run ", 1)[1].split()[0] in RUN_COMMANDS, command
        else:
            assert (ROOT / program).exists(), command


@pytest.mark.serve
def test_run_serve_answers_as_the_guide_says(project):
    port = free_port()
    log = (project / "serve.log").open("w")
    server = subprocess.Popen(
        ["./run", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=project, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"}, preexec_fn=answer_ctrl_c,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while f"Serving on http://127.0.0.1:{port}/" not in (project / "serve.log").read_text():
            assert server.poll() is None and time.monotonic() < deadline, (project / "serve.log").read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            page = response.read().decode()
        assert "Acupuncture for back pain" in page
        assert ".pdf" not in page, "the preview has no PDF, so no PDF link"
        assert "end-of-life" not in (project / "serve.log").read_text().lower()
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C, as the guide says
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def test_run_review_runs(project):
    result = subprocess.run(["./run", "review"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "FACTSHEET_TODAY": "2026-12-01"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No page is overdue for review on 2026-12-01."


def test_a_copy_borrowing_the_venv_changes_nothing_in_it(project):
    """`./run` in a copy whose .venv/ is a link installs nothing: the editable install stays
    pointed at the repository, so the editor's preview never runs a copy's (or a deleted copy's)
    plugins, and copies can run side by side."""
    venv = ROOT / ".venv"
    before = sorted((path.name, path.stat().st_mtime_ns) for path in venv.iterdir())
    result = subprocess.run(["./run", "review"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "FACTSHEET_TODAY": "2026-12-01"})
    assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
    assert sorted((path.name, path.stat().st_mtime_ns) for path in venv.iterdir()) == before, "the copy changed .venv/"
    where = [str(venv / "bin" / "python"), "-c", "import mkdocs_factsheet; print(mkdocs_factsheet.__file__)"]
    loaded = subprocess.run(where, cwd="/", capture_output=True, text=True, check=True).stdout.strip()
    assert Path(loaded).resolve().is_relative_to(ROOT), loaded


def test_pre_commit_install_sets_up_the_hook(project):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    result = subprocess.run([".venv/bin/pre-commit", "install"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / ".git" / "hooks" / "pre-commit").exists()


def test_adding_a_page_and_a_study_as_the_guide_says(project):
    env = {"FACTSHEET_PDF": "off", "FACTSHEET_TODAY": "2026-12-01"}
    # Add a page: its front matter and heading as the guide shows them, and its nav line.
    page = next(block for block in blocks("markdown") if block.startswith("---\ntitle: Exercise"))
    (project / "docs" / "exercise-and-acupuncture.md").write_text(page, encoding="utf-8")
    nav_line = next(line for line in blocks("yaml")[0].splitlines() if "exercise-and-acupuncture.md" in line)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - What the research says: how-acupuncture-can-help.md\n",
        f"  - What the research says: how-acupuncture-can-help.md\n{nav_line}\n"), encoding="utf-8")
    # (No build for the page alone: the next build, with the page, names exactly the two problems
    # of the citation below and nothing of the page's, and the last one passes with it.)

    # Cite a study on an evidence page without its row: the build names the line and what to add.
    evidence = project / "docs" / "evidence.md"
    text = evidence.read_text(encoding="utf-8")
    evidence.write_text(text + "\nA study of exercise [@nice2016].\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    result = mkdocs("build", "--strict", cwd=project, env=env)
    assert result.returncode == 1
    assert errors(result) == [
        f"evidence-table: docs/evidence.md:{line}: cites nice2016, which has no row in docs/evidence-table.md: add one",
        # The page is covered by the evidence ledger (covered_pages in mkdocs.yml): the sentence needs its entry.
        f"evidence-ledger: docs/evidence.md:{line}: this sentence cites nice2016 but has no entry in evidence/claims/evidence.yml: add one (./run ledger missing docs/evidence.md prints it)",
    ]

    # Add its row, in the form the guide shows.
    row = next(block for block in blocks("markdown") if block.startswith("| [@"))
    table = project / "docs" / "evidence-table.md"
    table_text = table.read_text(encoding="utf-8")
    last_row = [line for line in table_text.splitlines() if line.startswith("| [@")][-1]
    table.write_text(table_text.replace(last_row, last_row + "\n" + row.strip().replace("[@yuan2008]", "[@nice2016]").replace("Systematic review, best-evidence synthesis (23 trials)", "Guideline")), encoding="utf-8")
    # And the ledger's entries, as the guide says: ask for them, fill in what the source says.
    for page in ("evidence", "evidence-table"):
        printed = subprocess.run([".venv/bin/python", "-m", "mkdocs_factsheet.ledger", "missing", f"docs/{page}.md"],
                                 cwd=project, capture_output=True, text=True, check=True).stdout
        assert printed.count("- says:") == 1, printed
        filled = (printed.replace('source: ""', 'source: "Do not offer acupuncture for managing low back pain"')
                  .replace('seen: ""', 'seen: "NICE NG59"').replace("checked:  ", "checked: 2026-12-01  "))
        claims = project / "evidence" / "claims" / f"{page}.yml"
        claims.write_text(claims.read_text(encoding="utf-8") + "\n" + filled, encoding="utf-8")
    result = mkdocs("build", "--strict", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
