"""The fields of one question block (source, score, time, misses by cause and by pathway)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static

from pearldeck.model import PATHWAYS
from pearldeck.records import MISS_KINDS, MODES, SOURCES
from pearldeck.tui.block_entry import SOURCE_TITLES, BlockFields, check_fields
from pearldeck.tui.themes import pathway_color

BLOCK_FORM_CSS = Path(__file__).with_name("block_form.tcss")
"""Styles of the form, for the screen that shows it (widgets have no CSS_PATH)."""

PATHWAY_SHORT = {"systems-based": "systems"}
"""Border titles that fit a fifth of an 80-column screen."""

# where a problem message points: its first words -> the fields to mark
_FIELDS_OF = (
    ("unknown source", ("#b-source",)),
    ("mode", ("#b-mode",)),
    ("questions", ("#b-questions",)),
    ("correct", ("#b-correct", "#b-questions")),
    ("minutes", ("#b-minutes",)),
    ("misses", tuple(f"#b-miss-{k}" for k in MISS_KINDS)),
    ("pathway misses", tuple(f"#b-pw-{p}" for p in PATHWAYS)),
    ("date", ("#b-date",)),
)


def _fields_of(message: str) -> tuple[str, ...]:
    for prefix, ids in sorted(_FIELDS_OF, key=lambda x: -len(x[0])):
        if message.startswith(prefix):
            return ids
    return ()


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


class BlockForm(Vertical):
    """Posts Submitted with the fields on enter or ctrl+s; shows problems it is given."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", priority=True),
    ]

    @dataclass
    class Submitted(Message):
        """The user wants this block logged."""

        form: BlockForm
        fields: BlockFields

    def __init__(self, start: BlockFields, today: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._start = start
        self._today = today
        self._checking = False

    def compose(self) -> ComposeResult:
        s = self._start
        with Horizontal(classes="bf-row"):
            source = Select(
                [(SOURCE_TITLES[k], k) for k in SOURCES],
                value=s.source if s.source in SOURCES else SOURCES[0],
                allow_blank=False,
                id="b-source",
            )
            yield source
            yield Select(
                [(m, m) for m in MODES],
                value=s.mode if s.mode in MODES else MODES[0],
                allow_blank=False,
                id="b-mode",
            )
            day = Input(s.day, placeholder="YYYY-MM-DD", id="b-date")
            day.border_title = "Date"
            yield day
        with Horizontal(classes="bf-row"):
            for key, value, title, hint in (
                ("questions", s.questions, "Questions", "40"),
                ("correct", s.correct, "Correct", "29"),
            ):
                box = Input(value, placeholder=hint, type="integer", id=f"b-{key}", classes="num")
                box.border_title = title
                yield box
            minutes = Input(
                s.minutes, placeholder="62", type="number", id="b-minutes", classes="num"
            )
            minutes.border_title = "Minutes"
            yield minutes
            yield Static(id="b-summary")
        yield Static(id="b-causes-head", classes="bf-head")
        with Horizontal(classes="bf-row counts"):
            for k in MISS_KINDS:
                box = Input(s.misses.get(k, ""), placeholder="0", type="integer", id=f"b-miss-{k}")
                box.border_title = k
                yield box
        yield Static(id="b-pathways-head", classes="bf-head")
        with Horizontal(classes="bf-row counts"):
            for p in PATHWAYS:
                box = Input(
                    s.pathway_misses.get(p, ""), placeholder="0", type="integer", id=f"b-pw-{p}"
                )
                box.border_title = Content.styled(PATHWAY_SHORT.get(p, p), pathway_color(p))
                yield box
        yield Static(id="b-status")

    def on_mount(self) -> None:
        for selector, title in (("#b-source", "Source"), ("#b-mode", "Mode")):
            self.query_one(f"{selector} > SelectCurrent").border_title = title
        self._update()

    def focus_first(self) -> None:
        self.query_one("#b-questions", Input).focus()

    def fields(self) -> BlockFields:
        def value(selector: str) -> str:
            return self.query_one(selector, Input).value

        def choice(selector: str, default: str) -> str:
            v = self.query_one(selector, Select).value
            return v if isinstance(v, str) else default

        return BlockFields(
            source=choice("#b-source", SOURCES[0]),
            mode=choice("#b-mode", MODES[0]),
            questions=value("#b-questions"),
            correct=value("#b-correct"),
            minutes=value("#b-minutes"),
            day=value("#b-date"),
            misses={k: value(f"#b-miss-{k}") for k in MISS_KINDS},
            pathway_misses={p: value(f"#b-pw-{p}") for p in PATHWAYS},
        )

    def show_problems(self, problems: list[str], *, live: bool = False) -> None:
        """Mark the fields the messages are about and list the messages under the form.

        After a failed save (not `live`), every change checks the whole form, empty fields too.
        """
        self._checking = self._checking or not live
        marked = {sel for m in problems for sel in _fields_of(m)}
        for box in self.query("Input, Select"):
            box.set_class(f"#{box.id}" in marked, "-invalid")
        status = self.query_one("#b-status", Static)
        status.set_class(bool(problems), "-error")
        status.update(Content("\n".join(problems)))

    def _update(self) -> None:
        """The live summary, the miss tallies, and (once a save failed) the problems."""
        f = self.fields()
        questions, correct, minutes = _int(f.questions), _int(f.correct), None
        try:
            minutes = float(f.minutes) if f.minutes.strip() else None
        except ValueError:
            minutes = None
        missed = questions - correct if questions and correct is not None else None
        parts: list[str | tuple[str, str]] = []
        if questions and correct is not None and 0 <= correct <= questions:
            parts += [(f"{correct / questions:.0%}", "bold"), " · ", (f"{missed}", "bold")]
            parts.append(" missed")
            if minutes and minutes > 0:
                parts += [" · ", (f"{minutes * 60 / questions:.0f}", "bold"), " s/q"]
        self.query_one("#b-summary", Static).update(Content.assemble(*parts))
        for head, what, counts in (
            ("#b-causes-head", "Why you missed them", f.misses),
            ("#b-pathways-head", "Misses by pathway", f.pathway_misses),
        ):
            given = sum(n for v in counts.values() if (n := _int(v)) is not None)
            line: list[str | tuple[str, str]] = [(what, "bold"), ("  optional", "dim")]
            if missed is not None and missed >= 0:
                style = "$error" if given > missed else "$text-muted"
                line.append((f"  ·  {given} of the {missed} misses", style))
            self.query_one(head, Static).update(Content.assemble(*line))
        self.show_problems(self.live_problems(), live=True)

    def live_problems(self) -> list[str]:
        """What is wrong with the fields as typed so far.

        Until a save has failed, empty questions, correct or minutes are not problems yet.
        """
        checked = check_fields(
            self.fields(),
            block_id="draft0",
            today=self._today,
            time="",
            device="",
            complete=self._checking,
        )
        return checked.problems

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._update()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._update()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.fields()))
