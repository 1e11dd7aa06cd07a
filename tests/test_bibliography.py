"""LaTeX in bib fields becomes plain Unicode text as pybtex's own LaTeX reader makes it.

`plain()` hands text to that reader only when the text has LaTeX the reader must read; the rest it
converts itself, which is 200 times faster. These tests hold the two to the same answer.
"""

import random
import re

from pybtex.backends.plaintext import Backend
from pybtex.database import parse_file
from pybtex.richtext import Text

from helpers import ROOT
from mkdocs_factsheet.citations.bibliography import LATEX_TO_READ, plain

# Every character the reader treats specially, and some it does not, in ASCII and beyond.
ALPHABET = list("aZ09 .,;:()/[]&!?+*=@#_\"<>|-'{}\\%$~`^é–ü\u00a0")


def read_by_pybtex(latex: str) -> str:
    return Text.from_latex(latex).render(Backend())


def as_pybtex_gives_it(text: str) -> str:
    """A field value as pybtex hands it over: whitespace runs as one space, none at the ends,
    braces balanced (anything else is a syntax error, reported by line elsewhere)."""
    text = re.sub(r"[ \t\n]+", " ", text).strip(" \t\n")
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return ""
    return text if depth == 0 else ""


def test_plain_agrees_with_pybtex_on_random_text():
    rng = random.Random(20261130)
    compared, disagreements = 0, []
    for _ in range(120_000):
        text = as_pybtex_gives_it("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24))))
        if not text or LATEX_TO_READ.search(text):
            continue  # handed to the reader itself: nothing to compare
        compared += 1
        if plain(text) != read_by_pybtex(text):
            disagreements.append((text, plain(text), read_by_pybtex(text)))
    assert compared > 20_000  # about 24,500: the fast path was well covered
    assert disagreements == []


def test_plain_agrees_with_pybtex_on_every_field_and_name_in_the_bibliography():
    texts = []
    for entry in parse_file(str(ROOT / "references.bib"), "bibtex").entries.values():
        texts += [value for name, value in entry.fields.items() if name.lower() not in ("pages", "doi", "url", "pmid")]
        texts += [str(person) for role in entry.persons.values() for person in role]
    assert len(texts) > 200
    assert [plain(text) for text in texts] == [read_by_pybtex(text) for text in texts]


def test_what_the_reader_must_read_goes_to_it():
    for latex, expected in [
        ("M{\\\"u}ller", "Müller"), ("J.~Smith", "J.\u00a0Smith"), ("``Sham'' needling", "“Sham” needling"),
        ("Anesthesia {\\&} Analgesia", "Anesthesia & Analgesia"), ("50\\% of", "50% of"), ("Pain--relief", "Pain–relief"),
        ("-{}-", "--"),
    ]:
        assert plain(latex) == read_by_pybtex(latex) == expected, latex
