"""The evidence ledger: every factual sentence of the site tied to what its source says.

The ledger is two kinds of YAML file beside docs/ (the format is in CONTRIBUTING.md, "The
evidence ledger"):

- evidence/works.yml: for each key of references.bib, the work's design as PubMed or its
  authors give it, and where that was seen;
- evidence/claims/<page>.yml: for each factual sentence of docs/<page>.md, words that find the
  sentence (`says`), the works it cites, the source's own words, where and when they were seen,
  and, if the sentence corrects the 2010 factsheet, what the factsheet said and why it changed.

This module is the ledger's core. It works without MkDocs: it splits each page's Markdown into
sentences, each with its line and the citation keys the project's own citation extension finds in
it (mkdocs_factsheet.citations.syntax, run by Python-Markdown, so code, links and escapes are read
as the site reads them), reads the ledger, and returns every problem as data (`Problem`: file,
line, what to change). The MkDocs plugin (ledger_plugin.py) reports them and renders the
Corrections list and the ledger's counts; `python -m mkdocs_factsheet.ledger` checks the ledger
and prints skeleton entries for sentences that have none:

    ./run ledger check [--all]          (python -m mkdocs_factsheet.ledger check [--all])
    ./run ledger missing docs/evidence.md

What counts as a sentence: the text of paragraphs, list items and note boxes, split at a full
stop, question or exclamation mark followed by a capital (not after "e.g.", "p.", "et al." and
the like, nor inside brackets); each table row (but the header) is one sentence. Not sentences:
front matter, headings (they name a section; the sentences under it carry its claims), a note
box's title, code, HTML comments and tags, and lines such as `\\bibliography` or `[[ledger: …]]`.
"""

from __future__ import annotations

import bisect
import difflib
import html
import json
import posixpath
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import markdown
import yaml

from mkdocs_factsheet.citations.syntax import PLACEHOLDER, CitationsExtension, FoundOnPage
from mkdocs_factsheet.messages import yaml_problem

# --- The vocabulary --------------------------------------------------------------------------

# Designs as PubMed or the authors name them; keep the list small (CONTRIBUTING, "Designs").
DESIGNS = (
    "randomised controlled trial",
    "secondary analysis of a randomised controlled trial",
    "individual patient data meta-analysis",
    "systematic review with meta-analysis",
    "systematic review without meta-analysis (narrative synthesis)",
    "systematic review of meta-analyses",
    "best-evidence synthesis",
    "narrative review",
    "review blending narrative and systematic methods",
    "critical review",
    "observational study",
    "before-and-after study",
    "intervention study",
    "survey",
    "animal study",
    "laboratory study",
    "hypothesis",
    "guideline",
    "quality standard",
    "patient information",
    "news report",
    "press release",
    "blog post",
    "professional body factsheet",
    "book chapter",
    "cost-effectiveness analysis",
    "health technology assessment report",
)

# Works whose findings do not apply to people as they stand: a sentence citing one says so.
HEDGED_DESIGNS = ("animal study", "laboratory study", "hypothesis")
HEDGE = re.compile(
    r"\b(may|might|could|possibly|perhaps|suggests?|suggested|propos\w*|hypothes\w*|theor\w*|thought to|"
    r"believed|not known|unknown|unclear|animals?|rats?|mice|mouse|rabbits?|laboratory|in cells|cells|in vitro)\b",
    re.IGNORECASE,
)

# Design words on a page, and the recorded designs each fits.
SYSTEMATIC = {"systematic review with meta-analysis", "systematic review without meta-analysis (narrative synthesis)",
              "systematic review of meta-analyses", "best-evidence synthesis", "individual patient data meta-analysis",
              "health technology assessment report"}
