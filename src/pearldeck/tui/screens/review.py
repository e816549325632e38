"""The review: one card at a time; reveal, rate, undo, edit, suspend, bury; a summary at the end."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from pearldeck.errors import WriteFailed
from pearldeck.model import PATHWAY_TITLES, Pearl, PearlError, Rating
from pearldeck.today import CardView
from pearldeck.tui.host import host
from pearldeck.tui.session import Answer, Session
from pearldeck.tui.widgets.card import PearlCard
from pearldeck.tui.widgets.progress import ProgressLine
from pearldeck.tui.widgets.rating_bar import RatingBar
from pearldeck.tui.widgets.summary import SessionSummary

POLL_SECONDS = 10.0


def scope_title(pathway: str | None, tag: str | None) -> str:
    """`All pathways`, `Acute care`, `#cardiology` or `Acute care · #cardiology`."""
    parts = [PATHWAY_TITLES.get(pathway, pathway) if pathway else ""]
    if tag:
        parts.append(f"#{tag}")
    return " · ".join(p for p in parts if p) or "All pathways"


class ReviewScreen(Screen[None]):
    """Today's queue, optionally one pathway's or one tag's."""

    # its CSS (review.tcss) is loaded with the app's, so the first card needs no re-parse

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "reveal", "Answer"),
        Binding("space,enter", "rate(3)", "Good", show=False),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("r", "study_ahead", "Study now"),
        Binding("u", "undo", "Undo"),
        Binding("e", "edit", "Edit"),
        Binding("E", "edit_external", "$EDITOR", show=False),
        Binding("s", "suspend", "Suspend"),
        Binding("b", "bury", "Bury"),
        Binding("o", "open_image", "Open image"),
        Binding("a", "add", "Add", show=False),
        Binding("a", "add_pearl", "Add"),  # shown in the footer once the queue is empty
        Binding("h,escape", "home", "Home"),
    ]

    def __init__(self, pathway: str | None = None, tag: str | None = None) -> None:
        super().__init__()
        self.pathway = pathway
        self.tag = tag
        self.view: CardView | None = None
        self.revealed = False
        self.session = Session()
        self._shown_at = time.monotonic()
        self._waiting: datetime | None = None
        self._poll: Timer | None = None
        self._first_shown = False

    def compose(self) -> ComposeResult:
        yield ProgressLine(id="progress")
        with Center(id="review-body"), Vertical(id="card-frame"):
            yield PearlCard(id="card")
            yield SessionSummary(id="summary")
        yield RatingBar(id="rating-bar")

    def on_mount(self) -> None:
        # the footer costs a few tens of ms to build: paint the first card before it
        self.call_after_refresh(self._mount_footer)

    async def _mount_footer(self) -> None:
        await self.mount(Footer())
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        if not self.is_current or host(self).check_problems():
            return
        if self.view is None:
            self.load_next()
        else:
            self._progress()

    # showing cards ----------------------------------------------------------

    def load_next(self) -> None:
        h = host(self)
        self._show(h.col.next_card(h.now(), self.pathway, self.tag))

    def _show(self, view: CardView | None, revealed: bool = False) -> None:
        self.view = view
        self.revealed = revealed and view is not None
        self._shown_at = time.monotonic()
        card = self.query_one(PearlCard)
        summary = self.query_one(SessionSummary)
        bar = self.query_one(RatingBar)
        if view is None:
            self._show_summary()
        else:
            self._stop_polling()
            card.show(view, self.revealed)
            if self.revealed:
                bar.show_back(view.intervals)
            else:
                bar.show_front()
        card.display = view is not None
        bar.display = view is not None
        summary.display = view is None
        if self._first_shown:
            self._progress()
        else:  # the first card shows before the counts are computed
            self._first_shown = True
            self.call_after_refresh(self._progress)
        self.refresh_bindings()

    def _progress(self) -> None:
        h = host(self)
        counts = h.col.due(h.now(), self.pathway, self.tag).total
        queue = self.view.queue if self.view else None
        self.query_one(ProgressLine).show(scope_title(self.pathway, self.tag), counts, queue)

    def _show_summary(self) -> None:
        h = host(self)
        now = h.now()
        ahead = h.col.next_card(now, self.pathway, self.tag, learn_ahead=True)
        self._waiting = ahead.due_at if ahead and ahead.queue in ("later", "learning") else None
        learning = h.col.due(now, self.pathway, self.tag).total.learning
        self.query_one(SessionSummary).show(self.session, now, self._waiting, learning)
        if self._waiting is not None and self._poll is None:
            self._poll = self.set_interval(POLL_SECONDS, self._check_due)
        elif self._waiting is None:
            self._stop_polling()

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None

    def _check_due(self) -> None:
        if self.view is None:
            h = host(self)
            view = h.col.next_card(h.now(), self.pathway, self.tag)
            if view is not None:
                self._show(view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_card = self.view is not None
        if action == "reveal":
            return has_card and not self.revealed
        if action == "rate":
            return has_card and self.revealed
        if action == "study_ahead":
            return not has_card and self._waiting is not None
        if action in ("edit", "edit_external", "suspend", "bury", "add"):
            return has_card
        if action == "open_image":
            return has_card and bool(self.query_one(PearlCard).images)
        if action == "add_pearl":
            return not has_card
        return True

    # actions ----------------------------------------------------------------

    def action_reveal(self) -> None:
        if self.view is not None and not self.revealed:
            self._reveal()

    def _reveal(self) -> None:
        assert self.view is not None
        self.revealed = True
        self.query_one(PearlCard).show(self.view, True)
        self.query_one(RatingBar).show_back(self.view.intervals)
        self.refresh_bindings()

    def on_rating_bar_reveal(self, event: RatingBar.Reveal) -> None:
        self.action_reveal()

    def on_rating_bar_rate(self, event: RatingBar.Rate) -> None:
        self.action_rate(int(event.rating))

    def action_rate(self, rating: int) -> None:
        view = self.view
        if view is None or not self.revealed:
            return
        h = host(self)
        seconds = time.monotonic() - self._shown_at
        try:
            h.col.rate(view.card_id, Rating(rating), h.now(), seconds)
        except WriteFailed as e:
            self.notify(str(e), title="Not saved", severity="error", timeout=10)
            return
        except PearlError as e:
            self.notify("\n".join(str(p) for p in e.problems), severity="error")
            self.load_next()
            return
        self.session.record(Answer(view.card_id, view.pearl.pathway, Rating(rating), seconds))
        if not h.check_problems():
            self.load_next()

    def action_study_ahead(self) -> None:
        h = host(self)
        view = h.col.next_card(h.now(), self.pathway, self.tag, learn_ahead=True)
        if view is not None:
            self._show(view)

    def action_undo(self) -> None:
        h = host(self)
        try:
            event = h.col.undo(h.now())
        except WriteFailed as e:
            self.notify(str(e), title="Not undone", severity="error", timeout=10)
            return
        if event is None:
            self.notify("Nothing to undo on this device.")
            return
        if event.kind == "review":
            self.session.take_back(event.card)
            what = Rating(event.rating).label.title()
        else:
            what = event.kind.title()
            if event.kind == "suspend":
                self.session.suspended = max(0, self.session.suspended - 1)
            elif event.kind == "bury":
                self.session.buried = max(0, self.session.buried - 1)
        self.notify(f"Undid {what} of {event.card}.")
        view = h.col.card(event.card, h.now())
        if view is None:
            self.load_next()
        else:
            self._show(view)

    def _flag(self, kind: str) -> None:
        view = self.view
        if view is None:
            return
        h = host(self)
        try:
            if kind == "suspend":
                h.col.suspend(view.card_id, h.now())
                self.session.suspended += 1
                self.notify(f"Suspended {view.card_id}; u undoes.")
            else:
                h.col.bury(view.card_id, h.now())
                self.session.buried += 1
                self.notify(f"Buried {view.card_id} until tomorrow; u undoes.")
        except (PearlError, WriteFailed) as e:
            self.notify(str(e), severity="error")
            return
        self.load_next()

    def action_suspend(self) -> None:
        self._flag("suspend")

    def action_bury(self) -> None:
        self._flag("bury")

    def action_edit(self) -> None:
        if self.view is None:
            return
        from pearldeck.tui.dialogs.edit import EditPearlDialog

        self.app.push_screen(EditPearlDialog(self.view.pearl), self._edited)

    def _edited(self, pearl: Pearl | None) -> None:
        if pearl is not None:
            self.notify(f"Saved {pearl.id} in {pearl.file}.")
            self._reload_card()

    def _reload_card(self) -> None:
        if self.view is None:
            return
        h = host(self)
        view = h.col.card(self.view.card_id, h.now(), self.view.queue)
        if view is None:
            self.load_next()
        else:
            shown_at = self._shown_at
            self._show(view, self.revealed)
            self._shown_at = shown_at

    def action_edit_external(self) -> None:
        if self.view is None:
            return
        from textual.app import SuspendNotSupported

        h = host(self)
        pearl = self.view.pearl
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        path = h.col.root / pearl.file
        try:
            with self.app.suspend():
                subprocess.call([*shlex.split(editor), f"+{pearl.line}", str(path)])
        except SuspendNotSupported:
            self.notify("Cannot open an editor here; press e to edit in the app.")
            return
        except OSError as e:
            self.notify(f"Cannot run {editor!r}: {e.strerror}", severity="error")
            return
        h.col.refresh()
        if not h.check_problems():
            self._reload_card()

    def action_open_image(self) -> None:
        """Each image on the card in the system viewer (the terminal shows only a preview)."""
        from pearldeck.tui.opener import open_in_viewer

        for ref, path in self.query_one(PearlCard).images:
            if path is None or not path.is_file():
                self.notify(f"{ref} not found; run `pearls check`", severity="warning")
                continue
            problem = open_in_viewer(path)
            if problem:
                self.notify(problem, severity="warning", timeout=8)
                return
            self.notify(f"Opened {ref}.")

    def action_add(self) -> None:
        host(self).open_add(self.view.pearl.pathway if self.view else self.pathway)

    def action_add_pearl(self) -> None:
        self.action_add()

    def action_home(self) -> None:
        host(self).go_home()
