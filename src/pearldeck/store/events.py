"""The review history in the index: log offsets, every event by card, and each card's
history summed up for a rebuild.

`Index` takes these methods from `EventTables`; the tables themselves are created with
the rest of the schema in `store.index`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pearldeck.model import Event
from pearldeck.store.reviewlog import ReviewRow

# made by the first undo, not by a rebuild: nothing else needs it
DEVICE_INDEX = "CREATE INDEX IF NOT EXISTS events_device ON events(device, seq)"

EVENT_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events(id)",
    "CREATE INDEX IF NOT EXISTS events_undo ON events(target) WHERE kind = 'undo'",
)


@dataclass(slots=True)
class CardSummary:
    """A card's history as `Index.card_summaries` sums it up."""

    card: str
    plain: bool
    lapses: int
    first_time: str
    last: str
    """The id of its last event."""
    last_time: str
    device: str
    ref: int
    """Where the last review's line starts in `device`'s log (-1: unknown)."""
    before: int = 0
    """The FSRS state the card was in before its next event (0: new)."""

    def take(
        self,
        eid: str,
        review: bool,
        rating: int,
        after: int | None,
        prev: str | None,
        time: str,
        device: str,
        ref: int,
    ) -> None:
        """Add the card's next event in replay order; `review`: a review, not undone."""
        if not review or after is None or ref < 0 or prev != (self.last or None):
            self.plain = False
        elif rating == 1 and self.before == 2:  # Again on a card in review: a lapse
            self.lapses += 1
        self.before = after or 0
        self.last, self.last_time, self.device, self.ref = eid, time, device, ref


class IndexUnwritable(Exception):
    """The index file cannot take a write now; the text files are untouched."""


