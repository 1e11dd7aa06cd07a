"""The resolver: fills in the placeholders the Markdown extension leaves, as pure functions.

In the shape of mkdocs-autorefs' `fix_refs(html, url_mapper)`: HTML with placeholders and a
mapping in, HTML and what could not be resolved out. No MkDocs object, no file, no logging: the
caller (the MkDocs plugin, or the extension on its own) reports what comes back.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Callable

from .syntax import LIST_PLACEHOLDER, PLACEHOLDER_ATTRIBUTE, PLACEHOLDER_TAG

CITATION_PLACEHOLDER = re.compile(rf'<{PLACEHOLDER_TAG} {PLACEHOLDER_ATTRIBUTE}="(\d+)">(.*?)</{PLACEHOLDER_TAG}>', re.DOTALL)


def fix_citations(html: str, mapper: Callable[[int, str], str]) -> tuple[str, list[str]]:
    """Each citation placeholder replaced by `mapper(index, source)`, the placeholder's number and
    the citation as typed. Where the mapper raises KeyError, the placeholder stays (it shows the
    citation as typed) and its source is listed, in order, as unresolved."""
    unresolved: list[str] = []

    def replace(match: re.Match) -> str:
        source = html_lib.unescape(match.group(2))
        try:
            return mapper(int(match.group(1)), source)
        except KeyError:
            unresolved.append(source)
            return match.group(0)

    return CITATION_PLACEHOLDER.sub(replace, html), unresolved


def fix_reference_lists(html: str, mapper: Callable[[str], str]) -> tuple[str, list[str]]:
    """Each reference list placeholder replaced by `mapper(kind)` ("page", "full" or "default");
    where the mapper raises KeyError, the placeholder stays and its kind is listed as unresolved."""
    unresolved: list[str] = []

    def replace(match: re.Match) -> str:
        try:
            return mapper(match.group(1))
        except KeyError:
            unresolved.append(match.group(1))
            return match.group(0)

    return LIST_PLACEHOLDER.sub(replace, html), unresolved
