"""The Obsidian plugin's `<!--SR:…-->` schedules as `import` events of the review history."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from pearldeck.markdown_import.common import Schedule
from pearldeck.model import Event, card_ids_for
from pearldeck.scheduler import iso, state_from_sm2
from pearldeck.studyday import day_start

if TYPE_CHECKING:
    import fsrs


def schedule_events(
    pearl_id: str,
    text: str,
    back: str | None,
    schedules: Sequence[Schedule | None],
    scheduler: fsrs.Scheduler,
    day_starts_at: int,
    device: str,
) -> list[Event]:
    """One `import` event per scheduled card of a pearl: it starts in review, due on the
    comment's date, with the FSRS memory its interval and ease imply. The id comes from
    the card and the schedule, so importing the same schedule twice gives the same event."""
    out: list[Event] = []
    for card_id, entry in zip(card_ids_for(pearl_id, text, back), schedules, strict=False):
        if entry is None:
            continue
        last = day_start(entry.due - timedelta(days=entry.interval), day_starts_at)
        due = day_start(entry.due, day_starts_at)
        state = state_from_sm2(scheduler, entry.interval, entry.ease / 100, last, due)
        seed = f"obsidian-sr|{card_id}|{entry.due.isoformat()}|{entry.interval}|{entry.ease}"
        eid = hashlib.sha256(seed.encode()).hexdigest()[:32]
        out.append(Event(eid, "import", card_id, iso(last), device, state=state.to_dict()))
    return out
