"""Shown when pearl files have errors: each `path:line: message`, and a key to reload."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from pearldeck.model import Problem
from pearldeck.tui.host import host


def problems_content(problems: list[Problem]) -> Content:
    lines = []
    for p in problems:
        where = f"{p.path}:{p.line}" if p.line else p.path
        lines.append(Content.assemble((where, "bold $error"), ": ", p.message))
    return Content("\n").join(lines)


class ProblemsScreen(Screen[bool]):
    """Dismissed with True once a reload finds the files clean."""

    CSS_PATH = Path(__file__).with_name("problems.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems

    def _title(self) -> Content:
        root = host(self).root
        if not root.is_dir():  # a first run, or a mistyped --dir: nothing to fix, one to make
            return Content.assemble(
                (f"No collection at {root}", "bold $warning"),
                "\nMake one with ",
                (f"pearls init {root}", "bold"),
                " (or point to yours with --dir PATH or PEARLS_DIR), then press ",
                ("r", "bold"),
                ".",
            )
        return Content.assemble(
            ("Your pearl files need fixing", "bold $error"),
            "\nNothing was changed. Fix each line below in your editor, then press ",
            ("r", "bold"),
            " to reload.",
        )

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="problems-title")
        with VerticalScroll(id="problems-body"):
            yield Static(problems_content(self.problems), id="problems-list")
        yield Footer()

    def action_reload(self) -> None:
        problems = host(self).reload()
        if not problems:
            self.dismiss(True)
            return
        self.problems = problems
        self.query_one("#problems-title", Static).update(self._title())
        self.query_one("#problems-list", Static).update(problems_content(problems))
        n = len(problems)
        self.notify(f"Still {n} problem{'s' if n != 1 else ''}.", severity="warning")
