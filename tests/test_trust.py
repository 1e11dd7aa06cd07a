"""Trustworthy health information: review dates, currency, plain English, evidence, metadata."""

import json
import re
from datetime import date

import pytest
import rispy
import textstat
from mkdocs.utils.meta import get_data
from pybtex.database import parse_file, parse_string

from helpers import FIXTURE_BIB, ROOT, content_check, errors, where
from mkdocs_factsheet.ledger.warning_signs import read_warning_signs
from mkdocs_factsheet.review import today

# NHS content guidance: a reading age of 9 to 11 (a US school grade of 4 to 6, i.e. reading age
# minus 5) and sentences of 20 words or fewer. The key messages must meet it; every page is
# measured and reported in the test summary.
MAX_GRADE = 6
MAX_SENTENCE_WORDS = 20

CONTENT = {"index.md": "---\nlast_reviewed: {reviewed}\nnext_review: {due}\n---\n# Home\n\nText [@witt2006].\n"}


def dated(reviewed, due):
    return {"index.md": CONTENT["index.md"].format(reviewed=reviewed, due=due)}


@pytest.fixture
def clock(monkeypatch):
    """For a test of the date rules: its builds take 1 December 2026 as today, whatever the
    run's clock says (an overdue review is not a mistake: tests/test_editor_checks.py)."""
    monkeypatch.setenv("FACTSHEET_TODAY", "2026-12-01")


# --- Dates and ownership --------------------------------------------------------------------


def test_every_page_shows_review_dates_publisher_and_evidence_dates(site):
    for title, url in site.nav_urls.items():
        box = site.article(url).select_one("aside.page-review")
        assert box is not None, title
        times = {t.find_previous(string=True).strip(): date.fromisoformat(t["datetime"]) for t in box.select("time")}
        (due,) = [day for label, day in times.items() if label != "Page last reviewed:"]
        # Whatever the day: a passed review date is told as such, never a failure (the clock: today()).
        assert set(times) == {"Page last reviewed:", "Review overdue since:" if due < today() else "Next review due:"}, title
        text = box.get_text(" ")
        assert "Published by the Acupuncture for back pain factsheet team" in text
        assert "studies published in 2010" in text


def test_evidence_dates_follow_the_works_cited(site):
    text = site.article("clinical-guidance/").select_one("aside.page-review").get_text(" ")
    assert "Evidence cited on this page: published 2005–2021" in text


REVIEW_DATE_MISTAKES = [
    ("", "2027-01-01", "docs/index.md:2: front matter needs last_reviewed: YYYY-MM-DD"),
    ("2027-01-01", "2027-06-01", "docs/index.md:2: last_reviewed 2027-01-01 is in the future"),
    ("2025-01-01", "2028-06-01", "docs/index.md:3: next_review 2028-06-01 is more than 3 years after last_reviewed 2025-01-01"),
]


def test_a_review_date_mistake_stops_the_build_naming_its_line(fixture_site, clock):
    """The strict-build line, for one of the rules; each rule is checked in process below."""
    reviewed, due, message = REVIEW_DATE_MISTAKES[2]
    built = fixture_site(dated(reviewed, due), plugins=("page-metadata",))
    result = built.build()
    assert result.returncode == 1
    assert f"page_metadata: {message}" in errors(result), result.stderr


@pytest.mark.parametrize("reviewed, due, message", REVIEW_DATE_MISTAKES)
def test_review_dates_are_validated(reviewed, due, message):
    """The rules of mkdocs_factsheet/review.py, as the page-metadata plugin applies them to a page."""
    from mkdocs_factsheet.review import review_problems

    source = dated(reviewed, due)["index.md"]
    _, meta = get_data(source)
    line, problem = message.removeprefix("docs/index.md:").split(": ", 1)
    assert (int(line), problem) in review_problems(meta, source, date(2026, 12, 1))


def test_about_page_says_who_publishes_and_that_it_is_not_advice(site):
    """A content check: what a reader must learn about the publisher (the page's current wording)."""
    text = site.text(site.nav_urls["About this information"])
    missing = [f"{where('docs/about.md')}: the page must say '{needed}' (a heading or sentence as now worded): put it back"
               for needed in ("not a substitute for advice", "Who publishes it?", "Where does the content come from?",
                              "How is it written and checked?", "How do I report a mistake?", "Conflicts of interest")
               if needed not in text]
    content_check(missing)


# --- Currency of evidence -----------------------------------------------------------------


