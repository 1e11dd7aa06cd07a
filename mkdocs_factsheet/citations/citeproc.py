"""Formats citations and references with pandoc's citeproc: one run for the whole site, cached.

Every entry is in every run (nocite '@*'), so year suffixes (2009a, 2009b) depend on the
bibliography alone, never on which citations happen to be formatted together; so a citation's
text can be cached by its source, and a rebuild formats only citations it has not seen before.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

from .cache import Cache
from .pandoc_messages import PandocMessage, read_messages

# Bump when what the cache holds would change for the same inputs.
CACHE_FORMAT = 7

PANDOC_CITATION = re.compile(r'<div id="c(\d+)">\s*<p>(.*?)</p>\s*</div>', re.DOTALL)
PANDOC_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', re.DOTALL)


class CiteprocError(Exception):
    """pandoc cannot run, or stopped: `messages` holds what it said (pandoc_messages.py locates them)."""

    def __init__(self, text: str, messages: list[PandocMessage] | None = None):
        super().__init__(text)
        self.messages = messages or []


@dataclass
class Formatted:
    entries: dict[str, str] = field(default_factory=dict)  # key -> reference HTML, in the style's order
    citations: dict[str, str] = field(default_factory=dict)  # citation source -> in-text HTML


def digest(*parts: bytes) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(hashlib.sha256(part).digest())
    return hashed.hexdigest()[:32]


def pandoc_binary() -> Path:
    """The pandoc of pypandoc-binary, whose version requirements.txt pins.

    pypandoc's own choice would be the newest pandoc it finds, on PATH or elsewhere, which may
    format differently from the one CI uses; and it asks each candidate its version (60 ms).
    """
    bundled = Path(pypandoc.__file__).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
    if not bundled.is_file():
        raise CiteprocError(f"pandoc not found at {bundled}: install requirements.txt (pypandoc-binary), e.g. with ./run build")
    return bundled


class Citeproc:
    """pandoc for one bibliography and style, with its results cached (cache.py) by their hash."""

    def __init__(self, bibtex: str, csl: bytes, cache: Cache):
        self.bibtex, self.csl = bibtex, csl
        self.pandoc = pandoc_binary()
        stat = self.pandoc.stat()
        pandoc = f"{self.pandoc}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        self.cache, self.cache_name = cache, f"{digest(bibtex.encode(), csl, pandoc, bytes([CACHE_FORMAT]))}.json"
        self.formatted = _formatted(cache, self.cache_name)
        self.warnings: list[PandocMessage] = []  # what pandoc warned about on its last run
        self.missing: list[str] = []  # the citations pandoc is formatting
        self.running: tuple | None = None  # (pandoc's process, its folder) while it works

    def start(self, sources: set[str]) -> bool:
        """Starts pandoc on the citations the cache lacks, if any; `result` collects its work.
        Says whether it started a run.

        A run already started goes on if it formats them all (the plugin starts one on the
        citations the pages probably hold, before they are converted); otherwise one run
        formats both sets. A citation's text does not depend on the others in the run (above),
        so formatting more than the pages hold changes none."""
        missing = set(sources) - self.formatted.citations.keys()
        if self.running:
            if missing <= set(self.missing):
                return False
            missing |= set(self.missing)
            self.stop()
        self.missing = sorted(missing)
        if not self.missing and self.formatted.entries:
            return False
        document = "---\nnocite: '@*'\nlink-citations: true\nlink-bibliography: false\nlang: en-GB\n---\n\n"
        document += "".join(f"::: {{#c{i}}}\n{source}\n:::\n\n" for i, source in enumerate(self.missing))
        folder = tempfile.TemporaryDirectory(prefix="citeproc-")
        Path(folder.name, "in.md").write_text(document, encoding="utf-8")
        Path(folder.name, "references.bib").write_text(self.bibtex, encoding="utf-8")
        Path(folder.name, "style.csl").write_bytes(self.csl)
        process = subprocess.Popen(
            [self.pandoc, "--from=markdown", "--to=html", "--wrap=none", "--citeproc",
             "--bibliography=references.bib", "--csl=style.csl", "--output=out.html", "in.md",
             # Haskell's garbage collector: a 64 MB nursery (pandoc's default heap hint is -H64m)
             # collects less often; measured against -O128m, the factsheet's run takes 14% less
             # CPU, the 1,000-entry corpus's the same, with 10% less memory (bench/README.md).
             "+RTS", "-A64m", "-RTS"],
            cwd=folder.name, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.running = (process, folder)
        return True

    def stop(self) -> None:
        """Ends a run whose work is no longer wanted (a failed build, or more citations to format)."""
        if not self.running:
            return
        (process, folder), self.running = self.running, None
        process.kill()
        process.communicate()
        folder.cleanup()

    def result(self) -> Formatted:
        """Every entry and every citation `start` was given, formatted."""
        if not self.running:
            return self.formatted
        (process, folder), self.running = self.running, None
        with folder:
            _, errors = process.communicate()
            messages = read_messages(errors, failed=process.returncode != 0)
            if process.returncode != 0:
                raise CiteprocError(f"pandoc could not format the citations: {' '.join(errors.split())}", messages)
            self.warnings = messages
            output = Path(folder.name, "out.html").read_text(encoding="utf-8")
        # pandoc writes the key as HTML (a&b2020 as a&amp;b2020).
        self.formatted.entries = {html.unescape(key): body.strip() for key, body in PANDOC_ENTRY.findall(output)}
        self.formatted.citations.update({self.missing[int(i)]: body.strip() for i, body in PANDOC_CITATION.findall(output)})
        # Not cached after a warning, so that the next build says it again (a strict build fails on it).
        if all(message.severity == "info" for message in self.warnings):
            self.cache.write(self.cache_name, vars(self.formatted))
        return self.formatted


def _formatted(cache: Cache, name: str) -> Formatted:
    """What earlier runs formatted, if the cache holds it whole: {str: str} twice."""
    cached = cache.read(name) or {}
    parts = [cached.get("entries", {}), cached.get("citations", {})]
    if not all(isinstance(part, dict) and all(isinstance(v, str) for v in part.values()) for part in parts):
        cache.damaged(name)
        return Formatted()
    return Formatted(*parts)
