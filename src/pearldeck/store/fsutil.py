"""Crash-safe file primitives: locked, atomic replace and durable append."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pearldeck import atomicfile
from pearldeck.atomicfile import fsync_dir, remove_stale_temps, temp_path
from pearldeck.errors import ChangedOnDisk as ChangedOnDisk  # re-exported for old callers
from pearldeck.errors import WriteFailed as WriteFailed


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes; a folder, pipe or device is refused (OSError), never read or
    waited on, and so is a file longer than `limit` (its size is all that is read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a folder" if stat.S_ISDIR(st.st_mode) else "a pipe or device"
            raise OSError(errno.EINVAL, f"not a regular file ({what})", str(path))
        if limit is not None and st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit // 2**20} MB", str(path))
        parts = []
        while chunk := os.read(fd, max(st.st_size + 1, 65536)):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_existing(path: Path, limit: int | None = None) -> bytes | None:
    """`read_regular`, or None if there is no file; a link to nothing is an OSError,
    not an absent file (writing would replace the link the user made)."""
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        if path.is_symlink():
            raise OSError(errno.ENOENT, "a symbolic link to nothing", str(path)) from None
        return None


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

    An editor may save between the check and the rename: so each file is swapped in
    with an atomic exchange (Linux), and the file swapped out must be the one we read;
    if it is not, it is swapped back, untouched, and nothing is written (ChangedOnDisk).
    """
    for path, _, expected in changes:
        if _current(path) != expected:
            raise ChangedOnDisk(path)
    temps: list[Path] = []
    done: list[tuple[Path, Path, bytes | None, str]] = []
    failing = changes[0][0] if changes else Path()
    try:
        for failing, data, _ in changes:
            temps.append(temp_path(failing))
            atomicfile.write_synced(temps[-1], data)  # looked up here, so a test may wrap it
        for tmp, (failing, _, expected) in zip(temps, changes, strict=True):
            done.append((tmp, failing, expected, _install(tmp, failing, expected)))
    except (OSError, ChangedOnDisk) as err:
        for tmp in temps[len(done) :]:
            with contextlib.suppress(OSError):
                tmp.unlink()
        _undo(done)
        if isinstance(err, ChangedOnDisk):
            raise
        raise WriteFailed(failing, err) from err
    for tmp, _, _, how in done:
        if how == "exchanged":  # the old file, swapped out: ours is in place
            with contextlib.suppress(OSError):
                tmp.unlink()
    # The new files are in place: as SQLite does, ignore a directory that cannot be
    # synced, rather than report a failure for a change that was made (and then made twice).
    for folder in {path.parent for path, _, _ in changes}:
        with contextlib.suppress(OSError):
            fsync_dir(folder)
    for path, _, _ in changes:
        remove_stale_temps(path)


_AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


@functools.cache
def _libc_renameat2() -> Callable[..., int] | None:
    import ctypes  # once, on the first rename that needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    found: Callable[..., int] = fn
    return found


def _renameat2(src: Path, dst: Path, flags: int) -> None:
    """Linux renameat2(2): NotImplementedError where the system or file system lacks it."""
    fn = _libc_renameat2()
    if fn is None:
        raise NotImplementedError
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) != 0:
        import ctypes  # loaded already, by _libc_renameat2

        err = ctypes.get_errno()
        if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise NotImplementedError
        raise OSError(err, os.strerror(err), str(dst))


def _install(tmp: Path, path: Path, expected: bytes | None) -> str:
    """Put `tmp` in place of `path`, which must still hold `expected`; how it was done."""
    try:
        if expected is None:
            try:
                _renameat2(tmp, path, RENAME_NOREPLACE)
            except FileExistsError:
                raise ChangedOnDisk(path) from None
            return "created"
        try:
            _renameat2(tmp, path, RENAME_EXCHANGE)
        except FileNotFoundError:
            raise ChangedOnDisk(path) from None
        try:
            theirs: bytes | None = read_regular(tmp)
        except OSError:
            theirs = None
        if theirs != expected:
            _renameat2(tmp, path, RENAME_EXCHANGE)  # theirs back in place, as it was
            raise ChangedOnDisk(path)
        return "exchanged"
    except NotImplementedError:
        # no atomic exchange here: check once more, as close to the rename as we can
        if _current(path) != expected:
            raise ChangedOnDisk(path) from None
        tmp.replace(path)
        return "replaced"


def _undo(done: Sequence[tuple[Path, Path, bytes | None, str]]) -> None:
    """Best effort: give files installed before a failure their old bytes back."""
    for tmp, path, old, how in reversed(done):
        try:
            if how == "exchanged":
                _renameat2(tmp, path, RENAME_EXCHANGE)
                with contextlib.suppress(OSError):
                    tmp.unlink()
                continue
        except (OSError, NotImplementedError):
            pass
        _put_back([(path, old)])


def _current(path: Path) -> bytes | None:
    try:
        return read_existing(path)
    except OSError as err:
        raise WriteFailed(path, err) from err


def _put_back(done: Sequence[tuple[Path, bytes | None]]) -> None:
    """Best effort: give files renamed before a failed rename their old bytes back."""
    for path, old in done:
        tmp = temp_path(path)
        try:
            if old is None:
                path.unlink()
            else:
                atomicfile.write_synced(tmp, old)
                tmp.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def append_line(path: Path, line: bytes) -> int:
    """Append one newline-terminated record and fsync before returning; where it begins.

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
    return size + len(prefix)
