"""Anki's review log into review events, with ids that make a second import add nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pearldeck.anki_import.types import AnkiData
from pearldeck.model import Event

# revlog.type: learn, review, relearn are answers; 3 (filtered deck without rescheduling,
# "cram"), 4 (manual: set due date, forget) and 5 (rescheduled) are not reviews.
ANSWER_KINDS = frozenset({0, 1, 2})
MAX_DURATION = 86_400.0


@dataclass(frozen=True, slots=True)
class PearlCards:
    """The pearl a note became, and its card ids."""

    pearl_id: str
    cloze: bool
    cards: frozenset[str]

    def card_for(self, ord: int) -> str | None:
        """Anki's card `ord` as a pearl card id: cloze n is ord n-1; a question has one."""
        card = f"{self.pearl_id}#c{ord + 1}" if self.cloze else (self.pearl_id if ord == 0 else "")
        return card if card in self.cards else None


@dataclass
class ReviewPlan:
    """The review events of a file, and what was left out."""

    events: list[Event] = field(default_factory=list)
    not_reviews: int = 0
    """Manual reschedules, cram entries: not answers."""
    no_card: int = 0
    """Reviews of cards pearldeck does not make (a reversed card, a removed cloze)."""


def event_id(revlog_id: int, card: str) -> str:
    """The same Anki review of the same card always gets the same event id."""
    return hashlib.sha256(f"anki-revlog:{revlog_id}:{card}".encode()).hexdigest()[:32]


def plan_reviews(data: AnkiData, pearls: Mapping[int, PearlCards], device: str) -> ReviewPlan:
    """Every answer in the review log of a note in `pearls` (note id -> its pearl)."""
    plan = ReviewPlan()
    cards = {c.id: c for c in data.cards}
    for r in data.reviews:
        if r.kind not in ANSWER_KINDS or not 1 <= r.ease <= 4:
            plan.not_reviews += 1
            continue
        c = cards.get(r.card_id)
        pearl = pearls.get(c.note_id) if c is not None else None
        card = pearl.card_for(c.ord) if pearl is not None and c is not None else None
        if card is None:
            plan.no_card += 1
            continue
        when = datetime.fromtimestamp(r.id / 1000, UTC)
        plan.events.append(
            Event(
                id=event_id(r.id, card),
                kind="review",
                card=card,
                time=when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                device=device,
                rating=r.ease,
                duration=max(0.0, min(r.duration_ms / 1000, MAX_DURATION)),
            )
        )
    return plan
