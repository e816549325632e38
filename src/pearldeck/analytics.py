"""The study report from blocks, exams, pearls and reviews: pure computations, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Event, Pearl
from pearldeck.readiness import _exam_row, bands, readiness, slope
from pearldeck.records import MISS_KINDS, Block, Exam
from pearldeck.report_types import (
    BlockRow,
    ErrorMix,
    PathwayRow,
    PearlsPerBlock,
    Report,
    StudyNext,
    Tally,
    WeekRow,
)
from pearldeck.scheduler import REVIEW, CardState, iso, make_scheduler, retrievability
from pearldeck.settings import Settings
from pearldeck.status import StatusRow
from pearldeck.studyday import day_start, study_day

REPORT_VERSION = 1
RETENTION_DAYS = 30
RECENT_BLOCKS = 5
"""'Recent' for the study-next suggestion: the last blocks that logged pathway misses."""
TREND_STEP = 0.05
"""A share that moves less than 5 points between the halves is called steady."""
MIN_RETENTION_REVIEWS = 10
"""Fewer reviews than this in the window and a pathway's retention is not compared."""
DEFAULT_TARGET = 240


def compute_report(
    blocks: Sequence[Block],
    exams: Sequence[Exam],
    pearls: Sequence[Pearl],
    events: Sequence[Event],
    card_pathways: Mapping[str, str],
    recall_now: Mapping[str, float],
    *,
    now: datetime,
    day_starts_at: int,
    target: int = DEFAULT_TARGET,
    since: date | None = None,
) -> Report:
    """Everything `pearls report` shows.

    `events` are the review events (not undone, oldest first), `card_pathways` maps every
    live card to its pathway and `recall_now` the reviewed cards to their current
    retrievability. `since` limits blocks and exams; retention always covers the last
    30 study days.
    """
    today = study_day(now, day_starts_at)
    if since is not None:
        blocks = [b for b in blocks if b.date >= since.isoformat()]
        exams = [e for e in exams if e.date >= since.isoformat()]
    blocks = sorted(blocks, key=lambda b: (b.date, b.time, b.id))
    exams = sorted(exams, key=lambda e: (e.date, e.time, e.id))
    pathways = _pathways(blocks, pearls, events, card_pathways, recall_now, today, day_starts_at)
    scaled = [e for e in exams if e.score is not None]
    return {
        "version": REPORT_VERSION,
        "today": today.isoformat(),
        "since": since.isoformat() if since else None,
        "target": target,
        "bands": bands(target),
        "totals": tally(blocks),
        "by_day": [{"date": d, **tally(bs)} for d, bs in _group(blocks, lambda b: b.date)],
        "by_week": _weeks(blocks),
        "by_source": [{"source": s, **tally(bs)} for s, bs in _group(blocks, lambda b: b.source)],
        "error_mix": error_mix(blocks),
        "pathways": pathways,
        "pathway_blocks": sum(1 for b in blocks if b.pathway_misses),
        "blocks": _block_rows(blocks, pearls),
        "pearls_per_block": _pearls_per_block(blocks, pearls),
        "exams": [_exam_row(e, target) for e in exams],
        "readiness": readiness(scaled, target, today, has_percent=len(scaled) < len(exams)),
        "study_next": study_next(pathways, blocks),
    }


def recall_now(
    statuses: Mapping[str, StatusRow],
    card_pathways: Mapping[str, str],
    settings: Settings,
    now: datetime,
) -> dict[str, float]:
    """Current retrievability of every live, reviewed, unsuspended card."""
    scheduler = make_scheduler(settings)
    out: dict[str, float] = {}
    for card in card_pathways:
        s = statuses.get(card)
        if s is None or s.suspended or s.stability is None or s.last_review is None:
            continue
        memory = CardState(
            stability=s.stability, last_review=datetime.fromtimestamp(s.last_review, UTC)
        )
        r = retrievability(scheduler, memory, now)
        if r is not None:
            out[card] = r
    return out


# blocks -------------------------------------------------------------------------


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def tally(blocks: Iterable[Block]) -> Tally:
    bs = list(blocks)
    questions = sum(b.questions for b in bs)
    correct = sum(b.correct for b in bs)
    minutes = sum(b.minutes for b in bs)
    return {
        "blocks": len(bs),
        "questions": questions,
        "correct": correct,
        "accuracy": _ratio(correct, questions),
        "minutes": round(minutes, 1),
        "seconds_per_question": _ratio(minutes * 60, questions, 1),
    }


