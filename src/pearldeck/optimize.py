"""FSRS parameters and desired retention fitted to the user's own reviews (fsrs-rs-python).

Training data follows Anki's optimizer: a card's reviews become one FSRS item per review
made on a later study day than the card's previous review, holding every review up to
it. delta_t is counted exactly as the scheduler counts elapsed time
(`studyday.days_elapsed`: whole days from the previous review to the end of this
review's study day), so the parameters are fitted to the time the scheduler sees;
same-day reviews have delta_t 0. Items are ordered by the time of their last review,
since fsrs-rs weights recent items more. Fitting needs at least MIN_REVIEWS such reviews on at least
MIN_CARDS cards: below that the fit mostly echoes the defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import fsrs_rs_python as fr

from pearldeck.model import Event
from pearldeck.scheduler import LEARNING, NEW, RELEARNING, REVIEW, make_scheduler
from pearldeck.settings import Settings
from pearldeck.studyday import day_end, study_day

MIN_REVIEWS = 400
"""Reviews on a later day than the card's previous one: what FSRS learns from."""
MIN_CARDS = 64
"""Cards with at least one such review."""
N_PARAMETERS = 21
"""py-fsrs 6 (our scheduler) and fsrs-rs-python 0.9 both use FSRS-6's 21 parameters."""
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(round(p, 4) for p in fr.DEFAULT_PARAMETERS)
TABLE_RETENTIONS = (0.75, 0.80, 0.85, 0.90, 0.95)
SUGGESTED_RANGE = (0.80, 0.95)
"""Bounds on the suggested retention (the settings file allows 0.70–0.99)."""
SIMULATED_DAYS = 365
MIN_DECK = 200
"""Smallest deck simulated: a young collection still grows."""
MIN_RATING_SAMPLES = 50
MIN_COST_SAMPLES = 20
SEED = 42
_COST_ROW = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}
"""The simulator's cost rows: learning, review, relearning."""
T = TypeVar("T")


class OptimiseError(Exception):
    """fsrs-rs-python refused the data or gave something unusable."""


@dataclass(frozen=True)
class History:
    """The review history in the form fsrs-rs trains on."""

    reviews: int
    cards: int
    items: list[fr.FSRSItem] = field(repr=False)
    training_cards: int
    first_ratings: tuple[int, int, int, int]
    """How often a card's first rating was again, hard, good, easy."""
    review_ratings: tuple[int, int, int]
    """Passing answers (hard, good, easy) to cards in review state."""
    costs: dict[tuple[int, int], tuple[float, int]] = field(repr=False)
    """(state row 0 learning/1 review/2 relearning, rating) -> (total seconds, count)."""

    @property
    def training_reviews(self) -> int:
        return len(self.items)

    @property
    def enough(self) -> bool:
        return self.training_reviews >= MIN_REVIEWS and self.training_cards >= MIN_CARDS

    def shortfall(self) -> str:
        """What is missing, in words; empty when there is enough."""
        more = []
        if self.training_reviews < MIN_REVIEWS:
            more.append(f"{MIN_REVIEWS - self.training_reviews} more reviews")
        if self.training_cards < MIN_CARDS:
            more.append(f"reviews on {MIN_CARDS - self.training_cards} more cards")
        if not more:
            return ""
        return (
            f"FSRS learns from reviews made on a later day than the card's previous review; "
            f"it needs at least {MIN_REVIEWS} of them on at least {MIN_CARDS} cards. "
            f"You have {self.training_reviews} on {self.training_cards} cards: "
            f"keep reviewing ({' and '.join(more)}), then run `pearls optimize` again."
        )


ReviewRow = tuple[str, str, int, float, int | None]
"""A review as fitting reads it: card id, UTC time, rating, seconds, FSRS state after."""


def build_history(events: Iterable[Event], day_starts_at: int) -> History:
    """The history of these events (oldest first)."""
    rows = ((e.card, e.time, e.rating, e.duration, e.result_state) for e in events)
    return history_from_rows(rows, day_starts_at)


