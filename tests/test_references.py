"""references.bib itself: keys, identifiers and coverage, checked independently of the build."""

import re

from pybtex.database import parse_file

from helpers import ROOT

BIB = parse_file(ROOT / "references.bib")
DOCS = ROOT / "docs"


def cited_keys() -> dict[str, set[str]]:
    """{page: keys} for every `[@key]` or `@key` citation written in docs/."""
    pages = {}
    for path in DOCS.rglob("*.md"):
        text = re.sub(r"```.*?```|`[^`]*`", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        pages[path.name] = set(re.findall(r"(?<![\w.+-])-?@(\w+)", text))
    return pages


def test_keys_are_surname_and_year():
    """smith2021, or smithnd for an undated web page, whose year is n.d. (no date)."""
    for key, entry in BIB.entries.items():
        assert re.fullmatch(r"[a-z]+((19|20)\d\d|nd)[a-z]?", key), key
        year = entry.fields["year"]
        assert key.endswith("nd") == (year == "n.d.") or re.search(r"\d{4}", key).group(0) == year, f"{key}: year {year}"


def test_every_cited_key_is_in_the_bibliography():
    for page, keys in cited_keys().items():
        assert keys <= set(BIB.entries), f"{page} cites {sorted(keys - set(BIB.entries))}"


def test_every_entry_is_cited_somewhere():
    cited = set().union(*cited_keys().values())
    assert set(BIB.entries) <= cited, f"never cited: {sorted(set(BIB.entries) - cited)}"


def test_dois_are_well_formed_and_unique():
    dois = [entry.fields["doi"] for entry in BIB.entries.values() if "doi" in entry.fields]
    assert dois, "no DOIs at all"
    for doi in dois:
        assert re.fullmatch(r"10\.\d{4,9}/\S+", doi), doi
    lowered = [d.lower() for d in dois]
    assert len(set(lowered)) == len(lowered), "a DOI is repeated"


def test_pmids_are_numbers_and_page_ranges_use_en_dash_markup():
    for key, entry in BIB.entries.items():
        if "pmid" in entry.fields:
            assert entry.fields["pmid"].isdigit(), key
        pages = entry.fields.get("pages", "")
        assert not re.search(r"\d-\d|\d\s*[–—]\s*\d", pages), f"{key}: write page ranges as 123--130"


def test_corrected_author_spelling_is_used():
    """The source misspells Ratcliffe as 'Radcliffe': the bib and the pages follow the publication.
    Only the corrections page names the misspelling, as the error it corrects."""
    assert str(BIB.entries["ratcliffe2006"].persons["author"][0].last_names[0]) == "Ratcliffe"
    for path in DOCS.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if path.name == "corrections.md":
            text = text.replace("Ratcliffe, not Radcliffe", "")
        assert "Radcliffe" not in text, path.name
