"""The `page-metadata` plugin: review dates, who publishes the page, and machine-readable descriptions.

- on_page_markdown reports front matter that YAML cannot read (the line and the real YAML
  problem, never "needs last_reviewed"; the raw YAML is kept off the page), and checks each
  page's review dates (front matter `last_reviewed` and `next_review`): missing, in the future
  or more than 3 years apart is a warning, which `--strict` turns into a failure. A passed
  `next_review` is an INFO line only: the calendar alone never breaks a build
  (mkdocs_factsheet/review.py has the rules, the clock and the weekly check);
- on_page_content tells readers "Review overdue since …" under the page's heading when it is,
  and adds "Page last reviewed" and "Next review due" (as <time datetime>), the publisher and
  the dates of the evidence cited, at the end of the page;
- on_post_page adds to <head>: schema.org JSON-LD (MedicalWebPage), Open Graph tags, and
  Google Scholar `citation_reference` tags for each work the page cites.

The works a page cites come from the citations plugin (mkdocs_factsheet/citations), as `page.meta["works_cited"]`
(fields without protective braces, `authors` as a list).
"""

from __future__ import annotations

import html
import re
from datetime import date

import yaml
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.utils.meta import YAML_RE, SafeLoader

from mkdocs_factsheet.escaping import bibtex_text, front_matter_problems, json_in_script
from mkdocs_factsheet.messages import docs_path, yaml_problem
from mkdocs_factsheet.problems import Problem, report
from mkdocs_factsheet.review import long_date as _long_date
from mkdocs_factsheet.review import is_day, line_of, overdue, review_problems, today

log = get_plugin_logger("page_metadata")

def _title(page) -> str:
    """The page's own title (front matter), not its shorter navigation label."""
    return str(page.meta.get("title") or page.title)


def _years(references: list[dict]) -> list[int]:
    return sorted(int(r["year"]) for r in references if str(r.get("year", "")).isdigit())


def _publisher(config) -> str:
    return config.extra.get("publisher") or config.site_author or config.site_name


def page_citation(page, config) -> tuple[str, str]:
    """How to cite this page: as text in the site's author-year style, and as BibTeX."""
    name = _publisher(config)
    author = name[0].upper() + name[1:]  # "the … team" opens the citation
    reviewed = page.meta["last_reviewed"]
    url = page.canonical_url if config.site_url else ""
    # The home page's title is the site's name: said once, not as both page and website.
    website = f"<em>{html.escape(config.site_name)}</em>. " if _title(page) != config.site_name else ""
    text = (
        f"{html.escape(author)} ({reviewed.year}). {html.escape(_title(page))}. "
        f"{website}Last reviewed {_long_date(reviewed)}."
        + (f' <a href="{html.escape(url)}">{html.escape(url)}</a>' if url else "")
    )
    slug = re.sub(r"[^a-z]", "", (page.file.src_uri.removesuffix(".md")).lower()) or "home"
    fields = {
        "author": "{" + bibtex_text(author) + "}",
        "title": bibtex_text(_title(page)),
        "howpublished": bibtex_text(config.site_name) if _title(page) != config.site_name else "",
        "year": str(reviewed.year),
        "note": f"Last reviewed {reviewed.isoformat()}",
        "url": url,
    }
    bibtex = f"@misc{{factsheet{reviewed.year}{slug},\n" + "".join(
        f"  {name:<12} = {{{value}}},\n" for name, value in fields.items() if value
    ) + "}\n"
    return text, bibtex


def review_box(page, config) -> str:
    reviewed, due = page.meta["last_reviewed"], page.meta["next_review"]
    years = _years(page.meta.get("works_cited", []))
    evidence = f"<br>Evidence cited on this page: published {years[0]}–{years[-1]}." if years else ""
    next_review = "Review overdue since" if overdue(page.meta, today()) else "Next review due"
    return (
        '<aside class="page-review" aria-label="About this page">'
        f'<p>Page last reviewed: <time datetime="{reviewed.isoformat()}">{_long_date(reviewed)}</time><br>'
        f'{next_review}: <time datetime="{due.isoformat()}">{_long_date(due)}</time></p>'
        f"<p>Published by {html.escape(_publisher(config))}. Based on the factsheet “Acupuncture for back pain”, "
        f"{html.escape(config.extra.get('source_evidence', ''))}.{evidence}</p>"
        f"{_cite_box(page, config)}</aside>"
    )


def _cite_box(page, config) -> str:
    text, bibtex = page_citation(page, config)
    return (
        '<details class="cite-page"><summary>Cite this page</summary>'
        f'<p class="cite-page-text">{text}</p>'
        f'<p>As BibTeX:</p><pre><code class="cite-page-bibtex">{html.escape(bibtex)}</code></pre></details>'
    )


def json_ld(page, config) -> dict:
    """schema.org description of the page, for search engines and citation tools."""
    publisher = {"@type": "Organization", "name": _publisher(config)}
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": _title(page),
        "headline": _title(page),
        "description": str(page.meta.get("description") or config.site_description or ""),
        "inLanguage": "en-GB",
        "lastReviewed": page.meta["last_reviewed"].isoformat(),
        "publisher": publisher,
        "author": publisher,
        "about": {"@type": "MedicalCondition", "name": "Back pain", "alternateName": "Low back pain"},
        "audience": [
            {"@type": "MedicalAudience", "audienceType": "Patient"},
            {"@type": "MedicalAudience", "audienceType": "Clinician"},
        ],
        "citation": [_scholarly_work(r) for r in page.meta.get("works_cited", [])],
    }
    if config.site_url:
        data["url"] = page.canonical_url
    return data


