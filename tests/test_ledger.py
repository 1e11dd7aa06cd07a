"""The evidence ledger (issue 20): each rule fails on a bad edit with its exact message and passes
on the edit CONTRIBUTING.md describes. In process, on small pages and ledgers written here; one
fixture build proves the plugin reports located problems and renders the Corrections list.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from helpers import ROOT, Preview, errors
from mkdocs_factsheet import ledger
from mkdocs_factsheet.ledger import Rules, check, read_ledger, sentences

PAGE = """\
---
title: Home
---

# Acupuncture

## Does it help? 33 trials say

A review of 33 trials found acupuncture eased pain a little [@rev2020].
In trials, it did no better than sham [@rct2006].
The factsheet said it worked for 60% of people.

- In mice, needling released opioids [@mice2008].
"""

WORKS = """\
rev2020:
  design: systematic review with meta-analysis
  seen: "PubMed 1 (abstract)"
rct2006:
  design: randomised controlled trial
  seen: "PubMed 2 (abstract)"
mice2008:
  design: animal study
  seen: "PubMed 3 (title)"
narr2010:
  design: narrative review
  seen: "PubMed 4 (abstract)"
obs2007:
  design: observational study
  seen: "PubMed 5 (title)"
"""

ENTRIES = [
    '- says: "A review of 33 trials"\n  cites: [rev2020]\n  source: "33 trials ... small improvements in pain"\n'
    '  seen: "PubMed 1 (abstract)"\n  checked: 2026-12-01\n',
    '- says: "it did no better than sham"\n  cites: [rct2006]\n  source: "no significant difference between real and sham"\n'
    '  seen: "PubMed 2 (abstract)"\n  checked: 2026-12-01\n',
    '- says: "needling released opioids"\n  cites: [mice2008]\n  source: "electroacupuncture released opioids in mice"\n'
    '  seen: "PubMed 3 (abstract)"\n  checked: 2026-12-01\n',
    '- says: "it worked for 60% of people"\n  cites: []\n  source: "60% of people"\n'
    '  seen: "the 2010 factsheet, page 2"\n  checked: 2026-12-01\n',
]
CLAIMS = "".join(ENTRIES)
WITHOUT_SHAM = ENTRIES[0] + ENTRIES[2] + ENTRIES[3]  # the ledger before the sentence on sham had its entry

RULES = Rules(covered="all", patient_pages=["index.md"])


def problems(page: str = PAGE, claims: str = CLAIMS, works: str = WORKS, rules: Rules = RULES,
             more: dict[str, tuple[str, str]] | None = None, bib_keys=None) -> list[str]:
    """The ledger's problems, as the editor reads them, for index.md (and `more` pages: name -> (page, claims))."""
    pages = {"index.md": page, **{name: text for name, (text, _) in (more or {}).items()}}
    texts = {"index.md": claims, **{name: entries for name, (_, entries) in (more or {}).items()}}
    return [str(problem) for problem in check(pages, read_ledger(works, texts), rules, bib_keys)]


def test_a_page_whose_every_claim_has_its_entry_passes():
    assert problems() == []


# --- Sentences ---------------------------------------------------------------------------------


def test_sentences_have_their_lines_text_and_citation_keys():
    page = textwrap.dedent("""\
        ---
        title: "A page. With a full stop"
        ---

        # A heading [@rev2020]. Not a sentence

        First sentence, e.g. this one, at p. 3 [see @rev2020, p. 3].
        Second one
        runs over two lines [@rct2006; @mice2008]. Third, by K. J. Thomas.

        <!-- A comment. With [@narr2010]. -->
        !!! note "A box title. Not a sentence [@narr2010]"

            Inside the box, `[@narr2010]` is code, not a citation.

        ```text
        Code. [@narr2010]
        ```

        | Study | Finding |
        | --- | --- |
        | [@rev2020] | Small, low certainty |
        """)
    found = [(s.line, s.text, s.keys) for s in sentences(page)]
    assert found == [
        (7, "First sentence, e.g. this one, at p. 3.", ("rev2020",)),
        (8, "Second one runs over two lines.", ("rct2006", "mice2008")),
        (9, "Third, by K. J. Thomas.", ()),
        (14, "Inside the box, [@narr2010] is code, not a citation.", ()),
        (22, "Small, low certainty", ("rev2020",)),
    ]


# --- A cited sentence has an entry; an entry finds its sentence ----------------------------------

NO_ENTRY_AT_LINE_10 = ("docs/index.md:10: this sentence cites rct2006 but has no entry in evidence/claims/index.yml: "
                       "add one (./run ledger missing docs/index.md prints it)")


def test_a_cited_sentence_without_an_entry_is_named_with_the_command_that_writes_it():
    assert problems(claims=WITHOUT_SHAM) == [NO_ENTRY_AT_LINE_10]


def test_rewording_a_sentence_asks_for_its_says_to_be_updated():
    reworded = PAGE.replace("it did no better than sham", "it was no better than sham")
    assert problems(page=reworded) == [
        'evidence/claims/index.yml:6: says "it did no better than sham", which is in no sentence of docs/index.md: '
        "if you reworded the sentence, copy words of its new text into says (and check its source still backs it); "
        "if you removed it, remove this entry",
        NO_ENTRY_AT_LINE_10,
    ]
    assert problems(page=reworded, claims=CLAIMS.replace("it did no better", "it was no better")) == []


