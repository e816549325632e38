"""Hostile files and settings, each from a fresh copy of the starter collection.

Every case: a one-line message naming the file, a non-zero exit when the command
cannot do its job, no traceback, no hang (pipes and devices are refused, not read),
nothing else changed, and the rest of the collection still usable (`stats` answers;
a bad review line from another device is skipped with a warning, as a torn line is).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.common import text_files

STARTER = Path(__file__).resolve().parent.parent / "pearls"
ENV = {"PEARLS_DEVICE": "testbox", "PEARLS_NOW": "2026-11-28T10:00:00Z", "TZ": "UTC"}
GOOD = (
    '{"v":1,"id":"%s","kind":"review","card":"x","time":"%s","rating":3,'
    '"duration":%s,"prev":null,"state":{"state":2}}\n'
)


def pearls(
    root: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`pearls --dir ROOT ARGS` as a user runs it (a hang fails the test, never blocks it)."""
    return subprocess.run(
        [sys.executable, "-m", "pearldeck", "--dir", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **ENV, **(env or {})},
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "pearls"
    shutil.copytree(STARTER, folder, ignore=shutil.ignore_patterns(".cache"))
    return folder


def _replace(path: Path, make: Callable[[Path], object]) -> bool:
    path.unlink()
    make(path)
    return True


def _in_new_folder(path: Path, make: Callable[[Path], object]) -> None:
    path.parent.mkdir()
    make(path)


def _phone_log(line: str) -> Callable[[Path], object]:
    """Damage that writes `line` as the phone's review log."""
    return lambda r: (r / "reviews" / "phone.jsonl").write_text(line)


def _log_line(time: str = "2026-11-01T10:00:00.000000Z", duration: str = "4.2") -> str:
    return GOOD % ("ab12", time, duration)


@dataclass(frozen=True)
class Case:
    name: str
    damage: Callable[[Path], object]
    args: tuple[str, ...]
    message: str
    code: int
    """1: the command cannot do its job; 0: it does, with a warning."""
    bad: str
    """What the damage made, relative to the collection: removing it repairs all."""


CASES = [
    Case(
        "dangling-link-in-reviews",
        lambda r: (r / "reviews" / "laptop.jsonl").symlink_to("gone.jsonl"),
        ("check",),
        "reviews/laptop.jsonl: a symbolic link to nothing",
        1,
        "reviews/laptop.jsonl",
    ),
    Case(
        "review-log-loop",
        lambda r: (r / "reviews" / "loop.jsonl").symlink_to("loop.jsonl"),
        ("check",),
        "reviews/loop.jsonl: a symbolic link that loops",
        1,
        "reviews/loop.jsonl",
    ),
    Case(
        "dangling-pearl-file",
        lambda r: _replace(r / "acute.yaml", lambda p: p.symlink_to("moved-away.yaml")),
        ("check",),
        "acute.yaml: a symbolic link to nothing",
        1,
        "acute.yaml",
    ),
    Case(
        "dangling-file-in-pathway-folder",
        lambda r: _in_new_folder(r / "chronic" / "x.yaml", lambda p: p.symlink_to("nowhere")),
        ("check",),
        "chronic/x.yaml: a symbolic link to nothing",
        1,
        "chronic",
    ),
    Case(
        "pearl-file-loop",
        lambda r: _replace(r / "acute.yaml", lambda p: p.symlink_to("acute.yaml")),
        ("check",),
        "acute.yaml: a symbolic link that loops",
        1,
        "acute.yaml",
    ),
    Case(
        "pearl-file-loop-add",
        lambda r: _replace(r / "acute.yaml", lambda p: p.symlink_to("acute.yaml")),
        ("add", "-p", "acute", "Loop {{c1::test}}"),
        "acute.yaml: a symbolic link that loops",
        1,
        "acute.yaml",
    ),
    Case(
        "pearl-file-is-a-folder-add",
        lambda r: _replace(r / "acute.yaml", Path.mkdir),
        ("add", "-p", "acute", "Folder {{c1::test}}"),
        "acute.yaml: not a regular file (a folder)",
        1,
        "acute.yaml",
    ),
    Case(
        "pearl-file-is-a-folder-import",
        lambda r: (
            _replace(r / "acute.yaml", Path.mkdir),
            (r.parent / "notes.md").write_text("# Acute care\n\n- Folder test? :: yes\n"),
        ),
        ("import", "../notes.md"),
        "acute.yaml: not a regular file (a folder)",
        1,
        "acute.yaml",
    ),
    Case(
        "pearl-file-is-a-fifo",
        lambda r: _replace(r / "acute.yaml", os.mkfifo),
        ("add", "-p", "acute", "Pipe {{c1::test}}"),
        "acute.yaml: not a regular file (a pipe or device)",
        1,
        "acute.yaml",
    ),
    Case(
        "pearl-file-is-dev-zero",
        lambda r: _replace(r / "acute.yaml", lambda p: p.symlink_to("/dev/zero")),
        ("check",),
        "acute.yaml: not a regular file (a pipe or device)",
        1,
        "acute.yaml",
    ),
    Case(
        "settings-is-a-fifo",
        lambda r: _replace(r / "settings.toml", os.mkfifo),
        ("check",),
        "settings.toml: cannot read settings: not a regular file (a pipe or device)",
        1,
        "settings.toml",
    ),
    Case(
        "settings-is-dev-zero",
        lambda r: _replace(r / "settings.toml", lambda p: p.symlink_to("/dev/zero")),
        ("due",),
        "settings.toml: cannot read settings: not a regular file (a pipe or device)",
        1,
        "settings.toml",
    ),
    Case(
        "non-utf8-file-name",
        lambda r: _in_new_folder(
            r / "chronic" / b"bad\xff.yaml".decode("utf-8", "surrogateescape"),
            lambda p: p.write_text("- text: x\n"),
        ),
        ("check",),
        "chronic/bad\\xff.yaml: file name is not valid UTF-8",
        1,
        "chronic",
    ),
]
LOG_LINES = {
    "year-9999": _log_line(time="9999-12-31T23:59:59.000000Z"),
    "year-0000": _log_line(time="0000-01-01T00:00:00.000000Z"),
    "february-30": _log_line(time="2026-02-30T00:00:00.000000Z"),
    "nan-duration": _log_line(duration="NaN"),
    "infinite-duration": _log_line(duration="Infinity"),
    "400-digit-duration": _log_line(duration="9" * 400),
    "nested-100000-deep": "[" * 100_000 + "]" * 100_000 + "\n",
    "nested-state": _log_line()[:-2] + ',"x":' + "{" * 50_000 + "}" * 50_000 + "}\n",
}
for name, line in LOG_LINES.items():
    CASES.append(
        Case(
            f"review-line-{name}",
            _phone_log(line),
            ("due",),
            "reviews/phone.jsonl:1: unreadable review event, skipped",
            0,
            "reviews/phone.jsonl",
        )
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(root: Path, case: Case) -> None:
    assert pearls(root, "check").returncode == 0  # warm index, as a user's would be
    case.damage(root)
    damaged = text_files(root)
    res = pearls(root, *case.args, cwd=root)
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out
    assert res.returncode == case.code, out
    named = [line for line in out.splitlines() if case.message in line]
    assert named, out
    assert str(root) in named[0]  # the whole path, as `path:line: what` reads
    assert text_files(root) == damaged  # nothing else changed
    again = pearls(root, "check")  # and check names it every time
    assert again.returncode == case.code and case.message in again.stdout + again.stderr
    if case.code == 0:  # the rest of the collection is usable as it is
        assert pearls(root, "stats").returncode == 0
    # the one bad thing removed, everything works again: nothing else was harmed
    bad = root / case.bad
    if bad.is_dir() and not bad.is_symlink():
        shutil.rmtree(bad)
    else:
        bad.unlink()
    if (STARTER / case.bad).exists():
        shutil.copy2(STARTER / case.bad, bad)
    fixed = pearls(root, "check")
    assert fixed.returncode == 0 and not fixed.stdout, fixed.stdout
    assert pearls(root, "stats").returncode == 0


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "0001-01-01"])
def test_pearls_now_out_of_range(root: Path, when: str) -> None:
    before = text_files(root)
    for args in (("due",), ("stats",), ("add", "-p", "acute", "Clock {{c1::test}}")):
        res = pearls(root, *args, env={"PEARLS_NOW": when})
        assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
        assert f"PEARLS_NOW={when!r}" in res.stderr and "1970–8999" in res.stderr
    assert text_files(root) == before


