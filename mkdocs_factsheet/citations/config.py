"""The citations plugin's options: mkdocs-bibtex's, less those this plugin does not honour.

The plugin keeps mkdocs-bibtex's plugin class as its base and its option names, so a site
configured for mkdocs-bibtex reads the same here. An inherited option that would change nothing
is not an option here: written in mkdocs.yml, it stops the build with its line (plugin.py).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from mkdocs.config import config_options
from mkdocs_bibtex.config import BibTexConfig

from ..problems import Problem

# mkdocs-bibtex's options that this plugin does not honour, and why not.
NOT_HONOURED = {
    "bib_dir": "the build reads one bibliography: name it as bib_file",
    "footnote_format": "citations are formatted by the citation style, csl_file, never as footnotes",
    "enable_inline_citations": "the Markdown parser always finds citations, wherever they render as text",
    "csl_file_encoding": "the style is XML, read in the encoding its XML declaration names",
}


class CitationsConfig(BibTexConfig):
    """bib_file (one local file), csl_file, bib_command, full_bib_command, bib_by_default, and this
    plugin's own cache_dir: where formatted citations are kept between builds, relative to mkdocs.yml."""

    _schema = tuple((name, option) for name, option in BibTexConfig._schema if name not in NOT_HONOURED) + (
        ("cache_dir", config_options.Type(str, default=".cache/citations")),
    )


def not_honoured_problems(options: dict, config_file: str | None, plugin: str) -> list[Problem]:
    """One problem, at its line of mkdocs.yml, for each option in `options` that this plugin does not honour."""
    return [
        Problem(f"plugins: {plugin}: {option} is an mkdocs-bibtex option this plugin does not honour ({NOT_HONOURED[option]})",
                Path(config_file).name if config_file else "mkdocs.yml",
                plugin_option_line(config_file, plugin, option) if config_file else None, hint="remove it")
        for option in options if option in NOT_HONOURED
    ]


def plugin_option_line(config_file: str, plugin: str, option: str) -> int | None:
    """The line of `option` under `plugins: - plugin:` in the config file, from YAML's own marks."""
    try:
        root = yaml.compose(Path(config_file).read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    plugins = next((value for key, value in _pairs(root) if key.value == "plugins"), None)
    for item in plugins.value if isinstance(plugins, yaml.SequenceNode) else []:
        for key, value in _pairs(item):
            if key.value == plugin:
                return next((name.start_mark.line + 1 for name, _ in _pairs(value) if name.value == option), None)
    return None


def _pairs(node) -> list:
    return node.value if isinstance(node, yaml.MappingNode) else []