def test_removing_a_sentence_asks_for_its_entry_to_go():
    removed = PAGE.replace("In trials, it did no better than sham [@rct2006].\n", "")
    assert problems(page=removed)[0].startswith('evidence/claims/index.yml:6: says "it did no better than sham", which is in no sentence')
    assert problems(page=removed, claims=WITHOUT_SHAM) == []


def test_says_that_finds_two_sentences_asks_for_more_words():
    claims = CLAIMS.replace('says: "it did no better than sham"', 'says: "trials"')
    assert problems(claims=claims) == [
        'evidence/claims/index.yml:6: says "trials", which is in 2 sentences of docs/index.md (lines 9, 10): '
        "add words so that it finds only one",
        NO_ENTRY_AT_LINE_10,
    ]
    assert problems(claims=claims.replace('says: "trials"', 'says: "In trials"')) == []


def test_says_matches_what_readers_see_or_the_markdown_with_either_quotes():
    page = PAGE.replace("no better than sham", "no better than [sham](glossary.md#sham) (“fake”)")
    for says in ("no better than sham (\\\"fake\\\")", "no better than [sham](glossary.md#sham)"):
        assert problems(page=page, claims=CLAIMS.replace("it did no better than sham", says)) == [], says


def test_two_entries_for_one_sentence_are_one_too_many():
    claims = CLAIMS + ENTRIES[0].replace("A review of 33 trials", "eased pain a little")
    assert problems(claims=claims) == [
        "evidence/claims/index.yml:21: is a second entry for the sentence at docs/index.md:9 (the first is at line 1): keep one entry per sentence"
    ]


def test_a_citation_added_to_a_sentence_is_added_to_its_entry():
    page = PAGE.replace("than sham [@rct2006]", "than sham [@rct2006; @rev2020]")
    assert problems(page=page) == [
        "docs/index.md:10: this sentence cites rct2006, rev2020, but its entry (evidence/claims/index.yml:7) has "
        "cites: [rct2006]: change the entry to cites: [rct2006, rev2020], and check its source backs each work"
    ]
    assert problems(page=page, claims=CLAIMS.replace("cites: [rct2006]", "cites: [rct2006, rev2020]")) == []


# --- Entries are complete --------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    (('  source: "no significant difference between real and sham"\n', ""),
     "evidence/claims/index.yml:6: the entry has no source: add source: the source's own words that back the sentence, a short quote"),
    (('  seen: "PubMed 2 (abstract)"\n', ""),
     "evidence/claims/index.yml:6: the entry has no seen: add seen: where you saw those words (PubMed id, DOI or page address)"),
    (("  checked: 2026-12-01\n- says: \"needling", "  checked: 1 December 2026\n- says: \"needling"),
     "evidence/claims/index.yml:10: the entry needs checked: the day you checked, as YYYY-MM-DD (found 1 December 2026)"),
    (("  checked: 2026-12-01\n- says: \"needling", "  checked: 2026-13-01\n- says: \"needling"),
     "evidence/claims/index.yml:10: the entry needs checked: the day you checked, as YYYY-MM-DD (found 2026-13-01)"),
    (("  seen: \"PubMed 2 (abstract)\"\n", "  seen: \"PubMed 2 (abstract)\"\n  sen: x\n"),
     "evidence/claims/index.yml:10: unknown field 'sen': an entry has says, cites, source, seen, checked, fact, correction, other_designs"),
    (("cites: [rct2006]", "cites: [rct2066]"),
     "evidence/claims/index.yml:7: cites rct2066, which has no entry in evidence/works.yml: add rct2066: with its design as PubMed or its authors give it"),
])
def test_an_incomplete_entry_says_what_to_add(change, message):
    assert message in problems(claims=CLAIMS.replace(*change))


def test_an_unreadable_ledger_file_is_one_located_line():
    claims = CLAIMS.replace('  source: "no significant difference', '  source: no: significant "difference')
    assert problems(claims=claims)[0] == (
        "evidence/claims/index.yml:8: a colon inside a value: put the whole value in double quotes, "
        'e.g. title: "Acupuncture: what the research says" (YAML: mapping values are not allowed here)'
    )


def test_works_have_a_known_design_and_a_bibliography_key():
    works = WORKS.replace("design: narrative review", "design: narative review").replace("rct2006:", "rct2060:")
    found = problems(works=works, bib_keys={"rev2020", "rct2006", "mice2008", "narr2010"})
    assert "evidence/works.yml:4: rct2060 is not a key in references.bib (did you mean 'rct2006'?): correct the key, or remove the entry" in found
    assert ("evidence/works.yml:10: narr2010: design 'narative review' is not one of the ledger's designs: did you mean 'narrative review'? "
            "use one listed in CONTRIBUTING.md, 'The evidence ledger'") in found


