"""The PDF edition: one A4 document of the whole factsheet, built with the site."""

import re

import pytest
from pypdf import PdfReader


PDF_NAME = "acupuncture-for-back-pain.pdf"


@pytest.fixture(scope="module")
def pdf(site):
    return PdfReader(site.root / PDF_NAME)


@pytest.fixture(scope="module")
def text(pdf):
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def test_pdf_is_a4_with_a_sensible_number_of_pages(pdf):
    assert 10 <= len(pdf.pages) <= 40
    width, height = (float(x) for x in pdf.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_pdf_metadata_names_title_and_language(pdf):
    assert pdf.metadata.title == "Acupuncture for back pain"
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"


def test_title_page_has_publisher_and_edition_date(pdf):
    first = pdf.pages[0].extract_text()
    assert "Published by" in first
    assert re.search(r"This edition: \d{1,2} [A-Z][a-z]+ 20\d\d", first)


def test_every_page_title_and_every_reference_is_in_the_text(site, text):
    for title, url in site.nav_urls.items():
        heading = site.article(url).h1
        heading.select_one(".headerlink").decompose()
        assert " ".join(heading.get_text().split()) in text, title
    for entry in site.article("references/").select("li.reference .reference-text"):
        start = " ".join(entry.get_text().split())[:40]
        assert start in text, start


def test_one_reference_list_and_no_markdown_left(text):
    assert text.count("Ammendolia C, Furlan AD") == 1, "each reference is listed once, at the end"
    for leftover in ("[@", "[^", "\\bibliography", "**"):
        assert leftover not in text


def test_citations_read_as_on_the_site(site, text):
    for citation in site.article("clinical-studies/").select("span.citation"):
        assert " ".join(citation.get_text().split()) in text


def test_page_numbers_and_running_header(pdf):
    page = pdf.pages[4].extract_text()
    assert re.search(r"Page 5 of \d+", page)
    assert "Acupuncture for back pain" in page


def test_links_work_inside_and_out(pdf):
    internal, external = 0, set()
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A", {})
            if "/URI" in action:
                external.add(action["/URI"])
            elif action.get("/S") == "/GoTo" or "/Dest" in annotation.get_object():
                internal += 1
    assert internal > 50, "citations, backlinks and contents jump inside the document"
    assert "https://doi.org/10.1001/archinte.167.17.1892" in external
    assert "https://pubmed.ncbi.nlm.nih.gov/17893311/" in external


def test_every_page_links_to_the_pdf(site):
    for title, url in site.nav_urls.items():
        link = site.html(url).select_one(".pdf-download a")
        assert link is not None, title
        assert (site.root / url / link["href"]).resolve() == (site.root / PDF_NAME).resolve()
