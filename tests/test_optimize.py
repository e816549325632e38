"""`pearls optimize`: FSRS parameters fitted to a history simulated from known parameters."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import fsrs
import pytest
from click.testing import CliRunner

from pearldeck import optimize as opt
from pearldeck.cli import app
from pearldeck.model import Event
from pearldeck.scheduler import REVIEW, iso
from pearldeck.store import reviewlog
from pearldeck.store.settings import Settings, load_settings
from pearldeck.studyday import days_elapsed, study_day

runner = CliRunner()
START = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
# the "student": initial stabilities far from the defaults (0.21, 1.29, 2.31, 8.30),
# stability growing more slowly after a recall (w8 1.3, not 1.87), a steeper forgetting curve
TRUE = list(fsrs.Scheduler().parameters)
TRUE[0:4] = [0.6, 2.5, 6.0, 20.0]
TRUE[8] = 1.3
TRUE[20] = 0.4


@cache
def simulated(cards: int = 1000, days: int = 365, seed: int = 7) -> tuple[Event, ...]:
    """A year of reviews by someone whose memory follows TRUE: recall drawn from its R."""
    rng = random.Random(seed)
    sched = fsrs.Scheduler(
        parameters=TRUE, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )
    per_day = -(-cards // (days // 2))
    live: dict[int, fsrs.Card] = {}
    events: list[Event] = []
    for d in range(days):
        now = START + timedelta(days=d)
        for cid, card in list(live.items()):
            if card.due <= now:
                recalled = rng.random() < sched.get_card_retrievability(card, now)
                rating = rng.choices((2, 3, 4), (0.15, 0.75, 0.10))[0] if recalled else 1
                live[cid], _ = sched.review_card(card, fsrs.Rating(rating), now)
                events.append(_event(len(events), cid, now, rating))
        for _ in range(per_day):
            if len(live) < cards:
                cid = len(live)
                rating = rng.choices((1, 2, 3, 4), (0.2, 0.1, 0.55, 0.15))[0]
                live[cid], _ = sched.review_card(
                    fsrs.Card(card_id=cid, due=now), fsrs.Rating(rating), now
                )
                events.append(_event(len(events), cid, now, rating))
    events.sort(key=Event.sort_key)
    return tuple(events)


def _event(n: int, card: int, when: datetime, rating: int) -> Event:
    return Event(
        id=f"{n:08x}",
        kind="review",
        card=f"c{card}",
        time=iso(when + timedelta(seconds=n % 3600)),
        device="sim",
        rating=rating,
        duration=8.0,
        state={"state": REVIEW},
    )


def test_fit_recovers_the_parameters_that_made_the_history() -> None:
    # assertions chosen to hold for every one of 20 seeds tried, with room to spare
    history = opt.build_history(simulated(), day_starts_at=4)
    assert history.enough
    default = opt.evaluate(history, ())
    fitted = opt.fit(history, Settings())
    assert len(fitted.parameters) == 21
    assert fitted.log_loss < default.log_loss - 0.002
    assert fitted.rmse_bins < default.rmse_bins
    dflt = opt.DEFAULT_PARAMETERS
    for i in (2, 8):  # initial stability after 'good' (the common first answer); growth
        assert abs(fitted.parameters[i] - TRUE[i]) < abs(dflt[i] - TRUE[i]), i

    def off(ps: tuple[float, ...]) -> float:
        """How far the four initial stabilities are from the truth, as ratios."""
        return sum(abs(math.log(ps[i] / TRUE[i])) for i in range(4))

    assert off(fitted.parameters) < 0.6 * off(dflt)


def test_too_little_history_says_what_is_missing() -> None:
    few = [e for e in simulated() if int(e.card[1:]) < 40]  # 40 cards, ~500 reviews
    history = opt.build_history(few, day_starts_at=4)
    assert not history.enough
    assert history.training_cards == 40
    assert "on 24 more cards" in history.shortfall()
    assert "then run `pearls optimize` again" in history.shortfall()


def _times(*stamps: str) -> list[Event]:
    return [
        Event(id=f"e{i}", kind="review", card="x", time=t, rating=3) for i, t in enumerate(stamps)
    ]


def test_training_items_count_study_days_not_calendar_days() -> None:
    # with days starting at 4 am: 03:30 belongs to the day before, 04:30 to the next
    same = opt.build_history(
        _times("2026-11-27T03:30:00.000000Z", "2026-11-26T05:00:00.000000Z"), 4
    )
    assert same.training_reviews == 0
    split = opt.build_history(
        _times("2026-11-27T03:30:00.000000Z", "2026-11-27T04:30:00.000000Z"), 4
    )
    assert split.training_reviews == 1 and split.training_cards == 1
    three = opt.build_history(
        _times(
            "2026-11-01T10:00:00.000000Z",
            "2026-11-01T10:10:00.000000Z",
            "2026-11-03T09:00:00.000000Z",
            "2026-11-09T23:00:00.000000Z",
        ),
        4,
    )
    assert three.training_reviews == 2
    assert [it.long_term_review_cnt() for it in three.items] == [1, 2]
    assert three.first_ratings == (0, 0, 1, 0)


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_fast_study_day_counter_agrees_across_clock_changes(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        day_of = opt.study_day_counter(4)
        moment = datetime(2026, 3, 1, tzinfo=UTC)
        while moment < datetime(2026, 11, 10, tzinfo=UTC):
            stamp = iso(moment)
            assert day_of(stamp) == study_day(moment, 4).toordinal(), (zone, stamp)
            moment += timedelta(minutes=37)
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_optimiser_counts_elapsed_days_as_the_scheduler_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """delta_t of every training item equals the scheduler's `days_elapsed`, including
    reviews just before and after the day start and across both DST changes."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        rng = random.Random(3)
        pairs = []
        for i in range(600):
            first = datetime(2026, 2, 20, tzinfo=UTC) + timedelta(minutes=rng.randrange(400_000))
            pairs.append((f"c{i}", first, first + timedelta(minutes=rng.randrange(60, 8000))))
        rows = sorted(
            [(c, iso(t), 3, 0.0, REVIEW) for c, a, b in pairs for t in (a, b)],
            key=lambda r: r[1],
        )
        history = opt.history_from_rows(rows, 4)
        # FSRSReview shows its fields only in its repr: FSRSReview { rating: 3, delta_t: 2 }
        got = sorted(
            int(repr(it.reviews[-1]).split("delta_t: ")[1].rstrip(" }")) for it in history.items
        )
        want = sorted(
            d for _, a, b in pairs if (d := days_elapsed(a.replace(microsecond=0), b, 4)) > 0
        )
        assert got == want and len(got) > 400
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_complete_maps_older_parameter_counts() -> None:
    assert opt.complete(()) == opt.DEFAULT_PARAMETERS
    fsrs5 = opt.complete(opt.DEFAULT_PARAMETERS[:19])
    assert len(fsrs5) == 21 and fsrs5[19] == 0.0 and fsrs5[20] == 0.5
    with pytest.raises(opt.OptimiseError, match="got 5 FSRS parameters"):
        opt.complete((1.0,) * 5)


