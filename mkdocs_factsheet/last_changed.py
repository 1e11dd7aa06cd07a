"""The `last-changed` plugin: "Last changed" on every page, the day of the last commit to its file.

on_config finds the git repository of the docs folder (once a build), on_page_markdown asks git
for each page's last commit and sets `page.meta["last_changed"]`, which
overrides/partials/source-file.html shows.

- A page that has no commit yet (an editor's new page) shows no date, never the build's, and the
  build says so at INFO level: it can be previewed, built and tested before it is committed.
- A copy without git history (a downloaded archive) shows no date on any page, and one INFO line
  says why: it builds strictly.
- A shallow clone whose history stops before a page's last change fails the strict build, naming
  the file, rather than show a wrong date (git would count the clone's first commit as the change
  of every file). The publishing workflow fetches the whole history.

Why not mkdocs-git-revision-date-localized-plugin (1.6.3, its `util.py`): for a file without a
commit it shows the build's time (`commit_timestamp = time.time()`), and outside a repository it
either shows the build's time too (`fallback_to_build_date: true`) or raises and stops the build;
a shallow clone is only warned about on GitHub, GitLab or Azure runners (through the root logger,
which `--strict` does not count). Each is a wrong date shown to readers or a build that fails
where this one must not; and it would add GitPython for one `git log` a page.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, get_plugin_logger

from mkdocs_factsheet.messages import docs_path
from mkdocs_factsheet.problems import Problem, report

log = get_plugin_logger("last_changed")


def git(cwd: Path, *args: str) -> str | None:
    """What git prints, or None if it fails (or there is no git)."""
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


class GitHistory:
    """One repository's history, as `git log` tells it, file by file."""

    def __init__(self, top: Path, timezone: ZoneInfo):
        self.top, self.timezone = top, timezone
        shallow = git(top, "rev-parse", "--git-path", "shallow")
        path = top / shallow if shallow else None
        # The commits where a shallow clone's history is cut off (none in a full clone).
        self.boundary = frozenset(path.read_text().split()) if path and path.is_file() else frozenset()

    @classmethod
    def of(cls, folder: Path, timezone: ZoneInfo) -> GitHistory | None:
        top = git(folder, "rev-parse", "--show-toplevel")
        return cls(Path(top), timezone) if top else None

    def last_change(self, path: Path) -> tuple[datetime | None, str]:
        """When the file was last committed (`git log -1 <file>`), or None and why not ("" if uncommitted)."""
        line = git(path.parent, "log", "-1", "--format=%H %at", "--", path.name)
        if not line:
            return None, ""
        commit, stamp = line.split()
        if commit in self.boundary:
            return None, ("is in a shallow clone whose history stops before its last change "
                          "(fetch the whole history: git fetch --unshallow, or fetch-depth: 0)")
        return datetime.fromtimestamp(int(stamp), self.timezone), ""


class LastChangedConfig(Config):
    enabled = opt.Type(bool, default=True)
    # The dates are days in this time zone.
    timezone = opt.Type(str, default="Europe/London")


class LastChangedPlugin(BasePlugin[LastChangedConfig]):
    def __init__(self):
        self.history: GitHistory | None = None

    def on_config(self, config):
        self.history = None
        if self.config.enabled:
            self.history = GitHistory.of(Path(config.docs_dir), ZoneInfo(self.config.timezone))
            if self.history is None:
                log.info('no git history here (a copy without .git, such as a downloaded archive): pages show no "Last changed" date')
        return config

    def on_page_markdown(self, markdown, page, config, files):
        if self.history is None:
            return markdown
        when, problem = self.history.last_change(Path(page.file.abs_src_path))
        where = docs_path(config, page.file.src_uri)
        if problem:
            report(log, Problem(problem, where, severity="warning"))
        elif when is None:
            report(log, Problem('not committed yet, so it shows no "Last changed" date until it is', where, severity="info"))
        else:
            page.meta["last_changed"] = when
        return markdown
