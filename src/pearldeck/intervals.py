"""Anki's interval rules around FSRS: rounding, fuzz ranges, and button order.

Pure arithmetic (no fsrs, no clock): the scheduler feeds it FSRS's raw intervals.
"""

from __future__ import annotations

import hashlib
import math

# (start, end, factor): fuzz grows by `factor` a day over each range, as in Anki
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def anki_round(x: float) -> int:
    """Rust's f32::round: halves away from zero (Python's round() goes to even)."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def fuzz_factor(seed: str) -> float:
    """A number in [0, 1) fixed by `seed` (card and history), so replay is deterministic."""
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:7], "big") / 2**56


def fuzz_delta(interval: float) -> float:
    """How far fuzz may move an interval either way (none below 2.5 days)."""
    if interval < 2.5:
        return 0.0
    return 1.0 + sum(f * max(min(interval, end) - start, 0.0) for start, end, f in FUZZ_RANGES)


def fuzz_range(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """The days a fuzzed `interval` may land on, kept within [minimum, maximum]; at least
    two days wide where the bounds allow it and the interval is over 2 days."""
    minimum = min(max(minimum, 1), maximum)
    interval = min(max(interval, minimum), maximum)
    delta = fuzz_delta(interval)
    lower = min(max(anki_round(interval - delta), minimum), maximum)
    upper = min(max(anki_round(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def constrain(interval: float, minimum: int, maximum: int, factor: float | None) -> int:
    """Days for a raw FSRS interval: at least `minimum` (and 1), at most `maximum`,
    fuzzed within `fuzz_range` when `factor` is given, else rounded."""
    if factor is None:
        return min(max(anki_round(interval), min(max(minimum, 1), maximum)), maximum)
    lower, upper = fuzz_range(interval, minimum, maximum)
    return math.floor(lower + factor * (1 + upper - lower))


def review_days(
    hard: float, good: float, easy: float, last: int, maximum: int, factor: float | None
) -> tuple[int, int, int]:
    """A review card's passing intervals, strictly ordered Hard < Good < Easy (when
    the maximum interval allows), none made shorter than the `last` one by fuzz."""
    h = constrain(hard, max(not_below(hard, last, maximum), 1), maximum, factor)
    g = constrain(good, max(not_below(good, last, maximum), h + 1), maximum, factor)
    e = constrain(easy, max(not_below(easy, last, maximum), g + 1), maximum, factor)
    return h, g, e


def not_below(interval: float, last: int, maximum: int) -> int:
    """Anki's floor for a review interval given the card's `last` one: past it if FSRS's
    interval grew; the last one itself if that is within the fuzz range; else none."""
    if anki_round(interval) > last:
        return last + 1
    return last if last <= fuzz_range(interval, 1, maximum)[1] else 0


def graduating_days(interval: float, maximum: int, factor: float | None) -> int:
    """A (re)learning card leaving its steps on Again, Hard or Good."""
    return constrain(max(anki_round(interval), 1), 1, maximum, factor)


def easy_from_steps(good: float, easy: float, maximum: int, factor: float | None) -> int:
    """Easy on a (re)learning card: always at least a day more than Good would give."""
    g = constrain(good, 1, maximum, factor)
    return constrain(max(anki_round(easy), 1), g + 1, maximum, factor)
