"""Choose a logged block or exam to delete, newest first."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option


class PickRecordDialog(ModalScreen[str | None]):
    """Dismissed with the chosen option's key (`kind:id`), or None to keep everything."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Keep all")]

    def __init__(self, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self._options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="pick-dialog"):
            yield Label("Delete a mistaken block or exam", id="dialog-title")
            yield OptionList(*(Option(label, id=key) for key, label in self._options))
            yield Static(
                Content.styled("enter: choose (you confirm next) · esc: keep all", "dim"),
                id="pick-hint",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
