"""A golden set of YAML traps: each is kept exactly as written, or refused with a message.

Every trap is a pearl file opened as a collection opens it. The expected outcome is
written down: the string a value must read back as (`NO` is nitric oxide, not false),
or the line and words of the problem that refuses the file. Each must finish within a
budget of calls (tests/budget.py) and allocate under 100 MB (traced by tracemalloc; the two
big ones also in a fresh process by its peak resident memory and the bytes it read).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pytest

from pearldeck.collection import Collection
from tests.budget import budget, counted

MB = 1024 * 1024
LIMIT_BYTES = 100 * MB
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Kept:
    """The file is valid and `field` of its pearl reads back as `value`."""

    field: str
    value: str | tuple[str, ...]


@dataclass(frozen=True)
class Refused:
    """The file is refused: a problem on `line` whose message contains `words`."""

    line: int
    words: str


def qa(back: str, **extra: str) -> str:
    """A question pearl whose answer is written as `back` (raw YAML)."""
    more = "".join(f"  {k}: {v}\n" for k, v in extra.items())
    return f"- id: trap01\n  text: What is it?\n  back: {back}\n{more}"


def nested(depth: int) -> str:
    return "- text: " + "[" * depth + "x" + "]" * depth + "\n  back: b\n"


def nested_mappings(depth: int) -> str:
    return "- text: q?\n  back: b\n  source: " + "{a: " * depth + "x" + "}" * depth + "\n"


def nested_block(depth: int) -> str:
    """Block sequences nested `depth` deep on one line (`- - - x`)."""
    return "- text: q?\n  back: b\n  source:\n    " + "- " * depth + "x\n"


LAUGHS = "\n".join(
    ['- text: &a0 "lol"']
    + [f"  k{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    + ["  back: *a9"]
)

TRAPS: dict[str, tuple[str, Kept | Refused]] = {
    # Norway and friends: YAML 1.1 booleans, numbers, times and nulls stay text
    "NO": (qa("NO"), Kept("back", "NO")),
    "ON": (qa("ON"), Kept("back", "ON")),
    "off": (qa("off"), Kept("back", "off")),
    "yes": (qa("yes"), Kept("back", "yes")),
    "y": (qa("y"), Kept("back", "y")),
    "ratio 1:2": (qa("1:2"), Kept("back", "1:2")),
    "sexagesimal 12:30:00": (qa("12:30:00"), Kept("back", "12:30:00")),
    "version 1.10": (qa("1.10"), Kept("back", "1.10")),
    "leading zero 017": (qa("017"), Kept("back", "017")),
    "hex 0x1F": (qa("0x1F"), Kept("back", "0x1F")),
    "exponent 1e3": (qa("1e3"), Kept("back", "1e3")),
    "infinity .inf": (qa(".inf"), Kept("back", ".inf")),
    "not a number .NaN": (qa(".NaN"), Kept("back", ".NaN")),
    "tilde": (qa("~"), Kept("back", "~")),
    "null": (qa("null"), Kept("back", "null")),
    "date": (qa("2026-11-27", added="2026-11-27"), Kept("added", "2026-11-27")),
    "timestamp": (qa("2026-11-27T10:00:00Z"), Kept("back", "2026-11-27T10:00:00Z")),
    "numeric id": (qa("x").replace("trap01", "0123"), Kept("id", "0123")),
    "exponent id": (qa("x").replace("trap01", "1e10"), Kept("id", "1e10")),
    "quoted tab": (qa('"a\\tb"'), Kept("back", "a\tb")),
    "tab inside a value": (qa("a\tb"), Kept("back", "a\tb")),
    # strings, never booleans or numbers; lowercase by the one tag rule
    "tags of NO and ON": (qa("x", tags="[NO, ON, 017]"), Kept("tags", ("no", "on", "017"))),
    "hash without space": (qa("C#"), Kept("back", "C#")),
    "comment after value": (qa("NO # nitric oxide"), Kept("back", "NO")),
    "BOM and CRLF": ("\ufeff" + qa("NO").replace("\n", "\r\n"), Kept("back", "NO")),
    "folded block": (qa(">\n    one\n    two"), Kept("back", "one two\n")),
    # refused, with the line that is wrong
    "duplicate key": (qa("a") + "  back: b\n", Refused(4, "duplicate key 'back'")),
    "tab indent": ("- text: q?\n\tback: a\n", Refused(2, "tabs")),
    "anchor": (qa("&x NO"), Refused(3, "anchors and aliases")),
    "alias": (qa("&x NO") + "- text: q2?\n  back: *x\n", Refused(3, "anchors and aliases")),
    "merge key": ("- &base {text: q?}\n- <<: *base\n  back: b\n", Refused(1, "anchors")),
    "python tag": (qa("!!python/object:os.system x"), Refused(3, "tag")),
    "local tag": (qa("!secret x"), Refused(3, "tag")),
    "binary tag": (qa("!!binary aGVsbG8="), Refused(3, "tag")),
    "two documents": (qa("a") + "---\n" + qa("b"), Refused(4, "one YAML document")),
    "unknown key (yes)": (qa("a", yes="no"), Refused(4, "unknown key 'yes'")),
    "not a list": ("text: q?\nback: a\n", Refused(1, "must be a list")),
    "control character": (qa("a\x07b"), Refused(3, "U+0007")),
    "unclosed quote": (qa('"open'), Refused(4, "YAML syntax error")),
    "billion laughs": (LAUGHS, Refused(1, "anchors and aliases")),
    "10,000-deep flow lists": (nested(10_000), Refused(1, "maximum nesting depth")),
    "10,000-deep flow mappings": (nested_mappings(10_000), Refused(3, "maximum nesting depth")),
    "10,000-deep block lists": (nested_block(10_000), Refused(4, "maximum nesting depth")),
    "8-deep lists (under the parser's limit)": (nested(8), Refused(1, "nested too deeply")),
    "1 MB line": (qa("x" * MB), Kept("back", "x" * MB)),
}


def outcome(root: Path) -> tuple[list[str], dict[str, object]]:
    """Problems (as `line: message`), and the one pearl's fields when there is one."""
    with Collection(root) as col:
        problems = [f"{p.line}: {p.message}" for p in col.problems]
        pearls = col.pearls()
    fields: dict[str, object] = {}
    if len(pearls) == 1:
        p = pearls[0]
        fields = {"id": p.id, "text": p.text, "back": p.back, "added": p.added, "tags": p.tags}
    return problems, fields


