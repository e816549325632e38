"""The end-of-session summary: cards, time, again-rate by pathway, when learning returns."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from pearldeck.model import PATHWAY_TITLES
from pearldeck.tui.session import Session, format_duration
from pearldeck.tui.themes import pathway_color


def summary_content(
    session: Session, now: datetime, waiting: datetime | None, learning_left: int
) -> Content:
    parts: list[str | tuple[str, str] | Content] = []
    if session.cards:
        parts += [
            ("Done for now. ", "bold"),
            f"{session.cards} card{'s' if session.cards != 1 else ''} "
            f"in {format_duration(session.seconds)}.\n\n",
        ]
        parts.append(("Again rate by pathway\n", "bold"))
        for pw, (again, total) in session.again_by_pathway().items():
            pct = round(100 * again / total)
            parts += [
                ("● ", pathway_color(pw)),
                f"{PATHWAY_TITLES.get(pw, pw):<28}{again:>3} / {total:<3}  {pct:>3}%\n",
            ]
    else:
        parts.append(("Nothing due right now.\n", "bold"))
    extra = []
    if session.suspended:
        extra.append(f"{session.suspended} suspended")
    if session.buried:
        extra.append(f"{session.buried} buried until tomorrow")
    if extra:
        parts.append(("\n" + ", ".join(extra) + ".\n", "dim"))
    if waiting is not None:
        minutes = max(0, round((waiting - now).total_seconds() / 60))
        local = waiting.astimezone().strftime("%H:%M")
        n = f"{learning_left} learning card{'s' if learning_left != 1 else ''}"
        parts += [
            "\n",
            (n if learning_left else "Learning cards", "$error"),
            f" come back later today; the next at {local} (in {minutes} min).\n",
            ("It will show here when due; press r to study it now.", "dim"),
        ]
    else:
        parts.append(("\nNo more cards today. a adds pearls, h goes Home, q quits.", "dim"))
    return Content.assemble(*parts)


class SessionSummary(Static):
    """Shown in place of the card when the queue is empty."""

    def show(
        self, session: Session, now: datetime, waiting: datetime | None, learning_left: int
    ) -> None:
        self.update(summary_content(session, now, waiting, learning_left))
