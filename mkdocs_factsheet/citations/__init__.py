"""Citations: pandoc's citation syntax, read by the Markdown parser, formatted by pandoc's citeproc.

The core needs no MkDocs: extension.py (CitationsExtension, for Python-Markdown on its own),
syntax.py (the inline patterns and placeholders), resolver.py (filling placeholders in, pure),
bibliography.py (reading and checking the bib file), citeproc.py (pandoc), references.py and
markup.py (the HTML), checks.py (the citation checks), downloads.py (the BibTeX and RIS files readers download).
The MkDocs plugin around it: plugin.py (events), config.py (its options), sources.py (the files
mkdocs.yml names), pages.py (each page's citations in reading order).
"""
