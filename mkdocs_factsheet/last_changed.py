""""Last changed" on every page: the day of the last commit that changed the page's file.

Why not mkdocs-git-revision-date-localized-plugin: it asks `git log --diff-filter=r` (leave out
renames), and git 2.39 (Debian 12) selects no commit at all with only lower-case filter letters
unless a diff is also printed, so the plugin showed the build day on every page, as a fallback it
only logs at info level.

A page that has no commit yet (an editor's new page) shows no date, never the build's, and the
build says so at INFO level: it can be previewed, built and tested before it is committed.

Fails the strict build, naming the file, rather than show a wrong date:
- a shallow clone whose history stops before the page's last change: git then counts the clone's
  first commit as the change of every file. The publishing workflow fetches the whole history.
- a project outside any git repository.
"""

from __future__ import annotations

import functools
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("last_changed")

TIMEZONE = ZoneInfo("Europe/London")


def _git(cwd: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


@functools.cache
def _shallow_boundary(top: Path) -> frozenset[str]:
    """The commits where a shallow clone's history is cut off (none in a full clone)."""
    shallow = _git(top, "rev-parse", "--git-path", "shallow")
    path = top / shallow if shallow else None
    return frozenset(path.read_text().split()) if path and path.is_file() else frozenset()


@functools.cache
def _top_level(directory: Path) -> str | None:
    """The repository's folder, asked once per folder of pages (one git call fewer per page)."""
    return _git(directory, "rev-parse", "--show-toplevel")


def last_change(path: Path) -> tuple[datetime | None, str]:
    """When the file was last committed, as `git log -1 <file>` says, or None and why not."""
    top = _top_level(path.parent)
    if top is None:
        return None, "is not in a git repository, so when it last changed is unknown (build from a git clone)"
    line = _git(path.parent, "log", "-1", "--format=%H %at", "--", path.name)
    if not line:
        return None, ""
    commit, stamp = line.split()
    if commit in _shallow_boundary(Path(top)):
        return None, ("is in a shallow clone whose history stops before its last change "
                      "(fetch the whole history: git fetch --unshallow, or fetch-depth: 0)")
    return datetime.fromtimestamp(int(stamp), TIMEZONE), ""


def on_page_markdown(markdown, page, config, files):
    when, problem = last_change(Path(page.file.abs_src_path))
    if problem:
        log.warning(f"docs/{page.file.src_uri}: {problem}")
    elif when is None:
        log.info(f'docs/{page.file.src_uri}: not committed yet, so it shows no "Last changed" date until it is')
    else:
        page.meta["last_changed"] = when
    return markdown
