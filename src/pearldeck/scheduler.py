"""FSRS scheduling and the deterministic replay of a card's review events."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pearldeck import intervals
from pearldeck.model import Event, Rating
from pearldeck.replay import causal_order
from pearldeck.settings import Settings
from pearldeck.studyday import day_end, day_start, days_elapsed, study_day

if TYPE_CHECKING:  # fsrs is imported when something is scheduled, not to count cards
    import fsrs

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
RULE = 2
"""The scheduling rule a stored state was made by. Rule 2 (Anki's study days, due days,
button order and fuzz) replaces rule 1 (py-fsrs's 24-hour periods, written with no
`rule` key): a state made by another rule is recomputed on replay, never trusted."""
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


def iso(moment: datetime) -> str:
    """The one time format in logs: UTC, microseconds, `Z`; sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's memory state: FSRS's card plus counts the queue needs."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    interval: int | None = None
    """Days scheduled, for a card in review (it is due at the start of that study day)."""
    rule: int = RULE
    """The scheduling rule that made this state (see RULE)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": iso(self.due) if self.due else None,
            "last_review": iso(self.last_review) if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
            "interval": self.interval,
            "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> CardState:
        def num(key: str) -> float | None:
            v = d.get(key)
            return float(v) if isinstance(v, (int, float)) else None

        def when(key: str) -> datetime | None:
            v = d.get(key)
            if not isinstance(v, str):
                return None
            try:
                return from_iso(v)
            except ValueError:  # a hand-edited log: the caller recomputes instead
                return None

        step = d.get("step")
        state = d.get("state")
        reps = d.get("reps")
        lapses = d.get("lapses")
        interval = d.get("interval")
        rule = d.get("rule")
        return cls(
            state=state if isinstance(state, int) and state in STATE_NAMES else NEW,
            step=step if isinstance(step, int) else None,
            stability=num("stability"),
            difficulty=num("difficulty"),
            due=when("due"),
            last_review=when("last_review"),
            reps=reps if isinstance(reps, int) else 0,
            lapses=lapses if isinstance(lapses, int) else 0,
            interval=interval if isinstance(interval, int) else None,
            rule=rule if isinstance(rule, int) else 0,
        )


@dataclass(frozen=True, slots=True)
class CardStatus:
    """The fold of all a card's events: memory state plus the user's flags."""

    memory: CardState = CardState()
    last_event: str | None = None
    suspended: bool = False
    leech: bool = False
    buried_day: date | None = None
    first_review: datetime | None = None


def make_scheduler(settings: Settings) -> fsrs.Scheduler:
    import fsrs

    # fsrs computes memory states only: due days and fuzz follow Anki (see `answers`)
    kw: dict[str, object] = {}
    if settings.parameters:
        kw["parameters"] = settings.parameters
    return fsrs.Scheduler(
        desired_retention=settings.desired_retention,
        learning_steps=tuple(timedelta(seconds=s) for s in settings.learning_steps),
        relearning_steps=tuple(timedelta(seconds=s) for s in settings.relearning_steps),
        maximum_interval=settings.maximum_interval,
        enable_fuzzing=False,
        **kw,  # type: ignore[arg-type]
    )


def raw_interval(scheduler: fsrs.Scheduler, stability: float) -> float:
    """FSRS's interval in days for a stability, before rounding (fsrs rounds it)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float(stability / factor * (scheduler.desired_retention ** (1 / decay) - 1))


def _fsrs_step(
    scheduler: fsrs.Scheduler, m: CardState, rating: Rating, now: datetime, elapsed: int
) -> fsrs.Card:
    """One FSRS review of memory `m`, `elapsed` study days after the previous one.

    fsrs counts elapsed days as whole 24-hour periods since `last_review`, so it is
    given a last review exactly `elapsed` days back: the memory state then follows
    study days, as Anki's does, with fsrs's own formulas.
    """
    import fsrs

    card = fsrs.Card(
        card_id=0,
        state=fsrs.State.Learning if m.state == NEW else fsrs.State(m.state),
        step=0 if m.state == NEW else m.step,
        stability=m.stability,
        difficulty=m.difficulty,
        due=now,
        last_review=None if m.state == NEW else now - timedelta(days=elapsed),
    )
    new, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), now)
    return new


