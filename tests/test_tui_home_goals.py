"""Home's countdown to the exam (set with x) and its daily goal and streak (issue 21)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pearldeck.collection import Collection
from pearldeck.habit import Habit, habit
from pearldeck.model import Rating
from pearldeck.tui.dialogs.exam_date import ExamDateDialog
from pearldeck.tui.screens.home import HomeScreen, goal_content
from tests.tui_helpers import NOW, SIZE, collection, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]


async def test_set_the_exam_date_from_home(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "sets your exam date" in text_of(app, "#home-exam")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamDateDialog)
        await pilot.press(*"next March", "enter")
        await pilot.pause()
        assert "not a date" in text_of(app, "#exam-status")
        await pilot.press(*["backspace"] * 10, *"2026-11-01", "enter")
        await pilot.pause()
        assert "not after today" in text_of(app, "#exam-status")
        await pilot.press(*["backspace"] * 10, *"2027-01-26", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        shown = text_of(app, "#home-exam")
        assert "Exam 2027-01-26: 60 days left" in shown
        assert "6 new cards left: 20 a day introduces them in 1 day," in shown
    assert "exam_date = 2027-01-26" in (collection / "settings.toml").read_text(encoding="utf-8")
    with Collection(collection) as col:
        assert col.settings.exam_date == "2027-01-26"


def test_streak_counts_study_days_in_a_row() -> None:
    today = date(2026, 11, 27)
    minutes = [
        ("2026-11-27T09:00", 3),  # today
        ("2026-11-26T23:59", 1),  # yesterday
        ("2026-11-26T03:00", 2),  # before 4 am: the 25th's study day
        ("2026-11-23T10:00", 5),  # a gap on the 24th ends the streak
    ]
    h = habit(minutes, today, 4)
    assert (h.done_today, h.streak) == (3, 3)
    assert h.goal(left=7) == 10
    # nothing yet today: the streak is still alive, counted up to yesterday
    assert habit(minutes[1:], today, 4) == Habit(0, 2)
    assert habit([], today, 4) == Habit(0, 0)


def test_goal_line_reads_as_a_student_expects() -> None:
    assert str(goal_content(Habit(12, 5), 18)).startswith("Today 12 of 30 reviews ━")
    assert str(goal_content(Habit(12, 5), 18)).endswith("5 days in a row")
    assert "all 30 reviews done ✓" in str(goal_content(Habit(30, 1), 0))
    assert str(goal_content(Habit(0, 4), 10)).endswith("4 days in a row: review to keep it")
    assert str(goal_content(Habit(0, 0), 0)) == "Today nothing due  ·  no streak yet"


async def test_home_counts_reviews_done_today_and_the_streak(collection: Path) -> None:
    with Collection(collection) as col:
        for day, card in ((25, "hfref1#c1"), (26, "ccb001"), (27, "anaph1#c1")):
            col.rate(card, Rating.GOOD, NOW.replace(day=day), 5.0)
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = text_of(app, "#home-goal")
        assert shown.startswith("Today 1 of ")
        assert shown.endswith("3 days in a row")


def test_a_streak_longer_than_a_month_is_read_back_in_full(collection: Path) -> None:
    with Collection(collection) as col:
        for back in range(40, 0, -1):  # one review a day for 40 days, none today yet
            col.rate("metf01#c1", Rating.GOOD, NOW - timedelta(days=back), 5.0)
        yesterday = NOW - timedelta(days=1)
        col.undo(yesterday + timedelta(minutes=1))  # yesterday's review taken back: a gap
        assert col.habit(NOW) == Habit(0, 0)
        col.rate("metf01#c1", Rating.GOOD, yesterday + timedelta(minutes=2), 5.0)
        assert col.habit(NOW) == Habit(0, 40)
        col.rate("metf01#c1", Rating.GOOD, NOW, 5.0)
        assert col.habit(NOW) == Habit(1, 41)
