"""A rating's write-through: the appended line goes straight into the index, which ends
exactly as a sync reading the log back would leave it; a full sync only when the log is
not the size the index expects."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pearldeck.collection import Collection
from pearldeck.model import Event, Rating
from pearldeck.store import reviewlog
from tests.conftest import NOW, draft
from tests.reliability.common import rebuilt_snapshot, snapshot

Tables = dict[str, list[tuple[object, ...]]]


def tables(col: Collection) -> Tables:
    """The index's history: every event, every log's offset, every card's state."""
    db = col.index.db
    return {
        "events": db.execute("SELECT * FROM events ORDER BY id").fetchall(),
        "logs": db.execute("SELECT * FROM logs ORDER BY path").fetchall(),
        "status": db.execute("SELECT * FROM status ORDER BY card_id").fetchall(),
    }


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The logs read back by a sync, from now on."""
    read: list[Path] = []
    real = reviewlog.read_from

    def spy(path: Path, *args: Any, **kw: Any) -> reviewlog.LogRead:
        read.append(path)
        return real(path, *args, **kw)

    monkeypatch.setattr(reviewlog, "read_from", spy)
    return read


def test_ratings_are_fed_to_the_index_as_a_sync_would_read_them(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Collection(root) as col:
        a, b = col.add([draft("Q1?", back="A1"), draft("x {{c1::y}} {{c2::z}}")], NOW)
        col.rate(a.id, Rating.GOOD, NOW)  # the log's first line: read by a full sync
    before = root.parent / "index-before"
    shutil.copytree(root / ".cache", before)

    read = count_reads(monkeypatch)
    with Collection(root) as col:
        col.rate(f"{b.id}#c1", Rating.AGAIN, NOW + timedelta(minutes=1))
        col.rate(a.id, Rating.HARD, NOW + timedelta(days=2))
        col.rate(f"{b.id}#c2", Rating.EASY, NOW + timedelta(days=2, minutes=1))
        assert col.undo(NOW + timedelta(days=2, minutes=2)) is not None
        col.rate(f"{b.id}#c1", Rating.GOOD, NOW + timedelta(days=3))
        assert read == []  # nothing was read back from a log
        fed = tables(col)
    assert (
        len(fed["events"]) == 6
        and fed["logs"][0][1] == (root / "reviews" / "testbox.jsonl").stat().st_size
    )

    # the same lines read back by an index that had not seen them
    shutil.rmtree(root / ".cache")
    shutil.copytree(before, root / ".cache")
    with Collection(root) as col:
        assert read != []
        assert tables(col) == fed
    with Collection(root) as col:
        assert snapshot(col, NOW + timedelta(days=4)) == rebuilt_snapshot(
            root, NOW + timedelta(days=4)
        )


def test_a_line_another_process_appended_first_is_read_by_a_full_sync(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Collection(root) as col:
        a, b = col.add([draft("Q1?", back="A1"), draft("Q2?", back="A2")], NOW)
        col.rate(a.id, Rating.GOOD, NOW)
    real = reviewlog.append_event
    later = NOW + timedelta(minutes=1)

    def another_process_first(root_: Path, device: str, event: Event) -> tuple[int, bytes]:
        # the same device's log, appended by a second window of the app just before ours
        real(root_, device, Event("f" * 12, "suspend", b.id, "2026-11-27T15:00:30.000000Z", device))
        return real(root_, device, event)

    read = count_reads(monkeypatch)
    with Collection(root) as col:
        monkeypatch.setattr(reviewlog, "append_event", another_process_first)
        col.rate(a.id, Rating.GOOD, later)
        monkeypatch.setattr(reviewlog, "append_event", real)
        assert read == [root / "reviews" / "testbox.jsonl"]  # the log was not as expected
        assert col.statuses()[b.id].suspended and col.statuses()[a.id].reps == 2
        assert snapshot(col, later) == rebuilt_snapshot(root, later)


def test_a_torn_last_line_is_closed_and_the_log_read_again(root: Path) -> None:
    with Collection(root) as col:
        [a] = col.add([draft("Q1?", back="A1")], NOW)
        col.rate(a.id, Rating.GOOD, NOW)
    log = root / "reviews" / "testbox.jsonl"
    with log.open("ab") as f:
        f.write(b'{"v":1,"id":"ab')  # a crash in the middle of an append
    later = NOW + timedelta(days=3)
    with Collection(root) as col:
        col.rate(a.id, Rating.GOOD, later)
        assert col.statuses()[a.id].reps == 2
        assert tables(col)["logs"][0][1] == log.stat().st_size
        assert snapshot(col, later) == rebuilt_snapshot(root, later)