def test_a_claims_file_for_no_page_is_named():
    pages = {"index.md": PAGE}
    found = [str(p) for p in check(pages, read_ledger(WORKS, {"index.md": CLAIMS, "gone.md": "[]"}), RULES)]
    assert found == ["evidence/claims/gone.yml:1: is the ledger of docs/gone.md, which is not a page of the site: "
                     "name it after its page (evidence/claims/<page>.yml), or delete it if the page is gone"]


# --- Patient pages: a number, an effect or a cause has a source -------------------------------------


UNCITED = [
    ("Acupuncture helps 8 in 10 people.", "a number (8)"),
    ("Acupuncture eases back pain.", "an effect ('eases')"),
    ("Back pain is often caused by strain.", "a cause ('caused')"),
]


def uncited_claim_at_line_15(what: str) -> list[str]:
    """What the ledger says of an uncited claim added at the end of PAGE (its line 15)."""
    return [
        f"docs/index.md:15: states {what} with no citation: cite the work it comes from ([@key]), "
        "or say whose claim it is (\"The factsheet said …\")",
        f"docs/index.md:15: this sentence states {what} but has no entry in evidence/claims/index.yml: "
        "add one, with cites: [] as it cites nothing (./run ledger missing docs/index.md prints it)",
    ]


def entry(says: str, cites: str = "") -> str:
    return f'- says: "{says}"\n  cites: [{cites}]\n  source: "words"\n  seen: "PubMed 2"\n  checked: 2026-12-01\n'


@pytest.mark.parametrize("sentence, what", UNCITED)
def test_an_uncited_claim_on_a_patient_page_needs_a_source_or_whose_claim_it_is(sentence, what):
    page = PAGE + f"\n{sentence}\n"
    assert problems(page=page) == uncited_claim_at_line_15(what)
    attributed = sentence[0].lower() + sentence[1:-1]
    assert problems(page=PAGE + f"\nThe factsheet said: {attributed}.\n", claims=CLAIMS + entry(attributed)) == []
    assert problems(page=PAGE + f"\n{sentence[:-1]} [@rct2006].\n", claims=CLAIMS + entry(sentence[:-1], "rct2006")) == []


def test_the_rule_for_uncited_claims_is_for_patient_pages_only():
    page = PAGE + "\nAcupuncture eases back pain.\n"
    rules = Rules(covered="all", patient_pages=[])
    assert problems(page=page, rules=rules) == [
        "docs/index.md:15: this sentence states an effect ('eases') but has no entry in evidence/claims/index.yml: "
        "add one, with cites: [] as it cites nothing (./run ledger missing docs/index.md prints it)"
    ]
    assert problems(page=page, rules=rules, claims=CLAIMS + entry("Acupuncture eases back pain")) == []


# On a page for patients a share ("most", "rarely"), a classification ("X is a Y") and a finding are
# claims too (CONTRIBUTING, "What counts as a claim on a page for patients").
SHARES_KINDS_FINDINGS = [
    ("Most low back pain is like this.", "a proportion ('Most')"),
    ("Serious problems are rare.", "a proportion ('rare')"),
    ("Side effects usually pass within a day.", "a proportion ('usually')"),
    ("Half of those who try it stop.", "a proportion ('Half')"),
    ("Codeine is a weak opioid.", "a classification ('Codeine is a …')"),
    ("Acupuncture points are one of the oldest ideas in medicine.", "a classification ('Acupuncture points are one of …')"),
    ("A study in rabbits found that needles widened blood vessels.", "a finding ('found that')"),
]


@pytest.mark.parametrize("sentence, what", SHARES_KINDS_FINDINGS)
def test_a_share_a_kind_or_a_finding_on_a_patient_page_needs_a_source_or_whose_claim_it_is(sentence, what):
    page = PAGE + f"\n{sentence}\n"
    assert problems(page=page) == uncited_claim_at_line_15(what)
    cited = sentence[:-1] + " [@rct2006]."
    assert problems(page=PAGE + f"\n{cited}\n", claims=CLAIMS + entry(sentence[:-1], "rct2006")) == []
    attributed = "The factsheet said " + sentence[0].lower() + sentence[1:]
    assert problems(page=PAGE + f"\n{attributed}\n", claims=CLAIMS + entry(attributed[:-1])) == []
    # On a page for GPs and researchers these words alone do not make a claim (numbers, effects and causes do).
    assert problems(page=page, rules=Rules(covered="all", patient_pages=[])) == []


NOT_CLAIMS = [
    "## Most people ask: is it safe?",  # a heading
    "How many sessions will I need?",  # a question
    "Ask your GP which treatment suits you most.",  # an instruction
    "If you feel faint, tell the practitioner and lie down.",
    "So do not drive until you know how it affects you.",
    "Each trial describes its own usual care.",  # usual care names a comparison, it is not a share
    "- your baby moving less than usual, more slowly or in a different pattern",  # compares with the usual, claims no share
    "It is a question the studies did not ask.",  # "It is a" points back; it classifies nothing new
    "This page explains some words you will meet.",
    "Whatever care people would have had anyway, such as GP visits or painkillers.",  # a definition
]