POOLED = {"systematic review with meta-analysis", "systematic review of meta-analyses", "individual patient data meta-analysis"}
NOT_RANDOMISED = {"observational study", "before-and-after study", "intervention study", "survey", "hypothesis", "laboratory study"}
NOT_A_TRIAL = {"animal study", "laboratory study", "hypothesis", "survey", "observational study"}
# A survey of patients is not randomised either (NOT_RANDOMISED has it).
DESIGN_WORDS = (
    (re.compile(r"\bsystematic reviews?\b", re.IGNORECASE), SYSTEMATIC),
    (re.compile(r"\bmeta-?analy[sz](?:is|es|ed)\b|\bpooled\b", re.IGNORECASE), POOLED),
    (re.compile(r"\brandomi[sz]ed\b", re.IGNORECASE), set(DESIGNS) - NOT_RANDOMISED),
    (re.compile(r"\btrials?\b", re.IGNORECASE), set(DESIGNS) - NOT_A_TRIAL),
    (re.compile(r"\bnarrative review\b", re.IGNORECASE), {"narrative review"}),
    (re.compile(r"\bcritical review\b", re.IGNORECASE), {"critical review"}),
    (re.compile(r"\bbest-evidence synthesis\b", re.IGNORECASE), {"best-evidence synthesis"}),
    (re.compile(r"\bnarrative synthesis\b", re.IGNORECASE), {"systematic review without meta-analysis (narrative synthesis)"}),
)

NEGATED = re.compile(r"(?:\bnot (?:an? )?|\bnon-?|\bun)$", re.IGNORECASE)

# What makes a sentence a factual claim when it cites nothing: a number, an effect or a cause.
NUMBER = re.compile(r"(?<![\w.])\d(?:[\d,]*\d)?(?:\.\d+)?")
EFFECT = re.compile(
    r"\b(effective|ineffective|reduc\w*|eas(?:e|es|ed|ing)|improv\w*|reliev\w*|relief|benefit\w*|better than|worse than|"
    r"no better|as well as|works|worked|caus(?:e|es|ed|ing)|because|due to|leads? to|releases?|harm\w*|safe|unsafe)\b",
    re.IGNORECASE,
)
# A list item or sentence that starts with a link to another page points the way; it claims nothing.
SIGNPOST = re.compile(r"\[[^\]]+\]\((?![a-z]+:)[^)]*\.md(?:#[^)]*)?\)")
CAUSES = {"cause", "causes", "caused", "causing", "because", "due to", "lead to", "leads to"}
# Whose claim it is, in words, when no work is cited.
ATTRIBUTION = re.compile(r"\b(factsheet(?:'s)?|according to|its (?:authors|studies)|it (?:said|says|reported|argued|claimed))\b",
                         re.IGNORECASE)
# A sentence that corrects the factsheet: it names it and says what is different.
CORRECTION = re.compile(r"\b(wrong(?:ly)?|incorrect(?:ly)?|mistaken(?:ly)?|in error|correct(?:ed|s|ion)?|actually|in fact|"
                        r"instead)\b|[,;]\s*(but|however)\b", re.IGNORECASE)
FACTSHEET = re.compile(r"\bfactsheet\b", re.IGNORECASE)

# Words of strength, by level: the same fact on two pages must not be stated at different levels.
STRENGTH = (
    ("strong", re.compile(r"\b(strong(?:ly)?|clear(?:ly)?|convincing|large)\b", re.IGNORECASE)),
    ("moderate", re.compile(r"\bmoderate\b", re.IGNORECASE)),
    ("weak", re.compile(r"\b(weak|limited|low[- ]certainty|very low|small|slight(?:ly)?|a little|modest|not enough)\b", re.IGNORECASE)),
    ("none", re.compile(r"\b(no (?:significant )?difference|no better|not (?:statistically )?significant|did not differ)\b", re.IGNORECASE)),
)

CLAIM_FIELDS = ("says", "cites", "source", "seen", "checked", "fact", "correction", "other_designs")
CORRECTION_FIELDS = ("factsheet_said", "why", "title")
WORK_FIELDS = ("design", "seen")
CORRECTIONS_MARKER = "[[ledger: corrections]]"
COUNTS_MARKER = "[[ledger: counts]]"


