"""Text from outside (bibliography fields, front matter) escaped for where it lands in a page.

HTML text and attributes take `html.escape`; these are the two places it is not enough.
"""

from __future__ import annotations

import json

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