@pytest.mark.parametrize("output", ["./", ".", ""])
def test_export_to_the_current_folder(root: Path, tmp_path: Path, output: str) -> None:
    here = tmp_path / "here"
    here.mkdir()
    res = pearls(root, "export", "-o", output, cwd=here)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "wrote clinical-pearls.apkg" in res.stdout
    assert [p.name for p in here.iterdir()] == ["clinical-pearls.apkg"]


@pytest.mark.parametrize("slash", ["/", ""])
def test_export_to_an_existing_folder_writes_inside_it(
    root: Path, tmp_path: Path, slash: str
) -> None:
    decks = tmp_path / "my decks"
    decks.mkdir()
    res = pearls(root, "export", "-o", f"{decks}{slash}")
    assert res.returncode == 0, res.stderr
    assert [p.name for p in decks.iterdir()] == ["clinical-pearls.apkg"]


def test_export_to_a_new_folder_with_a_slash(root: Path, tmp_path: Path) -> None:
    res = pearls(root, "export", "-o", f"{tmp_path}/new/")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "new" / "clinical-pearls.apkg").is_file()


def test_export_to_the_root_folder_names_the_file() -> None:
    from pearldeck.anki_filename import safe_filename
    from pearldeck.cli.transfer_cmds import _output_file

    assert _output_file("/", safe_filename) == Path("/clinical-pearls.apkg")
    assert _output_file("deck", safe_filename) == Path("deck.apkg")
    assert _output_file("a/My deck.apkg", safe_filename) == Path("a/My deck.apkg")