@pytest.mark.parametrize("sentence", NOT_CLAIMS)
def test_headings_questions_instructions_and_definitions_are_not_claims(sentence):
    assert problems(page=PAGE + f"\n{sentence}\n") == []


def test_an_instruction_that_gives_a_number_is_still_a_claim():
    """A phone number or a dose in safety advice is a fact that needs its source."""
    assert problems(page=PAGE + "\nCall 999 if you have chest pain.\n")[0] == (
        "docs/index.md:15: states a number (999) with no citation: cite the work it comes from ([@key]), "
        "or say whose claim it is (\"The factsheet said …\")")


def test_the_glossary_as_it_was_fails_and_as_it_is_passes():
    """The two sentences that slipped through before the rule covered shares and classifications:
    the real glossary, with its real ledger, before and after they were cited."""
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    claims = (ROOT / "evidence" / "claims" / "glossary.yml").read_text(encoding="utf-8")
    works = (ROOT / "evidence" / "works.yml").read_text(encoding="utf-8")
    rules = Rules(covered="all", patient_pages=["glossary.md"])

    def glossary_problems(page: str, entries: str) -> list[str]:
        return [str(p) for p in check({"glossary.md": page}, read_ledger(works, {"glossary.md": entries}), rules)]

    assert glossary_problems(glossary, claims) == []
    before = glossary.replace(" [@nhsscotlandnd].", ".").replace(" [@uclhnd].", ".")
    before_claims = "\n".join(part for part in claims.split("\n\n") if "nhsscotlandnd" not in part and "uclhnd" not in part)
    most = 1 + before.split("\n").index("Most low back pain that people see a GP about is probably like this.")
    codeine = 1 + next(i for i, line in enumerate(before.split("\n")) if "Codeine is a weak opioid." in line)
    assert glossary_problems(before, before_claims) == [
        f"docs/glossary.md:{most}: states a proportion ('Most') with no citation: cite the work it comes from ([@key]), "
        "or say whose claim it is (\"The factsheet said …\")",
        f"docs/glossary.md:{most}: this sentence states a proportion ('Most') but has no entry in evidence/claims/glossary.yml: "
        "add one, with cites: [] as it cites nothing (./run ledger missing docs/glossary.md prints it)",
        f"docs/glossary.md:{codeine}: states a classification ('Codeine is a …') with no citation: cite the work it comes from "
        "([@key]), or say whose claim it is (\"The factsheet said …\")",
        f"docs/glossary.md:{codeine}: this sentence states a classification ('Codeine is a …') but has no entry in "
        "evidence/claims/glossary.yml: add one, with cites: [] as it cites nothing (./run ledger missing docs/glossary.md prints it)",
    ]


def test_the_warning_signs_file_says_where_it_is_wrong():
    from mkdocs_factsheet.ledger.warning_signs import read_warning_signs

    good = ('tiers:\n  - box: "Call 999 if you have back pain and"\n    safety_line: "Call 999 if:"\n    signs:\n'
            '      - "chest pain"\n      - "changes in your bladder or bowels, such as difficulty peeing"\n')
    tiers, found = read_warning_signs(good)
    assert found == [] and tiers[0].line == 2 and tiers[0].signs == ["chest pain", "changes in your bladder or bowels, such as difficulty peeing"]
    shape = ("write tiers: as a list, each with box: (the box's title on the home page), signs: (a list, one sign a line, "
             "in quotes) and, for the signs the safety line names, safety_line: (its words before them)")
    assert [str(p) for p in read_warning_signs(good.replace('      - "chest pain"\n', "      - 999\n"))[1]] == [
        f"evidence/warning-signs.yml:2: {shape}"]
    assert [str(p) for p in read_warning_signs(good.replace('"Call 999 if:"', "Call 999 if: now"))[1]] == [
        'evidence/warning-signs.yml:3: a colon inside a value: put the whole value in double quotes, e.g. title: '
        '"Acupuncture: what the research says" (YAML: mapping values are not allowed here)']


def test_the_ledger_reports_the_packages_one_problem_type():
    from mkdocs_factsheet.problems import Problem

    found = check({"index.md": PAGE + "\nAcupuncture eases back pain.\n"}, read_ledger(WORKS, {"index.md": CLAIMS}), RULES)
    assert found and all(type(problem) is Problem for problem in found)
    assert (found[0].file, found[0].line, found[0].severity) == ("docs/index.md", 15, "warning")
    assert ledger.Problem is Problem


def test_the_ledger_core_runs_without_mkdocs():
    """The core reads, checks and writes with MkDocs (and Material) not importable at all."""
    import subprocess
    import sys

    script = textwrap.dedent("""\
        import importlib.abc, sys

        class NoMkDocs(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] in ("mkdocs", "material"):
                    raise ImportError(name)

        sys.meta_path.insert(0, NoMkDocs())
        from mkdocs_factsheet.ledger import Rules, check, missing, read_ledger
        page = "# Home\\n\\nCodeine is a weak opioid.\\n"
        ledger = read_ledger("", {"index.md": "[]"})
        for problem in check({"index.md": page}, ledger, Rules(patient_pages=["index.md"])):
            print(problem)
        print(missing("index.md", page, ledger, patient_page=True), end="")
        """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "docs/index.md:3: states a classification ('Codeine is a …') with no citation: cite the work it comes from ([@key]), "
        "or say whose claim it is (\"The factsheet said …\")",
        "docs/index.md:3: this sentence states a classification ('Codeine is a …') but has no entry in evidence/claims/index.yml: "
        "add one, with cites: [] as it cites nothing (./run ledger missing docs/index.md prints it)",
    ]
    assert '- says: "Codeine is a weak opioid."' in result.stdout


