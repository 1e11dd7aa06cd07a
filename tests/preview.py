"""A real `mkdocs serve` of a copy of the project, for the preview tests.

The copy lives in a temporary folder, so the tests edit its files as an editor would without
touching the repository. The server listens on a free loopback port (8201-8299), is started with
subprocess and stopped by its PID; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT, copy_project

PORTS = range(8201, 8300)
# What a build writes, and what an editor's copy would not have: left out of the copy.
STARTUP_SECONDS = 180  # the first build, on a busy machine
CHANGE_SECONDS = 60  # a rebuild after a save
ANSWER_SECONDS = 2  # a page that takes longer than this is a hang, as the editor sees it
TIMINGS = ROOT / "build" / "preview-timings.json"  # what each run measured, for people to read


def answer_ctrl_c() -> None:
    """In the server's process: Ctrl+C stops it, even if the tests run where it is ignored (a
    shell's background job), so that MkDocs cleans up as it does for an editor."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class Preview:
    project: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    port: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def log(self) -> str:
        return (self.project / "serve.log").read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        self.port = free_port()
        log = (self.project / "serve.log").open("w", encoding="utf-8")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "FACTSHEET_PDF": "off", **self.env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=answer_ctrl_c,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while "Serving on http://" not in self.log:
            assert self.process.poll() is None, f"mkdocs serve stopped:\n{self.log}"
            assert time.monotonic() < deadline, f"mkdocs serve did not start in {STARTUP_SECONDS} s:\n{self.log}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl+C, as the editor stops it
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def get(self, path: str = "", timeout: float = ANSWER_SECONDS) -> tuple[int, str, float]:
        """(status, body, seconds) for a page; a hang fails with a timeout."""
        start = time.monotonic()
        try:
            with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
                return response.status, response.read().decode("utf-8"), time.monotonic() - start
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), time.monotonic() - start

    def page(self, path: str = "") -> BeautifulSoup:
        status, body, _ = self.get(path)
        assert status == 200, f"/{path}: HTTP {status}"
        return BeautifulSoup(body, "html.parser")

    def box(self, path: str = "") -> BeautifulSoup | None:
        """The problem box on a page, or None."""
        return self.page(path).select_one("section.editor-preview")

    def wait_until(self, what: str, condition, timeout: float = CHANGE_SECONDS) -> float:
        """Polls until condition() holds; returns the seconds it took (kept in self.timings)."""
        start = time.monotonic()
        while True:
            try:
                if condition():
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                pass  # a page that answers late is checked by the caller, not here
            assert time.monotonic() - start < timeout, f"{what}: not within {timeout} s\n{self.log[-3000:]}"
            time.sleep(0.1)
        self.timings[what] = round(time.monotonic() - start, 2)
        return self.timings[what]

    @contextmanager
    def created(self, relative: str, text: str):
        """A new file, saved; deleted afterwards."""
        path = self.project / relative
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        finally:
            path.unlink()

    @contextmanager
    def edited(self, relative: str, old: str, new: str, count: int = 1):
        """The file changed as an editor would, saved; put back as it was afterwards."""
        path = self.project / relative
        original = path.read_text(encoding="utf-8")
        assert old in original, f"{relative} has no {old!r}"
        path.write_text(original.replace(old, new, count), encoding="utf-8")
        try:
            yield path
        finally:
            path.write_text(original, encoding="utf-8")


@contextmanager
def serving(tmp_path_factory, **env: str):
    preview = Preview(copy_project(tmp_path_factory.mktemp("preview")), env=env)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()
        TIMINGS.parent.mkdir(exist_ok=True)
        previous = json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.exists() else {}
        TIMINGS.write_text(json.dumps({**previous, **preview.timings}, indent=2) + "\n", encoding="utf-8")
