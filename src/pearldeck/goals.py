"""The goals a student sets and keeps, read from the index and the study log: the exam
countdown, today's goal and the streak, practice exams logged from the app."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from pearldeck import records
from pearldeck import scheduler as sched
from pearldeck.countdown import CardPlan, Countdown, countdown
from pearldeck.habit import HABIT_DAYS, Habit, habit
from pearldeck.store import studylog
from pearldeck.store.index import Index
from pearldeck.store.settings import Settings
from pearldeck.studyday import day_start, study_day


def exam_countdown(index: Index, settings: Settings, now: datetime) -> Countdown | None:
    """Days to `exam_date`, the reviews forecast before it, the new-card pace; or None."""
    if settings.exam_date is None:
        return None
    today = study_day(now, settings.day_starts_at)
    # whole days from today's start: a DST hour either way changes no forecast
    start = day_start(today, settings.day_starts_at).timestamp()
    groups, new_left = index.schedule_groups(start)
    plans = [(CardPlan(due_in, interval), n) for due_in, interval, n in groups]
    exam = date.fromisoformat(settings.exam_date)
    return countdown(today, exam, plans, new_left, settings.new_per_day)


def daily_habit(index: Index, settings: Settings, now: datetime) -> Habit:
    """Reviews done today and the streak, reading back only as far as the streak goes."""
    today = study_day(now, settings.day_starts_at)
    window = 32
    while True:  # most days, a month of history is all it reads
        start = day_start(today - timedelta(days=window), settings.day_starts_at)
        times = index.recent_review_times(sched.iso(start))
        found = habit(Counter(t[:16] for t in times).items(), today, settings.day_starts_at)
        if found.streak < window - 1 or window > HABIT_DAYS:
            return found
        window *= 4


def last_block(root: Path) -> studylog.Block | None:
    """The question block logged last (by its day, then time), if any."""
    blocks = studylog.read(root).blocks
    return blocks[-1] if blocks else None


def log_exam(
    root: Path, device: str, today: date, name: str, score: str, day: str | None, now: datetime
) -> studylog.Exam:
    """Append a practice-exam result as `pearls exam add` does; ValueError says what is
    wrong, in the words of that command's checks."""
    name, scaled, percent = records.exam_result(name, score)
    log = studylog.read(root)
    stamp = records.stamp(log, records.parse_day(day, today), now, device)
    exam = records.new_exam(stamp, name, scaled, percent)
    studylog.append(root, device, exam)  # checks it with the log's own rules
    return exam