def test_a_signpost_to_another_page_is_not_a_claim():
    assert problems(page=PAGE + "\n- [Clinical guidance](guidance.md): what NICE said in 2009.\n") == []


# --- Animal, laboratory and hypothesis works are hedged ---------------------------------------------


def test_an_animal_study_read_as_a_finding_in_people_is_named():
    page = PAGE.replace("In mice, needling released opioids", "Then needling released opioids")
    assert problems(page=page) == [
        "docs/index.md:13: cites mice2008, an animal study, as if it were a finding in people: say what it was "
        "(\"in mice\", \"in the laboratory\", \"a theory\") or how sure it is (\"may\", \"suggests\")"
    ]
    hedged = PAGE.replace("In mice, needling released", "Then needling may have released")
    assert problems(page=hedged, claims=CLAIMS.replace("needling released", "needling may have released")) == []


# --- Design words fit the design recorded ------------------------------------------------------------


def test_a_design_word_that_does_not_fit_the_work_is_named():
    page = PAGE + "\nA systematic review found it promising [@narr2010].\n"
    entry = '- says: "found it promising"\n  cites: [narr2010]\n  source: "promising"\n  seen: "PubMed 4"\n  checked: 2026-12-01\n'
    assert problems(page=page, claims=CLAIMS + entry) == [
        "docs/index.md:15: says 'systematic review', which does not fit the design of the work it cites: narr2010 is "
        "recorded as 'narrative review' (evidence/works.yml:10): use words that fit its design, or, if 'systematic review' "
        "is about other works (such as the studies it looked at), add other_designs: [systematic review] to this "
        "sentence's entry (evidence/claims/index.yml:21)"
    ]
    assert problems(page=page.replace("A systematic review", "A narrative review"), claims=CLAIMS + entry) == []


def test_pooled_needs_a_meta_analysis_and_other_designs_covers_words_about_other_works():
    page = PAGE + "\nIt pooled the results of trials [@narr2010].\n"
    entry = '- says: "It pooled the results"\n  cites: [narr2010]\n  source: "x"\n  seen: "PubMed 4"\n  checked: 2026-12-01\n'
    assert problems(page=page, claims=CLAIMS + entry)[0].startswith("docs/index.md:15: says 'pooled', which does not fit")
    assert problems(page=page, claims=CLAIMS + entry + "  other_designs: [pooled]\n") == []
    assert problems(page=PAGE.replace("A review of 33 trials", "A meta-analysis of 33 trials"),
                    claims=CLAIMS.replace("A review of 33 trials", "of 33 trials")) == []


# --- The same fact agrees on every page --------------------------------------------------------------


OTHER = "# Evidence\n\nThe 2020 review included {n} trials and found {strength} evidence [@rev2020].\n"
OTHER_CLAIMS = '- says: "The 2020 review"\n  cites: [rev2020]\n  source: "x"\n  seen: "PubMed 1"\n  checked: 2026-12-01\n  fact: review-size\n'


@pytest.mark.parametrize("n, strength, message", [
    ("30", "weak", "docs/evidence.md:3: gives fact 'review-size' with figures 30, but docs/index.md:9 gives it with 33: "
                   "make them agree, or give the two entries different fact ids if they are different facts"),
    ("33", "strong", "docs/evidence.md:3: gives fact 'review-size' with strength words 'strong', but docs/index.md:9 gives it with "
                     "'weak': make them agree, or give the two entries different fact ids if they are different facts"),
])
def test_one_fact_on_two_pages_has_the_same_figures_and_strength(n, strength, message):
    claims = CLAIMS.replace("  checked: 2026-12-01\n- says: \"it did", "  checked: 2026-12-01\n  fact: review-size\n- says: \"it did", 1)
    other = {"evidence.md": (OTHER.format(n=n, strength=strength), OTHER_CLAIMS)}
    assert problems(claims=claims, more=other) == [message]
    agreeing = {"evidence.md": (OTHER.format(n="33", strength="low-certainty"), OTHER_CLAIMS)}
    assert problems(claims=claims, more=agreeing) == []


# --- Corrections are recorded and listed ---------------------------------------------------------------


CORRECTED = PAGE + "\nThe factsheet said rats, but the study used mice [@mice2008].\n"
CORRECTION_ENTRY = ('- says: "The factsheet said rats"\n  cites: [mice2008]\n  source: "in mice"\n  seen: "PubMed 3 (title)"\n'
                    '  checked: 2026-12-01\n')


