"""The evidence ledger: every factual sentence of the site tied to what its source says.

The ledger is two kinds of YAML file beside docs/ (the format is in CONTRIBUTING.md, "The
evidence ledger"):

- evidence/works.yml: for each key of references.bib, the work's design as PubMed or its
  authors give it, and where that was seen;
- evidence/claims/<page>.yml: for each factual sentence of docs/<page>.md, words that find the
  sentence (`says`), the works it cites, the source's own words, where and when they were seen,
  and, if the sentence corrects the 2010 factsheet, what the factsheet said and why it changed.

This package is the ledger's core. It works without MkDocs: it splits each page's Markdown into
sentences, each with its line and the citation keys the project's own citation extension finds in
it (mkdocs_factsheet.citations.syntax, run by Python-Markdown, so code, links and escapes are read
as the site reads them), reads the ledger, and returns every problem as data (the package's one `Problem`: file,
line, what to change). The MkDocs plugin (ledger_plugin.py) reports them and renders the
Corrections list and the ledger's counts; `python -m mkdocs_factsheet.ledger` checks the ledger
and prints skeleton entries for sentences that have none. One module per part: sentences.py (a
page as sentences), records.py (the ledger's files as data), vocabulary.py (the words the rules
know), rules.py (the checks), writing.py (the lists and skeleton entries), cli.py:

    ./run ledger check [--all]          (python -m mkdocs_factsheet.ledger check [--all])
    ./run ledger missing docs/evidence.md

What counts as a sentence: the text of paragraphs, list items and note boxes, split at a full
stop, question or exclamation mark followed by a capital (not after "e.g.", "p.", "et al." and
the like, nor inside brackets); each table row (but the header) is one sentence. Not sentences:
front matter, headings (they name a section; the sentences under it carry its claims), a note
box's title, code, HTML comments and tags, and lines such as `\\bibliography` or `[[ledger: …]]`.
"""

from __future__ import annotations

from mkdocs_factsheet.ledger.cli import main
from mkdocs_factsheet.ledger.records import Claim, Ledger, Problem, Project, Work, read_ledger
from mkdocs_factsheet.ledger.rules import Rules, check
from mkdocs_factsheet.ledger.sentences import Sentence, sentences
from mkdocs_factsheet.ledger.vocabulary import COUNTS_MARKER, CORRECTIONS_MARKER, DESIGNS
from mkdocs_factsheet.ledger.writing import corrections_markdown, counts, counts_markdown, missing

__all__ = [
    "COUNTS_MARKER", "CORRECTIONS_MARKER", "DESIGNS", "Claim", "Ledger", "Problem", "Project", "Rules", "Sentence", "Work",
    "check", "corrections_markdown", "counts", "counts_markdown", "main", "missing", "read_ledger", "sentences",
]
