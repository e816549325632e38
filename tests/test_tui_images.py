"""Formatting and images on the review card: the image widget, the viewer key, a snapshot."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from pearldeck.collection import Collection
from pearldeck.tui.markup_view import render
from pearldeck.tui.screens.review import ReviewScreen
from pearldeck.tui.widgets.card import PearlCard
from pearldeck.tui.widgets.card_image import CardImage
from tests.media_fixtures import jpeg, png
from tests.tui_helpers import NOW, SIZE, make_app, text_of, tui_env

__all__ = ["tui_env"]


@pytest.fixture
def with_images(tmp_path: Path, tui_env: None) -> Path:
    """A question with an image on each side and a cloze whose deletion is formatted."""
    from pearldeck.store.layout import init_collection

    root = tmp_path / "pearls"
    init_collection(root)
    (tmp_path / "strip.png").write_bytes(png(48, 16, seed=5))
    (tmp_path / "answer.jpg").write_bytes(jpeg())
    with Collection(root) as col:
        strip = col.add_media_file(tmp_path / "strip.png")
        answer = col.add_media_file(tmp_path / "answer.jpg")
    (root / "diagnostic.yaml").write_text(
        "- id: strip1\n"
        f'  text: "**Which rhythm?** Lead II:\\n![lead II]({strip})"\n'
        f'  back: "*Atrial flutter*: sawtooth waves in `II, III, aVF`\\n![]({answer})\\n'
        '[LITFL ECG library](https://litfl.com/ecg-library/)"\n'
        "  added: 2026-11-22\n"  # the newest: new cards show newest first
        "- id: table1\n"
        '  text: "| drug | dose |\\n|---|---|\\n| IM epinephrine | {{c1::**0.5 mg**}} |"\n'
        "  added: 2026-11-21\n",
        encoding="utf-8",
    )
    return root


def pictures(app: Any) -> list[CardImage]:
    return list(app.screen.query_one(PearlCard).query(CardImage))


async def test_card_shows_formatting_and_the_image_widget(with_images: Path) -> None:
    app = make_app(with_images)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prompt = app.screen.query_one("#card-prompt", Static).render()
        assert isinstance(prompt, Content)
        assert str(prompt) == "Which rhythm? Lead II:"  # no `**`, no image syntax
        assert any(span.style == "bold" for span in prompt.spans)
        [front] = pictures(app)
        assert front.ref.startswith("media/strip-") and front.alt == "lead II"
        from textual_image.widget import HalfcellImage

        assert len(front.query(HalfcellImage)) == 1  # no graphics protocol here: half-blocks
        await pilot.press("space")
        await pilot.pause()
        assert [p.ref.split("-")[0] for p in pictures(app)] == ["media/strip", "media/answer"]
        answer = text_of(app, "#card-answer")
        assert answer == "Atrial flutter: sawtooth waves in II, III, aVF\nLITFL ECG library"
        await pilot.press("3")
        await pilot.pause()
        # a table, its cloze hidden in a bold cell; then revealed
        assert "IM epinephrine │ [...]" in text_of(app, "#card-prompt")
        assert pictures(app) == []
        await pilot.press("space")
        assert "IM epinephrine │ 0.5 mg" in text_of(app, "#card-prompt")


def fake_viewer(folder: Path, log: Path) -> None:
    folder.mkdir()
    script = folder / "xdg-open"
    script.write_text(f'#!/bin/sh\necho "$1" >> {log}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


async def test_o_opens_the_image_in_the_system_viewer(
    with_images: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "opened.txt"
    fake_viewer(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    app = make_app(with_images)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        for _ in range(200):  # the viewer runs on its own; the app did not wait for it
            if log.exists():
                break
            await pilot.pause(0.02)
        [opened] = log.read_text().split()
        assert Path(opened) == with_images / pictures(app)[0].ref
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        await pilot.press("o")
        await pilot.pause()
        assert any("No image viewer here" in str(n.message) for n in app._notifications)


async def test_o_is_not_offered_on_a_card_without_images(with_images: Path) -> None:
    with Collection(with_images) as col:
        col.suspend("strip1", NOW)
    app = make_app(with_images)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.view is not None and screen.view.card_id == "table1#c1"
        assert app.screen.check_action("open_image", ()) is False


async def test_a_missing_or_broken_image_is_a_line_not_a_crash(with_images: Path) -> None:
    for f in (with_images / "media").iterdir():
        if f.suffix == ".png":
            f.unlink()
        else:
            f.write_bytes(b"\xff\xd8\xff not really a jpeg")
    app = make_app(with_images)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "not found: run `pearls check`" in text_of(app, ".image-problem")
        await pilot.press("space")
        await pilot.pause()
        problems = [str(s.render()) for s in app.screen.query(".image-problem").results(Static)]
        assert any("cannot be shown" in p for p in problems)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(4):
        await pilot.pause()


def test_card_with_image_snapshot(with_images: Path, snap_compare: Any) -> None:
    """The half-block fallback at 80x24: the image fits between the text and the buttons."""
    assert snap_compare(make_app(with_images), terminal_size=(80, 24), run_before=settle)


async def test_add_form_attaches_an_image_by_path(with_images: Path, tmp_path: Path) -> None:
    from textual.widgets import Input

    from pearldeck.tui.screens.add import AddScreen
    from pearldeck.tui.widgets.pearl_form import PearlText

    (tmp_path / "my rash.png").write_bytes(png(20, 20, seed=9))
    (tmp_path / "notes.txt").write_text("not an image")
    app = make_app(with_images, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AddScreen)
        screen.query_one(PearlText).load_text("Target lesions on the palms?")
        screen.query_one("#f-back", Input).value = "Erythema multiforme"
        box = screen.query_one("#add-image", Input)
        box.value = str(tmp_path / "notes.txt")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert any("not an image" in str(n.message) for n in app._notifications)
        assert screen.query_one(PearlText).text == "Target lesions on the palms?"
        box.value = f"'{tmp_path / 'my rash.png'}'"  # as a terminal pastes a dropped file
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        text = screen.query_one(PearlText).text
        ref = text.split("](")[-1].rstrip(")")
        assert text == f"Target lesions on the palms? ![]({ref})"
        assert ref.startswith("media/my-rash-") and (with_images / ref).is_file()
        assert box.value == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
    with Collection(with_images) as col:
        [pearl] = [p for p in col.pearls() if p.back == "Erythema multiforme"]
    assert pearl.text.endswith(f"![]({ref})")


@given(
    st.lists(
        st.sampled_from(
            ["**", "*", "`", "<sub>", "</sub>", "<sup>", "</sup>", "<u>", "</u>", "\n", "- ",
             "  - ", "1. ", "| a | b |", "|---|---|", "[x](https://e.org)", "![y](media/y.png)",
             "{{c1::", "{{c2::", "::hint", "}}", "\\", "word", " ", "\ue000", "\ue001", '"']
        ),
        max_size=14,
    ).map("".join)
)  # fmt: skip
def test_any_markup_renders_on_both_sides(text: str) -> None:
    for cloze, revealed in ((None, False), (1, False), (1, True), (2, True)):
        side = render(text, cloze, revealed)
        assert not {"\ue001", "\ue002"} & set(side.content.plain)  # markers never show
        assert all(src.startswith("media/") for src, _ in side.images)


def test_browse_line_shows_words_not_markup() -> None:
    from pearldeck.model import Pearl
    from pearldeck.tui.text import plain_text

    pearl = Pearl(
        id="x1y2",
        pathway="acute",
        text="**Which** rhythm?\n![lead II](media/a.png) {{c1::flutter}}",
    )
    assert plain_text(pearl) == "Which rhythm? lead II flutter"
    assert plain_text(Pearl(id="x1y3", pathway="acute", text="a {{c1::b}}")) == "a b"


def test_a_dropped_path_is_read_as_the_terminal_pasted_it() -> None:
    from pearldeck.tui.screens.add import typed_path

    assert typed_path("  '/tmp/my scan.png' ") == Path("/tmp/my scan.png")
    assert typed_path('"/tmp/a b.jpg"') == Path("/tmp/a b.jpg")
    assert typed_path("/tmp/my\\ scan.png") == Path("/tmp/my scan.png")
    assert typed_path("~/x.png") == Path.home() / "x.png"
    assert typed_path("   ") is None
