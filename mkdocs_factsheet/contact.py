"""The `contact` plugin: the editors' contact address, shown in the footer of every page
(overrides/partials/copyright.html); on_config checks its form.

`extra.contact` in mkdocs.yml is an e-mail address (shown as a mailto: link) or an https:// address.
A value of any other form is a warning, which `--strict` turns into a failure, naming the line of
mkdocs.yml: a typo must not publish a dead link as the only way to reach the editors. No value is
an INFO line only, so that a preview or a fork builds.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, get_plugin_logger

log = get_plugin_logger("contact")

# One @, no spaces or angle brackets, and a dot in the domain: a form check, not a promise that
# the mailbox exists (only the owner can know that).
EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")
WEB = re.compile(r"https://[^\s<>\"']+\.[^\s<>\"']+")


def contact_problem(value) -> str | None:
    """What is wrong with the value of extra.contact, or None if it is an address readers can use."""
    if not isinstance(value, str) or not value.strip():
        return "needs an e-mail address (editors@example.org) or an https:// address"
    if value != value.strip() or not (EMAIL.fullmatch(value) or WEB.fullmatch(value)):
        return f"{value!r} is neither an e-mail address (editors@example.org) nor an https:// address"
    return None


def _line(config_file: str | None) -> str:
    """'mkdocs.yml:N' for the contact: line, or just the file name if it cannot be found."""
    if not config_file:
        return "mkdocs.yml"
    path = Path(config_file)
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(r"\s+contact\s*:", text):
                return f"{path.name}:{number}"
    except OSError:
        pass
    return path.name


class ContactConfig(Config):
    enabled = opt.Type(bool, default=True)


class ContactPlugin(BasePlugin[ContactConfig]):
    def on_config(self, config):
        value = config.extra.get("contact")
        if not self.config.enabled:
            return config
        if value is None or value == "":
            log.info(f"{_line(config.config_file_path)}: extra.contact is not set, so no page shows how to contact the editors")
            return config
        problem = contact_problem(value)
        if problem:
            log.warning(f"{_line(config.config_file_path)}: extra.contact: {problem}")
            config.extra["contact"] = None  # never published as a link
        return config
