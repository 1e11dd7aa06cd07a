"""Citations for MkDocs: pandoc's citation syntax, read by the Markdown parser, formatted by citeproc.

plugin.py (the MkDocs plugin, configured like mkdocs-bibtex; its options in config.py), syntax.py (the Markdown extension),
bibliography.py (reading and checking the bib file), citeproc.py (pandoc), markup.py (the HTML),
exports.py (BibTeX and RIS downloads).
"""

from .plugin import CitationsPlugin

__all__ = ["CitationsPlugin"]
