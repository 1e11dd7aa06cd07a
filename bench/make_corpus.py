"""Generates the benchmark's large corpus in bench/corpus/ (git-ignored), deterministically.

    .venv/bin/python bench/make_corpus.py [--out DIR] [--pages 100] [--citations 20] [--entries 1000]

What it writes, always the same for the same arguments (fixed seed, no clock, no network):

- references.bib: `--entries` synthetic BibTeX articles (several authors, title, journal, year,
  volume, number, pages with --, and a DOI under the reserved test prefix 10.5555/bench., so it
  can never be mistaken for a real work). Keys follow the project's rule (surname + year, with
  a/b/c for one author's works of one year), so citeproc has real year suffixes to decide.
- docs/: a home page, `--pages` pages of plain-English medical prose (headings, paragraphs,
  bulleted lists) with `--citations` citations each, in every form the hook reads: [@a],
  [@a; @b], [see @a, p. 12], [@a, pp. 33-35], and narrative "@a found ...";
- docs/references.md: the full bibliography (\\full_bibliography), with the works no page cites
  under `nocite:`, so every entry is cited or listed and the strict build passes;
- mkdocs.yml: the project's own theme (with its `extra`, stylesheets and scripts), Markdown
  extensions and validation settings, read from the repository's mkdocs.yml; the real plugin,
  and a copy of the real style (the plugin takes only files inside the project); and a nav that
  lists every page.

bench/run.py calls this itself; run it by hand only to look at the corpus.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STYLE = ROOT / "overrides" / "citation-style.csl"
SEED = 20241124
NOCITE_SHARE = 0.05  # works listed on the References page without being cited

SURNAMES = """
Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose
Davis Rodriguez Cox Alexander Garden Campbell Johnston Moore Smyth Neill Doherty Stewart Quinn
Murphy Graham Mclaughlin Hamilton Murray Hughes Robertson Thomson Scott Macdonald Reid Clark Ross
Young Watson Paterson Morrison Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz
Hoffmann Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange
Werner Krause Lehmann Köhler Nguyen Tran Le Pham Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou
Xu Sun Ma Zhu Hu Guo He Lin Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Sato Suzuki Takahashi
Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Rossi Russo Ferrari Esposito Bianchi Romano
Colombo Ricci Marino Greco García Fernández González Martínez López Sánchez Pérez Gómez Martín
Jiménez Ruiz Hernández Díaz Moreno Álvarez Silva Santos Oliveira Souza Pereira Costa Andersson
Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Nielsen Jensen Berg Haugen Virtanen
Korhonen Mäkinen Nieminen Dubois Martin Bernard Thomas Petit Durand Leroy Moreau Simon Laurent
Lefebvre Michel Kowalski Nowak Wiśniewski Novák Horváth Popescu Ivanova Petrov Cohen Levi
Friedman Goldberg Shapiro Singh Sharma Gupta Kumar Reddy Rao Iyer Das Mukherjee Okafor Adeyemi
Mensah Owusu Mwangi Otieno Banda Dlamini Ndlovu Van-der-Berg
""".split()

GIVEN = """
Anna James Sarah Michael Claudia Karen Daniel Benno Eric Marie Adrian Peter Helen Richard Susanne
Klaus Andrea Stefan Laura Rene Alice Partap Hans Michael Carolyn Ting Wei Jun Hiroshi Yuki Min-Ji
Seo-Yeon Giulia Marco Lucia Pablo Inés Joao Ana Lars Ingrid Mikko Aino Claire Julien Piotr Jana
Andrei Olga David Rachel Priya Arjun Chidi Ama Wanjiru Thabo Lerato Fiona Gareth Siobhan Ewan
""".split()

JOURNALS = """
Archives of Internal Medicine|Pain|The Clinical Journal of Pain|Spine|The Spine Journal
European Spine Journal|BMJ|The Lancet|Journal of Pain Research|Acupuncture in Medicine
Complementary Therapies in Medicine|BMC Musculoskeletal Disorders|Annals of Internal Medicine
Journal of Alternative and Complementary Medicine|Physical Therapy|Manual Therapy
British Journal of General Practice|Family Practice|Rheumatology|Arthritis Care and Research
Journal of Orthopaedic and Sports Physical Therapy|Evidence-Based Complementary and Alternative Medicine
American Journal of Obstetrics and Gynecology|Occupational and Environmental Medicine
Journal of Manipulative and Physiological Therapeutics|Pain Medicine|European Journal of Pain
""".replace("\n", "|").strip("|").split("|")

CONDITIONS = [
    "chronic low back pain", "acute low back pain", "sciatica", "chronic neck pain",
    "pelvic girdle pain in pregnancy", "osteoarthritis of the knee", "fibromyalgia",
    "tension-type headache", "migraine", "shoulder pain", "lumbar spinal stenosis",
    "whiplash-associated disorders", "myofascial pain", "persistent postsurgical pain",
]
INTERVENTIONS = [
    "acupuncture", "electroacupuncture", "manual acupuncture", "auricular acupuncture",
    "dry needling", "acupressure", "exercise therapy", "physiotherapy", "massage",
    "spinal manipulation", "cognitive behavioural therapy", "yoga", "transcutaneous electrical nerve stimulation",
]
COMPARATORS = [
    "sham acupuncture", "usual care", "minimal acupuncture", "a waiting list", "placebo TENS",
    "standard physiotherapy", "advice and education", "non-steroidal anti-inflammatory drugs",
]
OUTCOMES = [
    "pain", "back function", "quality of life", "sleep", "mobility", "mood", "physical function",
    "the ability to work", "general health", "pain at night", "walking distance", "neck function",
]
POPULATIONS = [
    "adults in primary care", "older adults", "pregnant women", "office workers",
    "people attending a pain clinic", "nurses", "manual workers", "military veterans",
    "people aged 18 to 65", "patients on a waiting list for surgery",
]
DESIGNS = [
    "a randomised controlled trial", "a pragmatic trial", "a systematic review",
    "a meta-analysis of individual patient data", "a cohort study", "a cost-effectiveness analysis",
    "a pilot study", "a secondary analysis", "a survey of practitioners", "a qualitative study",
]
ACRONYMS = ["GERAC", "ART", "ATLAS", "SPINE", "BACKPAIN", "YORKSHIRE", "NEEDLE", "STAR", "PACE", "ACTIVE"]
TITLES = [
    "{I} versus {C} for {D}: {design}",
    "Effect of {i} on {o} in {p} with {d}: {design}",
    "Long-term outcomes of {i} for {d}",
    "The {{{A}}} trial: {i} compared with {c} for {d}",
    "{I} for {d}: an updated systematic review and meta-analysis",
    "Predictors of response to {i} in {p}",
    "Cost-effectiveness of {i} added to {c} for {d} in the {{UK}}",
    "Adverse events associated with {i}: a prospective survey of {n} treatments",
    "Does {i} improve {o}? Results from {design}",
    "Expectations and outcome of {i} in {p} with {d}",
    "Mechanisms of {i}: a functional {{MRI}} study in {p}",
    "{I} and {c} for {d}: a three-armed {{RCT}}",
]

SENTENCES = [
    "{I} improved {o} more than {c} in {p} with {d}",
    "In {design}, people given {i} reported better {o} after {n} weeks",
    "The benefit of {i} for {o} was still present at {m} months",
    "Differences between {i} and {c} were small and may not matter to patients",
    "Most of the improvement in {o} happened in the first {n} weeks of treatment",
    "{I} was at least as effective as {c} for {d}",
    "Serious side effects of {i} were rare, at fewer than {k} in 10,000 treatments",
    "People with more severe symptoms at the start gained most from {i}",
    "Adding {i} to {c} improved {o} for {p}",
    "The quality of the evidence on {i} for {d} was judged moderate",
    "Guidelines for {d} suggest considering {i} when other treatments have not helped",
    "Trials of {i} are hard to blind, because practitioners know which treatment they give",
    "{I} cost about £{cost} per quality-adjusted life year gained compared with {c}",
    "Expectations of benefit predicted how much {o} improved, whatever the treatment",
    "Results for {p} were similar to those for the whole group",
    "The pooled effect on {o} was moderate and consistent across studies",
]
PLAIN = [
    "Back pain is one of the most common reasons for seeing a GP.",
    "Most episodes of acute back pain get better within a few weeks.",
    "Chronic pain is pain that lasts for longer than three months.",
    "Treatment usually combines staying active with other approaches.",
    "A practitioner will ask about your symptoms before starting treatment.",
    "Sessions usually last between 20 and 40 minutes.",
    "Talk to your GP if the pain is severe or keeps getting worse.",
    "Some people feel relaxed or a little tired after a session.",
    "It can take several sessions before any change is noticed.",
    "Results differ from one person to another.",
]
HEADINGS = [
    "What the studies found", "Who took part", "How the treatment was given", "Side effects",
    "How long the benefits lasted", "Comparing treatments", "Costs and value for money",
    "What this means for patients", "What this means for GPs", "Limitations of the evidence",
    "Questions to ask your practitioner", "Background",
]
SECTIONS = [
    "Back pain", "Neck and shoulder pain", "Pregnancy", "Headache", "Joint pain",
    "Treatments compared", "Safety", "Costs", "Mechanisms", "Guidance",
]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def fill(template: str, rng: random.Random) -> str:
    i, c = rng.choice(INTERVENTIONS), rng.choice(COMPARATORS)
    return template.format(
        i=i, I=i[0].upper() + i[1:], c=c, C=c[0].upper() + c[1:], d=rng.choice(CONDITIONS),
        D=rng.choice(CONDITIONS).capitalize(), o=rng.choice(OUTCOMES), p=rng.choice(POPULATIONS),
        design=rng.choice(DESIGNS), A=rng.choice(ACRONYMS), n=rng.randint(4, 26), m=rng.choice([6, 12, 24]),
        k=rng.randint(2, 14), cost=f"{rng.randint(3, 25) * 1000:,}",
    )


def bibtex_title(title: str) -> str:
    """Braces round acronyms outside existing braces, as the project's README asks."""
    return re.sub(r"(?<![{\w])(TENS|UK|MRI|RCT|NSAID|GP)(?![}\w])", r"{\1}", title)


