"""The study report as data: what `analytics.compute_report` returns and the shells show."""

from __future__ import annotations

from typing import TypedDict


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
