"""Days to the exam, the reviews expected before it, and whether new cards get done in time."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

GROWTH = 2.5
"""How much each interval grows after a passed review, for the forecast (Anki's default
ease; FSRS at 90% retention grows a young card's interval by about as much)."""
FIRST_INTERVAL = 1
"""Days from a new card's first day to its first review as a review card."""


@dataclass(frozen=True, slots=True)
class CardPlan:
    """One card as the forecast needs it: when it is next due, and its current interval."""

    due_in: int
    """Study days from today to its next review (0: today or overdue)."""
    interval: int
    """Its current interval in days (at least 1)."""


@dataclass(frozen=True, slots=True)
class Countdown:
    """What Home and the report say about the exam."""

    exam_day: date
    days_left: int
    """Study days from today up to the exam day (0: the exam is today; negative: past)."""
    reviews_forecast: int
    """Reviews expected before the exam day: an estimate, every answer passed."""
    new_left: int
    """New cards not yet introduced (suspended ones excluded)."""
    new_per_day: int
    days_to_clear: int | None
    """Study days the new cards take at `new_per_day`; None if they never would (0 a day)."""
    needed_per_day: int
    """New cards a day that would introduce them all before the exam day."""

    @property
    def clears(self) -> bool:
        """Whether the current pace introduces every new card before the exam day."""
        return self.days_to_clear is not None and self.days_to_clear <= max(self.days_left, 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "exam_date": self.exam_day.isoformat(),
            "days_left": self.days_left,
            "reviews_forecast": self.reviews_forecast,
            "new_left": self.new_left,
            "new_per_day": self.new_per_day,
            "days_to_clear_new": self.days_to_clear,
            "clears_new_before_exam": self.clears,
            "new_per_day_needed": self.needed_per_day,
        }


def _reviews_before(first: int, interval: float, days: int) -> int:
    """Reviews on days first, first+interval, ... (intervals growing) before day `days`."""
    n, day = 0, float(first)
    while day < days:
        n += 1
        interval = max(1.0, interval * GROWTH)
        day += interval
    return n


def countdown(
    today: date,
    exam_day: date,
    cards: Iterable[CardPlan | tuple[CardPlan, int]],
    new_left: int,
    new_per_day: int,
) -> Countdown:
    """The countdown on study day `today`: `cards` are the cards in learning or review
    (each alone, or with how many cards share its plan)."""
    days = (exam_day - today).days
    groups: Counter[tuple[int, int]] = Counter()
    for item in cards:
        plan, n = item if isinstance(item, tuple) else (item, 1)
        groups[plan.due_in, max(1, plan.interval)] += n
    reviews = sum(n * _reviews_before(due, ivl, days) for (due, ivl), n in groups.items())
    if new_per_day > 0 and days > 0:
        # the new cards of day d are first seen on day d, then on d + 1, d + 3.5, ...
        introduced = min(new_left, new_per_day * days)
        full_days, rest = divmod(introduced, new_per_day)
        for d in range(full_days):
            reviews += new_per_day * _reviews_before(d, FIRST_INTERVAL / GROWTH, days)
        if rest:
            reviews += rest * _reviews_before(full_days, FIRST_INTERVAL / GROWTH, days)
    to_clear = math.ceil(new_left / new_per_day) if new_per_day > 0 else None
    if new_left == 0:
        to_clear = 0
    needed = math.ceil(new_left / days) if days > 0 else new_left
    return Countdown(exam_day, days, reviews, new_left, new_per_day, to_clear, needed)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def describe(c: Countdown) -> list[str]:
    """The countdown in two plain sentences, for the report and Home."""
    if c.days_left < 0:
        return [f"Exam {c.exam_day}: {_days(-c.days_left)} ago (change exam_date in settings)."]
    if c.days_left == 0:
        return [f"Exam {c.exam_day}: today. Good luck!"]
    lines = [
        f"Exam {c.exam_day}: {_days(c.days_left)} left; "
        f"about {c.reviews_forecast:,} reviews before it."
    ]
    if c.new_left == 0:
        lines.append("Every new card has been introduced.")
    elif c.days_to_clear is None:
        lines.append(
            f"{c.new_left:,} new cards left and new_per_day is 0: "
            f"{c.needed_per_day} a day would introduce them before the exam."
        )
    elif c.clears:
        lines.append(
            f"{c.new_left:,} new cards left: {c.new_per_day} a day introduces them in "
            f"{_days(c.days_to_clear)}, before the exam."
        )
    else:
        lines.append(
            f"{c.new_left:,} new cards left: {c.new_per_day} a day needs "
            f"{_days(c.days_to_clear)}, past the exam; "
            f"{c.needed_per_day} a day would introduce them in time."
        )
    return lines
