"""I/O faults: the k-th write, fsync, create or rename fails, for every k, in every command
that writes (add, rate, undo, import, export, check --fix).

Each command runs through the CLI on a fresh copy of one collection with a fault layer
(tests/reliability/faults.py) that fails its k-th write-like call, for k = 1, 2, ...
until the command finishes without reaching k; once as a flaky disk (EIO, that call
only) and once as a full disk (ENOSPC from that call on). Every time: the command either
succeeds with its change made, or exits non-zero with a message naming the path and no
traceback, and leaves the previous state exactly (byte for byte: pearl files, review
logs, the last export). Afterwards the collection opens clean, its index equals a
rebuild, and running the same command again without faults makes the change once.

The same is then checked for real: as an unprivileged user (`nobody`, or root without
the capabilities that bypass permissions) against a read-only collection and against
unreadable files, and (where mount namespaces are allowed) on a real, tiny, full tmpfs,
where SQLite's own writes fail too. An index that cannot be written is built in memory;
a damaged one is deleted and rebuilt, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlDraft, Rating
from pearldeck.store.layout import init_collection
from tests.conftest import NOW
from tests.reliability.common import invoke as cli
from tests.reliability.common import log_events, rebuilt_snapshot, snapshot, text_files
from tests.reliability.faults import Faults

ENV = {"PEARLS_NOW": "2026-11-28T10:00:00Z", "PEARLS_DEVICE": "testbox"}
NEW_TEXT = "Fault-injected {{c1::pearl}} text"
IMPORTED = ["Imported under fault one", "Imported under fault two", "Imported under fault three"]
NOTES = (
    "# Acute care\n\n"
    f"- {IMPORTED[0]} :: yes\n"
    f"- {IMPORTED[1]} :: yes\n\n"
    "# Chronic disease management\n\n"
    f"- {IMPORTED[2]} :: yes\n"
)


@dataclass
class Figures:
    faults: int = 0
    runs: int = 0
    per_op: dict[str, int] = field(default_factory=dict)


FIGURES = Figures()


def make_template(folder: Path) -> tuple[Path, str]:
    """A collection with pearls in two files, some reviews and a previous export."""
    root = folder / "pearls"
    init_collection(root)
    with Collection(root, device="testbox") as col:  # module scope: before clean_env
        a, b = col.add(
            [
                PearlDraft(pathway="acute", text="First {{c1::pearl}}"),
                PearlDraft(pathway="acute", text="Second?", back="yes"),
            ],
            NOW,
        )
        res = cli(["--dir", str(root), "export", "-o", str(folder / "decks" / "x")], env=ENV)
        assert res.exit_code == 0, res.output
        col.add([PearlDraft(pathway="chronic", text="Third {{c1::one}} {{c2::two}}")], NOW)
        col.rate(a.card_ids()[0], Rating.GOOD, NOW)
        col.rate(b.id, Rating.AGAIN, NOW)
    (folder / "notes.md").write_text(NOTES)
    return root, b.id


def invoke(root: Path, args: list[str]) -> tuple[Any, str | None]:
    """Run one command; an exception escaping it is a traceback the user would see."""
    try:
        return cli(["--dir", str(root), *args], env=ENV, catch_exceptions=False), None
    except BaseException:
        return None, traceback.format_exc()


@dataclass(frozen=True)
class Op:
    """One command and how to tell whether its change was made (once)."""

    name: str
    args: Callable[[Path, str], list[str]]
    made: Callable[[Path, dict[str, bytes]], int]
    """How many times the change is in the collection now (0 = the previous state)."""
    prepare: Callable[[Path], None] = lambda root: None


def _texts(root: Path) -> list[str]:
    with Collection(root, assign_ids=False) as col:
        return [p.text for p in col.pearls()]


def _new_lines(root: Path, before: dict[str, bytes]) -> int:
    log = (root / "reviews" / "testbox.jsonl").read_bytes()
    old = before["reviews/testbox.jsonl"]
    assert log.startswith(old), "the review log was rewritten"
    return log[len(old) :].count(b"\n")


def _export_made(root: Path, before: dict[str, bytes]) -> int:
    out = root.parent / "decks" / "x.apkg"
    data = out.read_bytes()
    if data == PREVIOUS_EXPORT[0]:
        return 0
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
    return 1


PREVIOUS_EXPORT: list[bytes] = []
HAND_WRITTEN = b"- text: Written by hand, no {{c1::id}}\n"


def _hand_written_pearl(root: Path) -> None:
    with (root / "preventive.yaml").open("ab") as f:
        f.write(HAND_WRITTEN)


def _id_written(root: Path, before: dict[str, bytes]) -> int:
    data = (root / "preventive.yaml").read_bytes()
    return 0 if data.endswith(HAND_WRITTEN) else int(b"- id: " in data)


OPS = [
    Op(
        "add", lambda r, c: ["add", NEW_TEXT, "-p", "acute"], lambda r, b: _texts(r).count(NEW_TEXT)
    ),
    Op("rate", lambda r, c: ["rate", c, "good"], _new_lines),
    Op("undo", lambda r, c: ["undo"], _new_lines),
    Op(
        "import",
        lambda r, c: ["import", str(r.parent / "notes.md")],
        lambda r, b: sum(t in IMPORTED for t in _texts(r)),
    ),
    Op("export", lambda r, c: ["export", "-o", str(r.parent / "decks" / "x")], _export_made),
    Op("check --fix", lambda r, c: ["check", "--fix"], _id_written, _hand_written_pearl),
]
FULL = {"add": 1, "rate": 1, "undo": 1, "import": 3, "export": 1, "check --fix": 1}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("template")
    root, card = make_template(folder)
    PREVIOUS_EXPORT[:] = [(folder / "decks" / "x.apkg").read_bytes()]
    return root, card


def fresh_copy(template: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(template.parent, dest)
    return dest / template.name


def check_intact(root: Path, before: dict[str, bytes], op: Op, made: int) -> None:
    """Nothing half-done: every file is as before, or the change is whole."""
    after = text_files(root)
    for rel, old in before.items():
        new = after.get(rel)
        if made == 0:
            assert new == old, f"{rel} changed by a command that failed"
        elif new != old and op.name != "check --fix":  # which inserts ids
            assert new is not None and new.startswith(old), f"{rel} was rewritten, not appended"
    with Collection(root) as col:
        assert col.problems == [] and col.last_refresh.warnings == []
        assert snapshot(col, NOW) == rebuilt_snapshot(root, NOW)
    _, bad = log_events(root)
    assert bad == 0


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["once", "full"])
@pytest.mark.parametrize("op", OPS, ids=[o.name for o in OPS])
def test_the_kth_write_failing_leaves_the_previous_state_and_a_clear_message(
    template: tuple[Path, str], tmp_path: Path, op: Op, mode: str
) -> None:
    tpl, card = template
    k = 0
    while True:
        k += 1
        assert k < 200, "the command never finished"
        root = fresh_copy(tpl, tmp_path / "run")
        op.prepare(root)
        before = text_files(root)
        faults = Faults(tmp_path / "run", k, mode)
        with faults.installed():
            result, crash = invoke(root, op.args(root, card))
        assert crash is None, f"k={k} {faults.fired}: traceback:\n{crash}"
        assert result is not None
        if faults.fired is None:
            FIGURES.runs += 1
            assert result.exit_code == 0, result.output
            assert op.made(root, before) == FULL[op.name]
            break
        FIGURES.runs += 1
        FIGURES.faults += 1
        FIGURES.per_op[op.name] = FIGURES.per_op.get(op.name, 0) + 1
        made = op.made(root, before)
        where = f"{op.name} k={k} {mode} at {faults.fired}: {result.output!r}"
        if result.exit_code == 0:
            assert made == FULL[op.name], where  # the failed call was not needed
        else:
            assert made == 0, where
            assert "Traceback" not in result.output, where
            assert str(tmp_path / "run") in result.stderr, where  # names the path
            assert result.stderr.strip().count("\n") < 5, where
        check_intact(root, before, op, made)
        leftovers = list((root.parent / "decks").glob(".*.part"))
        assert not leftovers or "unlink" in (faults.fired or ""), where
        if result.exit_code != 0:  # the user runs it again: the change is made once
            again, crash = invoke(root, op.args(root, card))
            assert crash is None and again is not None and again.exit_code == 0, where
            assert op.made(root, before) == FULL[op.name], where
    assert k > 3  # the command did write something


def _unprivileged_prefix(folder: Path) -> list[str] | None:
    """A command prefix that runs without the power to ignore file permissions.

    A real non-root user (`nobody`) when it can run this interpreter; otherwise root
    without the capabilities that bypass permissions (CAP_DAC_OVERRIDE and friends).
    """
    if shutil.which("setpriv") is None:
        return None
    candidates = [
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"],
    ]
    probe = folder / "probe"
    probe.mkdir(mode=0o555)
    try:
        for prefix in candidates:
            cmd = [*prefix, sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if "PermissionError" in out.stderr:  # it ran, and permissions held
                return prefix
        return None
    finally:
        probe.rmdir()


def _fill(arg: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


WRITES = [
    ["add", "Read-only {{c1::pearl}}", "-p", "acute"],
    ["rate", "{card}", "good"],
    ["undo"],
    ["import", "{notes}"],
    ["export", "-o", "{decks}/new"],
]
READS = [["due"], ["list"], ["stats"], ["check"], ["check", "--fix"], ["next"]]


@pytest.mark.slow
def test_a_read_only_collection_as_an_unprivileged_user(template: tuple[Path, str]) -> None:
    import json
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pearls-readonly-"))
    try:
        folder.chmod(0o755)
        prefix = _unprivileged_prefix(folder)
        if prefix is None:
            pytest.skip("no way to run without the power to ignore permissions")
        tpl, card = template
        root = fresh_copy(tpl, folder / "c")
        with Collection(root):  # a warm index, as a user's would be
            pass
        for path in [root.parent, *root.parent.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        before = {p: p.read_bytes() for p in root.parent.rglob("*") if p.is_file()}
        fill = {
            "card": card,
            "notes": str(root.parent / "notes.md"),
            "decks": str(root.parent / "decks"),
        }
        commands = [["--dir", str(root), *(_fill(a, fill) for a in c)] for c in WRITES + READS]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(commands, f)
        Path(f.name).chmod(0o644)
        env = {**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        env["HOME"] = str(folder)
        out = subprocess.run(
            [*prefix, sys.executable, "-m", "tests.reliability.run_commands", f.name],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        Path(f.name).unlink()
        assert out.returncode == 0, out.stderr
        results = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(results) == len(commands)
        for res in results:
            assert res["traceback"] is None, f"{prefix[1]} {res['args'][2:]}: {res}"
        for res in results[: len(WRITES)]:
            where = f"{res['args'][2:]}: {res}"
            assert res["exit"] != 0, where
            assert str(folder) in res["stderr"], where
        after = {p: p.read_bytes() for p in root.parent.rglob("*") if p.is_file()}
        assert after == before
        print(
            f"\nread-only as {prefix[1]}: "
            + "; ".join(f"{r['args'][2]}={r['exit']} {r['stderr'].strip()}" for r in results)
        )
    finally:
        for path in [folder, *folder.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("named", [True, False], ids=["PEARLS_DEVICE", "no-device-name"])
def test_an_index_that_cannot_be_written_is_built_in_memory(
    root: Path, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    if not named:  # nor can the device name be stored there
        monkeypatch.delenv("PEARLS_DEVICE")
    with Collection(root) as col:
        col.add([PearlDraft(pathway="acute", text="q?", back="a")], NOW)
    shutil.rmtree(root / ".cache")
    (root / ".cache").write_text("not a folder")  # as unwritable as a cache can be
    before = text_files(root)
    env = ENV if named else {"PEARLS_NOW": ENV["PEARLS_NOW"], "PEARLS_DEVICE": None}
    due = cli(["--dir", str(root), "due", "--json"], env=env)
    assert due.exit_code == 0, due.output
    assert '"new": 1' in due.stdout
    add, crash = invoke(root, ["add", "x {{c1::y}}", "-p", "acute"])
    assert crash is None, crash
    assert add is not None and add.exit_code == 1
    assert str(root / ".cache") in add.stderr
    assert text_files(root) == before


@pytest.mark.slow
def test_commands_on_a_real_full_disk(template: tuple[Path, str], tmp_path: Path) -> None:
    import json

    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("unshare and mount are needed for a private tmpfs")
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("mount namespaces are not allowed here")
    tpl, card = template
    base = tmp_path / "template"
    shutil.copytree(tpl.parent, base)
    (base / "card").write_text(card)
    mount = tmp_path / "mnt"
    mount.mkdir()
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [
            *("unshare", "-m", sys.executable, "-m", "tests.reliability.diskfull_child"),
            *(str(base), str(mount), "40"),
        ],
        capture_output=True,
        text=True,
        cwd=repo,
        env={**os.environ, **ENV, "PYTHONPATH": str(repo)},
    )
    assert out.returncode == 0, out.stderr
    results = [json.loads(line) for line in out.stdout.splitlines()]
    full = {"add": 1, "rate": 1, "undo": 1, "import": 3, "export": 1}
    failed = 0
    for r in results:
        where = json.dumps(r)
        assert r["traceback"] is None, r["traceback"]
        if r["exit"] == 0:
            assert r["made"] == full[r["op"]], where
        else:
            failed += 1
            assert r["made"] == 0 and r["intact"], where
            assert str(mount) in r["stderr"] and "Traceback" not in r["stderr"], where
    for op in full:  # each had enough room in the end
        runs = [r for r in results if r["op"] == op]
        assert runs[-1]["exit"] == 0, runs
    assert failed  # and the disk was full often enough to refuse
    FIGURES.faults += failed
    FIGURES.runs += len(results)
    print(f"\nfull disk: {len(results)} runs, {failed} refused with a message")


@pytest.mark.slow
@pytest.mark.parametrize(
    "unreadable", ["reviews/testbox.jsonl", "settings.toml", "acute.yaml", ".cache/index.sqlite3"]
)
def test_an_unreadable_file_is_a_message_not_a_traceback(
    template: tuple[Path, str], unreadable: str
) -> None:
    import json
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pearls-unreadable-"))
    try:
        folder.chmod(0o755)
        prefix = _unprivileged_prefix(folder)
        if prefix is None:
            pytest.skip("no way to run without the power to ignore permissions")
        root = fresh_copy(template[0], folder / "c")
        if unreadable != ".cache/index.sqlite3":
            shutil.rmtree(root / ".cache")  # cold: every file must be read
        for path in [root.parent, *root.parent.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)
        (root / unreadable).chmod(0)
        spec = folder / "commands.json"
        spec.write_text(json.dumps([["--dir", str(root), "due"], ["--dir", str(root), "check"]]))
        spec.chmod(0o644)
        repo = Path(__file__).resolve().parents[1]
        env = {**os.environ, **ENV, "PYTHONPATH": str(repo), "HOME": str(folder)}
        out = subprocess.run(
            [*prefix, sys.executable, "-m", "tests.reliability.run_commands", str(spec)],
            capture_output=True,
            text=True,
            env=env,
            cwd=repo,
        )
        assert out.returncode == 0, out.stderr
        for res in map(json.loads, out.stdout.splitlines()):
            assert res["traceback"] is None, res["traceback"]
            if res["exit"] != 0:
                assert str(root / unreadable) in res["stdout"] + res["stderr"], res
    finally:
        for path in [folder, *folder.rglob("*")]:
            with contextlib.suppress(OSError):
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def _damage(index: Path) -> None:
    """Overwrite part of every page after the first two, as a failing disk might."""
    import sqlite3

    db = sqlite3.connect(index)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    size = index.stat().st_size
    with index.open("r+b") as f:
        for offset in range(2 * 4096, size, 4096):
            f.seek(offset + 100)
            f.write(b"\xff" * 200)


@pytest.mark.parametrize("command", [["list"], ["due"], ["stats"], ["rate", "{card}", "good"]])
def test_a_damaged_index_is_rebuilt_not_a_traceback(root: Path, command: list[str]) -> None:
    with Collection(root) as col:
        pearls = col.add(
            [
                PearlDraft(pathway="acute", text=f"Question {i} {'x' * 300}?", back="A")
                for i in range(40)
            ],
            NOW,
        )
        col.rate(pearls[0].id, Rating.GOOD, NOW)
    args = [a.replace("{card}", pearls[1].id) for a in command]
    _damage(root / ".cache" / "index.sqlite3")
    before = log_events(root)[0]
    result, crash = invoke(root, args)
    assert crash is None, crash
    assert result is not None
    if result.exit_code != 0:  # told what happened, and that running it again is safe
        assert str(root / ".cache") in result.stderr, result.output
        assert log_events(root)[0] == before  # nothing was done
        result, crash = invoke(root, args)
        assert crash is None and result is not None and result.exit_code == 0, result.output
    # a command that met no damaged page left it: the next ones may meet it (which pages
    # each command reads depends on the index's layout, so every kind of read is run)
    for _ in range(2):
        for other in (["list"], ["stats"], ["due"]):
            result, crash = invoke(root, other)
            assert crash is None and result is not None, crash
            assert result.exit_code == 0 or "was damaged" in result.stderr, result.output
    with Collection(root) as col:
        assert snapshot(col, NOW) == rebuilt_snapshot(root, NOW)
        assert len(col.review_events()) == 1 + (command[0] == "rate")


def test_a_review_on_disk_is_kept_once_when_the_index_then_proves_damaged(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damage met after the review reached its log: the call succeeds (the index is
    rebuilt), since an error would invite the same review twice."""
    from pearldeck.store import reviewlog

    append = reviewlog.append_event

    def append_then_damage(*args: Any) -> tuple[int, bytes]:
        written = append(*args)
        index = root / ".cache" / "index.sqlite3"
        _damage(index)
        with index.open("r+b") as f:  # the schema page too: the next read must fail
            f.seek(100)
            f.write(b"\xff" * 3996)
        return written

    with Collection(root) as col:
        pearls = col.add(
            [PearlDraft(pathway="acute", text=f"Q{i} {'x' * 300}?", back="A") for i in range(40)],
            NOW,
        )
        damaged_index = col.index
        monkeypatch.setattr(reviewlog, "append_event", append_then_damage)
        col.rate(pearls[0].id, Rating.GOOD, NOW)
        monkeypatch.setattr(reviewlog, "append_event", append)
        assert col.index is not damaged_index  # rebuilt, not patched over
        assert col.statuses()[pearls[0].id].reps == 1
    assert len(log_events(root)[0]) == 1
    with Collection(root) as col:
        assert snapshot(col, NOW) == rebuilt_snapshot(root, NOW)


