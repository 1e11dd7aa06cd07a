"""The bibliography reader in process (mkdocs_factsheet/citations/bibliography.py): each mistake in
a .bib file is one Problem, printed `file:line: message` as the build prints it after `citations:`. Reading takes a
millisecond; a build around it 0.4 s or more, so only tests/test_bad_input.py's few build tests show
that these lines stop the build, without a traceback."""

import pytest

from helpers import FIXTURE_BIB
from mkdocs_factsheet.citations.bibliography import read_bibliography

AGAIN = "\n@article{{{key},\n  author = {{Witt, C.}}, title = {{Again}}, journal = {{J}}, year = {{2006}},\n}}\n"


@pytest.mark.parametrize("data, message", [
    pytest.param(FIXTURE_BIB.replace("  pmid    = {111},\n}", "  pmid    = {111},\n"),
                 "refs.bib:1: entry 'witt2006' is not closed before the next entry at line 13", id="unclosed entry"),
    pytest.param(FIXTURE_BIB + AGAIN.format(key="witt2006"),
                 "refs.bib:29: duplicate key 'witt2006' (first defined at line 1)", id="duplicate key"),
    pytest.param(FIXTURE_BIB + AGAIN.format(key="Witt2006"),
                 "refs.bib:29: duplicate key 'Witt2006' (first defined at line 1 as 'witt2006'; "
                 "keys that differ only in case are the same key to BibTeX)", id="keys differing only in case"),
    pytest.param(FIXTURE_BIB.replace("  pages   = {114},", "  pages   = {114},\n  doi     = {10.1000/FIXTURE.witt},"),
                 "refs.bib:21: entry 'sherman2009b' repeats DOI 10.1000/fixture.witt (also at line 1)", id="duplicate DOI"),
    pytest.param(FIXTURE_BIB.replace("  journal = {Journal of Clinical Outcomes Management},\n", ""),
                 "refs.bib:13: entry 'sherman2009a' (article) is missing required field(s): journal", id="missing field"),
    pytest.param(FIXTURE_BIB.replace("  title   = {A trial in {Germany}},", "  title   = {A trial in {Germany}\\},"),
                 "refs.bib:3: entry 'witt2006': the title has a backslash that pybtex cannot read as LaTeX; "
                 "write \\textbackslash{} for a backslash itself, or take it out", id="backslash that is no LaTeX"),
])
def test_each_mistake_is_one_located_line(data, message):
    _, problems = read_bibliography(data.encode("utf-8"), "refs.bib")
    assert [str(problem) for problem in problems[:1]] == [message]  # as the build prints it
    where, line = message.split(":")[:2]
    assert (problems[0].file, problems[0].line) == (where, int(line))  # and as data, for the preview


def test_a_file_that_is_not_utf8():
    _, problems = read_bibliography(FIXTURE_BIB.replace("Germany", "M\u00fcnchen").encode("latin-1"), "refs.bib")
    assert [str(problem) for problem in problems] == ["refs.bib:3: byte 0xfc is not UTF-8; save the file as UTF-8"]


def test_the_fixture_bibliography_reads_without_a_problem():
    bibliography, problems = read_bibliography(FIXTURE_BIB.encode("utf-8"), "refs.bib")
    assert problems == [] and sorted(bibliography.entries) == ["sherman2009a", "sherman2009b", "witt2006"]
