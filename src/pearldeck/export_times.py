"""What an Anki export takes from git: each note's time, and the pearls deleted since.

A note's time is the newest commit touching its pearl's lines, so every clone exports the
same notes; a line not yet committed takes the time the index saw the change (it is in
no other clone yet). Without git, the index's times are used as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from pearldeck.model import PATHWAYS
from pearldeck.store import gitlog
from pearldeck.store.pearl_tables import ExportRow

if TYPE_CHECKING:
    from pearldeck.collection import Collection


def note_times(col: Collection, cached: Mapping[str, float]) -> dict[str, float]:
    """Pearl id -> its note's modification time (unix seconds)."""
    out = dict(cached)
    spans: dict[str, list[tuple[str, int]]] = {}
    for pid, file, line in col.index.db.execute("SELECT id, file, line FROM pearls"):
        spans.setdefault(str(file), []).append((str(pid), int(line)))
    for file, pearls in spans.items():
        times = gitlog.line_times(col.root, file)
        if times is None:
            continue
        pearls.sort(key=lambda p: p[1])
        ends = [line for _, line in pearls[1:]] + [len(times) + 1]
        for (pid, start), end in zip(pearls, ends, strict=True):
            lines = times[start - 1 : end - 1] or [0]
            newest = max(lines)
            if 0 in lines:  # an uncommitted edit: newer than any commit of it
                newest = max(newest, int(cached.get(pid, 0)))
            out[pid] = float(newest) if newest else cached.get(pid, 0.0)
    return out


def deleted_rows(col: Collection) -> tuple[list[ExportRow], dict[str, float]]:
    """The pearls git says were deleted, as they last were, tagged `pearldeck::deleted`,
    and each one's deletion time."""
    from pearldeck.anki_import.types import DELETED_TAG  # only when git has any deleted
    from pearldeck.store.yamlfile import parse_pearl_file, raw_tags

    present = col.index.pearl_ids()
    rows: list[ExportRow] = []
    times: dict[str, float] = {}
    texts: dict[tuple[str, str], dict[str, dict[str, object]]] = {}
    for d in gitlog.deleted_pearls(col.root, present):
        pathway = _pathway(d.path)
        if pathway is None:
            continue
        key = (d.commit, d.path)
        if key not in texts:
            text = gitlog.file_at(col.root, f"{d.commit}^", d.path) or ""
            parsed = parse_pearl_file(text, d.path, pathway)
            texts[key] = {
                str(r.values.get("id")): r.values | {"tags": list(raw_tags(r))}
                for r in parsed.pearls
            }
        v = texts[key].get(d.id)
        if v is None or not isinstance(v.get("text"), str):
            continue
        old_tags = v["tags"] if isinstance(v["tags"], list) else []
        tags = (*(str(t) for t in old_tags), DELETED_TAG)
        rows.append(
            ExportRow(
                d.id,
                pathway,
                str(v["text"]),
                _opt(v.get("back")),
                tags,
                _opt(v.get("source")),
                _opt(v.get("added")),
                _opt(v.get("notes")),
            )
        )
        times[d.id] = float(d.time)
    return rows, times


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _pathway(rel: str) -> str | None:
    first = PurePosixPath(rel).parts[0] if rel else ""
    name = first.removesuffix(".yaml")
    return name if name in PATHWAYS else None