def make_entries(rng: random.Random, count: int) -> list[dict]:
    entries, used = [], {}
    for n in range(count):
        authors = []
        for _ in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 10])):
            surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
            middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.4 else ""
            surname = f"{{{surname.replace('-', ' ')}}}" if "-" in surname else surname
            authors.append(f"{surname}, {given}{middle}")
        year = rng.randint(1990, 2024)
        base = f"{ascii_slug(authors[0].strip('{}').split(',')[0]).replace('-', '')}{year}"
        used[base] = used.get(base, 0) + 1
        entries.append({
            "base": base, "authors": authors, "year": year,
            "title": bibtex_title(fill(rng.choice(TITLES), rng)),
            "journal": rng.choice(JOURNALS), "volume": rng.randint(1, 220), "number": rng.randint(1, 12),
            "first": (first := rng.randint(1, 2400)), "last": first + rng.randint(4, 16),
            "doi": f"10.5555/bench.{n + 1:04d}",
        })
    seen: dict[str, int] = {}
    for entry in entries:  # smith2009a, smith2009b when one author has two works in a year
        base = entry["base"]
        if used[base] == 1:
            entry["key"] = base
        else:
            seen[base] = seen.get(base, 0) + 1
            entry["key"] = base + "abcdefghijklmnopqrstuvwxyz"[seen[base] - 1]
    return sorted(entries, key=lambda e: e["key"])


