"""Broken YAML opens a problems screen, not a traceback; a file changed on disk is kept;
a damaged index is rebuilt under a running review."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from pearldeck.collection import Collection
from pearldeck.tui.dialogs.edit import EditPearlDialog
from pearldeck.tui.screens.home import HomeScreen
from pearldeck.tui.screens.problems import ProblemsScreen
from pearldeck.tui.screens.review import ReviewScreen
from pearldeck.tui.widgets.pearl_form import PearlText
from tests.tui_helpers import ACUTE, SIZE, collection, log_lines, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]

BROKEN = ACUTE + '- id: broken\n  text: "an unclosed quote\n  back: x\n'


async def test_yaml_error_screen_then_reload(collection: Path) -> None:
    acute = collection / "acute.yaml"
    acute.write_text(BROKEN, encoding="utf-8")
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        shown = text_of(app, "#problems-list")
        assert f"{acute}:" in shown
        line = shown.split(f"{acute}:")[1].split(":")[0]
        assert line.isdigit() and int(line) >= 14
        assert "Traceback" not in shown
        await pilot.press("r")  # still broken
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        acute.write_text(ACUTE, encoding="utf-8")  # the user fixes the file
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.view is not None and app.screen.view.card_id == "anaph1#c1"
    assert acute.read_text(encoding="utf-8") == ACUTE


async def test_error_while_open_shows_the_screen(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        (collection / "chronic.yaml").write_text("- id: [oops\n", encoding="utf-8")
        await pilot.press("escape")  # Home re-reads the files on the way back
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "chronic.yaml:2: YAML syntax error" in text_of(app, "#problems-list")
        (collection / "chronic.yaml").write_text("", encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_edit_refused_when_the_file_changed_on_disk(collection: Path) -> None:
    acute = collection / "acute.yaml"
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # someone edits the file in their editor while the app is open
        external = ACUTE.replace("Sabiston", "Sabiston Textbook of Surgery, 21st ed")
        acute.write_text(external, encoding="utf-8")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditPearlDialog)
        mine = "Anaphylaxis: inject {{c1::IM epinephrine}} in the {{c2::anterolateral thigh}}"
        app.screen.query_one(PearlText).load_text(mine)
        await pilot.press("ctrl+s")
        await pilot.pause()
        # refused: the dialog stays open with the user's text; the file keeps the change
        assert isinstance(app.screen, EditPearlDialog)
        assert app.screen.query_one(PearlText).text == mine
        assert acute.read_text(encoding="utf-8") == external
        messages = [n.message for n in app._notifications]
        assert any(
            "acute.yaml changed on disk; reloaded, nothing overwritten" in m for m in messages
        )
        # saving again applies the edit on top of the external change
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        text = acute.read_text(encoding="utf-8")
        assert "Sabiston Textbook of Surgery, 21st ed" in text
        assert mine in text
        assert "inject [...] in the" in text_of(app, "#card-prompt")


async def test_edit_dialog_shows_problems_inline(collection: Path) -> None:
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "e")
        await pilot.pause()
        app.screen.query_one(PearlText).load_text("no deletion left")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditPearlDialog)
        assert "no cloze and no back" in text_of(app, "#f-status")
        app.screen.query_one("#f-back", Input).value = "now it has an answer"
        await pilot.pause()
        assert "question and answer" in text_of(app, "#f-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    assert "no deletion left" not in (collection / "acute.yaml").read_text(encoding="utf-8")


async def test_add_keeps_an_external_change(collection: Path) -> None:
    acute = collection / "acute.yaml"
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        external = ACUTE.replace("Sabiston", "Sabiston, 21st ed")
        acute.write_text(external, encoding="utf-8")
        app.screen.query_one(PearlText).load_text("Tension pneumothorax: {{c1::needle}} first")
        await pilot.press("enter")
        await pilot.pause()
    text = acute.read_text(encoding="utf-8")
    assert text.startswith(external)
    assert "Tension pneumothorax: {{c1::needle}} first" in text


async def test_edit_refused_when_another_process_already_took_in_an_edit(
    collection: Path,
) -> None:
    acute = collection / "acute.yaml"
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditPearlDialog)
        # meanwhile another editor changes this very pearl and another `pearls` process
        # reads it into the shared index, so the file and the index agree again
        external = ACUTE.replace("IM epinephrine", "IM epinephrine 0.5 mg")
        acute.write_text(external, encoding="utf-8")
        with Collection(collection) as other:
            assert "0.5 mg" in (other.pearl("anaph1") or other.pearls()[0]).text
        mine = "Anaphylaxis: inject {{c1::IM epinephrine}} in the {{c2::anterolateral thigh}}"
        app.screen.query_one(PearlText).load_text(mine)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditPearlDialog)  # refused, the text kept
        assert acute.read_text(encoding="utf-8") == external


def damage(index: Path) -> None:
    """Scribble over the index file (and its WAL) as a failing disk or a bad copy would."""
    data = bytearray(index.read_bytes())
    for i in range(100, len(data), 7):
        data[i] = 0x5A
    index.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        side = Path(f"{index}{suffix}")
        if side.exists():
            side.write_bytes(b"\0" * side.stat().st_size)


async def test_a_damaged_index_is_rebuilt_under_a_running_review(collection: Path) -> None:
    app = make_app(collection)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.view is not None
        review: ReviewScreen = screen  # `app.screen is screen` below widens `screen` again
        first = screen.view.card_id
        damage(collection / ".cache" / "index.sqlite3")
        await pilot.press("space", "3")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert [e["card"] for e in log_lines(collection)] == [first]  # recorded once
        assert review.view is not None and review.view.card_id != first
        assert any("rebuilt" in str(n.message) for n in app._notifications)
        await pilot.press("space", "3")
        await pilot.pause()
        assert len(log_lines(collection)) == 2
    with Collection(collection) as col:
        assert col.statuses()[first].reps == 1