@dataclass(frozen=True)
class Problem:
    """One thing to change, where to change it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# --- Sentences ----------------------------------------------------------------------------------


@dataclass
class Sentence:
    line: int
    markdown: str
    text: str  # as a reader reads it: no Markdown, no citations
    keys: tuple[str, ...]  # the citation keys it carries, in order

    def contains(self, words: str) -> bool:
        return words in normal(self.text) or words in normal(self.markdown)


def normal(text: str) -> str:
    """Text as compared: curly quotes as straight ones, runs of spaces as one."""
    return " ".join(text.translate(QUOTES).split())


QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})

FENCE = re.compile(r"^\s*(```|~~~)")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
SKIPPED_LINE = re.compile(
    r"^\s*(?:#{1,6}(?:\s|$)"  # a heading
    r"|(?:!!!|\?\?\?\+?)\s"  # a note box's first line, with its title
    r"|</?[A-Za-z][^>]*>\s*$"  # a line that is only an HTML tag
    r"|\\\w+\s*$|\[\[[^\]]*\]\]\s*$"  # \bibliography, [[ledger: corrections]]
    r"|\[[^\]]+\]:\s"  # a link definition
    r"|\{[:.#][^}]*\}\s*$)"  # an attribute list
)
TABLE_ROW = re.compile(r"^\s*\|")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "p", "pp", "al", "approx", "chap", "fig", "no", "dr", "mr", "mrs", "ms", "st", "cf", "ca", "vol"}
SENTENCE_END = re.compile(r"[\"'”’)*_]*\s+(?=[A-Z0-9\"“‘(*_\[@])")


class CitationReader:
    """Reads a sentence's Markdown as the site does: its citation keys and its text."""

    def __init__(self):
        self.found = FoundOnPage()
        self.md = markdown.Markdown(extensions=[CitationsExtension(lambda: self.found)])

    def read(self, source: str) -> tuple[str, tuple[str, ...]]:
        self.found = FoundOnPage()
        self.md.reset()
        rendered = self.md.convert(source)
        keys = tuple(key for citation in self.found.citations for key in citation.keys)
        text = html.unescape(re.sub(r"<[^>]+>", "", PLACEHOLDER.sub("", rendered)))
        text = re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))
        return text, keys


def sentences(page: str, reader: CitationReader | None = None) -> list[Sentence]:
    """The sentences of a page's Markdown (front matter included, as in the file), in order."""
    reader = reader or CitationReader()
    found = []
    for block, starts, is_row in _blocks(page):
        if is_row:
            cells = [cell.strip() for cell in block.strip().strip("|").split("|")]
            read = [reader.read(cell) for cell in cells]
            text = " | ".join(t for t, _ in read if t)
            keys = tuple(k for _, ks in read for k in ks)
            found.append(Sentence(starts[0][1], block.strip(), text, keys))
            continue
        for start, end in _split(block):
            source = block[start:end].strip()
            if not source:
                continue
            offset = start + len(block[start:end]) - len(block[start:end].lstrip())
            line = starts[bisect.bisect_right([s for s, _ in starts], offset) - 1][1]
            text, keys = reader.read(source)
            if text or keys:
                found.append(Sentence(line, source, text, keys))
    return found


def _blocks(page: str):
    """(text, [(offset, line)], is_table_row) for each paragraph, list item, box line group and row."""
    lines = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), page).split("\n")
    first = 0
    if lines and lines[0].strip() == "---":
        first = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    block: list[tuple[int, str]] = []
    in_code = False

    def flush():
        if block:
            text, starts = "", []
            for number, part in block:
                starts.append((len(text), number))
                text += part + " "
            yield text, starts, False
            block.clear()

    for index in range(first, len(lines)):
        line, number = QUOTE_MARK.sub("", lines[index]), index + 1
        if FENCE.match(line):
            in_code = not in_code
            yield from flush()
            continue
        if in_code:
            continue
        if not line.strip() or SKIPPED_LINE.match(line):
            yield from flush()
            continue
        if TABLE_ROW.match(line):
            yield from flush()
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not TABLE_RULE.match(line) and not TABLE_RULE.match(following):
                yield line, [(0, number)], True
            continue
        if LIST_ITEM.match(line):
            yield from flush()
            line = LIST_ITEM.sub("", line, count=1)
        block.append((number, line.strip()))
    yield from flush()


