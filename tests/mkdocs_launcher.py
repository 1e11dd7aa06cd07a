"""The mkdocs command line, each run in a process of its own, forked from one that has already
imported MkDocs, Material, Python-Markdown and mkdocs-bibtex.

A fixture build takes about 0.15 s; a fresh `python -m mkdocs` spends 0.45 s more on those imports
alone, and the tests run over a hundred builds. A forked run is still a process of its own, with
its own working folder, environment, arguments, exit status and output, and it imports this
project's plugins itself from where `python -m mkdocs` would (the working folder first), so a
copy of the project runs its own code. Only what no run changes is shared: the libraries' modules
as imported. Settings that the libraries read while being imported (the terminal width MkDocs
wraps its messages at, warnings options, the Material notice) are compared, and a run whose
environment differs in them is started afresh instead (`Launcher.run`).

Run as a script, this file is the forking server: one request (JSON) a line on its standard input,
one exit status a line on its standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# What the libraries read from the environment while being imported (MkDocs: the terminal width;
# Python: warnings and the module path; Material: whether to print its notice).
READ_AT_IMPORT = ("COLUMNS", "PYTHONPATH", "PYTHONWARNINGS", "PYTHONHOME", "NO_MKDOCS_2_WARNING")


class Launcher:
    """Runs mkdocs forked from one server process (started on first use, ended with this process)."""

    def __init__(self, env: dict[str, str]):
        self.env = env  # the environment the server imports under
        self.server: subprocess.Popen | None = None
        self.lock = threading.Lock()  # one request at a time on the server's pipes

    def run(self, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "mkdocs", *args]
        if any(env.get(name) != self.env.get(name) for name in READ_AT_IMPORT):
            return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        with tempfile.TemporaryDirectory(prefix="mkdocs-run-") as folder, self.lock:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            request = {"args": args, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
            server = self._server()
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            status = server.stdout.readline()
            if not status:
                raise RuntimeError(f"the mkdocs launcher stopped (exit {server.wait()})")
            read = lambda path: path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
            return subprocess.CompletedProcess(command, int(status), read(out), read(err))

    def _server(self) -> subprocess.Popen:
        if self.server is None or self.server.poll() is not None:
            self.server = subprocess.Popen(
                [sys.executable, __file__], cwd=tempfile.gettempdir(), env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            )
        return self.server


def serve() -> None:
    """The server: imports the libraries once, then forks a child for each request."""
    del sys.path[0]  # this script's folder (tests/) is no part of a real run's path
    # What `python -m mkdocs build` imports before it reaches this project's plugins.
    import markdown  # noqa: F401
    import material.plugins.search.plugin  # noqa: F401
    import mkdocs.__main__
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config.defaults  # noqa: F401
    import mkdocs_bibtex.plugin  # noqa: F401
    import pybtex.database.input.bibtex  # noqa: F401
    import pymdownx.superfences  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:
            _child(request, mkdocs.__main__)  # ends in sys.exit, as `python -m mkdocs` does
        _, status = os.wait()
        print(os.waitstatus_to_exitcode(status), flush=True)


def _child(request: dict, main_module) -> None:
    """Becomes `python -m mkdocs ARGS` in the request's folder, environment and output files."""
    import importlib

    for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_CREAT),
                            (2, request["stderr"], os.O_WRONLY | os.O_CREAT)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path.insert(0, os.getcwd())  # `python -m` puts the working folder first
    importlib.invalidate_caches()
    sys.argv = [main_module.__file__, *request["args"]]
    main_module.cli(args=request["args"], prog_name="mkdocs")
    sys.exit(0)  # click exits by itself; this is only the end of the script


if __name__ == "__main__":
    serve()
