"""Crash-safe file primitives: locked, atomic replace and durable append."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from pearldeck.errors import ChangedOnDisk as ChangedOnDisk  # re-exported for old callers
from pearldeck.errors import WriteFailed as WriteFailed


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock between processes writing the same collection."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise WriteFailed(lock_path, err) from err
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def replace_file(path: Path, data: bytes, expected: bytes | None) -> None:
    """Write `data` to `path` via temp file, fsync and rename.

    `expected` is what the caller read; if the file now holds something else
    (or exists when None was expected to mean 'absent') nothing is written.
    """
    replace_files([(path, data, expected)])


def replace_files(changes: Sequence[tuple[Path, bytes, bytes | None]]) -> None:
    """`replace_file` for several files at once: all are written, or none is.

    Every new file is written and fsynced beside its target first (where a full disk
    or a failing device stops us, with nothing changed); only then are they renamed
    into place. If a rename fails, the files already renamed get their old bytes back.
    """
    for path, _, expected in changes:
        if _current(path) != expected:
            raise ChangedOnDisk(path)
    temps: list[Path] = []
    renamed = 0
    failing = changes[0][0] if changes else Path()
    try:
        for failing, data, _ in changes:
            temps.append(failing.with_name(f".{failing.name}.{os.getpid()}.tmp"))
            _write_synced(temps[-1], data)
        for tmp, (failing, _, _) in zip(temps, changes, strict=True):
            tmp.replace(failing)
            renamed += 1
    except OSError as err:
        for tmp in temps[renamed:]:
            with contextlib.suppress(OSError):
                tmp.unlink()
        _put_back([(path, old) for path, _, old in changes[:renamed]])
        raise WriteFailed(failing, err) from err
    # The new files are in place: as SQLite does, ignore a directory that cannot be
    # synced, rather than report a failure for a change that was made (and then made twice).
    for folder in {path.parent for path, _, _ in changes}:
        with contextlib.suppress(OSError):
            fsync_dir(folder)
    for path, _, _ in changes:
        _remove_stale_temps(path)


def _remove_stale_temps(path: Path) -> None:
    """Remove temp files of `path` left by writers that died mid-write (a crash, a kill),
    so they are not synced or committed with the collection. A live writer's stays."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 : -len(".tmp")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                tmp.unlink()
        except (OSError, OverflowError):
            pass  # alive (another user's), or not a pid


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise WriteFailed(path, err) from err


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _put_back(done: Sequence[tuple[Path, bytes | None]]) -> None:
    """Best effort: give files renamed before a failed rename their old bytes back."""
    for path, old in done:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            if old is None:
                path.unlink()
            else:
                _write_synced(tmp, old)
                tmp.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def append_line(path: Path, line: bytes) -> None:
    """Append one newline-terminated record and fsync before returning.

    A torn last line left by a crash is closed off with a newline first, so the
    new record never fuses with it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            prefix = b""
            if size and os.pread(fd, 1, size - 1) != b"\n":
                prefix = b"\n"
            view = memoryview(prefix + line)
            try:
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except OSError:
                # a record the caller was told failed must never surface later
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)
    except OSError as err:
        raise WriteFailed(path, err) from err
