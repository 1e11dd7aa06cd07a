"""Bibliography entries and page text as exporters, copy-paste and attackers write them (issue 21).

Bibliography entries come from outside (Zotero, Mendeley, JabRef and EndNote exports, copied
records), so they are untrusted: nothing in them may run in a reader's browser, link anywhere but
the web, publish a private field, or reach readers mangled. Each case is judged where it shows:
in process for the reader, the downloads and the escaping (tests/data/hostile/ holds no files:
every case is written here, next to what it must give), and in a small fixture build where only a
build shows it. tests/test_hostile_browser.py loads the hostile build in Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import rispy

from helpers import FIXTURE_BIB, STYLE, errors
from mkdocs_factsheet.citations.bibliography import plain_fields, read_bibliography
from mkdocs_factsheet.citations.citeproc import pandoc_binary
from mkdocs_factsheet.citations.cache import Cache, read_bibliography_cache, write_bibliography_cache
from mkdocs_factsheet.citations.downloads import downloads as bibliography_downloads
from mkdocs_factsheet.escaping import bibtex_text, front_matter_problems, json_in_script

HEAD = "@article{k2020,\n  author  = {Doe, Jane and Roe, Rick},\n  title   = {A trial},\n  journal = {Pain},\n  year    = {2020},\n"


def entry(*fields: str, head: str = HEAD) -> str:
    """The test entry with extra field lines (each at its own line, from line 6 on)."""
    return head + "".join(f"  {field},\n" for field in fields) + "}\n"


def read(bib: str):
    """The bibliography, and its problems as the build prints them (`file:line: message`)."""
    bibliography, problems = read_bibliography(bib.encode("utf-8"), "refs.bib")
    return bibliography, [str(problem) for problem in problems]


def published(bib: str) -> str:
    """Everything the site publishes from the bibliography: both downloads, and every plain field."""
    bibliography, problems = read(bib)
    assert problems == []
    downloads = bibliography_downloads(bibliography)
    fields = [json.dumps(plain_fields(e), ensure_ascii=False) for e in bibliography.entries.values()]
    return "\n".join([*downloads.values(), *fields])


# --- 2. Links: only http(s) becomes an href; anything else is a located error ------------------

NOT_WEB = "is not a web address: write one that starts https:// (or http://)"


@pytest.mark.parametrize("field, message", [
    ("url = {javascript:alert(1)}", f"url 'javascript:alert(1)' {NOT_WEB}"),
    ("url = {JaVaScRiPt:alert(1)}", f"url 'JaVaScRiPt:alert(1)' {NOT_WEB}"),
    ("url = {   javascript:alert(1)}", f"url 'javascript:alert(1)' {NOT_WEB}"),
    ("url = {java\tscript:alert(1)}", f"url 'java script:alert(1)' {NOT_WEB}"),
    ("url = {data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==}", f"url 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' {NOT_WEB}"),
    ("url = {vbscript:msgbox(1)}", f"url 'vbscript:msgbox(1)' {NOT_WEB}"),
    ("url = {file:///etc/passwd}", f"url 'file:///etc/passwd' {NOT_WEB}"),
    ("url = {//evil.example/x}", f"url '//evil.example/x' {NOT_WEB}"),
    ("url = {ftp://example.org/a}", f"url 'ftp://example.org/a' {NOT_WEB}"),
    ("howpublished = {\\url{javascript:alert(1)}}", f"the howpublished links to 'javascript:alert(1)', which {NOT_WEB}"),
    ("howpublished = {Click \\href{data:text/html,x}{here}}", f"the howpublished links to 'data:text/html,x', which {NOT_WEB}"),
    ("doi = {javascript:alert(1)}", "doi 'javascript:alert(1)' is not a DOI: write it as 10.NNNN/…, without https://doi.org/"),
    ("doi = {https://doi.org/10.1000/x}", "doi 'https://doi.org/10.1000/x' is not a DOI: write it as 10.NNNN/…, without https://doi.org/"),
    ("pmid = {123\" onmouseover=\"alert(1)}", "pmid '123\" onmouseover=\"alert(1)' is not a PubMed number: write its digits only"),
    ("pmcid = {javascript:1}", "pmcid 'javascript:1' is not a PubMed Central number: write it as PMC followed by digits"),
])
def test_a_link_that_is_not_to_the_web_is_a_located_error(field, message):
    bibliography, problems = read(entry(field))
    assert problems == [f"refs.bib:1: entry 'k2020': {message}"]
    assert bibliography.entries == {}


@pytest.mark.parametrize("field, url", [
    ("url = {HTTPS://Example.org/Page}", "HTTPS://Example.org/Page"),
    ("url = {   https://example.org/lead}", "https://example.org/lead"),
    ("url = {http://example.org/plain}", "http://example.org/plain"),
    ("url = {https://example.org/a%20b?q=50%25}", "https://example.org/a%20b?q=50%25"),  # as every exporter writes it
    ("howpublished = {\\url{https://example.org/x}}", None),
])
def test_a_web_address_is_linked_as_typed(field, url):
    bibliography, problems = read(entry(field))
    assert problems == []
    assert bibliography.entries["k2020"].fields.get("url") == url


# --- 3. Private fields: only bibliographic fields are published -------------------------------

PRIVATE = {
    "Zotero": ["file = {/home/editor/Zotero/storage/ABCD1234/Doe - 2020 - A trial.pdf}",
               "annotation = {Editor's private note: ask Jane about the sham arm}"],
    "Mendeley": ["file = {:C\\:/Users/editor/AppData/Local/Mendeley Ltd./Mendeley Desktop/Downloaded/Doe-2020.pdf:pdf}",
                 "mendeley-groups = {Back pain/To read}", "mendeley-tags = {sham}"],
    "JabRef": ["owner = {jabref-user}", "timestamp = {2026.11.30}", "groups = {private}", "ranking = {rank5}"],
    "EndNote": ["annote = {Private annotation}", "keywords = {acupuncture, private}", "abstract = {A long abstract}",
                "database = {My EndNote Library.enl}"],
    "biblatex": ["abstract = {An abstract}", "urldate = {2026-11-30}", "comment = {Private}"],
}
# `note` is bibliographic: every style prints it with the reference (this site says there which
# fields no public record showed), so it is published, and CONTRIBUTING says so.


@pytest.mark.parametrize("exporter", PRIVATE)
def test_private_fields_are_not_published(exporter):
    out = published(entry("doi = {10.1000/k}", *PRIVATE[exporter]))
    for field in PRIVATE[exporter]:
        name, value = (part.strip() for part in field.split("=", 1))
        assert f"{name} =" not in out and f'"{name}"' not in out and value.strip("{}")[:12] not in out, field
    assert "10.1000/k" in out and "A trial" in out


def test_a_huge_abstract_is_never_read():
    bibliography, problems = read(entry("abstract = {" + "Long text. " * 200_000 + "}"))
    assert problems == [] and "abstract" not in bibliography.entries["k2020"].fields
    assert len(bibliography.bibtex) < 300


def test_a_bare_percent_sign_in_an_unpublished_field_is_no_error():
    assert read(entry("abstract = {improved by 50% or more}"))[1] == []


def test_a_bare_percent_sign_after_what_looks_like_a_field_inside_a_value_is_found():
    assert read(entry("note = {x}", "publisher = {Costs, abstract = 50% Press}"))[1] == [
        "refs.bib:7: entry 'k2020': a bare % starts a comment (pandoc drops the rest of the line); write \\% for a per cent sign"]


def test_a_bare_percent_sign_in_a_published_field_keeps_its_located_error():
    assert read(entry("note = {x}", "publisher = {50% Press}"))[1] == [
        "refs.bib:7: entry 'k2020': a bare % starts a comment (pandoc drops the rest of the line); write \\% for a per cent sign"]


# --- 1. Script in any field: escaped wherever it lands ----------------------------------------

SCRIPTS = [
    "</script><script>alert(1)</script>",
    "<!--<script>",
    "</SCRIPT ><img src=x onerror=alert(1)>",
    "]]></script>\u2028\u2029",
    "' \" & <b>bold</b>",
]


@pytest.mark.parametrize("text", SCRIPTS)
def test_json_in_a_script_block_cannot_close_it(text):
    written = json_in_script({"name": text, "author": [{"name": text}]})
    assert not re.search(r"[<>&\u2028\u2029]", written)
    assert json.loads(written) == {"name": text, "author": [{"name": text}]}


@pytest.mark.parametrize("text", SCRIPTS[:3])
def test_script_in_a_field_is_read_as_text(text):
    bibliography, problems = read(entry(head=HEAD.replace("{A trial}", "{" + text + "}")))
    assert problems == []
    assert plain_fields(bibliography.entries["k2020"])["title"] == text.replace("--", "–")  # LaTeX's en dash


@pytest.mark.parametrize("title", ["50% {better} & #1_x $5", "A {GERAC} trial}", "Path c:\\users\\x ~ ^", "Plain"])
def test_cite_this_page_bibtex_survives_braces_and_percent(title, tmp_path):
    """As a reference manager reads it: pandoc's BibTeX reader gives the title back as written."""
    (tmp_path / "page.bib").write_text("@misc{x, title = {" + bibtex_text(title) + "}}\n", encoding="utf-8")
    read_back = subprocess.run([pandoc_binary(), "-f", "bibtex", "-t", "csljson", "page.bib"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
    assert json.loads(read_back)[0]["title"] == title


# --- 6. Fields as exporters write them ------------------------------------------------------

def fields_of(bib: str, key: str = "k2020") -> dict:
    bibliography, problems = read(bib)
    assert problems == []
    return plain_fields(bibliography.entries[key])


def test_biblatex_date_gives_the_year_everywhere():
    bib = entry(head=HEAD.replace("  year    = {2020},\n", "  date    = {2019-03-15},\n"))
    assert fields_of(bib)["year"] == "2019"
    ris = rispy.loads(bibliography_downloads(read(bib)[0])["cite/references.ris"])
    assert ris[0]["year"] == "2019"


def test_biblatex_journaltitle_is_the_journal():
    bib = entry(head=HEAD.replace("journal =", "journaltitle ="))
    assert fields_of(bib)["journal"] == "Pain"
    assert "journal = {Pain}" in read(bib)[0].bibtex


CROSSREF = """\
@inproceedings{child2020,
  author   = {Doe, Jane},
  title    = {A paper},
  crossref = {proc2020},
}

@proceedings{proc2020,
  title     = {Proceedings of the Pain Meeting},
  publisher = {Pain Society},
  year      = {2020},
}
"""


def test_crossref_children_inherit_from_their_parent():
    fields = fields_of(CROSSREF, "child2020")
    assert (fields["booktitle"], fields["publisher"], fields["year"], fields["title"]) == (
        "Proceedings of the Pain Meeting", "Pain Society", "2020", "A paper")
    assert "crossref" not in read(CROSSREF)[0].bibtex


def test_crossref_to_a_missing_parent_is_located():
    bib = CROSSREF.replace("crossref = {proc2020}", "crossref = {proc2021}")
    assert read(bib)[1][0] == "refs.bib:1: entry 'child2020' has crossref 'proc2021', which is not in the bibliography"


# --- 7. LaTeX markup as text --------------------------------------------------------------

@pytest.mark.parametrize("latex, text", [
    ("\\textit{Acupuncture} for pain", "Acupuncture for pain"),
    ("\\emph{Sham} needling", "Sham needling"),
    ("The \\textsc{gerac} trials", "The gerac trials"),
    ("CO\\textsubscript{2} and m\\textsuperscript{2}", "CO2 and m2"),
    ("\\mkbibquote{Real} or sham", "“Real” or sham"),
    ("Back\\relax{} pain", "Back pain"),
    ("\\noopsort{a}Zebra trial", "Zebra trial"),
    ("Effect $p<0.05$ at 8 weeks", "Effect p<0.05 at 8 weeks"),
    ("Cronbach's $\\alpha$ and $\\kappa \\geq 0.6$", "Cronbach's α and κ ≥ 0.6"),
    ("\\textit{\\textbf{Nested}} styles", "Nested styles"),
    ("M{\\\"u}ller \\& Sons", "Müller & Sons"),
])
def test_latex_markup_reaches_readers_as_text(latex, text):
    bib = entry(head=HEAD.replace("{A trial}", "{" + latex + "}"))
    assert fields_of(bib)["title"] == text
    ris = bibliography_downloads(read(bib)[0])["cite/references.ris"]
    assert f"T1  - {text}" in ris and "\\" not in ris


def test_preamble_and_string_concatenation():
    bib = '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n@string{pain = "Pain"}\n' + entry(
        head=HEAD.replace("{A trial}", 'pain # " relief " # {trial}').replace("journal = {Pain}", "journal = pain"))
    fields = fields_of(bib)
    assert (fields["title"], fields["journal"]) == ("Pain relief trial", "Pain")


def test_a_latex_command_the_site_cannot_show_is_located():
    bib = entry("note = {x}", "publisher = {\\foo{Press}}")
    assert read(bib)[1] == ["refs.bib:7: entry 'k2020': the publisher has the LaTeX command \\foo, which the site "
                            "cannot show as text: write what it should say instead"]


# --- 8. Unicode: one normal form ------------------------------------------------------------

def test_precomposed_and_decomposed_names_are_one_author():
    decomposed = unicodedata.normalize("NFD", "Müller, Hans")
    bib = entry(head=HEAD.replace("Doe, Jane and Roe, Rick", "Müller, Hans")) + "\n" + entry(
        head=HEAD.replace("k2020", "k2020b").replace("Doe, Jane and Roe, Rick", decomposed))
    bibliography, problems = read(bib)
    assert problems == []
    assert {e.fields["author"] for e in bibliography.entries.values()} == {"Müller, Hans"}


@pytest.mark.parametrize("key, shown", [
    ("k\u200b2020", "an invisible character (U+200B)"),
    ("k~2020", "'~'"),
    ("k#2020", "'#'"),
    ("k|2020", "'|'"),
    ("k^2020", "'^'"),
])
def test_a_key_pandoc_rejects_is_located_in_the_bibliography(key, shown):
    bib = "% a comment line\n" + entry(head=HEAD.replace("k2020", key))
    assert read(bib)[1] == [f"refs.bib:2: entry key '{key}' holds {shown}, which pandoc cannot read in a key: "
                            f"use letters, digits and - _ : . / + & only"]


# --- 5. The cache: whole or not at all -------------------------------------------------------

@pytest.mark.parametrize("damage", [b"", b'{"entries": {"k": ', b"\x00\xff\xfe", b"[1, 2]", b'{"entries": 1, "exports": {}}',
                                    b'{"entries": {"k": {"key": "k"}}, "exports": {}}'])
def test_a_damaged_cache_file_is_ignored_and_noted(tmp_path, damage):
    cache = Cache(tmp_path)
    (tmp_path / "bib-x.json").write_bytes(damage)
    assert read_bibliography_cache(cache, "bib-x.json") is None
    assert cache.notes == [".cache/citations/bib-x.json: damaged cache file ignored; it is made again"]


def test_the_cache_is_written_whole_and_read_back(tmp_path):
    cache = Cache(tmp_path / "citations")
    bibliography = read(FIXTURE_BIB)[0]
    write_bibliography_cache(cache, "bib-x.json", bibliography, bibliography_downloads(bibliography))
    assert [p.name for p in (tmp_path / "citations").iterdir()] == ["bib-x.json"]  # no temporary file left
    again, downloads = read_bibliography_cache(cache, "bib-x.json")
    assert again.entries == bibliography.entries and downloads == bibliography_downloads(bibliography) and cache.notes == []


def test_an_unwritable_cache_folder_builds_without_it(tmp_path):
    (tmp_path / "citations").write_text("a file where the folder should be")  # root may write anywhere; this it cannot
    cache = Cache(tmp_path / "citations")
    cache.write("a.json", {})
    cache.write("b.json", {})
    assert cache.notes == [".cache/citations: cannot be written (a file stands where the folder should be); this build runs without the cache"]


def test_an_unreadable_cache_file_is_noted(tmp_path):
    (tmp_path / "a.json").mkdir()
    cache = Cache(tmp_path)
    assert cache.read("a.json") is None
    assert cache.notes == [".cache/citations/a.json: cannot be read (Is a directory); building without it"]


# --- 10. Front matter the theme writes as it stands -------------------------------------------

@pytest.mark.parametrize("meta, problem", [
    ({"description": 'The "sham" question'}, "front matter: the description holds a straight quote (\"), which ends the "
                                              "theme's HTML attribute early: write curly quotes “ ”"),
    ({"title": "<script>alert(1)</script>"}, "front matter: the title holds a '<', which the theme would read as HTML: "
                                              "write 'less than', or ‹ ›"),
    ({"title": "What [@witt2006] found"}, "front matter: the title holds a citation, which would be shown as typed there: "
                                           "cite in the page's text instead (or write \\@ for an @)"),
])
def test_front_matter_the_theme_cannot_show(meta, problem):
    assert front_matter_problems(meta, lambda name: 3) == [(3, problem)]


def test_front_matter_that_is_fine():
    assert front_matter_problems({"title": "Q&A: ‘sham’ needling ≥ 8 weeks", "description": "Mail us at team@example.org"},
                                 lambda name: 3) == []


# --- In a build: what only a build shows ---------------------------------------------------

DATES = "last_reviewed: 2026-01-01\nnext_review: 2027-01-01\n"
HOSTILE_BIB = FIXTURE_BIB.replace("{A trial in {Germany}}", "{</script><script>alert('title')</script> <!--<script>}").replace(
    "Witt, Claudia M.", "Witt, <img src=x onerror=alert('author')>").replace(
    "  pmid    = {111},", "  pmid    = {111},\n  file    = {/home/editor/Zotero/storage/X/witt.pdf},\n  owner   = {editor},")
HOSTILE_PAGES = {
    "index.md": f"---\n{DATES}description: </script><script>alert('description')</script>\n---\n# Home\n\nA claim [@witt2006].\n",
    "bibliography.md": f"---\n{DATES}nocite: [witt2006, sherman2009a, sherman2009b]\n---\n# Bibliography\n\n\\full_bibliography\n",
}


def hostile_site(fixture_site, pages=HOSTILE_PAGES):
    return fixture_site(pages, bib=HOSTILE_BIB, plugins=("page-metadata",),
                        extra_config="site_description: Fixture\nextra:\n  publisher: Fixture team\n")


def test_front_matter_description_with_a_script_stops_the_build(fixture_site):
    result = hostile_site(fixture_site).build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result)[0] == ("page_metadata: docs/index.md:4: front matter: the description holds a '<', which the "
                                 "theme would read as HTML: write 'less than', or ‹ ›")


def test_script_in_bibliography_fields_stays_text_in_the_built_pages(fixture_site):
    pages = {**HOSTILE_PAGES, "index.md": HOSTILE_PAGES["index.md"].replace("</script><script>alert('description')</script>", "Fine")}
    built = hostile_site(fixture_site, pages)
    result = built.build()
    assert result.returncode == 0, result.stderr
    for page in ("index", "bibliography"):
        html = (built.path / "site" / ("index.html" if page == "index" else "bibliography/index.html")).read_text(encoding="utf-8")
        scripts = built.html(page).select("script")
        assert not any("alert(" in (s.string or "") and s.get("type") != "application/ld+json" for s in scripts)
        assert "<script>alert" not in html and "<img src=x" not in html and "<!--<script>" not in html
        (ld,) = built.html(page).select('script[type="application/ld+json"]')
        names = [work["name"] for work in json.loads(ld.string)["citation"]]  # the works the page cites
        if page == "index":
            assert "</script><script>alert('title')</script> <!–<script>" in names  # -- is LaTeX's en dash
    downloads = "".join((built.path / "site" / "cite" / name).read_text(encoding="utf-8") for name in ("references.bib", "references.ris"))
    assert "Zotero" not in downloads and "owner" not in downloads and "/home/editor" not in downloads


def test_a_javascript_url_stops_the_build_at_its_entry(fixture_site):
    bib = FIXTURE_BIB.replace("  pmid    = {111},", "  pmid    = {111},\n  url     = { javascript:alert(document.cookie)},")
    result = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"}, bib=bib).build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result)[0] == f"citations: refs.bib:1: entry 'witt2006': url 'javascript:alert(document.cookie)' {NOT_WEB}"


@pytest.mark.parametrize("option, value", [("bib_file", "../../../../../../../../etc/passwd"), ("bib_file", "/etc/passwd"),
                                           ("csl_file", "../../../../../../../../etc/hostname")])
def test_an_option_naming_a_file_outside_the_project_is_refused(fixture_site, option, value):
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"})
    config = built.path / "mkdocs.yml"
    text = config.read_text()
    config.write_text(re.sub(rf"{option}: .*", f"{option}: {value}", text))
    result = built.build()
    line = text.splitlines().index(next(l for l in text.splitlines() if option in l)) + 1
    assert result.returncode == 1 and "Traceback" not in result.stderr
    example = "references.bib" if option == "bib_file" else "overrides/citation-style.csl"
    assert [e for e in errors(result) if e.startswith("citations: ")] == [
        f"citations: mkdocs.yml:{line}: plugins: citations: {option} '{value}' is outside the project "
        f"folder: name a file inside it, e.g. {option}: {example}"]


def test_a_bibliography_that_is_a_link_out_of_the_project_is_refused(fixture_site, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "refs.bib"
    elsewhere.write_text(FIXTURE_BIB, encoding="utf-8")
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"}, bib=None)
    (built.path / "refs.bib").symlink_to(elsewhere)
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result)[0] == ("citations: mkdocs.yml:4: plugins: citations: bib_file 'refs.bib' is outside the project "
                                 "folder: name a file inside it, e.g. bib_file: references.bib")


def test_a_symbolic_link_out_of_the_project_is_not_published(fixture_site, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("private")
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"})
    (built.path / "docs" / "leak.txt").symlink_to(secret)
    (built.path / "docs" / "linked").symlink_to(secret.parent, target_is_directory=True)
    (built.path / "docs" / "inside.bib").symlink_to(built.path / "refs.bib")  # inside the project: fine
    result = built.build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result)[:2] == [
        f"citations: docs/leak.txt: a symbolic link to {secret}, outside the project, which would be published: "
        f"copy the file into the project, or delete the link",
        f"citations: docs/linked/secret.txt: a symbolic link to {secret}, outside the project, which would be published: "
        f"copy the file into the project, or delete the link",
    ]
    assert not any((built.path / "site").rglob("secret.txt")) and not (built.path / "site" / "leak.txt").exists()


def test_a_damaged_cache_is_rebuilt_with_one_info_line(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"})
    assert built.build().returncode == 0
    cache = built.path / ".cache" / "citations"
    for file in cache.glob("*.json"):
        file.write_text(file.read_text()[:40])  # as a build killed while writing left it, before issue 21
    result = built.build()
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "damaged cache file" in line]
    assert len(notes) == 2 and all(re.fullmatch(r"INFO\s+-\s+citations: \.cache/citations/\S+\.json: damaged cache file "
                                                r"ignored; it is made again", n) for n in notes)
    assert all(json.loads(f.read_text()) for f in cache.glob("*.json"))
    assert [c.get_text() for c in built.html().select("span.citation")] == ["(Witt 2006)"]


def test_an_unwritable_cache_folder_builds_with_one_line(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"})
    (built.path / ".cache").mkdir()
    (built.path / ".cache" / "citations").write_text("not a folder")
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [l for l in result.stderr.splitlines() if ".cache" in l] == [
        "INFO    -  citations: .cache/citations: cannot be written (a file stands where the folder should be); this build runs without the cache"]


KEYS_BIB = FIXTURE_BIB + "".join(
    f"\n@article{{{key},\n  author = {{Key, Kim}},\n  title = {{Work {n}}},\n  journal = {{J}},\n  year = {{2020}},\n}}\n"
    for n, key in enumerate(["a&b2020", "doe:2020", "10.1000/xyz", "x+y2020"]))


def core_with(folder: Path, bib: str):
    """The citation core in process (it gives the HTML the site gives: tests/test_citation_core.py)."""
    from mkdocs_factsheet.citations.extension import CitationsExtension

    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    return CitationsExtension(bibliography=folder / "refs.bib", style=STYLE)


def render(extension, page: str, *extensions: str):
    """(the page's HTML, its problems as (line, message)), through the core and MkDocs's own extensions."""
    import markdown
    from bs4 import BeautifulSoup

    html = markdown.Markdown(extensions=[extension, "toc", "tables", "fenced_code", *extensions]).convert(page)
    return BeautifulSoup(html, "html.parser"), [(problem.line, str(problem)) for problem in extension.problems]


def test_keys_pandoc_allows_work_everywhere(tmp_path):
    page = "# Home\n\nOne [@a&b2020]. Two [@doe:2020; @10.1000/xyz]. @x+y2020 found.\n"
    html, problems = render(core_with(tmp_path, KEYS_BIB), page)
    assert problems == []
    assert [c.get_text() for c in html.select("span.citation")] == ["(Key 2020a)", "(Key 2020b; Key 2020c)", "Key (2020d)"]
    for key, title in [("a&b2020", "Work 0"), ("doe:2020", "Work 1"), ("10.1000/xyz", "Work 2"), ("x+y2020", "Work 3")]:
        item = html.find("li", id=f"ref-{key}")
        assert item is not None and title in item.get_text(), key
        assert html.select(f'a.citation-link[href="#ref-{key}"]'), key


def test_a_percent_encoded_url_is_linked_as_typed(fixture_site):
    bib = FIXTURE_BIB.replace("  pages   = {114},", "  pages   = {114},\n  url     = {https://example.org/a%20b},")
    built = fixture_site({"index.md": "# Home\n\nA claim [@sherman2009b].\n"}, bib=bib)
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert [a["href"] for a in built.html().select("a.reference-url")] == ["https://example.org/a%20b"]
    assert "url = {https://example.org/a%20b}" in (built.path / "site" / "cite" / "references.bib").read_text()


# --- 10. Markdown contexts: cited, or one located line, never raw -----------------------------

def convert(markdown_text: str):
    """The page through Python-Markdown with the site's extensions and ours: (HTML, citations)."""
    import markdown

    from mkdocs_factsheet.citations.syntax import CitationsExtension, FoundOnPage
    found = FoundOnPage()
    md = markdown.Markdown(extensions=[CitationsExtension(lambda: found), "attr_list", "md_in_html", "admonition", "tables",
                                       "pymdownx.details", "pymdownx.superfences", "toc"])
    return md.convert(markdown_text), [(c.source, c.keys, c.problem) for c in found.citations + found.misplaced]


RAW_HTML = ("inside an HTML block is published as typed: add markdown to the block's opening tag (<div markdown>), "
            "or cite outside the HTML")
INVISIBLE_TEXT = "holds an invisible character (U+{:04X}), which pandoc would read as text: delete it, or type the citation again"


@pytest.mark.parametrize("markdown_text, found", [
    ("[@witt2006, p. [3]]", [("[@witt2006, p. [3]]", ["witt2006"], "")]),
    ("[see [@witt2006]]", [("[@witt2006]", ["witt2006"], "")]),
    ("[@witt2006]{: .x}", [("[@witt2006]", ["witt2006"], 'citation [@witt2006] is followed by an attribute list (class="x"), '
                                                         "which a citation cannot take: leave it out, or put it at the end of the paragraph")]),
    ("<div>[@witt2006] and @haake2007</div>\n", [("[@witt2006]", ["witt2006"], f"citation [@witt2006] {RAW_HTML}"),
                                                  ("@haake2007", ["haake2007"], f"citation @haake2007 {RAW_HTML}")]),
    ("<div markdown>\n[@witt2006]\n</div>\n", [("[@witt2006]", ["witt2006"], "")]),
    ("<!-- to do: cite @witt2006 -->\n", []),
    ('<div><a href="https://example.org/@witt2006">mail@example.org</a> <code>@witt2006</code></div>\n', []),
    ("[@witt2006\u200b]", [("[@witt2006\u200b]", ["witt2006"], "citation [@witt2006] " + INVISIBLE_TEXT.format(0x200B))]),
    ("[@witt\u200b2006]", [("[@witt\u200b2006]", ["witt"], "citation [@witt2006] " + INVISIBLE_TEXT.format(0x200B))]),
    ("@witt\u2060" + "2006 found", [("@witt\u20602006", ["witt"], "citation @witt2006 " + INVISIBLE_TEXT.format(0x2060))]),
    ("[@witt2006;\u00ad @haake2007]", [("[@witt2006;\u00ad @haake2007]", ["witt2006", "haake2007"],
                                        "citation [@witt2006; @haake2007] " + INVISIBLE_TEXT.format(0xAD))]),
    ("\\full_bibliography\n\n\\full_bibliography\n", [("\\full_bibliography", [], "a second reference list on this page "
                                                        "(\\full_bibliography): keep one, each work is listed once a page")]),
    ("!!! note\n    In a note [@witt2006].\n", [("[@witt2006]", ["witt2006"], "")]),
    ("??? note \"Details\"\n    Folded [@witt2006].\n", [("[@witt2006]", ["witt2006"], "")]),
    ("| Study | Finding |\n| --- | --- |\n| [@witt2006] | Better |\n", [("[@witt2006]", ["witt2006"], "")]),
    ("```text\n[@witt2006]\n```\n", []),
    ("## Heading [@witt2006] {#own-id}\n", [("[@witt2006]", ["witt2006"], "")]),
    ("> Quoted [@witt2006]\n", [("[@witt2006]", ["witt2006"], "")]),
    ("- item [@witt2006]\n    - nested [@haake2007]\n", [("[@witt2006]", ["witt2006"], ""), ("[@haake2007]", ["haake2007"], "")]),
    ("**[@witt2006]** and *@haake2007*", [("[@witt2006]", ["witt2006"], ""), ("@haake2007", ["haake2007"], "")]),
    ("[@a&b2020] [@doe:2020] [@10.1000/xyz] @x+y2020", [("[@a&b2020]", ["a&b2020"], ""), ("[@doe:2020]", ["doe:2020"], ""),
                                                        ("[@10.1000/xyz]", ["10.1000/xyz"], ""), ("@x+y2020", ["x+y2020"], "")]),
])
def test_citations_in_every_markdown_context(markdown_text, found):
    assert convert(markdown_text)[1] == found


def page_and_bib(built, page: str):
    (built.path / "docs" / "index.md").write_text(page, encoding="utf-8")
    return built.build()


# Heading ids against the whole page, and a citation in raw HTML on its line, as the build stops
# on them (the core reports the same: test_citation_core.py); the rest read by the core in process.
@pytest.mark.parametrize("page, message", [
    ("# Home\n\n## Cite 1\n\nA claim [@witt2006].\n",
     "citations: docs/index.md:3: the heading 'Cite 1' gets the id cite-1, which a citation's link uses: reword it, "
     "or give it an id of its own, e.g. {#cite1-section}"),
    ("# Home\n\n## Ref witt2006\n\nA claim [@witt2006].\n",
     "citations: docs/index.md:3: the heading 'Ref witt2006' gets the id ref-witt2006, which a citation's link uses: "
     "reword it, or give it an id of its own, e.g. {#refwitt2006-section}"),
    ("# Home\n\nText.\n\n<div class=\"box\">\nAs shown [@witt2006].\n</div>\n",
     f"citations: docs/index.md:6: citation [@witt2006] {RAW_HTML}"),
])
def test_a_markdown_context_that_cannot_cite_stops_the_build_at_its_line(fixture_site, page, message):
    result = fixture_site({"index.md": page}, extra_config="markdown_extensions:\n  - attr_list\n  - md_in_html\n").build()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert errors(result)[0] == message


@pytest.mark.parametrize("page, message", [
    ("# Home\n\nFollow @NHSuk for news [@witt2006].\n",
     "citations: docs/index.md:3: unknown citation key 'NHSuk' (if it is not a citation, write \\@NHSuk)"),
    ("# Home\n\nA claim [@witt2006]{: .note}.\n",
     "citations: docs/index.md:3: citation [@witt2006] is followed by an attribute list (class=\"note\"), which a citation "
     "cannot take: leave it out, or put it at the end of the paragraph"),
    ("# Home\n\nA claim [@witt2006\u200b].\n",
     "citations: docs/index.md:3: citation [@witt2006] " + INVISIBLE_TEXT.format(0x200B)),
])
def test_a_markdown_context_that_cannot_cite_is_one_located_problem(tmp_path, page, message):
    _, problems = render(core_with(tmp_path, FIXTURE_BIB), page, "attr_list", "md_in_html")
    line, text = re.fullmatch(r"citations: docs/index\.md:(\d+): (.*)", message).groups()
    assert problems[:1] == [(int(line), text)]


def test_a_citation_in_a_nav_title_is_located_in_mkdocs_yml(fixture_site):
    built = fixture_site({"index.md": "# Home\n\nA claim [@witt2006].\n"},
                         extra_config="nav:\n  - Home: index.md\n  - 'Trials [@witt2006]': bibliography.md\n")
    result = built.build()
    lines = (built.path / "mkdocs.yml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "Trials" in text)
    assert errors(result)[0] == (f"citations: mkdocs.yml:{line}: the nav title 'Trials [@witt2006]' holds a citation, "
                                 f"which would be shown as typed: name the page in words, and cite on the page")


def test_a_citation_in_front_matter_is_located(fixture_site):
    page = f"---\ntitle: What [@witt2006] found\n{DATES}---\n# Home\n\nA claim [@witt2006].\n"
    built = fixture_site({"index.md": page, "bibliography.md": HOSTILE_PAGES["bibliography.md"]}, plugins=("page-metadata",),
                         extra_config="site_description: Fixture\n")
    result = built.build()
    assert result.returncode == 1
    assert errors(result)[0] == ("page_metadata: docs/index.md:2: front matter: the title holds a citation, which would be "
                                 "shown as typed there: cite in the page's text instead (or write \\@ for an @)")


def test_backlinks_to_a_heading_with_an_ampersand_read_it_once(fixture_site):
    built = fixture_site({"index.md": "# Home\n\n## Pain & sleep\n\nA claim [@witt2006].\n"})
    assert built.build().returncode == 0
    (link,) = built.html("bibliography").select("#ref-witt2006 .reference-backlinks a")
    assert link.get_text() == "index › Pain & sleep" and "&amp;amp;" not in str(link)


def test_precomposed_and_decomposed_keys_and_names_are_one(fixture_site):
    """A build: the plugin reads each page in one Unicode normal form (the core too: test_citation_core)."""
    bib = FIXTURE_BIB + "".join(
        f"\n@article{{{key},\n  author = {{{name}, Hans}},\n  title = {{Study {n}}},\n  journal = {{J}},\n  year = {{2020}},\n}}\n"
        for n, (key, name) in enumerate([("müller2020a", "Müller"), ("müller2020b", unicodedata.normalize("NFD", "Müller"))]))
    page = "# Home\n\nOne [@" + unicodedata.normalize("NFD", "müller2020a") + "]. Two [@müller2020b].\n"
    built = fixture_site({"index.md": page, "bibliography.md": BIBLIOGRAPHY_WITH("müller2020a", "müller2020b")}, bib=bib)
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert [c.get_text() for c in built.html().select("span.citation")] == ["(Müller 2020a)", "(Müller 2020b)"]


def BIBLIOGRAPHY_WITH(*keys: str) -> str:
    return f"---\nnocite: [witt2006, sherman2009a, sherman2009b, {', '.join(keys)}]\n---\n# Bibliography\n\n\\full_bibliography\n"


def test_exporters_fields_and_latex_reach_every_output_as_text(fixture_site):
    bib = FIXTURE_BIB + CROSSREF + (
        "\n@article{doe2019,\n  author = {Doe, Jane},\n  title = {\\textit{In vivo} CO\\textsubscript{2} at $p<0.05$},\n"
        "  journaltitle = {Pain},\n  date = {2019-03-15},\n  file = {/home/editor/doe.pdf},\n}\n")
    page = f"---\n{DATES}---\n# Home\n\nOne [@doe2019]. Two [@child2020].\n"
    pages = {"index.md": page, "bibliography.md": f"---\n{DATES}" + BIBLIOGRAPHY_WITH("proc2020", "doe2019", "child2020")[4:]}
    built = fixture_site(pages, bib=bib, plugins=("page-metadata",), extra_config="site_description: Fixture\n")
    result = built.build()
    assert result.returncode == 0, result.stderr
    assert [c.get_text() for c in built.html().select("span.citation")] == ["(Doe 2019)", "(Doe 2020)"]
    head = built.html().select_one("head")
    (ld,) = head.select('script[type="application/ld+json"]')
    works = {w["name"]: w for w in json.loads(ld.string)["citation"]}
    assert works["In vivo CO2 at p<0.05"]["datePublished"] == "2019"
    assert works["In vivo CO2 at p<0.05"]["isPartOf"]["name"] == "Pain"
    scholar = [m["content"] for m in head.select('meta[name="citation_reference"]')]
    assert "citation_title=In vivo CO2 at p<0.05; citation_author=Doe, Jane; citation_journal_title=Pain; citation_publication_date=2019" in scholar
    ris = (built.path / "site" / "cite" / "references.ris").read_text(encoding="utf-8")
    assert "T1  - In vivo CO2 at p<0.05" in ris and "PY  - 2019" in ris and "\\" not in ris and "doe.pdf" not in ris
    assert "\\" not in ld.string.replace("\\u003c", "")
    assert "In: Proceedings of the pain meeting. Pain Society." in built.html("bibliography").select_one("#ref-child2020").get_text()


def test_an_entry_pandoc_cannot_read_is_reported_at_its_line_in_the_bib_file(tmp_path):
    """pybtex and our checks pass it; pandoc reads its copy: its error names our file's line."""
    from mkdocs_factsheet.citations.citeproc import Citeproc, CiteprocError
    from helpers import STYLE
    bibliography = read(FIXTURE_BIB)[0]
    sherman = bibliography.entries["sherman2009a"]
    sherman.bibtex = sherman.bibtex.replace("pages = {224--230}", "pages = {224--230\\}")  # past our checks, as if
    from mkdocs_factsheet.citations.pandoc_messages import Places, located
    citeproc = Citeproc(bibliography.bibtex, STYLE.read_bytes(), Cache(tmp_path))
    citeproc.start({"[@witt2006]"})
    with pytest.raises(CiteprocError) as error:
        citeproc.result()
    problems = [p for message in error.value.messages for p in located(message, Places(bibliography, "refs.bib"))]
    assert [str(p) for p in problems] == ["refs.bib:13: entry 'sherman2009a': pandoc cannot read this entry (unexpected '@')"]


@pytest.mark.parametrize("field", ["url = {https://example.org/x\\}", "pages = {12--14\\}", "doi = {10.1000/x\\}"])
def test_an_identifier_ending_in_a_backslash_is_located(field):
    name = field.split()[0]
    problems = read(entry(field))[1]
    assert f"refs.bib:1: entry 'k2020': the {name} ends with a backslash: take it out" in problems
