"""What the build may read and publish: files inside the project folder, and nothing outside it.

A bibliography named `../../etc/passwd` in mkdocs.yml, or a symbolic link in docs/ to a file
elsewhere on the editor's machine, would put that file's contents on the public site. Each is
refused with one line naming where to change it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem


def outside_option(root: Path, config_file: str, option: str, value: str) -> Problem | None:
    """A problem if the file an option of mkdocs.yml names resolves outside the project folder
    (through `..`, an absolute path or a symbolic link)."""
    if _inside(Path(root, value).resolve(), root):
        return None
    return Problem(f"plugins: citations: {option} '{value}' is outside the project folder: name a file inside it, "
                   f"e.g. {option}: {'references.bib' if option == 'bib_file' else 'overrides/citation-style.csl'}",
                   *_located(root, config_file, option))


def linked_outside(files, root: Path, *folders: str | None) -> list[Problem]:
    """Takes out of the site every file from the project's own folders (docs/, the theme's
    overrides) that is a symbolic link, or inside a linked folder, pointing outside the project;
    one problem each. The theme's installed files are not the project's: a .venv/ linked from
    elsewhere is fine."""
    own = [Path(folder).absolute() for folder in folders if folder]
    problems = []
    for file in list(files):
        source = Path(file.abs_src_path).absolute() if file.abs_src_path else None
        if source is None or not any(_inside(source, folder) for folder in own):
            continue  # generated, or a theme's own file
        target = source.resolve()
        # A file of the project's folder, wherever mkdocs.yml puts that folder, is not a link out.
        folder = next(folder for folder in own if _inside(source, folder))
        if not _inside(target, root.resolve()) and not _inside(target, folder.resolve()):
            files.remove(file)
            where = source.relative_to(root).as_posix() if _inside(source, root) else str(source)
            problems.append(Problem(f"a symbolic link to {target}, outside the project, which would be published: "
                                    f"copy the file into the project, or delete the link", where))
    return problems


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _located(root: Path, config_file: str, option: str) -> tuple[str, int | None]:
    """(`mkdocs.yml`, 57): the config file and the line that sets the option."""
    path = Path(config_file)
    name = path.name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return name, None
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*{re.escape(option)}\s*:", line):
            return name, number
    return name, None


def nav_citation_problems(titles, config_file: str, cited) -> list[Problem]:
    """A citation in a nav title is shown as typed (MkDocs prints nav titles as they are):
    one problem each, at its line of mkdocs.yml. `cited` finds a citation in a text."""
    problems = []
    for title in titles:
        if cited(title):
            problems.append(Problem(f"the nav title '{title}' holds a citation, which would be shown as typed: "
                                    f"name the page in words, and cite on the page", *_located_text(config_file, title)))
    return problems


def _located_text(config_file: str, text: str) -> tuple[str, int | None]:
    path = Path(config_file)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return path.name, None
    return next(((path.name, n) for n, line in enumerate(lines, 1) if text in line), (path.name, None))
