"""Rebuilding the history index: the bulk path gives exactly what folding every card does."""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from pearldeck.collection import Collection
from pearldeck.model import Rating
from pearldeck.store.index import StatusRow
from pearldeck.store.layout import init_collection
from tests.conftest import NOW, draft


def history(root: Path) -> None:
    """Twelve cards with lapses, a leech, undo, suspend, bury, and a merge of two clones."""
    settings = root / "settings.toml"
    settings.write_text(settings.read_text().replace("leech_threshold = 8", "leech_threshold = 2"))
    with Collection(root) as c:
        c.add([draft(f"Pearl {i} {{{{c1::answer {i}}}}}", "acute") for i in range(12)], NOW)
    rng = random.Random(7)
    clone = root.parent / "clone"
    when = NOW
    for day in range(40):
        if day == 20:  # a second machine starts from a copy and reviews on its own
            shutil.copytree(root, clone)
        for folder, device in ((root, "laptop"), (clone, "desktop")):
            if not folder.exists():
                continue
            with Collection(folder, device=device) as c:
                for i in range(12 if device == "laptop" else 6):
                    card = f"{c.pearls()[i].id}#c1"
                    rating = Rating.AGAIN if rng.random() < 0.25 else Rating.GOOD
                    c.rate(card, rating, when + timedelta(minutes=i))
                    if day == 30 and i == 3 and device == "laptop":
                        c.undo(when + timedelta(minutes=i, seconds=5))
                if day == 39 and device == "laptop":
                    c.suspend(f"{c.pearls()[5].id}#c1", when)
                    c.bury(f"{c.pearls()[6].id}#c1", when)
        when += timedelta(days=1)
    shutil.copy(clone / "reviews" / "desktop.jsonl", root / "reviews" / "desktop.jsonl")


def folded(c: Collection) -> dict[str, StatusRow]:
    """Every card's state by folding its events one by one, the slow and sure way."""
    cards = c.index.card_ids()
    return {
        cid: c._history().status_row(cid, evs) for cid, evs in c.index.events_for(cards).items()
    }


def test_rebuilt_states_equal_a_fold_of_every_card(tmp_path: Path) -> None:
    root = tmp_path / "pearls"
    init_collection(root)
    history(root)
    shutil.rmtree(root / ".cache")
    with Collection(root) as c:
        rebuilt = c.index.statuses()
        expected = folded(c)
        plain = [s.card for s in c.index.card_summaries(c.index.db) if s.plain]
    assert rebuilt == expected
    assert 0 < len(plain) < len(expected)  # both paths were taken
    assert any(r.leech for r in rebuilt.values()) and any(r.suspended for r in rebuilt.values())
    assert any(r.buried_day for r in rebuilt.values())


def test_an_id_on_two_lines_is_kept_once_from_the_first_log_by_name(root: Path) -> None:
    with Collection(root) as c:
        c.add([draft("{{c1::Adenosine}} for stable SVT"), draft("Statin {{c1::high}}")], NOW)
        a, b = (f"{p.id}#c1" for p in c.pearls())
        first = c.rate(a, Rating.GOOD, NOW).event
    log = root / "reviews" / "testbox.jsonl"
    line = log.read_text().splitlines()[0]
    (root / "reviews" / "other.jsonl").write_text(line.replace(a, b) + "\n")
    with Collection(root) as c:  # read after the fact: the line already known wins
        incremental = c.index.db.execute("SELECT id, card, device FROM events").fetchall()
    assert incremental == [(first.id, a, "testbox")]
    for _ in range(2):  # a rebuild reads the logs in name order, the same every time
        shutil.rmtree(root / ".cache")
        with Collection(root) as c:
            rebuilt = c.index.db.execute("SELECT id, card, device FROM events").fetchall()
            assert c.index.status(b) is not None and c.index.status(a) is None
        assert rebuilt == [(first.id, b, "other")]


def test_the_rebuilt_index_holds_no_stored_states(root: Path) -> None:
    """States stay in the logs: the index points at them, so a rebuild writes half as much."""
    with Collection(root) as c:
        c.add([draft("{{c1::Adenosine}} for stable SVT")], NOW)
        c.rate(f"{c.pearls()[0].id}#c1", Rating.GOOD, NOW)
    shutil.rmtree(root / ".cache")
    with Collection(root) as c:
        c.refresh()
    db = sqlite3.connect(root / ".cache" / "index.sqlite3")
    assert db.execute("SELECT state, ref FROM events").fetchall() == [(None, 0)]
