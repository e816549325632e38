"""Review logs into the index: read what each log gained, and refold the cards it touched."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck import scheduler as sched
from pearldeck.model import Event, Problem
from pearldeck.store import reviewlog
from pearldeck.store.events import CardSummary
from pearldeck.store.index import Index, StatusRow
from pearldeck.store.queue import NEW_ORDER_KEY
from pearldeck.store.settings import Settings
from pearldeck.studyday import zone_key

if TYPE_CHECKING:
    import fsrs


SKIPPED = "skipped_log_lines"


@dataclass
class History:
    """The history side of a collection: its logs, its index and how to fold a card."""

    root: Path
    index: Index
    settings: Settings
    states: reviewlog.StateReader
    scheduler: Callable[[], fsrs.Scheduler]
    progress: Callable[[str], None] = lambda _: None
    """Told what a rebuild is doing, for a loading screen."""

    def sync(self, problems: list[Problem], warnings: list[Problem]) -> None:
        """Read what was appended to any review log and refold the cards it touched."""
        # the fold reads the local zone too (a bury lasts to the end of the local study day)
        fp = f"{self.settings.fingerprint()}|{zone_key()}"
        refold_all = self.index.get_meta("settings") != fp
        offsets = self.index.log_offsets()
        rels: dict[Path, str] = {}
        unreadable: set[str] = set()
        for path in reviewlog.log_files(self.root):
            rel = path.relative_to(self.root).as_posix()
            try:
                path.open("rb").close()
            except OSError as err:  # reported; its events in the index are kept as they are
                problems.append(Problem(str(path), 0, f"cannot read: {err.strerror or err}"))
                unreadable.add(rel)
            else:
                rels[path] = rel
        # a log that vanished, shrank or changed its start was rewritten: read all again
        vanished = set(offsets) - set(rels.values()) - unreadable
        rebuild = bool(vanished) or (bool(rels) and not offsets)
        for path, rel in rels.items():
            off, _, head = offsets.get(rel, (0, 0, b""))
            if not off:
                continue
            with path.open("rb") as fh:
                cur_head = fh.read(len(head))
            if path.stat().st_size < off or cur_head != head:
                rebuild = True
        if rebuild:
            offsets = {}
            refold_all = True
        todo = [
            (path, rel, *offsets.get(rel, (0, 0, b""))[:2])
            for path, rel in rels.items()
            if path.stat().st_size != offsets.get(rel, (0, 0, b""))[0]
        ]
        if not (todo or refold_all):
            return
        try:
            # One transaction: a crash can never leave events recorded and their cards unfolded.
            with self.index.write() as db:
                touched: set[str] = set()
                if rebuild:
                    self.index.clear_history(db)
                    self.index.begin_bulk(db)

                def take(events: list[Event]) -> None:
                    touched.update(self.index.add_events(db, events, bulk=rebuild))

                # progress is for a rebuild's loading screen: a rating's sync skips it
                total = sum(path.stat().st_size for path, *_ in todo) if rebuild else 0
                skipped: list[Problem] = []
                done = n_lines = 0

                def rows(found: list[reviewlog.ReviewRow]) -> None:
                    self.index.add_review_rows(db, found)
                    mb = (done + found[-1][9]) / 2**20
                    self.progress(f"Reading review history: {mb:.0f} of {total / 2**20:.0f} MB")

                for path, rel, off, lines in todo:
                    if rebuild:
                        read = reviewlog.read_bulk(path, off, lines + 1, rows, take)
                    else:
                        read = reviewlog.read_from(path, off, lines + 1, sink=take)
                    warnings.extend(read.warnings)
                    skipped.extend(w for w in read.warnings if w.message != reviewlog.TORN)
                    with path.open("rb") as fh:
                        head = fh.read(min(read.offset, 256))
                    self.index.set_log_offset(db, rel, read.offset, read.lines, head)
                    done += read.offset - off
                    n_lines += read.lines - lines
                self._keep_skipped(db, skipped, rebuild)
                if rebuild:
                    self.progress(f"Filing {n_lines:,} review-log lines")
                    self.index.end_bulk(db)
                if refold_all:
                    self.progress("Working out each card's schedule")
                    self.refold_all(db)
                elif touched:
                    self.put_folds(db, self.index.events_for(touched))
                if refold_all:
                    self.index.set_meta(db, "settings", fp)
                    self.index.set_meta(db, NEW_ORDER_KEY, self.settings.new_card_order)
        finally:
            self.states.close()  # the logs opened to read stored states back

    def feed(self, path: Path, start: int, line: bytes) -> bool:
        """Take `line`, just appended to the log `path` at byte `start`, into the index as
        `sync` would read it, without reading the log back (a rating's write-through).

        False, and nothing done, when the index has not read the log up to `start` (another
        process appended too, a line was torn, the log is new) or the settings changed:
        then only a full `sync` is right.
        """
        rel = path.relative_to(self.root).as_posix()
        fp = f"{self.settings.fingerprint()}|{zone_key()}"
        try:
            # checked and applied in one write transaction, so concurrent writers queue
            with self.index.write() as db:
                known = self.index.log_offset(db, rel)
                if known is None or known[0] != start or self.index.get_meta("settings") != fp:
                    return False
                _, lines, head = known
                event = reviewlog.decode(line.rstrip(b"\n"), path.stem, lines + 1, start)
                if event is None:
                    return False
                touched = self.index.add_events(db, [event])
                if touched:
                    self.put_folds(db, self.index.events_for(touched))
                # the head a sync keeps: the log's first bytes (up to 256), to see a rewrite
                head = (head + line)[:256] if len(head) < 256 else head
                self.index.set_log_offset(db, rel, start + len(line), lines + 1, head)
            return True
        finally:
            self.states.close()

    def _keep_skipped(self, db: sqlite3.Connection, new: list[Problem], rebuild: bool) -> None:
        """Remember the log lines skipped as unreadable: they are read once, but `check`
        names them every time (the newest thousand)."""
        if not (new or rebuild):
            return
        kept = [] if rebuild else json.loads(self.index.get_meta(SKIPPED) or "[]")
        kept += [[p.path, p.line, p.message, p.kind] for p in new]
        self.index.set_meta(db, SKIPPED, json.dumps(kept[-1000:]))

    def skipped(self) -> list[Problem]:
        """Review-log lines skipped as unreadable (another device's, a merge's markers)."""
        try:
            kept = json.loads(self.index.get_meta(SKIPPED) or "[]")
        except ValueError:
            return []
        return [Problem(str(r[0]), int(r[1]), str(r[2]), *[str(k) for k in r[3:4]]) for r in kept]

    def refold_all(self, db: sqlite3.Connection) -> None:
        """Every card's state: a plain history's from its last review, the rest folded."""
        rows: list[StatusRow] = []
        folds: list[str] = []
        threshold = self.settings.leech_threshold
        for s in self.index.card_summaries(db):
            last = Event(s.last, "review", s.card, s.last_time, s.device, ref=s.ref)
            row = plain_row(s, self.states(last), threshold) if s.plain else None
            if row is None:
                folds.append(s.card)
                continue
            rows.append(row)
            if len(rows) >= 5000:  # a rebuild never holds every card's row at once
                self.index.put_status(db, rows)
                rows = []
        self.index.put_status(db, rows)
        for i in range(0, len(folds), 500):
            self.put_folds(db, self.index.events_for(folds[i : i + 500]))

    def put_folds(self, db: sqlite3.Connection, by_card: dict[str, list[Event]]) -> None:
        rows = [self.status_row(cid, evs) for cid, evs in by_card.items()]
        self.index.put_status(db, rows)

    def status_row(self, card_id: str, events: Sequence[Event]) -> StatusRow:
        st = sched.fold(card_id, events, self.scheduler, self.settings, self.states)
        return status_row(card_id, st)


def plain_row(s: CardSummary, stored: dict[str, object] | None, threshold: int) -> StatusRow | None:
    """A plain history's status from the state its last review stored; None if that
    state is missing or unusable (the card is folded instead)."""
    memory = sched.usable(stored) if stored is not None else None
    if memory is None:
        return None
    leech = sched.is_leech(s.lapses, threshold)
    first = sched.from_iso(s.first_time)
    return status_row(s.card, sched.CardStatus(memory, s.last, leech, leech, None, first))


def status_row(card_id: str, st: sched.CardStatus) -> StatusRow:
    """A folded card as the index stores it."""
    m = st.memory
    return StatusRow(
        card_id=card_id,
        state=m.state,
        due=m.due.timestamp() if m.due else None,
        stability=m.stability,
        difficulty=m.difficulty,
        last_review=m.last_review.timestamp() if m.last_review else None,
        reps=m.reps,
        lapses=m.lapses,
        last_event=st.last_event,
        suspended=st.suspended,
        leech=st.leech,
        buried_day=st.buried_day.isoformat() if st.buried_day else None,
        first_review=st.first_review.timestamp() if st.first_review else None,
        memory=json.dumps(m.to_dict()),
    )
