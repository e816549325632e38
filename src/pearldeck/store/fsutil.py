"""Crash-safe file primitives: locked, atomic replace and durable append."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class ChangedOnDisk(Exception):
    """The file changed since it was read; writing would lose someone's edit."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: changed on disk since it was read; nothing written. Run the command again."
        )
        self.path = path


class WriteFailed(Exception):
    """An OS error while writing, turned into a message for the user."""

    def __init__(self, path: Path, err: OSError) -> None:
        super().__init__(f"{path}: cannot write: {err.strerror or err}")
        self.path = path


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock between processes writing the same collection."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
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
    try:
        current: bytes | None = path.read_bytes()
    except FileNotFoundError:
        current = None
    if current != expected:
        raise ChangedOnDisk(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
        fsync_dir(path.parent)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteFailed(path, err) from err


def append_line(path: Path, line: bytes) -> None:
    """Append one newline-terminated record and fsync before returning.

    A torn last line left by a crash is closed off with a newline first, so the
    new record never fuses with it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
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
