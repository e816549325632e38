"""The Add form keeps typed work: no nested cloze from ctrl+l, ctrl+z undo, esc asks first."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select

from pearldeck.collection import Collection
from pearldeck.tui.app import PearlsApp
from pearldeck.tui.dialogs.confirm import ConfirmDialog
from pearldeck.tui.screens.add import AddScreen
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.widgets.pearl_form import PearlText
from tests.tui_helpers import SIZE, collection, make_app, tui_env

__all__ = ["collection", "tui_env"]


async def open_add(pilot: Pilot[None], app: PearlsApp) -> PearlText:
    """Home, then `a`: the Add screen's text area."""
    await pilot.pause()
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, AddScreen)
    return app.screen.query_one(PearlText)


async def test_ctrl_l_over_a_cloze_is_refused_with_a_notice(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        area = await open_add(pilot, app)
        area.load_text("Angle closure: give a{{c1::cetazolamide}}")
        # select "cetazolamide" plus the letter before it: wrapping would nest a cloze
        area.select_line(0)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert area.text == "Angle closure: give a{{c1::cetazolamide}}"
        assert any("overlaps {{c1::…}}" in n.message for n in app._notifications)
        # the cursor inside a cloze: an empty {{c2::}} would land inside c1
        area.move_cursor((0, 30))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert area.text == "Angle closure: give a{{c1::cetazolamide}}"
        # words outside every cloze still wrap
        area.selection = type(area.selection)((0, 0), (0, 13))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert area.text == "{{c2::Angle closure}}: give a{{c1::cetazolamide}}"


async def test_ctrl_z_undoes_the_wrap_and_the_typing_before_it(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        area = await open_add(pilot, app)
        await pilot.press(*"Give epinephrine")
        area.selection = type(area.selection)((0, 5), (0, 16))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert area.text == "Give {{c1::epinephrine}}"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert area.text == "Give epinephrine"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert area.text == ""
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert area.text == "Give epinephrine"
        assert app.screen.query_one("#f-back", Input).value == ""


async def test_escape_with_typed_text_asks_before_discarding(collection: Path) -> None:
    app = make_app(collection, start="home")
    before = (collection / "acute.yaml").read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        area = await open_add(pilot, app)
        await pilot.press(*"Tension pneumothorax: needle {{c1::decompression}}")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep it: back in the form, the text as typed
        await pilot.pause()
        assert isinstance(app.screen, AddScreen)
        assert area.text.startswith("Tension pneumothorax")
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # an empty form (only the kept tags and source) leaves at once
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#f-tags", Input).value = "pulmonary"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert (collection / "acute.yaml").read_bytes() == before


async def test_pearls_add_alone_opens_the_form_on_the_last_block(collection: Path) -> None:
    from click.testing import CliRunner

    from pearldeck.cli import app as cli

    runner = CliRunner()
    for hour, misses in ((12, "acute=2"), (13, "diagnostic=3,acute=1")):
        env = {"PEARLS_NOW": f"2026-11-27T{hour}:00:00Z"}  # the later one is the last
        args = ["block", "add", "-s", "uworld", "-q", "40", "-c", "30", "-m", "60"]
        result = runner.invoke(cli, ["--dir", str(collection), *args, "--pathway-misses", misses],
                               env=env)  # fmt: skip
        assert result.exit_code == 0, result.output
    last = result.stdout.strip()
    # not a terminal: a usage error, never a hang
    result = runner.invoke(cli, ["--dir", str(collection), "add"])
    assert result.exit_code == 2 and "TEXT" in result.stderr
    app = make_app(collection, start="add")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AddScreen) and app.screen.quit_on_back
        assert app.screen.block is not None and app.screen.block.id == last
        assert app.screen.query_one("#f-pathway", Select).value == "diagnostic"
        # ESC 2019 acute PE guideline: clinical (pretest) probability comes first
        await pilot.press(*"Next step for a stable patient with suspected PE?", "tab")
        await pilot.press(*"Wells score", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running
    with Collection(collection) as col:
        [pearl] = col.pearls("diagnostic")
    assert pearl.block == last and pearl.back == "Wells score"
