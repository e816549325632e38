"""Review statistics from folded card states and the review history (no I/O)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from pearldeck.model import PATHWAYS, Event
from pearldeck.scheduler import LEARNING, NEW, RELEARNING, REVIEW, from_iso
from pearldeck.store.index import StatusRow
from pearldeck.studyday import study_day

FORECAST_DAYS = 30
HEATMAP_DAYS = 365


def _retention(passed: int, total: int) -> float | None:
    return round(passed / total, 4) if total else None


def compute(
    statuses: Mapping[str, StatusRow],
    cards: Mapping[str, str],
    events: Sequence[Event],
    now: datetime,
    day_starts_at: int,
) -> dict[str, object]:
    """All of `pearls stats`: `cards` maps every live card id to its pathway."""
    today = study_day(now, day_starts_at)

    def day_of(ts: float) -> int:
        return (study_day(datetime.fromtimestamp(ts, UTC), day_starts_at) - today).days

    def blank() -> dict[str, object]:
        return {
            "reviews_today": 0,
            "reviews_total": 0,
            "again_today": 0,
            "minutes_today": 0.0,
            "true_retention": {"7d": None, "30d": None},
            "cards": {
                "new": 0,
                "learning": 0,
                "review": 0,
                "relearning": 0,
                "suspended": 0,
                "leech": 0,
            },
            "forecast": [0] * FORECAST_DAYS,
        }

    per: dict[str, dict[str, object]] = {p: blank() for p in PATHWAYS}
    for cid, pw in cards.items():
        s = statuses.get(cid)
        c = per[pw]["cards"]
        assert isinstance(c, dict)
        state = NEW if s is None else s.state
        name = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}[state]
        c[name] += 1
        if s is not None and s.suspended:
            c["suspended"] += 1
        if s is not None and s.leech:
            c["leech"] += 1
        if s is not None and s.state != NEW and s.due is not None and not s.suspended:
            d = max(0, day_of(s.due))
            if d < FORECAST_DAYS:
                f = per[pw]["forecast"]
                assert isinstance(f, list)
                f[d] += 1

    # true retention: answers to cards that were in review state, passed = not "again"
    window: dict[str, dict[int, list[int]]] = defaultdict(lambda: {7: [0, 0], 30: [0, 0]})
    was_review: dict[str, bool] = {}
    heat: Counter[str] = Counter()
    for e in events:
        epw = cards.get(e.card)
        when = from_iso(e.time)
        age = (today - study_day(when, day_starts_at)).days
        prior_review = was_review.get(e.card, False)
        was_review[e.card] = e.result_state == REVIEW
        heat[study_day(when, day_starts_at).isoformat()] += 1
        if epw is None:
            continue
        p = per[epw]
        p["reviews_total"] = int(str(p["reviews_total"])) + 1
        if age == 0:
            p["reviews_today"] = int(str(p["reviews_today"])) + 1
            p["minutes_today"] = float(str(p["minutes_today"])) + e.duration / 60
            if e.rating == 1:
                p["again_today"] = int(str(p["again_today"])) + 1
        if prior_review:
            for span in (7, 30):
                if age < span:
                    window[epw][span][1] += 1
                    window[epw][span][0] += e.rating > 1
    total = blank()
    for pw, p in per.items():
        w = window.get(pw, {7: [0, 0], 30: [0, 0]})
        p["true_retention"] = {"7d": _retention(*w[7]), "30d": _retention(*w[30])}
        p["minutes_today"] = round(float(str(p["minutes_today"])), 1)
        for key in ("reviews_today", "reviews_total", "again_today"):
            total[key] = int(str(total[key])) + int(str(p[key]))
        total["minutes_today"] = round(
            float(str(total["minutes_today"])) + float(str(p["minutes_today"])), 1
        )
        tc, pc = total["cards"], p["cards"]
        assert isinstance(tc, dict) and isinstance(pc, dict)
        for k in tc:
            tc[k] += pc[k]
        tf, pf = total["forecast"], p["forecast"]
        assert isinstance(tf, list) and isinstance(pf, list)
        for i in range(FORECAST_DAYS):
            tf[i] += pf[i]
    t7 = [sum(w[7][i] for w in window.values()) for i in (0, 1)]
    t30 = [sum(w[30][i] for w in window.values()) for i in (0, 1)]
    total["true_retention"] = {"7d": _retention(*t7), "30d": _retention(*t30)}
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    heatmap = {
        (first + timedelta(days=i)).isoformat(): heat.get(
            (first + timedelta(days=i)).isoformat(), 0
        )
        for i in range(HEATMAP_DAYS)
    }
    return {
        "today": today.isoformat(),
        "total": total,
        "pathways": per,
        "heatmap": heatmap,
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
