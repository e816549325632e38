"""SVG snapshots at 80x24 with a fixed clock and fixed ids: card front, answer, Home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.tui_helpers import collection, make_app, tui_env

__all__ = ["collection", "tui_env"]

TERMINAL = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    """The review mounts its footer just after the first card paints: wait for it."""
    await pilot.pause()
    await pilot.pause()


def test_card_front(collection: Path, snap_compare: Any) -> None:
    assert snap_compare(make_app(collection), terminal_size=TERMINAL, run_before=settle)


def test_card_answer(collection: Path, snap_compare: Any) -> None:
    assert snap_compare(
        make_app(collection), press=["space"], terminal_size=TERMINAL, run_before=settle
    )


def test_question_answer_card(collection: Path, snap_compare: Any) -> None:
    app = make_app(collection, pathway="chronic", tag="pharmacology")
    assert snap_compare(app, press=["space"], terminal_size=TERMINAL, run_before=settle)


def test_home(collection: Path, snap_compare: Any) -> None:
    assert snap_compare(
        make_app(collection, start="home"), terminal_size=TERMINAL, run_before=settle
    )
