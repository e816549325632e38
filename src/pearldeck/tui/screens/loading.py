"""Shown while a first run builds the index of a large collection, so the wait is explained."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static


class LoadingScreen(Screen[None]):
    """A still message (an animation would take CPU from the build); replaced when ready."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen #loading-text { width: auto; padding: 1 2; color: $text-muted; }
    """

    def __init__(self, size_mb: float) -> None:
        super().__init__()
        self.size_mb = size_mb

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(
                f"Reading your collection ({self.size_mb:.0f} MB of pearls and reviews) "
                "to build its index.\nThis happens once per machine; later starts are instant.",
                id="loading-text",
            )
