"""Log a practice exam (NBME, UWSA, Free 120) as `pearls exam add` does, without the shell."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from pearldeck.errors import WriteFailed
from pearldeck.tui.host import host

if TYPE_CHECKING:
    from pearldeck.records import Exam


def exam_label(exam: Exam) -> str:
    """`NBME 12: 238` or `Free 120: 72%`."""
    score = str(exam.score) if exam.score is not None else f"{exam.percent:g}%"
    return f"{exam.name}: {score}"


class LogExamScreen(Screen["Exam | None"]):
    """The exam is appended to `study/<device>.jsonl`; escape leaves without writing."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [Path(__file__).with_name("log_block.tcss")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def compose(self) -> ComposeResult:
        h = host(self)
        yield Static(
            Content.assemble(
                ("Log a practice exam", "bold $primary"),
                "  ·  enter or ctrl+s saves it; the report shows it against your target",
            ),
            id="log-title",
            classes="top-line",
        )
        with VerticalScroll(id="log-body"):
            name = Input(placeholder="NBME 12, UWSA 2, Free 120", id="exam-name")
            name.border_title = "Exam"
            yield name
            score = Input(placeholder="scaled score (238) or percent (72%)", id="exam-score")
            score.border_title = "Score"
            yield score
            day = Input(h.col.today(h.now()), placeholder="YYYY-MM-DD or yesterday", id="exam-day")
            day.border_title = "Date"
            yield day
            yield Static(id="exam-problem")
            with Horizontal(id="log-buttons"):
                yield Button("Save  ctrl+s", id="save", variant="primary")
                yield Button("Cancel  esc", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#exam-name", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        h = host(self)
        name = self.query_one("#exam-name", Input).value
        score = self.query_one("#exam-score", Input).value
        day = self.query_one("#exam-day", Input).value
        problem = self.query_one("#exam-problem", Static)
        if not name.strip() or not score.strip():
            problem.update(Content.styled("Give the exam's name and your score.", "$error"))
            return
        try:
            exam = h.col.log_exam(name, score, day, h.now())
        except ValueError as e:
            problem.update(Content.styled(str(e), "$error"))
            return
        except WriteFailed as e:
            self.notify(str(e), title="Not saved", severity="error", timeout=10)
            return
        self.notify(f"Logged {exam_label(exam)} ({exam.id}).")
        self.dismiss(exam)

    def action_cancel(self) -> None:
        self.dismiss(None)
