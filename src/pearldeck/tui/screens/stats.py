"""Stats: the numbers of `pearls stats`, a 30-day due forecast and a review heatmap."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from pearldeck.tui.host import host
from pearldeck.tui.themes import pathway_color
from pearldeck.tui.widgets.charts import ForecastChart, Heatmap

COLUMNS = ("today", "total", "ret 7d", "ret 30d", "new", "learn", "review", "susp", "leech")
NAME_WIDTH = 13


def _pct(value: object) -> str:
    return "–" if value is None else f"{float(str(value)) * 100:.0f}%"


def _cells(p: Mapping[str, object]) -> list[str]:
    c = p["cards"]
    r = p["true_retention"]
    assert isinstance(c, dict) and isinstance(r, dict)
    learning = c["learning"] + c["relearning"]
    values = [p["reviews_today"], p["reviews_total"], _pct(r["7d"]), _pct(r["30d"]), c["new"]]
    values += [learning, c["review"], c["suspended"], c["leech"]]
    return [str(v) for v in values]


def stats_table(s: Mapping[str, object]) -> Content:
    per, total = s["pathways"], s["total"]
    assert isinstance(per, dict) and isinstance(total, dict)
    rows = [(pw, pathway_color(pw), _cells(p)) for pw, p in per.items()]
    rows.append(("total", "bold", _cells(total)))
    # each column as wide as its widest number, and always a space before it: a count
    # past 100k never runs into the one before (`0100000`)
    widths = [max(len(h), *(len(r[2][i]) for r in rows)) for i, h in enumerate(COLUMNS)]
    head = f"  {'pathway':<{NAME_WIDTH}}" + "".join(
        f" {h:>{w}}" for h, w in zip(COLUMNS, widths, strict=True)
    )
    lines = [Content.styled(head, "bold $text-muted")]
    for name, style, cells in rows:
        numbers = "".join(f" {v:>{w}}" for v, w in zip(cells, widths, strict=True))
        dot = ("● ", style) if style.startswith("$") else "  "
        label = (f"{name:<{NAME_WIDTH}}", "bold" if style == "bold" else "")
        lines.append(Content.assemble(dot, label, numbers))
    t = total
    lines.append(
        Content.styled(
            f"\nToday: {t['reviews_today']} reviews, {t['again_today']} again, "
            f"{t['minutes_today']} min",
            "$text-muted",
        )
    )
    return Content("\n").join(lines)


class StatsScreen(Screen[None]):
    """Read-only; escape goes back."""

    CSS_PATH = Path(__file__).with_name("stats.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        h = host(self)
        s = h.col.stats(h.now())
        total = s["total"]
        heat = s["heatmap"]
        assert isinstance(total, dict) and isinstance(heat, dict)
        with VerticalScroll(id="stats-body"):
            yield Static(
                Content.assemble(("Statistics", "bold $primary"), f"  ·  study day {s['today']}"),
                id="stats-title",
            )
            yield Static(stats_table(s), id="stats-table")
            yield Label(Content.styled("Due in the next 30 days", "bold"), classes="stats-head")
            yield ForecastChart(total["forecast"], id="forecast")
            yield Label(Content.styled("Reviews per day", "bold"), classes="stats-head")
            yield Heatmap(heat, date.fromisoformat(str(s["today"])), id="heatmap")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-body", VerticalScroll).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