def _split(text: str):
    """(start, end) of each sentence of a block."""
    start, square, round_, code = 0, 0, 0, False
    for index, char in enumerate(text):
        if char == "`":
            code = not code
        elif code:
            continue
        elif char == "[":
            square += 1
        elif char == "]":
            square = max(0, square - 1)
        elif char == "(":
            round_ += 1
        elif char == ")":
            round_ = max(0, round_ - 1)
        elif char in ".!?" and not square and not round_:
            end = SENTENCE_END.match(text, index + 1)
            word = re.search(r"([\w.]+)$", text[start:index])
            before = word.group(1) if word else ""
            initial = re.fullmatch(r"[A-Z]", before) and text[index - 2 : index - 1] in (" ", ".", "")
            if end and before.lower() not in ABBREVIATIONS and not initial:
                yield start, end.end()
                start = end.end()
    yield start, len(text)


# --- The ledger ---------------------------------------------------------------------------------


@dataclass
class Work:
    key: str
    design: str
    seen: str
    line: int


@dataclass
class Claim:
    page: str  # docs-relative, e.g. "evidence.md"
    file: str  # e.g. "evidence/claims/evidence.yml"
    line: int
    says: str
    cites: tuple[str, ...]
    source: str
    seen: str
    checked: date | None
    fact: str = ""
    correction: dict = field(default_factory=dict)
    other_designs: tuple[str, ...] = ()
    lines: dict = field(default_factory=dict)  # field name -> its line


@dataclass
class Ledger:
    works: dict[str, Work] = field(default_factory=dict)
    claims: dict[str, list[Claim]] = field(default_factory=dict)  # page -> its claims
    claim_files: dict[str, str] = field(default_factory=dict)  # page -> its claims file
    problems: list[Problem] = field(default_factory=list)  # what could not be read
    works_file: str = "evidence/works.yml"
    claims_dir: str = "evidence/claims"

    def claims_file(self, page: str) -> str:
        return self.claim_files.get(page) or f"{self.claims_dir}/{page.removesuffix('.md')}.yml"

    def all_claims(self):
        for claims in self.claims.values():
            yield from claims


class _Located(dict):
    line = 0
    key_lines: dict = {}


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, remembering the line of each mapping and of each of its keys."""


def _mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
# Dates stay text here, so that a date that is no date (2026-13-01) is a message, not an exception.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _day(value) -> date | str | None:
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return str(value)


def _load(text: str, name: str, problems: list[Problem]):
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        line, message = yaml_problem(error)
        problems.append(Problem(name, line, message))
        return None


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def read_ledger(works_text: str | None, claims_texts: dict[str, str], works_file: str = "evidence/works.yml",
                claims_dir: str = "evidence/claims") -> Ledger:
    """The ledger from its files' text: works.yml's, and each claims file's by page ("evidence.md")."""
    ledger = Ledger(works_file=works_file, claims_dir=claims_dir)
    problems = ledger.problems
    data = _load(works_text, works_file, problems) if works_text is not None else {}
    if data is not None and not isinstance(data, dict):
        problems.append(Problem(works_file, 1, "write one entry per work: its key, a colon, then design: and seen: indented under it"))
    for key, entry in (data or {}).items() if isinstance(data, dict) else ():
        line = data.key_lines.get(key, 1)
        if not isinstance(entry, dict):
            problems.append(Problem(works_file, line, f"{key}: give design: and seen: indented under the key"))
            continue
        for name in entry:
            if name not in WORK_FIELDS:
                problems.append(Problem(works_file, entry.key_lines.get(name, line), f"{key}: unknown field '{name}': a work has design: and seen:"))
        ledger.works[str(key)] = Work(str(key), _text(entry.get("design")), _text(entry.get("seen")), line)
    for page, text in claims_texts.items():
        name = f"{claims_dir}/{page.removesuffix('.md')}.yml"
        ledger.claim_files[page] = name
        ledger.claims[page] = _read_claims(page, name, text, problems)
    return ledger


