"""Two clones of one collection synced with real git never conflict and lose nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PEARLS = str(Path(sys.executable).with_name("pearls"))
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def pearls(cwd: Path, device: str, now: str, *args: str) -> str:
    env = {**os.environ, "PEARLS_DEVICE": device, "PEARLS_NOW": now}
    out = subprocess.run(
        [PEARLS, "--dir", "pearls", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def first_clone(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare origin and a laptop clone with a new collection in `pearls/`; where the
    desktop clone will go."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    a, b = tmp_path / "laptop", tmp_path / "desktop"
    git(tmp_path, "clone", "-q", str(origin), str(a))
    pearls(a, "laptop", "2026-11-27T15:00:00Z", "init")
    return origin, a, b


def test_two_clones_review_then_pull_from_each_other(tmp_path: Path) -> None:
    origin, a, b = first_clone(tmp_path)
    now = "2026-11-27T15:00:00Z"
    ids = [
        pearls(a, "laptop", now, "add", f"Question {i}?", "-p", pw, "--back", f"answer {i}").strip()
        for i, pw in enumerate(["acute", "chronic", "preventive", "diagnostic", "acute"])
    ]
    git(a, "add", "-A")
    git(a, "commit", "-qm", "pearls")
    git(a, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(origin), str(b))

    for pid in ids[:2] + ids[4:]:
        pearls(a, "laptop", "2026-11-27T16:00:00Z", "rate", pid, "good")
    pearls(a, "laptop", "2026-11-27T16:05:00Z", "undo")  # takes back ids[4]
    for pid in ids[2:]:
        pearls(b, "desktop", "2026-11-27T17:00:00Z", "rate", pid, "easy")
    pearls(b, "desktop", "2026-11-27T17:01:00Z", "suspend", ids[3])
    for clone in (a, b):
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", "reviews")
    git(a, "push", "-q", "origin", "main")
    git(b, "pull", "-q", "--no-rebase", "origin", "main")  # a real merge: both changed
    git(b, "push", "-q", "origin", "main")
    git(a, "pull", "-q", "--no-rebase", "origin", "main")
    assert "reviews/laptop.jsonl" in git(a, "ls-files", "pearls/reviews")
    assert "reviews/desktop.jsonl" in git(b, "ls-files", "pearls/reviews")

    later = "2026-11-27T18:00:00Z"
    due_a = json.loads(pearls(a, "laptop", later, "due", "--json"))
    due_b = json.loads(pearls(b, "desktop", later, "due", "--json"))
    stats_a = json.loads(pearls(a, "laptop", later, "stats", "--json"))
    stats_b = json.loads(pearls(b, "desktop", later, "stats", "--json"))
    assert due_a == due_b
    assert stats_a == stats_b
    # 3 laptop reviews (one undone) + 3 desktop reviews
    assert stats_a["total"]["reviews_total"] == 5
    assert stats_a["total"]["cards"]["suspended"] == 1
    assert due_a["total"] == {"new": 0, "learning": 2, "review": 0}


def test_pearls_added_on_two_clones_to_one_file_merge_without_a_conflict(
    tmp_path: Path,
) -> None:
    origin, a, b = first_clone(tmp_path)
    now = "2026-11-27T15:00:00Z"
    assert (a / "pearls" / ".gitattributes").is_file()
    shared = pearls(a, "laptop", now, "add", "Shared?", "-p", "acute", "--back", "one").strip()
    git(a, "add", "-A")
    git(a, "commit", "-qm", "start")
    git(a, "push", "-q", "origin", "main")
    git(tmp_path, "clone", "-q", str(origin), str(b))
    mine = pearls(a, "laptop", now, "add", "From the laptop?", "-p", "acute", "--back", "a")
    theirs = pearls(b, "desktop", now, "add", "From the desktop?", "-p", "acute", "--back", "b")
    for clone in (a, b):
        git(clone, "commit", "-qam", "a pearl")
    git(a, "push", "-q", "origin", "main")
    git(b, "pull", "-q", "--no-rebase", "origin", "main")  # would conflict without union
    listed = json.loads(pearls(b, "desktop", now, "list", "--json"))
    assert {p["id"] for p in listed} == {shared, mine.strip(), theirs.strip()}
    pearls(b, "desktop", now, "check")

    # both edit the same pearl: nothing is lost, and the doubled key is named, not hidden
    git(b, "push", "-q", "origin", "main")
    git(a, "pull", "-q", "--no-rebase", "origin", "main")
    for clone, answer in ((a, "from the laptop"), (b, "from the desktop")):
        acute = clone / "pearls" / "acute.yaml"
        acute.write_text(acute.read_text().replace("back: one\n", f"back: {answer}\n"))
        git(clone, "commit", "-qam", "an edit")
    git(a, "push", "-q", "origin", "main")
    git(b, "pull", "-q", "--no-rebase", "origin", "main")
    text = (b / "pearls" / "acute.yaml").read_text()
    assert "back: from the laptop" in text and "back: from the desktop" in text
    env = {**os.environ, "PEARLS_DEVICE": "desktop", "PEARLS_NOW": now}
    check = subprocess.run(
        [PEARLS, "--dir", "pearls", "check"], cwd=b, env=env, capture_output=True, text=True
    )
    assert check.returncode == 1
    assert "acute.yaml:" in check.stderr + check.stdout
    assert "duplicate key 'back'" in check.stderr + check.stdout
