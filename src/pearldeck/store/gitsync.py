"""Git's side of syncing pearl files: the merge driver's file I/O and its registration.

`.gitattributes` (committed) says `merge=union`, the fallback in any clone; each clone
that runs `pearls init` (or `pearls check --fix`) gets the pearl-aware driver in its own
`.git/config` and `.git/info/attributes`, which take precedence. Git copies neither
with a clone, so `check` offers it wherever it is missing.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pearldeck.store.fsutil import read_regular

DRIVER = "pearls"
DRIVER_NAME = "pearl files, merged by pearl id (pearldeck)"


def driver_command() -> str:
    """This installation's `pearls merge-file`, runnable whatever git's PATH is."""
    return f"{shlex.quote(sys.executable)} -m pearldeck merge-file %O %A %B %P"


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@dataclass
class DriverState:
    """Whether this clone merges pearl files by id, and what it lacks."""

    repo: bool
    missing: list[str] = field(default_factory=list)


def _attributes_line(root: Path) -> str | None:
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    try:
        rel = root.resolve().relative_to(Path(top).resolve()).as_posix()
    except ValueError:
        return None
    prefix = "" if rel == "." else rel.rstrip("/") + "/"
    return f"/{prefix}**/*.yaml merge={DRIVER}"


def driver_state(root: Path) -> DriverState:
    """What of the driver this clone has: nothing to do outside a git repository."""
    line = _attributes_line(root)
    if line is None:
        return DriverState(repo=False)
    state = DriverState(repo=True)
    if not _git(root, "config", "--local", f"merge.{DRIVER}.driver"):
        state.missing.append(f"merge.{DRIVER}.driver in .git/config")
    attributes = _git(root, "rev-parse", "--git-path", "info/attributes")
    path = _in_repo(root, attributes)
    try:
        present = path is not None and line in path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        present = False
    if not present:
        state.missing.append(f"'{line}' in .git/info/attributes")
    return state


def _in_repo(root: Path, git_path: str | None) -> Path | None:
    if git_path is None:
        return None
    path = Path(git_path)
    return path if path.is_absolute() else root / path


def register_driver(root: Path) -> list[str]:
    """Set the driver up in this clone (idempotent); what was done, for the user."""
    line = _attributes_line(root)
    if line is None:
        return []
    done = []
    command = driver_command()
    if _git(root, "config", "--local", f"merge.{DRIVER}.driver") != command:
        _git(root, "config", "--local", f"merge.{DRIVER}.name", DRIVER_NAME)
        if _git(root, "config", "--local", f"merge.{DRIVER}.driver", command) is None:
            raise OSError(f"{root}: git config failed; set merge.{DRIVER}.driver by hand")
        done.append(f"git config merge.{DRIVER}.driver '{command}'")
    path = _in_repo(root, _git(root, "rev-parse", "--git-path", "info/attributes"))
    if path is None:  # pragma: no cover - git answered --show-toplevel
        return done
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if line not in old.splitlines():
            path.parent.mkdir(parents=True, exist_ok=True)
            sep = "" if not old or old.endswith("\n") else "\n"
            path.write_text(f"{old}{sep}{line}\n", encoding="utf-8")
            done.append(f"{path}: {line}")
    except (OSError, UnicodeDecodeError) as err:
        raise OSError(f"{path}: cannot write: {err}") from None
    return done


@dataclass
class FileMerge:
    """The outcome of one `merge-file`: git's exit code and what to tell the user."""

    code: int
    messages: list[str]


def merge_file(base: Path, ours: Path, theirs: Path, name: str) -> FileMerge:
    """Merge `theirs` into `ours` (rewritten in place), by pearl id; where the files
    cannot be told apart by pearl, git's own line merge decides, with markers."""
    from pearldeck.store.yamlfile import MAX_FILE_BYTES  # `init` needs no pearl reader

    try:
        texts = [read_regular(p, MAX_FILE_BYTES).decode("utf-8") for p in (base, ours, theirs)]
    except (OSError, UnicodeDecodeError):
        texts = []
    from pearldeck.store.pearlmerge import merge_pearl_files  # only git's merges need it

    merged = merge_pearl_files(texts[0], texts[1], texts[2], "acute") if texts else None
    if merged is None:
        return _line_merge(base, ours, theirs, name)
    try:
        ours.write_bytes(merged.text.encode("utf-8"))
    except OSError as err:
        return FileMerge(2, [f"{name}: cannot write the merge: {err.strerror or err}"])
    messages = [f"{name}: {m}" for m in merged.notes]
    messages += [f"{name}: {c}; `pearls check` names them" for c in merged.conflicts]
    return FileMerge(1 if merged.conflicts else 0, messages)


def _line_merge(base: Path, ours: Path, theirs: Path, name: str) -> FileMerge:
    cmd = ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs"]
    try:
        out = subprocess.run(
            [*cmd, str(ours), str(base), str(theirs)], capture_output=True, text=True
        )
    except OSError as err:
        return FileMerge(2, [f"{name}: cannot run git merge-file: {err}"])
    note = f"{name}: not a plain list of pearls, merged line by line"
    if out.returncode:
        note += f" with {out.returncode} conflict(s) marked"
    return FileMerge(0 if out.returncode == 0 else 1 if 0 < out.returncode < 128 else 2, [note])