def _read_claims(page: str, name: str, text: str, problems: list[Problem]) -> list[Claim]:
    data = _load(text, name, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(name, 1, "write the claims as a list: each entry starts with '- says:'"))
        return []
    claims = []
    for entry in data:
        if not isinstance(entry, dict):
            problems.append(Problem(name, getattr(entry, "line", 1), "each entry is says:, cites:, source:, seen: and checked: under one '-'"))
            continue
        line = entry.key_lines.get("says", entry.line)
        for key in entry:
            if key not in CLAIM_FIELDS:
                problems.append(Problem(name, entry.key_lines.get(key, line),
                                        f"unknown field '{key}': an entry has {', '.join(CLAIM_FIELDS)}"))
        cites = entry.get("cites")
        if cites is None or isinstance(cites, str):
            cites = [cites] if cites else []
        correction = entry.get("correction") or {}
        if not isinstance(correction, dict):
            problems.append(Problem(name, entry.key_lines.get("correction", line), "correction: needs factsheet_said: and why: indented under it"))
            correction = {}
        others = entry.get("other_designs") or []
        claims.append(Claim(
            page=page, file=name, line=line, says=normal(_text(entry.get("says"))),
            cites=tuple(str(key) for key in cites), source=_text(entry.get("source")), seen=_text(entry.get("seen")),
            checked=_day(entry.get("checked")), fact=_text(entry.get("fact")), correction=correction,
            other_designs=tuple(str(word) for word in (others if isinstance(others, list) else [others])),
            lines=dict(entry.key_lines),
        ))
    return claims


# --- The checks ---------------------------------------------------------------------------------


@dataclass
class Rules:
    """Where each rule applies. `covered`: the pages whose every factual sentence must have an
    entry ("all" for every page); `patient_pages`: those where an uncited number, effect or cause
    must say whose claim it is."""

    covered: list[str] | str = "all"
    patient_pages: list[str] = field(default_factory=list)
    corrections_page: str = "corrections.md"
    docs: str = "docs"

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
            problems.append(Problem(ledger.claims_file(page), 1, f"is the ledger of {rules.docs}/{page}, which is not a page of the site: "
                                    "name it after its page (evidence/claims/<page>.yml), or delete it if the page is gone"))
            continue
        for claim in claims:
            problems += _check_fields(claim, ledger)
            problems += _bind(claim, read[page], bound, rules)
    for page, found in read.items():
        where = f"{rules.docs}/{page}"
        for index, sentence in enumerate(found):
            claim = bound.get((page, index))
            covered = rules.covers(page)
            states = "" if sentence.keys else _states(sentence)
            if covered and states and page in rules.patient_pages and not ATTRIBUTION.search(sentence.text):
                problems.append(Problem(where, sentence.line, f"states {states} with no citation: cite the work it comes from ([@key]), "
                                        "or say whose claim it is (\"The factsheet said …\")"))
            if covered and claim is None and (sentence.keys or states):
                what = f"cites {_keys(sentence.keys)}" if sentence.keys else f"states {states}"
                blank = "" if sentence.keys else ", with cites: [] as it cites nothing"
                problems.append(Problem(where, sentence.line, f"this sentence {what} but has no entry in {ledger.claims_file(page)}: "
                                        f"add one{blank} (./run ledger missing {where} prints it)"))
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
            problems.append(Problem(name, work.line, f"{work.key} is not a key in references.bib{hint}: correct the key, or remove the entry"))
        if not work.design:
            problems.append(Problem(name, work.line, f"{work.key}: add design: the work's design as PubMed or its authors give it"))
        elif work.design not in DESIGNS:
            close = difflib.get_close_matches(work.design, DESIGNS, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(name, work.line, f"{work.key}: design '{work.design}' is not one of the ledger's designs: {hint}"
                                    "use one listed in CONTRIBUTING.md, 'The evidence ledger'"))
        if not work.seen:
            problems.append(Problem(name, work.line, f"{work.key}: add seen: where the design is printed (PubMed id, DOI or page address)"))
    return problems


