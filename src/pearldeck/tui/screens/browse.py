"""Browse: search and filter every pearl; edit, suspend or delete the highlighted one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from pearldeck.errors import ChangedOnDisk, WriteFailed
from pearldeck.model import Pearl, PearlError, split_card_id
from pearldeck.scheduler import STATE_NAMES
from pearldeck.status import StatusRow
from pearldeck.studyday import day_end, study_day
from pearldeck.tui.host import host
from pearldeck.tui.query import HELP, PearlState, parse_query, search
from pearldeck.tui.text import meta_content, pathway_dot, plain_text, prompt_content

MAX_ROWS = 500
FIXED = 6 + 15 + 10 + 2 * 5 + 4  # id, pathway, due, cell padding, borders, margins, scrollbar


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class BrowseScreen(Screen[None]):
    """A table of pearls matching the search, and the highlighted one in full below."""

    CSS_PATH = Path(__file__).with_name("browse.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "search", "Search"),
        Binding("e", "edit", "Edit"),
        Binding("s", "suspend", "Suspend"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pearls: list[Pearl] = []
        self.statuses: dict[str, StatusRow] = {}
        self.shown: dict[str, tuple[Pearl, PearlState]] = {}

    def compose(self) -> ComposeResult:
        search_box = Input(placeholder=HELP, id="search")
        search_box.border_title = "Search"
        yield search_box
        yield DataTable(id="pearls", cursor_type="row")
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#pearls", DataTable).focus()

    def reload(self) -> None:
        col = host(self).col
        self.pearls = col.pearls()
        self.statuses = col.statuses()
        self.apply_filter()

    def _day_end(self) -> float:
        h = host(self)
        starts = h.col.settings.day_starts_at
        return day_end(study_day(h.now(), starts), starts).timestamp()

    def apply_filter(self) -> None:
        query = parse_query(self.query_one("#search", Input).value)
        end = self._day_end()
        found = search(query, self.pearls, self.statuses, end)
        table = self.query_one("#pearls", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        tags_w = 12 if self.size.width < 100 else 18
        width = max(20, self.size.width - FIXED - tags_w - 2)
        table.add_column("ID", width=6, key="id")
        table.add_column("Pathway", width=15, key="pathway")
        table.add_column("Pearl", width=width, key="text")
        table.add_column("Tags", width=tags_w, key="tags")
        table.add_column("Due", width=10, key="due")
        now = host(self).now()
        self.shown = {}
        for pearl, state in found[:MAX_ROWS]:
            self.shown[pearl.id] = (pearl, state)
            due = state.due_label(now, end)
            table.add_row(
                pearl.id,
                pathway_dot(pearl.pathway),
                _short(plain_text(pearl), width),
                _short(" ".join(pearl.tags), tags_w),
                Content.styled(due, "$warning" if state.leech else ("dim" if due == "–" else "")),
                key=pearl.id,
            )
        if found:
            table.move_cursor(row=min(keep, len(self.shown) - 1))
        more = f" (showing {MAX_ROWS}; narrow the search)" if len(found) > MAX_ROWS else ""
        unknown = f"  ·  not understood: {' '.join(query.unknown)}" if query.unknown else ""
        table.border_title = f"{len(found)} of {len(self.pearls)} pearls{more}{unknown}"
        self._show_detail()

    def current(self) -> Pearl | None:
        table = self.query_one("#pearls", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        item = self.shown.get(key or "")
        return item[0] if item else None

    def _show_detail(self) -> None:
        pearl = self.current()
        detail = self.query_one("#detail", Static)
        if pearl is None:
            detail.update(Content.styled("No pearl matches.", "dim"))
            return
        now = host(self).now()
        cards = []
        for cid in pearl.card_ids():
            row = self.statuses.get(cid)
            name = f"c{split_card_id(cid)[1]}" if "#" in cid else "card"
            if row is None:
                cards.append(f"{name} new")
                continue
            what = "suspended" if row.suspended else STATE_NAMES.get(row.state, "?")
            if row.leech:
                what += ", leech"
            if row.due and not row.suspended and row.state:
                days = (datetime.fromtimestamp(row.due, UTC) - now).total_seconds() / 86400
                what += f", due in {days:.0f} d" if days >= 1 else ", due today"
            cards.append(f"{name} {what}")
        parts: list[str | tuple[str, str] | Content] = [prompt_content(pearl, None), "\n"]
        if pearl.back:
            parts += [("→ ", "bold $accent"), pearl.back, "\n"]
        parts += [meta_content(pearl), "\n"]
        parts.append((f"{pearl.file}:{pearl.line} · {' · '.join(cards)}", "dim"))
        detail.update(Content.assemble(*parts))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#pearls", DataTable).focus()

    def on_resize(self) -> None:
        if self.pearls:
            self.apply_filter()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        if self.query_one("#search", Input).has_focus:
            self.query_one("#pearls", DataTable).focus()
        else:
            self.app.pop_screen()

    def action_edit(self) -> None:
        pearl = self.current()
        if pearl is None:
            return
        from pearldeck.tui.dialogs.edit import EditPearlDialog

        self.app.push_screen(EditPearlDialog(pearl), self._edited)

    def _edited(self, pearl: Pearl | None) -> None:
        if pearl is not None:
            self.notify(f"Saved {pearl.id} in {pearl.file}.")
        self.reload()

    def action_suspend(self) -> None:
        pearl = self.current()
        if pearl is None:
            return
        h = host(self)
        now = h.now()
        state = self.shown[pearl.id][1]
        try:
            for cid in pearl.card_ids():
                row = self.statuses.get(cid)
                suspended = row is not None and row.suspended
                if state.suspended:
                    h.col.unsuspend(cid, now)
                elif not suspended:
                    h.col.suspend(cid, now)
        except (PearlError, WriteFailed) as e:
            self.notify(str(e), severity="error")
        else:
            verb = "Unsuspended" if state.suspended else "Suspended"
            n = len(pearl.card_ids())
            self.notify(f"{verb} {pearl.id} ({n} card{'s' if n != 1 else ''}).")
        self.reload()

    def action_delete(self) -> None:
        pearl = self.current()
        if pearl is None:
            return
        from pearldeck.tui.dialogs.confirm import ConfirmDialog

        def done(yes: bool | None) -> None:
            if yes:
                self._delete(pearl)

        body = (
            f"{_short(pearl.text, 200)}\n\n"
            f"It is removed from {pearl.file}; its review history is kept."
        )
        self.app.push_screen(ConfirmDialog(f"Delete pearl {pearl.id}?", body), done)

    def _delete(self, pearl: Pearl) -> None:
        col = host(self).col
        try:
            col.replace_pearl(pearl.id, None, based_on=pearl)
        except ChangedOnDisk:
            col.refresh()
            self.notify(
                f"{pearl.file} changed on disk; reloaded, nothing deleted.",
                severity="warning",
                timeout=10,
            )
        except (PearlError, WriteFailed) as e:
            self.notify(str(e), severity="error")
        else:
            self.notify(f"Deleted {pearl.id} from {pearl.file}.")
        self.reload()
