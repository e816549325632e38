"""Log a practice exam from the app, checked as `pearls exam add` checks it (issue 21)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from pearldeck.store import studylog
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.log_exam import LogExamScreen
from pearldeck.tui.screens.report import ReportScreen
from tests.tui_helpers import SIZE, collection, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]


async def test_log_an_exam_from_home_and_see_it_in_the_report(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, LogExamScreen)
        assert app.screen.query_one("#exam-day", Input).value == "2026-11-27"
        await pilot.press(*"NBME 12", "tab", *"338", "enter")
        await pilot.pause()
        assert "scaled score" in text_of(app, "#exam-problem")  # 338 is no Step 2 CK score
        app.screen.query_one("#exam-score", Input).value = "238"
        app.screen.query_one("#exam-day", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "after today" in text_of(app, "#exam-problem")
        app.screen.query_one("#exam-day", Input).value = "yesterday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        [exam] = studylog.read(collection).exams
        assert (exam.name, exam.form, exam.score, exam.date) == (
            "NBME 12",
            "nbme",
            238,
            "2026-11-26",
        )
        # the report logs the next one and shows both
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"Free 120", "tab", *"72%", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert [e.percent for e in studylog.read(collection).exams] == [None, 72.0]


async def test_the_report_screen_starts_with_the_exam_countdown(collection: Path) -> None:
    settings = collection / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "exam_date = 2027-01-26\n")
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert text_of(app, "#report-exam").startswith("Exam 2027-01-26: 60 days left")
