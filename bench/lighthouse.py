"""Lighthouse on the built site: the home page and the longest page, mobile preset.

Prints the four category scores of each page and fails when one is below its target. Run it as
`./run lighthouse`, which installs the pinned Lighthouse under .cache/lighthouse/, builds the site
into build/lighthouse/site/ and calls this script; reports go to build/lighthouse/ (git-ignored).

    python bench/lighthouse.py SITE_DIR LIGHTHOUSE_COMMAND
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

TARGETS = {"performance": 95, "accessibility": 95, "best-practices": 100, "seo": 100}
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
REPORTS = Path(__file__).resolve().parent.parent / "build" / "lighthouse"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does in one respect that Lighthouse weighs: text is gzipped."""

    compressed = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix in self.compressed and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def log_message(self, format, *args):
        pass


def pages(site: Path) -> dict[str, str]:
    """{name: site URL} for the home page and the page with the most HTML."""
    built = [p for p in site.glob("*/index.html") if p.parent.name not in ("search", "assets")]
    longest = max(built, key=lambda p: p.stat().st_size)
    return {"home": "", longest.parent.name: f"{longest.parent.name}/"}


def audit(lighthouse: str, url: str, name: str) -> dict:
    base = REPORTS / name
    subprocess.run(
        [
            lighthouse, url, "--quiet", "--output=json", "--output=html", f"--output-path={base}",
            f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(TARGETS),
        ],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    return json.loads(base.with_suffix(".report.json").read_text(encoding="utf-8"))


def failing_audits(report: dict, category: str) -> list[str]:
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        result = report["audits"][ref["id"]]
        if ref["weight"] and result["score"] is not None and result["score"] < 1:
            value = f" ({result['displayValue']})" if result.get("displayValue") else ""
            lines.append(f"      {result['id']}: {result['title']}{value}")
    return lines


def main(site: Path, lighthouse: str) -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    below = 0
    try:
        print(f"{'page':<24}" + "".join(f"{c:>16}" for c in TARGETS))
        for name, path in pages(site).items():
            report = audit(lighthouse, base + path, name)
            scores = {c: round(report["categories"][c]["score"] * 100) for c in TARGETS}
            print(f"{'/' + path:<24}" + "".join(f"{scores[c]:>16}" for c in TARGETS))
            for category, target in TARGETS.items():
                if scores[category] < target:
                    below += 1
                    print(f"    {category} {scores[category]} < {target}:")
                    print("\n".join(failing_audits(report, category)))
    finally:
        httpd.shutdown()
    print(f"targets: {', '.join(f'{c} >= {t}' for c, t in TARGETS.items())}; reports in {REPORTS}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
