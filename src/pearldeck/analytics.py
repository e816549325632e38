"""The study report from blocks, exams, pearls and reviews: pure computations, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict

from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Event, Pearl
from pearldeck.records import MISS_KINDS, Block, Exam
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
STALE_EXAM_DAYS = 21
DEFAULT_TARGET = 240


class Tally(TypedDict):
    """Totals over some blocks."""

    blocks: int
    questions: int
    correct: int
    accuracy: float | None
    minutes: float
    seconds_per_question: float | None


class DayRow(Tally):
    date: str


class WeekRow(Tally):
    week: str
    """Monday of the ISO week."""
    misses: dict[str, int]
    """Logged misses by cause (MISS_KINDS)."""
    error_mix: dict[str, float | None]
    """Each cause's share of the week's logged misses."""


class SourceRow(Tally):
    source: str


class ErrorMix(TypedDict):
    """Causes of misses: counts, shares, earlier vs later half, weekly slope, trend word."""

    misses: dict[str, int]
    classified: int
    shares: dict[str, float | None]
    halves: list[int]
    """How many blocks (with causes logged) are in the earlier and the later half."""
    earlier_half: dict[str, float | None]
    later_half: dict[str, float | None]
    slope_per_week: dict[str, float | None]
    """Least-squares slope of the weekly share, per week; None under 3 weeks."""
    trend: dict[str, str | None]
    """rising, falling or steady (later minus earlier half), None without two halves."""


class PathwayRow(TypedDict):
    pathway: str
    title: str
    misses: int
    miss_share: float | None
    """Share of all pathway-tagged misses: not accuracy (questions per pathway are unknown)."""
    recent_misses_per_block: float | None
    pearls: int
    pearls_from_blocks: int
    reviews_30d: int
    """Reviews of cards that were in review state, in the last 30 study days."""
    retention_30d: float | None
    """Share of those not rated again."""
    cards_reviewed: int
    recall_now: float | None
    """Mean current retrievability of its reviewed, unsuspended cards."""


class BlockRow(TypedDict):
    id: str
    date: str
    source: str
    mode: str
    questions: int
    correct: int
    accuracy: float
    minutes: float
    seconds_per_question: float
    misses: dict[str, int]
    pathway_misses: dict[str, int]
    pearls: int
    """Pearls whose `block` field names this block."""


class PearlsPerBlock(TypedDict):
    blocks: int
    pearls: int
    mean: float | None
    unknown_block_pearls: int
    """Pearls naming a block id that is not in the log."""


class Band(TypedDict):
    name: str
    min: int | None
    max: int | None


class ExamRow(TypedDict):
    id: str
    date: str
    name: str
    form: str
    score: int | None
    percent: float | None
    band: str | None


class Readiness(TypedDict):
    status: str
    """on_track, close, not_yet or not_enough_data."""
    verdict: str
    latest: list[int]
    """The (up to two) most recent scaled scores, oldest first."""
    score_trend_per_week: float | None


class StudyNext(TypedDict):
    pathway: str | None
    reason: str


class Report(TypedDict):
    """`pearls report --json`: this shape is stable; new keys may be added, none removed."""

    version: int
    today: str
    since: str | None
    target: int
    bands: list[Band]
    totals: Tally
    by_day: list[DayRow]
    by_week: list[WeekRow]
    by_source: list[SourceRow]
    error_mix: ErrorMix
    pathways: list[PathwayRow]
    pathway_blocks: int
    """Blocks that logged misses by pathway."""
    blocks: list[BlockRow]
    pearls_per_block: PearlsPerBlock
    exams: list[ExamRow]
    readiness: Readiness
    study_next: StudyNext


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


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


def _tally_line(t: Tally) -> str:
    return (
        f"{t['blocks']:>7}{t['questions']:>10}{_p(t['accuracy']):>9}"
        f"{_n(t['seconds_per_question']):>7}"
    )


def format_report(r: Report, *, days: int = 14) -> str:
    """Readable sections for the terminal."""
    out: list[str] = []
    t = r["totals"]
    since = f" since {r['since']}" if r["since"] else ""
    out.append(f"Study report, {r['today']}{since}")
    out.append("")
    if not t["blocks"]:
        out.append("Question blocks: none logged yet (`pearls block add ...`).")
    else:
        out.append(
            f"Question blocks: {t['blocks']}, {t['questions']} questions, "
            f"{_p(t['accuracy'])} correct, {_n(t['seconds_per_question'])} s per question"
        )
        head = f"{'blocks':>7}{'questions':>10}{'correct':>9}{'sec/q':>7}"
        out += ["", "Accuracy by week (week of)", f"  {'':<12}{head}"]
        out += [f"  {w['week']:<12}{_tally_line(w)}" for w in r["by_week"]]
        shown = r["by_day"][-days:]
        more = len(r["by_day"]) - len(shown)
        title = "Accuracy by day" + (f" (last {days} days with blocks)" if more > 0 else "")
        out += ["", title, f"  {'':<12}{head}"]
        out += [f"  {d['date']:<12}{_tally_line(d)}" for d in shown]
        out += ["", "Accuracy by source", f"  {'':<12}{head}"]
        out += [f"  {s['source']:<12}{_tally_line(s)}" for s in r["by_source"]]
        out += ["", *_format_error_mix(r["error_mix"])]
    out += ["", *_format_pathways(r)]
    ppb = r["pearls_per_block"]
    if ppb["blocks"]:
        out += [
            "",
            f"Pearls written per block: {ppb['mean']:.1f} on average "
            f"({ppb['pearls']} pearls linked to {ppb['blocks']} blocks with --block).",
        ]
    out += ["", "Practice exams"]
    if not r["exams"]:
        out.append('  none logged yet (`pearls exam add "NBME 12" 238`)')
    for e in r["exams"]:
        result = str(e["score"]) if e["score"] is not None else f"{e['percent']:g}%"
        out.append(f"  {e['date']}  {e['name']:<20}{result:>6}  {e['band'] or ''}")
    out += ["", f"Readiness (target {r['target']}): {r['readiness']['verdict']}"]
    out += ["", r["study_next"]["reason"]]
    return "\n".join(out)


def _format_error_mix(m: ErrorMix) -> list[str]:
    if not m["classified"]:
        return ["Error mix: no miss causes logged (use --misses knowledge=6,misread=3,...)."]
    out = [
        f"Error mix: share of the {m['classified']} misses with a logged cause",
        f"  {'cause':<12}{'all':>6}{'earlier':>9}{'later':>7}  trend",
    ]
    for k in MISS_KINDS:
        out.append(
            f"  {k:<12}{_p(m['shares'][k]):>6}{_p(m['earlier_half'][k]):>9}"
            f"{_p(m['later_half'][k]):>7}  {m['trend'][k] or ''}"
        )
    n = m["halves"][0]
    if n == 1:
        out.append("  (earlier = your first block with causes logged, later = your last)")
    elif n:
        out.append(f"  (earlier = your first {n} blocks with causes logged, later = your last {n})")
    return out


def _format_pathways(r: Report) -> list[str]:
    out = ["Pathways"]
    if r["pathway_blocks"]:
        out.append(
            "  Questions per pathway are not logged, so 'miss share' is each pathway's share "
            f"of the misses you tagged in {r['pathway_blocks']} block(s), not its accuracy."
        )
    else:
        out.append("  No misses tagged by pathway yet (use --pathway-misses acute=4,...).")
    out.append(
        f"  {'pathway':<15}{'misses':>7}{'share':>7}{'recent/blk':>12}{'pearls':>8}"
        f"{'retained 30d':>14}{'recall now':>12}"
    )
    for p in r["pathways"]:
        ret = f"{_p(p['retention_30d'])} ({p['reviews_30d']})"
        recent = p["recent_misses_per_block"]
        out.append(
            f"  {p['pathway']:<15}{p['misses']:>7}{_p(p['miss_share']):>7}"
            f"{'–' if recent is None else f'{recent:.1f}':>12}{p['pearls']:>8}"
            f"{ret:>14}{_p(p['recall_now']):>12}"
        )
    out.append(
        "  retained 30d: reviews of mature cards not answered 'again' (count in brackets); "
        "recall now: mean predicted recall of reviewed cards today."
    )
    return out
