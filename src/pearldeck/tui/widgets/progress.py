"""The line at the top of the review: what is left today, and which deck."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from pearldeck.today import Counts


class ProgressLine(Static):
    """`Acute care · New 12  Learning 3  Review 40`."""

    def show(self, scope: str, counts: Counts, queue: str | None = None) -> None:
        def part(name: str, n: int, style: str, key: str) -> tuple[str, str]:
            mark = " underline" if queue == key else ""
            return (f"{name} {n}", f"{style}{mark}")

        self.update(
            Content.assemble(
                (scope, "bold"),
                "   ",
                part("New", counts.new, "$primary", "new"),
                "  ",
                part("Learning", counts.learning, "$error", "learning"),
                "  ",
                part("Review", counts.review, "$success", "review"),
            )
        )
