"""The review driven like a user: reveal, rate by button and key, undo, suspend, bury, edit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pearldeck.scheduler import LEARNING, REVIEW
from pearldeck.tui.app import PearlsApp
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.review import ReviewScreen
from pearldeck.tui.screens.stats import StatsScreen
from pearldeck.tui.themes import DARK, LIGHT
from pearldeck.tui.widgets.pearl_form import PearlText
from tests.tui_helpers import NOW, SIZE, collection, log_lines, make_app, statuses, text_of, tui_env

__all__ = ["collection", "tui_env"]


def current_card(app: PearlsApp) -> str | None:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen.view.card_id if screen.view else None


async def test_full_review(collection: Path) -> None:
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # the first due card, front side: the asked cloze hidden
        assert current_card(app) == "anaph1#c1"
        assert "[...]" in text_of(app, "#card-prompt")
        assert "IM epinephrine" not in text_of(app, "#card-prompt")
        assert "New 6" in text_of(app, "#progress")
        await pilot.press("1")  # rating before the answer shows does nothing
        assert log_lines(collection) == []

        # reveal; each button shows its next interval; click Again
        await pilot.press("space")
        assert "IM epinephrine" in text_of(app, "#card-prompt")
        assert "#allergy" in text_of(app, "#card-meta")
        assert "WAO anaphylaxis guidance 2020" in text_of(app, "#card-meta")
        assert "Again  1m" in str(app.screen.query_one("#rate-again").render())
        await pilot.click("#rate-again")
        await pilot.pause()
        assert [e["rating"] for e in log_lines(collection)] == [1]  # on disk before the next card
        # anaph1#c2 is a new sibling of a card studied today: it waits until tomorrow
        assert current_card(app) == "sbo001"
        await pilot.press("space")
        assert "Adhesions" in text_of(app, "#card-answer")
        assert "Most common cause" in text_of(app, "#card-prompt")
        await pilot.click("#rate-hard")
        await pilot.pause()
        assert current_card(app) == "hfref1#c1"
        await pilot.press("enter")
        await pilot.click("#rate-good")
        await pilot.pause()
        assert current_card(app) == "ccb001"
        await pilot.press("space")
        await pilot.click("#rate-easy")
        await pilot.pause()
        assert [e["rating"] for e in log_lines(collection)] == [1, 2, 3, 4]
        assert current_card(app) == "metf01#c1"

        # undo takes back Easy and shows that card again, front side
        await pilot.press("u")
        assert current_card(app) == "ccb001"
        assert "calcium channel" in text_of(app, "#card-prompt").lower()
        await pilot.press("space", "4")  # Easy again, by key
        assert current_card(app) == "metf01#c1"

        await pilot.press("s")  # suspend metf01#c1: nothing else is due now
        assert current_card(app) is None
        assert "Done for now" in text_of(app, "#summary")
        assert "4 cards" in text_of(app, "#summary")  # the undone Easy does not count
        await pilot.press("u")  # unsuspended by undo
        assert current_card(app) == "metf01#c1"
        await pilot.press("b")  # bury until tomorrow
        assert current_card(app) is None

        # bring the buried card back with undo, then edit it in the app
        await pilot.press("u")
        assert current_card(app) == "metf01#c1"
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(PearlText).load_text("Metformin: avoid at eGFR {{c1::< 30}}")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "Metformin: avoid at eGFR [...]" in text_of(app, "#card-prompt")
        assert "Metformin: avoid at eGFR {{c1::< 30}}" in (collection / "chronic.yaml").read_text()

        await pilot.press("q")
    assert app.return_code == 0 or app.return_code is None

    events = log_lines(collection)
    assert [(e["kind"], e["card"], e.get("rating")) for e in events] == [
        ("review", "anaph1#c1", 1),
        ("review", "sbo001", 2),
        ("review", "hfref1#c1", 3),
        ("review", "ccb001", 4),
        ("undo", "ccb001", None),
        ("review", "ccb001", 4),
        ("suspend", "metf01#c1", None),
        ("undo", "metf01#c1", None),
        ("bury", "metf01#c1", None),
        ("undo", "metf01#c1", None),
    ]
    assert events[4]["target"] == events[3]["id"]
    st = statuses(collection)
    assert st["anaph1#c1"].state == LEARNING
    assert st["anaph1#c1"].due == (NOW + timedelta(minutes=1)).timestamp()
    assert st["ccb001"].state == REVIEW and st["ccb001"].reps == 1
    assert st["hfref1#c1"].state == LEARNING
    assert "anaph1#c2" not in st
    assert not st["metf01#c1"].suspended
    assert st["metf01#c1"].buried_day is None
    assert "metf01#c1" not in st or st["metf01#c1"].reps == 0


async def test_summary_says_when_learning_cards_return(collection: Path) -> None:
    app = make_app(collection, pathway="acute")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Acute care" in text_of(app, "#progress")
        for _ in range(2):  # anaph1#c1, sbo001 (anaph1#c2 waits: a sibling): back in 10 min
            await pilot.press("space", "3")
        assert current_card(app) is None
        summary = text_of(app, "#summary")
        assert "2 cards" in summary
        assert "Acute care" in summary and "0 / 2" in summary
        assert "2 learning cards come back later today; the next at 14:10 (in 10 min)" in summary
        await pilot.press("r")  # study ahead
        assert current_card(app) == "anaph1#c1"
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert len(log_lines(collection)) == 2


async def test_tag_review_and_home_navigation(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("t")
        await pilot.press(*"cardiology", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.tag == "cardiology"
        assert current_card(app) == "hfref1#c1"
        assert "#cardiology" in text_of(app, "#progress")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("down", "down", "enter")  # the chronic row
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.pathway == "chronic"


async def test_theme_toggle_and_palette_commands(collection: Path) -> None:
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == DARK
        await pilot.press("ctrl+t")
        assert app.theme == LIGHT
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Review all", "Review acute care", "Add pearls", "Browse pearls", "Stats"):
            assert title in titles
        assert "Toggle light/dark theme" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"stats")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        assert "acute" in text_of(app, "#stats-table")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
