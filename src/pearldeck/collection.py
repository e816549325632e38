"""The one service API the CLI and the TUI share: open, add, due, review, undo, stats."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck import history
from pearldeck import scheduler as sched
from pearldeck.daily import DailyQueue
from pearldeck.model import (
    ID_RE,
    NO_ID,
    PATHWAYS,
    Event,
    Pearl,
    PearlError,
    Problem,
    Rating,
    content_key,
    random_id,
    split_card_id,
)
from pearldeck.store import layout, reviewlog, seal
from pearldeck.store.fsutil import ChangedOnDisk, locked, replace_file, replace_files
from pearldeck.store.index import RACY_NS, Index, IndexUnwritable, StatusRow
from pearldeck.store.index import damaged as index_damaged
from pearldeck.store.settings import Settings, load_settings
from pearldeck.studyday import format_interval, study_day

if TYPE_CHECKING:
    from pearldeck.drafts import PearlDraft
    from pearldeck.store.yamlfile import ParsedFile, RawPearl


@dataclass(frozen=True)
class Rated:
    """The result of one review: the event written and the card's new state."""

    event: Event
    state: sched.CardState
    interval: str


@dataclass
class Refresh:
    """What reading the folder found: problems and warnings."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ids_assigned: int = 0
    files_read: int = 0


class Collection(DailyQueue):
    """A collection folder: text files as truth, the index as a cache of them."""

    def __init__(
        self,
        root: Path,
        *,
        device: str | None = None,
        assign_ids: bool = True,
        new_id: Callable[[], str] = random_id,
        new_event_id: Callable[[], str] = lambda: secrets.token_hex(8),
        progress: Callable[[str], None] = lambda _: None,
    ) -> None:
        """`progress` hears what a long build of the index is doing (a first run)."""
        self.root = root
        self._progress = progress
        self._new_id = new_id
        self._new_event_id = new_event_id
        self.settings: Settings = load_settings(root)
        if not root.is_dir():
            raise PearlError(
                [Problem(str(root), 0, "no such collection folder (try `pearls init`)")]
            )
        self.device = device or layout.device_id(root)
        self.index = Index(root / layout.CACHE_DIR / "index.sqlite3")
        self._lock = root / layout.CACHE_DIR / "write.lock"
        self._fsrs: object | None = None
        self._states = reviewlog.StateReader(root)
        self._dup_cache: tuple[frozenset[tuple[str, str]], list[Problem]] | None = None
        self.last_refresh = self.refresh(assign_ids=assign_ids)

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def display(self, rel: str) -> str:
        return str(self.root / rel)

    # reading the folder ---------------------------------------------------

    def refresh(self, *, assign_ids: bool = False) -> Refresh:
        """Bring the index up to date with the files: only changed files are read."""
        try:
            return self._refresh(assign_ids)
        except (IndexUnwritable, sqlite3.DatabaseError) as e:
            if not isinstance(e, IndexUnwritable) and not index_damaged(e):
                raise
            # The cache cannot be written (a full disk, a read-only folder) or is damaged:
            # the text is the truth, so this session indexes it in memory instead, and a
            # damaged file goes, for the next session to build again.
            if isinstance(e, IndexUnwritable):
                self.index.close()
            else:
                self.index.discard()
            self.index = Index.in_memory(self.index.path)
            return self._refresh(assign_ids)

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
                assign_ids and rec is not None and any(NO_ID in p.message for p in rec.problems)
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
                data = f.path.read_bytes()
            except OSError as e:
                out.problems.append(Problem(str(f.path), 0, f"cannot read: {e.strerror}"))
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
                Problem(self.display(p.path) if p.path == rec.path else p.path, p.line, p.message)
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
            where = ", ".join(f"{self.display(rel)}:{ln}" for rel, ln in places)
            for rel, ln in places[1:]:
                found.append(
                    Problem(self.display(rel), ln, f"duplicate id {pid!r} (also at {where})")
                )
        self._dup_cache = (files, found)
        if not found:
            with self.index.write() as db:
                self.index.set_meta(db, "no-duplicates", key)
        return found

    def sync_history(self) -> Refresh:
        """Read only what other processes appended to the review logs (cheap, per rating)."""
        out = Refresh(problems=list(self.last_refresh.problems))
        self._sync_history(out)
        return out

    def _assign_ids(
        self, f: layout.PearlFile, data: bytes, text: str, parsed: ParsedFile
    ) -> tuple[bytes, int] | None:
        """Write ids into pearls that lack one; None if there is nothing (safe) to do."""
        if all("id" in r.values for r in parsed.pearls):
            return None
        if any("YAML" in p.message or "must be" in p.message for p in parsed.problems):
            return None
        given = [r.values["id"] for r in parsed.pearls if "id" in r.values]
        if not all(isinstance(i, str) and ID_RE.match(i) for i in given):
            return None  # a bad id is reported, not left beside new ones (another key's
            # problem can hide it: a pearl's checks stop at an unknown key)
        used = self.index.pearl_ids() | {
            str(r.values["id"]) for r in parsed.pearls if isinstance(r.values.get("id"), str)
        }
        from pearldeck.store.pearlfile import insert_ids

        new_text, n = insert_ids(text, parsed, lambda: self._fresh_id(used))
        if not n:
            return None
        new = new_text.encode("utf-8")
        with locked(self._lock):
            try:
                replace_file(f.path, new, data)
            except ChangedOnDisk:
                return None
        return new, n

    def _fresh_id(self, used: set[str]) -> str:
        while True:
            pid = self._new_id()
            if pid not in used:
                used.add(pid)
                return pid

    def _patch(self, f: layout.PearlFile, data: bytes, digest: str) -> bool:
        """Index an edit by the pearls it changed, if it can be; False: read it all."""
        from pearldeck import indexing  # loaded once a file is read

        return indexing.patch_file(self.index, f, data, digest)

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

    def _history(self) -> history.History:
        return history.History(
            self.root, self.index, self.settings, self._states, self._get_scheduler, self._progress
        )

    def _sync_history(self, out: Refresh) -> None:
        self._history().sync(out.problems, out.warnings)

    # validation -------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        return self.last_refresh.problems

    def require_valid(self) -> None:
        if self.problems:
            raise PearlError(self.problems)

    def fix_ids(self) -> int:
        """Assign ids to pearls that lack one; return how many."""
        files, _ = layout.scan(self.root)
        n = 0
        from pearldeck.store.yamlfile import too_large

        for f in files:
            if too_large(f.size, f.rel):
                continue
            try:
                data = f.path.read_bytes()
            except OSError:
                continue  # refresh below reports it
            text, parsed, _ = _parse(data, f)
            if text is not None and parsed is not None:
                done = self._assign_ids(f, data, text, parsed)
                n += done[1] if done else 0
        self.refresh()
        return n

    # pearls ---------------------------------------------------------------

    def pearls(self, pathway: str | None = None, tag: str | None = None) -> list[Pearl]:
        return self.index.pearls(pathway, tag)

    def validate_draft(self, draft: PearlDraft, where: str = "<input>") -> list[Problem]:
        """The same rules a pearl in a file must meet."""
        from pearldeck.store.yamlfile import RawPearl, validate_raw

        values: dict[str, object] = {"text": draft.text}
        for key in ("back", "source", "added", "block", "origin", "context"):
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
        from pearldeck.store.pearlfile import CannotAppend, append_pearls

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
        targets: dict[str, str] = {}
        for d in drafts:
            d = d if d.added else d.model_copy(update={"added": today})
            if d.pathway not in targets:
                targets[d.pathway] = self._target_file(d.pathway)
            by_file.setdefault(targets[d.pathway], []).append((self._fresh_id(used), d))
        with locked(self._lock):
            changes: list[tuple[Path, bytes, bytes | None]] = []
            checked: list[tuple[str, str, ParsedFile]] = []
            for rel, items in by_file.items():
                path = self.root / rel
                try:
                    old = path.read_bytes()
                except FileNotFoundError:
                    old = None
                try:
                    text = old.decode("utf-8") if old else ""
                    new = append_pearls(text, self.display(rel), items[0][1].pathway, items)
                except UnicodeDecodeError:
                    raise PearlError(
                        [Problem(self.display(rel), 0, "not valid UTF-8 text")]
                    ) from None
                except CannotAppend as e:
                    raise PearlError([Problem(self.display(rel), 0, str(e))]) from None
                changes.append((path, new.text.encode("utf-8"), old))
                checked.append((rel, items[0][1].pathway, new.parsed))
            replace_files(changes)  # every file or none: an import is never half done
            # index what was just verified and written, rather than read and parse it again
            for (path, data, _), (rel, pathway, parsed) in zip(changes, checked, strict=True):
                st = path.stat()
                f = layout.PearlFile(rel, pathway, path, st.st_size, st.st_mtime_ns)
                problems = [Problem(rel, p.line, p.message) for p in parsed.problems]
                self._index_file(f, _digest(data), parsed, problems)
        self.refresh()
        return [pid for items in by_file.values() for pid, _ in items]

    def tags(self) -> dict[str, int]:
        """Every concept tag and how many pearls carry it."""
        return self.index.tag_counts()

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
            data = path.read_bytes()
            if rec is None or hashlib.blake2b(data, digest_size=16).hexdigest() != rec.digest:
                raise ChangedOnDisk(path)
            text = data.decode("utf-8")
            parsed = parse_pearl_file(text, pearl.file, pearl.pathway)
            starts = [r.line for r in parsed.pearls]
            mine = [r for r in parsed.pearls if r.values.get("id") == pearl_id]
            if len(mine) != 1 or (based_on is not None and not _same_pearl(mine[0], based_on)):
                raise ChangedOnDisk(path)
            raw = mine[0]
            lines = text.splitlines(keepends=True)
            first = raw.line - 1
            later = [s for s in starts if s > raw.line]
            end = (later[0] - 1) if later else len(lines)
            while end > first + 1 and _is_blank_or_comment(lines[end - 1]):
                end -= 1
            indent = len(lines[first]) - len(lines[first].lstrip(" "))
            block = ""
            if draft is not None:
                keep = {
                    k: getattr(pearl, k)
                    for k in ("block", "origin", "added")
                    if getattr(draft, k) is None and getattr(pearl, k) is not None
                }
                block = format_pearl(pearl_id, draft.model_copy(update=keep), indent)
            new = "".join(lines[:first]) + block + "".join(lines[end:])
            check = parse_pearl_file(new, pearl.file, pearl.pathway)
            if any("YAML" in p.message for p in check.problems):
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

    def _after_last(self, card_id: str, now: datetime) -> datetime:
        """`now`, or just after the card's latest event if the clock is behind it.

        Keeps one device's actions in the order they were made, even with a clock
        set back or two actions in the same microsecond.
        """
        now = now.astimezone(UTC)
        last = self.index.last_time(card_id)
        if last is not None and sched.iso(now) <= last:
            return sched.from_iso(last) + timedelta(microseconds=1)
        return now

    def _append(self, event: Event) -> None:
        with locked(self._lock):
            reviewlog.append_event(self.root, self.device, event)
        # The event is on disk: the index only has to catch up with it. A damaged index
        # is rebuilt here, since failing now would invite the same action twice.
        try:
            self.sync_history()
        except sqlite3.DatabaseError as e:
            if not index_damaged(e):
                raise
            self.rebuild_index()

    def add_imported_events(self, events: Sequence[Event]) -> int:
        """Append imported events (a schedule brought from elsewhere) to this device's log,
        fsynced, leaving out any whose id the history already holds: importing twice adds
        nothing. Returns how many were added."""
        from pearldeck.store.fsutil import append_line

        self.sync_history()
        known = self.index.known_events(e.id for e in events)
        fresh = list({e.id: e for e in events if e.id not in known}.values())
        if fresh:
            with locked(self._lock):
                data = b"".join(reviewlog.encode(e) for e in fresh)
                append_line(reviewlog.log_path(self.root, self.device), data)
            self.sync_history()
        return len(fresh)

    def rebuild_index(self) -> Refresh:
        """Delete the index and build it again from the text (it was found damaged)."""
        self.index.discard()
        self.index = Index(self.index.path)
        self._dup_cache = None
        self.last_refresh = self.refresh()
        return self.last_refresh

    def _require_card(self, card_id: str) -> Pearl:
        pearl_id, _ = split_card_id(card_id)
        pearl = self.pearl(pearl_id)
        if pearl is None or card_id not in pearl.card_ids():
            hint = ""
            if pearl is not None:
                hint = f"; its cards are {', '.join(pearl.card_ids())}"
            raise PearlError([Problem(str(self.root), 0, f"no card {card_id!r}{hint}")])
        return pearl

    def rate(self, card_id: str, rating: Rating, now: datetime, duration: float = 0.0) -> Rated:
        """Record one review; when this returns it is on disk (fsynced)."""
        self._require_card(card_id)
        # read the newest history first, so a review made elsewhere is built upon
        self.sync_history()
        now = self._after_last(card_id, now)
        row = self.index.status(card_id)
        prev = self._card_status(card_id, row)
        state = sched.review(self._get_scheduler(), self.settings, card_id, prev, rating, now)
        event = Event(
            id=self._new_event_id(),
            kind="review",
            card=card_id,
            time=sched.iso(now),
            device=self.device,
            rating=int(rating),
            duration=max(0.0, min(duration, 86400.0)),
            prev=prev.last_event,
            state=state.to_dict(),
        )
        self._append(event)
        interval = format_interval((state.due - now).total_seconds()) if state.due else ""
        return Rated(event, state, interval)

    def undo(self, now: datetime) -> Event | None:
        """Take back this device's last review (or suspend/bury); None if nothing to undo."""
        self.sync_history()
        last = self.index.last_own_review(self.device)
        if last is None:
            return None
        undo = Event(
            id=self._new_event_id(),
            kind="undo",
            card=last.card,
            time=sched.iso(self._after_last(last.card, now)),
            device=self.device,
            target=last.id,
        )
        self._append(undo)
        return last

    def _flag(self, kind: str, card_id: str, now: datetime) -> None:
        self._require_card(card_id)
        when = self._after_last(card_id, now)
        self._append(Event(self._new_event_id(), kind, card_id, sched.iso(when), self.device))

    def suspend(self, card_id: str, now: datetime) -> None:
        self._flag("suspend", card_id, now)

    def unsuspend(self, card_id: str, now: datetime) -> None:
        self._flag("unsuspend", card_id, now)

    def bury(self, card_id: str, now: datetime) -> None:
        """Hide the card until the next study day."""
        self._flag("bury", card_id, now)

    def statuses(self, pathway: str | None = None, tag: str | None = None) -> dict[str, StatusRow]:
        return self.index.statuses(pathway, tag)

    def leeches(self) -> list[Pearl]:
        ids = {split_card_id(c)[0] for c, s in self.index.statuses().items() if s.leech}
        return [p for p in self.index.pearls() if p.id in ids]

    def review_events(self, since: str = "") -> list[Event]:
        return self.index.review_events(since)

    def card_count(self) -> int:
        """How many cards the pearls make (suspended ones included)."""
        return self.index.card_count()

    def card_pathways(self) -> dict[str, str]:
        """Every live card id and its pathway."""
        return {c: p.pathway for p in self.index.pearls() for c in p.card_ids()}

    def stats(self, now: datetime) -> dict[str, object]:
        from pearldeck.stats import compute

        return compute(
            self.index.statuses(),
            self.card_pathways(),
            self.index.review_events(),
            now,
            self.settings.day_starts_at,
        )


def _same_pearl(raw: RawPearl, pearl: Pearl) -> bool:
    """The pearl as it stands in its file is `pearl` (ignoring where it is)."""
    from pearldeck.store.yamlfile import raw_tags

    v = raw.values
    keys = ("text", "back", "source", "added", "block", "origin", "context")
    return raw_tags(raw) == tuple(pearl.tags) and all(v.get(k) == getattr(pearl, k) for k in keys)


def discard_damaged_index(root: Path, error: BaseException) -> Path | None:
    """If `error` says the index of `root` is damaged, delete it (the next open rebuilds it
    from the text) and return its folder; else None."""
    if not index_damaged(error):
        return None
    Index.in_memory(root / layout.CACHE_DIR / "index.sqlite3").discard()
    return root / layout.CACHE_DIR


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _parse(data: bytes, f: layout.PearlFile) -> tuple[str | None, ParsedFile | None, list[Problem]]:
    """Decode and parse one pearl file; problems are relative to the collection."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, None, [Problem(f.rel, line, "not valid UTF-8 text")]
    from pearldeck.store.yamlfile import parse_pearl_file

    parsed = parse_pearl_file(text, f.rel, f.pathway)
    return text, parsed, list(parsed.problems)


def _is_blank_or_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")
