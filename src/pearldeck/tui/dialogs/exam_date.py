"""Set the exam date Home and the report count down to (kept in settings.toml)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class ExamDateDialog(ModalScreen[str | None]):
    """Dismissed with `YYYY-MM-DD`, with "" to remove the date, or None (escape: no change)."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str | None, today: date) -> None:
        super().__init__()
        self._current = current or ""
        self._today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content("Exam date"), id="dialog-title")
            yield Input(self._current, placeholder="YYYY-MM-DD, e.g. 2027-03-15", id="exam-date")
            yield Static(
                Content("enter saves it in settings.toml · empty removes it · escape cancels"),
                id="exam-status",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.dismiss("")
            return
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self._say(f"{text!r} is not a date: write it as YYYY-MM-DD")
            return
        if day <= self._today:
            self._say(f"{day} is not after today ({self._today}): give the day of the exam")
            return
        self.dismiss(day.isoformat())

    def _say(self, message: str) -> None:
        status = self.query_one("#exam-status", Static)
        status.set_class(True, "-error")
        status.update(Content(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