def bib_text(entries: list[dict]) -> str:
    out = ["% Synthetic bibliography for bench/ (made by bench/make_corpus.py): none of these works exist.",
           "% Every DOI uses the reserved test prefix 10.5555/bench.", ""]
    for e in entries:
        out += [
            "% synthetic benchmark entry, not a real work.",
            f"@article{{{e['key']},",
            f"  author  = {{{' and '.join(e['authors'])}}},",
            f"  title   = {{{e['title']}}},",
            f"  journal = {{{e['journal']}}},",
            f"  year    = {{{e['year']}}},",
            f"  volume  = {{{e['volume']}}},",
            f"  number  = {{{e['number']}}},",
            f"  pages   = {{{e['first']}--{e['last']}}},",
            f"  doi     = {{{e['doi']}}},",
            "}", "",
        ]
    return "\n".join(out)


class KeyPool:
    """Hands out keys so that every key meant to be cited is cited once before any repeats."""

    def __init__(self, keys: list[str], rng: random.Random):
        self.fresh = list(keys)
        rng.shuffle(self.fresh)
        self.all = list(keys)
        self.rng = rng

    def take(self, n: int) -> list[str]:
        picked: list[str] = []
        while len(picked) < n:
            # Favour a few "classic" works, as real sites do, once everything is covered.
            key = self.fresh.pop() if self.fresh else self.all[int(len(self.all) * self.rng.random() ** 2)]
            if key not in picked:
                picked.append(key)
        return picked


