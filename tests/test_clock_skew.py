"""A review synced from a device whose clock runs fast: this device's reviews keep their
true times, a card failed here is not hidden, and `pearls check` names the event."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from pearldeck import scheduler as sched
from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.model import Rating
from tests.conftest import NOW, draft

FAST = timedelta(days=90)  # the phone's clock


def log(root: Path, device: str) -> list[dict[str, object]]:
    lines = (root / "reviews" / f"{device}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_a_future_dated_review_from_another_device(root: Path) -> None:
    with Collection(root, device="laptop") as col:
        [p] = col.add([draft("q?", back="a")], NOW)
        for t in (NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=11)):
            col.rate(p.id, Rating.GOOD, t)
    # synced in from the phone (same folder, as git would bring its log)
    with Collection(root, device="phone") as phone:
        phone.rate(p.id, Rating.GOOD, NOW + timedelta(days=2) + FAST)
    now = NOW + timedelta(days=2)
    with Collection(root, device="laptop") as col:
        # its schedule counts from the phone's review until the card is reviewed again
        assert col.next_card(now) is None
        failed = col.rate(p.id, Rating.AGAIN, now)
        assert failed.event.time == sched.iso(now)  # the true time, not after the phone's
        assert failed.event.prev == log(root, "phone")[-1]["id"]  # made on top of it
        assert failed.state.due == now + timedelta(minutes=10)
        soon = now + timedelta(minutes=11)
        view = col.next_card(soon)
        assert view is not None and view.card_id == p.id  # not hidden for 90 days
        again = col.rate(p.id, Rating.GOOD, soon)
        assert again.event.time == sched.iso(soon)
        want = col.statuses()[p.id]
    assert [e["time"] for e in log(root, "laptop")][-2:] == [sched.iso(now), sched.iso(soon)]
    shutil.rmtree(root / ".cache")  # replay from the logs alone: the same schedule
    with Collection(root, device="laptop") as col:
        assert col.statuses()[p.id] == want
    # a third machine replays the same order
    with Collection(root, device="desk") as col:
        assert col.statuses()[p.id].due == want.due
    result = CliRunner().invoke(
        app,
        ["--dir", str(root), "check"],
        env={"PEARLS_NOW": sched.iso(now + timedelta(hours=1)), "PEARLS_DEVICE": "laptop"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    phone_log = root / "reviews" / "phone.jsonl"
    # (the pearl here has no source, so `check` adds that style warning: not this test's)
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    warnings = [w for w in warnings if "pearl has no source" not in w]
    assert len(warnings) == 1
    assert f"{phone_log}:1: review of card {p.id}" in warnings[0] and "ahead" in warnings[0]


def test_replay_order_survives_a_hand_made_cycle_of_prev_links() -> None:
    from pearldeck.model import Event
    from pearldeck.replay import causal_order

    a = Event("a", "review", "c", "2026-01-02T00:00:00.000000Z", "x", rating=3, prev="b")
    b = Event("b", "review", "c", "2026-01-01T00:00:00.000000Z", "y", rating=3, prev="a")
    c = Event("c", "review", "c", "2026-01-03T00:00:00.000000Z", "x", rating=3, prev="a")
    order = [e.id for e in causal_order([c, a, b])]
    assert sorted(order) == ["a", "b", "c"] and order == [e.id for e in causal_order([b, c, a])]
