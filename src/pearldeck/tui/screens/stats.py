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

HEAD = f"{'pathway':<15}{'today':>6}{'total':>6}{'ret 7d':>7}{'ret 30d':>8}"
HEAD += f"{'new':>5}{'learn':>6}{'review':>7}{'susp':>5}{'leech':>6}"


def _pct(value: object) -> str:
    return "–" if value is None else f"{float(str(value)) * 100:.0f}%"


def _row(name: str, p: Mapping[str, object], style: str) -> Content:
    c = p["cards"]
    r = p["true_retention"]
    assert isinstance(c, dict) and isinstance(r, dict)
    numbers = (
        f"{p['reviews_today']:>6}{p['reviews_total']:>6}{_pct(r['7d']):>7}{_pct(r['30d']):>8}"
        f"{c['new']:>5}{c['learning'] + c['relearning']:>6}{c['review']:>7}"
        f"{c['suspended']:>5}{c['leech']:>6}"
    )
    dot = ("● ", style) if style.startswith("$") else "  "
    return Content.assemble(dot, (f"{name:<13}", "bold" if style == "bold" else ""), numbers)


def stats_table(s: Mapping[str, object]) -> Content:
    per, total = s["pathways"], s["total"]
    assert isinstance(per, dict) and isinstance(total, dict)
    lines = [Content.styled(HEAD, "bold $text-muted")]
    lines += [_row(pw, p, pathway_color(pw)) for pw, p in per.items()]
    lines.append(_row("total", total, "bold"))
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
