"""What one review session did: cards answered, time spent, again-rate by pathway."""

from __future__ import annotations

from dataclasses import dataclass, field

from pearldeck.model import Rating


@dataclass(frozen=True, slots=True)
class Answer:
    """One rating given in this session."""

    card_id: str
    pathway: str
    rating: Rating
    seconds: float


@dataclass
class Session:
    """The running tally the end-of-session summary shows."""

    answers: list[Answer] = field(default_factory=list)
    suspended: int = 0
    buried: int = 0

    def record(self, answer: Answer) -> None:
        self.answers.append(answer)

    def take_back(self, card_id: str) -> None:
        """Forget the last answer to `card_id` (after an undo)."""
        for i in range(len(self.answers) - 1, -1, -1):
            if self.answers[i].card_id == card_id:
                del self.answers[i]
                return

    @property
    def cards(self) -> int:
        return len(self.answers)

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.answers)

    def again_by_pathway(self) -> dict[str, tuple[int, int]]:
        """Pathway -> (answers that were Again, all answers), in order of first answer."""
        out: dict[str, tuple[int, int]] = {}
        for a in self.answers:
            again, total = out.get(a.pathway, (0, 0))
            out[a.pathway] = (again + (a.rating == Rating.AGAIN), total + 1)
        return out


def format_duration(seconds: float) -> str:
    """`45 s`, `4 min`, `1 h 05 min`."""
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
