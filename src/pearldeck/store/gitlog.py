"""What git knows about pearl files: when each line was committed, and deleted pearls."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 120
_ZERO = "0" * 40
_HEADER = re.compile(r"^[0-9a-f]{40} \d+ \d+")
_ID_LINE = re.compile(r"^[-+]\s*(?:-\s+)?id:\s*['\"]?([a-z0-9]{4,16})['\"]?\s*$")


def _git(root: Path, *args: str) -> str | None:
    """git's output, or None when there is no git, no repository, or it fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def line_times(root: Path, rel: str) -> list[int] | None:
    """The commit time of each line of a file as it is now (0 for an uncommitted line),
    or None when git does not track it."""
    out = _git(root, "blame", "--line-porcelain", "--", rel)
    if out is None:
        return None
    times: list[int] = []
    commit_time = 0
    uncommitted = False
    for line in out.splitlines():
        if line.startswith("\t"):
            times.append(0 if uncommitted else commit_time)
        elif line.startswith("committer-time "):
            commit_time = int(line.split()[1])
        elif _HEADER.match(line):
            uncommitted = line.startswith(_ZERO)
    return times


@dataclass(frozen=True)
class Deleted:
    """A pearl id that git once had in a pearl file and that is gone now."""

    id: str
    path: str
    """Its file, relative to the collection."""
    commit: str
    """The commit that removed it; its parent still has the pearl."""
    time: int
    """That commit's time."""


def deleted_pearls(root: Path, present: set[str]) -> list[Deleted]:
    """Every pearl id removed from a pearl file in a commit and not present now.

    A pearl removed but not yet committed is not listed: only what is in git, so that
    every clone exports the same notes."""
    out = _git(
        root,
        "log",
        "-p",
        "--unified=0",
        "--no-color",
        "--no-renames",
        "--format=@@@ %H %ct",
        "--",
        "*.yaml",
    )
    if out is None:
        return []
    prefix = (_git(root, "rev-parse", "--show-prefix") or "").strip()
    seen: set[str] = set()
    found: list[Deleted] = []
    commit, when, path = "", 0, ""
    for line in out.splitlines():
        if line.startswith("@@@ "):
            _, commit, ct = line.split()
            when = int(ct)
        elif line.startswith("--- "):
            path = line[6:] if line.startswith("--- a/") else ""
            path = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        elif line.startswith(("-", "+")) and not line.startswith(("---", "+++")):
            m = _ID_LINE.match(line)
            if m is None or m[1] in seen or m[1] in present:
                continue
            seen.add(m[1])  # newest first: its last change decides
            if line[0] == "-":
                found.append(Deleted(m[1], path, commit, when))
    return found


def file_at(root: Path, commit: str, rel: str) -> str | None:
    """A file's text as it was in a commit."""
    return _git(root, "show", f"{commit}:./{rel}")
