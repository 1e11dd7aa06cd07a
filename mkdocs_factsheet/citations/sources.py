"""The citation sources of a build: the bibliography and the style mkdocs.yml names, read and checked.

`Sources` reads both once (a bibliography that passed every check is cached under the hash of its
bytes, with its downloads: cache.py), refuses files outside the project (project_files.py), and
says as Problems what is wrong with them; `citeproc` is then the pandoc run for them, or None
where they cannot be used (`unavailable` says why).
"""

from __future__ import annotations

from pathlib import Path

from ..problems import Problem
from ..project_files import outside_option
from .bibliography import Bibliography, read_bibliography
from .cache import Cache, read_bibliography_cache, write_bibliography_cache
from .checks import check_style
from .citeproc import CACHE_FORMAT, Citeproc, CiteprocError, digest
from .downloads import downloads
from .references import citation_affixes


class Sources:
    def __init__(self, options, root: Path, config_file: str, cache: Cache):
        self.root, self.config_file, self.cache = root, config_file, cache
        self.problems: list[Problem] = []
        self.unavailable = ""  # why no citation can be resolved (bibliography or style unreadable)
        self.bib_name = options.bib_file or ""
        self.csl_path: Path | None = None
        self.csl_name, self.csl = options.csl_file or "", b""  # the style, as mkdocs.yml names it, and its text
        self.affixes = ("", "")  # what the style puts round each citation
        self.bibliography = Bibliography({})
        self.downloads: dict[str, str] = downloads(self.bibliography)  # the BibTeX and RIS files, by site path
        self.citeproc: Citeproc | None = None
        self._read(options)

    def _read(self, options) -> None:
        problems = self.problems
        if (options.bib_file or "").startswith(("http://", "https://")):
            problems.append(Problem("plugins: citations: name one local file as bib_file (not a web address: the build works offline)", "mkdocs.yml"))
        if not options.bib_file:
            problems.append(Problem("plugins: citations: bib_file is not set; name the bibliography, e.g. bib_file: references.bib", "mkdocs.yml"))
        if not options.csl_file:
            problems.append(Problem("plugins: citations: csl_file is not set; name the citation style, e.g. csl_file: overrides/citation-style.csl", "mkdocs.yml"))
        csl = self._read_style(options.csl_file) if options.csl_file else None
        remote = (options.bib_file or "").startswith(("http://", "https://"))
        bib = self._read_bibliography(options.bib_file) if options.bib_file and not remote else None
        if problems:
            self.unavailable = str(problems[0])
        elif bib is not None and csl is not None:
            try:
                self.citeproc = Citeproc(bib.bibtex, csl, self.cache)
            except CiteprocError as error:
                problems.append(Problem(str(error)))
                self.unavailable = str(error)

    def _read_option_file(self, option: str, what: str, name: str) -> tuple[Path, bytes] | None:
        """The file an option of the plugin names, if it is inside the project and there."""
        path = self.root / name
        if outside := outside_option(self.root, self.config_file, option, name):
            self.problems.append(outside)
            return None
        if not path.is_file():
            self.problems.append(Problem(f"{what} file not found (mkdocs.yml, plugins: citations: {option})", name))
            return None
        return path, path.read_bytes()

    def _read_style(self, name: str) -> bytes | None:
        if not (found := self._read_option_file("csl_file", "citation style", name)):
            return None
        path, data = found
        if problems := check_style(data, name):
            self.problems += problems
            return None
        self.csl_path, self.csl = path.resolve(), data
        self.affixes = citation_affixes(data)
        return data

    def _read_bibliography(self, name: str) -> Bibliography | None:
        if not (found := self._read_option_file("bib_file", "bibliography", name)):
            return None
        _, data = found
        # A bibliography that passed every check is kept under the hash of its bytes, so that a
        # rebuild with the same file parses nothing.
        cache_name = f"bib-{digest(data, bytes([CACHE_FORMAT]))}.json"
        if cached := read_bibliography_cache(self.cache, cache_name):
            self.bibliography, self.downloads = cached
            return self.bibliography
        bibliography, problems = read_bibliography(data, name)
        if problems:
            self.problems.extend(problems)
            return None
        self.bibliography, self.downloads = bibliography, downloads(bibliography)
        write_bibliography_cache(self.cache, cache_name, bibliography, self.downloads)
        return bibliography
