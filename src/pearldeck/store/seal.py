"""The index's seal: the name, size and mtime of everything a refresh read.

When the folder still matches the seal, the index is exactly what reading the folder
again would give, so a read-only command (`pearls due`) can answer from it without
loading the collection code. Any doubt means no seal: the full path decides.
"""

from __future__ import annotations

import os
import sqlite3

from pearldeck.pathways import PATHWAYS
from pearldeck.studyday import zone_key

SEAL_KEY = "seal"
_FORMAT = "seal-1"
# as the index's racy rule: a file changed this close to being read may change again
# within its mtime's granularity, unseen
_RACY_NS = 2_000_000_000


def fingerprint(root: str) -> tuple[str, int]:
    """(listing, newest mtime) of every file and folder a refresh may read."""
    lines: list[str] = []
    newest = 0
    for entry in os.scandir(root):
        if entry.name.startswith("."):  # .cache, .git: not read by a refresh
            continue
        size, mtime = _stat(entry.path)
        lines.append(f"{_text(entry.name)}\t{size}\t{mtime}")
        newest = max(newest, mtime)
        if (entry.name in PATHWAYS or entry.name == "reviews") and _is_dir(entry):
            for folder, dirs, files in os.walk(entry.path):
                for name in dirs + files:
                    path = os.path.join(folder, name)
                    size, mtime = _stat(path)
                    rel = _text(os.path.relpath(path, root))
                    lines.append(f"{rel}\t{size}\t{mtime}")
                    newest = max(newest, mtime)
    lines.sort()
    return "\n".join(lines), newest


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symbolic link loop
        return False


def _stat(path: str) -> tuple[int, int]:
    """Size and mtime; a broken link or a loop counts as the link itself."""
    try:
        st = os.stat(path)
    except OSError:
        try:
            st = os.lstat(path)
        except OSError:
            return -1, 0
    return st.st_size, st.st_mtime_ns


def _text(name: str) -> str:
    """A file name SQLite can store, whatever bytes it is made of."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def make(listing: str, newest: int, taken_ns: int, day_starts_at: int, new_per_day: int) -> str:
    """The seal for a refresh that began at `taken_ns` with this listing; "" if racy."""
    if newest >= taken_ns - _RACY_NS:
        return ""
    return "\n".join((_FORMAT, zone_key(), str(day_starts_at), str(new_per_day), listing))


def check(db: sqlite3.Connection, root: str) -> tuple[int, int] | None:
    """(day_starts_at, new_per_day) if the index is sealed and the folder matches."""
    row = db.execute("SELECT value FROM meta WHERE key=?", (SEAL_KEY,)).fetchone()
    if row is None or not row[0]:
        return None
    fmt, zone, day_starts_at, new_per_day, listing = str(row[0]).split("\n", 4)
    if fmt != _FORMAT or zone != zone_key():
        return None
    if listing != fingerprint(root)[0]:
        return None
    return int(day_starts_at), int(new_per_day)
