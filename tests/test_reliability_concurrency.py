"""Concurrency: processes sharing one collection keep every review and every edit.

Two processes rate the same collection at once, 1,000 reviews each, on one device
(so both append to the same log): one keeps a Collection open as the review UI does, the
other runs `pearls rate` afresh each time as a script does. All 2,000 are kept, no
"database is locked" (or any other message) reaches the user, and the index equals a
rebuild. Processes opening a new copy at once agree on its device name. An edit made
outside the tool (an editor, another process) between the tool reading a pearl file and
writing it is never overwritten: the write is refused and the edit stays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pearldeck import collection as collection_module
from pearldeck.collection import Collection
from pearldeck.model import PearlDraft, Rating
from pearldeck.store.fsutil import ChangedOnDisk
from tests.conftest import NOW, draft
from tests.reliability.common import count, log_events, rebuilt_snapshot, snapshot

REVIEWS = count(1000, 5000, "PEARLDECK_CONCURRENT_REVIEWS")
REPO = Path(__file__).resolve().parents[1]
LATER = datetime(2027, 6, 1, tzinfo=UTC)


def child(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


@pytest.mark.slow
def test_two_processes_rating_at_once_keep_every_review(root: Path) -> None:
    with Collection(root) as col:
        col.add([draft(f"Question {i}?", back="answer") for i in range(20)], NOW)
        col.add([draft(f"Cloze {i} {{{{c1::a}}}} {{{{c2::b}}}}") for i in range(10)], NOW)
    procs = [
        child(["-m", "tests.reliability.rate_child", str(root), str(REVIEWS), mode, str(seed)])
        for mode, seed in (("api", 1), ("cli", 2))
    ]
    for p in procs:  # start both at once
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert err == "", err  # nothing at all reached the user's terminal
        assert "CRASH" not in out and "FAIL" not in out, out[-3000:]
    api_ids = {line.split()[1] for line in outputs[0][0].splitlines()}
    cli_done = outputs[1][0].count("DONE")
    assert len(api_ids) == REVIEWS and cli_done == REVIEWS
    events, bad = log_events(root)
    ids = [str(e["id"]) for e in events]
    assert bad == 0 and len(ids) == len(set(ids)) == 2 * REVIEWS
    assert api_ids <= set(ids)
    with Collection(root) as col:
        assert len(col.review_events()) == 2 * REVIEWS
        assert snapshot(col, LATER) == rebuilt_snapshot(root, LATER)


OPEN = (
    "import sys; from pathlib import Path; from pearldeck.collection import Collection\n"
    "sys.stdin.readline(); c = Collection(Path(sys.argv[1])); print(c.device); c.close()"
)


@pytest.mark.slow
def test_processes_opening_a_new_copy_at_once_agree_on_its_device_name(tmp_path: Path) -> None:
    from pearldeck.store.layout import init_collection

    env = {k: v for k, v in os.environ.items() if k != "PEARLS_DEVICE"}
    for trial in range(count(10, 40)):
        root = tmp_path / f"copy{trial}"
        init_collection(root)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(root)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(4)
        ]
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), results
        names = {out.strip() for out, _ in results}
        stored = json.loads((root / ".device").read_text())["name"]
        assert names == {stored}, (names, stored)


# An edit from outside between reading a file and writing it ------------------


def external_edit(path: Path) -> bytes:
    """What an editor saving the file does; returns the new bytes."""
    data = path.read_bytes() + b"- id: extern1\n  text: Written in an editor {{c1::meanwhile}}\n"
    path.write_bytes(data)
    return data


def test_add_after_an_external_edit_keeps_that_edit(root: Path) -> None:
    with Collection(root) as col:
        col.add([draft("Before {{c1::x}}")], NOW)
        edited = external_edit(root / "acute.yaml")  # the index has not seen this
        col.add([draft("After {{c1::y}}")], NOW)
        data = (root / "acute.yaml").read_bytes()
        assert data.startswith(edited)
        assert {p.text for p in col.pearls()} >= {"Written in an editor {{c1::meanwhile}}"}


def test_replace_pearl_after_an_external_edit_is_refused_and_the_edit_stays(root: Path) -> None:
    with Collection(root) as col:
        [p] = col.add([draft("Mine {{c1::x}}")], NOW)
        edited = external_edit(root / "acute.yaml")
        with pytest.raises(ChangedOnDisk, match="changed on disk"):
            col.replace_pearl(p.id, draft("Mine, edited {{c1::x}}"))
        with pytest.raises(ChangedOnDisk):
            col.replace_pearl(p.id, None)  # nor is a delete
        assert (root / "acute.yaml").read_bytes() == edited


@pytest.mark.parametrize("ui_refreshes", [False, True])
def test_a_pearl_edited_by_another_process_is_not_overwritten(
    root: Path, ui_refreshes: bool
) -> None:
    """Two sessions share the index: the review UI shows a pearl, a script edits it, and
    the UI's edit of what it showed is refused, even after the index saw the script's."""
    with Collection(root) as ui:
        [shown] = ui.add([draft("Shared {{c1::x}}")], NOW)
        with Collection(root) as script:
            script.replace_pearl(shown.id, draft("Edited by the script {{c1::x}}"))
        edited = (root / "acute.yaml").read_bytes()
        if ui_refreshes:
            ui.refresh()
        with pytest.raises(ChangedOnDisk):
            ui.replace_pearl(shown.id, draft("Edited in the UI {{c1::x}}"), based_on=shown)
        with pytest.raises(ChangedOnDisk):
            ui.replace_pearl(shown.id, None, based_on=shown)
        assert (root / "acute.yaml").read_bytes() == edited
        # based on what is there now, the edit goes through
        now_there = ui.pearl(shown.id)
        assert now_there is not None and now_there.text == "Edited by the script {{c1::x}}"
        ui.replace_pearl(shown.id, draft("Edited in the UI {{c1::x}}"), based_on=now_there)
        mine = ui.pearl(shown.id)
        assert mine is not None and mine.text == "Edited in the UI {{c1::x}}"


def _edit_during(
    monkeypatch: pytest.MonkeyPatch, name: str, path: Path
) -> Callable[[], bytes | None]:
    """Make an external edit at the last moment: inside the tool's own write."""
    from pearldeck.store import pearlfile

    real = getattr(pearlfile, name)
    done: list[bytes] = []

    def hooked(*args: object, **kw: object) -> object:
        out = real(*args, **kw)
        if not done:
            done.append(external_edit(path))
        return out

    for module in (pearlfile, collection_module):  # wherever the collection finds it
        if hasattr(module, name):
            monkeypatch.setattr(module, name, hooked)
    return lambda: done[0] if done else None


