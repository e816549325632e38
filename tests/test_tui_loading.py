"""A first run on a large collection builds the index behind a loading screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pearldeck.tui import app as app_module
from pearldeck.tui.screens.loading import LoadingScreen
from pearldeck.tui.screens.review import ReviewScreen
from tests.tui_helpers import SIZE, collection, make_app, tui_env

__all__ = ["collection", "tui_env"]


async def test_first_run_shows_loading_then_the_first_card(
    collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "BIG_FIRST_RUN", 0)  # treat the fixture as large
    assert not (collection / ".cache").exists()
    steps: list[str] = []
    show_step = LoadingScreen.show_step

    def record(screen: LoadingScreen, text: str) -> None:
        steps.append(text)
        show_step(screen, text)

    monkeypatch.setattr(LoadingScreen, "show_step", record)
    app = make_app(collection)
    seen_loading = False
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            seen_loading = seen_loading or isinstance(app.screen, LoadingScreen)
            if isinstance(app.screen, ReviewScreen) and app.screen.view is not None:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()
        assert seen_loading
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.view is not None and app.screen.view.card_id == "anaph1#c1"
    assert (collection / ".cache" / "index.sqlite3").exists()
    assert steps[0] == "Reading acute.yaml"  # the loading screen said what the build did
    assert "Working out each card's schedule" in steps
