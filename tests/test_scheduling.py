"""FSRS scheduling, the append-only review log and replay (issue 3)."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlError, Rating
from pearldeck.store.settings import DEFAULT_TEXT
from tests.conftest import NOW, draft


def log_lines(root: Path, device: str = "testbox") -> list[dict[str, object]]:
    path = root / "reviews" / f"{device}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def states(root: Path) -> dict[str, tuple[object, ...]]:
    with Collection(root) as c:
        return {
            k: (s.state, s.due, s.stability, s.difficulty, s.reps, s.lapses, s.suspended)
            for k, s in c.statuses().items()
        }


def test_card_ids_one_per_cloze_number_or_one_for_a_question(col: Collection) -> None:
    a, b = col.add([draft("x {{c1::a}} y {{c2::b}} z {{c1::c}}"), draft("q?", back="ans")], NOW)
    assert a.card_ids() == [f"{a.id}#c1", f"{a.id}#c2"]
    assert b.card_ids() == [b.id]
    view = col.card(f"{a.id}#c2", NOW)
    assert view is not None
    assert view.prompt == "x a y [...] z c"
    assert view.answer == "x a y b z c"


def test_cloze_hint_is_shown_on_the_prompt(col: Collection) -> None:
    [p] = col.add([draft("DOC for {{c1::MRSA bacteremia::drug}}")], NOW)
    view = col.card(f"{p.id}#c1", NOW)
    assert view is not None and view.prompt == "DOC for [drug]"


def test_due_counts_respect_the_new_card_limit_and_pathways(root: Path) -> None:
    (root / "settings.toml").write_text(DEFAULT_TEXT.replace("new_per_day = 20", "new_per_day = 3"))
    with Collection(root) as c:
        c.add([draft(f"q{i}?", back="a") for i in range(2)], NOW)
        c.add([draft(f"c{i}?", pathway="chronic", back="a") for i in range(4)], NOW)
        d = c.due(NOW)
        assert d.total.new == 3
        assert d.pathways["acute"].new == 2 and d.pathways["chronic"].new == 1
        assert c.due(NOW, pathway="chronic").total.new == 3
        view = c.next_card(NOW)
        assert view is not None and view.pearl.text == "q0?"  # order added
        c.rate(view.card_id, Rating.GOOD, NOW)
        d = c.due(NOW)
        assert (d.total.new, d.total.learning) == (2, 1)


def test_learning_cards_come_first_when_due(col: Collection) -> None:
    a, b = col.add([draft("first?", back="1"), draft("second?", back="2")], NOW)
    col.rate(a.id, Rating.AGAIN, NOW)  # due again in 1 minute
    view = col.next_card(NOW)
    assert view is not None and view.card_id == b.id
    later = NOW + timedelta(minutes=2)
    view = col.next_card(later)
    assert view is not None and view.card_id == a.id and view.queue == "learning"


def test_every_rating_is_appended_with_its_resulting_state(col: Collection, root: Path) -> None:
    [p] = col.add([draft("q?", back="a")], NOW)
    done = col.rate(p.id, Rating.GOOD, NOW, duration=8.5)
    [event] = log_lines(root)
    assert event["card"] == p.id and event["rating"] == 3 and event["duration"] == 8.5
    assert event["time"] == "2026-11-27T15:00:00.000000Z"
    assert event["prev"] is None
    assert (
        isinstance(event["state"], dict) and event["state"]["due"] == "2026-11-27T15:10:00.000000Z"
    )
    assert done.interval == "10m"


def test_undo_appends_an_undo_event_and_restores_the_state(col: Collection, root: Path) -> None:
    [p] = col.add([draft("q?", back="a")], NOW)
    col.rate(p.id, Rating.GOOD, NOW)
    before = col.statuses()[p.id]
    col.rate(p.id, Rating.GOOD, NOW + timedelta(minutes=10))
    undone = col.undo(NOW + timedelta(minutes=11))
    assert undone is not None and undone.rating == 3
    assert col.statuses()[p.id] == before
    kinds = [e["kind"] for e in log_lines(root)]
    assert kinds == ["review", "review", "undo"]
    assert col.undo(NOW) is not None
    assert col.statuses()[p.id].state == 0
    assert col.undo(NOW) is None


def test_intervals_shown_are_exactly_what_the_rating_applies(col: Collection) -> None:
    [p] = col.add([draft("q?", back="a")], NOW)
    t = NOW
    for rating in (Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.HARD, Rating.EASY):
        view = col.card(p.id, t)
        assert view is not None
        shown = view.intervals[rating]
        done = col.rate(p.id, rating, t)
        assert done.interval == shown
        assert done.state.due is not None
        t = done.state.due


def test_elapsed_time_is_counted_in_study_days_not_24_hour_periods(root: Path) -> None:
    """23:10 one evening, 05:00 the next morning: a day later for FSRS, as in Anki."""
    (root / "settings.toml").write_text(DEFAULT_TEXT.replace("fuzz = true", "fuzz = false"))
    direct = fsrs.Scheduler(enable_fuzzing=False)
    evening = datetime(2026, 11, 26, 23, 10, tzinfo=UTC)
    morning = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)
    card = fsrs.Card(card_id=1)
    with Collection(root) as c:
        [p] = c.add([draft("q?", back="a")], evening)
        card, _ = direct.review_card(card, fsrs.Rating.Easy, evening)
        c.rate(p.id, Rating.EASY, evening)
        # fsrs used directly sees 5 h 50 min: a same-day review
        same_day, _ = direct.review_card(card, fsrs.Rating.Good, morning)
        # one study day later, as fsrs sees it given a full day
        day_later, _ = direct.review_card(card, fsrs.Rating.Good, evening + timedelta(days=1))
        done = c.rate(p.id, Rating.GOOD, morning)
        assert done.state.stability == pytest.approx(day_later.stability)
        assert done.state.stability != pytest.approx(same_day.stability)
        assert done.state.difficulty == pytest.approx(day_later.difficulty)
        # due at the start (4 am) of the study day `interval` days on
        assert done.state.interval is not None and done.state.due is not None
        assert done.state.due == datetime(2026, 11, 27, 4, tzinfo=UTC) + timedelta(
            days=done.state.interval
        )


def test_review_buttons_are_strictly_ordered_and_easy_beats_good_when_learning(
    col: Collection,
) -> None:
    pearls = col.add([draft(f"q{i}?", back="a") for i in range(12)], NOW)
    for i, p in enumerate(pearls):
        t = NOW
        first = col.preview_states(p.id, t)
        # Easy on a new card: at least a day more than Good's interval would be
        assert (first[Rating.EASY].interval or 0) >= 2
        state = col.rate(p.id, Rating.EASY if i % 2 else Rating.GOOD, t).state
        while state.interval is None:  # through the learning steps
            t = state.due or t
            state = col.rate(p.id, Rating.GOOD, t).state
        t = (state.due or t) + timedelta(hours=i)
        for _ in range(4):
            options = col.preview_states(p.id, t)
            h, g, e = (options[r].interval for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
            assert h is not None and g is not None and e is not None
            assert h < g < e
            done = col.rate(p.id, Rating((i % 3) + 2), t).state
            t = (done.due or t) + timedelta(hours=3)


def test_replay_after_deleting_the_cache_gives_identical_states(
    col: Collection, root: Path
) -> None:
    pearls = col.add([draft(f"q{i}?", back="a") for i in range(5)], NOW)
    t = NOW
    for day in range(40):
        for p in pearls:
            view = col.card(p.id, t)
            assert view is not None
            if view.due_at is None or view.due_at <= t:
                col.rate(p.id, Rating((day + len(p.text)) % 4 + 1), t)
        t += timedelta(days=1)
    col.suspend(pearls[0].id, t)
    before = states(root)
    due_before = col.due(t).as_dict()
    shutil.rmtree(root / ".cache")
    assert states(root) == before
    with Collection(root) as c:
        assert c.due(t).as_dict() == due_before


def test_a_first_run_says_what_it_is_doing_as_it_builds(col: Collection, root: Path) -> None:
    pearls = col.add([draft(f"q{i}?", back="a") for i in range(3)], NOW)
    for p in pearls:
        col.rate(p.id, Rating.GOOD, NOW)
    col.close()
    shutil.rmtree(root / ".cache")
    steps: list[str] = []
    Collection(root, progress=steps.append).close()
    files = sorted(p.name for p in root.glob("*.yaml"))
    assert steps == [
        *(f"Reading {name}" for name in files),
        "Reading review history: 0 of 0 MB",  # a small log, in one chunk
        "Filing 3 review-log lines",
        "Working out each card's schedule",
    ]
    steps.clear()
    Collection(root, progress=steps.append).close()
    assert steps == []  # a warm index: nothing to say


def test_a_torn_last_line_is_skipped_with_a_warning(col: Collection, root: Path) -> None:
    [p] = col.add([draft("q?", back="a")], NOW)
    col.rate(p.id, Rating.GOOD, NOW)
    log = root / "reviews" / "testbox.jsonl"
    with log.open("ab") as f:
        f.write(b'{"v":1,"id":"torn","kind":"rev')
    shutil.rmtree(root / ".cache")
    with Collection(root) as c:
        assert [str(w) for w in c.last_refresh.warnings] == [
            f"{log}:2: incomplete last line (interrupted write?), ignored"
        ]
        assert c.statuses()[p.id].reps == 1
        c.rate(p.id, Rating.GOOD, NOW + timedelta(minutes=10))  # closes the torn line first
        assert c.statuses()[p.id].reps == 2
    lines = log.read_bytes().split(b"\n")
    assert lines[1] == b'{"v":1,"id":"torn","kind":"rev' and lines[2].startswith(b'{"v":1')


def test_history_of_a_deleted_pearl_comes_back_with_the_pearl(col: Collection, root: Path) -> None:
    [p] = col.add([draft("q?", back="a")], NOW)
    col.rate(p.id, Rating.GOOD, NOW)
    col.rate(p.id, Rating.GOOD, NOW + timedelta(minutes=10))
    saved = (root / "acute.yaml").read_text()
    before = col.statuses()[p.id]
    col.replace_pearl(p.id, None)
    assert p.id not in col.statuses()
    assert col.due(NOW).total.review == 0
    (root / "acute.yaml").write_text(saved)
    col.refresh()
    assert col.statuses()[p.id] == before


def test_editing_text_keeps_the_schedule_and_a_new_cloze_adds_a_card(col: Collection) -> None:
    [p] = col.add([draft("A {{c1::b}} c")], NOW)
    col.rate(f"{p.id}#c1", Rating.EASY, NOW)
    before = col.statuses()[f"{p.id}#c1"]
    col.replace_pearl(p.id, draft("A {{c1::b (typo fixed)}} c {{c2::d}}"))
    after = col.statuses()
    assert after[f"{p.id}#c1"] == before
    assert f"{p.id}#c2" not in after  # new card, no history yet
    assert col.due(NOW + timedelta(days=1)).total.new == 1


def test_a_new_sibling_waits_until_tomorrow(col: Collection) -> None:
    a, b = col.add([draft("x {{c1::one}} y {{c2::two}}"), draft("q?", back="a")], NOW)
    assert col.due(NOW).total.new == 3
    col.rate(f"{a.id}#c1", Rating.GOOD, NOW)
    assert col.due(NOW).total.new == 1  # c2 buried as a sibling, like Anki
    view = col.next_card(NOW)
    assert view is not None and view.card_id == b.id
    tomorrow = NOW + timedelta(days=1)
    view = col.next_card(tomorrow)
    assert view is not None and view.card_id in (f"{a.id}#c1", f"{a.id}#c2")
    assert col.due(tomorrow).total.new == 2


def test_eight_lapses_make_a_leech_suspended_and_listed(col: Collection) -> None:
    [p] = col.add([draft("hard fact?", back="a")], NOW)
    t = NOW
    col.rate(p.id, Rating.EASY, t)
    lapses = 0
    while lapses < 8:
        t += timedelta(days=30)
        if col.statuses()[p.id].state == 2:
            col.rate(p.id, Rating.AGAIN, t)
            lapses += 1
        else:
            col.rate(p.id, Rating.EASY, t)
    s = col.statuses()[p.id]
    assert s.lapses == 8 and s.leech and s.suspended
    assert [x.id for x in col.leeches()] == [p.id]
    assert col.next_card(t + timedelta(days=60)) is None
    col.unsuspend(p.id, t)
    assert not col.statuses()[p.id].suspended and col.statuses()[p.id].leech


def test_suspend_and_bury(col: Collection) -> None:
    a, b = col.add([draft("a?", back="1"), draft("b?", back="2")], NOW)
    col.suspend(a.id, NOW)
    col.bury(b.id, NOW)
    assert col.next_card(NOW) is None
    assert col.due(NOW).total.new == 0
    tomorrow = NOW + timedelta(days=1)
    view = col.next_card(tomorrow)
    assert view is not None and view.card_id == b.id
    col.unsuspend(a.id, tomorrow)
    assert col.due(tomorrow).total.new == 2
    with pytest.raises(PearlError):
        col.suspend("nosuch", NOW)


@pytest.mark.parametrize(
    ("tz", "local_now", "expected_day"),
    [
        ("America/New_York", "2026-11-27T03:59:00", "2026-11-26"),  # before the 4 am rollover
        ("America/New_York", "2026-11-27T04:00:00", "2026-11-27"),
        ("America/New_York", "2026-03-08T03:30:00", "2026-03-07"),  # DST gap day (2-3 am missing)
        ("America/New_York", "2026-11-01T01:30:00", "2026-10-31"),  # DST overlap
        ("Asia/Kolkata", "2026-11-27T23:59:00", "2026-11-27"),
        ("Pacific/Chatham", "2026-11-28T04:01:00", "2026-11-28"),
    ],
)
def test_study_day_follows_local_time_and_the_rollover_hour(
    col: Collection, monkeypatch: pytest.MonkeyPatch, tz: str, local_now: str, expected_day: str
) -> None:
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    moment = datetime.fromisoformat(local_now).astimezone().astimezone(UTC)
    assert col.due(moment).today == expected_day


def test_day_start_and_end_are_consistent_across_dst(monkeypatch: pytest.MonkeyPatch) -> None:
    from pearldeck.studyday import day_end, day_start, study_day

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    for hour in (0, 2, 4):
        for iso in ("2026-03-07", "2026-03-08", "2026-10-31", "2026-11-01", "2026-12-31"):
            day = datetime.fromisoformat(iso).date()
            start, end = day_start(day, hour), day_end(day, hour)
            assert study_day(start, hour) == day
            assert study_day(start - timedelta(seconds=1), hour) < day
            assert study_day(end - timedelta(seconds=1), hour) == day
            assert study_day(end, hour) > day
            assert timedelta(hours=23) <= end - start <= timedelta(hours=25)


def test_new_limit_is_per_study_day_across_a_time_zone_change(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "settings.toml").write_text(DEFAULT_TEXT.replace("new_per_day = 20", "new_per_day = 2"))
    with Collection(root) as c:
        c.add([draft(f"q{i}?", back="a") for i in range(6)], NOW)
        for _ in range(2):
            view = c.next_card(NOW)
            assert view is not None
            c.rate(view.card_id, Rating.EASY, NOW)
        assert c.due(NOW).total.new == 0
        # flying west: same UTC instant, earlier local clock, still the same study day
        monkeypatch.setenv("TZ", "America/Los_Angeles")
        time.tzset()
        assert c.due(NOW + timedelta(hours=3)).total.new == 0
        # next local day after 4 am: two more
        assert c.due(NOW + timedelta(hours=22)).total.new == 2
