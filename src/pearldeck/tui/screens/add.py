"""Quick capture after a question block: the form stays open and keeps pathway, tags, source."""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from pearldeck.collection import MediaError
from pearldeck.drafts import PearlDraft
from pearldeck.errors import ChangedOnDisk, WriteFailed
from pearldeck.model import PATHWAYS, Pearl, PearlError
from pearldeck.records import Block
from pearldeck.tui.block_entry import block_label
from pearldeck.tui.host import host
from pearldeck.tui.text import prompt_content
from pearldeck.tui.themes import pathway_color
from pearldeck.tui.widgets.pearl_form import FORM_CSS, PearlForm

SHOW_ADDED = 5


class AddScreen(Screen[None]):
    """Each saved pearl is appended to its pathway file exactly as `pearls add` writes it.

    Opened for a block just logged, every pearl saved here gets `block: <id>`, as with
    `pearls add --block <id>`.
    """

    CSS_PATH: ClassVar[list[str | PurePath]] = [Path(__file__).with_name("add.tcss"), FORM_CSS]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+o", "attach", "Attach image"),
    ]

    def __init__(
        self, pathway: str | None = None, block: Block | None = None, *, quit_on_back: bool = False
    ) -> None:
        super().__init__()
        self.quit_on_back = quit_on_back
        """Opened by `pearls add` alone: leaving the form leaves the app."""
        self.start_pathway = pathway if pathway in PATHWAYS else PATHWAYS[0]
        self.block = block
        self.added: list[Pearl] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(
                ("Add pearls", "bold $primary"),
                "  ·  enter or ctrl+s saves and clears the text for the next one",
            ),
            id="add-title",
        )
        if self.block is not None:
            yield Static(
                Content.assemble(
                    "linked to block ",
                    (self.block.id, "bold $accent"),
                    f" ({block_label(self.block)})",
                    ("  ·  each pearl saved here records it", "dim"),
                ),
                id="add-block",
            )
        block_id = self.block.id if self.block else None
        with VerticalScroll(id="add-body"):
            yield PearlForm(
                PearlDraft(pathway=self.start_pathway, text="", block=block_id), id="add-form"
            )
            image = Input(placeholder="path of a file; enter or ctrl+o attaches it", id="add-image")
            image.border_title = "Image (png, jpg, gif, webp, svg)"
            yield image
            yield Static(id="added-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PearlForm).focus_text()

    def on_pearl_form_submitted(self, event: PearlForm.Submitted) -> None:
        event.stop()
        form = event.form
        h = host(self)
        problems = h.col.validate_draft(event.draft)
        if problems:
            form.show_problems(problems)
            return
        try:
            pearls = h.col.add([event.draft], h.now())
        except PearlError as e:
            form.show_problems(e.problems)
            return
        except ChangedOnDisk as e:
            h.col.refresh()
            self.notify(f"{e.path.name} changed on disk; reloaded. Save again.", severity="warning")
            return
        except WriteFailed as e:
            self.notify(str(e), title="Not saved", severity="error", timeout=10)
            return
        for p in pearls:
            self.notify(f"Added {p.id} to {p.file}.")
        self.added = [*pearls, *self.added]
        self._show_added()
        form.clear_for_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "add-image":
            event.stop()
            self.action_attach()

    def action_attach(self) -> None:
        """Copy the file into media/ and link it at the end of the text, as `--image` does."""
        box = self.query_one("#add-image", Input)
        path = typed_path(box.value)
        if path is None:
            self.notify("Type the path of an image first.")
            box.focus()
            return
        try:
            ref = host(self).col.add_media_file(path)
        except MediaError as e:
            self.notify(str(e), title="Not attached", severity="error", timeout=10)
            return
        self.query_one(PearlForm).append_text(f"![]({ref})")
        box.value = ""
        self.notify(f"Attached {ref}.")

    def _show_added(self) -> None:
        parts: list[str | tuple[str, str] | Content] = [
            (f"Added in this session: {len(self.added)}\n", "bold")
        ]
        for p in self.added[:SHOW_ADDED]:
            parts += [("● ", pathway_color(p.pathway)), (f"{p.id}  ", "dim")]
            parts += [prompt_content(p, None), "\n"]
        self.query_one("#added-list", Static).update(Content.assemble(*parts))

    def action_back(self) -> None:
        if not self.query_one(PearlForm).has_typed():
            self._leave()
            return
        from pearldeck.tui.dialogs.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self._leave()

        self.app.push_screen(
            ConfirmDialog(
                "Discard this pearl?", "What you typed is not saved yet.", confirm="Discard"
            ),
            answered,
        )

    def _leave(self) -> None:
        if self.quit_on_back:
            self.app.exit()
        else:
            self.app.pop_screen()


def typed_path(value: str) -> Path | None:
    """A path as typed or dropped into the terminal: quotes and `\\ ` escapes undone."""
    value = value.strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    else:
        value = re.sub(r"\\(.)", r"\1", value)
    return Path(value).expanduser() if value else None
