"""Home's countdown to the exam (set with x) and its daily goal and streak (issue 21)."""

from __future__ import annotations

from pathlib import Path

from pearldeck.collection import Collection
from pearldeck.tui.dialogs.exam_date import ExamDateDialog
from pearldeck.tui.screens.home import HomeScreen
from tui_helpers import SIZE, collection, make_app, text_of, tui_env

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
