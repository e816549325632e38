"""Shown while a first run builds the index of a large collection, so the wait is explained."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static


class LoadingScreen(Screen[None]):
    """A message and a spinner; the app replaces it when the index is ready."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen #loading-text { width: auto; padding: 1 2; color: $text-muted; }
    LoadingScreen LoadingIndicator { height: 3; }
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
        yield LoadingIndicator()