def test_figures_of_the_fault_run() -> None:
    """Runs after the fault tests of this file: faults were injected and every injected
    fault was followed by more runs until the command finished (see the report)."""
    if not FIGURES.runs:
        pytest.skip("the fault tests did not run (deselected)")
    print(f"\nfaults: {FIGURES}")
    assert FIGURES.runs > FIGURES.faults > 0
    assert sum(FIGURES.per_op.values()) <= FIGURES.faults


def test_only_a_damaged_file_counts_as_damage_never_a_constraint_or_a_misuse(
    tmp_path: Path,
) -> None:
    """A damaged index is deleted and rebuilt; a constraint or a closed connection is a
    bug, and deleting the index for it would pull it from under other processes."""
    import sqlite3

    from pearldeck.store.index import damaged

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t(a UNIQUE)")
    db.execute("INSERT INTO t VALUES(1)")
    with pytest.raises(sqlite3.IntegrityError) as constraint:
        db.execute("INSERT INTO t VALUES(1)")
    db.close()
    with pytest.raises(sqlite3.ProgrammingError) as misuse:
        db.execute("SELECT 1")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 400)
    with pytest.raises(sqlite3.DatabaseError) as foreign:
        sqlite3.connect(junk).execute("SELECT * FROM sqlite_master")
    assert not damaged(constraint.value) and not damaged(misuse.value)
    assert damaged(foreign.value)


def test_a_command_that_meets_a_damaged_index_heals_it_and_runs_once_more(root: Path) -> None:
    with Collection(root) as col:
        col.add([PearlDraft(pathway="acute", text=f"Q{i}?", back="A") for i in range(5)], NOW)
    index = root / ".cache" / "index.sqlite3"
    _damage(index)
    with index.open("r+b") as f:  # the schema page too: the very first read fails
        f.seek(100)
        f.write(b"\xff" * 3996)
    result, crash = invoke(root, ["list", "--json"])
    assert crash is None, crash
    assert result is not None and result.exit_code == 0, result.output
    assert "was damaged; it was built again from your files" in result.stderr
    assert result.stdout.count('"id"') == 5  # the listing, once
    with Collection(root) as col:
        assert len(col.pearls()) == 5
