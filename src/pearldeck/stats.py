"""Review statistics from folded card states and the review history (no I/O)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pearldeck.model import PATHWAYS, Event
from pearldeck.scheduler import LEARNING, NEW, RELEARNING, REVIEW, from_iso
from pearldeck.status import StatusRow
from pearldeck.studyday import study_day

FORECAST_DAYS = 30
HEATMAP_DAYS = 365


def _retention(passed: int, total: int) -> float | None:
    return round(passed / total, 4) if total else None


_STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


@dataclass
class _Tally:
    """One pathway's (or the total's) counts while they are being added up."""

    reviews_today: int = 0
    reviews_total: int = 0
    again_today: int = 0
    minutes_today: float = 0.0
    retention: dict[int, list[int]] = field(default_factory=lambda: {7: [0, 0], 30: [0, 0]})
    """Days -> [passed, asked] for answers to cards that were in review state."""
    cards: Counter[str] = field(default_factory=Counter)
    forecast: list[int] = field(default_factory=lambda: [0] * FORECAST_DAYS)

    def add(self, other: _Tally) -> None:
        self.reviews_today += other.reviews_today
        self.reviews_total += other.reviews_total
        self.again_today += other.again_today
        self.minutes_today += round(other.minutes_today, 1)
        for span, (passed, asked) in other.retention.items():
            self.retention[span][0] += passed
            self.retention[span][1] += asked
        self.cards.update(other.cards)
        self.forecast = [a + b for a, b in zip(self.forecast, other.forecast, strict=True)]

    def as_dict(self) -> dict[str, object]:
        names = ("new", "learning", "review", "relearning", "suspended", "leech")
        return {
            "reviews_today": self.reviews_today,
            "reviews_total": self.reviews_total,
            "again_today": self.again_today,
            "minutes_today": round(self.minutes_today, 1),
            "true_retention": {f"{d}d": _retention(*pa) for d, pa in self.retention.items()},
            "cards": {n: self.cards[n] for n in names},
            "forecast": self.forecast,
        }


def compute(
    statuses: Mapping[str, StatusRow],
    cards: Mapping[str, str],
    events: Sequence[Event],
    now: datetime,
    day_starts_at: int,
) -> dict[str, object]:
    """All of `pearls stats`: `cards` maps every live card id to its pathway."""
    today = study_day(now, day_starts_at)
    per = {p: _Tally() for p in PATHWAYS}
    for cid, pw in cards.items():
        s = statuses.get(cid)
        t = per[pw]
        t.cards[_STATE_NAMES[NEW if s is None else s.state]] += 1
        if s is None:
            continue
        t.cards["suspended"] += s.suspended
        t.cards["leech"] += s.leech
        if s.state != NEW and s.due is not None and not s.suspended:
            due_day = study_day(datetime.fromtimestamp(s.due, UTC), day_starts_at)
            d = max(0, (due_day - today).days)
            if d < FORECAST_DAYS:
                t.forecast[d] += 1

    was_review: dict[str, bool] = {}
    heat: Counter[str] = Counter()
    for e in events:
        day = study_day(from_iso(e.time), day_starts_at)
        age = (today - day).days
        prior_review = was_review.get(e.card, False)
        was_review[e.card] = e.result_state == REVIEW
        heat[day.isoformat()] += 1
        home = cards.get(e.card)
        if home is None:  # a deleted pearl's history: counted in the heatmap only
            continue
        t = per[home]
        t.reviews_total += 1
        if age == 0:
            t.reviews_today += 1
            t.minutes_today += e.duration / 60
            t.again_today += e.rating == 1
        if prior_review:
            for span, counts in t.retention.items():
                if age < span:
                    counts[0] += e.rating > 1
                    counts[1] += 1
    total = _Tally()
    for t in per.values():
        total.add(t)
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    days = [(first + timedelta(days=i)).isoformat() for i in range(HEATMAP_DAYS)]
    return {
        "today": today.isoformat(),
        "total": total.as_dict(),
        "pathways": {pw: t.as_dict() for pw, t in per.items()},
        "heatmap": {d: heat.get(d, 0) for d in days},
    }


def format_stats(s: Mapping[str, object]) -> str:
    """A plain-text report for the terminal."""
    total = s["total"]
    per = s["pathways"]
    assert isinstance(total, dict) and isinstance(per, dict)

    def pct(v: object) -> str:
        return "  –  " if v is None else f"{float(str(v)) * 100:4.0f}%"

    lines = [f"Study day {s['today']}", ""]
    lines.append(
        f"{'pathway':<15}{'today':>6}{'total':>7}{'ret 7d':>8}{'ret 30d':>8}"
        f"{'new':>6}{'learn':>6}{'review':>7}{'susp':>5}{'leech':>6}"
    )
    for name, p in [*per.items(), ("total", total)]:
        c, r = p["cards"], p["true_retention"]
        lines.append(
            f"{name:<15}{p['reviews_today']:>6}{p['reviews_total']:>7}{pct(r['7d']):>8}"
            f"{pct(r['30d']):>8}{c['new']:>6}{c['learning'] + c['relearning']:>6}"
            f"{c['review']:>7}{c['suspended']:>5}{c['leech']:>6}"
        )
    f = total["forecast"]
    lines += ["", "Due in the next 30 days (from today):", " ".join(str(n) for n in f)]
    return "\n".join(lines)
