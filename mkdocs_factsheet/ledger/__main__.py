"""`python -m mkdocs_factsheet.ledger` (what `./run ledger` runs)."""

import sys

from mkdocs_factsheet.ledger.cli import main

raise SystemExit(main(sys.argv[1:]))