def test_a_correction_without_its_correction_entry_is_named():
    assert problems(page=CORRECTED) == [
        "docs/index.md:15: this sentence cites mice2008 but has no entry in evidence/claims/index.yml: "
        "add one (./run ledger missing docs/index.md prints it)",
        "docs/index.md:15: corrects the factsheet, but has no entry: add one in evidence/claims/index.yml with correction: "
        "factsheet_said: and why:, so that the Corrections page lists it",
    ]
    assert problems(page=CORRECTED, claims=CLAIMS + CORRECTION_ENTRY) == [
        "docs/index.md:15: corrects the factsheet, but its entry (evidence/claims/index.yml:21) has no correction: "
        "add correction: with factsheet_said: and why:, so that the Corrections page lists it"
    ]
    half = CORRECTION_ENTRY + "  correction:\n    factsheet_said: \"a study in rats\"\n"
    assert problems(page=CORRECTED, claims=CLAIMS + half) == [
        "evidence/claims/index.yml:26: correction: add why: (what the factsheet said, and why we changed it): the Corrections page shows both"
    ]
    whole = half + "    why: \"The study's title says mice.\"\n"
    assert problems(page=CORRECTED, claims=CLAIMS + whole) == []


def test_the_corrections_list_is_made_from_the_ledger():
    entry = CORRECTION_ENTRY + "  correction:\n    title: Kim 2008 used mice\n    factsheet_said: \"a study in rats.\"\n    why: \"The study's title says mice.\"\n"
    made = ledger.corrections_markdown(read_ledger(WORKS, {"index.md": CLAIMS + entry}), "corrections.md", {"index.md": "Home"})
    assert made == "- **Kim 2008 used mice.** The factsheet said: “a study in rats”. The study's title says mice [@mice2008]. See [Home](index.md)."


# --- The helper that writes entries ---------------------------------------------------------------------


def test_missing_prints_entries_that_pass_once_a_person_fills_them_in():
    claims = WITHOUT_SHAM
    skeleton = ledger.missing("index.md", PAGE, read_ledger(WORKS, {"index.md": claims}))
    assert skeleton == (
        "# line 10: In trials, it did no better than sham.\n"
        "- says: \"In trials, it did no better\"\n"
        "  cites: [rct2006]\n"
        "  source: \"\"   # the source's own words that back the sentence, a short quote\n"
        "  seen: \"\"     # where you saw them: PubMed id, DOI or page address\n"
        "  checked:      # the day you checked, YYYY-MM-DD\n"
    )
    assert "the entry has no source" in " ".join(problems(claims=claims + skeleton))
    filled = skeleton.replace('source: ""', 'source: "no difference"').replace('seen: ""', 'seen: "PubMed 2"').replace("checked: ", "checked: 2026-12-01")
    assert problems(claims=claims + filled) == []


def test_the_command_line_checks_and_prints_missing_entries(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FACTSHEET_TODAY", "2026-12-01")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "evidence" / "claims").mkdir(parents=True)
    (tmp_path / "evidence" / "works.yml").write_text(WORKS, encoding="utf-8")
    (tmp_path / "evidence" / "claims" / "index.yml").write_text(WITHOUT_SHAM, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_url: !ENV [SITE_URL, null]\nplugins:\n  - evidence-ledger:\n      covered_pages: []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert ledger.main(["check"]) == 0
    assert capsys.readouterr().out == "The evidence ledger has no problems.\n"
    assert ledger.main(["check", "--all"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        NO_ENTRY_AT_LINE_10,
        "1 problem(s) in the evidence ledger",
    ]
    assert ledger.main(["missing", "docs/indx.md"]) == 2
    assert capsys.readouterr().err == "docs/indx.md: not a page: name a Markdown file in docs/, e.g. docs/index.md\n"
    assert ledger.main(["missing", "docs/index.md"]) == 0
    assert capsys.readouterr().out.startswith("# line 10: In trials, it did no better than sham.\n- says: \"In trials, it did no better\"\n")


# --- At build time -----------------------------------------------------------------------------------------


SITE_PAGES = {
    "index.md": "# Home\n\nWitt found a small benefit [@witt2006].\n",
    "corrections.md": "# Corrections\n\nWe list every change.\n\n[[ledger: corrections]]\n",
    "how-we-check.md": "# How we check\n\n[[ledger: counts]]\n",
}
SITE_WORKS = "witt2006:\n  design: randomised controlled trial\n  seen: \"PubMed 111\"\n"
SITE_CLAIMS = ('- says: "Witt found a small benefit"\n  cites: [witt2006]\n  source: "small benefit"\n  seen: "PubMed 111"\n'
               '  checked: 2026-12-01\n  correction:\n    factsheet_said: "a large benefit"\n    why: "The trial found a small one."\n')


def ledger_site(fixture_site, claims: str):
    built = fixture_site(SITE_PAGES)
    (built.path / "evidence" / "claims").mkdir(parents=True)
    (built.path / "evidence" / "works.yml").write_text(SITE_WORKS, encoding="utf-8")
    (built.path / "evidence" / "claims" / "index.yml").write_text(claims, encoding="utf-8")
    config = built.path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "plugins:\n", "plugins:\n  - evidence-ledger:\n      bib_file: refs.bib\n      patient_pages: [index.md]\n", 1), encoding="utf-8")
    # Listed after citations, as in the site's mkdocs.yml: move the ledger's lines below citations'.
    text = config.read_text(encoding="utf-8")
    ledger_lines = "  - evidence-ledger:\n      bib_file: refs.bib\n      patient_pages: [index.md]\n"
    config.write_text(text.replace(ledger_lines, "").replace("      csl_file: style.csl\n", "      csl_file: style.csl\n" + ledger_lines), encoding="utf-8")
    return built


def test_the_build_reports_ledger_problems_with_file_and_line(fixture_site, monkeypatch):
    monkeypatch.setenv("FACTSHEET_TODAY", "2026-12-01")
    built = ledger_site(fixture_site, SITE_CLAIMS.replace("Witt found a small benefit", "Witt found a big benefit"))
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in errors(result) if line.startswith("evidence-ledger")] == [
        'evidence-ledger: evidence/claims/index.yml:1: says "Witt found a big benefit", which is in no sentence of docs/index.md: '
        "if you reworded the sentence, copy words of its new text into says (and check its source still backs it); if you removed it, remove this entry",
        "evidence-ledger: docs/index.md:3: this sentence cites witt2006 but has no entry in evidence/claims/index.yml: "
        "add one (./run ledger missing docs/index.md prints it)",
    ], result.stderr


