"""Browse filters a Step 2 CK student asks for, sorting, and a custom study session from them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from textual.widgets import DataTable, Input

from pearldeck.collection import Collection
from pearldeck.model import Pearl, Rating
from pearldeck.store.index import StatusRow
from pearldeck.tui.query import PearlState, parse_query, search
from pearldeck.tui.screens.browse import BrowseScreen
from pearldeck.tui.screens.custom_study import CustomStudyScreen
from pearldeck.tui.screens.home import HomeScreen
from tests.tui_helpers import NOW, SIZE, collection, log_lines, make_app, statuses, tui_env

__all__ = ["collection", "tui_env"]

TODAY = date(2026, 11, 27)


def pearl(
    pid: str, *, source: str | None = None, block: str | None = None, added: str | None = None
) -> Pearl:
    return Pearl(
        id=pid, pathway="acute", text=f"{pid}?", back="yes", source=source, block=block, added=added
    )


def test_source_block_and_added_filters() -> None:
    pearls = [
        pearl("aaaa", source="UWorld 12345", block="k3f9qz", added="2026-11-20"),
        pearl("bbbb", source="AMBOSS", added="2026-10-02"),
        pearl("cccc", added="2026-11-27"),
    ]

    def ids(text: str) -> list[str]:
        return [p.id for p, _ in search(parse_query(text, TODAY), pearls, {}, 0.0)]

    assert ids("source:uworld") == ["aaaa"]
    assert ids("source:UWorld") == ["aaaa"]
    assert ids("block:k3f9qz") == ["aaaa"]
    assert ids("added:2026-11") == ["aaaa", "cccc"]
    assert ids("added:2026-11-20") == ["aaaa"]
    assert ids("added:2026-10-01..2026-11-20") == ["aaaa", "bbbb"]
    assert ids("added:..2026-10-31") == ["bbbb"]
    assert ids("added:7d") == ["cccc"]  # 2026-11-21 to today
    assert ids("added:8d") == ["aaaa", "cccc"]
    assert ids("added:8d sort:added") == ["cccc", "aaaa"]
    assert parse_query("added:soon", TODAY).unknown == ("added:soon",)


def test_weak_means_often_forgotten_or_likely_forgotten_now() -> None:
    assert PearlState(None, False, False, False, lapses=3).weak
    assert PearlState(None, False, False, False, recall=0.7).weak
    assert not PearlState(None, False, False, False, lapses=2, recall=0.95).weak
    assert not PearlState(None, False, True, False, lapses=9).weak  # suspended: not asked


async def test_filter_weak_cards_sort_and_review_them_now(collection: Path) -> None:
    with Collection(collection) as col:
        long_ago = NOW - timedelta(days=60)
        col.rate("hfref1#c1", Rating.GOOD, long_ago, 5.0)
        col.rate("hfref1#c1", Rating.GOOD, long_ago + timedelta(minutes=10), 5.0)
        col.rate("ccb001", Rating.GOOD, NOW - timedelta(hours=2), 5.0)
        col.rate("ccb001", Rating.GOOD, NOW - timedelta(hours=1), 5.0)
    before = len(log_lines(collection))
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        app.screen.query_one("#search", Input).value = "is:weak"
        await pilot.pause()
        table = app.screen.query_one("#pearls", DataTable)
        assert [str(k.value) for k in table.rows] == ["hfref1"]  # 60 days overdue
        app.screen.query_one("#search", Input).value = "p:chronic sort:difficulty"
        await pilot.pause()
        assert table.row_count == 3
        app.screen.query_one("#search", Input).value = "is:weak"
        await pilot.pause()
        table.focus()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, CustomStudyScreen)
        assert app.screen.view is not None and app.screen.view.card_id == "hfref1#c1"
        await pilot.press("space", "1")  # again: it comes back before the session ends
        await pilot.pause()
        assert app.screen.view is not None and app.screen.view.card_id == "hfref1#c1"
        await pilot.press("space", "3")
        await pilot.pause()
        assert app.screen.view is None  # the session is over; nothing else was asked
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    added = log_lines(collection)[before:]
    assert [(e["card"], e["rating"]) for e in added] == [("hfref1#c1", 1), ("hfref1#c1", 3)]
    assert statuses(collection)["hfref1#c1"].lapses == 1  # recorded as ordinary reviews


def test_sort_by_difficulty_lapses_and_due() -> None:
    def row(cid: str, difficulty: float, lapses: int, due: float) -> StatusRow:
        return StatusRow(cid, 2, due, 5.0, difficulty, due - 86400, 4, lapses, None,
                         False, False, None, due - 864000, "")  # fmt: skip

    pearls = [pearl("aaaa"), pearl("bbbb"), pearl("cccc"), pearl("dddd")]
    rows = {
        "aaaa": row("aaaa", 3.0, 0, 300.0),
        "bbbb": row("bbbb", 9.0, 4, 200.0),
        "cccc": row("cccc", 6.0, 1, 100.0),
    }  # dddd is new: no difficulty, no due

    def ids(text: str) -> list[str]:
        return [p.id for p, _ in search(parse_query(text, TODAY), pearls, rows, 0.0)]

    assert ids("sort:difficulty") == ["bbbb", "cccc", "aaaa", "dddd"]
    assert ids("sort:lapses") == ["bbbb", "cccc", "aaaa", "dddd"]
    assert ids("sort:due") == ["cccc", "bbbb", "aaaa", "dddd"]
    assert ids("is:weak") == ["bbbb"]  # 4 lapses
