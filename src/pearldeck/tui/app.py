"""The pearldeck app: opens the collection, reads the clock, switches between screens."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pearldeck.collection import Collection, Refresh
from pearldeck.errors import ChangedOnDisk, WriteFailed
from pearldeck.model import PATHWAY_TITLES, PATHWAYS, PearlError, Problem
from pearldeck.tui.healing import Healing
from pearldeck.tui.themes import DARK, LIGHT, THEMES

if TYPE_CHECKING:
    from pearldeck.records import Block

Clock = Callable[[], datetime]
BIG_FIRST_RUN = 4 * 2**20
"""Bytes of pearls and reviews above which a first run shows a loading screen."""


def _unindexed_size(root: Path) -> int:
    """Size of what a first run must read; 0 once an index exists."""
    if (root / ".cache" / "index.sqlite3").exists() or not root.is_dir():
        return 0
    total = 0
    for pattern in ("*.yaml", "*/*.yaml", "reviews/*.jsonl"):
        for path in root.glob(pattern):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def env_clock() -> Clock:
    """`PEARLS_NOW` (ISO 8601) as a fixed time when set, else the system clock in UTC."""
    value = os.environ.get("PEARLS_NOW")
    if not value:
        return lambda: datetime.now(UTC)
    from pearldeck.studyday import parse_now

    try:
        moment = parse_now(value)
    except ValueError:
        raise PearlError(
            [Problem("PEARLS_NOW", 0, f"{value!r} is not an ISO 8601 time, e.g. 2026-11-27T08:30")]
        ) from None
    return lambda: moment


class PearlsApp(App[None]):
    """`start` is "review" (today's first due card) or "home"."""

    # absolute: subclasses live elsewhere. The review's CSS is parsed with the app's: a
    # screen's own CSS_PATH would re-parse the whole stylesheet as the first card shows.
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        Path(__file__).with_name("app.tcss"),
        Path(__file__).parent / "screens" / "review.tcss",
    ]
    TITLE = "pearldeck"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(
        self,
        root: Path,
        start: str = "review",
        pathway: str | None = None,
        tag: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DARK
        self.root = root
        self.start = start
        self.pathway = pathway
        self.tag = tag
        self._clock = clock or env_clock()
        self._col: Collection | None = None
        self._healing = Healing(self._open_col, self._healed)

    @property
    def col(self) -> Collection:
        """The open collection, as screens call it: a damaged index is rebuilt (healing)."""
        assert self._col is not None, "the collection is opened on mount"
        return cast("Collection", self._healing)

    def _open_col(self) -> Collection:
        assert self._col is not None, "the collection is opened on mount"
        return self._col

    def _healed(self) -> None:
        self.notify(
            "The index (a cache of your files) was damaged, so it was rebuilt from them. "
            "Nothing of yours was lost.",
            title="Index rebuilt",
            severity="warning",
            timeout=10,
        )

    def now(self) -> datetime:
        return self._clock()

    # opening the collection -------------------------------------------------

    def on_mount(self) -> None:
        size = _unindexed_size(self.root)
        if size > BIG_FIRST_RUN:
            from pearldeck.tui.screens.loading import LoadingScreen

            self.push_screen(LoadingScreen(size / 2**20))
            self.run_worker(self._build_index, thread=True, exit_on_error=False)
            return
        self._opened()

    def _build_index(self) -> None:
        # seconds of work on a big history: done off the UI thread, which then opens the
        # (now warm) index itself, since it owns the SQLite connection
        with contextlib.suppress(Exception):  # the UI thread's open reports any problem
            Collection(self.root, progress=self._step_from_thread).close()
        self.call_from_thread(self._built)

    def _step_from_thread(self, text: str) -> None:
        with contextlib.suppress(RuntimeError):  # the app is closing
            self.call_from_thread(self._show_step, text)

    def _show_step(self, text: str) -> None:
        from pearldeck.tui.screens.loading import LoadingScreen

        if isinstance(self.screen, LoadingScreen):
            self.screen.show_step(text)

    def _built(self) -> None:
        self.pop_screen()
        self._opened()

    def _opened(self) -> None:
        problems = self.reload()
        if problems:
            self.push_screen(self._problems_screen(problems), self._fixed)
        else:
            self._fixed(True)

    def on_unmount(self) -> None:
        if self._col is not None:
            self._col.close()

    def reload(self) -> list[Problem]:
        try:
            if self._col is None:
                self._col = Collection(self.root)
                self._report(self._col.last_refresh)
            else:
                self._report(self._col.refresh())
        except PearlError as e:
            return e.problems
        except (ChangedOnDisk, WriteFailed) as e:  # while writing ids into a file
            return [Problem(str(e.path), 0, str(e).removeprefix(f"{e.path}: "))]
        except ValueError as e:  # a bad PEARLS_DEVICE
            return [Problem("PEARLS_DEVICE", 0, str(e))]
        return list(self._col.problems)

    def _report(self, refresh: Refresh) -> None:
        for w in refresh.warnings:
            self.notify(str(w), title="Warning", severity="warning", timeout=8)
        if refresh.ids_assigned:
            self.notify(f"Assigned ids to {refresh.ids_assigned} pearl(s) in your files.")

    def _problems_screen(self, problems: list[Problem]) -> Screen[bool]:
        from pearldeck.tui.screens.problems import ProblemsScreen

        return ProblemsScreen(problems)

    def _fixed(self, ok: bool | None) -> None:
        if len(self.screen_stack) > 1:
            return  # the problems screen was shown over a running screen
        if self.start == "home":
            self.go_home()
        else:
            self.start_review(self.pathway, self.tag)

    def check_problems(self) -> bool:
        if self._col is None or not self._col.problems:
            return False
        from pearldeck.tui.screens.problems import ProblemsScreen

        if not isinstance(self.screen, ProblemsScreen):
            self.push_screen(ProblemsScreen(list(self._col.problems)), self._fixed)
        return True

    # navigation ---------------------------------------------------------------

    def _set_base(self, screen: Screen[Any]) -> None:
        """Home and review sit at the bottom of the stack; everything else is pushed."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def start_review(self, pathway: str | None = None, tag: str | None = None) -> None:
        from pearldeck.tui.screens.review import ReviewScreen

        self._set_base(ReviewScreen(pathway, tag))

    def go_home(self) -> None:
        from pearldeck.tui.screens.home import HomeScreen

        if not isinstance(self.screen, HomeScreen):
            self._set_base(HomeScreen())

    def _push_once(self, screen: Screen[Any]) -> None:
        if type(self.screen) is not type(screen):
            self.push_screen(screen)

    def open_add(self, pathway: str | None = None, block: Block | None = None) -> None:
        from pearldeck.tui.screens.add import AddScreen

        screen = AddScreen(pathway, block)
        if block is not None and isinstance(self.screen, AddScreen):
            self.switch_screen(screen)  # a block logged from Add: capture for the new block
        else:
            self._push_once(screen)

    def open_log_block(self) -> None:
        """Log a block, then Add opens linked to it, on the pathway it missed most."""
        from pearldeck.tui.block_entry import most_missed_pathway
        from pearldeck.tui.screens.log_block import LogBlockScreen

        def logged(block: Block | None) -> None:
            if block is not None:
                self.open_add(most_missed_pathway(block), block)

        if not isinstance(self.screen, LogBlockScreen):
            self.push_screen(LogBlockScreen(), logged)

    def open_report(self) -> None:
        from pearldeck.tui.screens.report import ReportScreen

        self._push_once(ReportScreen())

    def open_browse(self) -> None:
        from pearldeck.tui.screens.browse import BrowseScreen

        self._push_once(BrowseScreen())

    def open_stats(self) -> None:
        from pearldeck.tui.screens.stats import StatsScreen

        self._push_once(StatsScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.current_theme.dark else DARK

    # the command palette ---------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if self._col is not None and not self._col.problems:
            yield SystemCommand("Review all", "Today's queue, every pathway", self.start_review)
            for pw in PATHWAYS:
                yield SystemCommand(
                    f"Review {PATHWAY_TITLES[pw].lower()}",
                    f"Today's {pw} cards",
                    functools.partial(self.start_review, pw),
                )
            yield SystemCommand("Add pearls", "Quick capture after a block", self.open_add)
            yield SystemCommand(
                "Log block", "Record a question block, then write its pearls", self.open_log_block
            )
            yield SystemCommand(
                "Study report", "Accuracy, error mix, pathways, readiness", self.open_report
            )
            yield SystemCommand("Browse pearls", "Search, edit, suspend, delete", self.open_browse)
            yield SystemCommand("Stats", "Retention, forecast, heatmap", self.open_stats)
            yield SystemCommand("Home", "Today's counts per pathway", self.go_home)
        yield SystemCommand("Toggle light/dark theme", "ctrl+t", self.action_toggle_theme)
        yield from super().get_system_commands(screen)
