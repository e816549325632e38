"""The answer buttons: `Show answer`, then Again / Hard / Good / Easy with their intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from pearldeck.model import Rating

ButtonVariant = Literal["default", "primary", "success", "warning", "error"]

VARIANTS: dict[Rating, ButtonVariant] = {
    Rating.AGAIN: "error",
    Rating.HARD: "warning",
    Rating.GOOD: "success",
    Rating.EASY: "primary",
}


class KeyButton(Static, can_focus=False):
    """A button for keys and clicks that never takes focus, so keys stay with the screen.

    Drawn like Textual's default Button, whose stylesheet alone costs the first card
    ~8 ms to parse; this one carries only the variants the answer bar uses.
    """

    DEFAULT_CSS = """
    KeyButton {
        width: auto;
        min-width: 16;
        height: 3;
        padding: 0 1;
        content-align: center middle;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border-top: tall $surface-lighten-1;
        border-bottom: tall $surface-darken-1;
        pointer: pointer;
        &:hover { border-top: tall $surface; background: $surface-darken-1; }
        &.-primary, &.-success, &.-warning, &.-error { color: $button-color-foreground; }
        &.-primary {
            background: $primary;
            border-top: tall $primary-lighten-3;
            border-bottom: tall $primary-darken-3;
            &:hover { background: $primary-darken-2; border-top: tall $primary; }
        }
        &.-success {
            background: $success;
            border-top: tall $success-lighten-2;
            border-bottom: tall $success-darken-3;
            &:hover { background: $success-darken-2; border-top: tall $success; }
        }
        &.-warning {
            background: $warning;
            border-top: tall $warning-lighten-2;
            border-bottom: tall $warning-darken-3;
            &:hover { background: $warning-darken-2; border-top: tall $warning; }
        }
        &.-error {
            background: $error;
            border-top: tall $error-lighten-2;
            border-bottom: tall $error-darken-3;
            &:hover { background: $error-darken-1; border-top: tall $error; }
        }
    }
    """

    @dataclass
    class Pressed(Message):
        """The button was clicked."""

        button: KeyButton

    def __init__(
        self,
        label: str | Content,
        *,
        id: str | None = None,
        classes: str | None = None,
        variant: ButtonVariant = "default",
    ) -> None:
        super().__init__(label, id=id, classes=classes)
        self.variant = variant

    @property
    def variant(self) -> ButtonVariant:
        return self._variant

    @variant.setter
    def variant(self, value: ButtonVariant) -> None:
        self._variant = value
        for v in ("primary", "success", "warning", "error"):
            self.set_class(v == value, f"-{v}")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self))


class RatingBar(Horizontal):
    """Posts Reveal or Rate when a button is clicked."""

    class Reveal(Message):
        """The user asked to see the answer."""

    @dataclass
    class Rate(Message):
        """The user chose a rating."""

        rating: Rating

    def compose(self) -> ComposeResult:
        yield KeyButton(
            Content.assemble("Show answer  ", ("space", "dim")), id="reveal", variant="default"
        )
        for r in Rating:
            yield KeyButton(r.label.title(), id=f"rate-{r.label}", classes="rate")

    def show_front(self) -> None:
        self.set_class(False, "-revealed")

    def show_back(self, intervals: dict[Rating, str]) -> None:
        for r in Rating:
            button = self.query_one(f"#rate-{r.label}", KeyButton)
            button.variant = VARIANTS[r]
            button.update(
                Content.assemble(
                    (f"{int(r)} ", "dim"), (r.label.title(), "bold"), f"  {intervals.get(r, '')}"
                )
            )
        self.set_class(True, "-revealed")

    def on_key_button_pressed(self, event: KeyButton.Pressed) -> None:
        event.stop()
        if event.button.id == "reveal":
            self.post_message(self.Reveal())
        elif event.button.id and event.button.id.startswith("rate-"):
            self.post_message(self.Rate(Rating[event.button.id[5:].upper()]))
