"""The index never disagrees with a rebuild: any sequence of edits to the pearl files
(moves, an id duplicated in two files or one, deletions, restorations) and reviews leaves
every answer as a fresh build from the text would give it (issue 15's stale schedule)."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.collection import Collection
from pearldeck.model import Rating
from pearldeck.store.layout import init_collection
from tests.conftest import NOW

FILES = ("acute.yaml", "chronic.yaml", "acute/more.yaml")
IDS = ("aaaa01", "bbbb02", "cccc03", "dddd04", "eeee05")

entry = st.tuples(st.integers(0, len(IDS) - 1), st.integers(0, 1))  # (pearl, text variant)
write = st.tuples(st.just("write"), st.integers(0, len(FILES) - 1), st.lists(entry, max_size=4))
NO_ENTRIES: list[tuple[int, int]] = []
delete = st.tuples(st.just("delete"), st.integers(0, len(FILES) - 1), st.just(NO_ENTRIES))
rate = st.tuples(st.just("rate"), st.integers(0, len(IDS) - 1), st.integers(1, 4))
steps = st.lists(st.one_of(write, write, delete, rate, rate), min_size=1, max_size=9)


def pearl_text(pid: str, variant: int, n: int) -> str:
    # a cloze pearl has one card per cloze: variant 1 adds a second card
    cloze = "{{c1::one}}" + (" and {{c2::two}}" if variant else "")
    return f'- id: {pid}\n  text: "{pid}: {cloze}"\n  tags: [t{n % 2}]\n  added: 2026-11-{10 + n}\n'


def answers(root: Path, now_hours: int) -> str:
    """What the user can ask: due counts, the next card, every card's schedule, the pearls."""
    now = NOW + timedelta(hours=now_hours)
    with Collection(root, assign_ids=False) as col:
        view = col.next_card(now)
        out = {
            "due": col.due(now).as_dict(),
            "next": view.card_id if view else None,
            "statuses": {
                c: [s.state, s.due, s.stability, s.reps, s.lapses]
                for c, s in sorted(col.statuses().items())
            },
            "pearls": [[p.id, p.file, p.pathway, p.text, p.tags] for p in col.pearls()],
            "cards": col.card_count(),
            "tags": col.tags(),
            "pathways": col.card_pathways(),
            "stats": col.stats(now),
        }
    return json.dumps(out, sort_keys=True, default=str)


def rebuilt(root: Path, now_hours: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
        return answers(copy, now_hours)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=steps)
def test_index_answers_equal_a_rebuild_after_any_edits_and_reviews(
    tmp_path_factory: object, script: list[tuple[str, int, object]]
) -> None:
    root = Path(tempfile.mkdtemp()) / "pearls"
    init_collection(root)
    (root / "acute").mkdir()
    try:
        with Collection(root, assign_ids=False):
            pass  # an index exists from the start: every later step is an update
        for hour, (kind, which, arg) in enumerate(script):
            if kind == "write":
                path = root / FILES[which]
                items = arg if isinstance(arg, list) else []
                body = "".join(pearl_text(IDS[i], v, n) for n, (i, v) in enumerate(items))
                path.write_text(body)
            elif kind == "delete":
                (root / FILES[which]).unlink(missing_ok=True)
            else:
                with Collection(root, assign_ids=False) as col:
                    cards = [c for c in col.card_pathways() if c.startswith(IDS[which])]
                    if cards:
                        col.rate(cards[0], Rating(int(str(arg))), NOW + timedelta(hours=hour))
            assert answers(root, hour + 1) == rebuilt(root, hour + 1), (hour, script)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_a_duplicate_id_removed_again_keeps_the_reviewed_schedule(root: Path) -> None:
    """The issue's case: `due`, `next` and `stats` saw reviewed cards as new until
    .cache/ was deleted, after an id was copied into a second file and removed again."""
    (root / "acute.yaml").write_text(pearl_text(IDS[0], 0, 0) + pearl_text(IDS[1], 0, 1))
    with Collection(root) as col:
        col.rate(f"{IDS[0]}#c1", Rating.GOOD, NOW)
    (root / "chronic.yaml").write_text(pearl_text(IDS[0], 0, 0))  # the copy
    answers(root, 1)
    (root / "chronic.yaml").write_text("")  # removed again
    assert answers(root, 2) == rebuilt(root, 2)
    with Collection(root) as col:
        status = col.statuses()[f"{IDS[0]}#c1"]
        assert status.reps == 1 and status.state != 0
        assert col.due(NOW).total.new == 1  # only the pearl never reviewed