def citation(pool: KeyPool, rng: random.Random) -> tuple[str, bool]:
    """One citation's Markdown, and whether it is narrative (it then starts a sentence)."""
    roll = rng.random()
    if roll < 0.10:
        return f"@{pool.take(1)[0]}", True
    if roll < 0.22:
        key = pool.take(1)[0]
        return rng.choice([f"[see @{key}, p. {rng.randint(2, 900)}]", f"[@{key}, pp. {(a := rng.randint(2, 800))}-{a + rng.randint(1, 6)}]",
                           f"[@{key}, chap. {rng.randint(1, 12)}]", f"[e.g. @{key}, table {rng.randint(1, 5)}]"]), False
    if roll < 0.40:
        keys = pool.take(rng.choice([2, 2, 2, 3, 3, 4]))
        parts = [f"@{k}" for k in keys]
        if rng.random() < 0.3:
            parts[0] = f"see {parts[0]}, p. {rng.randint(2, 400)}"
        return "[" + "; ".join(parts) + "]", False
    return f"[@{pool.take(1)[0]}]", False


def page_text(title: str, rng: random.Random, pool: KeyPool, citations: int) -> str:
    cites = [citation(pool, rng) for _ in range(citations)]
    blocks: list[str] = [f"# {title}", ""]
    blocks.append(" ".join(rng.sample(PLAIN, 2)) + "\n")

    def sentence() -> str:
        if cites and rng.random() < 0.55:
            source, narrative = cites.pop()
            body = fill(rng.choice(SENTENCES), rng)
            if narrative:
                return f"{source} found that {body[0].lower() + body[1:]}."
            return f"{body} {source}."
        return rng.choice(PLAIN) if rng.random() < 0.5 else fill(rng.choice(SENTENCES), rng) + "."

    headings = rng.sample(HEADINGS, 5)
    for number, heading in enumerate(headings):
        blocks += [f"## {heading}", ""]
        for _ in range(rng.randint(1, 3)):
            blocks += [" ".join(sentence() for _ in range(rng.randint(3, 6))), ""]
        if number % 2 == 0:
            blocks += [f"- {sentence()}" for _ in range(rng.randint(3, 5))] + [""]
    if cites:  # whatever is left goes in a closing summary
        blocks += ["## Summary", ""]
        while cites:
            blocks.append(f"- {sentence()}")
        blocks.append("")
    return "\n".join(blocks)


