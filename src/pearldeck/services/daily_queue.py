"""Today's queue read from an index: the counts, the next card, and a card as shown.

`Collection` reads its queue through this mixin, which needs only an index, the
settings and a scheduler: none of the writing, refreshing or file handling. The values it
returns (Counts, DueToday, CardView) are the core's, in `today.py`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck import scheduler as sched
from pearldeck.model import Pearl, Problem, Rating, render_answer, render_prompt, split_card_id
from pearldeck.store import queue as queues
from pearldeck.store.index import Index, StatusRow
from pearldeck.store.settings import Settings
from pearldeck.studyday import day_end, day_start, format_interval, study_day
from pearldeck.today import CardView, Counts, DueToday

if TYPE_CHECKING:
    import fsrs

LEARN_AHEAD = timedelta(minutes=20)
CLOCK_SLACK = timedelta(minutes=10)
"""How far ahead of this machine's clock an event may be dated before `check` names it."""


class DailyQueue:
    """What a review reads: it needs an index, the settings and a scheduler."""

    root: Path
    index: Index
    settings: Settings
    _fsrs: object | None

    def today(self, now: datetime) -> str:
        return study_day(now, self.settings.day_starts_at).isoformat()

    def _new_left(self, now: datetime) -> int:
        day = study_day(now, self.settings.day_starts_at)
        start = day_start(day, self.settings.day_starts_at).timestamp()
        return max(0, self.settings.new_per_day - self.index.introduced_since(start))

    def due(self, now: datetime, pathway: str | None = None, tag: str | None = None) -> DueToday:
        st = self.settings
        today, per = queues.due_counts(
            self.index.db, now, st.day_starts_at, st.new_per_day, pathway, tag, st.new_card_order
        )
        counts = {pw: Counts(*c) for pw, c in per.items()}
        total = Counts(*(sum(c[i] for c in per.values()) for i in range(3)))
        return DueToday(today, total, counts)

    def next_card(
        self,
        now: datetime,
        pathway: str | None = None,
        tag: str | None = None,
        *,
        learn_ahead: bool = False,
    ) -> CardView | None:
        """The card the review shows now: due learning, then reviews, then new."""
        day = study_day(now, self.settings.day_starts_at)
        end = day_end(day, self.settings.day_starts_at).timestamp()
        cands = self.index.next_cards(
            now.timestamp(),
            end,
            day.isoformat(),
            pathway,
            tag,
            self._new_left(now),
            LEARN_AHEAD.total_seconds() if learn_ahead else 0.0,
            day_start(day, self.settings.day_starts_at).timestamp(),
            self.settings.new_card_order,
        )
        for card_id, queue in cands:
            if queue == "later" and not learn_ahead:
                continue
            view = self.card(card_id, now, queue)
            if view is not None:
                return view
        return None

    def waiting_learning(
        self, now: datetime, pathway: str | None = None, tag: str | None = None
    ) -> datetime | None:
        """When the next learning card comes due later today, if any."""
        view = self.next_card(now, pathway, tag, learn_ahead=True)
        if view is None or view.queue not in ("later", "learning"):
            return None
        return view.due_at

    def card(self, card_id: str, now: datetime, queue: str | None = None) -> CardView | None:
        pearl_id, cloze = split_card_id(card_id)
        pearl = self.pearl(pearl_id)
        if pearl is None or card_id not in pearl.card_ids():
            return None
        status = self.index.status(card_id)
        outcomes = self._preview(card_id, status, now)
        intervals = {
            r: format_interval(sched.interval_seconds(s, now))
            for r, s in outcomes.items()
            if s.due is not None
        }
        if queue is None:
            queue = (
                "new"
                if status is None or status.state == sched.NEW
                else ("review" if status.state == sched.REVIEW else "learning")
            )
        due_at = datetime.fromtimestamp(status.due, UTC) if status and status.due else None
        return CardView(
            card_id=card_id,
            pearl=pearl,
            cloze=cloze,
            queue=queue,
            prompt=render_prompt(pearl, cloze),
            answer=render_answer(pearl, cloze),
            intervals=intervals,
            due_at=due_at,
            status=status,
        )

    def preview_states(self, card_id: str, now: datetime) -> dict[Rating, sched.CardState]:
        """The state each rating would give the card now (what its buttons show)."""
        return self._preview(card_id, self.index.status(card_id), now)

    def _preview(
        self, card_id: str, status: StatusRow | None, now: datetime
    ) -> dict[Rating, sched.CardState]:
        prev = self._card_status(card_id, status)
        return sched.preview(self._get_scheduler(), self.settings, card_id, prev, now)

    def _card_status(self, card_id: str, row: StatusRow | None) -> sched.CardStatus:
        if row is None:
            return sched.CardStatus()
        return sched.CardStatus(
            memory=sched.CardState.from_dict(json.loads(row.memory)),
            last_event=row.last_event,
            suspended=row.suspended,
            leech=row.leech,
        )

    def clock_skew(self, now: datetime) -> list[Problem]:
        """Events dated ahead of this machine's clock (another device's clock runs fast).

        Such a review still counts as the card's latest: its schedule stands until the
        card is reviewed again. A review made here afterwards is stored at its true time,
        replays after it (it was made on top of it), and its schedule, counted from
        now, replaces it: a card failed here is not hidden until that future date.
        """
        out = []
        for e in self.index.events_after(sched.iso(now + CLOCK_SLACK)):
            ahead = format_interval((sched.from_iso(e.time) - now).total_seconds())
            out.append(
                Problem(
                    str(self.root / "reviews" / f"{e.device}.jsonl"),
                    e.seq,
                    f"{e.kind} of card {e.card} is dated {e.time}, {ahead} ahead of this "
                    "machine's clock (is that device's clock fast?); the card's schedule "
                    "counts from it until the card is reviewed again",
                )
            )
        return out

    # changing card state --------------------------------------------------

    def pearl(self, pearl_id: str) -> Pearl | None:
        found = self.index.pearls(ids=[pearl_id])
        return found[0] if found else None

    def _get_scheduler(self) -> fsrs.Scheduler:
        """Made on first use: counting due cards never needs it."""
        if self._fsrs is None:
            self._fsrs = sched.make_scheduler(self.settings)
        return self._fsrs  # type: ignore[return-value]
