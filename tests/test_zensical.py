"""Zensical, Material's successor, builds the factsheet with the citation core as a Python-Markdown
extension (it runs no MkDocs plugins): every page's citations and reference lists match the
MkDocs build. Zensical 0.0.73 is the newest this machine can install (0.1.x needs a `zensical-ui`
the registry does not serve); the test installs it into a venv of its own, as pip's cache allows,
and skips, saying why, only where pip cannot install it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "site", ".cache", ".pytest_cache", "__pycache__", "build", "*.egg-info")
ZENSICAL = "zensical==0.0.73"

# A fresh venv from PyPI: the set-up tier, not the quick one an editor runs before publishing.
pytestmark = pytest.mark.setup


def zensical_config(mkdocs_yml: str) -> str:
    """mkdocs.yml as Zensical 0.0.73 can read it: the citations as a Markdown extension; without
    the theme overrides (their templates use MkDocs-only variables such as `page.is_homepage`, and
    hold the en-GB language partial); `extra` dates quoted (it reads no YAML dates)."""
    text = mkdocs_yml.replace("markdown_extensions:\n", "markdown_extensions:\n  - mkdocs_factsheet.citations.extension:\n"
                              "      bibliography: references.bib\n      style: overrides/citation-style.csl\n", 1)
    text = text.replace("  custom_dir: overrides\n", "").replace("  language: en-GB\n", "  language: en\n")
    return re.sub(r"^(  evidence_checked: )(\d{4}-\d{2}-\d{2})$", r'\1"\2"', text, flags=re.MULTILINE)


def facts(page: BeautifulSoup) -> tuple[list[str], list[tuple[str, str]]]:
    """A page's citations as read, and its reference list items (id and reference text)."""
    text = lambda element: " ".join(element.get_text(" ").split())  # noqa: E731
    citations = [text(span) for span in page.select("span.citation")]
    items = [(li["id"], text(li.select_one(".reference-text"))) for li in page.select("ul.reference-list li.reference")]
    return citations, items


def test_zensical_gives_every_page_the_citations_and_lists_mkdocs_gives(site, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED)
    config = project / "mkdocs.yml"
    config.write_text(zensical_config(config.read_text(encoding="utf-8")), encoding="utf-8")
    constraints = tmp_path / "constraints.txt"
    pinned = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if line and line[0].isalnum()]
    constraints.write_text("\n".join(pinned) + "\n", encoding="utf-8")
    venv = tmp_path / "venv"
    subprocess.run([Path(sys.base_prefix) / "bin" / "python3", "-m", "venv", venv], check=True)
    installed = subprocess.run([venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "-c", constraints,
                                ZENSICAL, "pybtex", "pypandoc-binary"], capture_output=True, text=True)
    if installed.returncode != 0:
        pytest.skip(f"{ZENSICAL} is not installable here: {installed.stderr.strip().splitlines()[-1:]}")
    env = {**os.environ, "PYTHONPATH": str(project), "NO_COLOR": "1"}
    built = subprocess.run([venv / "bin" / "zensical", "build"], cwd=project, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    for title, url in site.nav_urls.items():
        source = (ROOT / "docs" / (url.rstrip("/") + ".md" if url else "index.md")).read_text(encoding="utf-8")
        if "[[ledger:" in source:  # written by the evidence-ledger plugin, which Zensical does not run
            continue
        zensical_page = BeautifulSoup((project / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert facts(zensical_page) == facts(site.html(url)), title
    assert sum(len(facts(site.html(url))[0]) for url in site.nav_urls.values()) > 50, "the pages cite"
