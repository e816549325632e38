"""The daily habit on Home: reviews done today against today's due, and days in a row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pearldeck.studyday import study_day

HABIT_DAYS = 400
"""How far back a streak is counted; a longer one shows as this many days."""


@dataclass(frozen=True, slots=True)
class Habit:
    """Today's progress and the streak, as Home shows them."""

    done_today: int
    """Reviews answered today (undone ones excluded)."""
    streak: int
    """Study days in a row with at least one review, up to today; while today has none
    yet, up to yesterday (the streak is alive until today ends)."""

    def goal(self, left: int) -> int:
        """Today's goal: what was done plus what is still due."""
        return self.done_today + left


def habit(per_minute: Iterable[tuple[str, int]], today: date, day_starts_at: int) -> Habit:
    """From review counts per UTC minute (`2026-11-27T14:05`), each placed on its study day."""
    days: Counter[date] = Counter()
    for minute, n in per_minute:
        moment = datetime.fromisoformat(minute).replace(tzinfo=UTC)
        days[study_day(moment, day_starts_at)] += n
    done = days.get(today, 0)
    day = today if done else today - timedelta(days=1)
    streak = 0
    while days.get(day) and streak < HABIT_DAYS:
        streak += 1
        day -= timedelta(days=1)
    return Habit(done, streak)
