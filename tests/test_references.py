"""references.bib itself: keys, identifiers and coverage, checked independently of the build.
Content checks: each problem is `file:line: what to change` (CONTRIBUTING.md, "Add a reference")."""

import re

from mkdocs.utils.meta import get_data
from pybtex.database import parse_file

from helpers import ROOT, content_check, raw_entries, where

BIB = parse_file(ROOT / "references.bib")
LINE = {entry.key: entry.line for entry in raw_entries((ROOT / "references.bib").read_text(encoding="utf-8"))}
DOCS = ROOT / "docs"


def at(key: str) -> str:
    return f"references.bib:{LINE[key]}: entry '{key}'"


def cited_keys() -> dict[str, set[str]]:
    """{page: keys} for every `[@key]` or `@key` citation written in docs/, and every key a page
    lists under `nocite:` in its front matter."""
    pages = {}
    for path in DOCS.rglob("*.md"):
        source = path.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```|`[^`]*`", "", source, flags=re.DOTALL)
        pages[path.relative_to(ROOT).as_posix()] = set(re.findall(r"(?<![\w.+-])-?@(\w+)", text)) | set(get_data(source)[1].get("nocite") or [])
    return pages


def test_keys_are_surname_and_year():
    """smith2021, or smithnd for an undated web page, whose year is n.d. (no date)."""
    problems = []
    for key, entry in BIB.entries.items():
        year = entry.fields["year"]
        if not re.fullmatch(r"[a-z]+((19|20)\d\d|nd)[a-z]?", key):
            problems.append(f"{at(key)}: the key is the first author's surname and the year, in lower case, e.g. smith2021")
        elif not (key.endswith("nd") == (year == "n.d.") or re.search(r"\d{4}", key).group(0) == year):
            problems.append(f"{at(key)}: the key's year is not the entry's year {year}: rename the key (and every @{key})")
    content_check(problems)


def test_every_cited_key_is_in_the_bibliography():
    content_check([f"{where(page, '@' + key)}: cites '{key}', which is not in references.bib: add its entry, or correct the key"
                   for page, keys in sorted(cited_keys().items()) for key in sorted(keys - set(BIB.entries))])


def test_every_entry_is_cited_somewhere():
    cited = set().union(*cited_keys().values())
    content_check([f"{at(key)} is not cited on any page: cite it, delete it, or list it under nocite: in docs/references.md"
                   for key in sorted(set(BIB.entries) - cited)])


def test_dois_are_well_formed_and_unique():
    dois = {key: entry.fields["doi"] for key, entry in BIB.entries.items() if "doi" in entry.fields}
    assert dois, "no DOIs at all"
    problems, first = [], {}
    for key, doi in dois.items():
        if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
            problems.append(f"{at(key)}: DOI '{doi}' is not a DOI: write it as 10.xxxx/..., without https://doi.org/")
        if doi.lower() in first:
            problems.append(f"{at(key)}: repeats the DOI of '{first[doi.lower()]}': the same work; cite that entry")
        first.setdefault(doi.lower(), key)
    content_check(problems)


def test_pmids_are_numbers_and_page_ranges_use_en_dash_markup():
    problems = []
    for key, entry in BIB.entries.items():
        if "pmid" in entry.fields and not entry.fields["pmid"].isdigit():
            problems.append(f"{at(key)}: PMID '{entry.fields['pmid']}': write the number only")
        pages = entry.fields.get("pages", "")
        if re.search(r"\d-\d|\d\s*[–—]\s*\d", pages):
            problems.append(f"{at(key)}: write the page range '{pages}' with two hyphens, e.g. 1892--1898")
    content_check(problems)


def test_corrected_author_spelling_is_used():
    """A content check: the source misspells Ratcliffe as 'Radcliffe': the bib and the pages follow
    the publication. Only the corrections page names the misspelling, as the error it corrects."""
    assert str(BIB.entries["ratcliffe2006"].persons["author"][0].last_names[0]) == "Ratcliffe"
    problems = []
    for path in sorted(DOCS.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if path.name == "corrections.md":
            text = text.replace("Ratcliffe, not Radcliffe", "")
        if "Radcliffe" in text:
            problems.append(f"{where(path.relative_to(ROOT).as_posix(), 'Radcliffe')}: the author is Ratcliffe (the factsheet misspelt it)")
    content_check(problems)
