"""The bibliography as files readers can download: BibTeX and RIS (cite/references.bib, .ris).

Both are made from the checked parse (bibliography.py): BibTeX with @string macros expanded, so
each entry stands on its own; RIS with LaTeX turned into Unicode, which reference managers expect.
"""

from __future__ import annotations

import rispy

from .bibliography import Bibliography, BibEntry, plain_fields

# Where the bibliography is published, relative to the site's root.
DOWNLOADS_DIR = "cite"
RIS_TYPES = {"article": "JOUR", "incollection": "CHAP", "book": "BOOK", "techreport": "RPRT"}


class _PlainRisWriter(rispy.RisWriter):
    def set_header(self, count):  # reference managers expect each record to open with "TY"
        return ""


def downloads(bibliography: Bibliography) -> dict[str, str]:
    """{site path: content}: every entry as BibTeX and as RIS."""
    return {
        f"{DOWNLOADS_DIR}/references.bib": bibliography.bibtex,
        f"{DOWNLOADS_DIR}/references.ris": rispy.dumps([ris_record(e) for e in bibliography.entries.values()], implementation=_PlainRisWriter),
    }


def ris_record(entry: BibEntry) -> dict:
    fields = plain_fields(entry)
    first, _, last = fields.get("pages", "").partition("--")
    record = {
        "id": entry.key,
        "type_of_reference": RIS_TYPES.get(entry.type, "GEN"),
        "authors": fields["authors"],
        "secondary_authors": fields["editors"],
        "primary_title": fields.get("title"),
        "secondary_title": fields.get("journal") or fields.get("booktitle"),
        "year": fields.get("year"),
        "volume": fields.get("volume"),
        "number": fields.get("number"),
        "start_page": first or None,
        "end_page": last or None,
        "publisher": fields.get("publisher") or fields.get("institution"),
        "place_published": fields.get("address"),
        "issn": fields.get("isbn"),  # rispy's name for RIS's SN tag, which holds an ISBN or an ISSN
        "doi": fields.get("doi"),
        "accession_number": fields.get("pmid"),
        "urls": [fields["url"]] if fields.get("url") else None,
    }
    return {name: value for name, value in record.items() if value}
