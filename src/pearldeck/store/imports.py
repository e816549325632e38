"""`imports.jsonl`: which note card each imported pearl came from (append-only, in git)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pearldeck.store.fsutil import append_line

IMPORTS_FILE = "imports.jsonl"
MAX_IMPORTS_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One card of a note, the pearl it became, and what it said when last imported."""

    note: str
    """The note's path as given to `pearls import`."""
    key: str
    """The card's identity in its note (a hash of its front; see markdown_import.cards)."""
    pearl: str
    """The pearl's id."""
    digest: str
    """The card as last imported: an edit in the note changes it, an edit of the pearl not."""


def read_imports(root: Path) -> dict[tuple[str, str], ImportRecord]:
    """Every record by (note, key); a later line wins; broken lines are skipped."""
    path = root / IMPORTS_FILE
    out: dict[tuple[str, str], ImportRecord] = {}
    try:
        if path.stat().st_size > MAX_IMPORTS_BYTES:
            return out
        data = path.read_bytes()
    except OSError:
        return out
    lines = data.splitlines()
    try:  # every line whole (the usual case): one parse, not one per line
        rows = json.loads(b"[" + b",".join(line for line in lines if line.strip()) + b"]")
    except ValueError:
        rows = [_loads(line) for line in lines]
    for d in rows:
        if not isinstance(d, dict):
            continue
        fields = [d.get(k) for k in ("note", "key", "pearl", "digest")]
        if all(isinstance(v, str) for v in fields):
            note, key, pearl, digest = (str(v) for v in fields)
            out[(note, key)] = ImportRecord(note, key, pearl, digest)
    return out


def _loads(line: bytes) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None  # a torn last line or a bad merge: that record is lost, not the file


def append_imports(root: Path, records: Iterable[ImportRecord]) -> None:
    """Append records, fsynced; one line each, so git merges two machines' lines."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [
        encode({"note": r.note, "key": r.key, "pearl": r.pearl, "digest": r.digest}) + "\n"
        for r in records
    ]
    if lines:
        append_line(root / IMPORTS_FILE, "".join(lines).encode("utf-8"))
