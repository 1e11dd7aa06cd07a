"""The ledger's rules: every problem of the ledger against the pages, as Problems (file, line, what
to change)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from mkdocs_factsheet.ledger.records import Claim, Ledger, Problem, one_line
from mkdocs_factsheet.ledger.sentences import CitationReader, Sentence, sentences
from mkdocs_factsheet.ledger.vocabulary import (
    ATTRIBUTION,
    CAUSES,
    CLASSIFICATION,
    CORRECTION,
    CORRECTION_FIELDS,
    DESIGNS,
    DESIGN_WORDS,
    EFFECT,
    FACTSHEET,
    FINDING,
    HEDGE,
    HEDGED_DESIGNS,
    INSTRUCTION,
    NEGATED,
    NUMBER,
    PROPORTION,
    SIGNPOST,
    STRENGTH,
)


@dataclass
class Rules:
    """Where each rule applies. `covered`: the pages whose every factual sentence must have an
    entry ("all" for every page); `patient_pages`: those where an uncited claim (claim_kind: a
    number, effect, cause, proportion, classification or finding) must say whose claim it is;
    `today`: the injected clock's day (FACTSHEET_TODAY), against which a `checked` date must not
    lie ahead (None: not checked)."""

    covered: list[str] | str = "all"
    patient_pages: list[str] = field(default_factory=list)
    corrections_page: str = "corrections.md"
    docs: str = "docs"
    today: date | None = None

    def covers(self, page: str) -> bool:
        return self.covered == "all" or page in self.covered


def check(pages: dict[str, str], ledger: Ledger, rules: Rules, bib_keys=None) -> list[Problem]:
    """Every problem of the ledger against the pages (docs-relative name -> Markdown, as in the file)."""
    problems = list(ledger.problems)
    reader = CitationReader()
    # Only pages the rules look at are split: covered ones, and those with entries.
    read = {page: sentences(text, reader) for page, text in pages.items() if rules.covers(page) or page in ledger.claims}
    problems += _check_works(ledger, bib_keys)
    bound: dict[tuple[str, int], Claim] = {}  # (page, sentence index) -> its entry
    for page, claims in ledger.claims.items():
        if page not in pages:
            problems.append(Problem(f"is the ledger of {rules.docs}/{page}, which is not a page of the site: "
                                    "name it after its page (evidence/claims/<page>.yml), or delete it if the page is gone",
                                    ledger.claims_file(page), 1, severity="warning"))
            continue
        for claim in claims:
            problems += _check_fields(claim, ledger, rules.today)
            problems += _bind(claim, read[page], bound, rules)
    for page, found in read.items():
        where = f"{rules.docs}/{page}"
        for index, sentence in enumerate(found):
            claim = bound.get((page, index))
            covered = rules.covers(page)
            states = "" if sentence.keys else claim_kind(sentence, page in rules.patient_pages)
            if covered and states and page in rules.patient_pages and not ATTRIBUTION.search(sentence.text):
                problems.append(Problem(f"states {states} with no citation: cite the work it comes from ([@key]), "
                                        "or say whose claim it is (\"The factsheet said …\")", where, sentence.line, severity="warning"))
            if covered and claim is None and (sentence.keys or states):
                what = f"cites {_keys(sentence.keys)}" if sentence.keys else f"states {states}"
                blank = "" if sentence.keys else ", with cites: [] as it cites nothing"
                problems.append(Problem(f"this sentence {what} but has no entry in {ledger.claims_file(page)}: "
                                        f"add one{blank} (./run ledger missing {where} prints it)",
                                        where, sentence.line, severity="warning"))
            if covered or claim is not None:
                problems += _check_hedge(sentence, where, ledger)
                problems += _check_design_words(sentence, where, ledger, claim)
                if page != rules.corrections_page:
                    problems += _check_correction(sentence, where, ledger.claims_file(page), claim)
    problems += _check_facts(bound, read, rules)
    return problems


def _keys(keys) -> str:
    return ", ".join(dict.fromkeys(keys))


def _check_works(ledger: Ledger, bib_keys) -> list[Problem]:
    problems, name = [], ledger.works_file
    for work in ledger.works.values():
        if bib_keys is not None and work.key not in bib_keys:
            close = difflib.get_close_matches(work.key, list(bib_keys), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(f"{work.key} is not a key in references.bib{hint}: correct the key, or remove the entry",
                                    name, work.line, severity="warning"))
        if not work.design:
            problems.append(Problem(f"{work.key}: add design: the work's design as PubMed or its authors give it",
                                    name, work.line, severity="warning"))
        elif work.design not in DESIGNS:
            close = difflib.get_close_matches(work.design, DESIGNS, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(f"{work.key}: design '{work.design}' is not one of the ledger's designs: {hint}"
                                    "use one listed in CONTRIBUTING.md, 'The evidence ledger'", name, work.line, severity="warning"))
        if not work.seen:
            problems.append(Problem(f"{work.key}: add seen: where the design is printed (PubMed id, DOI or page address)",
                                    name, work.line, severity="warning"))
    return problems


HINTS = {
    "says": "words of the sentence, as the page shows them, that occur in no other sentence",
    "source": "the source's own words that back the sentence, a short quote",
    "seen": "where you saw those words (PubMed id, DOI or page address)",
    "checked": "the day you checked, as YYYY-MM-DD",
}


def _check_fields(claim: Claim, ledger: Ledger, today: date | None = None) -> list[Problem]:
    problems = []
    for name in ("says", "source", "seen"):
        if not getattr(claim, name):
            problems.append(Problem(f"the entry has no {name}: add {name}: {HINTS[name]}",
                                    claim.file, claim.lines.get(name, claim.line), severity="warning"))
    if not isinstance(claim.checked, date):
        found = f" (found {claim.checked})" if claim.checked is not None else ""
        problems.append(Problem(f"the entry needs checked: {HINTS['checked']}{found}",
                                claim.file, claim.lines.get("checked", claim.line), severity="warning"))
    elif today and claim.checked > today:
        problems.append(Problem(f"checked {claim.checked} is in the future: write the day you checked, as YYYY-MM-DD",
                                claim.file, claim.lines.get("checked", claim.line), severity="warning"))
    for key in claim.cites:
        if key not in ledger.works:
            problems.append(Problem(f"cites {key}, which has no entry in {ledger.works_file}: "
                                    f"add {key}: with its design as PubMed or its authors give it",
                                    claim.file, claim.lines.get("cites", claim.line), severity="warning"))
    if claim.correction:
        missing = [name for name in ("factsheet_said", "why") if not one_line(claim.correction.get(name))]
        unknown = [name for name in claim.correction if name not in CORRECTION_FIELDS]
        line = claim.lines.get("correction", claim.line)
        if missing:
            problems.append(Problem(f"correction: add {' and '.join(f'{m}:' for m in missing)} "
                                    "(what the factsheet said, and why we changed it): the Corrections page shows both",
                                    claim.file, line, severity="warning"))
        for name in unknown:
            problems.append(Problem(f"correction: unknown field '{name}': a correction has factsheet_said:, why: and, optionally, title:",
                                    claim.file, line, severity="warning"))
    return problems


def _bind(claim: Claim, found: list[Sentence], bound: dict, rules: Rules) -> list[Problem]:
    if not claim.says:
        return []
    where = f"{rules.docs}/{claim.page}"
    hits = [index for index, sentence in enumerate(found) if sentence.contains(claim.says)]
    if not hits:
        return [Problem(f'says "{claim.says}", which is in no sentence of {where}: if you reworded the sentence, '
                        "copy words of its new text into says (and check its source still backs it); if you removed it, remove this entry",
                        claim.file, claim.line, severity="warning")]
    if len(hits) > 1:
        lines = ", ".join(str(found[index].line) for index in hits)
        return [Problem(f'says "{claim.says}", which is in {len(hits)} sentences of {where} (lines {lines}): '
                        "add words so that it finds only one", claim.file, claim.line, severity="warning")]
    index = hits[0]
    sentence = found[index]
    if (claim.page, index) in bound:
        other = bound[claim.page, index]
        return [Problem(f"is a second entry for the sentence at {where}:{sentence.line} (the first is at line {other.line}): "
                        "keep one entry per sentence", claim.file, claim.line, severity="warning")]
    bound[claim.page, index] = claim
    if set(claim.cites) != set(sentence.keys):
        now = f"[{', '.join(dict.fromkeys(sentence.keys))}]"
        cites = "cites nothing" if not sentence.keys else f"cites {_keys(sentence.keys)}"
        return [Problem(f"this sentence {cites}, but its entry ({claim.file}:{claim.lines.get('cites', claim.line)}) has "
                        f"cites: [{', '.join(claim.cites)}]: change the entry to cites: {now}, and check its source backs each work",
                        where, sentence.line, severity="warning")]
    return []


def claim_kind(sentence: Sentence, patient_page: bool = False) -> str:
    """What makes an uncited sentence a claim: "a number (33)", "an effect ('eases')", "a cause ('because')";
    on a page for patients also "a proportion ('most')", "a classification ('Codeine is a …')" or
    "a finding ('found that')"; "" for none. A question claims nothing, nor does an instruction
    unless it gives a number (a phone number in safety advice is a fact too)."""
    text = sentence.text.strip()
    if SIGNPOST.match(sentence.markdown) or text.endswith("?"):
        return ""
    if number := NUMBER.search(text):
        return f"a number ({number.group(0)})"
    if INSTRUCTION.match(text):
        return ""
    if effect := EFFECT.search(text):
        kind = "a cause" if effect.group(0).lower() in CAUSES else "an effect"
        return f"{kind} ('{effect.group(0)}')"
    if not patient_page:
        return ""
    if proportion := PROPORTION.search(text):
        return f"a proportion ('{proportion.group(0)}')"
    if classification := CLASSIFICATION.search(text):
        return f"a classification ('{classification.group(0)} …')"
    if finding := FINDING.search(text):
        return f"a finding ('{finding.group(0)}')"
    return ""


def _check_hedge(sentence: Sentence, where: str, ledger: Ledger) -> list[Problem]:
    problems = []
    # A sentence about what the factsheet said reports its words; the hedge is for findings.
    if HEDGE.search(sentence.text) or FACTSHEET.search(sentence.text):
        return problems
    for key in dict.fromkeys(sentence.keys):
        work = ledger.works.get(key)
        if work and work.design in HEDGED_DESIGNS:
            article = "an" if work.design[0] in "aeiou" else "a"
            problems.append(Problem(f"cites {key}, {article} {work.design}, as if it were a finding in people: say what it was "
                                    "(\"in mice\", \"in the laboratory\", \"a theory\") or how sure it is (\"may\", \"suggests\")",
                                    where, sentence.line, severity="warning"))
    return problems


def _check_design_words(sentence: Sentence, where: str, ledger: Ledger, claim: Claim | None) -> list[Problem]:
    works = [ledger.works[key] for key in dict.fromkeys(sentence.keys) if key in ledger.works and ledger.works[key].design in DESIGNS]
    # What the factsheet called a work is its words, reported (the Corrections page quotes them).
    if not works or FACTSHEET.search(sentence.text):
        return []
    allowed_words = {word.lower() for word in claim.other_designs} if claim else set()
    problems = []
    for pattern, fits in DESIGN_WORDS:
        # "not randomised", "non-randomised", "not a systematic review" say what the work was not.
        match = next((m for m in pattern.finditer(sentence.text) if not NEGATED.search(sentence.text[: m.start()])), None)
        if not match or match.group(0).lower() in allowed_words or any(work.design in fits for work in works):
            continue
        word = match.group(0)
        recorded = "; ".join(f"{work.key} is recorded as '{work.design}' ({ledger.works_file}:{work.line})" for work in works)
        entry = f" ({claim.file}:{claim.line})" if claim else ""
        problems.append(Problem(f"says '{word}', which does not fit the design of the work it cites: {recorded}: "
                                f"use words that fit its design, or, if '{word}' is about other works (such as the studies it "
                                f"looked at), add other_designs: [{word}] to this sentence's entry{entry}",
                                where, sentence.line, severity="warning"))
    return problems


def _check_correction(sentence: Sentence, where: str, claims_file: str, claim: Claim | None) -> list[Problem]:
    # A correction is a claim: it cites what shows the right version (or has an entry that says where).
    if not (sentence.keys or claim) or not (FACTSHEET.search(sentence.text) and CORRECTION.search(sentence.text)):
        return []
    if claim is None:
        return [Problem(f"corrects the factsheet, but has no entry: add one in {claims_file} with correction: "
                        "factsheet_said: and why:, so that the Corrections page lists it", where, sentence.line, severity="warning")]
    if not claim.correction:
        return [Problem(f"corrects the factsheet, but its entry ({claim.file}:{claim.line}) has no correction: "
                        "add correction: with factsheet_said: and why:, so that the Corrections page lists it",
                        where, sentence.line, severity="warning")]
    return []


def _figures(text: str) -> set[str]:
    """The numbers of a sentence, without years: "8,270" and "8270" are the same figure."""
    figures = set()
    for match in NUMBER.finditer(text):
        value = match.group(0).replace(",", "").rstrip(".")
        if not (len(value) == 4 and value.isdigit() and 1950 <= int(value) <= 2035 and "," not in match.group(0)):
            figures.add(value)
    return figures


def _strength(text: str) -> set[str]:
    return {level for level, pattern in STRENGTH if pattern.search(text)}


def _check_facts(bound: dict, read: dict, rules: Rules) -> list[Problem]:
    """Claims sharing a fact id: of any two, one's figures (and strength words) are among the other's.
    Each claim is reported once, against the first earlier claim it disagrees with."""
    problems = []
    earlier: dict[str, list[tuple[str, Sentence]]] = {}
    for (page, index), claim in bound.items():
        if not claim.fact:
            continue
        sentence = read[page][index]
        for other_page, other in earlier.get(claim.fact, []):
            disagreement = _disagreement(sentence.text, other.text)
            if disagreement:
                kind, mine, theirs = disagreement
                problems.append(Problem(f"gives fact '{claim.fact}' with {kind} {mine}, but {rules.docs}/{other_page}:{other.line} "
                                        f"gives it with {theirs}: make them agree, or give the two entries different fact ids "
                                        "if they are different facts", f"{rules.docs}/{page}", sentence.line, severity="warning"))
                break
        earlier.setdefault(claim.fact, []).append((page, sentence))
    return problems


def _disagreement(text: str, other: str) -> tuple[str, str, str] | None:
    for kind, measure in (("figures", _figures), ("strength words", _strength)):
        mine, theirs = measure(text), measure(other)
        if mine and theirs and not (mine <= theirs or theirs <= mine):
            return kind, _listed(mine, kind), _listed(theirs, kind)
    return None


def _listed(values: set[str], kind: str) -> str:
    return ", ".join(sorted(values, key=lambda v: (len(v), v))) if kind == "figures" else ", ".join(f"'{v}'" for v in sorted(values))
