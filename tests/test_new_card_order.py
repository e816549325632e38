"""The `new_card_order` setting: newest first (the default), order added, or random."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlError
from pearldeck.store import queue
from tests.conftest import NOW, draft


def setup(root: Path, order: str | None, new_per_day: int = 2) -> None:
    text = (root / "settings.toml").read_text()
    text = text.replace("new_per_day = 20", f"new_per_day = {new_per_day}")
    if order is not None:
        text = text.replace('new_card_order = "newest-first"', f'new_card_order = "{order}"')
    (root / "settings.toml").write_text(text)


def backlog_and_today(col: Collection) -> tuple[list[str], list[str]]:
    """A starter/imported backlog (chronic, added in January) and today's own pearls."""
    old = col.add([draft(f"old {i}?", "chronic", "a", added="2026-01-10") for i in range(5)], NOW)
    mine = col.add([draft(f"today {i}?", "acute", "a") for i in range(2)], NOW)
    return [p.id for p in old], [p.id for p in mine]


def order_seen(col: Collection) -> list[str]:
    seen = []
    while (view := col.next_card(NOW)) is not None and view.queue == "new":
        seen.append(view.card_id)
        col.bury(view.card_id, NOW)
    return seen


def test_by_default_todays_pearls_come_before_a_backlog(root: Path) -> None:
    setup(root, None)
    with Collection(root) as col:
        _, mine = backlog_and_today(col)
        due = col.due(NOW)
        assert due.pathways["acute"].new == 2 and due.pathways["chronic"].new == 0
        view = col.next_card(NOW)
        assert view is not None and view.card_id in mine


def test_order_added_starts_with_the_oldest(root: Path) -> None:
    setup(root, "added", new_per_day=20)
    with Collection(root) as col:
        old, mine = backlog_and_today(col)
        assert order_seen(col) == old + mine


def test_random_order_is_the_same_in_a_copy_built_from_the_text(root: Path) -> None:
    setup(root, "random", new_per_day=20)
    with Collection(root) as col:
        old, mine = backlog_and_today(col)
    copy = root.parent / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
    with Collection(root) as col:
        first = order_seen(col)
    assert sorted(first) == sorted(old + mine)
    assert first not in (old + mine, mine + old)
    with Collection(copy) as col:
        assert order_seen(col) == first


@pytest.mark.parametrize("order", ["added", "newest-first", "random"])
def test_a_prompt_s_due_count_reads_the_order_the_settings_name(root: Path, order: str) -> None:
    setup(root, order)
    with Collection(root) as col:
        backlog_and_today(col)
        full = col.due(NOW)
        # what `pearls due` answers from a sealed index, without loading the settings
        today, per = queue.due_counts(col.index.db, NOW, 4, 2)
    assert queue.render_due(today, per, True) == queue.render_due(
        full.today,
        {pw: (c.new, c.learning, c.review) for pw, c in full.pathways.items()},
        True,
    )


def test_an_unknown_order_is_named_with_the_choices(root: Path) -> None:
    text = (root / "settings.toml").read_text()
    (root / "settings.toml").write_text(
        text.replace('new_card_order = "newest-first"', 'new_card_order = "oldest"')
    )
    with pytest.raises(PearlError, match='new_card_order must be one of "newest-first"'):
        Collection(root)