def answers(
    scheduler: fsrs.Scheduler,
    settings: Settings,
    card_id: str,
    prev: CardStatus,
    now: datetime,
    ratings: Iterable[Rating] = tuple(Rating),
) -> dict[Rating, CardState]:
    """The state each rating would give at `now`, following Anki's FSRS scheduler:

    - elapsed time is counted in study days (`studyday.days_elapsed`);
    - a card in review is due at the start of study day (today + N), whatever the
      hour of the review or a DST change in between;
    - a review card's buttons are strictly ordered Hard < Good < Easy, and Easy on a
      (re)learning card gives at least a day more than Good would;
    - fuzz uses Anki's ranges, drawn from a number seeded by the card and its history.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    m = prev.memory
    dsa = settings.day_starts_at
    today = study_day(now, dsa)
    elapsed = 0 if m.last_review is None else days_elapsed(m.last_review, now, dsa)
    factor = intervals.fuzz_factor(f"{card_id}|{prev.last_event}") if settings.fuzz else None
    maximum = settings.maximum_interval
    steps: dict[Rating, fsrs.Card] = {}

    def step(r: Rating) -> fsrs.Card:
        if r not in steps:
            steps[r] = _fsrs_step(scheduler, m, r, now, elapsed)
        return steps[r]

    def raw(r: Rating) -> float:
        return raw_interval(scheduler, float(step(r).stability or 0.0))

    def review_days(r: Rating) -> int:
        if m.state == REVIEW and r != Rating.AGAIN:
            h, g, e = intervals.review_days(
                raw(Rating.HARD),
                raw(Rating.GOOD) if r >= Rating.GOOD else 0.0,
                raw(Rating.EASY) if r == Rating.EASY else 0.0,
                m.interval or 0,
                maximum,
                factor,
            )
            return {Rating.HARD: h, Rating.GOOD: g, Rating.EASY: e}[r]
        if r == Rating.EASY:
            return intervals.easy_from_steps(raw(Rating.GOOD), raw(r), maximum, factor)
        return intervals.graduating_days(raw(r), maximum, factor)

    out: dict[Rating, CardState] = {}
    lapse = m.state == REVIEW
    for r in ratings:
        new = step(r)
        days: int | None = None
        if int(new.state) == REVIEW:
            days = review_days(r)
            due = day_start(today + timedelta(days=days), dsa)
        else:
            due = _step_due(now, round((new.due - now).total_seconds()), today, dsa)
        out[r] = CardState(
            state=int(new.state),
            step=new.step,
            stability=new.stability,
            difficulty=new.difficulty,
            due=due,
            last_review=now,
            reps=m.reps + 1,
            lapses=m.lapses + (1 if lapse and r == Rating.AGAIN else 0),
            interval=days,
        )
    return out


def _step_due(now: datetime, seconds: int, today: date, dsa: int) -> datetime:
    """When a (re)learning step ends: a step past the day's end waits for the start of
    a later study day, as in Anki. (Anki also delays a step by up to 5 minutes at random;
    here a step lasts exactly as long as its button says.)"""
    until = int(day_end(today, dsa).timestamp() - now.timestamp())
    if seconds >= until:
        return day_start(today + timedelta(days=(seconds - until) // 86400 + 1), dsa)
    return now + timedelta(seconds=seconds)


def review(
    scheduler: fsrs.Scheduler,
    settings: Settings,
    card_id: str,
    prev: CardStatus,
    rating: Rating,
    now: datetime,
) -> CardState:
    """The state after rating a card at `now`; the same inputs give the same result anywhere."""
    return answers(scheduler, settings, card_id, prev, now, (rating,))[rating]


def preview(
    scheduler: fsrs.Scheduler, settings: Settings, card_id: str, prev: CardStatus, now: datetime
) -> dict[Rating, CardState]:
    """What each answer would do: the intervals the buttons show."""
    return answers(scheduler, settings, card_id, prev, now)


def interval_seconds(state: CardState, now: datetime) -> float:
    """How long until the card comes back, as a button shows it: whole days for a card
    in review (as Anki shows them), the time to its next step otherwise."""
    if state.interval is not None:
        return state.interval * 86400.0
    return (state.due - now).total_seconds() if state.due else 0.0


StateLoader = Callable[[Event], "dict[str, object] | None"]


def _stored(e: Event, load: StateLoader | None) -> CardState | None:
    """The state a review wrote, if it is complete enough to schedule from."""
    d = e.stored_state()
    if d is None and e.ref >= 0 and load is not None:
        d = load(e)
    return None if d is None else usable(d)


def usable(d: dict[str, object]) -> CardState | None:
    """A stored state, if it is complete enough to schedule from."""
    m = CardState.from_dict(d)
    if m.rule != RULE or m.state == NEW or m.due is None or m.last_review is None:
        return None
    if m.stability is None or m.difficulty is None or (m.state != REVIEW and m.step is None):
        return None
    # another device's hand-edited line: a state no schedule can follow is recomputed
    if not (math.isfinite(m.stability) and math.isfinite(m.difficulty)):
        return None
    if not (m.last_review.year >= 1970 and m.due.year < 9000 and m.last_review.year < 9000):
        return None
    return m


def leech_at(lapse: int, threshold: int) -> bool:
    """Whether a card's `lapse`-th lapse makes it a leech (and suspends it): at the
    threshold, then every half threshold after, as in Anki."""
    return lapse >= threshold and (lapse - threshold) % max(1, threshold // 2) == 0


def is_leech(lapses: int, threshold: int) -> bool:
    """Whether `fold` has marked a card a leech after `lapses` lapses."""
    return any(leech_at(n, threshold) for n in range(1, lapses + 1))


def fold(
    card_id: str,
    events: Iterable[Event],
    scheduler: Callable[[], fsrs.Scheduler],
    settings: Settings,
    load: StateLoader | None = None,
) -> CardStatus:
    """Replay a card's events in (time, id) order, skipping undone ones.

    A review made on top of exactly the history replayed so far (its `prev` is the
    last event) reuses the state it stored, read only when needed; any other review is
    recomputed, so merged histories give the same result on every machine.
    """
    ordered = causal_order(events)
    undone = {e.target for e in ordered if e.kind == "undo"}
    threshold = settings.leech_threshold
    memory = CardState()
    pending: Event | None = None  # its stored state is current, not yet read
    last_event: str | None = None
    suspended = leech = False
    buried: date | None = None
    first: datetime | None = None
    lapses = 0
    prev_state = NEW
    for e in ordered:
        if e.id in undone or e.kind == "undo":
            continue
        if e.kind == "review":
            when = from_iso(e.time)
            reused = None
            if e.prev == last_event and (
                e.state is not None or e.state_json is not None or e.ref >= 0
            ):
                reused = e
            if reused is None or reused.result_state is None:
                if pending is not None:
                    stored = _stored(pending, load)
                    if stored is None:
                        return _fold_strict(card_id, ordered, undone, scheduler, settings)
                    memory, pending = stored, None
                status = CardStatus(memory=memory, last_event=last_event)
                memory = review(scheduler(), settings, card_id, status, Rating(e.rating), when)
                after = memory.state
            else:
                pending = reused
                after = reused.result_state or NEW
            if e.rating == Rating.AGAIN and prev_state == REVIEW:
                lapses += 1
                if leech_at(lapses, threshold):
                    leech = suspended = True
            prev_state = after
            last_event = e.id
            buried = None
            first = first or when
        elif e.kind == "import":  # a schedule brought in: the card's memory becomes it
            d = e.stored_state() or (load(e) if load is not None and e.ref >= 0 else None)
            imported = None if d is None else usable(d)
            if imported is not None:
                memory, pending, prev_state, last_event = imported, None, imported.state, e.id
        elif e.kind == "suspend":
            suspended = True
        elif e.kind == "unsuspend":
            suspended = False
        elif e.kind == "bury":
            buried = study_day(from_iso(e.time), settings.day_starts_at)
    if pending is not None:
        stored = _stored(pending, load)
        if stored is None:  # an unusable stored state: replay without reuse
            return _fold_strict(card_id, ordered, undone, scheduler, settings)
        memory = stored
    return CardStatus(memory, last_event, suspended, leech, buried, first)


def _fold_strict(
    card_id: str,
    ordered: list[Event],
    undone: set[str | None],
    scheduler: Callable[[], fsrs.Scheduler],
    settings: Settings,
) -> CardStatus:
    """Replay recomputing every review, trusting no stored state."""
    plain = [
        replace(e, state=None, state_json=None, after=None, ref=-1) if e.kind == "review" else e
        for e in ordered
    ]
    del undone
    return fold(card_id, plain, scheduler, settings)


def state_from_sm2(
    scheduler: fsrs.Scheduler, interval: int, ease: float, last_review: datetime, due: datetime
) -> CardState:
    """A review card's FSRS memory from an SM-2 schedule (days, ease as 2.5), as Anki
    derives it when a deck switches to FSRS: the stability that makes the interval's
    recall 90%, and the difficulty under which a Good review multiplies it by `ease`."""
    w = scheduler.parameters
    decay = -(w[20] if len(w) > 20 else 0.5)
    retention = 0.9
    factor = 0.9 ** (1 / decay) - 1
    stability = max(float(interval), 0.01) * factor / (retention ** (1 / decay) - 1)
    growth = math.exp(w[8]) * stability ** (-w[9]) * math.expm1((1 - retention) * w[10])
    difficulty = min(max(11 - (ease - 1) / growth, 1.0), 10.0)
    return CardState(REVIEW, None, stability, difficulty, due, last_review, 1, 0)


def retrievability(scheduler: fsrs.Scheduler, memory: CardState, now: datetime) -> float | None:
    """Chance of recall now, for stats; None for a new card."""
    if memory.stability is None or memory.last_review is None:
        return None
    days = max(0.0, (now - memory.last_review).total_seconds() / 86400)
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float(math.pow(1 + factor * days / memory.stability, decay))