@pytest.mark.parametrize("step", ["finish_append", "format_pearl"])
def test_an_edit_inside_the_window_between_read_and_write_is_never_overwritten(
    root: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    with Collection(root) as col:
        [p] = col.add([draft("Target {{c1::x}}")], NOW)
        edit = _edit_during(monkeypatch, step, root / "acute.yaml")
        with pytest.raises(ChangedOnDisk):
            if step == "finish_append":
                col.add([PearlDraft(pathway="acute", text="New {{c1::y}}")], NOW)
            else:
                col.replace_pearl(p.id, draft("Target, edited {{c1::x}}"))
        assert (root / "acute.yaml").read_bytes() == edit()
    with Collection(root) as col:
        assert col.problems == []
        assert "Written in an editor {{c1::meanwhile}}" in {q.text for q in col.pearls()}


def test_a_review_while_another_process_edits_pearls_is_kept(root: Path) -> None:
    """Reviewing never rewrites pearl files, so it cannot race an edit of them."""
    with Collection(root) as col:
        [p] = col.add([draft("Q?", back="A")], NOW)
        before = (root / "acute.yaml").read_bytes()
        edited = external_edit(root / "acute.yaml")
        col.rate(p.id, Rating.GOOD, NOW)
        assert (root / "acute.yaml").read_bytes() == edited != before
        events, _ = log_events(root)
        assert [e["card"] for e in events] == [p.id]
    assert json.dumps(True)
