"""Crash injection: a worker using the collection is SIGKILLed at random instants.

After every kill, on disk: every review the worker reported done is in a review log,
every undo it reported is there too, every pearl file parses (and `pearls check` is
clean, checked every fourth kill), added, edited and imported pearls are all there (an
interrupted import all or nothing), the last export is a whole package, temp files left
by a killed writer are never read as pearls and go with the next write, and the index the
worker left behind, once opened, shows exactly what a rebuild from the text shows. Every
tenth kill the index is also deleted outright, as a user may do.

Half of the runs are killed by the parent after a random 1-40 ms; the other half kill
themselves at a random write, fsync or rename (before or after it), so kills land in
every window of every write. PEARLDECK_LONG=1 makes it 1,000 kills
(PEARLDECK_CRASH_KILLS sets any number).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PATHWAYS, PearlDraft, Rating
from pearldeck.store.layout import init_collection
from tests.reliability.common import count, invoke, log_events, rebuilt_snapshot, snapshot

KILLS = count(200, 1000, "PEARLDECK_CRASH_KILLS")
KILLS_PER_COLLECTION = 25
REPO = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LATER = START + timedelta(days=400)


@dataclass
class Reported:
    """What the workers said was done, and what was in flight when one died."""

    done: set[str] = field(default_factory=set)
    undone: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)
    """Pearl id -> the text its last finished edit wrote."""
    editing: tuple[str, str] | None = None
    imported: set[str] = field(default_factory=set)
    importing: list[str] = field(default_factory=list)
    exported: bool = False


@dataclass
class Tally:
    kills: int = 0
    before_open: int = 0
    self_kills: int = 0
    reviews: int = 0
    stray_temps: int = 0
    lost: int = 0
    seconds_running: float = 0.0
    seconds_checking: float = 0.0


class Zygote:
    """The forking worker process (tests/reliability/crash_child.py)."""

    def __init__(self) -> None:
        env = {**os.environ, "PEARLS_DEVICE": "crashbox", "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )

    def run(self, root: Path, seed: int, start: float, self_kill: int, delay: float) -> list[str]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"RUN {root} {seed} {start} {self_kill}\n".encode())
        self.proc.stdin.flush()
        lines: list[str] = []
        pid = None
        while pid is None:
            line = self.proc.stdout.readline().decode().rstrip("\n")
            assert line, "the zygote died"
            if line.startswith("PID "):
                pid = int(line.split()[1])
            else:
                lines.append(line)
        timer = threading.Timer(delay, _kill, (pid,))
        timer.start()
        while True:
            line = self.proc.stdout.readline().decode().rstrip("\n")
            assert line, "the zygote died"
            if line.startswith("EXIT "):
                status = int(line.split()[2])
                break
            lines.append(line)
        timer.cancel()
        failed = [x for x in lines if x.startswith("FAILED")]
        assert not failed, json.loads(failed[0].split(" ", 1)[1])
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
        return lines

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(b"QUIT\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def new_collection(folder: Path) -> Path:
    root = folder / "pearls"
    init_collection(root)
    drafts = [
        PearlDraft(
            pathway=pw, text=f"Seed {pw} {i}: {{{{c1::one}}}} and {{{{c2::two}}}}", tags=("crash",)
        )
        for i in range(3)
        for pw in PATHWAYS
    ]
    with Collection(root) as col:
        col.add(drafts, START)
    return root


def absorb(lines: list[str], seen: Reported, tally: Tally) -> None:
    if "OPEN" not in lines:
        tally.before_open += 1
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "DONE":
            seen.done.add(rest)
            tally.reviews += 1
        elif word == "UNDO":
            seen.undone.add(rest)
        elif word == "ADDED":
            seen.added.add(rest)
        elif word == "EDITING":
            pid, text = rest.split(" ", 1)
            seen.editing = (pid, json.loads(text))
        elif word == "EDITED":
            assert seen.editing is not None
            seen.texts[seen.editing[0]] = seen.editing[1]
            seen.editing = None
        elif word == "IMPORTING":
            seen.importing.append(json.loads(rest))
        elif word == "IMPORTED":
            seen.imported.update(seen.importing)
            seen.importing = []
        elif word == "EXPORTED":
            seen.exported = True


def verify(root: Path, seen: Reported, tally: Tally, delete_index: bool, cli: bool) -> None:
    events, bad_lines = log_events(root)
    assert bad_lines == 0  # SIGKILL cannot tear an append of one short line
    ids = [str(e["id"]) for e in events]
    assert len(ids) == len(set(ids)), "an event was written twice"
    lost = seen.done - set(ids)
    undo_targets = {str(e.get("target")) for e in events if e["kind"] == "undo"}
    lost |= seen.undone - undo_targets
    tally.lost += len(lost)
    assert not lost, f"reported done but not on disk: {sorted(lost)}"

    if cli:
        check = invoke(["--dir", str(root), "check"])
        assert check.exit_code == 0, check.output
    strays = list(root.rglob(".*.tmp"))
    tally.stray_temps = max(tally.stray_temps, len(strays))
    assert len(strays) <= len(PATHWAYS)  # each goes with the next write of its file
    parts = list((root.parent / "decks").glob(".*.part"))
    assert len(parts) <= 1, parts  # the one a kill interrupted; the next export removes it
    if delete_index:
        shutil.rmtree(root / ".cache")
    with Collection(root) as col:
        assert col.problems == [] and col.last_refresh.warnings == []
        pearls = {p.id: p for p in col.pearls()}
        assert not {s.name for s in strays} & {p.file for p in pearls.values()}
        missing = seen.added - set(pearls)
        assert not missing, f"added pearls missing: {missing}"
        for pid, text in seen.texts.items():
            if seen.editing and seen.editing[0] == pid:
                continue
            assert pearls[pid].text == text
        if seen.editing:
            pid, text = seen.editing
            assert pearls[pid].text in (seen.texts.get(pid, pearls[pid].text), text)
            seen.texts[pid] = pearls[pid].text
            seen.editing = None
        present = {p.text for p in pearls.values()}
        assert seen.imported <= present
        if seen.importing:  # one file, one rename: all or nothing
            landed = [t in present for t in seen.importing]
            assert all(landed) or not any(landed), landed
            if all(landed):
                seen.imported.update(seen.importing)
            seen.importing = []
        warm = snapshot(col, LATER)
    assert_same(warm, rebuilt_snapshot(root, LATER), root)
    package = root.parent / "decks" / "crash.apkg"
    if seen.exported or package.exists():
        with zipfile.ZipFile(package) as z:
            assert z.testzip() is None
            assert {"collection.anki2", "media"} <= set(z.namelist())


def assert_same(warm: dict[str, object], rebuilt: dict[str, object], root: Path) -> None:
    """The index as left behind, once opened, equals a rebuild from the text."""
    if warm == rebuilt:
        return
    diff = {
        k: {key: (a.get(key), b.get(key)) for key in set(a) | set(b) if a.get(key) != b.get(key)}
        if isinstance(a := warm[k], dict) and isinstance(b := rebuilt[k], dict)
        else (warm[k], rebuilt[k])
        for k in warm
        if warm[k] != rebuilt[k]
    }
    keep = Path(os.environ.get("PEARLDECK_KEEP", "/tmp")) / f"crash-failure-{os.getpid()}"
    shutil.copytree(root, keep, dirs_exist_ok=True)
    pytest.fail(f"index differs from a rebuild (collection kept in {keep}): {diff}")


@pytest.mark.slow
def test_sigkill_at_random_instants_loses_no_review_and_breaks_no_file(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("PEARLDECK_SEED", "9")))
    zygote = Zygote()
    tally = Tally()
    try:
        root, seen = tmp_path, Reported()
        for kill in range(KILLS):
            if kill % KILLS_PER_COLLECTION == 0:
                root, seen = new_collection(tmp_path / f"c{kill}"), Reported()
            self_kill = rng.randint(1, 40) if rng.random() < 0.5 else 0
            delay = 2.0 if self_kill else rng.uniform(0.001, 0.04)
            start = (START + timedelta(days=kill % KILLS_PER_COLLECTION)).timestamp()
            t0 = time.perf_counter()
            lines = zygote.run(root, rng.randrange(2**31), start, self_kill, delay)
            t1 = time.perf_counter()
            tally.kills += 1
            tally.self_kills += bool(self_kill)
            absorb(lines, seen, tally)
            verify(root, seen, tally, delete_index=kill % 10 == 9, cli=kill % 4 == 0)
            tally.seconds_running += t1 - t0
            tally.seconds_checking += time.perf_counter() - t1
    finally:
        zygote.close()
    print(f"\ncrash: {tally}")
    assert tally.kills >= KILLS and tally.lost == 0
    assert tally.reviews > KILLS // 4  # the workers did real work between kills


class SimulatedCrash(BaseException):
    """Stands for SIGKILL at one exact instant: nothing after it runs."""


def test_a_crash_between_recording_events_and_refolding_leaves_no_stale_card(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pearldeck.store.index import Index

    with Collection(root) as col:
        [p] = col.add([PearlDraft(pathway="acute", text="q?", back="a")], START)
        col.rate(p.id, Rating.GOOD, START)

        def crash(*args: object) -> None:
            raise SimulatedCrash

        monkeypatch.setattr(Index, "put_status", crash)
        with pytest.raises(SimulatedCrash):
            col.undo(START + timedelta(minutes=1))  # on disk; the index dies mid-refresh
        monkeypatch.undo()
    with Collection(root) as col:
        assert col.statuses()[p.id].state == 0  # the undo is applied
        assert snapshot(col, LATER) == rebuilt_snapshot(root, LATER)


def test_a_temp_file_left_by_a_killed_writer_goes_with_the_next_write(root: Path) -> None:
    """Not a pearl (dot files are never read), and not left to be committed by `git add`."""
    dead = 2**22 + 1  # above any pid_max: no process has it
    stale = root / f".acute.yaml.{dead}.tmp"
    stale.write_text("- text: half a pe")
    live = root / f".acute.yaml.{os.getppid()}.tmp"  # a writer still at work
    live.write_text("- text: being written")
    with Collection(root) as col:
        assert col.pearls() == [] and col.problems == []
        col.add([PearlDraft(pathway="acute", text="q?", back="a")], START)
    assert not stale.exists()
    assert live.exists()
