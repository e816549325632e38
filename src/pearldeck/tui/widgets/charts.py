"""Terminal charts for the stats screen: a 30-day due forecast and a review heatmap."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from textual.color import Color
from textual.content import Content
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"
BAR_ROWS = 5


class ForecastChart(Widget):
    """Vertical bars, one a day from today, with the busiest day's count on the axis."""

    DEFAULT_CSS = "ForecastChart { height: auto; }"

    def __init__(self, counts: Sequence[int], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts = list(counts)

    def set_counts(self, counts: Sequence[int]) -> None:
        self.counts = list(counts)
        self.refresh()

    def render(self) -> Content:
        counts = self.counts or [0]
        top = max(counts)
        if top == 0:
            return Content.styled("Nothing comes due in the next 30 days.", "dim")
        label_w = max(3, len(str(top)))
        room = max(1, (self.size.width - label_w - 1) // len(counts))
        bar_w = 2 if room >= 3 else 1
        gap = 1 if room >= 2 else 0
        step = bar_w + gap
        lines: list[Content] = []
        for row in range(BAR_ROWS):
            label = str(top) if row == 0 else ("0" if row == BAR_ROWS - 1 else "")
            parts: list[str | tuple[str, str]] = [(f"{label:>{label_w}} ", "dim")]
            for day, n in enumerate(counts):
                eighths = 0 if top == 0 else math.ceil(n / top * BAR_ROWS * 8) if n else 0
                fill = max(0, min(8, eighths - (BAR_ROWS - 1 - row) * 8))
                style = "$accent" if day == 0 else "$primary"
                parts.append((BLOCKS[fill] * bar_w, style))
                parts.append(" " * gap)
            lines.append(Content.assemble(*parts))
        axis = [" "] * (len(counts) * step)
        for day, text in ((0, "today"), (7, "+7d"), (14, "+14d"), (21, "+21d"), (28, "+28d")):
            pos = day * step
            if day < len(counts) and pos + len(text) <= len(axis):
                axis[pos : pos + len(text)] = list(text)
        lines.append(Content.assemble((" " * (label_w + 1) + "".join(axis), "dim")))
        lines.append(Content.assemble((" " * (label_w + 1) + f"{sum(counts)} due in total", "dim")))
        return Content("\n").join(lines)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


class Heatmap(Widget):
    """GitHub-style: a column a week, a row a weekday, darker for more reviews."""

    DEFAULT_CSS = "Heatmap { height: auto; }"

    def __init__(self, days: Mapping[str, int], today: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days = dict(days)
        self.today = today

    def set_days(self, days: Mapping[str, int], today: date) -> None:
        self.days, self.today = dict(days), today
        self.refresh()

    def _shades(self) -> list[str]:
        variables = self.app.theme_variables
        base = Color.parse(variables.get("background", "#000000"))
        full = Color.parse(variables.get("success", "#00aa00"))
        empty = Color.parse(variables.get("panel", base.hex))
        return [empty.hex] + [base.blend(full, f).hex for f in (0.35, 0.55, 0.78, 1.0)]

    def render(self) -> Content:
        weeks = max(1, min(53, (self.size.width - 4) // 2))
        first = self.today - timedelta(days=self.today.weekday() + 7 * (weeks - 1))
        top = max(self.days.values(), default=0)
        shades = self._shades()

        def level(n: int) -> int:
            return 0 if n <= 0 or top == 0 else max(1, math.ceil(4 * n / top))

        months: list[str] = [" "] * (4 + 2 * weeks)
        last_month = None
        for w in range(weeks):
            monday = first + timedelta(weeks=w)
            if monday.month != last_month:
                name = MONTHS[monday.month - 1]
                pos = 4 + 2 * w
                if last_month is not None and pos + 3 <= len(months):
                    months[pos : pos + 3] = list(name)
                last_month = monday.month
        lines = [Content.assemble(("".join(months).rstrip(), "dim"))]
        for wd in range(7):
            parts: list[str | tuple[str, str]] = [(f"{DAY_LABELS[wd]:<4}", "dim")]
            for w in range(weeks):
                day = first + timedelta(weeks=w, days=wd)
                if day > self.today:
                    parts.append("  ")
                    continue
                n = self.days.get(day.isoformat(), 0)
                parts.append(("■", shades[level(n)]))
                parts.append(" ")
            lines.append(Content.assemble(*parts))
        shown = sum(
            n
            for d, n in self.days.items()
            if d >= first.isoformat() and d <= self.today.isoformat()
        )
        legend: list[str | tuple[str, str]] = [("    less ", "dim")]
        for shade in shades:
            legend += [("■", shade), " "]
        legend.append((f"more    {shown} reviews in {weeks} weeks", "dim"))
        lines.append(Content.assemble(*legend))
        return Content("\n").join(lines)
