"""What a new user meets first: the Stats table, the problems screen, the theme (issue 21)."""

from __future__ import annotations

from pathlib import Path

from pearldeck.store.layout import init_collection
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.problems import ProblemsScreen
from pearldeck.tui.screens.stats import stats_table
from pearldeck.tui.themes import DARK, LIGHT
from tests.tui_helpers import SIZE, collection, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]


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


async def test_the_theme_is_remembered_for_the_next_start(collection: Path, tmp_path: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == DARK
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == LIGHT
    config = tmp_path / "xdg-config" / "pearldeck" / "config.toml"
    assert 'theme = "pearldeck-light"' in config.read_text(encoding="utf-8")
    assert not list(collection.rglob("config.toml"))  # not in the collection (git)
    again = make_app(collection, start="home")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == LIGHT
    config.write_text("theme = [broken\n", encoding="utf-8")  # hand-broken: the default
    assert make_app(collection, start="home").theme == DARK