HINTS = {
    "says": "words of the sentence, as the page shows them, that occur in no other sentence",
    "source": "the source's own words that back the sentence, a short quote",
    "seen": "where you saw those words (PubMed id, DOI or page address)",
    "checked": "the day you checked, as YYYY-MM-DD",
}


def _check_fields(claim: Claim, ledger: Ledger) -> list[Problem]:
    problems = []
    for name in ("says", "source", "seen"):
        if not getattr(claim, name):
            problems.append(Problem(claim.file, claim.lines.get(name, claim.line), f"the entry has no {name}: add {name}: {HINTS[name]}"))
    if not isinstance(claim.checked, date):
        found = f" (found {claim.checked})" if claim.checked is not None else ""
        problems.append(Problem(claim.file, claim.lines.get("checked", claim.line), f"the entry needs checked: {HINTS['checked']}{found}"))
    for key in claim.cites:
        if key not in ledger.works:
            problems.append(Problem(claim.file, claim.lines.get("cites", claim.line),
                                    f"cites {key}, which has no entry in {ledger.works_file}: add {key}: with its design as PubMed or its authors give it"))
    if claim.correction:
        missing = [name for name in ("factsheet_said", "why") if not _text(claim.correction.get(name))]
        unknown = [name for name in claim.correction if name not in CORRECTION_FIELDS]
        line = claim.lines.get("correction", claim.line)
        if missing:
            problems.append(Problem(claim.file, line, f"correction: add {' and '.join(f'{m}:' for m in missing)} "
                                    "(what the factsheet said, and why we changed it): the Corrections page shows both"))
        for name in unknown:
            problems.append(Problem(claim.file, line, f"correction: unknown field '{name}': a correction has factsheet_said:, why: and, optionally, title:"))
    return problems


def _bind(claim: Claim, found: list[Sentence], bound: dict, rules: Rules) -> list[Problem]:
    if not claim.says:
        return []
    where = f"{rules.docs}/{claim.page}"
    hits = [index for index, sentence in enumerate(found) if sentence.contains(claim.says)]
    if not hits:
        return [Problem(claim.file, claim.line, f'says "{claim.says}", which is in no sentence of {where}: if you reworded the sentence, '
                        "copy words of its new text into says (and check its source still backs it); if you removed it, remove this entry")]
    if len(hits) > 1:
        lines = ", ".join(str(found[index].line) for index in hits)
        return [Problem(claim.file, claim.line, f'says "{claim.says}", which is in {len(hits)} sentences of {where} (lines {lines}): '
                        "add words so that it finds only one")]
    index = hits[0]
    sentence = found[index]
    if (claim.page, index) in bound:
        other = bound[claim.page, index]
        return [Problem(claim.file, claim.line, f"is a second entry for the sentence at {where}:{sentence.line} (the first is at line {other.line}): "
                        "keep one entry per sentence")]
    bound[claim.page, index] = claim
    if set(claim.cites) != set(sentence.keys):
        now = f"[{', '.join(dict.fromkeys(sentence.keys))}]"
        cites = "cites nothing" if not sentence.keys else f"cites {_keys(sentence.keys)}"
        return [Problem(where, sentence.line, f"this sentence {cites}, but its entry ({claim.file}:{claim.lines.get('cites', claim.line)}) has "
                        f"cites: [{', '.join(claim.cites)}]: change the entry to cites: {now}, and check its source backs each work")]
    return []


