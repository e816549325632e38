"""Adding pearls without leaving the app, and browsing: search, edit, suspend, delete."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import DataTable, Input, Select

from pearldeck.cli import app as cli
from pearldeck.collection import Collection
from pearldeck.store.layout import init_collection
from pearldeck.tui.dialogs.confirm import ConfirmDialog
from pearldeck.tui.dialogs.edit import EditPearlDialog
from pearldeck.tui.screens.add import AddScreen
from pearldeck.tui.screens.browse import BrowseScreen
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.widgets.pearl_form import PearlText
from tests.tui_helpers import (
    NOW_ISO,
    SIZE,
    collection,
    make_app,
    statuses,
    text_of,
    tui_env,
)

__all__ = ["collection", "tui_env"]

CLOZE = "Stable PE with high pretest probability: go straight to {{c1::CT pulmonary angiography}}"


async def test_add_two_pearls_in_a_row(collection: Path, tmp_path: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddScreen)
        screen = app.screen
        screen.query_one("#f-pathway", Select).value = "diagnostic"
        screen.query_one(PearlText).load_text(CLOZE)
        screen.query_one("#f-tags", Input).value = "pulmonary, pe"
        screen.query_one("#f-source", Input).value = "UWorld 4321"
        await pilot.pause()
        assert "cloze · 1 card (c1)" in text_of(app, "#f-status")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # the form stays open for the next pearl: text cleared, the rest kept
        assert isinstance(app.screen, AddScreen)
        assert screen.query_one(PearlText).text == ""
        assert screen.query_one("#f-tags", Input).value == "pulmonary, pe"
        assert screen.query_one("#f-source", Input).value == "UWorld 4321"
        assert screen.query_one("#f-pathway", Select).value == "diagnostic"

        # a pearl with neither cloze nor answer is refused inline
        await pilot.press(*"SnNOut?", "enter")
        await pilot.pause()
        assert "no cloze and no back" in text_of(app, "#f-status")
        await pilot.click("#f-back")
        screen.query_one("#f-back", Input).value = "A sensitive test, when negative, rules out"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(PearlText).text == ""
        assert "Added in this session: 2" in text_of(app, "#added-list")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    written = (collection / "diagnostic.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^- id: (\w+)$", written, re.M)
    assert len(ids) == 2
    with Collection(collection) as col:
        first, second = (col.pearl(i) for i in ids)
    assert first is not None and second is not None
    assert first.text == CLOZE and first.tags == ("pulmonary", "pe") and first.back is None
    assert second.text == "SnNOut?" and second.source == "UWorld 4321"
    assert second.back == "A sensitive test, when negative, rules out"

    # byte for byte what `pearls add` writes, apart from the random id
    other = tmp_path / "cli"
    init_collection(other)
    result = CliRunner().invoke(
        cli,
        [
            "--dir",
            str(other),
            "add",
            CLOZE,
            "-p",
            "diagnostic",
            "-t",
            "pulmonary,pe",
            "-s",
            "UWorld 4321",
        ],
        env={"PEARLS_NOW": NOW_ISO},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    cli_text = (other / "diagnostic.yaml").read_text(encoding="utf-8")
    cli_id = result.output.strip()
    mine = written.split(f"- id: {ids[1]}")[0]
    assert mine.replace(ids[0], "ID") == cli_text.replace(cli_id, "ID")


async def test_browse_search_suspend_edit_delete(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        table = screen.query_one("#pearls", DataTable)
        assert table.row_count == 5

        await pilot.press("slash", *"#cardiology")
        await pilot.pause()
        assert table.row_count == 2
        await pilot.press("enter")  # back to the table
        assert table.has_focus
        assert "HFrEF" in text_of(app, "#detail")

        # suspend every card of the highlighted pearl
        await pilot.press("s")
        await pilot.pause()
        assert statuses(collection)["hfref1#c1"].suspended
        screen.query_one("#search", Input).value = "is:suspended"
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("s")  # and back
        await pilot.pause()
        assert not statuses(collection)["hfref1#c1"].suspended
        assert table.row_count == 0

        # edit from the table
        screen.query_one("#search", Input).value = "p:acute adhesions"
        await pilot.pause()
        assert table.row_count == 1
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditPearlDialog)
        dialog.query_one("#f-back", Input).value = "Adhesions (prior surgery)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "back: Adhesions (prior surgery)" in (collection / "acute.yaml").read_text()

        # delete, after confirming
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert "sbo001" in (collection / "acute.yaml").read_text()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        text = (collection / "acute.yaml").read_text()
        assert "sbo001" not in text and "anaph1" in text
        assert table.row_count == 0
        screen.query_one("#search", Input).value = ""
        await pilot.pause()
        assert table.row_count == 4


async def test_browse_suspend_that_fails_says_so_and_not_suspended(collection: Path) -> None:
    """When the review log cannot take the suspend, the error shows and no 'Suspended'."""
    log = collection / "reviews" / "tui-test.jsonl"
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowseScreen)
        # once the app is open the log path becomes a folder: the append fails with a real
        # OS error (a folder there at start is a problem the app reports before Browse)
        log.unlink(missing_ok=True)
        log.mkdir()
        await pilot.press("s")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("cannot write" in m for m in messages), messages
        assert not any(m.startswith(("Suspended", "Unsuspended")) for m in messages), messages
    assert not any(s.suspended for s in statuses(collection).values())
