"""PDF/UA tagging that WeasyPrint (70) leaves out, applied to its PDF before it is written.

Pass `finish` as `write_pdf(..., finisher=finish)`. It works on WeasyPrint's own objects
(pydyf), so it needs no PDF library of its own:

- a table split over pages is one table: WeasyPrint tags each page's part as a table of its own;
- running heads and page numbers (page-margin boxes), and a table's header row repeated on a new
  page, are marked as artifacts: WeasyPrint tags their text as content that belongs to no
  structure element;
- table header cells say what they head (`/Scope /Column` in a table's header row, `/Row`
  elsewhere): WeasyPrint gives them no scope;
- a link's alternative text (`/Contents`) is its text, as a reader sees it: WeasyPrint writes
  its target there, such as "ref-ammendolia2008";
- the PDF opens with its bookmarks shown.
"""

from __future__ import annotations

import pydyf
from weasyprint.formatting_structure import boxes


def finish(document, pdf) -> None:
    # The bookmarks (chapters and sections) show when the PDF opens.
    pdf.catalog["PageMode"] = "/UseOutlines"
    _one_table_per_table(document, pdf)
    _margin_text_as_artifacts(pdf)
    _header_scopes(pdf)
    _link_texts(document)


def _object(pdf, reference):
    """The object a reference such as b'12 0 R' (or '12 0 R') points to."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


def _elements(pdf):
    """Every structure element reachable from the structure tree's root."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    stack = [_object(pdf, kid) for kid in root["K"]]
    while stack:
        element = stack.pop()
        yield element
        for kid in element.get("K", []):
            if not isinstance(kid, int):
                child = _object(pdf, kid)
                if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
                    stack.append(child)


def _margin_text_as_artifacts(pdf) -> None:
    """Marked content whose structure element is outside the tree (WeasyPrint builds one for
    each margin box and leaves it unlinked) becomes an artifact."""
    in_tree = {id(element) for element in _elements(pdf)}
    parent_tree = _object(pdf, _object(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])
    numbers = list(parent_tree["Nums"])
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][0::3]]  # kept as "n 0 R" triples
    for key, value in zip(numbers[0::2], numbers[1::2]):
        if not isinstance(value, pydyf.Array) or key >= len(pages):
            continue  # an annotation's entry, not a page's
        orphans = {mcid for mcid, reference in enumerate(value) if id(_object(pdf, reference)) not in in_tree}
        if not orphans:
            continue
        stream = _object(pdf, pages[key]["Contents"]).stream
        for index, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans and stream[index + 1] == b"BDC":
                # "/Span <</MCID n>> BDC" -> "/Artifact BMC" (the dictionary written as nothing)
                stream[index - 1], stream[index], stream[index + 1] = "/Artifact", b"", b"BMC"


def _one_table_per_table(document, pdf) -> None:
    """WeasyPrint tags each page's part of a table as a table of its own (the evidence table was
    3): the rows of the later parts join the first part's body, and the header row repeated on
    each page is left out of the tree (so becomes an artifact, below)."""
    html = document.pages[0]._page_box.children[0].element
    parents = {child: parent for parent in html.iter() for child in parent}
    parts: dict[object, list] = {}  # HTML table -> its tagged tables, in page order
    for page in document.pages:
        for box in page._page_box.descendants():
            cell = getattr(box, "mark", None)  # the structure element WeasyPrint made for a cell
            if cell is None or box.element_tag not in ("td", "th"):
                continue
            table = _object(pdf, cell["P"])
            while table.get("S") != "/Table" and "P" in table:
                table = _object(pdf, table["P"])
            element = box.element
            while element is not None and element.tag != "table":
                element = parents.get(element)
            tagged = parts.setdefault(element, [])
            if table.get("S") == "/Table" and all(table is not seen for seen in tagged):
                tagged.append(table)
    for first, *rest in parts.values():
        body = next((_object(pdf, kid) for kid in first["K"] if not isinstance(kid, int) and _object(pdf, kid).get("S") == "/TBody"), None)
        if body is None:
            continue
        for part in rest:
            for kid in part["K"]:
                group = _object(pdf, kid) if not isinstance(kid, int) else None
                if group is not None and group.get("S") == "/TBody":
                    for row in group["K"]:
                        _object(pdf, row)["P"] = body.reference
                        body["K"].append(row)
            # Out of the tree, with the boxes left empty around it.
            gone, holder = part, _object(pdf, part["P"])
            while True:
                holder["K"] = pydyf.Array([kid for kid in holder["K"] if kid != gone.reference])
                if holder["K"] or holder.get("S") == "/Document" or "P" not in holder:
                    break
                gone, holder = holder, _object(pdf, holder["P"])


def _header_scopes(pdf) -> None:
    for element in _elements(pdf):
        if element.get("S") == "/TH":
            parent = _object(pdf, element["P"])
            row_group = _object(pdf, parent["P"]) if parent.get("S") == "/TR" else None
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = "/Column" if row_group is not None and row_group.get("S") == "/THead" else "/Row"


def _link_texts(document) -> None:
    for page in document.pages:
        for box in page._page_box.descendants():
            annotation = getattr(box, "link_annotation", None)
            if annotation is None or "Contents" not in annotation:
                continue
            text = " ".join("".join(child.text for child in box.descendants() if isinstance(child, boxes.TextBox)).split())
            if text:
                annotation["Contents"] = pydyf.String(text)