def test_superseded_guidance_carries_an_editorial_note_and_badges(site):
    article = site.article("clinical-guidance/")
    note = article.select_one(".admonition.warning:not(.review-overdue)")  # the editors' note, not the calendar's
    assert "replaced" in note.get_text() and "NG59" in note.get_text()
    for citation in article.select('span.citation:has(a[href="#ref-nice2009"])'):
        badge = citation.find_next_sibling("span", class_="status-badge")
        assert badge is not None and badge.get_text() == "Superseded by NICE 2016"
        assert badge.a["href"] == "#ref-nice2016"
    assert article.select_one("#ref-nice2016"), "the replacement is listed on the page"


SUPERSEDED = FIXTURE_BIB.replace("  pmid    = {111},", "  pmid    = {111},\n  status  = {superseded},\n  replacement = {sherman2009b},")


def test_a_reference_marked_superseded_badges_every_citation_and_is_listed(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nOne [@witt2006]. Two [see @witt2006, p. 3; @sherman2009a].\n"}, bib=SUPERSEDED)
    result = built.build()
    assert result.returncode == 0, result.stderr
    page = built.html()
    badges = page.select("span.status-badge")
    assert [b.get_text() for b in badges] == ["Superseded by Sherman 2009b"] * 3  # two citations, one entry
    assert page.select_one("#ref-witt2006 .status-badge")
    assert page.select_one("#ref-sherman2009b"), "the replacement joins the page's references"
    listed = [line for line in result.stderr.splitlines() if "cites witt2006, superseded" in line]
    assert [line.split("citations: ")[1] for line in listed] == [
        "docs/index.md:3: cites witt2006, superseded (replaced by sherman2009b)"] * 2


def test_unknown_status_or_replacement_is_a_located_problem():
    """Through the reader in process; that its problems stop the build, located, is
    tests/test_bad_input.py::test_missing_comma_names_the_line_at_fault."""
    from mkdocs_factsheet.citations.bibliography import read_bibliography

    bib = FIXTURE_BIB.replace("  pmid    = {111},", "  pmid    = {111},\n  status  = {outdated},\n  replacement = {nobody2000},")
    _, problems = read_bibliography(bib.encode("utf-8"), "refs.bib")
    assert [str(problem) for problem in problems][:2] == [
        "refs.bib:1: entry 'witt2006' has status 'outdated'; use one of: superseded, withdrawn, retracted",
        "refs.bib:1: entry 'witt2006' names replacement 'nobody2000', which is not in the bibliography",
    ]


# --- Key messages and plain English ----------------------------------------------------------


def section_items(site, heading_id: str) -> list[str]:
    """The list items of the home page's section with this heading id, as read aloud."""
    heading = site.article("").find(id=heading_id)
    assert heading is not None, heading_id
    return [" ".join(li.get_text(" ").split()) for li in heading.find_next("ul").find_all("li")]


def key_messages(site):
    """The home page's two summaries: where the evidence stands today, then what the 2010
    factsheet reported."""
    return section_items(site, "where-the-evidence-stands-today") + section_items(site, "what-the-2010-factsheet-reported")


def plain(text):
    return re.sub(r"\([^)]*(\d{4}|n\.d\.)[^)]*\)", "", text)  # citations are not read aloud as prose


def test_key_messages_meet_nhs_readability_targets(site):
    """A content check: the home page's two summaries, held to NHS content guidance."""
    messages = [plain(m) for m in key_messages(site)]
    home = "docs/index.md"
    problems = []
    if not 6 <= len(messages) <= 10:
        problems.append(f"{where(home, 'Where the evidence stands today')}: the two summaries have {len(messages)} points "
                        "between them: keep 6 to 10")
    for message in messages:
        for sentence in re.split(r"(?<=[.!?])\s+", message.strip()):
            if len(sentence.split()) > MAX_SENTENCE_WORDS:
                problems.append(f"{where(home, sentence)}: a sentence of {len(sentence.split())} words in the key messages: "
                                f"{MAX_SENTENCE_WORDS} at most; split it")
    text = " ".join(messages)
    grade, smog = textstat.flesch_kincaid_grade(text), textstat.smog_index(text)
    if grade > MAX_GRADE or smog > MAX_GRADE + 3:  # SMOG overestimates short texts; see README
        problems.append(f"{where(home, 'Where the evidence stands today')}: the key messages read at Flesch-Kincaid grade "
                        f"{grade:.1f} (SMOG {smog:.1f}): {MAX_GRADE} at most (SMOG {MAX_GRADE + 3}); use shorter sentences and everyday words")
    content_check(problems)


def test_long_study_summaries_sit_under_their_own_headings(site):
    problems = []
    for url in ("evidence/", "clinical-studies/", "physiological-studies/"):
        source = "docs/" + url.removesuffix("/") + ".md"
        article = site.article(url)
        for paragraph in article.select("p"):
            words = len(paragraph.get_text().split())
            if words > 90:
                problems.append(f"{where(source, paragraph.get_text())}: a paragraph of {words} words: 90 at most; "
                                "split it, or give the study its own ### heading")
        if len(article.select("h3")) < 6:
            problems.append(f"{where(source)}: {len(article.select('h3'))} studies have a ### heading of their own: give each of at least 6 one")
    content_check(problems)


# --- Evidence table ---------------------------------------------------------------------------


def test_evidence_table_has_one_row_per_study_linked_to_its_reference(site):
    article = site.article(site.nav_urls["All the studies at a glance"])
    rows = article.select(".evidence-table tbody tr")
    keys = [row.select_one("a.citation-link")["href"].removeprefix("#ref-") for row in rows]
    studies = set()
    for url in ("evidence/", "clinical-studies/", "physiological-studies/"):
        studies |= {a["href"].removeprefix("#ref-") for a in site.article(url).select("a.citation-link")}
    assert sorted(keys) == sorted(studies), "every study once, and nothing else"
    headings = [th.get_text(strip=True) for th in article.select(".evidence-table thead th")]
    assert headings == ["Study", "Design", "Participants (n)", "Compared with", "Length", "Main finding"]
    designs = {row.select("td")[1].get_text() for row in rows}
    for kind in ("Systematic review", "Randomised controlled trial", "Observational", "Animal study", "Review"):
        assert any(d.startswith(kind) for d in designs), kind
    bib = parse_file(ROOT / "references.bib").entries
    problems = []
    for row, key in zip(rows, keys):
        n = row.select("td")[2].get_text()
        if not (n == "—" or re.fullmatch(r"[\d,]+", n)):
            problems.append(f"{where('docs/evidence-table.md', f'[@{key}]')}: participants {n!r}: write the number, "
                            "such as 1,162, or — if it is not known")
    content_check(problems)
    for row, key in zip(rows, keys):
        assert bib[key].fields["year"] in row.select_one("td").get_text()


# --- Machine-readable and citable ------------------------------------------------------------


def json_ld(page):
    return json.loads(page.select_one('script[type="application/ld+json"]').string)


def test_json_ld_describes_each_page_and_its_citations(site):
    for title, url in site.nav_urls.items():
        page = site.html(url)
        data = json_ld(page)
        assert data["@context"] == "https://schema.org" and data["@type"] == "MedicalWebPage"
        assert data["about"]["@type"] == "MedicalCondition"
        assert data["inLanguage"] == "en-GB"
        assert data["lastReviewed"] == page.select_one("aside.page-review time")["datetime"]
        # The works the page cites (not those it only lists: the References page cites none).
        cited = {key for span in page.select("article span.citation") for key in span["data-cites"].split()}
        entries = [li for li in page.select("article li.reference") if li["id"].removeprefix("ref-") in cited]
        assert len(data["citation"]) == len(cited) == len(entries), title
        for work, entry in zip(data["citation"], entries):
            assert work["@type"] in ("ScholarlyArticle", "CreativeWork")
            doi = entry.select_one("a.reference-doi")
            if doi:
                assert work["sameAs"] == doi["href"] and work["identifier"]["propertyID"] == "DOI"


def test_open_graph_and_scholar_tags(site):
    page = site.html("clinical-studies/")
    og = {m["property"]: m["content"] for m in page.select("meta[property^='og:']")}
    assert og["og:type"] == "article" and og["og:locale"] == "en_GB"
    # The page's own title: front matter `title:`, which CONTRIBUTING lets differ from the heading.
    _, front_matter = get_data((ROOT / "docs" / "clinical-studies.md").read_text(encoding="utf-8"))
    assert og["og:title"] == front_matter["title"]
    references = [m["content"] for m in page.select('meta[name="citation_reference"]')]
    assert len(references) == len(page.select("article li.reference"))
    haake = next(r for r in references if "GERAC" in r)
    assert "citation_doi=10.1001/archinte.167.17.1892" in haake and "citation_firstpage=1892" in haake


def test_cite_this_page_gives_text_and_bibtex(site):
    box = site.article("evidence/").select_one("details.cite-page")
    assert box.summary.get_text() == "Cite this page"
    assert "(2026). The evidence: reviews." in box.select_one(".cite-page-text").get_text()
    entry = parse_string(box.select_one(".cite-page-bibtex").get_text(), "bibtex").entries
    (only,) = entry.values()
    assert only.fields["title"] == "The evidence: reviews"


def test_cite_this_page_names_the_home_page_once(site):
    """The home page's title is the site's name: the citation says it once, not as page and website."""
    box = site.article("").select_one("details.cite-page")
    assert box.select_one(".cite-page-text").get_text().count("Acupuncture for back pain") == 2  # the team's name, the title
    (only,) = parse_string(box.select_one(".cite-page-bibtex").get_text(), "bibtex").entries.values()
    assert "howpublished" not in only.fields


def test_every_reference_downloads_as_bibtex_and_ris_that_round_trip(site):
    """Each entry's links name the site's bibliography files and the entry's key; the files
    parse, and each entry in them matches references.bib (the browser test saves one)."""
    source = parse_file(ROOT / "references.bib").entries
    page = site.html("references/")
    bibtex = parse_string((site.root / "cite" / "references.bib").read_text(encoding="utf-8"), "bibtex").entries
    ris = {record["id"]: record for record in rispy.loads((site.root / "cite" / "references.ris").read_text(encoding="utf-8"))}
    assert set(bibtex) == set(ris) == set(source)
    for entry in page.select("article li.reference"):
        key = entry["id"].removeprefix("ref-")
        links = {a.get_text(" ", strip=True).split()[0]: a for a in entry.select("a.reference-export")}
        assert set(links) == {"BibTeX", "RIS"}
        for label, kind in (("BibTeX", "bib"), ("RIS", "ris")):
            assert links[label]["data-key"] == key and links[label]["download"] == f"{key}.{kind}"
            assert (site.root / "references" / links[label]["href"]).resolve() == (site.root / "cite" / f"references.{kind}").resolve()
        assert dict(bibtex[key].fields) == dict(source[key].fields)
        assert bibtex[key].persons == source[key].persons
        fields, record = source[key].fields, ris[key]
        assert record["primary_title"] == re.sub(r"[{}]", "", fields["title"])
        assert record["year"] == fields["year"]
        assert record.get("doi") == fields.get("doi")
        assert len(record.get("authors", [])) == len([p for p in source[key].persons.get("author", []) if str(p) != "others"])


# --- Readability report -----------------------------------------------------------------------


def readability(site) -> list[tuple[str, float, float, float]]:
    rows = []
    for title, url in site.nav_urls.items():
        article = site.article(url)
        # Not the page's own prose: references, citations, the boxes the build adds (the review
        # notice among them, which the calendar alone puts there), tables.
        for noise in article.select(".reference-list, .citation, aside, .review-overdue, table, .pdf-download, .headerlink"):
            noise.decompose()
        text = " ".join(article.get_text(" ").split())
        rows.append((title, textstat.flesch_kincaid_grade(text), textstat.smog_index(text), textstat.words_per_sentence(text)))
    return rows


# Pages written for patients: a Flesch-Kincaid grade of 8 or lower (issue 13). The study
# summaries (The evidence, Clinical studies, Physiological studies, the table and References)
# are written for GPs and are measured and reported, not held to it.
PATIENT_PAGES = ("Home", "What the research says", "Having acupuncture", "Clinical guidance",
                 "Words we use", "Corrections to the original factsheet", "About this information")
MAX_PATIENT_GRADE = 8


def test_readability_is_measured_for_every_page(site, record_property):
    """A content check: sentences of 20 words or fewer on average, on every page."""
    rows = readability(site)
    record_property("readability", rows)  # printed after the run (conftest.py), from any worker
    long = [f"{where(site.nav_sources[title])}: sentences average {words:.1f} words: {MAX_SENTENCE_WORDS} at most; split the long ones"
            for title, grade, smog, words in rows if words > MAX_SENTENCE_WORDS]
    content_check(long)


def test_patient_pages_read_at_grade_8_or_lower(site):
    grades = {title: grade for title, grade, smog, words in readability(site)}
    assert set(PATIENT_PAGES) <= set(grades), "every patient page is in the nav"
    too_hard = [f"{where(site.nav_sources[title])}: a patient page that reads at Flesch-Kincaid grade {grades[title]:.1f}: "
                f"{MAX_PATIENT_GRADE} at most; use shorter sentences and everyday words"
                for title in PATIENT_PAGES if grades[title] > MAX_PATIENT_GRADE]
    content_check(too_hard)


# --- Honest for today (issue 13) ---------------------------------------------------------------


def citing_pages(site) -> dict[str, str]:
    """Nav pages that cite or list at least one work (References lists them all)."""
    return {title: url for title, url in site.nav_urls.items() if site.article(url).select("a.citation-link, li.reference")}


def test_every_citing_page_opens_with_one_dated_currency_note(site):
    pages = citing_pages(site)
    assert {"Home", "What the research says", "The evidence", "Clinical studies", "Physiological studies",
            "All the studies at a glance", "Clinical guidance", "References"} <= set(pages)
    for title, url in pages.items():
        article = site.article(url)
        notes = article.select("aside.evidence-currency")
        assert len(notes) == 1, f"{title}: {len(notes)} currency notes"
        note = notes[0]
        # Only the safety line (overrides/partials/safety-net.html) comes before it.
        first = next(e for e in article.find_all(["aside", "h1", "h2", "p"]) if "safety-net" not in e.get("class", []) and not e.find_parent("aside", class_="safety-net"))
        assert first is note, f"{title}: the currency note is not the first thing in the article after the safety line"
        checked = date.fromisoformat(note.time["datetime"])
        assert f"{checked.day} {checked:%B %Y}" in note.time.get_text()
        text = " ".join(note.get_text(" ").split())
        for needed in ("goes up to 2010", "Since 2016, NICE has told the NHS not to offer acupuncture for low back pain",
                       "2020 Cochrane review of 33 trials", "low-certainty"):
            assert needed in text, f"{title}: the note lacks {needed!r}"
        assert note.a["href"].endswith("#where-the-evidence-stands-today")
    for title, url in site.nav_urls.items():
        if title not in pages:
            assert not site.article(url).select("aside.evidence-currency"), f"{title} cites nothing but has the note"


def test_the_currency_notes_statements_are_the_home_pages(site):
    """The note is template text, outside the ledger: each of its sentences on today's evidence is
    one of the home page's first section, whose entries in evidence/claims/index.yml hold their
    sources, so that the same review is not stated with two strengths (clinical review R1.7)."""
    home = site.article("")
    section = home.find(id="where-the-evidence-stands-today").find_next("ul")
    for citation in section.select("span.citation"):
        citation.decompose()
    stated = " ".join(section.get_text(" ").split()).replace(" .", ".").replace("( ", "(").replace(" )", ")")
    note = " ".join(home.select_one("aside.evidence-currency p:not(.admonition-title)").get_text(" ").split())
    sentences = [s.strip() + "." for s in note.split(". ") if s.strip() and "goes up to 2010" not in s]
    sentences[-1] = sentences[-1].removesuffix("Where the evidence stands today.").strip()
    content_check([f"overrides/partials/evidence-currency.html:1: the note says {s!r}, which the home page's "
                   "'Where does the evidence stand today?' does not: say it as the home page does" for s in sentences if s and s not in stated])


def test_the_currency_note_links_to_a_real_anchor(site):
    assert site.article("").find(id="where-the-evidence-stands-today")


def test_home_page_puts_todays_evidence_before_the_factsheets_claims(site):
    article = site.article("")
    headings = [h["id"] for h in article.select("h2")]
    assert headings[:3] == ["where-the-evidence-stands-today", "when-to-get-medical-help", "what-the-2010-factsheet-reported"]
    today = " ".join(section_items(site, "where-the-evidence-stands-today"))
    # A content check: what today's evidence must say, as the home page words it now.
    content_check([f"{where('docs/index.md', 'Where the evidence stands today')}: this section must say '{needed}' "
                   "(today's evidence, as now worded): put it back"
                   for needed in ("Since 2016, NICE has told the NHS not to offer acupuncture for low back pain",
                                  "only a little better than fake ( sham ) needles", "2020 Cochrane review of 33 trials", "low-certainty",
                                  "exercise", "manage the pain yourself") if needed not in today])
    cited = {a["href"] for a in article.find(id="where-the-evidence-stands-today").find_next("ul").select("a.citation-link")}
    assert cited == {"#ref-nice2016", "#ref-vickers2012", "#ref-mu2020", "#ref-nice2017"}
    links = {a.get_text(" ", strip=True): a["href"] for a in article.find(id="where-the-evidence-stands-today").find_next("p").select("a")}
    assert links == {"NICE guideline NG59": "https://www.nice.org.uk/guidance/ng59",
                     "NHS page on back pain": "https://www.nhs.uk/conditions/back-pain/"}
    claims = " ".join(section_items(site, "what-the-2010-factsheet-reported"))
    problems = []
    if "fake needles did about as well as real acupuncture" not in claims:
        problems.append(f"{where('docs/index.md', 'What the 2010 factsheet reported')}: this section must say "
                        "'fake needles did about as well as real acupuncture' (as now worded): put it back")
    if "In the largest trials" in claims:
        problems.append(f"{where('docs/index.md', 'In the largest trials')}: Witt 2006, the largest trial, had no sham group: "
                        "name the trials that had one instead")
    if "evidence-based" in site.text("").lower():
        problems.append(f"{where('docs/index.md', 'evidence-based')}: 'evidence-based' overstates what the research shows: take it out")
    content_check(problems)


# The NHS back pain page's lists, word for word, each sign at one urgency only (issue 20, item 1): the
# one copy is evidence/warning-signs.yml, which editors change with the home page's boxes.
SIGNS_FILE = "evidence/warning-signs.yml"
TIERS, SIGNS_PROBLEMS = read_warning_signs((ROOT / SIGNS_FILE).read_text(encoding="utf-8"), SIGNS_FILE)
RED_FLAGS = {tier.box: tier.signs for tier in TIERS}


def test_the_warning_signs_file_reads_without_a_problem():
    assert [str(problem) for problem in SIGNS_PROBLEMS] == []
    assert [tier.safety_line != "" for tier in TIERS] == [True, True, False], "999 and 111 in the safety line; See a GP not"


def test_home_page_says_when_to_get_medical_help_with_sources(site):
    article = site.article("")
    boxes = {box.select_one(".admonition-title").get_text(strip=True): box for box in article.select(".admonition:not(.safety-net)")}
    # A content check: the warning signs, word for word as the NHS back pain page gives them.
    problems = [f"{where('docs/index.md', 'When to get medical help')}: no box titled '{title}': put it back" for title in RED_FLAGS if title not in boxes]
    for title, flags in RED_FLAGS.items():
        if title not in boxes:
            continue
        items = []
        for li in boxes[title].select("li"):
            for citation in li.select("span.citation"):
                citation.decompose()
            items.append(" ".join(li.get_text(" ").split()).replace(" ,", ",").replace("( ", "(").replace(" )", ")"))
        if items != flags:
            line = next(tier.line for tier in TIERS if tier.box == title)
            problems.append(f"{where('docs/index.md', title)}: the box '{title}' lists {items}, but {SIGNS_FILE}:{line} gives "
                            f"{flags}: make them the same, word for word and in the same order")
        cited = {a["href"] for a in boxes[title].select("a.citation-link")}
        if cited != {"#ref-nhsbackpainnd"}:
            problems.append(f"{where('docs/index.md', title)}: the box '{title}' must cite the NHS back pain page, [@nhsbackpainnd], and only it")
    signs = [sign for flags in RED_FLAGS.values() for sign in flags]
    if len(signs) != len(set(signs)):
        problems.append(f"{where('docs/index.md', 'When to get medical help')}: each sign belongs in one box only")
    order = [box.select_one(".admonition-title").get_text(strip=True) for box in article.select(".admonition:not(.safety-net)") if box.select_one(".admonition-title").get_text(strip=True) in RED_FLAGS]
    if order != list(RED_FLAGS):
        problems.append(f"{where('docs/index.md', 'When to get medical help')}: the boxes go most urgent first: {'; '.join(RED_FLAGS)}")
    content_check(problems)
    assert "danger" in boxes["Call 999 or go to A&E if you have back pain and"]["class"]
    text = " ".join(article.get_text(" ").split())
    assert text.count("cauda equina syndrome") == 1, "named once, for GPs"


def test_every_page_and_the_pdf_carry_the_safety_line_and_not_advice_line(site):
    """Every page but the home page, whose second section is the full list (and whose first phone
    screen says where the evidence stands); tests/test_pdf.py finds the line in the PDF."""
    assert not site.article("").select("aside.safety-net")
    for title, url in site.nav_urls.items():
        if url == "":
            continue
        lines = site.article(url).select("aside.safety-net")
        assert len(lines) == 1, f"{title}: {len(lines)} safety lines"
        text = " ".join(lines[0].get_text(" ").split())
        for needed in ("Call 999", "call 111", "before you book acupuncture",
                       "general information, not a substitute for advice from your GP"):
            assert needed in text, f"{title}: the safety line lacks {needed!r}"
        # Every 999 and 111 sign of the home page's boxes whole, examples too, so that the line is not read
        # as a shorter list ("difficulty peeing", the early bladder sign, was once cut off with its example).
        for tier in TIERS[:2]:
            for sign in tier.signs:
                assert sign in text, f"{title}: the safety line lacks {sign!r} ({SIGNS_FILE}:{tier.line})"
        bold = [" ".join(b.get_text(" ").split()) for b in lines[0].select("strong")]
        assert [tier.safety_line for tier in TIERS[:2]] == bold[1:], f"{title}: the 999 and 111 lines are not bold: {bold}"
        link = lines[0].select_one("a")
        assert link["href"].endswith("#when-to-get-medical-help"), title
    assert site.article("").find(id="when-to-get-medical-help")


def test_footer_and_about_page_disclose_the_factsheets_author(site):
    for url in site.nav_urls.values():
        footer = " ".join(site.html(url).select_one(".md-copyright").get_text(" ").split())
        assert "British Acupuncture Council" in footer and "professional body for acupuncturists" in footer
        assert "It does not publish, fund or check this website" in footer
        assert "not a substitute for advice from your GP" in footer
        assert "Each statement cites" not in footer, "a claim the site cannot keep"
    about = site.article(site.nav_urls["About this information"])
    assert about.find(id="who-wrote-the-original-factsheet")
    text = " ".join(about.get_text(" ").split())
    assert "has an interest in its members' treatment being used" in text
    having = " ".join(site.article(site.nav_urls["Having acupuncture"]).get_text(" ").split())
    assert "it also wrote the 2010 factsheet this site is based on" in having, "the disclosure beside the register advice"


# Figures the factsheet had wrong or incomplete, as the pages now give them: (page, text).
CORRECTED = [
    ("Clinical studies", "3,093 were randomised: 1,549 to acupuncture and 1,544 to a control group"),
    ("Clinical studies", "The other 8,537 did not agree to be randomised"),
    ("Clinical studies", "47.6% with traditional acupuncture, 44.2% with sham acupuncture and 27.4% with conventional therapy"),
    ("Clinical studies", "the 60% includes the simulated group"),
    ("Clinical studies", "no significant difference in pain"),
    ("What the research says", "47.6% of people responded to real acupuncture, 44.2% to sham and 27.4% to standard care"),
    ("What the research says", "The factsheet's \"60%\" includes the sham group"),
    ("What the research says", "strong evidence of no significant difference between acupuncture and sham"),
    ("What the research says", "This is an argument, not a research finding"),
    ("Clinical guidance", "up to 10 sessions over up to 12 weeks"),
    ("Clinical guidance", "We could not find this document"),
    ("Physiological studies", "The factsheet said rats, but the study's title says mice"),
    ("Physiological studies", "acupuncture analgesia"),
    ("The evidence", "strong evidence of no significant difference in pain relief in the short term"),
    ("All the studies at a glance", "3,093 randomised; 8,537 more not randomised"),
]


@pytest.mark.parametrize("page, text", CORRECTED, ids=[f"{p}: {t[:30]}" for p, t in CORRECTED])
def test_corrected_figures_are_on_their_pages(site, page, text):
    """A content check: each correction of the factsheet, as the page words it now."""
    if text not in site.text(site.nav_urls[page]):
        content_check([
        f"{where(site.nav_sources[page])}: the page must say '{text}', the factsheet's figure as corrected "
        "(docs/corrections.md): put it back, or change it here and in tests/test_trust.py's CORRECTED if it was reworded"])


def test_no_page_repeats_a_corrected_error(site):
    problems = []
    for title, url in site.nav_urls.items():
        if title == "Corrections to the original factsheet":
            continue  # it quotes each error it corrects
        text = site.text(url)
        problems += [f"{where(site.nav_sources[title], error)}: '{error}' repeats an error of the factsheet: write it as "
                     "docs/corrections.md corrects it" for error in ("Radcliffe", "11,630 people with chronic LBP.", "rodents") if error in text]
        if "narcotic" in text.lower():
            problems.append(f"{where(site.nav_sources[title], 'narcotic')}: 'narcotic' is the factsheet's word: write 'opioid' painkillers")
    how = site.text(site.nav_urls["What the research says"])
    problems += [f"{where('docs/how-acupuncture-can-help.md', error)}: '{error}' repeats an error of the factsheet: write it as "
                 "docs/corrections.md corrects it"
                 for error in ("vascular and immunomodulatory", "helps swelling and bruising to disperse") if error in how]
    content_check(problems)


def test_better_than_no_treatment_cites_trials_and_reviews_with_a_no_treatment_group(site):
    """Witt (routine care), Haake (conventional therapy) and Cherkin (usual care) had no
    no-treatment group, so they do not back a claim about no treatment."""
    for url in ("", "how-acupuncture-can-help/"):
        article = site.article(url)
        for item in article.find_all(["li", "p"]):
            text = " ".join(item.get_text(" ").split())
            if "more than no treatment" in text or "better than no treatment" in text:
                cited = {a["href"].removeprefix("#ref-") for a in item.select("a.citation-link")}
                assert cited, f"/{url}: uncited: {text}"
                assert not cited & {"witt2006", "haake2007", "cherkin2009"}, f"/{url}: {text}"


CORRECTIONS = ["Radcliffe", "mice, not rats", "Sherman 2009a", "up to 10 sessions over up to 12 weeks",
               "one of three options", "The York trial is one trial", "3,093", "HTA Spotlight", "analgesia",
               "Stiffness, joints and swelling", "costs to the NHS", "opioid"]


def test_corrections_page_lists_every_correction_and_about_says_so(site):
    text = site.text(site.nav_urls["Corrections to the original factsheet"])
    content_check([f"{where('docs/corrections.md')}: the page must list the correction '{c}' (as now worded): put it back"
                   for c in CORRECTIONS if c not in text])
    about = site.text(site.nav_urls["About this information"])
    assert "We kept every fact, figure and study" not in about
    assert "Corrections to the original factsheet" in about


def test_glossary_defines_each_term_and_pages_link_to_it(site):
    glossary = site.article(site.nav_urls["Words we use"])
    for anchor in ("sham", "placebo", "meta-analysis", "statistically-significant", "low-certainty", "non-specific",
                   "pragmatic", "opioid", "usual-care", "randomised-controlled-trial"):
        assert glossary.find(id=anchor), anchor
    linked = set()
    for url in site.nav_urls.values():
        linked |= {a["href"].split("#")[1] for a in site.article(url).select('a[href*="glossary/#"]')}
    assert {"sham", "placebo", "meta-analysis", "statistically-significant", "low-certainty", "pragmatic"} <= linked


def test_having_acupuncture_covers_practical_safety_with_sources(site):
    article = site.article(site.nav_urls["Having acupuncture"])
    text = " ".join(article.get_text(" ").split())
    content_check([f"{where('docs/having-acupuncture.md')}: the page must say '{needed}' (practical safety, as now worded): put it back"
                   for needed in ("fine needles", "20 minutes", "bleeding or a bruise", "feeling faint", "10 in 200,000",
                                  "thins your blood", "are pregnant", "Professional Standards Authority",
                                  "only sometimes available on the NHS") if needed not in text])
    cited = {a["href"] for a in article.select("a.citation-link")}
    assert {"#ref-nbtnd", "#ref-nhschoicesnd", "#ref-baccnd", "#ref-nice2016"} <= cited


# --- How readers reach the editors (issue 20, item 4) ----------------------------------------

CONTACT_CONFIG = f"""\
theme:
  name: material
  custom_dir: {ROOT / "overrides"}
extra:
  contact: {{value}}
"""


@pytest.mark.parametrize("value, link", [
    ("editors@example.org", "mailto:editors@example.org"),
    ("https://example.org/acupuncture/issues", "https://example.org/acupuncture/issues"),
])
def test_a_contact_address_is_shown_in_the_footer(fixture_site, value, link):
    built = fixture_site({"index.md": "# Home\n\nText.\n"}, plugins=("contact",), extra_config=CONTACT_CONFIG.format(value=value))
    result = built.build()
    assert result.returncode == 0, result.stderr
    footer = built.html().select_one(".md-copyright")
    assert footer.find("a", href=link).get_text() == value


WRONG_CONTACTS = ["editors@example", "editors at example.org", "http://example.org/issues", "'https://'"]


@pytest.mark.parametrize("value", WRONG_CONTACTS)
def test_a_contact_address_of_the_wrong_form_is_a_problem(value):
    """In process: the contact plugin's rule, for each value as mkdocs.yml would hold it."""
    import yaml

    from mkdocs_factsheet.contact import contact_problem

    problem = contact_problem(yaml.safe_load(value))  # the plugin prints it after `mkdocs.yml:N: extra.contact: `
    assert problem is not None, value
    assert "is neither an e-mail address" in problem or "needs an e-mail address" in problem


def test_a_contact_address_of_the_wrong_form_stops_the_build_naming_the_line(fixture_site):
    """The build: the located line, and no link in the footer."""
    value = WRONG_CONTACTS[0]
    built = fixture_site({"index.md": "# Home\n\nText.\n"}, plugins=("contact",), extra_config=CONTACT_CONFIG.format(value=value))
    result = built.build()
    assert result.returncode == 1
    line = (built.path / "mkdocs.yml").read_text(encoding="utf-8").splitlines().index(f"  contact: {value}") + 1
    (message,) = [m for m in errors(result) if "contact" in m]
    assert message.startswith(f"contact: mkdocs.yml:{line}: extra.contact: "), message
    assert "is neither an e-mail address" in message or "needs an e-mail address" in message
    assert not built.html().select_one(".md-copyright a[href^='mailto:'], .md-copyright a[href*='example.org']")


def test_no_contact_address_is_an_info_line_not_a_failure(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nText.\n"}, plugins=("contact",))
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert "contact: mkdocs.yml: extra.contact is not set" in result.stderr


def test_downloads_of_two_works_of_one_author_and_year_are_told_apart(site):
    """Issue 20, item 11: the hidden labels of the BibTeX and RIS links name "Sherman 2009a" and
    "Sherman 2009b", as the citations do, so a screen reader user can tell the two downloads apart."""
    article = site.article(site.nav_urls["References"])
    labels = {key: [" ".join(a.get_text(" ").split()) for a in article.select(f"#ref-{key} a.reference-export")]
              for key in ("sherman2009a", "sherman2009b")}
    assert labels == {"sherman2009a": ["BibTeX for Sherman 2009a", "RIS for Sherman 2009a"],
                      "sherman2009b": ["BibTeX for Sherman 2009b", "RIS for Sherman 2009b"]}
