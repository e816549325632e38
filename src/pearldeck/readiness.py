"""Exam readiness from practice scores: the score bands and a plain-words verdict."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pearldeck.records import Exam
from pearldeck.report_types import Band, ExamRow, Readiness

STALE_EXAM_DAYS = 21


def slope(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of y on x; None for fewer than two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def bands(target: int) -> list[Band]:
    """The target band and the three 10-point bands below it."""
    return [
        {"name": f"≥ {target}", "min": target, "max": None},
        {"name": f"{target - 10}–{target - 1}", "min": target - 10, "max": target - 1},
        {"name": f"{target - 20}–{target - 11}", "min": target - 20, "max": target - 11},
        {"name": f"< {target - 20}", "min": None, "max": target - 21},
    ]


def band_of(score: int, target: int) -> str:
    for b in bands(target):
        if (b["min"] is None or score >= b["min"]) and (b["max"] is None or score <= b["max"]):
            return b["name"]
    raise AssertionError("bands cover every score")


def _exam_row(e: Exam, target: int) -> ExamRow:
    return {
        "id": e.id,
        "date": e.date,
        "name": e.name,
        "form": e.form,
        "score": e.score,
        "percent": e.percent,
        "band": band_of(e.score, target) if e.score is not None else None,
    }


def _in_bands(scores: Sequence[int], target: int) -> str:
    names = list(dict.fromkeys(band_of(s, target) for s in scores))
    if names == [f"≥ {target}"]:
        return f"in your ≥ {target} band"
    if len(names) == 1:
        return f"in the {names[0]} band"
    return f"in the {' and '.join(names)} bands"


def readiness(
    exams: Sequence[Exam], target: int, today: date, *, has_percent: bool = False
) -> Readiness:
    """A plain-words verdict from the two most recent scaled scores, oldest first."""
    scores = [e.score for e in exams if e.score is not None]
    latest = scores[-2:]
    trend = None
    if len(scores) >= 3:
        first = date.fromisoformat(exams[0].date)
        s = slope([((date.fromisoformat(e.date) - first).days / 7, e.score or 0) for e in exams])
        trend = None if s is None else round(s, 2)
    if not scores:
        verdict = "Not enough data: take a practice exam (NBME or UWSA) to see where you stand."
        if has_percent:
            verdict = (
                "Not enough data: your practice results so far are percents (e.g. Free 120), "
                "which have no scaled score; take an NBME or UWSA for one."
            )
        return {
            "status": "not_enough_data",
            "verdict": verdict,
            "latest": [],
            "score_trend_per_week": None,
        }
    if len(scores) == 1:
        s0 = scores[0]
        verdict = (
            f"One practice score so far: {s0}, {_in_bands([s0], target)}. Not enough data "
            "for a verdict: take another practice exam."
        )
        status = "not_enough_data"
    else:
        a, b = latest
        words = f"Two most recent practice scores are {a} and {b}, {_in_bands(latest, target)}"
        if min(latest) >= target:
            status, verdict = "on_track", f"{words}: on track."
        elif min(latest) >= target - 10:
            status, verdict = "close", f"{words}: close to your {target} target; keep going."
        else:
            short = target - (a + b) / 2
            status = "not_yet"
            verdict = (
                f"{words}: not yet at your {target} target ({short:g} points short on average)."
            )
    if trend is not None and abs(trend) >= 0.5:
        way = "rising" if trend > 0 else "falling"
        verdict += (
            f" Across {len(scores)} exams your score is {way} about {abs(trend):.1f} points a week."
        )
    age = (today - date.fromisoformat(exams[-1].date)).days
    if age > STALE_EXAM_DAYS:
        verdict += f" Your latest score is {age} days old: take a fresh practice exam."
    return {"status": status, "verdict": verdict, "latest": latest, "score_trend_per_week": trend}


# the terminal ---------------------------------------------------------------------------
