"""What screens and dialogs need from the app: the collection, the clock, navigation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from pearldeck.collection import Collection
    from pearldeck.model import Problem
    from pearldeck.records import Block


class Host(Protocol):
    """The parts of PearlsApp the rest of the UI calls."""

    @property
    def col(self) -> Collection: ...

    def now(self) -> datetime: ...

    def start_review(self, pathway: str | None = None, tag: str | None = None) -> None: ...

    def go_home(self) -> None: ...

    def open_add(self, pathway: str | None = None, block: Block | None = None) -> None: ...

    def open_log_block(self) -> None: ...

    def open_report(self) -> None: ...

    def open_browse(self) -> None: ...

    def open_stats(self) -> None: ...

    def reload(self) -> list[Problem]:
        """Open the collection again (or refresh it); the problems it still has."""
        ...

    def check_problems(self) -> bool:
        """Show the problems screen if the files have errors; True if it did."""
        ...


def host(node: DOMNode) -> Host:
    return cast("Host", node.app)
