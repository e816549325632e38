"""Pearl files <-> index: add pearls, rewrite or remove one, check a draft by the schema.

Every write keeps the user's other bytes as they were, is whole or nothing, and feeds the
index what it wrote (no second read of the file)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck.model import PATHWAYS, SYNTAX, Pearl, PearlError, Problem, content_key
from pearldeck.schema import CONTENT_KEYS
from pearldeck.services.folder_index import FolderIndex
from pearldeck.store import layout
from pearldeck.store.fsutil import (
    ChangedOnDisk,
    locked,
    read_existing,
    read_regular,
    replace_file,
    replace_files,
)
from pearldeck.studyday import study_day

if TYPE_CHECKING:
    from pearldeck.drafts import PearlDraft
    from pearldeck.store.fastyaml import FastPearls
    from pearldeck.store.pearlfile import AppendTarget
    from pearldeck.store.yamlfile import ParsedFile, RawPearl


class PearlFiles(FolderIndex):
    """The pearl-file writes of a collection: they index what they write through the
    folder index (the collection supplies the refresh and the damaged-index policy)."""

    def heal(self, error: BaseException, *, assign_ids: bool = False) -> bool:
        raise NotImplementedError  # pragma: no cover - Collection's

    def validate_draft(self, draft: PearlDraft, where: str = "<input>") -> list[Problem]:
        """The same rules a pearl in a file must meet."""
        from pearldeck.store.yamlfile import RawPearl, validate_raw

        values: dict[str, object] = {"text": draft.text}
        for key in CONTENT_KEYS[1:]:  # all but the text
            if getattr(draft, key) is not None:
                values[key] = getattr(draft, key)
        if draft.tags:
            values["tags"] = list(draft.tags)
        where, _, line = where.rpartition(":") if where.count(":") else (where, "", "0")
        raw = RawPearl(int(line) if line.isdigit() else 0, 0, 0, False, values, {})
        problems = validate_raw(raw, where or "<input>", draft.pathway)
        if draft.pathway not in PATHWAYS:
            problems.append(
                Problem(
                    where or "<input>",
                    raw.line,
                    f"unknown pathway {draft.pathway!r}; use one of {', '.join(PATHWAYS)}",
                )
            )
        return problems

    def find_same(self, drafts: Sequence[PearlDraft]) -> list[Pearl | None]:
        """For each draft, an existing pearl with the same normalised prompt and answer."""
        existing = {p.content_key(): p for p in self.index.pearls()}
        out: list[Pearl | None] = []
        for d in drafts:
            out.append(existing.get(content_key(d.text, d.back)))
        return out

    def add(
        self, drafts: Sequence[PearlDraft], now: datetime, *, validated: bool = False
    ) -> list[Pearl]:
        """Append pearls to their pathway files: all of them, or (on any error) none."""
        ids = self.add_ids(drafts, now, validated=validated)
        found = {p.id: p for p in self.index.pearls(ids=ids)}
        return [found[i] for i in ids if i in found]

    def add_ids(
        self, drafts: Sequence[PearlDraft], now: datetime, *, validated: bool = False
    ) -> list[str]:
        """As `add`, returning only the new pearls' ids (an import of thousands needs no more)."""
        from pearldeck.store.pearlfile import CannotAppend, append_target, finish_append

        problems = (
            []
            if validated
            else [p for d in drafts for p in self.validate_draft(d, d.origin or "<input>")]
        )
        if problems:
            raise PearlError(problems)
        today = study_day(now, self.settings.day_starts_at).isoformat()
        used = self.index.pearl_ids()
        by_file: dict[str, list[tuple[str, PearlDraft]]] = {}
        files: dict[str, str] = {}
        ids: list[str] = []  # in the drafts' order, which is not the files' order
        for d in drafts:  # those with no date get today's, as they are written
            if d.pathway not in files:
                files[d.pathway] = self._target_file(d.pathway)
            ids.append(self._fresh_id(used))
            by_file.setdefault(files[d.pathway], []).append((ids[-1], d))
        with locked(self._lock):
            olds: list[bytes | None] = []
            targets: list[AppendTarget] = []
            for rel, items in by_file.items():
                try:
                    old = read_existing(self.root / rel)
                except OSError as e:
                    why = f"cannot read: {e.strerror or e}"
                    raise PearlError([Problem(self.display(rel), 0, why)]) from None
                olds.append(old)
                try:
                    text = old.decode("utf-8") if old else ""
                    targets.append(append_target(text, self.display(rel), items[0][1].pathway))
                except UnicodeDecodeError:
                    raise PearlError(
                        [Problem(self.display(rel), 0, "not valid UTF-8 text")]
                    ) from None
                except CannotAppend as e:
                    raise PearlError([Problem(self.display(rel), 0, str(e))]) from None
            parts = _formatted_parts(list(by_file.values()), targets, today)
            changes: list[tuple[Path, bytes, bytes | None]] = []
            checked: list[tuple[str, str, ParsedFile]] = []
            for (rel, items), target, old, done in zip(
                by_file.items(), targets, olds, parts, strict=True
            ):
                try:
                    new = finish_append(target, items, done)
                except CannotAppend as e:  # pragma: no cover - a formatter bug
                    raise PearlError([Problem(self.display(rel), 0, str(e))]) from None
                changes.append((self.root / rel, new.text.encode("utf-8"), old))
                checked.append((rel, target.pathway, new.parsed))
            replace_files(changes)  # every file or none: an import is never half done
            try:
                self._index_written(changes, checked)
            except sqlite3.DatabaseError as e:  # the pearls are written: heal, never fail
                if not self.heal(e):
                    raise
        self.refresh()
        return ids

    def _index_written(
        self,
        changes: list[tuple[Path, bytes, bytes | None]],
        checked: list[tuple[str, str, ParsedFile]],
    ) -> None:
        """Index what was just verified and written, rather than read and parse it again."""
        for (path, data, _), (rel, pathway, parsed) in zip(changes, checked, strict=True):
            st = path.stat()
            f = layout.PearlFile(rel, pathway, path, st.st_size, st.st_mtime_ns)
            problems = [replace(p, path=rel) for p in parsed.problems]
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            self._index_file(f, digest, parsed, problems, data)

    def target_file(self, pathway: str) -> str:
        """The file (relative to the collection) a new pearl of this pathway goes to."""
        return self._target_file(pathway)

    def _target_file(self, pathway: str) -> str:
        top = self.root / f"{pathway}.yaml"
        if top.exists() or not (self.root / pathway).is_dir():
            return f"{pathway}.yaml"
        return f"{pathway}/pearls.yaml"

    def replace_pearl(
        self, pearl_id: str, draft: PearlDraft | None, *, based_on: Pearl | None = None
    ) -> Pearl | None:
        """Rewrite one pearl's lines in place (edit), or remove them (draft None).

        Refuses (ChangedOnDisk) if its file changed since the index read it, or if the
        pearl in its file is no longer `based_on`, the version the user edited: the
        index is shared, so another process may have taken in an edit made meanwhile.
        """
        from pearldeck.store.pearlfile import format_pearl
        from pearldeck.store.yamlfile import parse_pearl_file

        pearl = self.pearl(pearl_id)
        if pearl is None:
            raise PearlError([Problem(str(self.root), 0, f"no pearl with id {pearl_id!r}")])
        if draft is not None:
            problems = self.validate_draft(draft)
            if draft.pathway != pearl.pathway:
                problems.append(
                    Problem(
                        str(self.root),
                        0,
                        "moving a pearl between pathways: "
                        "delete it and add it to the other pathway",
                    )
                )
            if problems:
                raise PearlError(problems)
        path = self.root / pearl.file
        rec = self.index.files().get(pearl.file)
        with locked(self._lock):
            data = read_regular(path)
            if rec is None or hashlib.blake2b(data, digest_size=16).hexdigest() != rec.digest:
                raise ChangedOnDisk(path)
            text = data.decode("utf-8")
            # a plain file the index has by chunks: read only this pearl's lines (the
            # bytes are the ones indexed, so the rest is as the index has it)
            plain = self._plain_pearl(pearl_id, pearl.file, data)
            if plain is not None:
                raw, after = plain
                starts = [raw.line, after]
            else:
                parsed = parse_pearl_file(text, pearl.file, pearl.pathway)
                starts = [r.line for r in parsed.pearls]
                mine = [r for r in parsed.pearls if r.values.get("id") == pearl_id]
                if len(mine) != 1:
                    raise ChangedOnDisk(path)
                raw = mine[0]
            if based_on is not None and not _same_pearl(raw, based_on):
                raise ChangedOnDisk(path)
            lines = text.splitlines(keepends=True)
            first = raw.line - 1
            later = [s for s in starts if s > raw.line]
            end = min(later[0] - 1, len(lines)) if later else len(lines)
            while end > first + 1 and _is_blank_or_comment(lines[end - 1]):
                end -= 1
            indent = len(lines[first]) - len(lines[first].lstrip(" "))
            block = ""
            if draft is not None:
                keep = {
                    k: getattr(pearl, k)
                    for k in ("block", "origin", "added", "notes")
                    if getattr(draft, k) is None and getattr(pearl, k) is not None
                }
                block = format_pearl(pearl_id, replace(draft, **keep), indent)
            new = "".join(lines[:first]) + block + "".join(lines[end:])
            if plain is not None and _plain_block(block, pearl_id):
                pass  # one plain pearl in place of another: the file stays plain
            elif any(
                p.kind == SYNTAX for p in parse_pearl_file(new, pearl.file, pearl.pathway).problems
            ):
                raise PearlError(
                    [
                        Problem(
                            self.display(pearl.file),
                            raw.line,
                            "cannot rewrite this pearl safely (unusual layout); edit the file",
                        )
                    ]
                )
            replace_file(path, new.encode("utf-8"), data)
        self.refresh()
        return self.pearl(pearl_id) if draft is not None else None

    def _plain_pearl(self, pearl_id: str, rel: str, data: bytes) -> tuple[RawPearl, int] | None:
        """The pearl as written, and the line after it, read from its chunk alone."""
        from pearldeck.store import chunks
        from pearldeck.store.yamlfile import RawPearl

        where = self.index.chunk_of(pearl_id)
        if where is None or where[0] != rel:
            return None
        found = chunks.find(data, where[1], where[2])
        if found is None or found[2].get("id") != pearl_id:
            return None
        start, after, values, key_lines = found
        return RawPearl(start, 2, start, False, values, key_lines), after