def history_from_rows(rows: Iterable[ReviewRow], day_starts_at: int) -> History:
    """One pass over the reviews (oldest first), grouped by card as they come.

    Half a million reviews run through this loop, so it reads plain tuples and shares
    one FSRSReview per (rating, delta_t): a few thousand objects that stay in the CPU
    cache while fsrs-rs copies them into every item that holds them.
    """
    day_of = study_day_counter(day_starts_at)
    review, item = fr.FSRSReview, fr.FSRSItem  # bound once: this loop runs per review
    same_day = [review(rating, 0) for rating in range(5)]  # indexed by rating (0 unused)
    later: dict[int, fr.FSRSReview] = {}  # delta_t * 4 + rating -> FSRSReview
    end_of = day_end_counter(day_starts_at)
    # card -> [its reviews so far, UTC second of the last one, FSRS state after it]
    cards: dict[str, list[Any]] = {}
    items: list[fr.FSRSItem] = []
    trained: set[str] = set()
    first = [0, 0, 0, 0]
    passed = [0, 0, 0]
    seconds = [0.0] * 12  # [cost row * 4 + rating - 1]
    counts = [0] * 12
    n = 0
    hour = ""  # the UTC hour of the last review, its _day_base and its epoch second
    base: int | None = None
    hour_secs = 0
    for card_id, time, rating, duration, after in rows:
        if not 1 <= rating <= 4:
            continue
        n += 1
        if time[:13] != hour:  # day_of inlined: reviews come in time order, hours repeat
            hour = time[:13]
            base = _day_base(hour, day_starts_at)
            hour_secs = int(datetime.fromisoformat(hour + ":00:00+00:00").timestamp())
        day = day_of(time) if base is None else (base + int(time[14:16])) // 1440
        secs = hour_secs + int(time[14:16]) * 60 + int(time[17:19])
        card = cards.get(card_id)
        if card is None:
            card = cards[card_id] = [[same_day[rating]], secs, NEW]
            first[rating - 1] += 1
            prior = NEW
        else:
            seen, last, prior = card
            delta = (end_of(day) - last) // 86400
            if delta > 0:
                r = later.get(delta * 4 + rating)
                if r is None:
                    r = later[delta * 4 + rating] = review(rating, delta)
                seen.append(r)
                items.append(item(seen))
                trained.add(card_id)
            else:  # same study day, or a clock set back
                seen.append(same_day[rating])
            card[1] = secs
            if prior == REVIEW and rating > 1:
                passed[rating - 2] += 1
        if duration > 0:
            k = _COST_ROW.get(prior, 1) * 4 + rating - 1
            seconds[k] += duration
            counts[k] += 1
        card[2] = after if after is not None else REVIEW
    costs = {(k // 4, k % 4 + 1): (seconds[k], counts[k]) for k in range(12) if counts[k]}
    return History(
        reviews=n,
        cards=len(cards),
        items=items,
        training_cards=len(trained),
        first_ratings=(first[0], first[1], first[2], first[3]),
        review_ratings=(passed[0], passed[1], passed[2]),
        costs=costs,
    )


def _day_base(hour: str, day_starts_at: int) -> int | None:
    """Local minutes (less the day start) at a UTC hour 'YYYY-MM-DDTHH'; None if the
    clock changes inside it. A time in that hour is on study day (base + minute) // 1440.
    """
    start = datetime.fromisoformat(hour + ":00:00+00:00")
    offset = start.astimezone().utcoffset()
    if offset is None or offset != (start + timedelta(hours=1)).astimezone().utcoffset():
        return None
    local = start.date().toordinal() * 1440 + start.hour * 60
    return local + int(offset.total_seconds() // 60) - day_starts_at * 60


def study_day_counter(day_starts_at: int) -> Callable[[str], int]:
    """Study-day ordinal of an event time, fast: one time-zone lookup per UTC hour."""
    bases: dict[str, int | None] = {}

    def day_of(time: str) -> int:
        key = time[:13]  # 'YYYY-MM-DDTHH'
        base = bases.get(key, -1)
        if base == -1:
            base = bases[key] = _day_base(key, day_starts_at)
        if base is None:  # a clock change inside this hour: work it out per event
            moment = datetime.fromisoformat(time[:19] + "+00:00")
            return study_day(moment, day_starts_at).toordinal()
        return (base + int(time[14:16])) // 1440

    return day_of


def day_end_counter(day_starts_at: int) -> Callable[[int], int]:
    """The UTC second a study day (by ordinal) ends, cached: `days_elapsed`'s end of day."""
    ends: dict[int, int] = {}

    def end_of(day: int) -> int:
        end = ends.get(day)
        if end is None:
            end = ends[day] = int(day_end(date.fromordinal(day), day_starts_at).timestamp())
        return end

    return end_of


def complete(parameters: Sequence[float]) -> tuple[float, ...]:
    """21 parameters for py-fsrs 6, rounded as settings.toml stores them.

    Older FSRS versions' 17 or 19 parameters are filled in by fsrs-rs-python the way
    Anki does (FSRS-5 -> 6 adds w19 = 0 and the FSRS-5 decay w20 = 0.5).
    """
    ps = list(parameters)
    if not ps:
        return DEFAULT_PARAMETERS
    if len(ps) != N_PARAMETERS:
        if len(ps) not in (17, 19):
            raise OptimiseError(
                f"got {len(ps)} FSRS parameters; pearldeck's scheduler uses {N_PARAMETERS}"
            )
        ps = list(fr.check_and_fill_parameters(ps))
    return tuple(round(p, 4) for p in ps)


@dataclass(frozen=True)
class Fit:
    """A parameter set and how well it predicts the history (lower is better)."""

    parameters: tuple[float, ...]
    log_loss: float
    rmse_bins: float

    def as_dict(self) -> dict[str, object]:
        return {
            "parameters": list(self.parameters),
            "log_loss": round(self.log_loss, 5),
            "rmse_bins": round(self.rmse_bins, 5),
        }


def _call(what: str, fn: Callable[..., T], *args: object, **kw: object) -> T:
    """Run an fsrs-rs-python function; its errors and Rust panics become OptimiseError."""
    try:
        return fn(*args, **kw)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # a Rust panic arrives as a BaseException
        raise OptimiseError(f"fsrs-rs-python could not {what}: {e}") from None


def evaluate(history: History, parameters: Sequence[float]) -> Fit:
    """Log loss and RMSE(bins) of the parameters' predicted recall on the history."""
    ps = complete(parameters)
    ev = _call("evaluate the parameters", fr.FSRS(list(ps)).evaluate, history.items)
    return Fit(ps, float(ev.log_loss), float(ev.rmse_bins))


def fit(history: History, settings: Settings) -> Fit:
    """Fit parameters to the history and check the scheduler accepts them."""
    if not history.items:
        raise OptimiseError("no reviews on a later day than the previous one: nothing to fit")
    raw = _call(
        "fit parameters",
        fr.FSRS(list(fr.DEFAULT_PARAMETERS)).compute_parameters,
        history.items,
        enable_short_term=True,
        num_relearning_steps=len(settings.relearning_steps),
    )
    params = complete(raw)
    try:
        make_scheduler(replace(settings, parameters=params))
    except ValueError as e:
        raise OptimiseError(f"the fitted parameters are outside FSRS's bounds: {e}") from None
    return evaluate(history, params)


# desired retention --------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """One simulated year at one desired retention."""

    retention: float
    minutes_per_day: float
    remembered: float
    """Expected number of cards recalled at the end (sum of their retrievability)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "retention": self.retention,
            "minutes_per_day": round(self.minutes_per_day, 1),
            "remembered": round(self.remembered),
        }


@dataclass(frozen=True)
class RetentionAdvice:
    """The suggested desired retention and the workload table behind it."""

    current: float
    suggested: float
    efficient: float
    """fsrs-rs's optimum before SUGGESTED_RANGE is applied."""
    basis: str
    table: list[Workload]

    def as_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "suggested": self.suggested,
            "efficient": self.efficient,
            "basis": self.basis,
            "table": [w.as_dict() for w in self.table],
        }


def simulator_config(history: History, settings: Settings, deck_size: int) -> fr.SimulatorConfig:
    """fsrs-rs's default simulation, with this user's deck, pace, ratings and answer times."""
    cfg = fr.default_simulator_config()
    cfg.deck_size = max(deck_size, MIN_DECK)
    cfg.learn_span = SIMULATED_DAYS
    cfg.learn_limit = max(1, settings.new_per_day)
    cfg.max_cost_perday = 86400.0  # no daily time cap: compare retentions on equal terms
    cfg.max_ivl = float(settings.maximum_interval)
    cfg.learning_step_count = len(settings.learning_steps)
    cfg.relearning_step_count = len(settings.relearning_steps)
    if sum(history.first_ratings) >= MIN_RATING_SAMPLES:
        cfg.first_rating_prob = _shares(history.first_ratings)
    if sum(history.review_ratings) >= MIN_RATING_SAMPLES:
        cfg.review_rating_prob = _shares(history.review_ratings)
    costs = [list(row) for row in cfg.state_rating_costs]
    for (row, rating), (total, count) in history.costs.items():
        if count >= MIN_COST_SAMPLES:
            costs[row][rating - 1] = total / count
    cfg.state_rating_costs = costs
    return cfg


def _shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts]


def simulate(cfg: fr.SimulatorConfig, parameters: Sequence[float], retention: float) -> Workload:
    result = _call("simulate reviews", fr.simulate, list(parameters), retention, cfg, SEED)
    minutes = sum(result.cost_per_day) / 60 / max(1, len(result.cost_per_day))
    remembered = result.memorized_cnt_per_day[-1] if result.memorized_cnt_per_day else 0.0
    return Workload(round(retention, 2), minutes, float(remembered))


def suggest_retention(
    history: History, settings: Settings, parameters: Sequence[float], deck_size: int
) -> RetentionAdvice:
    """A desired retention from fsrs-rs's optimum, kept within SUGGESTED_RANGE.

    fsrs-rs simulates a year of study (the given parameters; the user's deck size, new
    cards a day, first and passing rating shares and mean answer times, its defaults where
    the history has too few samples) and finds the retention with the least review time
    per card remembered. That optimum often sits at its 0.70 floor, which is efficient
    but forgets too much for a board exam, so the suggestion is never below 0.80.
    """
    cfg = simulator_config(history, settings, deck_size)
    ps = list(complete(parameters))
    efficient = round(float(_call("simulate reviews", fr.optimal_retention, cfg, ps)), 2)
    lo, hi = SUGGESTED_RANGE
    suggested = round(min(hi, max(lo, efficient)), 2)
    retentions = {*TABLE_RETENTIONS, efficient, suggested, round(settings.desired_retention, 2)}
    table = [simulate(cfg, ps, r) for r in sorted(retentions)]
    basis = (
        f"a simulated year of {cfg.deck_size} cards at {cfg.learn_limit} new a day with "
        "your parameters, rating habits and answer times: the least review time per card "
        f"remembered is at {efficient:.2f}"
    )
    if suggested != efficient:
        basis += f"; pearldeck suggests no less than {lo:.2f} for exam preparation"
    return RetentionAdvice(round(settings.desired_retention, 2), suggested, efficient, basis, table)


def parameter_names() -> Mapping[int, str]:
    """What the parameters a student may recognise mean."""
    return {
        0: "initial stability after 'again' (days)",
        1: "initial stability after 'hard' (days)",
        2: "initial stability after 'good' (days)",
        3: "initial stability after 'easy' (days)",
        20: "forgetting-curve decay",
    }
