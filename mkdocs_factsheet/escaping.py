"""Text from outside (bibliography fields, front matter) escaped for where it lands in a page.

HTML text and attributes take `html.escape`; these are the two places it is not enough.
"""

from __future__ import annotations

import json
import re

# In a <script> block the HTML parser ends the script at `</script` and reads `<!--` as a comment
# opening, whatever JSON thinks of them; escaped as \u003c and so on, the JSON means the same and
# the HTML parser sees no tag. U+2028 and U+2029 end a line in older JavaScript.
_IN_SCRIPT = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}

# What BibTeX and LaTeX read as syntax in a field's value.
_IN_BIBTEX = {ord(c): "\\" + c for c in "{}%&#_$"} | {ord("\\"): "\\textbackslash{}", ord("~"): "\\textasciitilde{}",
                                                     ord("^"): "\\textasciicircum{}"}


def json_in_script(data) -> str:
    """JSON to stand between <script> and </script>, such as a JSON-LD block."""
    return json.dumps(data, ensure_ascii=False).translate(_IN_SCRIPT)


def bibtex_text(text: str) -> str:
    """Text as a BibTeX field's value that BibTeX and LaTeX read back as the same text."""
    return text.translate(_IN_BIBTEX)


# What the theme writes into every page from a page's front matter as it stands, unescaped
# (Material's <meta name="description" content="…"> and headings): a `"` ends the attribute early,
# a `<` opens a tag. And a citation there is never read as one.
_FRONT_MATTER_TEXT = ("title", "description")
_UNSAFE_IN_THEME = {'"': "a straight quote (\"), which ends the theme's HTML attribute early: write curly quotes “ ”",
                    "<": "a '<', which the theme would read as HTML: write 'less than', or ‹ ›"}
_CITATION = re.compile(r"(?<![\w.+-])-?@\{?\w")


def front_matter_problems(meta: dict, line_of) -> list[tuple[int, str]]:
    """(line, problem) for text in a page's front matter that the theme cannot show as written.
    `line_of(name)` gives the front matter line that sets `name`."""
    problems = []
    for name in _FRONT_MATTER_TEXT:
        value = meta.get(name)
        if not isinstance(value, str):
            continue
        for sign, problem in _UNSAFE_IN_THEME.items():
            if sign in value:
                problems.append((line_of(name), f"front matter: the {name} holds {problem}"))
        if _CITATION.search(value):
            problems.append((line_of(name), f"front matter: the {name} holds a citation, which would be shown as typed "
                                            f"there: cite in the page's text instead (or write \\@ for an @)"))
    return problems
