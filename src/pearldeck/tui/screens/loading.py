"""Shown while a first run builds the index of a large collection, so the wait is explained."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static


class LoadingScreen(Screen[None]):
    """A message and the build's current step (no animation: it would take CPU from the
    build); replaced when the index is ready."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen #loading-text { width: auto; padding: 1 2; color: $text-muted; }
    LoadingScreen #loading-step { width: auto; padding: 0 2; }
    """

    def __init__(self, size_mb: float) -> None:
        super().__init__()
        self.size_mb = size_mb

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(
                    f"Reading your collection ({self.size_mb:.0f} MB of pearls and reviews) "
                    "to build its index.\nThis happens once per machine; later starts are "
                    "instant.",
                    id="loading-text",
                )
            with Center():
                yield Static("", id="loading-step")

    def show_step(self, text: str) -> None:
        """What the build is doing now, e.g. `Reading review history: 40 of 166 MB`."""
        self.query_one("#loading-step", Static).update(text)
