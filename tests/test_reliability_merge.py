"""Merges: randomised two-clone histories synced with real git lose nothing and agree.

Each history starts from one collection in two clones (a laptop and a desktop). In
each sync round both make a random mix of reviews (any card, any rating, at times
that interleave with the other clone's), undos, suspends, buries and new pearls,
commit, and pull from each other (a real merge, then a fast-forward). Then: git never
conflicts on review data; every review made on either side is in the history exactly
once; both clones hold the same bytes; and both show the same pearls, card states, due
counts and stats, which equal a rebuild from the text.

Pearl files merge by pearl id through `pearls merge-file`, registered in both clones
(as `pearls init` does). Both clones also edit random pearls: an edit made on one side
must be in the merge, on its own pearl (0 lost edits); a pearl edited on both sides is
the only conflict git may report, on a pearl file, never on `reviews/`, and the merged
file holds both versions, which the test resolves as a user would (keeping the desktop's),
after which `pearls check` must be clean.

PEARLDECK_LONG=1 runs 1,000 histories of up to four rounds (PEARLDECK_MERGES sets the
number of histories).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PATHWAYS, PearlDraft, Rating
from pearldeck.store.gitsync import register_driver
from tests.reliability.common import LONG, count, log_events, rebuilt_snapshot, snapshot, text_files

HISTORIES = count(100, 1000, "PEARLDECK_MERGES")
T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@x",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@x",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


SH: dict[str, Any] = {"env": GIT_ENV, "capture_output": True, "text": True}


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True)
    assert not check or out.returncode == 0, (args, out.stdout, out.stderr)
    return out


@dataclass
class Tally:
    histories: int = 0
    merges: int = 0
    clone_merges: int = 0
    """Of which between two real clones with `git pull`; the rest between worktrees."""
    reviews: int = 0
    undos: int = 0
    pearls_added: int = 0
    review_conflicts: int = 0
    pearl_file_conflicts: int = 0
    edits: int = 0
    both_side_edits: int = 0
    lost: int = 0
    lost_edits: int = 0


@dataclass
class Clone:
    path: Path
    device: str
    clock: datetime
    reviews: set[str] = field(default_factory=set)
    edits: dict[str, str] = field(default_factory=dict)
    """Pearl id -> the text this clone gave it since the last sync."""

    @property
    def root(self) -> Path:
        return self.path / "pearls"


def make_template(folder: Path) -> tuple[Path, Path]:
    a, b = folder / "laptop", folder / "desktop"
    folder.mkdir()
    (folder / "no-hooks").mkdir()
    git(folder, "init", "-q", "-b", "main", "--template", str(folder / "no-hooks"), str(a))
    from pearldeck.store.layout import init_collection

    init_collection(a / "pearls")
    with Collection(a / "pearls", device="laptop") as col:
        col.add(
            [
                PearlDraft(pathway=PATHWAYS[i % 3], text=f"Start {i} {{{{c1::x}}}} {{{{c2::y}}}}")
                for i in range(6)
            ]
            + [PearlDraft(pathway="diagnostic", text=f"Start Q{i}?", back="A") for i in range(3)],
            T0,
        )
    git(a, "add", "-A")
    git(a, "commit", "-qm", "start")
    git(a, "tag", "start")
    git(folder, "clone", "-q", "--template", str(folder / "no-hooks"), str(a), str(b))
    for clone in (a, b):
        register_driver(clone / "pearls")  # as `pearls init` does in each clone
    return a, b


class Worktrees:
    """Two working copies of one repository, on branches `laptop` and `desktop`.

    A sync merges the other branch: the same three-way merge `git pull` makes, without
    the transport, so a history costs a third of one between real clones.
    """

    def __init__(self, template: Path, folder: Path) -> None:
        self.a, self.b = folder / "laptop", folder / "desktop"
        hooks = str(template.parent / "no-hooks")
        git(template.parent, "clone", "-q", "--template", hooks, str(template), str(self.a))
        git(self.a, "checkout", "-q", "-b", "laptop", "start")
        git(self.a, "worktree", "add", "-q", "-b", "desktop", str(self.b), "start")
        register_driver(self.a / "pearls")  # the worktree shares its config

    def reset(self) -> tuple[Path, Path]:
        script = " && ".join(
            f"cd '{d}' && git checkout -q -B {br} start && git clean -qfdx"
            for d, br in ((self.a, "laptop"), (self.b, "desktop"))
        )
        out = subprocess.run(["sh", "-c", script], **SH)
        assert out.returncode == 0, out.stderr
        return self.a, self.b


def _copy(src: str, dst: str) -> None:
    # git never changes an object file once written: share them (fast); copy the rest
    if f"{os.sep}objects{os.sep}" in src:
        os.link(src, dst)
    else:
        shutil.copy2(src, dst)


def fresh_pair(template: tuple[Path, Path], folder: Path) -> tuple[Path, Path]:
    a, b = folder / "laptop", folder / "desktop"
    for src, dst in ((template[0], a), (template[1], b)):
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".cache"), copy_function=_copy)
    config = b / ".git" / "config"
    config.write_text(config.read_text().replace(str(template[0]), str(a)))
    return a, b


def random_ops(clone: Clone, rng: random.Random, tally: Tally) -> None:
    with Collection(clone.root, device=clone.device) as col:
        for _ in range(rng.randint(1, 10)):
            clone.clock += timedelta(minutes=rng.choice((1, 5, 30, 240, 1440)))
            cards = sorted(col.card_pathways())
            r = rng.random()
            if r < 0.6:
                done = col.rate(rng.choice(cards), Rating(rng.randint(1, 4)), clone.clock)
                clone.reviews.add(done.event.id)
                tally.reviews += 1
            elif r < 0.75:
                tally.undos += col.undo(clone.clock) is not None
            elif r < 0.8:
                card = rng.choice(cards)
                rng.choice((col.suspend, col.unsuspend, col.bury))(card, clone.clock)
            elif r < 0.9:
                pearl = rng.choice(col.pearls())
                n = tally.edits
                text = f"{clone.device} edit {n} {{{{c1::x}}}}" if pearl.back is None else f"{n}?"
                draft = PearlDraft(pathway=pearl.pathway, text=text, back=pearl.back)
                col.replace_pearl(pearl.id, draft)
                clone.edits[pearl.id] = text
                tally.edits += 1
            else:
                pathway = rng.choice(PATHWAYS)
                n = tally.pearls_added
                col.add(
                    [PearlDraft(pathway=pathway, text=f"{clone.device} {n} {{{{c1::new}}}}")],
                    clone.clock,
                )
                tally.pearls_added += 1


def sh(script: str) -> subprocess.CompletedProcess[str]:
    """Several git commands in one shell: one process start instead of many."""
    return subprocess.run(["sh", "-c", script], env=GIT_ENV, capture_output=True, text=True)


def resolve_conflicts(clone: Path, tally: Tally, both: set[str]) -> None:
    """A conflict may only be a pearl edited on both sides (`both`), in a pearl file: the
    driver kept both versions; keep this side's, as a user would."""
    conflicted = git(clone, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert conflicted
    for rel in conflicted:
        if "/reviews/" in f"/{rel}":
            tally.review_conflicts += 1
        assert rel.endswith(".yaml") and "reviews/" not in rel, conflicted
        tally.pearl_file_conflicts += 1
        path = clone / rel
        blocks: list[list[str]] = [[]]
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("- "):
                blocks.append([])
            blocks[-1].append(line)
        kept = [b for b in blocks if not any("the other side's version" in ln for ln in b)]
        marked = {
            ln.split("id: ")[1].strip()
            for b in blocks
            for ln in b
            if "- id: " in ln and any("conflict: " in x for x in b)
        }
        assert marked and marked <= both, (marked, both)  # only pearls edited on both sides
        text = "".join(ln for b in kept for ln in b if not ln.lstrip().startswith("conflict: "))
        path.write_text(text, encoding="utf-8")
        git(clone, "add", rel)
    git(clone, "commit", "-qm", "merge, keeping the desktop's version of pearls both edited")


def sync(a: Clone, b: Clone, tally: Tally, worktrees: bool) -> None:
    """Both commit; the desktop merges the laptop's work; the laptop takes the merge."""
    commit = "git add -A && git commit -q --allow-empty -m"
    if worktrees:
        merge_cmd, take_cmd = "git merge -q --no-edit laptop", "git merge -q --ff-only desktop"
    else:
        pull = "git pull -q --no-rebase --no-edit"
        merge_cmd, take_cmd = f"{pull} '{a.path}' main", f"{pull} '{b.path}' main"
    both = f"cd '{a.path}' && {commit} laptop && cd '{b.path}' && {commit} desktop"
    merge = f"cd '{b.path}' && ({merge_cmd} || exit 10)"
    take = f"cd '{a.path}' && {take_cmd}"
    out = subprocess.run(["sh", "-c", f"{both} && {merge} && {take}"], **SH)
    both_edited = set(a.edits) & set(b.edits)
    if out.returncode == 10:
        resolve_conflicts(b.path, tally, both_edited)
        out = subprocess.run(["sh", "-c", take], **SH)
    assert out.returncode == 0, out.stderr
    tally.merges += 1
    tally.clone_merges += not worktrees
    # every edit is in the merge, on its own pearl: one side's as made, both sides' as resolved
    with Collection(a.root, device=a.device) as col:
        texts = {p.id: p.text for p in col.pearls()}
    expected = {**a.edits, **b.edits}
    lost = {pid for pid, text in expected.items() if texts.get(pid) != text}
    tally.lost_edits += len(lost)
    tally.both_side_edits += len(both_edited)
    assert not lost, {pid: (expected[pid], texts.get(pid)) for pid in lost}
    a.edits.clear()
    b.edits.clear()


def verify(a: Clone, b: Clone, tally: Tally) -> None:
    assert text_files(a.root) == text_files(b.root)  # the same bytes in both
    events, bad = log_events(a.root)
    ids = [str(e["id"]) for e in events]
    assert bad == 0 and len(ids) == len(set(ids)), "an event is in the history twice"
    lost = (a.reviews | b.reviews) - set(ids)
    tally.lost += len(lost)
    assert not lost
    later = max(a.clock, b.clock) + timedelta(hours=1)
    snaps = []
    for clone in (a, b):
        with Collection(clone.root, device=clone.device) as col:
            assert col.problems == [], col.problems
            snaps.append(snapshot(col, later))
    assert snaps[0] == snaps[1]
    assert snaps[0] == rebuilt_snapshot(a.root, later)


@pytest.mark.slow
def test_random_two_clone_histories_merge_without_loss(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("PEARLDECK_SEED", "4")))
    template = make_template(tmp_path / "template")
    pair = Worktrees(template[0], tmp_path / "worktrees")
    tally = Tally()
    for n in range(HISTORIES):
        clones = n % 10 == 9  # every tenth history between real clones, with `git pull`
        folder = tmp_path / f"h{n}"
        pa, pb = fresh_pair(template, folder) if clones else pair.reset()
        start = T0 + timedelta(minutes=rng.randint(0, 600))
        a = Clone(pa, "laptop", start)
        b = Clone(pb, "desktop", start + timedelta(minutes=rng.randint(-120, 120)))
        # one sync round per history by default (two for every fifth); up to four when long
        rounds = rng.randint(1, 4) if LONG else 1 + (n % 5 == 4)
        for round_ in range(rounds):
            for clone in rng.sample([a, b], 2):
                random_ops(clone, rng, tally)
            sync(a, b, tally, worktrees=not clones)
            if round_ < rounds - 1:
                assert text_files(a.root) == text_files(b.root)
        verify(a, b, tally)
        tally.histories += 1
        if clones:
            shutil.rmtree(folder)
    print(f"\nmerge: {tally}")
    assert tally.histories == HISTORIES and tally.lost == 0 and tally.review_conflicts == 0
    assert tally.lost_edits == 0 and tally.edits > 0
    assert tally.pearl_file_conflicts <= tally.both_side_edits  # only where both edited