def _same_pearl(raw: RawPearl, pearl: Pearl) -> bool:
    """The pearl as it stands in its file is `pearl` (ignoring where it is)."""
    from pearldeck.store.yamlfile import raw_tags

    v = raw.values
    keys = CONTENT_KEYS
    return raw_tags(raw) == tuple(pearl.tags) and all(v.get(k) == getattr(pearl, k) for k in keys)


def _is_blank_or_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _plain_block(block: str, pearl_id: str) -> bool:
    """Whether `block` (empty, or one pearl at column 0) keeps a plain file plain."""
    from pearldeck.store.fastyaml import fast_parse

    if not block:
        return True
    items = fast_parse(block)
    return (
        items is not None
        and len(items) == 1
        and items[0][1] == 2
        and items[0][2].get("id") == pearl_id
    )


_BATCH = 250
"""New pearls formatted and read back as one part: a big import's half for each core."""


def _formatted_parts(
    batches: list[list[tuple[str, PearlDraft]]], targets: list[AppendTarget], added: str
) -> list[list[tuple[str, FastPearls | None]]]:
    """Each file's new pearls, formatted and read back by the fast reader in parts of
    `_BATCH`, a big import's later parts in a forked child (all pure work)."""
    from pearldeck.services.forked import split_map
    from pearldeck.store.pearlfile import formatted

    jobs = [(k, items[a : a + _BATCH]) for k, items in enumerate(batches)
            for a in range(0, len(items), _BATCH)]  # fmt: skip

    def run(job: tuple[int, list[tuple[str, PearlDraft]]]) -> tuple[str, FastPearls | None]:
        return formatted(job[1], targets[job[0]].indent, added)

    weights = [sum(160 + len(d.text) + len(d.back or "") for _, d in part) for _, part in jobs]
    out: list[list[tuple[str, FastPearls | None]]] = [[] for _ in batches]
    for (k, _), (part, _) in zip(jobs, split_map(run, jobs, weights), strict=True):
        out[k].append(part)
    return out
