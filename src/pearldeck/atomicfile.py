"""Whole-or-nothing file writes: a temp file beside the target, fsynced, renamed over it."""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP = ".tmp"


def temp_path(path: Path, suffix: str = TEMP) -> Path:
    """Where this process writes `path`'s next version: `.<name>.<pid><suffix>` beside it,
    so a temp left by a writer that died names a process that no longer exists."""
    return path.with_name(f".{path.name}.{os.getpid()}{suffix}")


def write_synced(path: Path, data: bytes) -> None:
    """Write `data` to `path` (created 0644 less the umask) and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_cache(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all, unsynced: a cache lost in a crash is only
    work done again. A refusal (a full disk, a read-only folder) is ignored likewise."""
    tmp = temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(path: Path, suffix: str = TEMP) -> None:
    """Remove temp files of `path` left by writers that died mid-write (a crash, a kill),
    so they are not synced or committed, nor waste a deck's worth of space. A live
    writer's stays. Only tidying: never a reason to fail."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*{glob.escape(suffix)}"):
        pid = tmp.name[len(path.name) + 2 : -len(suffix)]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                tmp.unlink()
        except (OSError, OverflowError):
            pass  # alive (another user's), or not a pid


@contextlib.contextmanager
def replacing(path: Path, suffix: str = TEMP) -> Iterator[BinaryIO]:
    """A file to write `path`'s new contents to, streamed. On a clean exit it is fsynced,
    given `path`'s permissions (0644 for a new file) and renamed over `path`; on an error
    it is removed and `path` is as it was. Dead writers' temps of `path` go first."""
    remove_stale_temps(path, suffix)
    tmp = temp_path(path, suffix)
    try:
        with tmp.open("wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # an export is an ordinary document: the umask of the moment does not decide
        tmp.chmod(path.stat().st_mode & 0o777 if path.exists() else 0o644)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    # the new file is in place: a folder that cannot be synced is no failure (as SQLite)
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)
