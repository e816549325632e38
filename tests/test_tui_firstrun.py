"""What a new user meets first: the Stats table, the problems screen, the theme (issue 21)."""

from __future__ import annotations

from pathlib import Path

from pearldeck.store.layout import init_collection
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.problems import ProblemsScreen
from pearldeck.tui.screens.stats import stats_table
from tui_helpers import SIZE, make_app, text_of, tui_env

__all__ = ["tui_env"]


def _numbers(reviews_today: int, reviews_total: int) -> dict[str, object]:
    cards = {"new": 3, "learning": 0, "relearning": 0, "review": 120000, "suspended": 0}
    return {
        "reviews_today": reviews_today,
        "reviews_total": reviews_total,
        "true_retention": {"7d": 0.9, "30d": None},
        "cards": {**cards, "leech": 0},
        "again_today": 0,
        "minutes_today": 0,
    }


def test_stats_columns_never_run_together_past_100k() -> None:
    s = {
        "pathways": {"acute": _numbers(0, 100000), "chronic": _numbers(12, 2500000)},
        "total": _numbers(12, 2600000),
    }
    lines = str(stats_table(s)).splitlines()
    head = lines[0].split()
    assert head[:3] == ["pathway", "today", "total"]
    acute = lines[1].split()
    assert acute[1:4] == ["acute", "0", "100000"]
    assert lines[2].split()[1:4] == ["chronic", "12", "2500000"]
    assert lines[3].split()[:3] == ["total", "12", "2600000"]
    # the numbers stay under their headings: right-aligned to the same column
    assert {len(line) for line in lines[:4]} == {len(lines[0])}


async def test_no_collection_says_to_run_pearls_init(tmp_path: Path, tui_env: None) -> None:
    missing = tmp_path / "pearls"
    app = make_app(missing, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        title = text_of(app, "#problems-title")
        assert "need fixing" not in title
        assert f"No collection at {missing}" in title
        assert f"pearls init {missing}" in title
        init_collection(missing)  # the user runs it in another terminal
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
