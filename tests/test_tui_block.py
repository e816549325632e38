"""Logging a question block in the app, then writing its pearls linked to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Input, Select

from pearldeck.cli import app as cli
from pearldeck.collection import Collection
from pearldeck.tui.screens.add import AddScreen
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.log_block import LogBlockScreen
from pearldeck.tui.widgets.pearl_form import PearlText
from tests.tui_helpers import DEVICE, NOW_ISO, SIZE, collection, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]


def study_lines(root: Path) -> list[dict[str, object]]:
    path = root / "study" / f"{DEVICE}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def fill(screen: LogBlockScreen, **values: str) -> None:
    """Set inputs by id suffix: questions, miss-knowledge, pw-acute, date, ..."""
    for key, value in values.items():
        screen.query_one(f"#b-{key.replace('_', '-')}", Input).value = value


def pearl_shape(yaml_text: str, pearl_id: str) -> list[str]:
    """One pearl's lines in its file, with the id and text values blanked."""
    chunk = yaml_text.split(f"- id: {pearl_id}\n", 1)[1].split("\n- id: ", 1)[0]
    return [re.sub(r"^(  text: ).*", r"\1…", line) for line in chunk.rstrip("\n").split("\n")]


async def test_log_a_block_then_its_pearls_carry_the_block(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LogBlockScreen)
        # questions has the focus: type the score the way a student would
        await pilot.press("4", "0", "tab", "2", "9", "tab", "6", "2")
        screen.query_one("#b-source", Select).value = "uworld"
        fill(screen, miss_knowledge="6", miss_misread="3", miss_rushing="1", miss_fatigue="1")
        fill(screen, pw_acute="2", pw_diagnostic="5", pw_chronic="1")
        await pilot.pause()
        assert "72% · 11 missed · 93 s/q" in text_of(app, "#b-summary")
        assert "11 of the 11 misses" in text_of(app, "#b-causes-head")
        await pilot.press("ctrl+s")
        await pilot.pause()

        [line] = study_lines(collection)
        block_id = str(line["id"])
        assert line == {
            "v": 1,
            "kind": "block",
            "id": block_id,
            "date": "2026-11-27",
            "time": "2026-11-27T14:00:00.000000Z",
            "source": "uworld",
            "mode": "timed",
            "questions": 40,
            "correct": 29,
            "minutes": 62,
            "misses": {"knowledge": 6, "misread": 3, "rushing": 1, "fatigue": 1},
            "pathway_misses": {"acute": 2, "chronic": 1, "diagnostic": 5},
        }
        # straight into Add, on the pathway missed most, linked to the block
        add = app.screen
        assert isinstance(add, AddScreen)
        assert f"linked to block {block_id} (UWorld, 29/40)" in text_of(app, "#add-block")
        assert add.query_one("#f-pathway", Select).value == "diagnostic"
        add.query_one(PearlText).load_text(
            "Suspected pheochromocytoma: first test is {{c1::plasma free metanephrines}}"
        )
        add.query_one("#f-source", Input).value = "UWorld 1234"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Added in this session: 1" in text_of(app, "#added-list")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    with Collection(collection) as col:
        [tui_pearl] = [p for p in col.pearls() if p.block]
    assert tui_pearl.block == block_id and tui_pearl.pathway == "diagnostic"
    written = (collection / "diagnostic.yaml").read_text(encoding="utf-8")
    assert f"  block: {block_id}\n" in written

    # the same lines, in the same order, as `pearls add --block` writes
    text = "Cushing screen: {{c1::late-night salivary cortisol}}"
    args = ["--dir", str(collection), "add", text, "-p", "diagnostic", "-s", "UWorld 1234"]
    result = CliRunner().invoke(
        cli,
        [*args, "--block", block_id],
        env={"PEARLS_NOW": NOW_ISO},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    written = (collection / "diagnostic.yaml").read_text(encoding="utf-8")
    assert pearl_shape(written, tui_pearl.id) == pearl_shape(written, result.output.strip())


async def test_invalid_block_is_refused_inline_and_nothing_is_written(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LogBlockScreen)
        fill(screen, questions="40", correct="41", minutes="62", date="2026-12-01")
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = text_of(app, "#b-status")
        assert "correct (41) must be from 0 to questions (40)" in status
        assert "date 2026-12-01: that is after today (2026-11-27)" in status
        assert screen.query_one("#b-correct", Input).has_class("-invalid")
        assert isinstance(app.screen, LogBlockScreen)
        assert study_lines(collection) == []

        # fixing one thing re-checks as you type; the cause counts are held to the misses
        fill(screen, correct="29", date="yesterday", miss_knowledge="9", miss_misread="3")
        await pilot.pause()
        status = text_of(app, "#b-status")
        assert "misses add up to 12, more than the 11 questions missed" in status
        assert "correct" not in status and "date" not in status
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LogBlockScreen)
        assert study_lines(collection) == []

        # empty needed fields are named when you try to save
        fill(screen, questions="", miss_knowledge="", miss_misread="")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "questions: enter a number" in text_of(app, "#b-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert study_lines(collection) == []
    assert not (collection / "study").exists() or not any((collection / "study").iterdir())


async def test_palette_offers_log_block_and_report(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Log block", "Study report"} <= titles