def week_of(day: str) -> str:
    """The Monday of the ISO week a date falls in."""
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def _group(blocks: Sequence[Block], key: Callable[[Block], str]) -> list[tuple[str, list[Block]]]:
    groups: dict[str, list[Block]] = {}
    for b in blocks:
        groups.setdefault(key(b), []).append(b)
    return sorted(groups.items())


def _shares(counts: Mapping[str, int]) -> dict[str, float | None]:
    total = sum(counts.values())
    return {k: _ratio(counts.get(k, 0), total) for k in MISS_KINDS}


def _sum_misses(blocks: Iterable[Block]) -> dict[str, int]:
    out = dict.fromkeys(MISS_KINDS, 0)
    for b in blocks:
        for k, n in b.misses.items():
            out[k] += n
    return out


def _weeks(blocks: Sequence[Block]) -> list[WeekRow]:
    rows: list[WeekRow] = []
    for week, bs in _group(blocks, lambda b: week_of(b.date)):
        misses = _sum_misses(bs)
        rows.append({"week": week, **tally(bs), "misses": misses, "error_mix": _shares(misses)})
    return rows


def error_mix(blocks: Sequence[Block]) -> ErrorMix:
    """What the misses were: overall, earlier vs later half of the blocks, per-week slope.

    Halves split the blocks that logged causes, by count in date order; an odd middle
    block belongs to neither half, so both halves weigh the same number of blocks.
    """
    logged = [b for b in blocks if sum(b.misses.values())]
    misses = _sum_misses(logged)
    half = len(logged) // 2
    earlier = _shares(_sum_misses(logged[:half])) if half else dict.fromkeys(MISS_KINDS)
    later = (
        _shares(_sum_misses(logged[len(logged) - half :])) if half else dict.fromkeys(MISS_KINDS)
    )
    trend: dict[str, str | None] = {}
    for k in MISS_KINDS:
        a, b = earlier[k], later[k]
        if a is None or b is None:
            trend[k] = None
        elif b - a >= TREND_STEP:
            trend[k] = "rising"
        elif a - b >= TREND_STEP:
            trend[k] = "falling"
        else:
            trend[k] = "steady"
    weeks = [w for w in _weeks(logged) if sum(w["misses"].values())]
    slopes: dict[str, float | None] = dict.fromkeys(MISS_KINDS)
    if len(weeks) >= 3:
        first = date.fromisoformat(weeks[0]["week"])
        for k in MISS_KINDS:
            pts = [
                ((date.fromisoformat(w["week"]) - first).days / 7, w["error_mix"][k] or 0.0)
                for w in weeks
            ]
            s = slope(pts)
            slopes[k] = None if s is None else round(s, 4)
    return {
        "misses": misses,
        "classified": sum(misses.values()),
        "shares": _shares(misses),
        "halves": [half, half],
        "earlier_half": earlier,
        "later_half": later,
        "slope_per_week": slopes,
        "trend": trend,
    }