def _states(sentence: Sentence) -> str:
    """What makes an uncited sentence a claim: "a number (33)", "an effect ('eases')", "a cause ('because')", or ""."""
    if SIGNPOST.match(sentence.markdown):
        return ""
    if number := NUMBER.search(sentence.text):
        return f"a number ({number.group(0)})"
    if effect := EFFECT.search(sentence.text):
        kind = "a cause" if effect.group(0).lower() in CAUSES else "an effect"
        return f"{kind} ('{effect.group(0)}')"
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
            problems.append(Problem(where, sentence.line, f"cites {key}, {article} {work.design}, as if it were a finding in people: say what it was "
                                    "(\"in mice\", \"in the laboratory\", \"a theory\") or how sure it is (\"may\", \"suggests\")"))
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
        problems.append(Problem(where, sentence.line, f"says '{word}', which does not fit the design of the work it cites: {recorded}: "
                                f"use words that fit its design, or, if '{word}' is about other works (such as the studies it "
                                f"looked at), add other_designs: [{word}] to this sentence's entry{entry}"))
    return problems


def _check_correction(sentence: Sentence, where: str, claims_file: str, claim: Claim | None) -> list[Problem]:
    # A correction is a claim: it cites what shows the right version (or has an entry that says where).
    if not (sentence.keys or claim) or not (FACTSHEET.search(sentence.text) and CORRECTION.search(sentence.text)):
        return []
    if claim is None:
        return [Problem(where, sentence.line, f"corrects the factsheet, but has no entry: add one in {claims_file} with correction: "
                        "factsheet_said: and why:, so that the Corrections page lists it")]
    if not claim.correction:
        return [Problem(where, sentence.line, f"corrects the factsheet, but its entry ({claim.file}:{claim.line}) has no correction: "
                        "add correction: with factsheet_said: and why:, so that the Corrections page lists it")]
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
    """Claims sharing a fact id: one's figures and strength words are among the other's."""
    problems = []
    first: dict[str, tuple[str, Sentence]] = {}
    for (page, index), claim in bound.items():
        if not claim.fact:
            continue
        sentence = read[page][index]
        if claim.fact not in first:
            first[claim.fact] = (page, sentence)
            continue
        other_page, other = first[claim.fact]
        for kind, measure in (("figures", _figures), ("strength words", _strength)):
            mine, theirs = measure(sentence.text), measure(other.text)
            if mine and theirs and not (mine <= theirs or theirs <= mine):
                problems.append(Problem(f"{rules.docs}/{page}", sentence.line,
                                        f"gives fact '{claim.fact}' with {kind} {_listed(mine, kind)}, but {rules.docs}/{other_page}:{other.line} "
                                        f"gives it with {_listed(theirs, kind)}: make them agree, or give the two entries different fact ids "
                                        "if they are different facts"))
    return problems


def _listed(values: set[str], kind: str) -> str:
    return ", ".join(sorted(values, key=lambda v: (len(v), v))) if kind == "figures" else ", ".join(f"'{v}'" for v in sorted(values))


# --- What the ledger adds to pages ----------------------------------------------------------------


def corrections_markdown(ledger: Ledger, here: str, titles: dict[str, str]) -> str:
    """The Corrections page's list, from every claim with a `correction:`, by page in `titles`' order."""
    order = {page: index for index, page in enumerate(titles)}
    items = []
    for page in sorted(ledger.claims, key=lambda p: (order.get(p, len(order)), p)):
        for claim in ledger.claims[page]:
            correction = claim.correction
            if not correction or not _text(correction.get("factsheet_said")) or not _text(correction.get("why")):
                continue
            title = _text(correction.get("title"))
            said = _text(correction["factsheet_said"]).rstrip(".")
            why = _text(correction["why"]).rstrip(".")
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


# --- Reading the project from disk ------------------------------------------------------------------


