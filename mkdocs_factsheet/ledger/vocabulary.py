"""The words the ledger's rules know: designs, hedges, design words, claims, attribution, corrections
and strength, and the lines a page writes where the ledger's lists go."""

from __future__ import annotations

import re

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
# On a page for patients, more sentences tell the reader how things are (CONTRIBUTING, "What counts
# as a claim"): a share or how often, what kind of thing something is, and what a study found.
PROPORTION = re.compile(
    r"\b(most(?!\s+\w+(?:ful|ive|ant|ent|able|ible|ous|ly|ic|al)\b)|many|few|half|majority|minority|nearly all|"
    r"almost all|rare(?:ly)?|common(?:ly)?|(?<!than )(?<!as )usual(?:ly)?(?!\s+(?:NHS\s+)?care)|often|frequent(?:ly)?|seldom|typical(?:ly)?|"
    r"sometimes|occasional(?:ly)?)\b",
    re.IGNORECASE,
)  # "most useful" and "less than usual" compare; "usual care" names what a trial compared with: none is a share
CLASSIFICATION = re.compile(  # "Codeine is a weak opioid"; not "It is a …", "This is a …" (they point back)
    r"^(?:(?:But|And|So|Yet)\s+)?(?!(?:This|That|It|These|Those|There|Here|We|You|They|He|She|I|Each|One|What|Which|Who|"
    r"Such|Our|Your|Its|Their)\b)[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,3}?\s+(?:is|are|was|were)\s+(?:not\s+)?(?:an?|one of)\b"
)
FINDING = re.compile(r"\b(?:found|showed|shows?|suggest(?:s|ed)?) that\b|\b(?:has|have|had) been shown\b", re.IGNORECASE)
# Not claims: a question, and an instruction to the reader ("Ask your GP", "If you feel faint, tell …").
INSTRUCTION = re.compile(
    r"^(?:(?:So|Then|Also|Please)\s+|If you\b[^,]*,\s*)?(?:read|see|ask|tell|call|choose|check|go|find|talk|do not|don't|never|"
    r"always|get|use|stop|lie|keep|contact|book|visit|look|try|follow)\b",
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
