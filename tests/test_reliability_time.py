"""Time: midnight, the study-day rollover, DST gaps and overlaps, a change of time zone
and a clock set back never lose a review or count one twice.

Each scenario makes reviews at chosen local times (TZ and `now`, as the CLI's
PEARLS_NOW and TZ do), then checks what a user sees: every review is in the history once;
the reviews of each study day add up to the total; each review is counted on the study
day its local time says (before the rollover hour it belongs to the day before); the new
cards of a day stop at the limit and start again after the rollover; undo takes back the
review made last, whatever the clock said; and the index equals a rebuild.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.collection import Collection
from pearldeck.model import Pearl, Rating
from pearldeck.store.settings import DEFAULT_TEXT
from pearldeck.studyday import day_end, day_start, study_day
from tests.conftest import draft
from tests.reliability.common import count, log_events, rebuilt_snapshot, snapshot


def set_tz(monkeypatch: pytest.MonkeyPatch, tz: str) -> None:
    monkeypatch.setenv("TZ", tz)
    time.tzset()


def local(wall: str, fold: int = 0) -> datetime:
    """A local wall-clock time in the current TZ, as UTC; `fold=1`: its second occurrence."""
    naive = datetime.fromisoformat(wall).replace(fold=fold)
    return naive.astimezone().astimezone(UTC)


@pytest.fixture
def deck(root: Path) -> Iterator[tuple[Collection, list[Pearl]]]:
    (root / "settings.toml").write_text(DEFAULT_TEXT.replace("new_per_day = 20", "new_per_day = 5"))
    with Collection(root) as col:
        pearls = col.add(
            [draft(f"Q{i}?", back="A") for i in range(12)], datetime(2026, 1, 1, tzinfo=UTC)
        )
        yield col, pearls


def check_counts(col: Collection, root: Path, made: list[str], now: datetime) -> dict[str, int]:
    """Every review once; per study day they add up; the index equals a rebuild."""
    events, bad = log_events(root)
    ids = [str(e["id"]) for e in events if e["kind"] == "review"]
    assert bad == 0 and len(ids) == len(set(ids))
    assert set(made) <= set(ids)
    undone = {e.get("target") for e in events if e["kind"] == "undo"}
    kept = [e for e in events if e["kind"] == "review" and e["id"] not in undone]
    stats = col.stats(now)
    total = stats["total"]
    assert isinstance(total, dict)
    assert total["reviews_total"] == len(kept)
    per_day = Counter(
        study_day(datetime.fromisoformat(str(e["time"])), col.settings.day_starts_at).isoformat()
        for e in kept
    )
    heatmap = stats["heatmap"]
    assert isinstance(heatmap, dict)
    shown = {d: n for d, n in per_day.items() if d in heatmap}  # the last 365 days to today
    assert {d: n for d, n in heatmap.items() if n} == shown
    assert total["reviews_today"] == per_day.get(col.today(now), 0)
    assert snapshot(col, now) == rebuilt_snapshot(root, now)
    return dict(per_day)


def test_reviews_across_midnight_belong_to_the_study_day_until_the_rollover(
    deck: tuple[Collection, list[Pearl]], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_tz(monkeypatch, "Europe/Berlin")
    col, pearls = deck
    walls = ["2026-11-27T23:50", "2026-11-28T00:10", "2026-11-28T03:59", "2026-11-28T04:00"]
    made = [
        col.rate(p.id, Rating.GOOD, local(w)).event.id for p, w in zip(pearls, walls, strict=False)
    ]
    per_day = check_counts(col, root, made, local("2026-11-28T12:00"))
    assert per_day == {"2026-11-27": 3, "2026-11-28": 1}
    assert col.today(local("2026-11-28T03:59")) == "2026-11-27"
    assert col.today(local("2026-11-28T04:00")) == "2026-11-28"


def test_the_new_card_limit_starts_again_at_the_rollover_not_at_midnight(
    deck: tuple[Collection, list[Pearl]], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_tz(monkeypatch, "America/Chicago")
    col, _ = deck
    made = []
    evening = local("2026-11-27T22:00")
    for i in range(5):
        view = col.next_card(evening + timedelta(minutes=i))
        assert view is not None and view.queue == "new"
        made.append(col.rate(view.card_id, Rating.EASY, evening + timedelta(minutes=i)).event.id)
    assert col.due(local("2026-11-28T00:30")).total.new == 0  # after midnight: same day
    assert col.due(local("2026-11-28T03:59")).total.new == 0
    assert col.due(local("2026-11-28T04:00")).total.new == 5  # the rollover
    check_counts(col, root, made, local("2026-11-28T04:00"))


@pytest.mark.parametrize("hour", [0, 2, 3, 4])
def test_a_dst_gap_loses_no_review_and_its_day_is_23_hours(
    root: Path, monkeypatch: pytest.MonkeyPatch, hour: int
) -> None:
    """New York springs forward at 2:00 on 8 March 2026: 2:00-2:59 never happens."""
    set_tz(monkeypatch, "America/New_York")
    (root / "settings.toml").write_text(
        DEFAULT_TEXT.replace("day_starts_at = 4", f"day_starts_at = {hour}")
    )
    with Collection(root) as col:
        pearls = col.add([draft(f"Q{i}?", back="A") for i in range(6)], local("2026-03-01T12:00"))
        moments = [local("2026-03-08T01:59"), local("2026-03-08T03:00"), local("2026-03-08T03:01")]
        moments += [moments[0] + timedelta(minutes=30)]  # 02:29 EST is 03:29 EDT
        made = [
            col.rate(p.id, Rating.GOOD, m).event.id for p, m in zip(pearls, moments, strict=False)
        ]
        check_counts(col, root, made, local("2026-03-08T12:00"))
        day = date(2026, 3, 7 if hour > 2 else 8)
        length = day_end(day, hour) - day_start(day, hour)
        assert length == timedelta(hours=23)
        for m in moments:  # each instant is in exactly one study day
            d = study_day(m, hour)
            assert day_start(d, hour) <= m < day_end(d, hour)


@pytest.mark.parametrize("hour", [0, 1, 2, 4])
def test_a_dst_overlap_keeps_both_reviews_made_at_the_same_wall_time(
    root: Path, monkeypatch: pytest.MonkeyPatch, hour: int
) -> None:
    """New York falls back at 2:00 on 1 November 2026: 1:00-1:59 happens twice."""
    set_tz(monkeypatch, "America/New_York")
    (root / "settings.toml").write_text(
        DEFAULT_TEXT.replace("day_starts_at = 4", f"day_starts_at = {hour}")
    )
    with Collection(root) as col:
        [p] = col.add([draft("Q?", back="A")], local("2026-10-20T12:00"))
        first = local("2026-11-01T01:30", fold=0)  # EDT
        second = local("2026-11-01T01:30", fold=1)  # EST, an hour later
        assert second - first == timedelta(hours=1)
        made = [col.rate(p.id, Rating.AGAIN, first).event.id]
        made.append(col.rate(p.id, Rating.GOOD, second).event.id)
        check_counts(col, root, made, local("2026-11-01T12:00"))
        status = col.statuses()[p.id]
        assert status.reps == 2 and status.last_event == made[1]
        day = date(2026, 10, 31) if hour > 1 else date(2026, 11, 1)
        assert day_end(day, hour) - day_start(day, hour) == timedelta(hours=25)


def test_a_change_of_time_zone_counts_every_review_once(
    deck: tuple[Collection, list[Pearl]], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col, pearls = deck
    set_tz(monkeypatch, "America/New_York")
    made = [col.rate(pearls[0].id, Rating.GOOD, local("2026-11-27T20:00")).event.id]
    made.append(col.rate(pearls[1].id, Rating.GOOD, local("2026-11-27T21:00")).event.id)
    before = check_counts(col, root, made, local("2026-11-27T22:00"))
    set_tz(monkeypatch, "Asia/Tokyo")  # flew west to east: 14 hours later on the clock
    landed = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 15:00 in Tokyo
    made.append(col.rate(pearls[2].id, Rating.GOOD, landed).event.id)
    after = check_counts(col, root, made, landed)
    assert sum(after.values()) == sum(before.values()) + 1 == 3
    total = col.stats(landed)["total"]
    assert isinstance(total, dict) and total["reviews_total"] == 3


def test_a_clock_set_back_keeps_every_review_in_the_order_it_was_made(
    deck: tuple[Collection, list[Pearl]], root: Path
) -> None:
    col, pearls = deck
    now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    made = [col.rate(pearls[0].id, Rating.AGAIN, now).event.id]
    back = now - timedelta(hours=3)  # the clock is corrected backwards
    made.append(col.rate(pearls[0].id, Rating.GOOD, back).event.id)  # same card
    made.append(col.rate(pearls[1].id, Rating.GOOD, back).event.id)  # another card
    check_counts(col, root, made, now)
    status = col.statuses()[pearls[0].id]
    assert status.reps == 2 and status.last_event == made[1]  # both count, in order made
    undone = col.undo(back)  # takes back the review made last, not the latest clock time
    assert undone is not None and undone.id == made[2]
    undone = col.undo(back)
    assert undone is not None and undone.id == made[1]
    check_counts(col, root, made, now)
    assert col.statuses()[pearls[0].id].reps == 1


TZS = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]
steps = st.lists(
    st.tuples(
        st.sampled_from(TZS),
        st.integers(-6 * 60, 30 * 60),  # minutes the clock moves (backwards too)
        st.integers(0, 11),  # which pearl
        st.sampled_from([*Rating, "undo", "bury"]),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.slow
@settings(
    max_examples=count(25, 500, "PEARLDECK_TIME_EXAMPLES"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, rollover=st.sampled_from([0, 2, 4, 23]))
def test_any_sequence_of_clocks_and_zones_loses_and_doubles_nothing(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    plan: list[tuple[str, int, int, Rating | str]],
    rollover: int,
) -> None:
    from pearldeck.store.layout import init_collection

    root = tmp_path_factory.mktemp("time") / "pearls"
    init_collection(root)
    text = DEFAULT_TEXT.replace("day_starts_at = 4", f"day_starts_at = {rollover}")
    (root / "settings.toml").write_text(text)
    clock = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # a week of DST changes around here
    made: list[str] = []
    latest = clock
    with Collection(root) as col:
        pearls = col.add([draft(f"Q{i}?", back="A") for i in range(12)], clock)
        for tz, minutes, which, rating in plan:
            set_tz(monkeypatch, tz)
            clock += timedelta(minutes=minutes)
            latest = max(latest, clock)
            if rating == "undo":
                col.undo(clock)
            elif rating == "bury":
                col.bury(pearls[which].id, clock)
            else:
                assert isinstance(rating, Rating)
                made.append(col.rate(pearls[which].id, rating, clock).event.id)
        # seen from the latest time the clock showed (and from the earliest too)
        check_counts(col, root, made, latest + timedelta(seconds=1))
        check_counts(col, root, made, min(latest, clock))


def test_a_card_buried_before_a_change_of_time_zone_stays_as_a_rebuild_shows(
    deck: tuple[Collection, list[Pearl]], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bury lasts to the end of the local study day, so the zone is part of the fold."""
    col, pearls = deck
    buried = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # study day 8 March in London, 7 in New York
    set_tz(monkeypatch, "Europe/London")
    col.bury(pearls[0].id, buried)
    set_tz(monkeypatch, "America/New_York")
    later = buried + timedelta(minutes=10)
    col.refresh()
    assert snapshot(col, later) == rebuilt_snapshot(root, later)
    assert col.statuses()[pearls[0].id].buried_day == "2026-03-07"  # today, in New York
    view = col.next_card(later)
    assert view is not None and view.pearl.id != pearls[0].id
