"""The answer buttons: `Show answer`, then Again / Hard / Good / Easy with their intervals."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button
from textual.widgets.button import ButtonVariant

from pearldeck.model import Rating

VARIANTS: dict[Rating, ButtonVariant] = {
    Rating.AGAIN: "error",
    Rating.HARD: "warning",
    Rating.GOOD: "success",
    Rating.EASY: "primary",
}


class KeyButton(Button, can_focus=False):
    """A button driven by keys and clicks; never takes focus, so keys stay with the screen."""


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
            button.label = Content.assemble(
                (f"{int(r)} ", "dim"), (r.label.title(), "bold"), f"  {intervals.get(r, '')}"
            )
        self.set_class(True, "-revealed")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "reveal":
            self.post_message(self.Reveal())
        elif event.button.id and event.button.id.startswith("rate-"):
            self.post_message(self.Rate(Rating[event.button.id[5:].upper()]))
