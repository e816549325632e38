"""Home: today's new, learning and review counts per pathway; start a review of any of them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Input, Label, Static

from pearldeck.countdown import describe
from pearldeck.errors import ChangedOnDisk, WriteFailed
from pearldeck.habit import Habit
from pearldeck.model import PATHWAYS, PearlError, normalise_tag
from pearldeck.today import Counts
from pearldeck.tui.host import host
from pearldeck.tui.text import pathway_dot

ALL = "all"


def _cells(counts: Counts) -> list[Content]:
    def num(n: int, style: str) -> Content:
        return Content.styled(f"{n:>6}", style if n else "dim")

    return [
        num(counts.new, "$primary"),
        num(counts.learning, "$error"),
        num(counts.review, "$success"),
        num(counts.total, "bold"),
    ]


GOAL_BAR = 16


def goal_content(habit: Habit, left: int) -> Content:
    """`Today 12 of 30 reviews ━━━━━━──── · 5 days in a row`: the daily goal and streak."""
    goal = habit.goal(left)
    done = habit.done_today
    filled = round(GOAL_BAR * done / goal) if goal else GOAL_BAR
    parts: list[str | tuple[str, str]] = [("Today ", "bold")]
    if goal == 0:
        parts.append(("nothing due", "$text-muted"))
    elif left == 0:
        parts.append((f"all {done} reviews done ✓", "bold $success"))
    else:
        parts.append(f"{done} of {goal} reviews ")
        parts += [("━" * filled, "$success"), ("━" * (GOAL_BAR - filled), "$panel")]
    parts.append("  ·  ")
    if habit.streak == 0:
        parts.append(("no streak yet", "$text-muted"))
    else:
        days = "day" if habit.streak == 1 else "days"
        parts.append((f"{habit.streak} {days} in a row", "bold $accent"))
        if done == 0:
            parts.append((": review to keep it", "$text-muted"))
    return Content.assemble(*parts)


class HomeScreen(Screen[None]):
    """Today at a glance; enter on a row reviews it."""

    CSS_PATH = Path(__file__).with_name("home.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review_all", "Review all"),
        Binding("a", "add", "Add"),
        Binding("b", "browse", "Browse"),
        Binding("s", "stats", "Stats"),
        Binding("l", "log_block", "Log block"),
        Binding("p", "report", "Report"),
        Binding("t", "tag", "Tag"),
        Binding("x", "exam_date", "Exam date", show=False),  # named on the exam line
        Binding("e", "log_exam", "Log exam", show=False),  # in ctrl+p and on the report
        Binding("escape", "focus_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._seen = False

    def compose(self) -> ComposeResult:
        yield Static(id="home-title")
        with Vertical(id="home-body"):
            yield Static(id="home-goal")
            table: DataTable[Content | str] = DataTable(id="today", cursor_type="row")
            table.border_title = "Due today"
            yield table
            yield Static(id="home-exam")
            with Horizontal(id="tag-row"):
                yield Label("Review a tag", id="tag-label")
                yield Input(placeholder="e.g. cardiology, then enter", id="tag")
            yield Static(id="home-hint")
        yield Footer(show_command_palette=False)  # the hint line names ctrl+p

    def on_mount(self) -> None:
        table = self.query_one("#today", DataTable)
        table.add_column("Pathway", width=30, key="pathway")
        for name in ("New", "Learning", "Review", "Total"):
            table.add_column(f"{name:>6}", key=name.lower())
        self.query_one("#home-hint", Static).update(
            Content.assemble(
                ("enter", "bold"),
                " reviews the highlighted row · ",
                ("ctrl+p", "bold"),
                " commands · ",
                ("ctrl+t", "bold"),
                " light/dark",
            )
        )
        table.focus()

    def on_screen_resume(self) -> None:
        if not self.is_current:
            return
        h = host(self)
        if self._seen:
            h.col.refresh()
        self._seen = True
        if not h.check_problems():
            self.refresh_counts()

    def refresh_counts(self) -> None:
        h = host(self)
        due = h.col.due(h.now())
        self.query_one("#home-title", Static).update(
            Content.assemble(
                ("pearldeck", "bold $primary"),
                "  ·  study day ",
                (due.today, "bold"),
                "  ·  ",
                (f"{due.total.total} cards to review today", "$text-muted"),
            )
        )
        table = self.query_one("#today", DataTable)
        row = table.cursor_row
        table.clear()
        table.add_row(Content.styled("All pathways", "bold"), *_cells(due.total), key=ALL)
        for pw in PATHWAYS:
            table.add_row(pathway_dot(pw), *_cells(due.pathways.get(pw, Counts())), key=pw)
        table.move_cursor(row=min(row, table.row_count - 1))
        self._show_goal(due.total.total)
        self._show_exam()

    def _show_goal(self, left: int) -> None:
        h = host(self)
        habit = h.col.habit(h.now())
        self.query_one("#home-goal", Static).update(goal_content(habit, left))

    def _show_exam(self) -> None:
        h = host(self)
        exam = self.query_one("#home-exam", Static)
        c = h.col.countdown(h.now())
        if c is None:
            exam.update(Content.assemble(("x", "bold"), " sets your exam date for a countdown"))
            return
        first, *rest = describe(c)
        style = "$success" if c.clears or c.new_left == 0 else "$warning"
        exam.update(
            Content.assemble(
                (first, "bold"), ("  x changes it", "dim"), *(("\n" + r, style) for r in rest)
            )
        )

    def action_exam_date(self) -> None:
        from pearldeck.tui.dialogs.exam_date import ExamDateDialog

        h = host(self)
        today = date.fromisoformat(h.col.due(h.now()).today)

        def chosen(value: str | None) -> None:
            if value is None:
                return
            try:
                h.col.set_exam_date(value or None)
            except (PearlError, ChangedOnDisk, WriteFailed) as e:
                self.notify(str(e), title="Not saved", severity="error", timeout=10)
                return
            self.notify(f"Exam date set to {value}." if value else "Exam date removed.")
            self._show_exam()

        self.app.push_screen(ExamDateDialog(h.col.settings.exam_date, today), chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        host(self).start_review(None if key == ALL else key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        tag = normalise_tag(event.value)
        if not tag:
            return
        h = host(self)
        if h.col.due(h.now(), tag=tag).total.total == 0:
            self.notify(f"No cards with tag #{tag} are due today.", severity="warning")
            return
        h.start_review(tag=tag)

    def on_descendant_focus(self) -> None:
        tag = self.query_one("#tag", Input)
        if tag.has_focus and tag.suggester is None:
            tags = sorted(host(self).col.tags())
            tag.suggester = SuggestFromList(tags, case_sensitive=False)

    def action_review_all(self) -> None:
        host(self).start_review()

    def action_add(self) -> None:
        table = self.query_one("#today", DataTable)
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        host(self).open_add(key if key in PATHWAYS else None)

    def action_browse(self) -> None:
        host(self).open_browse()

    def action_stats(self) -> None:
        host(self).open_stats()

    def action_log_block(self) -> None:
        host(self).open_log_block()

    def action_log_exam(self) -> None:
        host(self).open_log_exam()

    def action_report(self) -> None:
        host(self).open_report()

    def action_tag(self) -> None:
        self.query_one("#tag", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#today", DataTable).focus()