@pytest.mark.parametrize("name", list(TRAPS))
def test_yaml_trap_is_kept_as_written_or_refused_with_a_message(root: Path, name: str) -> None:
    text, expected = TRAPS[name]
    (root / "acute.yaml").write_bytes(text.encode("utf-8"))
    tracemalloc.start()
    try:
        with counted() as work:
            problems, fields = outcome(root)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert work.calls < budget(len(text)), f"{name}: {work.calls} calls"
    assert peak < LIMIT_BYTES, f"{name}: {peak / MB:.0f} MB"
    if isinstance(expected, Kept):
        assert problems == []
        assert fields[expected.field] == expected.value
    else:
        assert any(p.startswith(f"{expected.line}: ") and expected.words in p for p in problems), (
            problems
        )
    if isinstance(expected, Refused):
        assert (root / "acute.yaml").read_bytes() == text.encode()  # never rewritten


BIG = """
import json, sys
from pathlib import Path
from pearldeck.collection import Collection


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024


with Collection(Path(sys.argv[1])):  # warm up: every module the open needs is imported
    pass
with open("/proc/self/clear_refs", "w") as f:  # the peak starts again from here
    f.write("5")
def read_so_far():
    for line in open("/proc/self/io"):
        if line.startswith("rchar:"):
            return int(line.split()[1])


calls = 0


def profile(frame, event, arg):
    global calls
    if event in ("call", "c_call"):
        calls += 1


before, read = status("VmRSS:"), read_so_far()
sys.setprofile(profile)
with Collection(Path(sys.argv[2])) as col:
    problems = [f"{p.line}: {p.message}" for p in col.problems]
sys.setprofile(None)
read = read_so_far() - read
grew = status("VmHWM:") - before
print(json.dumps({"problems": problems, "calls": calls, "read": read, "grew": grew}))
"""


class Opened(TypedDict):
    """What BIG reports of opening the trap collection."""

    problems: list[str]
    calls: int
    """Python calls made."""
    read: int
    """Bytes read."""
    grew: int
    """Growth of the peak resident memory, in bytes."""


def _in_fresh_process(tmp_path: Path, data: bytes) -> Opened:
    """Open a collection holding `data` in a new process: its time and peak memory."""
    from pearldeck.store.layout import init_collection

    warm, trap = tmp_path / "warm", tmp_path / "trap"
    init_collection(warm)
    (warm / "chronic.yaml").write_text(qa("NO"))
    init_collection(trap)
    (trap / "acute.yaml").write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", BIG, str(warm), str(trap)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    result: Opened = json.loads(out.stdout)
    return result


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_a_50_mb_file_is_refused_unread(tmp_path: Path) -> None:
    """Refused by its size: neither parsed nor read into memory."""
    block = qa("x" * 200).encode()
    result = _in_fresh_process(tmp_path, block * (50 * MB // len(block) + 1))
    assert any("larger than 32 MB" in str(p) for p in result["problems"])
    assert result["read"] < MB
    assert result["calls"] < budget(0)
    assert result["grew"] < 20 * MB, f"{result['grew'] / MB:.0f} MB"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_a_billion_laughs_costs_nothing_in_a_fresh_process(tmp_path: Path) -> None:
    result = _in_fresh_process(tmp_path, LAUGHS.encode())
    assert any("anchors and aliases" in str(p) for p in result["problems"])
    assert result["calls"] < budget(len(LAUGHS))
    assert result["grew"] < LIMIT_BYTES
