"""What the reliability suites share: counts, on-disk checks and state snapshots."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pearldeck.collection import Collection

if TYPE_CHECKING:
    from click.testing import Result

LONG = os.environ.get("PEARLDECK_LONG", "") not in ("", "0")


def count(default: int, long: int, env: str | None = None) -> int:
    """A test's size: `env` if set, else the long count under PEARLDECK_LONG=1."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return long if LONG else default


def log_events(root: Path) -> tuple[list[dict[str, object]], int]:
    """Every well-formed event line in every review log, and how many lines were not."""
    events: list[dict[str, object]] = []
    bad = 0
    folder = root / "reviews"
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_bytes().split(b"\n"):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                bad += 1
                continue
            events.append(event)
    return events, bad


def snapshot(col: Collection, now: datetime) -> dict[str, object]:
    """Everything a user can see of a collection: pearls, card states, due counts, stats."""
    return {
        "pearls": sorted(json.dumps(p.fields(), sort_keys=True) for p in col.pearls()),
        "statuses": {k: repr(v) for k, v in sorted(col.statuses().items())},
        "events": sorted(e.id for e in col.review_events()),
        "due": col.due(now).as_dict(),
        "stats": col.stats(now),
        "problems": sorted(str(p) for p in col.problems),
    }


def rebuilt_snapshot(root: Path, now: datetime, device: str | None = None) -> dict[str, object]:
    """The snapshot of a copy of the collection's text with no index: a rebuild from text."""
    with tempfile.TemporaryDirectory(prefix="pearls-rebuild-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache"))
        with Collection(copy, device=device, assign_ids=False) as col:
            snap = snapshot(col, now)
    # the copy lives elsewhere: compare paths relative to the collection
    problems = snap["problems"]
    assert isinstance(problems, list)
    snap["problems"] = [str(p).replace(str(copy), str(root)) for p in problems]
    return snap


def text_files(root: Path) -> dict[str, bytes]:
    """Every file a user keeps (all but .cache), by relative path."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] != ".cache":
            out[rel.as_posix()] = path.read_bytes()
    return out


def invoke(args: list[str], env: Mapping[str, str | None] | None = None, **kw: Any) -> Result:
    """Run `pearls ARGS` in-process (an env value of None unsets the variable)."""
    from click.testing import CliRunner

    from pearldeck.cli import app

    return CliRunner().invoke(app, args, env=env, **kw)
