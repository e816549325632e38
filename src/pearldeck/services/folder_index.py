"""The folder -> the index: read only the pearl files that changed, patch edits of a few
pearls, give ids to pearls without one, find ids used twice, seal what was read."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck.model import DUPLICATE_ID, FILE, ID_RE, MISSING_ID, SYNTAX, VALUE, Problem
from pearldeck.services.daily_queue import DailyQueue
from pearldeck.store import layout, seal
from pearldeck.store.fsutil import ChangedOnDisk, locked, read_regular, replace_file
from pearldeck.store.pearl_tables import RACY_NS

if TYPE_CHECKING:
    from pearldeck.store.yamlfile import ParsedFile


@dataclass
class Refresh:
    """What reading the folder found: problems and warnings."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ids_assigned: int = 0
    files_read: int = 0


class FolderIndex(DailyQueue):
    """How a collection keeps its index up to date with its folder (the collection
    supplies the refresh around it and the review-log sync)."""

    _lock: Path
    _new_id: Callable[[], str]
    _progress: Callable[[str], None]
    _dup_cache: tuple[frozenset[tuple[str, str]], list[Problem]] | None
    last_refresh: Refresh

    def refresh(self, *, assign_ids: bool = False) -> Refresh:
        raise NotImplementedError  # pragma: no cover - Collection's

    def display(self, rel: str) -> str:
        return str(self.root / rel)

    def _fresh_id(self, used: set[str]) -> str:
        while True:
            pid = self._new_id()
            if pid not in used:
                used.add(pid)
                return pid

    def _sync_history(self, out: Refresh) -> None:
        raise NotImplementedError  # pragma: no cover - Collection's

    def _index_file(
        self,
        f: layout.PearlFile,
        digest: str,
        parsed: ParsedFile | None,
        problems: list[Problem],
        data: bytes = b"",
    ) -> None:
        from pearldeck import indexing

        indexing.index_file(self.index, f, digest, parsed, problems, data)

    def _refresh(self, assign_ids: bool) -> Refresh:
        out = Refresh()
        taken = time.time_ns()  # before anything is read: see store.seal
        listing, newest = seal.fingerprint(str(self.root))
        files, out.problems = layout.scan(self.root)
        known = self.index.files()
        seen = set()
        for f in files:
            seen.add(f.rel)
            rec = known.get(f.rel)
            needs_ids = (
                assign_ids and rec is not None and any(p.kind == MISSING_ID for p in rec.problems)
            )
            if (
                rec
                and rec.size == f.size
                and rec.mtime_ns == f.mtime_ns
                and rec.pathway == f.pathway
                and not needs_ids
                and f.mtime_ns < rec.checked_ns - RACY_NS
            ):
                continue
            from pearldeck.store.yamlfile import too_large  # loaded once a file is read

            big = too_large(f.size, f.rel)
            if big is not None:  # refused by its size: never read into memory, never parsed
                self._index_file(f, f"size:{f.size}", None, [big])
                continue
            try:
                data = read_regular(f.path)
            except OSError as e:
                out.problems.append(Problem(str(f.path), 0, f"cannot read: {e.strerror}", FILE))
                continue
            digest = _digest(data)
            if rec and rec.digest == digest and rec.pathway == f.pathway and not needs_ids:
                with self.index.write() as db:  # touched, not changed
                    self.index.touch_file(db, f.rel, f.size, f.mtime_ns)
                continue
            if (
                rec
                and not rec.problems
                and rec.pathway == f.pathway
                and self._patch(f, data, digest)
            ):
                out.files_read += 1  # an edit of a few pearls: only they were read
                continue
            self._progress(f"Reading {f.rel}")
            text, parsed, problems = _parse(data, f)
            if assign_ids and parsed is not None and text is not None:
                assigned = self._assign_ids(f, data, text, parsed)
                if assigned is not None:
                    data, n = assigned
                    out.ids_assigned += n
                    digest = _digest(data)
                    st = f.path.stat()
                    f = layout.PearlFile(f.rel, f.pathway, f.path, st.st_size, st.st_mtime_ns)
                    text, parsed, problems = _parse(data, f)
            self._index_file(f, digest, parsed, problems, data)
            out.files_read += 1
        gone = set(known) - seen
        if gone:
            with self.index.write() as db:
                for rel in gone:
                    self.index.drop_file(db, rel)
        records = self.index.files()
        for rec in records.values():
            out.problems.extend(
                replace(p, path=self.display(p.path)) if p.path == rec.path else p
                for p in rec.problems
            )
        out.problems.extend(
            self._duplicates(frozenset((r.path, r.digest) for r in records.values()))
        )
        self._sync_history(out)
        self._seal(out, listing, newest, taken)
        self.last_refresh = out
        return out

    def _seal(self, out: Refresh, listing: str, newest: int, taken: int) -> None:
        """Record what this refresh read, so `pearls due` can trust the index as it is."""
        st = self.settings
        value = seal.make(listing, newest, taken, st.day_starts_at, st.new_per_day)
        if out.problems or out.warnings:  # the full path must report them
            value = ""
        if self.index.get_meta(seal.SEAL_KEY) != value:
            with self.index.write() as db:
                self.index.set_meta(db, seal.SEAL_KEY, value)

    def _duplicates(self, files: frozenset[tuple[str, str]]) -> list[Problem]:
        """Ids used twice, recomputed only when some file's content changed."""
        if self._dup_cache is not None and self._dup_cache[0] == files:
            return self._dup_cache[1]
        key = hashlib.blake2b(repr(sorted(files)).encode(), digest_size=16).hexdigest()
        if self.index.get_meta("no-duplicates") == key:  # checked before, by any process
            self._dup_cache = (files, [])
            return []
        found = []
        for pid, places in self.index.duplicate_ids():
            for rel, ln in places[1:]:
                others = (f"{self.display(r)}:{n}" for r, n in places if (r, n) != (rel, ln))
                found.append(
                    Problem(
                        self.display(rel),
                        ln,
                        f"duplicate id {pid!r} (also at {', '.join(others)})",
                        DUPLICATE_ID,
                    )
                )
        self._dup_cache = (files, found)
        if not found:
            with self.index.write() as db:
                self.index.set_meta(db, "no-duplicates", key)
        return found

    def _assign_ids(
        self, f: layout.PearlFile, data: bytes, text: str, parsed: ParsedFile
    ) -> tuple[bytes, int] | None:
        """Write ids into pearls that lack one; None if there is nothing (safe) to do."""
        if all("id" in r.values for r in parsed.pearls):
            return None
        if any(p.kind in (SYNTAX, VALUE) for p in parsed.problems):
            return None
        given = [r.values["id"] for r in parsed.pearls if "id" in r.values]
        if not all(isinstance(i, str) and ID_RE.match(i) for i in given):
            return None  # a bad id is reported, not left beside new ones (another key's
            # problem can hide it: a pearl's checks stop at an unknown key)
        used = self.index.pearl_ids() | {
            str(r.values["id"]) for r in parsed.pearls if isinstance(r.values.get("id"), str)
        }
        from pearldeck.store.pearlfile import insert_ids

        new_text, n = insert_ids(text, parsed, lambda: self._fresh_id(used), used)
        if not n:
            return None
        new = new_text.encode("utf-8")
        with locked(self._lock):
            try:
                replace_file(f.path, new, data)
            except ChangedOnDisk:
                return None
        return new, n

    def _patch(self, f: layout.PearlFile, data: bytes, digest: str) -> bool:
        """Index an edit by the pearls it changed, if it can be; False: read it all."""
        from pearldeck import indexing  # loaded once a file is read

        return indexing.patch_file(self.index, f, data, digest)

    def fix_ids(self) -> int:
        """Assign ids to pearls that lack one; return how many."""
        files, _ = layout.scan(self.root)
        n = 0
        from pearldeck.store.yamlfile import too_large

        for f in files:
            if too_large(f.size, f.rel):
                continue
            try:
                data = read_regular(f.path)
            except OSError:
                continue  # refresh below reports it
            text, parsed, _ = _parse(data, f)
            if text is not None and parsed is not None:
                done = self._assign_ids(f, data, text, parsed)
                n += done[1] if done else 0
        self.refresh()
        return n


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _parse(data: bytes, f: layout.PearlFile) -> tuple[str | None, ParsedFile | None, list[Problem]]:
    """Decode and parse one pearl file; problems are relative to the collection."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, None, [Problem(f.rel, line, "not valid UTF-8 text", FILE)]
    from pearldeck.store.yamlfile import parse_pearl_file

    parsed = parse_pearl_file(text, f.rel, f.pathway)
    return text, parsed, list(parsed.problems)