def test_conflict_markers_in_a_review_log_fail_check(root: Path) -> None:
    log = root / "reviews" / "laptop.jsonl"
    good = _log_line()
    other = GOOD % ("cd34", "2026-11-02T10:00:00.000000Z", "3")
    log.write_text(f"<<<<<<< HEAD\n{good}=======\n{other}>>>>>>> theirs\n")
    res = pearls(root, "check")
    out = res.stdout + res.stderr
    assert res.returncode == 1 and "Traceback" not in out, out
    for line in (1, 3, 5):
        assert f"{log}:{line}: a git conflict marker" in out
    again = pearls(root, "check")  # named every time, not only when first read
    assert again.returncode == 1 and f"{log}:1: a git conflict marker" in again.stdout
    assert pearls(root, "stats").returncode == 0  # both sides' reviews still count


def test_an_unreadable_reviews_folder_fails_check() -> None:
    import tempfile

    from tests.test_reliability_faults import _unprivileged_prefix

    folder = Path(tempfile.mkdtemp(prefix="pearls-noreviews-"))  # outside pytest's 0700 tree
    folder.chmod(0o755)
    prefix = _unprivileged_prefix(folder)
    if prefix is None:
        shutil.rmtree(folder)
        pytest.skip("no way to run without the power to ignore permissions")
    root = folder / "pearls"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".cache"))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    (root / "reviews" / "a.jsonl").write_text(_log_line())
    (root / "reviews").chmod(0o000)
    cmd = [*prefix, sys.executable, "-m", "pearldeck", "--dir", str(root), "check"]
    res = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, env={**os.environ, **ENV}, check=False
    )
    (root / "reviews").chmod(0o777)
    shutil.rmtree(folder)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert f"{root / 'reviews'}: cannot read the review logs: Permission denied" in res.stdout


def _limited_memory() -> None:
    import resource

    cap = 1536 * 2**20  # a 2 GB line read into memory would break this
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


@pytest.mark.parametrize(
    "tail", [b"", b"\n" + _log_line().encode()], ids=["hole", "hole-then-event"]
)
def test_a_huge_sparse_review_log_is_read_once_in_bounded_memory(root: Path, tail: bytes) -> None:
    log = root / "reviews" / "phone.jsonl"
    with log.open("wb") as f:
        f.write(b"junk")
        f.truncate(2 * 2**30)  # a 2 GB hole: no disk used
        f.seek(0, os.SEEK_END)
        f.write(tail)
    cmd = [sys.executable, "-m", "pearldeck", "--dir", str(root)]
    env = {**os.environ, **ENV}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cmd, *args], capture_output=True, text=True, timeout=300, env=env,
            preexec_fn=_limited_memory, check=False,
        )  # fmt: skip

    first = run("due")
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    assert f"{log}:1: line longer than 64 KB: not a review event, skipped" in first.stderr
    second = run("due")  # the index remembers where the log was read to
    assert second.returncode == 0 and "line longer" not in second.stderr, second.stderr
    check = run("check")
    assert f"warning: {log}:1: line longer than 64 KB" in check.stdout
    events = run("stats", "--json")
    assert events.returncode == 0, events.stderr
    rated = run("add", "-p", "acute", "After the hole {{c1::still}} works")
    assert rated.returncode == 0, rated.stderr
