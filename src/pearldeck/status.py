"""Status rows: a card's folded state, the value that queues, stats and analytics read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatusRow:
    """A card's folded state as stored, for queue and stats queries."""

    card_id: str
    state: int
    due: float | None
    stability: float | None
    difficulty: float | None
    last_review: float | None
    reps: int
    lapses: int
    last_event: str | None
    suspended: bool
    leech: bool
    buried_day: str | None
    first_review: float | None
    memory: str
