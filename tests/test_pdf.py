"""The PDF edition: one A4 document of the whole factsheet, built with the site."""

import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from helpers import ROOT, content_check, errors


PDF_NAME = "acupuncture-for-back-pain.pdf"


@pytest.fixture(scope="module")
def pdf(site):
    return PdfReader(site.root / PDF_NAME)


@dataclass
class Run:
    """A piece of text as pypdf hands it over, where it stands and the marked-content tag it is in."""

    text: str
    x: float  # from the page's left edge
    y: float  # its baseline, from the page's bottom edge
    size: float  # the font size as drawn
    tag: str | None


@dataclass
class Page:
    text: str  # as pypdf extracts it
    runs: list[Run]


def read(page) -> Page:
    """One pass of pypdf over a page (the slow part of these tests) gives all they read of it."""
    stack: list[str] = []
    runs = []

    def operator(op, args, cm, tm):
        if op in (b"BDC", b"BMC"):
            stack.append(str(args[0]))
        elif op == b"EMC" and stack:
            stack.pop()

    def visit(text, cm, tm, font, size):
        runs.append(Run(text, cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], size * abs(tm[3] * cm[3]), stack[-1] if stack else None))

    text = page.extract_text(visitor_operand_before=operator, visitor_text=visit)
    return Page(text or "", runs)


@pytest.fixture(scope="module")
def pages(pdf) -> list[Page]:
    return [read(page) for page in pdf.pages]


@pytest.fixture(scope="module")
def text(pages):
    return " ".join(" ".join(page.text for page in pages).split())