class EventTables:
    """The `logs` and `events` tables of the index (a part of `Index`)."""

    db: sqlite3.Connection

    def log_offsets(self) -> dict[str, tuple[int, int, bytes]]:
        rows = self.db.execute("SELECT path, offset, lines, head FROM logs")
        return {p: (o, n, h) for p, o, n, h in rows}

    def log_offset(self, db: sqlite3.Connection, path: str) -> tuple[int, int, bytes] | None:
        """How far one log has been read: (byte offset, lines, its first bytes)."""
        row = db.execute("SELECT offset, lines, head FROM logs WHERE path=?", (path,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def set_log_offset(
        self, db: sqlite3.Connection, path: str, offset: int, lines: int, head: bytes
    ) -> None:
        db.execute("INSERT OR REPLACE INTO logs VALUES(?,?,?,?)", (path, offset, lines, head))

    def clear_history(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM logs")
        db.execute("DELETE FROM events")
        db.execute("DELETE FROM status")

    def add_events(
        self, db: sqlite3.Connection, events: Sequence[Event], *, bulk: bool = False
    ) -> set[str]:
        """Insert events not seen before; return the cards they touch.

        `bulk`: between begin_bulk and end_bulk (a rebuild), which files them at the end.
        """
        before = db.total_changes
        table = "bulk_events" if bulk else "events"
        db.executemany(
            f"INSERT OR IGNORE INTO {table} VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
            (
                (
                    e.id,
                    e.card,
                    e.time,
                    e.kind,
                    e.device,
                    e.rating,
                    e.duration,
                    e.target,
                    e.prev,
                    e.state_json if e.state is None else json.dumps(e.state),
                    e.result_state,
                    e.seq,
                    e.ref,
                )
                for e in events
            ),
        )
        if db.total_changes == before:
            return set()
        if not bulk:
            self._mark_undone(db)
        return {e.card for e in events}

    def add_review_rows(self, db: sqlite3.Connection, rows: Sequence[ReviewRow]) -> None:
        """Plain reviews for a rebuild, as the log reader found them (no stored state:
        a fold reads it back from the log by offset, and only for the cards that need it)."""
        db.executemany(
            "INSERT INTO bulk_events(id, card, time, rating, duration, prev, after, device,"
            " seq, ref, kind, undone) VALUES(?,?,?,?,?,?,?,?,?,?,'review',0)",
            rows,
        )

    def begin_bulk(self, db: sqlite3.Connection) -> None:
        """Filling an empty history: rows gather unsorted, and are filed once, at the end."""
        db.execute("DROP TABLE IF EXISTS temp.bulk_events")
        db.execute("CREATE TEMP TABLE bulk_events AS SELECT * FROM events WHERE 0")
        for name in ("events_id", "events_device", "events_undo"):
            db.execute(f"DROP INDEX IF EXISTS {name}")

    def end_bulk(self, db: sqlite3.Connection) -> None:
        # one sort, then B-tree appends; a repeated line (same card, time and id) is kept once
        db.execute(
            "INSERT OR IGNORE INTO events SELECT * FROM bulk_events "
            "ORDER BY card, time, id, device, seq"
        )
        db.execute("DROP TABLE temp.bulk_events")
        try:
            db.execute(EVENT_INDEXES[0])
        except sqlite3.IntegrityError:  # one id on two different lines: a hand-made log
            self._drop_reused_ids(db)
            db.execute(EVENT_INDEXES[0])
        for stmt in EVENT_INDEXES[1:]:
            db.execute(stmt)
        self._mark_undone(db)

    def _drop_reused_ids(self, db: sqlite3.Connection) -> None:
        """Keep an id's first line (logs by name, then line): as an incremental read does."""
        db.execute("CREATE INDEX events_id_any ON events(id, device, seq)")
        db.execute(
            "DELETE FROM events WHERE EXISTS (SELECT 1 FROM events f WHERE f.id = events.id"
            " AND (f.device < events.device OR (f.device = events.device AND f.seq < events.seq)))"
        )
        db.execute("DROP INDEX events_id_any")

    def _mark_undone(self, db: sqlite3.Connection) -> None:
        # an undo may arrive before or after the event it takes back (merged logs)
        db.execute(
            "UPDATE events SET undone = 1 WHERE undone = 0 AND id IN "
            "(SELECT target FROM events WHERE kind = 'undo')"
        )

    def card_summaries(self, db: sqlite3.Connection) -> Iterator[CardSummary]:
        """Each card's history in brief, read in replay order in one pass.

        A card whose events are all reviews, none undone, each made on top of the one
        before, is `plain`: its state is the one its last review stored, and its lapses
        are counted here. Any other card needs its events folded one by one.
        """
        rows = db.execute(
            "SELECT card, id, kind, undone, after, ref, rating, time, device, prev FROM events"
        )
        card: str | None = None
        s = CardSummary("", True, 0, "", "", "", "", -1)
        for cid, eid, kind, undone, after, ref, rating, time_, device, prev in rows:
            if cid != card:
                if card is not None:
                    yield s
                card = cid
                s = CardSummary(cid, True, 0, time_, "", "", "", -1)
            s.take(eid, kind == "review" and not undone, rating, after, prev, time_, device, ref)
        if card is not None:
            yield s

    def events_for(self, cards: Iterable[str]) -> dict[str, list[Event]]:
        out: dict[str, list[Event]] = {}
        for chunk in in_chunks(list(cards), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT {EVENT_COLS} FROM events WHERE card IN ({marks})", chunk
            )
            for r in rows:
                ev = event_from_row(r)
                out.setdefault(ev.card, []).append(ev)
        return out

    def review_events(self, since: str = "") -> list[Event]:
        """Reviews not undone, oldest first, for stats and optimisation (no stored states)."""
        # columns in Event's field order: half a million rows, so no per-row conversions
        rows = self.db.execute(
            "SELECT id, kind, card, time, device, rating, duration, prev, NULL, target, seq,"
            " NULL, after FROM events WHERE kind='review' AND undone = 0 AND time >= ?"
            " ORDER BY time, id",
            (since,),
        )
        return [Event(*r) for r in rows]

    def last_time(self, card: str, device: str | None = None) -> str | None:
        """The time of the card's latest event (from `device` only, if given)."""
        if device is None:
            row = self.db.execute("SELECT max(time) FROM events WHERE card=?", (card,))
        else:
            row = self.db.execute(
                "SELECT max(time) FROM events WHERE card=? AND device=?", (card, device)
            )
        found = row.fetchone()
        return None if found is None or found[0] is None else str(found[0])

    def events_after(self, time: str) -> list[Event]:
        """Events dated after `time` (UTC ISO), oldest first: for `pearls check`."""
        rows = self.db.execute(
            f"SELECT {EVENT_COLS} FROM events WHERE time > ? ORDER BY time, id", (time,)
        )
        return [event_from_row(r) for r in rows]

    def known_event_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` already in the history."""
        out: set[str] = set()
        for chunk in in_chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(
                r[0] for r in self.db.execute(f"SELECT id FROM events WHERE id IN ({marks})", chunk)
            )
        return out

    def review_rows(self) -> Iterator[tuple[str, str, int, float, int | None]]:
        """Reviews not undone as (card, time, rating, duration, state after), oldest first.

        Tuples streamed from the cursor: fitting FSRS reads half a million of them.
        """
        return self.db.execute(
            "SELECT card, time, rating, duration, after FROM events"
            " WHERE kind='review' AND undone = 0 ORDER BY time, id"
        )


EVENT_COLS = "id, card, time, kind, device, rating, duration, target, prev, state, after, seq, ref"


def event_from_row(row: tuple[object, ...]) -> Event:
    eid, card, time, kind, device, rating, duration, target, prev, state, after, seq, ref = row
    return Event(
        id=str(eid),
        kind=str(kind),
        card=str(card),
        time=str(time),
        device=str(device),
        rating=int(rating),  # type: ignore[call-overload]
        duration=float(duration),  # type: ignore[arg-type]
        prev=prev if isinstance(prev, str) else None,
        target=target if isinstance(target, str) else None,
        seq=int(seq),  # type: ignore[call-overload]
        state_json=state if isinstance(state, str) else None,
        after=after if isinstance(after, int) else None,
        ref=ref if isinstance(ref, int) else -1,
    )


def in_chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
