"""A change of scheduling rule recomputes derived state from the logs, never rewrites them."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import Rating
from pearldeck.store.layout import init_collection
from tests.conftest import draft

EVENING = datetime(2026, 11, 26, 23, 10, tzinfo=UTC)
MORNING = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


def old_line(
    eid: str, card: str, when: datetime, rating: int, prev: str | None, **st: object
) -> str:
    """A review as pearldeck wrote it before rule 2: a stored state with no `rule` key."""
    state = {"state": 2, "step": None, "reps": 1, "lapses": 0, **st}
    event = {
        "v": 1, "id": eid, "kind": "review", "card": card,
        "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "rating": rating,
        "duration": 0.0, "prev": prev, "state": state,
    }  # fmt: skip
    return json.dumps(event, separators=(",", ":")) + "\n"


def test_reviews_stored_by_the_old_rule_are_recomputed_and_the_log_kept(
    tmp_path: Path,
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        init_collection(root)
        settings = root / "settings.toml"
        settings.write_text(settings.read_text().replace("fuzz = true", "fuzz = false"))
    with Collection(old) as col:
        [p] = col.add([draft("q?", back="a")], EVENING)
    log = old / "reviews" / "laptop.jsonl"
    # the old rule: 5 h 50 min later is the same day, stability 0.32, due 24 h on
    log.write_text(
        old_line("e1", p.id, EVENING, 4, None, stability=8.2956, difficulty=1.0,
                 due="2026-12-05T23:10:00.000000Z", last_review="2026-11-26T23:10:00.000000Z")
        + old_line("e2", p.id, MORNING, 3, "e1", stability=0.32, difficulty=1.0,
                   due="2026-11-28T05:00:00.000000Z", last_review="2026-11-27T05:00:00.000000Z")
    )  # fmt: skip
    before = log.read_bytes()
    with Collection(new) as col:  # the same reviews made under rule 2
        [q] = col.add([draft("q?", back="a")], EVENING)
        col.rate(q.id, Rating.EASY, EVENING)
        want = col.rate(q.id, Rating.GOOD, MORNING).state
    for _ in range(2):  # a first open, and a rebuild from nothing
        with Collection(old) as col:
            got = col.statuses()[p.id]
            assert got.stability == pytest.approx(want.stability)
            assert got.stability != pytest.approx(0.32)
            assert got.due == (want.due.timestamp() if want.due else None)
            assert col.index.get_meta("schema") == "16"
        assert log.read_bytes() == before  # never rewritten
        shutil.rmtree(old / ".cache")
