"""Terminal charts for the study report: accuracy per week, error mix per week, exam scores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from textual.color import Color
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from pearldeck.readiness import band_of, bands
from pearldeck.records import MISS_KINDS
from pearldeck.report_types import ExamRow, WeekRow
from pearldeck.tui.themes import miss_color, score_band_color
from pearldeck.tui.widgets.charts import MONTHS

EIGHTHS = " ▏▎▍▌▋▊▉█"
MAX_WEEKS = 12
"""Weeks shown in a chart; older ones are summed up in a note."""
Part = str | tuple[str, str]


def week_label(monday: str) -> str:
    """`Nov 02` for the week starting on that Monday."""
    d = date.fromisoformat(monday)
    return f"{MONTHS[d.month - 1]} {d.day:02}"


def hbar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells long at most, to the nearest eighth of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


def split_cells(counts: Sequence[int], width: int) -> list[int]:
    """Cells for each count out of `width` (largest remainder); a non-zero count gets one."""
    total = sum(counts)
    if total == 0 or width <= 0:
        return [0] * len(counts)
    exact = [n * width / total for n in counts]
    cells = [max(1, math.floor(x)) if n else 0 for n, x in zip(counts, exact, strict=True)]
    while sum(cells) > width:  # the minimum of one cell overshot: take from the biggest
        cells[cells.index(max(cells))] -= 1
    order = sorted(range(len(counts)), key=lambda i: exact[i] - cells[i], reverse=True)
    for i in order[: width - sum(cells)]:
        cells[i] += 1
    return cells


def _older(weeks: Sequence[WeekRow]) -> Content | None:
    if len(weeks) <= MAX_WEEKS:
        return None
    n = len(weeks) - MAX_WEEKS
    return Content.styled(f"        and {n} earlier week{'s' if n > 1 else ''}", "dim")


class ReportChart(Widget):
    """Lines drawn for a width; as tall as they are, however wide the screen gets."""

    DEFAULT_CSS = "ReportChart { height: auto; text-wrap: nowrap; text-overflow: clip; }"

    def lines(self, width: int) -> list[Content]:
        raise NotImplementedError

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))


class AccuracyChart(ReportChart):
    """A bar a week, 0 to 100% correct, with the week's questions and seconds per question."""

    LABEL = 8
    TAIL = 22

    def __init__(self, weeks: Sequence[WeekRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.weeks = list(weeks)

    def lines(self, width: int) -> list[Content]:
        shown = self.weeks[-MAX_WEEKS:]
        width = max(10, width - self.LABEL - self.TAIL)
        lines: list[Content] = []
        for i, w in enumerate(shown):
            acc = w["accuracy"] or 0.0
            bar = hbar(acc, width)
            style = "$accent" if i == len(shown) - 1 else "$primary"
            spq = w["seconds_per_question"]
            lines.append(
                Content.assemble(
                    (f"{week_label(w['week']):<{self.LABEL}}", "dim"),
                    (bar.rstrip(), style),
                    ("·" * (width - len(bar.rstrip())), "dim"),
                    (f"{acc:>5.0%}", "bold"),
                    (f"{w['questions']:>5} q {'–' if spq is None else f'{spq:.0f}':>4} s/q", "dim"),
                )
            )
        axis = [" "] * width
        for frac, text in ((0.0, "0"), (0.5, "50%"), (1.0, "100%")):
            pos = min(width - len(text), round(frac * width) - (len(text) // 2 if frac else 0))
            axis[pos : pos + len(text)] = list(text)
        lines.append(Content.styled(" " * self.LABEL + "".join(axis), "dim"))
        if older := _older(self.weeks):
            lines.append(older)
        return lines


class ErrorMixChart(ReportChart):
    """A stacked bar a week: each cause's share of the misses with a cause logged."""

    LABEL = 8
    TAIL = 12

    def __init__(self, weeks: Sequence[WeekRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.weeks = list(weeks)

    def lines(self, width: int) -> list[Content]:
        width = max(10, width - self.LABEL - self.TAIL)
        lines: list[Content] = []
        for w in self.weeks[-MAX_WEEKS:]:
            counts = [w["misses"].get(k, 0) for k in MISS_KINDS]
            parts: list[Part] = [(f"{week_label(w['week']):<{self.LABEL}}", "dim")]
            if not sum(counts):
                parts.append(("no causes logged", "dim"))
            else:
                for kind, cells in zip(MISS_KINDS, split_cells(counts, width), strict=True):
                    parts.append(("█" * cells, miss_color(kind)))
                parts.append((f"{sum(counts):>5} misses", "dim"))
            lines.append(Content.assemble(*parts))
        legend: list[Part] = [" " * self.LABEL]
        for kind in MISS_KINDS:
            legend += [("■ ", miss_color(kind)), (f"{kind}  ", "dim")]
        lines.append(Content.assemble(*legend))
        if older := _older(self.weeks):
            lines.append(older)
        return lines


class ScoreChart(ReportChart):
    """Scaled practice scores, oldest left, on rows shaded by the target's score bands."""

    AXIS = 6
    RIGHT = 9
    MAX_ROWS = 10

    def __init__(self, exams: Sequence[ExamRow], target: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.exams = [e for e in exams if e["score"] is not None]
        self.target = target

    def _band_colours(self) -> dict[str, tuple[str, str]]:
        """Each band's name -> (its colour, a faint tint of it for the row background)."""
        v = self.app.theme_variables
        base = Color.parse(v.get("background", "#000000"))
        out = {}
        for i, band in enumerate(bands(self.target)):
            full = Color.parse(v.get(score_band_color(i).lstrip("$"), "#888888"))
            out[band["name"]] = (full.hex, base.blend(full, 0.18).hex)
        return out

    def lines(self, width: int) -> list[Content]:
        if not self.exams:
            return [
                Content.styled(
                    "No scaled scores yet: NBME and UWSA forms give one (Free 120 is a percent).",
                    "dim",
                )
            ]
        t = self.target
        scores = [int(e["score"] or 0) for e in self.exams]
        step = 5
        top = t + step * math.ceil((max(max(scores) + 1, t + 10) - t) / step)
        low = t - step * math.ceil((t - min(min(scores), t - 30)) / step)
        while (top - low) // step > self.MAX_ROWS:
            step *= 2
            top = t + step * math.ceil((top - t) / step)
            low = t - step * math.ceil((t - low) / step)
        plot = max(8, width - self.AXIS - self.RIGHT)
        col = max(4, min(10, plot // len(self.exams)))
        shown = self.exams[-(plot // col) :]
        colours = self._band_colours()
        lines: list[Content] = []
        bounds = {b["min"] for b in bands(t) if b["min"] is not None}
        seen: set[str] = set()
        for row_top in range(top, low, -step):
            row_low = row_top - step
            band = band_of(row_low, t)
            full, tint = colours[band]
            label = f"{row_low:>4} ┤" if row_low in bounds else "     │"
            parts: list[Part] = [(label, "dim")]
            for e in shown:
                s = int(e["score"] or 0)
                mark = "●" if row_low <= s < row_top else " "
                left = (col - 1) // 2
                parts.append((" " * left, f"on {tint}"))
                parts.append((mark, f"bold {full} on {tint}"))
                parts.append((" " * (col - left - 1), f"on {tint}"))
            parts.append((" " * (plot - col * len(shown)), f"on {tint}"))
            parts.append((f" {band}" if band not in seen else "", full))
            seen.add(band)
            lines.append(Content.assemble(*parts))
        for texts, style in (
            ([str(e["score"]) for e in shown], "bold"),
            ([e["name"] for e in shown], "dim"),
            ([e["date"][5:] for e in shown], "dim"),
        ):
            cells = [(text[: col - 1].center(col), style) for text in texts]
            lines.append(Content.assemble(" " * self.AXIS, *cells))
        hidden = len(self.exams) - len(shown)
        if hidden:
            lines.append(Content.styled(f"{' ' * self.AXIS}and {hidden} earlier", "dim"))
        return lines
