"""The fields of one pearl (pathway, text or cloze, answer, tags, source), for add and edit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static, TextArea

from pearldeck.drafts import PearlDraft
from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Problem
from pearldeck.tui.host import host
from pearldeck.tui.text import (
    ClozeOverlap,
    card_summary,
    format_tags,
    make_draft,
    wrap_cloze,
)

FORM_CSS = Path(__file__).with_name("pearl_form.tcss")
"""Styles of the form, for the screens that show one (widgets have no CSS_PATH)."""


def _offset(text: str, location: tuple[int, int]) -> int:
    """A TextArea (row, column) as an index into its text."""
    row, col = location
    return sum(len(line) + 1 for line in text.split("\n")[:row]) + col


class PearlText(TextArea):
    """The pearl's text: one logical line, so enter submits the form instead of breaking it."""

    class Submit(Message):
        """Enter was pressed."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submit())
            return
        await super()._on_key(event)


class PearlForm(Vertical):
    """Posts Submitted with a draft on enter or ctrl+s; shows problems it is given."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", priority=True),
        Binding("ctrl+l", "cloze", "Make cloze"),
    ]

    @dataclass
    class Submitted(Message):
        """The user wants this draft saved."""

        form: PearlForm
        draft: PearlDraft

    def __init__(
        self,
        draft: PearlDraft,
        *,
        lock_pathway: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._start = draft
        self._lock_pathway = lock_pathway
        self._checking = False

    def compose(self) -> ComposeResult:
        d = self._start
        pathway = Select(
            [(PATHWAY_TITLES[p], p) for p in PATHWAYS],
            value=d.pathway,
            allow_blank=False,
            id="f-pathway",
        )
        with Horizontal(id="f-top"):
            yield pathway
            yield Static(id="f-target")
        text = PearlText(
            d.text, id="f-text", soft_wrap=True, tab_behavior="focus", show_line_numbers=False
        )
        text.border_title = "Text: a question, or a cloze {{c1::...}}"
        yield text
        back = Input(d.back or "", placeholder="leave empty for a cloze", id="f-back")
        back.border_title = "Answer"
        yield back
        with Horizontal(id="f-row"):
            tags = Input(format_tags(d.tags), placeholder="cardiology, acs", id="f-tags")
            tags.border_title = "Tags"
            yield tags
            source = Input(d.source or "", placeholder="UWorld 12345", id="f-source")
            source.border_title = "Source"
            yield source
        yield Static(id="f-status")

    def on_mount(self) -> None:
        self.query_one("#f-top").display = not self._lock_pathway
        self._preview()
        self._show_target()

    def _show_target(self) -> None:
        self.query_one("#f-target", Static).update(
            Content.assemble("goes to ", (host(self).col.target_file(self.pathway), "bold"))
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_target()

    def focus_text(self) -> None:
        self.query_one("#f-text", PearlText).focus()

    @property
    def pathway(self) -> str:
        value = self.query_one("#f-pathway", Select).value
        return value if isinstance(value, str) else self._start.pathway

    def draft(self) -> PearlDraft:
        return make_draft(
            self.pathway,
            self.query_one("#f-text", PearlText).text,
            self.query_one("#f-back", Input).value,
            self.query_one("#f-tags", Input).value,
            self.query_one("#f-source", Input).value,
            added=self._start.added,
            block=self._start.block,
        )

    def has_typed(self) -> bool:
        """Whether the text or the answer holds something not saved (tags and source are
        kept from pearl to pearl, so they alone are nothing to lose)."""
        text = self.query_one("#f-text", PearlText).text
        back = self.query_one("#f-back", Input).value
        return bool(text.strip() or back.strip())

    def append_text(self, words: str) -> None:
        """Add `words` at the end of the text (undoable), and go back to typing there."""
        area = self.query_one("#f-text", PearlText)
        area.insert(f" {words}" if area.text.strip() else words, area.document.end)
        area.focus()

    def clear_for_next(self) -> None:
        """Empty text and answer, keep pathway, tags and source; ready for the next pearl."""
        self.query_one("#f-text", PearlText).load_text("")
        self.query_one("#f-back", Input).value = ""
        self._checking = False
        self.focus_text()
        self._preview()

    def show_problems(self, problems: list[Problem]) -> None:
        self._checking = True
        status = self.query_one("#f-status", Static)
        status.set_class(True, "-error")
        status.update(Content("\n".join(p.message for p in problems)))

    def _preview(self) -> None:
        if self._checking:
            problems = host(self).col.validate_draft(self.draft())
            if problems:
                self.show_problems(problems)
                return
            self._checking = False
        status = self.query_one("#f-status", Static)
        status.set_class(False, "-error")
        text = self.query_one("#f-text", PearlText).text
        back = self.query_one("#f-back", Input).value
        status.update(card_summary(text, back) if text.strip() else "")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_pearl_text_submit(self, event: PearlText.Submit) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self, self.draft()))

    def action_cloze(self) -> None:
        area = self.query_one("#f-text", PearlText)
        if not area.has_focus:
            return
        text = area.text
        first, last = sorted((area.selection.start, area.selection.end))
        start, end = _offset(text, first), _offset(text, last)
        try:
            new, cursor = wrap_cloze(text, start, end)
        except ClozeOverlap as e:
            self.notify(str(e), severity="warning")
            return
        # one edit, not a reload: ctrl+z takes the wrap back, and the typing before it stays
        area.replace(new[start : len(new) - (len(text) - end)], first, last)
        before = new[:cursor]
        area.move_cursor((before.count("\n"), cursor - (before.rfind("\n") + 1)))