def _pearls_by_block(pearls: Sequence[Pearl]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in pearls:
        if p.block:
            out[p.block] = out.get(p.block, 0) + 1
    return out


def _block_rows(blocks: Sequence[Block], pearls: Sequence[Pearl]) -> list[BlockRow]:
    written = _pearls_by_block(pearls)
    return [
        {
            "id": b.id,
            "date": b.date,
            "source": b.source,
            "mode": b.mode,
            "questions": b.questions,
            "correct": b.correct,
            "accuracy": round(b.accuracy, 4),
            "minutes": b.minutes,
            "seconds_per_question": round(b.minutes * 60 / b.questions, 1),
            "misses": dict(b.misses),
            "pathway_misses": dict(b.pathway_misses),
            "pearls": written.get(b.id, 0),
        }
        for b in blocks
    ]


def _pearls_per_block(blocks: Sequence[Block], pearls: Sequence[Pearl]) -> PearlsPerBlock:
    written = _pearls_by_block(pearls)
    ids = {b.id for b in blocks}
    linked = sum(written.get(i, 0) for i in ids)
    return {
        "blocks": len(blocks),
        "pearls": linked,
        "mean": _ratio(linked, len(blocks), 2),
        "unknown_block_pearls": sum(n for i, n in written.items() if i not in ids),
    }


# pathways -----------------------------------------------------------------------


def _pathways(
    blocks: Sequence[Block],
    pearls: Sequence[Pearl],
    events: Sequence[Event],
    card_pathways: Mapping[str, str],
    recall_now: Mapping[str, float],
    today: date,
    day_starts_at: int,
) -> list[PathwayRow]:
    tagged = [b for b in blocks if b.pathway_misses]
    recent = tagged[-RECENT_BLOCKS:]
    total_misses = sum(sum(b.pathway_misses.values()) for b in tagged)
    # true retention as in `pearls stats`: answers to cards that were in review state
    cutoff = iso(day_start(today - timedelta(days=RETENTION_DAYS - 1), day_starts_at))
    passed = dict.fromkeys(PATHWAYS, 0)
    asked = dict.fromkeys(PATHWAYS, 0)
    was_review: dict[str, bool] = {}
    for e in events:
        prior = was_review.get(e.card, False)
        was_review[e.card] = e.result_state == REVIEW
        if prior and e.time >= cutoff:
            pw = card_pathways.get(e.card)
            if pw in asked:
                asked[pw] += 1
                passed[pw] += e.rating > 1
    recall: dict[str, list[float]] = {p: [] for p in PATHWAYS}
    for card, r in recall_now.items():
        pw = card_pathways.get(card)
        if pw in recall:
            recall[pw].append(r)
    rows: list[PathwayRow] = []
    for pw in PATHWAYS:
        misses = sum(b.pathway_misses.get(pw, 0) for b in tagged)
        mine = [p for p in pearls if p.pathway == pw]
        rs = recall[pw]
        rows.append(
            {
                "pathway": pw,
                "title": PATHWAY_TITLES[pw],
                "misses": misses,
                "miss_share": _ratio(misses, total_misses),
                "recent_misses_per_block": (
                    _ratio(sum(b.pathway_misses.get(pw, 0) for b in recent), len(recent), 2)
                ),
                "pearls": len(mine),
                "pearls_from_blocks": sum(1 for p in mine if p.block),
                "reviews_30d": asked[pw],
                "retention_30d": _ratio(passed[pw], asked[pw]),
                "cards_reviewed": len(rs),
                "recall_now": round(sum(rs) / len(rs), 4) if rs else None,
            }
        )
    return rows


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def study_next(pathways: Sequence[PathwayRow], blocks: Sequence[Block]) -> StudyNext:
    """The pathway with the most misses per recent block, else the lowest retention."""
    ret = {
        p["pathway"]: p["retention_30d"]
        for p in pathways
        if p["retention_30d"] is not None and p["reviews_30d"] >= MIN_RETENTION_REVIEWS
    }
    weakest = min(ret, key=lambda k: (ret[k], PATHWAYS.index(k))) if ret else None
    missed = [p for p in pathways if p["recent_misses_per_block"]]
    n_recent = min(RECENT_BLOCKS, sum(1 for b in blocks if b.pathway_misses))
    if missed:
        # ties: the pathway whose pearls are retained worse goes first
        top = max(
            missed,
            key=lambda p: (
                p["recent_misses_per_block"] or 0.0,
                -(ret.get(p["pathway"]) or 1.0),
                -PATHWAYS.index(p["pathway"]),
            ),
        )
        name = top["pathway"]
        blocks_words = "your last block" if n_recent == 1 else f"your last {n_recent} blocks"
        reason = (
            f"Study {name} next: {top['recent_misses_per_block']:.1f} misses per block over "
            f"{blocks_words}, the most of any pathway"
        )
        if name in ret:
            reason += f"; its pearls are retained at {_pct(ret[name])} over 30 days"
        reason += "."
        if weakest and weakest != name and ret[weakest] < ret.get(name, 1.0):
            reason += (
                f" Also review your {weakest} pearls: the lowest retention, "
                f"{_pct(ret[weakest])} over 30 days."
            )
        return {"pathway": name, "reason": reason}
    if weakest:
        return {
            "pathway": weakest,
            "reason": (
                f"Study {weakest} next: its pearls have the lowest retention, "
                f"{_pct(ret[weakest])} over 30 days. Log blocks with --pathway-misses "
                "to weigh in your question misses too."
            ),
        }
    return {
        "pathway": None,
        "reason": (
            "Not enough data to suggest a pathway: log blocks with --pathway-misses, "
            "and keep reviewing."
        ),
    }


# practice exams ---------------------------------------------------------------------
