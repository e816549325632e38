"""What today's queue is, as values: the counts left and a card as a shell shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pearldeck.model import Pearl, Rating
from pearldeck.status import StatusRow


@dataclass(frozen=True)
class Counts:
    """New, learning and review cards left today."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "learning": self.learning, "review": self.review}


@dataclass(frozen=True)
class DueToday:
    """Today's counts, overall and per pathway."""

    today: str
    total: Counts
    pathways: dict[str, Counts]

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today,
            "total": self.total.as_dict(),
            "pathways": {p: c.as_dict() for p, c in self.pathways.items()},
        }


@dataclass(frozen=True)
class CardView:
    """Everything a shell needs to show one card and its answer buttons."""

    card_id: str
    pearl: Pearl
    cloze: int | None
    queue: str
    """new, learning, review, or 'later' (a learning card not yet due)."""
    prompt: str
    answer: str
    intervals: dict[Rating, str]
    due_at: datetime | None
    status: StatusRow | None

    def as_dict(self) -> dict[str, object]:
        return {
            "card_id": self.card_id,
            "pearl_id": self.pearl.id,
            "pathway": self.pearl.pathway,
            "queue": self.queue,
            "prompt": self.prompt,
            "answer": self.answer,
            "tags": list(self.pearl.tags),
            "source": self.pearl.source,
            "intervals": {r.label: v for r, v in self.intervals.items()},
        }
