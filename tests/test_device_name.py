"""This machine's device name lives beside the collection, outside the derived cache:
deleting .cache/ keeps it (and every answer), and no two copies ever share one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import Rating
from pearldeck.store.layout import device_id
from tests.conftest import NOW, draft

CLOCK = "2026-11-28T09:30:00Z"


@pytest.fixture(autouse=True)
def own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEARLS_DEVICE")  # the conftest's fixed name would hide the file


def test_deleting_the_cache_keeps_the_device_name_and_undo_reaches_back(root: Path) -> None:
    with Collection(root) as col:
        [p] = col.add([draft("q?", back="a")], NOW)
        col.rate(p.id, Rating.GOOD, NOW)
        name = col.device
    shutil.rmtree(root / ".cache")
    with Collection(root) as col:
        assert col.device == name
        undone = col.undo(NOW)  # the review made before the cache went
        assert undone is not None and undone.card == p.id
    assert [f.name for f in (root / "reviews").glob("*.jsonl")] == [f"{name}.jsonl"]


def git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_two_clones_and_a_copied_folder_never_share_a_device_name(tmp_path: Path) -> None:
    first = tmp_path / "laptop"
    with Collection(_init(first)) as col:
        [p] = col.add([draft("q?", back="a")], NOW)
        col.rate(p.id, Rating.GOOD, NOW)
        mine = col.device
    git("init", "-q", cwd=first)
    git("add", "-A", cwd=first)
    git("commit", "-qm", "pearls", cwd=first)
    git("clone", "-q", str(first), str(tmp_path / "desktop"), cwd=tmp_path)
    assert not (tmp_path / "desktop" / ".device").exists()  # git-ignored: never cloned
    shutil.copytree(first, tmp_path / "usb-copy")  # .device and all
    names = {mine}
    for other in ("desktop", "usb-copy"):
        name = device_id(tmp_path / other)
        assert name not in names
        names.add(name)
        assert device_id(tmp_path / other) == name  # and it keeps it
    assert device_id(first) == mine


def test_a_moved_folder_keeps_its_name_and_an_older_cache_name_is_taken_over(
    tmp_path: Path,
) -> None:
    old = _init(tmp_path / "old")
    (old / ".cache").mkdir()
    (old / ".cache" / "device").write_text("oldbox-abc123\n")  # where it was kept before
    assert device_id(old) == "oldbox-abc123"
    assert json.loads((old / ".device").read_text())["name"] == "oldbox-abc123"
    moved = tmp_path / "moved"
    old.rename(moved)
    shutil.rmtree(moved / ".cache")
    assert device_id(moved) == "oldbox-abc123"


def _init(folder: Path) -> Path:
    from pearldeck.store.layout import init_collection

    init_collection(folder)
    return folder


def pearls(root: Path, *args: str) -> bytes:
    """The real command line, as a user runs it (a new process, the sealed `due` too)."""
    env = {k: v for k, v in os.environ.items() if k != "PEARLS_DEVICE"}
    env |= {"PEARLS_NOW": CLOCK, "PEARLS_DIR": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "pearldeck", *args], capture_output=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_answers_are_byte_identical_after_deleting_the_cache(root: Path) -> None:
    with Collection(root) as col:
        ps = col.add([draft(f"q{i}?", "acute" if i % 2 else "chronic", "a") for i in range(6)], NOW)
        for p in ps[:4]:
            col.rate(p.id, Rating((len(p.id) + ord(p.id[0])) % 4 + 1), NOW)
        col.suspend(ps[4].id, NOW)
    commands = [["due"], ["due", "--json"], ["next"], ["next", "--json"], ["stats"]]
    commands += [["stats", "--json"], ["list", "--json"]]
    before = [pearls(root, *c) for c in commands]
    name = json.loads((root / ".device").read_text())["name"]
    shutil.rmtree(root / ".cache")
    after = [pearls(root, *c) for c in commands]
    assert after == before
    assert json.loads((root / ".device").read_text())["name"] == name
    assert all(b.strip() for b in before)


def test_a_folder_synced_to_another_machine_at_the_same_path_makes_its_own_name(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    mine = device_id(root)
    monkeypatch.setattr(socket, "gethostname", lambda: "desktop")  # same path, other host
    theirs = device_id(root)
    assert theirs != mine and theirs.startswith("desktop-")
