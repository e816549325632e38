"""Local study days: the day a moment belongs to, given the hour a new day starts."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta


def study_day(moment: datetime, day_starts_at: int) -> date:
    """The local study day of a UTC moment (before `day_starts_at` counts as yesterday)."""
    local = datetime.fromtimestamp(moment.timestamp())  # honours TZ and its DST rules
    return (local - timedelta(hours=day_starts_at)).date()


def day_start(day: date, day_starts_at: int) -> datetime:
    """The UTC moment study day `day` begins.

    In a DST gap the hour does not exist locally; mktime moves it forward, which
    is what a student's clock shows.
    """
    stamp = time.mktime((day.year, day.month, day.day, day_starts_at, 0, 0, 0, 0, -1))
    moment = datetime.fromtimestamp(stamp, UTC)
    # mktime may land an hour off around a transition; step until the day matches
    for _ in range(3):
        got = study_day(moment, day_starts_at)
        if got < day:
            moment += timedelta(hours=1)
        elif study_day(moment - timedelta(seconds=1), day_starts_at) == day:
            moment -= timedelta(hours=1)
        else:
            break
    return moment


def day_end(day: date, day_starts_at: int) -> datetime:
    """The first UTC moment of the next study day."""
    return day_start(day + timedelta(days=1), day_starts_at)


def days_elapsed(since: datetime, now: datetime, day_starts_at: int) -> int:
    """Days FSRS sees between a review at `since` and one at `now`, as Anki counts them:
    whole 24-hour periods from `since` (to the second) to the end of `now`'s study day.

    This is the number of study days between them, except that across a DST change a
    review within an hour of the day start can count one day more or less (Anki's rule).
    """
    end = int(day_end(study_day(now, day_starts_at), day_starts_at).timestamp())
    return max(0, (end - int(since.timestamp() // 1)) // 86400)


def zone_key() -> str:
    """The local time zone, as far as study days go: changes when TZ (or the system's) does."""
    return f"{time.tzname[0]}/{time.tzname[1]}/{time.timezone}/{time.altzone}"


def parse_now(value: str) -> datetime:
    """Read `PEARLS_NOW`: ISO 8601, naive means local time; returns UTC."""
    text = value.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local
    return moment.astimezone(UTC)


def format_interval(seconds: float) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 1.5mo, 2.1y."""
    if seconds < 60:
        return f"{max(0, round(seconds))}s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        months = days / 30.4375
        return f"{months:.1f}mo".replace(".0mo", "mo")
    years = days / 365.25
    return f"{years:.1f}y".replace(".0y", "y")