def test_the_build_renders_the_corrections_list_and_the_counts(fixture_site, monkeypatch):
    monkeypatch.setenv("FACTSHEET_TODAY", "2026-12-01")
    built = ledger_site(fixture_site, SITE_CLAIMS)
    result = built.build()
    assert result.returncode == 0, result.stderr
    item = next(li for li in built.html("corrections").select("li") if "The factsheet said" in li.get_text())
    text = " ".join(item.get_text(" ").split())
    assert text == "The factsheet said: “a large benefit”. The trial found a small one ( Witt 2006 ) . See Home ."
    assert item.select_one("a.citation-link")["href"].endswith("#ref-witt2006")
    assert item.select_one('a[href="../"]') is not None, "links to the page it corrects"
    rows = {" ".join(tr.get_text(" ").split()) for tr in built.html("how-we-check").select("tr")}
    assert {"Sentences tied to what their source says 1", "Corrections to the 2010 factsheet 1",
            "Works with their design recorded 1 of 3", "Randomised controlled trial 1"} <= rows


@pytest.mark.serve
def test_the_preview_box_shows_a_ledger_problem_on_its_page_until_it_is_fixed(fixture_site):
    """A real `mkdocs serve` of a small site: rewording a sentence without its `says` puts the
    problem at the top of the page in the browser; updating `says` clears it."""
    built = ledger_site(fixture_site, SITE_CLAIMS)
    config = built.path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - editor-preview\n", encoding="utf-8")  # the plugin watches evidence/
    preview = Preview(built.path, env={"FACTSHEET_TODAY": "2026-12-01"})
    preview.start()
    try:
        assert preview.box("") is None
        with preview.edited("docs/index.md", "Witt found a small benefit", "Witt reported a small benefit"):
            preview.wait_until("ledger problem shown", lambda: preview.box("") is not None)
            shown = [" ".join(li.get_text("").split()) for li in preview.box("").select("li")]
            assert any('evidence/claims/index.yml:1: says "Witt found a small benefit", which is in no sentence of docs/index.md' in line
                       for line in shown), shown
            assert any("docs/index.md:3: this sentence cites witt2006 but has no entry" in line for line in shown), shown
            with preview.edited("evidence/claims/index.yml", "Witt found a small benefit", "Witt reported a small benefit"):
                preview.wait_until("ledger problem cleared", lambda: preview.box("") is None)
    finally:
        preview.stop()
    assert "Traceback" not in preview.log


@pytest.mark.parametrize("sentence", [
    "It was not randomised [@obs2007].",
    "It was a non-randomised comparison [@obs2007].",
    "It was not a trial [@obs2007].",
    "It was not a systematic review [@narr2010].",
    "The factsheet called it a systematic review [@narr2010].",
])
def test_design_words_that_say_what_a_work_was_not_or_quote_the_factsheet_pass(sentence):
    key = sentence.split("@")[1].rstrip("].")
    entry = f'- says: "{sentence.split(" [")[0]}"\n  cites: [{key}]\n  source: "x"\n  seen: "PubMed"\n  checked: 2026-12-01\n'
    assert problems(page=PAGE + f"\n{sentence}\n", claims=CLAIMS + entry, rules=Rules(covered="all")) == []
    affirmed = sentence.replace("not a ", "a ").replace("not ", "").replace("non-", "").replace("The factsheet called it", "It was")
    entry = entry.replace(sentence.split(" [")[0], affirmed.split(" [")[0])
    assert problems(page=PAGE + f"\n{affirmed}\n", claims=CLAIMS + entry, rules=Rules(covered="all"))[0].startswith(
        "docs/index.md:15: says '"), affirmed


