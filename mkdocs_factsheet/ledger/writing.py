"""What the ledger writes: the Corrections page's list, the counts on "How we check this
information", and skeleton entries for the sentences of a page that have none."""

from __future__ import annotations

import json
import posixpath
from datetime import date

from mkdocs_factsheet.ledger.records import Ledger, one_line
from mkdocs_factsheet.ledger.rules import Rules, claim_kind
from mkdocs_factsheet.ledger.sentences import Sentence, normal, sentences
from mkdocs_factsheet.ledger.vocabulary import DESIGNS


def corrections_markdown(ledger: Ledger, here: str, titles: dict[str, str]) -> str:
    """The Corrections page's list, from every claim with a `correction:`, by page in `titles`' order."""
    order = {page: index for index, page in enumerate(titles)}
    items = []
    for page in sorted(ledger.claims, key=lambda p: (order.get(p, len(order)), p)):
        for claim in ledger.claims[page]:
            correction = claim.correction
            if not correction or not one_line(correction.get("factsheet_said")) or not one_line(correction.get("why")):
                continue
            title = one_line(correction.get("title"))
            said = one_line(correction["factsheet_said"]).rstrip(".")
            why = one_line(correction["why"]).rstrip(".")
            cite = f" [{'; '.join('@' + key for key in claim.cites)}]" if claim.cites else ""
            link = _relative(page, here)
            lead = f"**{title.rstrip('.')}.** " if title else ""
            items.append(f"- {lead}The factsheet said: “{said}”. {why}{cite}. "
                         f"See [{titles.get(page, page.removesuffix('.md'))}]({link}).")
    return "\n".join(items)


def _relative(page: str, here: str) -> str:
    return posixpath.relpath(page, posixpath.dirname(here) or ".")


def counts(ledger: Ledger, pages: dict[str, str], rules: Rules, bib_keys=None) -> dict:
    """The ledger's figures, as the "How we check this information" page gives them."""
    claims = list(ledger.all_claims())
    dates = sorted(claim.checked for claim in claims if isinstance(claim.checked, date))
    designs: dict[str, int] = {}
    for work in ledger.works.values():
        if work.design in DESIGNS:
            designs[work.design] = designs.get(work.design, 0) + 1
    return {
        "claims": len(claims),
        "pages": len(pages),
        "covered": sum(1 for page in pages if rules.covers(page)),
        "works": sum(designs.values()),
        "bibliography": len(bib_keys) if bib_keys is not None else len(ledger.works),
        "corrections": sum(1 for claim in claims if claim.correction),
        "first_checked": dates[0] if dates else None,
        "last_checked": dates[-1] if dates else None,
        "designs": dict(sorted(designs.items(), key=lambda item: (-item[1], item[0]))),
    }


def counts_markdown(figures: dict) -> str:
    def day(value):
        return f"{value.day} {value:%B %Y}"

    rows = [
        ("Sentences tied to what their source says", figures["claims"]),
        ("Pages covered: every factual sentence held to the ledger", f"{figures['covered']} of {figures['pages']}"),
        ("Works with their design recorded", f"{figures['works']} of {figures['bibliography']}"),
        ("Corrections to the 2010 factsheet", figures["corrections"]),
        ("First and last check of a sentence",
         f"{day(figures['first_checked'])}; {day(figures['last_checked'])}" if figures["first_checked"] else "none yet"),
    ]
    table = "| What the ledger holds | Count |\n| --- | --- |\n" + "".join(f"| {what} | {count} |\n" for what, count in rows)
    designs = "".join(f"| {design[0].upper() + design[1:]} | {number} |\n" for design, number in figures["designs"].items())
    if designs:
        table += "\n| Design of the work, as PubMed or its authors give it | Works |\n| --- | --- |\n" + designs
    return table


def missing(page: str, text: str, ledger: Ledger, patient_page: bool = False) -> str:
    """YAML entries for the page's factual sentences that have no entry: says and cites filled in
    (on a page for patients, shares, classifications and findings count as claims too)."""
    found = sentences(text)
    taken = [claim.says for claim in ledger.claims.get(page, []) if claim.says]
    out = []
    for sentence in found:
        if any(sentence.contains(says) and sum(s.contains(says) for s in found) == 1 for says in taken):
            continue
        if not sentence.keys and not claim_kind(sentence, patient_page):
            continue
        says = _unique_words(sentence, found)
        out.append(f"# line {sentence.line}: {sentence.text}\n"
                   f"- says: {json.dumps(says, ensure_ascii=False)}\n"
                   f"  cites: [{', '.join(dict.fromkeys(sentence.keys))}]\n"
                   "  source: \"\"   # the source's own words that back the sentence, a short quote\n"
                   "  seen: \"\"     # where you saw them: PubMed id, DOI or page address\n"
                   "  checked:      # the day you checked, YYYY-MM-DD\n")
    return "\n".join(out)


def _unique_words(sentence: Sentence, found: list[Sentence]) -> str:
    words = normal(sentence.text).split()
    for length in range(min(6, len(words)), len(words) + 1):
        candidate = " ".join(words[:length])
        if sum(s.contains(candidate) for s in found) == 1:
            return candidate
    return " ".join(words)
