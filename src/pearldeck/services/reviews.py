"""Review logs <-> index: rate, undo, suspend, unsuspend and bury, each an appended event."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pearldeck import scheduler as sched
from pearldeck.history import History
from pearldeck.model import Event, Pearl, PearlError, Problem, Rating, split_card_id
from pearldeck.services.daily_queue import DailyQueue
from pearldeck.store import reviewlog
from pearldeck.store.fsutil import locked
from pearldeck.studyday import format_interval


@dataclass(frozen=True)
class Rated:
    """The result of one review: the event written and the card's new state."""

    event: Event
    state: sched.CardState
    interval: str


class Reviews(DailyQueue):
    """The review actions of a collection; each appends one event to this device's log and
    brings the index up to date with it (the collection supplies the sync and rebuild)."""

    device: str
    _lock: Path
    _new_event_id: Callable[[], str]

    def sync_history(self) -> object:
        raise NotImplementedError  # pragma: no cover - Collection's

    def heal(self, error: BaseException, *, assign_ids: bool = False) -> bool:
        raise NotImplementedError  # pragma: no cover - Collection's

    def _history(self) -> History:
        raise NotImplementedError  # pragma: no cover - Collection's

    def _after_last(self, card_id: str, now: datetime) -> datetime:
        """`now`, or just after this device's latest event on the card if the clock is
        behind it.

        Keeps one device's actions in the order they were made, even with a clock
        set back or two actions in the same microsecond. Another device's events never
        move it: a review is stored at the time it happened (see replay.causal_order).
        """
        now = now.astimezone(UTC)
        last = self.index.last_time(card_id, self.device)
        if last is not None and sched.iso(now) <= last:
            return sched.from_iso(last) + timedelta(microseconds=1)
        return now

    def _append(self, event: Event, *, synced: bool = False) -> None:
        """Append `event` to this device's log, then bring the index up to date with it.

        `synced`: the index read every log just before. Then the event's line is fed to
        the index as written (write-through); a full sync reads the logs only when this
        log is not the size the index expects (another process appended to it too).
        """
        with locked(self._lock):
            start, line = reviewlog.append_event(self.root, self.device, event)
        # The event is on disk: the index only has to catch up with it. A damaged index
        # is rebuilt here, since failing now would invite the same action twice.
        try:
            path = reviewlog.log_path(self.root, self.device)
            if not (synced and self._history().feed(path, start, line)):
                self.sync_history()
        except sqlite3.DatabaseError as e:
            if not self.heal(e):
                raise

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
        self._append(event, synced=True)
        interval = format_interval(sched.interval_seconds(state, now)) if state.due else ""
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
        self._append(undo, synced=True)
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
