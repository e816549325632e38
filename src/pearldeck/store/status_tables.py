"""The card-status tables of the index and the queue's reads of them (a part of `Index`)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from pearldeck.model import Event
from pearldeck.status import StatusRow
from pearldeck.store import queue
from pearldeck.store.events import (
    DEVICE_INDEX,
    EVENT_COLS,
    IndexUnwritable,
    event_from_row,
)
from pearldeck.store.queue import NOT_SIBLING, card_filter


class StatusTables:
    """Each card's folded state, and the reads today's queue makes of it."""

    db: sqlite3.Connection

    def log_offsets(self) -> dict[str, tuple[int, int, bytes]]:
        raise NotImplementedError  # pragma: no cover - EventTables'

    def write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover - Index's

    def last_own_review(self, device: str) -> Event | None:
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='events_device'").fetchone():
            with contextlib.suppress(IndexUnwritable), self.write() as db:
                db.execute(DEVICE_INDEX)  # else the query below scans: slower, still right
        row = self.db.execute(
            f"SELECT {EVENT_COLS} FROM events WHERE device=? AND undone = 0 AND kind IN "
            "('review','suspend','unsuspend','bury')"
            # an imported review (from Anki) has no stored state: not this device's to undo
            " AND (kind != 'review' OR after IS NOT NULL) ORDER BY seq DESC LIMIT 1",
            (device,),
        ).fetchone()
        return None if row is None else event_from_row(row)

    def schedule_groups(self, day_start: float) -> tuple[list[tuple[int, int, int]], int]:
        """For the exam countdown: studied live cards not suspended, counted by (whole
        days from `day_start` to due, at least 0; current interval in days, at least 1),
        and the number of live cards never studied. Summed here, not row by row in Python."""
        groups = self.db.execute(
            "SELECT max(0, CAST((due - ?) / 86400 AS INT)),"
            " max(1, CAST(round((due - coalesce(last_review, due - 86400)) / 86400) AS INT)),"
            " count(*) FROM status WHERE state != 0 AND due IS NOT NULL AND suspended = 0"
            " AND pathway IS NOT NULL GROUP BY 1, 2",
            (day_start,),
        ).fetchall()
        (new,) = self.db.execute(
            "SELECT count(*) FROM cards c LEFT JOIN status s ON s.card_id = c.card_id"
            " WHERE s.card_id IS NULL OR (coalesce(s.suspended, 0) = 0"
            " AND (s.state = 0 OR s.due IS NULL))"
        ).fetchone()
        return [(int(d), int(i), int(n)) for d, i, n in groups], int(new)

    def recent_review_times(self, since: str) -> list[str]:
        """Times of reviews (not undone) from `since` on, newest first per device's log
        order through the (device, seq) index: the cost is the reviews read, not the
        whole history (a time range over the events table would scan all of it)."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='events_device'").fetchone():
            with contextlib.suppress(IndexUnwritable), self.write() as db:
                db.execute(DEVICE_INDEX)
        out: list[str] = []
        for path in self.log_offsets():
            rows = self.db.execute(
                "SELECT time, kind, undone FROM events WHERE device=? ORDER BY seq DESC",
                (Path(path).stem,),
            )
            for when, kind, undone in rows:
                if when < since:
                    break  # a device appends in time order: the rest is older
                if kind == "review" and not undone:
                    out.append(when)
        return out

    # card status --------------------------------------------------------

    def put_status(self, db: sqlite3.Connection, rows: Sequence[StatusRow]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO status VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
            "(SELECT pathway FROM cards WHERE card_id = ?))",
            [
                (
                    r.card_id,
                    r.state,
                    r.due,
                    r.stability,
                    r.difficulty,
                    r.last_review,
                    r.reps,
                    r.lapses,
                    r.last_event,
                    int(r.suspended),
                    int(r.leech),
                    r.buried_day,
                    r.first_review,
                    r.memory,
                    r.card_id,
                )
                for r in rows
            ],
        )

    def status(self, card_id: str) -> StatusRow | None:
        row = self.db.execute("SELECT * FROM status WHERE card_id=?", (card_id,)).fetchone()
        return None if row is None else _status(row)

    def statuses(self, pathway: str | None = None, tag: str | None = None) -> dict[str, StatusRow]:
        sql, args = card_filter(pathway, tag)
        rows = self.db.execute(
            f"SELECT s.* FROM status s JOIN cards c ON c.card_id = s.card_id WHERE {sql}", args
        )
        return {r[0]: _status(r) for r in rows}

    def introduced_since(self, start: float) -> int:
        return queue.introduced_since(self.db, start)

    def next_cards(
        self,
        now: float,
        day_end: float,
        today: str,
        pathway: str | None,
        tag: str | None,
        new_allowed: int,
        learn_ahead: float,
        day_start: float,
        new_card_order: str = queue.DEFAULT_NEW_ORDER,
    ) -> list[tuple[str, str]]:
        """Candidates in queue order: (card_id, queue); ties go by card id, so that any
        index of the same cards (a head start's in memory) picks the same card."""
        sql, args = card_filter(pathway, tag)
        base = (
            "FROM cards c LEFT JOIN status s ON s.card_id = c.card_id WHERE "
            f"{sql} AND coalesce(s.suspended, 0) = 0 AND coalesce(s.buried_day, '') != ?"
        )
        # studied cards: walk the (state, due) index from status, not every card
        seen = (
            "FROM status s JOIN cards c ON c.card_id = s.card_id WHERE "
            f"{sql} AND s.suspended = 0 AND coalesce(s.buried_day, '') != ?"
        )
        out: list[tuple[str, str]] = []
        learn = self.db.execute(
            f"SELECT c.card_id, s.due {seen} AND s.state = 1 AND s.due <= ? "
            f"UNION ALL SELECT c.card_id, s.due {seen} AND s.state = 3 AND s.due <= ? "
            "ORDER BY 2, 1 LIMIT 1",
            [*args, today, now + learn_ahead, *args, today, now + learn_ahead],
        ).fetchone()
        if learn:
            out.append((learn[0], "learning"))
        review = self.db.execute(
            f"SELECT c.card_id {seen} AND s.state = 2 AND s.due < ? "
            "ORDER BY s.due, c.card_id LIMIT 1",
            [*args, today, day_end],
        ).fetchone()
        if review:
            out.append((review[0], "review"))
        if new_allowed > 0:
            new = self.db.execute(
                f"SELECT c.card_id {base} AND (s.card_id IS NULL OR s.state = 0) "
                f"AND {NOT_SIBLING} ORDER BY c.{queue.NEW_ORDERS[new_card_order]} LIMIT 1",
                [*args, today, day_start],
            ).fetchone()
            if new:
                out.append((new[0], "new"))
        later = self.db.execute(
            f"SELECT c.card_id, s.due {seen} AND s.state = 1 AND s.due < ? "
            f"UNION ALL SELECT c.card_id, s.due {seen} AND s.state = 3 AND s.due < ? "
            "ORDER BY 2, 1 LIMIT 1",
            [*args, today, day_end, *args, today, day_end],
        ).fetchone()
        if later:
            out.append((later[0], "later"))
        return out


def _status(row: tuple[object, ...]) -> StatusRow:
    return StatusRow(
        card_id=str(row[0]),
        state=int(row[1]),  # type: ignore[call-overload]
        due=row[2],  # type: ignore[arg-type]
        stability=row[3],  # type: ignore[arg-type]
        difficulty=row[4],  # type: ignore[arg-type]
        last_review=row[5],  # type: ignore[arg-type]
        reps=int(row[6]),  # type: ignore[call-overload]
        lapses=int(row[7]),  # type: ignore[call-overload]
        last_event=row[8],  # type: ignore[arg-type]
        suspended=bool(row[9]),
        leech=bool(row[10]),
        buried_day=row[11],  # type: ignore[arg-type]
        first_review=row[12],  # type: ignore[arg-type]
        memory=str(row[13]),
    )
