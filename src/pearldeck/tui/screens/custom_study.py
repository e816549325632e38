"""A custom study session from a Browse search, as Anki's filtered decks: review these now."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from textual.content import Content

from pearldeck.model import Rating
from pearldeck.tui.host import host
from pearldeck.tui.screens.review import ReviewScreen
from pearldeck.tui.widgets.progress import ProgressLine
from pearldeck.tui.widgets.summary import SessionSummary


class CustomStudyScreen(ReviewScreen):
    """Each card of the search once, due or not; one answered Again comes back at the end.

    Every answer is an ordinary review (logged, fsynced, scheduled by FSRS from that moment),
    so the schedule changes exactly as much as reviewing those cards would change it.
    """

    def __init__(self, title: str, card_ids: Sequence[str]) -> None:
        super().__init__()
        self.title = title
        self.waiting: deque[str] = deque(card_ids)

    def load_next(self) -> None:
        h = host(self)
        while self.waiting:
            view = h.col.card(self.waiting.popleft(), h.now())
            if view is not None:
                self._show(view)
                return
        self._show(None)

    def action_rate(self, rating: int) -> None:
        view = self.view
        if view is not None and self.revealed and rating == Rating.AGAIN:
            self.waiting.append(view.card_id)  # asked again before the session ends
        super().action_rate(rating)
        if view is not None and self.view is view and rating == Rating.AGAIN:
            self.waiting.pop()  # the rating was not saved: the card is still shown

    def _progress(self) -> None:
        left = len(self.waiting) + (self.view is not None)
        self.query_one(ProgressLine).update(
            Content.assemble(
                ("Custom study", "bold"),
                f"  ·  {self.title}  ·  ",
                (f"{left} left", "$primary"),
            )
        )

    def _show_summary(self) -> None:
        self.query_one(SessionSummary).show(self.session, host(self).now(), None, 0)

    def _check_due(self) -> None:
        return  # no learning cards to wait for: the session is the list

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "study_ahead":
            return False
        return super().check_action(action, parameters)
