"""The citation caches under .cache/citations/: written whole or not at all, read only when whole.

A build that was killed while writing, a disk that filled up, or a file damaged by hand must never
break a later build (nor freeze `mkdocs serve` on the old site): a cache file that cannot be read
as what it should hold is ignored and made again, and a folder that cannot be written is built
without. Each such event is one note (`notes`), which the plugin logs as an INFO line.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .bibliography import BibEntry, Bibliography


class Cache:
    """JSON files in one folder, named by the caller (a hash of what they were made from)."""

    def __init__(self, folder: Path, shown_as: str = ".cache/citations"):
        self.folder = folder
        self.shown_as = shown_as  # the folder as messages name it, relative to the project
        self.notes: list[str] = []
        self.writable = True

    def read(self, name: str) -> dict | None:
        """The file's JSON object, or None if there is none or it is damaged (noted)."""
        path = self.folder / name
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            self.notes.append(f"{self.shown_as}/{name}: cannot be read ({error.strerror}); building without it")
            return None
        try:
            value = json.loads(data)
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            self.damaged(name)
            return None
        return value

    def damaged(self, name: str) -> None:
        self.notes.append(f"{self.shown_as}/{name}: damaged cache file ignored; it is made again")

    def write(self, name: str, value: dict) -> None:
        """Writes a temporary file beside the target and renames it over the target, so that a
        reader sees the old file or the new one, never half of one."""
        if not self.writable:
            return
        temporary = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(value, file)
            os.replace(temporary, self.folder / name)
        except OSError as error:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            self.writable = False
            reason = "a file stands where the folder should be" if self.folder.is_file() else error.strerror
            self.notes.append(f"{self.shown_as}: cannot be written ({reason}); this build runs without the cache")


def read_bibliography_cache(cache: Cache, name: str) -> tuple[Bibliography, dict[str, str]] | None:
    """A checked bibliography and its downloads as `write_bibliography_cache` kept them, or None."""
    cached = cache.read(name)
    if cached is None:
        return None
    try:
        entries = {key: BibEntry(**entry) for key, entry in cached["entries"].items()}
        downloads = {path: text for path, text in cached["exports"].items() if isinstance(text, str)}
        if len(downloads) != len(cached["exports"]) or not all(isinstance(e.fields, dict) for e in entries.values()):
            raise TypeError("not what the cache holds")
    except (KeyError, TypeError, AttributeError):
        cache.damaged(name)
        return None
    return Bibliography(entries), downloads


def write_bibliography_cache(cache: Cache, name: str, bibliography: Bibliography, downloads: dict[str, str]) -> None:
    entries = {key: vars(entry) for key, entry in bibliography.entries.items()}
    cache.write(name, {"entries": entries, "exports": downloads})