def config_text(pages_nav: list, corpus_watch: list[str]) -> str:
    """mkdocs.yml: the project's theme and Markdown settings, the real hook and style."""

    class Loader(yaml.SafeLoader):  # the project's file may use tags such as !ENV
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    project = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    theme = dict(project["theme"])
    theme_dirs = []
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((ROOT / theme["custom_dir"]).resolve())
        theme_dirs.append(Path(theme["custom_dir"]))

    def assets(kind: str) -> list:
        """The project's stylesheets or scripts that the theme folder holds (docs/ ones do not apply)."""
        paths = [a if isinstance(a, str) else a.get("path", "") for a in project.get(kind) or []]
        return [a for a in paths if any((d / a).is_file() for d in theme_dirs)]
    config = {
        "site_name": "Benchmark corpus",
        "site_description": "A synthetic site with 100 pages and 1,000 references, for bench/run.py.",
        "theme": theme,
        "plugins": [
            {"search": {"lang": "en"}},
            {"citations": {"bib_file": "references.bib", "csl_file": STYLE.name, "bib_by_default": True}},
        ],
        "watch": corpus_watch,
        "extra": project.get("extra") or {},
        "extra_css": assets("extra_css"),
        "extra_javascript": assets("extra_javascript"),
        "markdown_extensions": project.get("markdown_extensions", []),
        "validation": project.get("validation", {}),
        "nav": pages_nav,
    }
    header = "# Generated by bench/make_corpus.py: do not edit, rerun it.\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)


def make(out: Path, pages: int = 100, citations: int = 20, entries: int = 1000, seed: int = SEED) -> dict:
    rng = random.Random(seed)
    bib = make_entries(rng, entries)
    keys = [e["key"] for e in bib]
    uncited = sorted(rng.sample(keys, int(len(keys) * NOCITE_SHARE)))
    pool = KeyPool([k for k in keys if k not in set(uncited)], rng)

    if out.exists():
        shutil.rmtree(out)
    docs = out / "docs"
    docs.mkdir(parents=True)
    (out / "references.bib").write_text(bib_text(bib), encoding="utf-8")

    nav: list = [{"Home": "index.md"}]
    sections: dict[str, list] = {}
    titles_used: set[str] = set()
    for n in range(pages):
        section = SECTIONS[n % len(SECTIONS)]
        while True:
            title = f"{rng.choice(INTERVENTIONS).capitalize()} for {rng.choice(CONDITIONS)}"
            if title not in titles_used:
                break
            title = f"{title} in {rng.choice(POPULATIONS)}"
            if title not in titles_used:
                break
        titles_used.add(title)
        path = f"{ascii_slug(section)}/{n + 1:03d}-{ascii_slug(title)}.md"
        front = f"---\ntitle: {title}\ndescription: What the research says about {title[0].lower() + title[1:]}.\n---\n\n"
        (docs / path).parent.mkdir(exist_ok=True)
        (docs / path).write_text(front + page_text(title, rng, pool, citations), encoding="utf-8")
        sections.setdefault(section, []).append({title: path})
    nav += [{section: items} for section, items in sections.items()]
    nav.append({"References": "references.md"})
    assert not pool.fresh, "not every key was cited: raise --pages or --citations"

    (docs / "index.md").write_text(
        "---\ntitle: Benchmark corpus\ndescription: A synthetic site for measuring build times.\n---\n\n"
        "# Benchmark corpus\n\nThis site is made up: its pages and its references are synthetic test data, "
        "written by bench/make_corpus.py to measure how long the site takes to build.\n",
        encoding="utf-8",
    )
    nocite = "".join(f"  - {key}\n" for key in uncited)
    (docs / "references.md").write_text(
        f"---\ntitle: References\ndescription: Every work the corpus cites.\nnocite:\n{nocite}---\n\n"
        "# References\n\nThis page lists every work in the bibliography.\n\n\\full_bibliography\n",
        encoding="utf-8",
    )
    shutil.copyfile(STYLE, out / STYLE.name)
    (out / "mkdocs.yml").write_text(config_text(nav, ["references.bib"]), encoding="utf-8")
    return {"pages": pages, "entries": len(bib), "nocite": len(uncited)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "corpus")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--citations", type=int, default=20, help="citations per page")
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args()
    made = make(args.out, args.pages, args.citations, args.entries)
    print(f"{args.out}: {made['pages']} pages, {made['entries']} entries ({made['nocite']} under nocite:)")


if __name__ == "__main__":
    main()
