"""Parsed pearl files into index rows, and an edit into only the rows it changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pearldeck.model import MISSING_ID, NO_ID, Problem, card_ids_for
from pearldeck.store import chunks
from pearldeck.store.index import Index
from pearldeck.store.pearl_tables import FileRecord, PearlRow

if TYPE_CHECKING:
    from pearldeck.store.layout import PearlFile
    from pearldeck.store.yamlfile import ParsedFile, RawPearl

_to_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps's output, built once
OldContent = dict[str, tuple[str, float]]
"""id -> (content digest, changed_at) of a file's pearls as the index has them."""


def pearl_row(
    f: PearlFile, pos: int, raw: RawPearl, old: OldContent, chunk: str | None
) -> PearlRow:
    """The index row of one valid pearl (its `id` is a string)."""
    from pearldeck.store.yamlfile import raw_tags

    v = raw.values
    pid = str(v["id"])
    tags = raw_tags(raw)
    text, back, added = v["text"], v.get("back"), v.get("added")
    values = [text, back, list(tags), v.get("source"), added, v.get("block"), v.get("origin")]
    # only when set: every other pearl's row and digest stay as they were
    if v.get("notes") or v.get("context"):
        values += [v.get("notes"), v.get("context")]
    data = _to_json(values)
    content = hashlib.blake2b((f.pathway + data).encode(), digest_size=12).hexdigest()
    prev = old.get(pid)
    changed = prev[1] if prev and prev[0] == content else f.mtime_ns / 1e9
    return PearlRow(
        pid,
        f.rel,
        raw.line,
        pos,
        f.pathway,
        added or "",
        data,
        content,
        changed,
        chunk,
        tags,
        card_ids_for(pid, text, back),
    )


def chunk_digests(data: bytes, parsed: ParsedFile) -> list[str | None]:
    """Each pearl's chunk digest, where the file's chunks are exactly its pearls."""
    none: list[str | None] = [None] * len(parsed.pearls)
    if not parsed.plain or parsed.list_column != 0:
        return none
    cut = chunks.split(data)
    if cut is None or len(cut) != len(parsed.pearls):
        return none
    if any(line != raw.line for (line, _), raw in zip(cut, parsed.pearls, strict=True)):
        return none
    return [chunks.digest(c) for _, c in cut]


@dataclass
class Patch:
    """An edit as the rows it touches: everything else in the file stayed byte for byte."""

    changed: list[PearlRow] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    moved: list[tuple[str, int, int]] = field(default_factory=list)
    """(id, line, pos) of unchanged pearls that now stand elsewhere in the file."""


OldChunk = tuple[str, int, int, str, float]
"""(id, line, pos, content, changed_at) of a pearl the index has, by its chunk digest."""


def plan_patch(f: PearlFile, data: bytes, old: dict[str, list[OldChunk]]) -> Patch | None:
    """The rows an edit changed, or None when the whole file must be read again.

    Only an edit that leaves every pearl in the plain layout, valid and with a distinct
    id qualifies; anything else (a problem to report, a new id to assign) goes the
    full way, which says what is wrong and where.
    """
    from pearldeck.store.yamlfile import RawPearl, validate_raw

    cut = chunks.split(data)
    if cut is None:
        return None
    patch = Patch()
    unused = {d: list(rows) for d, rows in old.items()}
    kept: set[str] = set()
    contents: OldContent = {}
    for rows in old.values():
        for pid, _, _, content, changed in rows:
            contents[pid] = (content, changed)
    if len(contents) != sum(map(len, old.values())):
        return None  # the index holds an id twice in this file: rows are keyed by id
    ids: list[str] = []
    for pos, (line, chunk) in enumerate(cut):
        d = chunks.digest(chunk)
        same = unused.get(d)
        if same:
            pid, old_line, old_pos, _, _ = same.pop()
            kept.add(pid)
            ids.append(pid)
            if (old_line, old_pos) != (line, pos):
                patch.moved.append((pid, line, pos))
            continue
        got = chunks.parse_chunk(line, chunk)
        if got is None:
            return None
        raw = RawPearl(line, 2, line, False, got[1], got[2])
        if not isinstance(raw.values.get("id"), str) or validate_raw(raw, f.rel, f.pathway):
            return None
        row = pearl_row(f, pos, raw, contents, d)
        ids.append(row.id)
        patch.changed.append(row)
    if len(set(ids)) != len(ids):
        return None  # an id twice in the file: the full path reports it
    current = set(ids)
    patch.gone = [pid for pid in contents if pid not in current]
    return patch


def patch_file(index: Index, f: PearlFile, data: bytes, digest: str) -> bool:
    """Index an edit of a file by the pearls it changed; False if it must be read whole."""
    with index.write() as db:
        patch = plan_patch(f, data, index.pearl_chunks(db, f.rel))
        if patch is None:
            return False
        rec = FileRecord(f.rel, f.size, f.mtime_ns, digest, f.pathway, ())
        return index.patch_file(db, rec, patch.changed, patch.gone, patch.moved)


def index_file(
    index: Index,
    f: PearlFile,
    digest: str,
    parsed: ParsedFile | None,
    problems: list[Problem],
    data: bytes = b"",
) -> None:
    """Put a whole file's pearls (and its problems) in the index; `data` gives chunk digests."""
    rows: list[PearlRow] = []
    cuts = chunk_digests(data, parsed) if parsed is not None else []
    with index.write() as db:
        old = index.old_content(db, f.rel) if parsed is not None else {}
        bad_lines = {p.line for p in problems}
        for pos, raw in enumerate(parsed.pearls if parsed is not None else []):
            if not isinstance(raw.values.get("id"), str):
                problems.append(
                    Problem(f.rel, raw.line, f"{NO_ID}; `pearls check --fix` adds one", MISSING_ID)
                )
                continue
            if raw.line in bad_lines or bad_lines.intersection(raw.key_lines.values()):
                continue
            rows.append(pearl_row(f, pos, raw, old, cuts[pos]))
        rec = FileRecord(f.rel, f.size, f.mtime_ns, digest, f.pathway, tuple(problems))
        if old:
            index.update_file(db, rec, rows)  # an edit: touch what changed
        else:
            index.replace_file(db, rec, rows)