def test_retention_suggestion_is_in_range_with_a_workload_table() -> None:
    history = opt.build_history(simulated(), day_starts_at=4)
    advice = opt.suggest_retention(history, Settings(), tuple(TRUE), deck_size=300)
    assert 0.70 <= advice.suggested <= 0.95
    rs = [w.retention for w in advice.table]
    assert rs == sorted(rs) and {0.75, 0.9, 0.95, advice.suggested} <= set(rs)
    by = {w.retention: w for w in advice.table}
    # higher retention costs more time and keeps more cards
    assert by[0.95].minutes_per_day > by[0.75].minutes_per_day
    assert by[0.95].remembered > by[0.75].remembered


# through the command line -------------------------------------------------------------


def write_log(root: Path, events: tuple[Event, ...]) -> None:
    path = reviewlog.log_path(root, "sim")
    path.parent.mkdir(exist_ok=True)
    # no stored states: the collection replays each card with its own scheduler
    path.write_bytes(b"".join(reviewlog.encode(replace(e, state=None)) for e in events))


def run(root: Path, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(
        app,
        ["--dir", str(root), *args],
        input=stdin,
        env={"PEARLS_NOW": "2026-01-10T12:00:00Z"},
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def test_cli_without_enough_history_saves_nothing(root: Path) -> None:
    before = (root / "settings.toml").read_text()
    out = json.loads(run(root, "optimize", "--json", "--yes"))
    assert out["enough_data"] is False and out["saved"]["parameters"] is False
    assert "at least 400" in out["message"]
    assert "Not enough review history yet" in run(root, "optimize")
    assert (root / "settings.toml").read_text() == before


def test_cli_fits_shows_and_saves_only_when_confirmed(root: Path) -> None:
    write_log(root, simulated(cards=120))  # enough to fit; the fit's quality is tested above
    out = json.loads(run(root, "optimize", "--json"))
    assert out["enough_data"] is True and out["saved"] == {"parameters": False, "retention": False}
    assert out["training_cards"] == 120 and out["training_reviews"] >= 400
    assert out["current"]["source"] == "FSRS defaults" and len(out["fitted"]["parameters"]) == 21
    assert load_settings(root).parameters == ()
    text = run(root, "optimize", stdin="n\n")
    assert "log loss" in text and "RMSE" in text and "nothing saved" in text
    assert load_settings(root).parameters == ()
    text = run(root, "optimize", stdin="y\n")
    saved = load_settings(root).parameters
    assert len(saved) == 21 and saved == tuple(out["fitted"]["parameters"])
    out = json.loads(run(root, "optimize", "--json", "--retention", "--yes"))
    assert out["saved"] == {"parameters": True, "retention": True}
    assert load_settings(root).desired_retention == out["retention"]["suggested"]


def test_cli_fits_the_reviews_in_the_index_less_the_undone_one(root: Path) -> None:
    events = simulated(cards=120)
    last = events[-1]
    undo = Event(id="~undo", kind="undo", card=last.card, time=last.time, target=last.id)
    write_log(root, (*events, undo))
    out = json.loads(run(root, "optimize", "--json"))
    settings = load_settings(root)
    direct = opt.build_history(events[:-1], settings.day_starts_at)
    assert (out["reviews"], out["cards"]) == (direct.reviews, direct.cards)
    assert (out["training_reviews"], out["training_cards"]) == (
        direct.training_reviews,
        direct.training_cards,
    )
    assert out["fitted"]["parameters"] == list(opt.fit(direct, settings).parameters)