@dataclass
class Project:
    root: Path
    docs: str = "docs"
    works: str = "evidence/works.yml"
    claims: str = "evidence/claims"
    bib_file: str = "references.bib"

    def pages(self) -> dict[str, str]:
        docs = self.root / self.docs
        return {path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8-sig") for path in sorted(docs.rglob("*.md"))}

    def ledger(self) -> Ledger:
        works = self.root / self.works
        claims_dir = self.root / self.claims
        texts = {}
        if claims_dir.is_dir():
            for path in sorted(claims_dir.rglob("*.yml")):
                texts[path.relative_to(claims_dir).with_suffix(".md").as_posix()] = path.read_text(encoding="utf-8-sig")
        works_text = works.read_text(encoding="utf-8-sig") if works.is_file() else None
        return read_ledger(works_text, texts, self.works, self.claims)

    def bib_keys(self):
        from mkdocs_factsheet.citations.bibliography import read_bibliography

        path = self.root / self.bib_file
        if not path.is_file():
            return None
        bibliography, problems = read_bibliography(path.read_bytes(), self.bib_file)
        return None if problems else set(bibliography.entries)


# --- Skeleton entries for sentences that have none ----------------------------------------------------


def missing(page: str, text: str, ledger: Ledger) -> str:
    """YAML entries for the page's factual sentences that have no entry: says and cites filled in."""
    found = sentences(text)
    taken = [claim.says for claim in ledger.claims.get(page, []) if claim.says]
    out = []
    for sentence in found:
        if any(sentence.contains(says) and sum(s.contains(says) for s in found) == 1 for says in taken):
            continue
        if not sentence.keys and not _states(sentence):
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


# --- Command line ---------------------------------------------------------------------------------------


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as data, its !ENV and other tags as their default or nothing."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        values = loader.construct_sequence(node, deep=True)
        return values[-1] if values else None
    return None


_ConfigLoader.add_multi_constructor("!", _tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tag)


def plugin_options(config_file: Path) -> dict:
    """The evidence-ledger plugin's options in mkdocs.yml."""
    if not config_file.is_file():
        return {}
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    for item in config.get("plugins") or []:
        if isinstance(item, dict) and "evidence-ledger" in item:
            return item["evidence-ledger"] or {}
    return {}


def main(argv: list[str]) -> int:
    usage = ("usage: ./run ledger check [--all]\n"
             "       ./run ledger missing docs/page.md")
    if not argv or argv[0] not in ("check", "missing"):
        print(usage, file=sys.stderr)
        return 2
    root = Path.cwd()
    try:
        options = plugin_options(root / "mkdocs.yml")
    except yaml.YAMLError as error:
        line, message = yaml_problem(error)
        print(f"mkdocs.yml:{line}: {message}", file=sys.stderr)
        return 2
    project = Project(root, works=options.get("works", "evidence/works.yml"), claims=options.get("claims", "evidence/claims"),
                      bib_file=options.get("bib_file", "references.bib"))
    ledger = project.ledger()
    if argv[0] == "missing":
        if len(argv) != 2:
            print(usage, file=sys.stderr)
            return 2
        path = Path(argv[1])
        docs = (root / project.docs).resolve()
        if path.suffix != ".md" or not path.is_file() or docs not in path.resolve().parents:
            print(f"{argv[1]}: not a page: name a Markdown file in {project.docs}/, e.g. {project.docs}/index.md", file=sys.stderr)
            return 2
        page = path.resolve().relative_to(docs).as_posix()
        print(missing(page, path.read_text(encoding="utf-8-sig"), ledger), end="")
        return 0
    rules = Rules(covered="all" if "--all" in argv else options.get("covered_pages", "all"),
                  patient_pages=options.get("patient_pages", []), corrections_page=options.get("corrections_page", "corrections.md"))
    problems = check(project.pages(), ledger, rules, project.bib_keys())
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the evidence ledger" if problems else "The evidence ledger has no problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
