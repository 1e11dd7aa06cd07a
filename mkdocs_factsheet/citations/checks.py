"""The checks of a whole site's citations, once every page is converted: each citation that cannot
be resolved, each `nocite` key that is not in the bibliography, each entry nothing cites; and
each page file that is not UTF-8. Every finding is a Problem; nothing is logged here.
"""

from __future__ import annotations

import difflib
import re
import xml.etree.ElementTree as etree

from ..problems import Problem
from .bibliography import Bibliography
from .pages import CitedPage
from .syntax import FoundOnPage


def check_citations(pages: dict[str, CitedPage], bibliography: Bibliography, unavailable: str,
                    docs_folder: str, bib_name: str) -> tuple[list[Problem], list[Problem], list[Problem]]:
    """(problems, warnings, notes): an error per citation that cannot be resolved, a warning per
    uncited entry, a note (INFO) per citation of a superseded, withdrawn or retracted work."""
    entries = bibliography.entries
    problems, notes, warnings = [], [], []
    cited, listed_anyway = set(), set()
    for path, cited_page in pages.items():
        page_file = f"{docs_folder}/{path}"
        found = cited_page.found
        page_problems, page_notes = check_document(found, entries, unavailable, page_file)
        problems += page_problems
        notes += page_notes
        cited.update(key for citation in [*found.in_order, *found.misplaced] if not citation.problem for key in citation.keys)
        if "full" in found.lists:
            nocite = cited_page.page.meta.get("nocite") or []
            listed_anyway.update(nocite)
            problems += [Problem(f"nocite lists unknown key '{key}'{suggest(key, entries)}", page_file) for key in nocite if key not in entries]
    for key, entry in entries.items():
        if key not in cited and key not in listed_anyway:
            warnings.append(Problem(
                f"entry '{key}' is not cited on any page "
                f"(cite it, delete it, or list it under 'nocite:' in the bibliography page's front matter)",
                bib_name, entry.line, severity="warning",
            ))
    return problems, warnings, notes


def check_document(found: FoundOnPage, entries: dict, unavailable: str, file: str | None) -> tuple[list[Problem], list[Problem]]:
    """(problems, notes) of one page or document, once its citations are placed (reading_order.py):
    an error per citation that cannot be resolved (an unknown key is noted in its `problem`), a
    note (INFO) per citation of a superseded, withdrawn or retracted work. The plugin checks each
    page with it, the core each document."""
    problems, notes = [], []
    for citation in [*found.in_order, *found.misplaced]:
        if not citation.problem and not unavailable:
            unknown = [key for key in citation.keys if key not in entries]
            if unknown:
                citation.problem = "; ".join(f"unknown citation key '{key}'{suggest(key, entries, citation.source)}" for key in unknown)
        if citation.problem:
            problems.append(Problem(citation.problem, file, citation.line))
            continue
        for key in citation.keys if not unavailable else []:
            if status := entries[key].fields.get("status"):
                replacement = entries[key].fields.get("replacement")
                note = f"cites {key}, {status}" + (f" (replaced by {replacement})" if replacement else "")
                notes.append(Problem(note, file, citation.line, severity="info"))
    return problems, notes


def suggest(key: str, entries: dict, source: str = "") -> str:
    """What the editor may have meant, in brackets, or ""."""
    following = re.search(rf"@{re.escape(key)}([^\s,;\]]+)", source)
    if following and key + following.group(1) in entries:
        return f' (a key ends before "{following.group(1)[0]}": write @{{{key + following.group(1)}}})'
    same_case = [k for k in entries if k.lower() == key.lower()]
    if same_case:
        return f" (did you mean '{same_case[0]}'? keys are case-sensitive)"
    close = difflib.get_close_matches(key, entries, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (if it is not a citation, write \\@{key})" if source.startswith("@") else ""


def check_style(data: bytes, name: str) -> list[Problem]:
    """What keeps the file from being a CSL style, at its line: the plugin's check of csl_file and
    the core's of its style, before pandoc, whose own message would name no line."""
    try:
        style = etree.fromstring(data)
    except etree.ParseError as error:
        line, column = error.position
        return [Problem(f"not a complete CSL style: {str(error).split(':')[0]} at column {column}", name, line)]
    if style.tag != "{http://purl.org/net/xbiblio/csl}style":
        return [Problem('not a CSL style (no <style xmlns="http://purl.org/net/xbiblio/csl"> element)', name, 1)]
    return []


def check_page_files(pages, docs_folder: str, repair: bool) -> list[Problem]:
    """A problem per page file that is not UTF-8; with `repair`, the page is read with � where the byte is."""
    problems = []
    for file in pages:
        data = file.content_bytes
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            problems.append(Problem(f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8", f"{docs_folder}/{file.src_uri}", line))
            if repair:  # the preview shows the page, with � where the byte is
                file.content_string = data.decode("utf-8-sig", errors="replace")
    return problems