def test_pdf_is_a4_with_a_sensible_number_of_pages(pdf, pages):
    # Sensible for the text it holds, not a fixed count that new content would break: about 370
    # words a page in December 2026 (49 pages); a full A4 page at this type size holds about 500.
    words = sum(len(page.text.split()) for page in pages)
    assert len(pdf.pages) >= 10
    assert words / len(pdf.pages) >= 250, f"{len(pdf.pages)} pages for {words} words: pages are left part empty"
    width, height = (float(x) for x in pdf.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_pdf_metadata_names_title_and_language(pdf):
    assert pdf.metadata.title == "Acupuncture for back pain"
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"


def test_title_page_has_publisher_and_edition_date(pages):
    first = pages[0].text
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


def test_page_numbers_and_running_header(pages):
    page = pages[4].text
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


# --- What a reader meets on paper ------------------------------------------------------------

MM = 72 / 25.4
BODY = (22 * MM, (297 - 22) * MM)  # the text area between the running head and the page number (pdf.css)


def text_extent(page: Page) -> float:
    """How much of the page's text area its body text spans, top to bottom, as a fraction."""
    heights = [run.y for run in page.runs if run.text.strip() and BODY[0] < run.y < BODY[1]]
    return (max(heights) - min(heights)) / (BODY[1] - BODY[0]) if heights else 0.0


def test_no_page_is_left_nearly_empty(pages):
    """Chapters run on rather than each starting a new sheet (which left pages 4, 18 and 23 with
    a few lines). By design: the title page and the contents; and the last page, whose fill
    depends on how long the text is."""
    extents = [text_extent(page) for page in pages]
    short = [f"page {n}: {extent:.0%}" for n, extent in enumerate(extents[2:-1], start=3) if extent < 0.25]
    assert not short, "pages with less than a quarter page of text:\n" + "\n".join(short)


def test_no_table_row_is_split_across_pages(pages, site):
    """Each row of the evidence table starts and ends on one page: its study's name (first
    column) and its main finding (last column, the longest) are on the same page."""
    def words(text: str) -> str:  # "cost-effective" wraps after its hyphen in a narrow cell
        return re.sub(r"-\s+", "-", " ".join(text.split()))

    rows = site.article("evidence-table/").select("tbody tr")
    texts = [words(page.text) for page in pages]
    for row in rows:
        # The study as cited, without a status label such as "Superseded by Mu 2020".
        study, finding = words(row.select_one("span.citation").get_text(" ")).strip("() "), words(row.select("td")[-1].get_text(" "))
        holding = [n for n, text in enumerate(texts) if study in text and finding[-25:] in text and finding[:25] in text]
        assert holding, f"the row of {study} is split across pages"


def running_head(page: Page) -> list[str]:
    """The text above the text area, left to right."""
    head = [(run.x, run.text.strip()) for run in page.runs if run.text.strip() and run.y > BODY[1]]
    return [text for _, text in sorted(head)]


def test_running_head_names_the_site_and_the_chapter_once(pages, site):
    """The home chapter's head read "Acupuncture for back pain | Acupuncture for back pain", then
    named no chapter on pages 3 to 5 (issue 23): its chapter is "Overview", in the Contents, the
    head and its heading alike."""
    chapters = ["Overview"] + [title for title in site.nav_urls if title != "Home"]
    heads = [running_head(page) for page in pages[2:]]
    for number, head in enumerate(heads, start=3):
        assert head[0] == "Acupuncture for back pain" and head.count("Acupuncture for back pain") == 1, f"page {number}: {head}"
        assert head[1:] in ([title] for title in chapters), f"page {number}: {head}"
    sizes = [(run.size, run.text.strip()) for run in pages[2].runs if run.text.strip()]
    assert max(sizes)[1] == "Overview", f"the first chapter is headed {max(sizes)[1]!r}, not as the Contents name it"
    assert {tuple(head[1:]) for head in heads} >= {(title,) for title in chapters}, "a chapter never named in the head"
    contents = pages[1].text
    assert "Home" not in contents and "Overview" in contents, "the contents call the first chapter 'Home'"


def test_publisher_line_reads_as_a_sentence(pages):
    assert "Published by the Acupuncture for back pain factsheet team" in pages[0].text


# Words that tell a reader to use a screen: none of them can be done on paper.
SCREEN_WORDS = re.compile(r"\b(click|tap|hover|select a column|sort|scroll|swipe|use the \"edit this page\"|end of the page)\w*", re.IGNORECASE)


def test_no_click_hover_or_sort_wording(text):
    """A content check: the PDF has every page, so no page tells its reader to use a screen."""
    found = sorted({match.group(0) for match in SCREEN_WORDS.finditer(text)})
    problems = []
    for word in found:
        places = [f"{path.relative_to(ROOT).as_posix()}:{number}" for path in sorted((ROOT / "docs").glob("*.md"))
                  for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if word.lower() in line.lower()]
        problems += [f"{place}: '{word}' cannot be done on paper, and the PDF edition has this page: say it another way "
                     "(\"select\" or \"choose\" for click, \"see\" for scroll)" for place in places or ["docs/:1"]]
    content_check(problems)


def test_status_label_stands_apart_from_the_sentence(text):
    """"(NICE 2009) Superseded by NICE 2016. Since 2016..." ran the label into the sentence."""
    assert "Superseded by NICE 2016" in text


def test_every_citing_chapter_opens_with_the_dated_currency_note(site, text):
    """On paper as on screen, a reader of any one chapter learns where the evidence stands today."""
    citing = [title for title, url in site.nav_urls.items() if site.html(url).select_one("aside.evidence-currency")]
    assert len(citing) >= 8, citing
    assert text.count("The research in this factsheet goes up to 2010.") == len(citing)


# --- Tags and structure, for screen readers (PDF/UA-1, issue 23) ---------------------------------
# veraPDF is not installable from PyPI, Debian or npm here: these are structure checks of our own,
# with pypdf, on what a screen reader uses.

ARTIFACT = "/Artifact"


def marked_text(page: Page) -> list[tuple[str, float, str | None]]:
    """Each piece of text on the page with its baseline and the marked-content tag it is in."""
    return [(run.text.strip(), run.y, run.tag) for run in page.runs if run.text.strip()]


def test_running_heads_page_numbers_and_contents_dots_are_artifacts(pages):
    """Running heads and "Page N of 29" were tagged as content; the Contents page's 1,247
    leader dots were tagged as text. A leader is a run of five or more full stops: a quotation's
    ellipsis ("... reducing inflammation ...") is three, four at a sentence's end, and is text."""
    tagged_margins, dots = [], 0
    for number, page in enumerate(pages, start=1):
        tagged_text = []
        for content, y, tag in marked_text(page):
            if not BODY[0] < y < BODY[1] and tag != ARTIFACT:
                tagged_margins.append(f"page {number}: {content!r} tagged {tag}")
            if tag != ARTIFACT:
                tagged_text.append(content)
        # Joined: WeasyPrint shows each dot of a leader as a piece of text of its own.
        dots += len(re.findall(r"\.{5,}", "".join(tagged_text)))
    assert not tagged_margins, f"{len(tagged_margins)} running heads or page numbers tagged as content, e.g.:\n" + "\n".join(tagged_margins[:5])
    assert dots == 0, f"{dots} runs of leader dots tagged as text"


def _struct_elements(pdf):
    """Every structure element, in reading order (a parent before its kids, kids in order)."""
    stack = [pdf.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        yield node
        kids = node.get("/K")
        found = []
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type", "/StructElem") == "/StructElem" and "/S" in kid:
                found.append(kid)
        stack.extend(reversed(found))


def test_a_table_over_several_pages_is_one_table(pdf, site):
    """The evidence table was tagged as 3 tables, one a page, its header repeated as content.
    Each table of the pages, in reading order, is one tagged table with all of its rows."""
    tables = [element for element in _struct_elements(pdf) if element.get("/S") == "/Table"]
    html_tables = [table for url in site.nav_urls.values() for table in site.article(url).select("table")]
    assert len(tables) == len(html_tables), f"{len(tables)} tagged tables for {len(html_tables)} in the pages"
    assert any(len(table.select("tbody tr")) > 20 for table in html_tables), "no table long enough to cross a page"
    for number, (tagged, table) in enumerate(zip(tables, html_tables), start=1):
        groups = {str(group.get_object()["/S"]): group.get_object() for group in tagged["/K"]}
        rows = len(table.select("tbody tr"))
        tagged_rows = len(groups["/TBody"]["/K"]) if "/TBody" in groups else 0
        assert set(groups) == {"/THead", "/TBody"} and tagged_rows == rows, \
            f"table {number}: tagged {sorted(groups)} with {tagged_rows} body rows; the page has {rows}"


def test_table_header_cells_say_what_they_head(pdf):
    headers = [element for element in _struct_elements(pdf) if element.get("/S") == "/TH"]
    assert headers, "no header cells tagged"
    unscoped = [element for element in headers if "/Scope" not in (element.get("/A") or {})]
    assert not unscoped, f"{len(unscoped)} of {len(headers)} header cells have no /Scope"


def test_links_are_described_by_their_text_not_an_id(pdf):
    """Every link's alternative text was a raw id, such as "ref-ammendolia2008"."""
    raw = []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                described = str(annotation.get("/Contents", ""))
                target = str(annotation.get("/Dest") or annotation.get("/A", {}).get("/URI", ""))
                if not described.strip() or described == target.lstrip("#") or re.fullmatch(r"(ref|page)-[\w-]+", described):
                    raw.append(described)
    assert not raw, f"{len(raw)} links described by an id, e.g. {raw[:5]}"


def test_contents_give_the_page_each_chapter_heading_is_on(pages, site):
    """Two chapters' numbers were one too low (8 for 9, 26 for 27): their dated note sat alone
    at the foot of the page before."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for run in pages[1].runs:
        if run.text.strip():
            rows.setdefault(round(run.y), []).append((run.x, run.text.strip()))
    entries = {}
    for row in rows.values():
        words = " ".join(text for _, text in sorted(row))
        if match := re.fullmatch(r"(?:\d+\.\s*)?(.+?)[\s.]+(\d+)", words):  # leader dots or none
            entries[match.group(1)] = int(match.group(2))
    texts = [" ".join(page.text.split()) for page in pages]
    wrong = []
    for title, url in site.nav_urls.items():
        heading = site.article(url).h1
        heading.select_one(".headerlink").decompose()
        heading = " ".join(heading.get_text().split())
        listed = entries.get("Overview" if url == "" else title)
        assert listed, f"{title} not in the contents: {entries}"
        if heading not in texts[listed - 1]:
            # Every page with the heading's words: a chapter's title may also be named in another's text.
            found = [n for n, text in enumerate(texts[2:], start=3) if heading in text]
            wrong.append(f"{title}: contents say {listed}, heading's words on pages {found}")
    assert not wrong, "\n".join(wrong)


def test_note_boxes_differ_in_shape_not_only_colour(site):
    """Every note box in the PDF was red: "Call 999" must look different from "See a GP if"
    and from "How up to date is this?", and not by colour alone."""
    from weasyprint import CSS, HTML

    article = site.article("")
    document = HTML(string=f'<html lang="en-GB"><body>{article}</body></html>').render(
        stylesheets=[CSS(filename=ROOT / "overrides" / "assets" / "stylesheets" / "pdf.css")])
    looks = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            classes = (box.element.get("class") or "").split() if box.element is not None else []
            if "admonition" in classes and box.element_tag in ("div", "aside"):
                kind = next(c for c in ("danger", "warning", "note", "info") if c in classes)
                style = box.style
                shape = tuple((style[f"border_{side}_width"], style[f"border_{side}_style"]) for side in ("top", "right", "bottom", "left"))
                looks.setdefault(kind, (shape, style["border_left_color"], style["background_color"]))
    assert set(looks) >= {"danger", "warning", "note", "info"}, looks.keys()
    shapes = {kind: look[0] for kind, look in looks.items()}
    assert len(set(shapes.values())) == len(shapes), f"note boxes alike but for colour: {shapes}"
    colours = {kind: look[1:] for kind, look in looks.items()}
    assert len(set(map(str, colours.values()))) == len(colours), f"note boxes of one colour: {colours}"


def test_pdf_opens_with_its_bookmarks_and_has_a_creation_date(pdf):
    assert pdf.outline, "no bookmarks"
    assert pdf.trailer["/Root"].get("/PageMode") == "/UseOutlines", "the bookmarks do not open with the PDF"
    assert pdf.metadata.creation_date is not None, "no creation date"


def test_each_chapter_but_the_overview_opens_with_the_safety_line(pages):
    """Issue 20, item 2: the PDF edition carries the safety line (overrides/partials/safety-net.html)
    at the start of every chapter; the overview gives the full lists of warning signs instead."""
    texts = [" ".join(page.text.split()) for page in pages]
    with_line = [i for i, text in enumerate(texts) if "New or worsening back pain?" in text]
    chapters = len([text for text in texts if "How up to date is this?" in text])
    assert len(with_line) >= chapters - 1 >= 8, f"safety line on pages {with_line}"
    first = texts[with_line[0]]
    assert "Call 999" in first and "call 111" in first and "not a substitute for advice from your GP" in first


REPEATED_ID = "the PDF edition joins every page into one document, where each must be unique: change or remove one (no PDF made)"


def test_an_id_given_twice_stops_the_pdf_at_the_line_that_gives_it(fixture_site):
    page = "# Home\n\n## Before you go {#visit}\n\nText.\n\n## After your visit {#visit}\n\nMore.\n"
    built = fixture_site({"index.md": page}, plugins=("pdf",), extra_config="markdown_extensions:\n  - attr_list\n")
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert errors(result) == [f"pdf: docs/index.md:7: the id 'visit' is also given at docs/index.md:3: {REPEATED_ID}"]


def test_a_second_list_of_every_work_stops_the_pdf_at_the_line_that_places_it(fixture_site):
    page = "---\nnocite: [witt2006, sherman2009a, sherman2009b]\n---\n# Home\n\nAll the works:\n\n\\full_bibliography\n"
    built = fixture_site({"index.md": page}, plugins=("pdf",))
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert errors(result) == [f"pdf: docs/bibliography.md:6: the works 'sherman2009a', 'sherman2009b' and 'witt2006' "
                              f"are also listed at docs/index.md:8: {REPEATED_ID}"]


def test_a_headings_id_is_found_at_its_line_past_front_matter_and_code_blocks():
    from mkdocs_factsheet.pdf import id_lines
    source = "---\n# a YAML comment\ntitle: x\n---\n# Home\n\n```\n# not a heading\n```\n\n## Intro\n\nText {#note}\n"
    assert id_lines(source, "intro", ["home", "intro"]) == [11]
    assert id_lines(source, "note", ["home", "intro"]) == [13]
    assert id_lines(source, "gone", ["home", "intro"]) == []


def test_the_pdfs_html_parser_gives_every_built_page_back_as_written(site):
    """What the PDF leaves as it is stays byte for byte as built (pdf_html.copy)."""
    from mkdocs_factsheet.pdf_html import copy
    pages = list(site.root.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert copy(text) == text, path.relative_to(site.root)
