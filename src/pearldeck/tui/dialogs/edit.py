"""Edit one pearl in a modal form; refuses to overwrite a file changed on disk."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from pearldeck.drafts import PearlDraft
from pearldeck.errors import ChangedOnDisk, WriteFailed
from pearldeck.model import Pearl, PearlError
from pearldeck.tui.host import host
from pearldeck.tui.widgets.pearl_form import FORM_CSS, PearlForm


def draft_of(pearl: Pearl) -> PearlDraft:
    return PearlDraft(
        pathway=pearl.pathway,
        text=pearl.text,
        back=pearl.back,
        tags=pearl.tags,
        source=pearl.source,
        added=pearl.added,
        block=pearl.block,
    )


class EditPearlDialog(ModalScreen[Pearl | None]):
    """Dismissed with the saved pearl, or None when cancelled."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [Path(__file__).with_name("dialogs.tcss"), FORM_CSS]

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, pearl: Pearl) -> None:
        super().__init__()
        self.pearl = pearl

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="edit-dialog"):
            yield Label(
                Content(f"Edit pearl {self.pearl.id} · {self.pearl.file}"), id="dialog-title"
            )
            yield PearlForm(draft_of(self.pearl), lock_pathway=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save  ctrl+s", id="save", variant="primary")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one(PearlForm).focus_text()

    def on_pearl_form_submitted(self, event: PearlForm.Submitted) -> None:
        event.stop()
        self.save(event.draft)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.save(self.query_one(PearlForm).draft())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def save(self, draft: PearlDraft) -> None:
        col = host(self).col
        try:
            saved = col.replace_pearl(self.pearl.id, draft, based_on=self.pearl)
        except ChangedOnDisk:
            col.refresh()
            # from now on the edit knowingly replaces the version now on disk
            self.pearl = col.pearl(self.pearl.id) or self.pearl
            self.notify(
                f"{self.pearl.file} changed on disk; reloaded, nothing overwritten. "
                "Your edit is still here: save again to apply it.",
                title="Not saved",
                severity="warning",
                timeout=10,
            )
            return
        except PearlError as e:
            self.query_one(PearlForm).show_problems(e.problems)
            return
        except WriteFailed as e:
            self.notify(str(e), title="Not saved", severity="error", timeout=10)
            return
        self.dismiss(saved)