def test_what_the_factsheet_said_about_an_animal_study_needs_no_hedge():
    sentence = "The factsheet gave its volume as 75 [@mice2008]."
    entry = '- says: "The factsheet gave its volume"\n  cites: [mice2008]\n  source: "75"\n  seen: "the factsheet"\n  checked: 2026-12-01\n'
    assert problems(page=PAGE + f"\n{sentence}\n", claims=CLAIMS + entry) == []


def test_contributing_lists_every_design_the_ledger_accepts():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    listed = guide.split("Use one of these designs:", 1)[1].split("###", 1)[0]
    assert [line[2:] for line in listed.strip().splitlines()] == list(ledger.DESIGNS)


def test_the_counts_say_what_the_ledger_holds_even_when_it_is_empty():
    empty = read_ledger(WORKS, {})
    figures = ledger.counts(empty, {"index.md": PAGE, "other.md": "# Other\n"}, Rules(covered=["index.md"]), bib_keys={"rev2020", "x", "y", "z", "w", "v"})
    table = ledger.counts_markdown(figures)
    assert "| Sentences tied to what their source says | 0 |" in table
    assert "| Pages covered: every factual sentence held to the ledger | 1 of 2 |" in table
    assert "| Works with their design recorded | 5 of 6 |" in table
    assert "| First and last check of a sentence | none yet |" in table


def test_a_page_without_its_ledger_line_is_named(fixture_site, monkeypatch):
    monkeypatch.setenv("FACTSHEET_TODAY", "2026-12-01")
    built = ledger_site(fixture_site, SITE_CLAIMS)
    corrections = built.path / "docs" / "corrections.md"
    corrections.write_text(corrections.read_text(encoding="utf-8").replace("[[ledger: corrections]]\n", ""), encoding="utf-8")
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in errors(result) if line.startswith("evidence-ledger")] == [
        "evidence-ledger: docs/corrections.md:1: has no line [[ledger: corrections]]: put it where the ledger's list goes"
    ]


def contributing_examples() -> list[str]:
    """The YAML examples of CONTRIBUTING.md's section on the ledger, without their indentation."""
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## The evidence ledger", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"^( *)```yaml\n(.*?)^\1```$", section, re.MULTILINE | re.DOTALL)
    return [textwrap.dedent(body) for _, body in found]


def test_the_examples_in_contributing_pass_as_they_say():
    skeleton, filled, corrected, works = contributing_examples()
    page = ("# Example\n\nA 2020 Cochrane review of 33 trials found only weak (low-certainty) evidence [@mu2020].\n\n"
            "The factsheet said rats, but the study's title says mice [@kim2008].\n")
    real_works = (ROOT / "evidence" / "works.yml").read_text(encoding="utf-8")
    rules = Rules(covered="all", patient_pages=["index.md"])
    assert problems(page=page, claims=filled + corrected, works=real_works, rules=rules) == []
    assert "the entry has no source" in " ".join(problems(page=page, claims=skeleton + corrected, works=real_works, rules=rules))
    assert [str(p) for p in read_ledger(works, {}).problems] == [] and "thomas2006" in read_ledger(works, {}).works


def test_a_work_or_a_field_written_twice_is_named():
    works = WORKS + "rct2006:\n  design: observational study\n  seen: \"PubMed 2\"\n"
    assert problems(works=works)[0] == (
        "evidence/works.yml:16: rct2006 is written twice (first at line 4), and only this one would count: keep one")
    claims = CLAIMS.replace("  cites: [rct2006]\n", "  cites: [rct2006]\n  cites: [rct2006]\n")
    assert problems(claims=claims) == [
        "evidence/claims/index.yml:8: cites is written twice (first at line 7), and only this one would count: keep one"]


def test_a_check_dated_after_today_is_named_and_the_day_itself_passes():
    from datetime import date

    ahead = Rules(covered="all", patient_pages=["index.md"], today=date(2026, 11, 30))
    assert problems(rules=ahead)[0] == (
        "evidence/claims/index.yml:5: checked 2026-12-01 is in the future: write the day you checked, as YYYY-MM-DD")
    assert problems(rules=Rules(covered="all", patient_pages=["index.md"], today=date(2026, 12, 1))) == []


def test_a_third_page_is_compared_with_each_page_before_it():
    """The first page gives the fact without a figure; the second and third disagree with each other."""
    claims = CLAIMS.replace("  checked: 2026-12-01\n- says: \"needling", "  checked: 2026-12-01\n  fact: review-size\n- says: \"needling", 1)
    second = (OTHER.format(n="33", strength="some"), OTHER_CLAIMS)
    third = ("# Third\n\nThe 2020 review had 30 trials [@rev2020].\n",
             '- says: "The 2020 review had"\n  cites: [rev2020]\n  source: "x"\n  seen: "PubMed 1"\n  checked: 2026-12-01\n  fact: review-size\n')
    assert problems(claims=claims, more={"evidence.md": second, "third.md": third}) == [
        "docs/third.md:3: gives fact 'review-size' with figures 30, but docs/evidence.md:3 gives it with 33: "
        "make them agree, or give the two entries different fact ids if they are different facts"
    ]
