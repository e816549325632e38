"""Log a question block as `pearls block add` does, then hand the block on to write its pearls."""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePath
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from pearldeck import records
from pearldeck.errors import WriteFailed
from pearldeck.scheduler import iso
from pearldeck.tui.block_entry import BlockFields, block_label, check_fields
from pearldeck.tui.host import host
from pearldeck.tui.widgets.block_form import BLOCK_FORM_CSS, BlockForm


class LogBlockScreen(Screen[records.Block | None]):
    """The block is appended to `study/<device>.jsonl`; escape leaves without writing."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        Path(__file__).with_name("log_block.tcss"),
        BLOCK_FORM_CSS,
    ]

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        h = host(self)
        today = date.fromisoformat(h.col.today(h.now()))
        log = h.col.study.read()
        last = log.blocks[-1] if log.blocks else None
        start = BlockFields(
            source=last.source if last else records.SOURCES[0],
            mode=last.mode if last else records.MODES[0],
            questions="",
            correct="",
            minutes="",
            day=today.isoformat(),
        )
        yield Static(
            Content.assemble(
                ("Log a question block", "bold $primary"),
                "  ·  enter or ctrl+s saves, then you write its pearls",
            ),
            id="log-title",
            classes="top-line",
        )
        with VerticalScroll(id="log-body"):
            yield BlockForm(start, today, id="block-form")
            with Horizontal(id="log-buttons"):
                yield Button("Save and write pearls  ctrl+s", id="save", variant="primary")
                yield Button("Cancel  esc", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(BlockForm).focus_first()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.query_one(BlockForm).action_submit()
        else:
            self.dismiss(None)

    def on_block_form_submitted(self, event: BlockForm.Submitted) -> None:
        event.stop()
        h = host(self)
        col, moment = h.col, h.now()
        log = col.study.read()
        checked = check_fields(
            event.fields,
            block_id=records.fresh_id(log),
            today=date.fromisoformat(col.today(moment)),
            time=iso(moment),
            device=col.device,
        )
        if checked.block is None:
            event.form.show_problems(checked.problems)
            return
        try:
            col.study.append(checked.block)
        except ValueError as e:  # the log's own check, the same rules
            event.form.show_problems(str(e).split("; "))
            return
        except WriteFailed as e:
            self.notify(str(e), title="Not saved", severity="error", timeout=10)
            return
        block = checked.block
        self.notify(f"Logged block {block.id} ({block_label(block)}).")
        self.dismiss(block)

    def action_cancel(self) -> None:
        self.dismiss(None)
