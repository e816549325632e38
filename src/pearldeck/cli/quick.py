"""`pearls due` answered from a sealed index, before click or the collection is loaded.

A shell prompt or status bar can call it on every line. Anything unusual (another
option, no index, a folder changed since the index was sealed) goes to the full CLI.
"""

from __future__ import annotations

import os
import sys


def run(argv: list[str]) -> bool:
    """True if the command was answered here; False: the full CLI must run it."""
    args = list(argv)
    folder: str | None = None
    if len(args) >= 2 and args[0] in ("--dir", "-d"):
        folder, args = args[1], args[2:]
    elif args and args[0].startswith("--dir="):
        folder, args = args[0].removeprefix("--dir="), args[1:]
    if args not in (["due"], ["due", "--json"]) or folder == "":
        return False
    import sqlite3  # here: every other command starts without it

    root = folder or default_dir()
    try:
        out = _due(root, as_json=len(args) == 2)
    except (OSError, ValueError, sqlite3.Error):
        return False  # the full CLI reports it properly, or rebuilds what it must
    if out is None:
        return False
    sys.stdout.write(out)
    return True


def default_dir() -> str:
    """The collection when no --dir is given: $PEARLS_DIR, else ./pearls."""
    return os.environ.get("PEARLS_DIR") or "pearls"


def _due(root: str, *, as_json: bool) -> str | None:
    import sqlite3
    from datetime import UTC, datetime

    from pearldeck.store import queue, seal
    from pearldeck.studyday import parse_now

    path = os.path.join(root, ".cache", "index.sqlite3")
    if not os.path.isfile(path):
        return None
    db = sqlite3.connect(path, timeout=5)
    try:
        db.execute("PRAGMA mmap_size=268435456")  # fewer read calls for a one-shot process
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != queue.SCHEMA_VERSION:
            return None
        sealed = seal.check(db, root)
        if sealed is None:
            return None
        clock = os.environ.get("PEARLS_NOW")
        now = parse_now(clock) if clock else datetime.now(UTC)
        today, per = queue.due_counts(db, now, *sealed)
    finally:
        db.close()
    return queue.render_due(today, per, as_json)