def _scholarly_work(reference: dict) -> dict:
    work = {
        "@type": "ScholarlyArticle" if reference["type"] == "article" else "CreativeWork",
        "name": reference.get("title", ""),
        "author": [{"@type": "Person", "name": a} for a in reference["authors"]],
        "datePublished": reference.get("year"),
        "description": reference["text"],
    }
    if journal := reference.get("journal"):
        work["isPartOf"] = {"@type": "Periodical", "name": journal}
    if doi := reference.get("doi"):
        work["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi}
        work["sameAs"] = f"https://doi.org/{doi}"
    elif url := reference.get("url"):
        work["url"] = url
    return work


def scholar_reference(reference: dict) -> str:
    """One Google Scholar `citation_reference` value: `citation_title=…; citation_author=…`."""
    parts = [("citation_title", reference.get("title", ""))]
    parts += [("citation_author", a) for a in reference["authors"]]
    first, _, last = reference.get("pages", "").partition("--")
    for name, value in (
        ("citation_journal_title", reference.get("journal")),
        ("citation_publication_date", reference.get("year")),
        ("citation_volume", reference.get("volume")),
        ("citation_issue", reference.get("number")),
        ("citation_firstpage", first),
        ("citation_lastpage", last),
        ("citation_doi", reference.get("doi")),
        ("citation_pmid", reference.get("pmid")),
    ):
        if value:
            parts.append((name, value))
    return "; ".join(f"{name}={value.replace(';', ',')}" for name, value in parts)


def head_tags(page, config) -> str:
    tags = [f'<script type="application/ld+json">{json_in_script(json_ld(page, config))}</script>']
    og = {
        "og:type": "article",
        "og:title": _title(page),
        "og:description": str(page.meta.get("description") or config.site_description or ""),
        "og:site_name": config.site_name,
        "og:locale": "en_GB",
    }
    if config.site_url:
        og["og:url"] = page.canonical_url
    tags += [f'<meta property="{name}" content="{html.escape(value)}">' for name, value in og.items()]
    tags += [f'<meta name="citation_title" content="{html.escape(_title(page))}">',
             f'<meta name="citation_publication_date" content="{page.meta["last_reviewed"]:%Y/%m/%d}">',
             '<meta name="citation_language" content="en">']
    tags += [f'<meta name="citation_reference" content="{html.escape(scholar_reference(r))}">' for r in page.meta.get("works_cited", [])]
    return "\n".join(tags)


# --- MkDocs events ---------------------------------------------------------------------------


def front_matter_problem(source: str) -> tuple[int, str] | None:
    """(line, problem) if the page has front matter that YAML cannot read. MkDocs then ignores
    the whole block (its meta is empty) and would show it on the page as text."""
    match = YAML_RE.match(source)
    if not match:
        return None
    try:
        yaml.load(match.group(1), SafeLoader)  # MkDocs' own reading (mkdocs.utils.meta.get_data)
    except yaml.YAMLError as error:
        return yaml_problem(error, first_line=2)  # line 1 is the opening ---
    return None


def overdue_notice(due: date) -> str:
    """For readers, under the page's heading: the review this page was due has not been done."""
    return (
        '<div class="admonition warning review-overdue" role="note">'
        f'<p class="admonition-title">Review overdue since <time datetime="{due.isoformat()}">{_long_date(due)}</time></p>'
        "<p>This page was due to be checked again on that date, and has not been yet: "
        "some of it may be out of date.</p></div>"
    )


class PageMetadataConfig(Config):
    enabled = opt.Type(bool, default=True)


class PageMetadataPlugin(BasePlugin[PageMetadataConfig]):
    def on_page_markdown(self, markdown, page, config, files):
        if not self.config.enabled:
            return markdown
        where = docs_path(config, page.file.src_uri)
        source = page.file.content_string
        if unreadable := front_matter_problem(source):
            line, problem = unreadable
            report(log, Problem(f"front matter: {problem}", where, line))
            match = YAML_RE.match(markdown)
            return markdown[match.end():] if match else markdown  # never the raw YAML on the page
        for line, problem in review_problems(page.meta, source, today()) + front_matter_problems(page.meta, lambda name: line_of(name, source)):
            report(log, Problem(problem, where, line, severity="warning"))
        if due := overdue(page.meta, today()):
            report(log, Problem(f"review overdue since {_long_date(due)}: check the page, then update last_reviewed and next_review",
                                where, severity="info"))
        return markdown

    def on_page_content(self, html_text, page, config, files):
        if self.config.enabled and is_day(page.meta.get("last_reviewed")) and is_day(page.meta.get("next_review")):
            if due := overdue(page.meta, today()):
                html_text = re.sub(r"(</h1>)", lambda m: m.group(1) + overdue_notice(due), html_text, count=1)
            return html_text + review_box(page, config)
        return html_text

    def on_post_page(self, output, page, config):
        if not self.config.enabled or not is_day(page.meta.get("last_reviewed")):
            return output
        return output.replace("</head>", head_tags(page, config) + "\n</head>", 1)
