# The layer wraps `os` itself, so it speaks in os.path terms too.
# ruff: noqa: PTH100, PTH110, PTH112, PTH119
"""A fault-injecting layer over the `os` calls that write files (root ignores permissions).

Every call that writes, syncs, creates, renames, removes or changes a file below a
sandbox folder is counted; the k-th fails with an OSError. Two kinds of failure:

- `once` (EIO): the k-th call fails and every later call works, as a flaky disk does.
- `full` (ENOSPC): from the k-th call on, everything that needs space fails (writes,
  fsyncs, new files and folders), as a full disk does; renaming, removing a file and
  shrinking one still work. A failing write first writes half its bytes, as a short
  write on a filling disk does.

SQLite writes its own files and cannot be reached this way; the index is a cache and is
checked against a rebuild instead.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pearldeck.store import fsutil

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Faults:
    """Counts write-like calls below `sandbox`; fails the k-th as `mode` says."""

    def __init__(self, sandbox: Path, k: int, mode: str) -> None:
        assert mode in ("once", "full")
        self.sandbox = str(sandbox)
        self.k = k
        self.mode = mode
        self.calls = 0
        self.fired: str | None = None
        """The call that failed first, e.g. `fsync(acute.yaml)`."""
        self._fds: dict[int, str] = {}

    @property
    def err(self) -> int:
        return errno.EIO if self.mode == "once" else errno.ENOSPC

    def _mine(self, path: object) -> bool:
        """Whether `path` (a str or path-like; never bytes or a descriptor) is in the sandbox."""
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        return isinstance(path, str) and os.path.abspath(path).startswith(self.sandbox)

    def _should_fail(self, what: str, needs_space: bool = True) -> bool:
        self.calls += 1
        once = self.calls == self.k
        hit = once if self.mode == "once" else self.calls >= self.k and needs_space
        if hit and self.fired is None:
            self.fired = what
        return hit

    def _raise(self, path: str | os.PathLike[str] | None = None) -> None:
        raise OSError(self.err, os.strerror(self.err), None if path is None else os.fspath(path))

    @contextmanager
    def installed(self) -> Iterator[Faults]:
        real = {
            name: getattr(os, name)
            for name in (
                "open",
                "write",
                "fsync",
                "ftruncate",
                "close",
                "replace",
                "rename",
                "mkdir",
                "unlink",
                "chmod",
                "fdopen",
                "link",
            )
        }
        layer = self

        def name_of(fd: int) -> str:
            return os.path.basename(layer._fds.get(fd, "?"))

        def open_(path: Any, flags: int, mode: int = 0o777, *a: Any, **kw: Any) -> int:
            if layer._mine(path) and flags & _WRITE_FLAGS:
                creates = bool(flags & os.O_CREAT) and not os.path.exists(path)
                needs_space = creates or bool(flags & os.O_TRUNC)
                if layer._should_fail(f"open({os.path.basename(path)})", needs_space):
                    layer._raise(path)
            fd: int = real["open"](path, flags, mode, *a, **kw)
            if layer._mine(path):
                layer._fds[fd] = os.fspath(path)
            return fd

        def write(fd: int, data: Any) -> int:
            if fd in layer._fds and layer._should_fail(f"write({name_of(fd)})"):
                half = len(data) // 2
                if half and layer.mode == "full":
                    return int(real["write"](fd, memoryview(data)[:half]))
                layer._raise(layer._fds[fd])
            return int(real["write"](fd, data))

        def fsync(fd: int) -> None:
            if fd in layer._fds and layer._should_fail(f"fsync({name_of(fd)})"):
                layer._raise(layer._fds[fd])
            real["fsync"](fd)

        def ftruncate(fd: int, length: int) -> None:
            if fd in layer._fds and layer._should_fail(f"ftruncate({name_of(fd)})", False):
                layer._raise(layer._fds[fd])
            real["ftruncate"](fd, length)

        def close(fd: int) -> None:
            layer._fds.pop(fd, None)
            real["close"](fd)

        def path_call(name: str, needs_space: bool) -> Callable[..., Any]:
            def call(path: Any, *a: Any, **kw: Any) -> Any:
                if layer._mine(path):
                    if name == "mkdir" and os.path.isdir(path):
                        return real[name](path, *a, **kw)  # EEXIST comes first
                    if layer._should_fail(f"{name}({os.path.basename(path)})", needs_space):
                        layer._raise(path)
                return real[name](path, *a, **kw)

            return call

        def fdopen(fd: int, *a: Any, **kw: Any) -> Any:
            f = real["fdopen"](fd, *a, **kw)
            mode = a[0] if a else kw.get("mode", "r")
            if fd in layer._fds and any(c in mode for c in "wa+"):
                return _File(f, layer, layer._fds[fd])
            return f

        patched: dict[str, Any] = {
            "open": open_,
            "write": write,
            "fsync": fsync,
            "ftruncate": ftruncate,
            "close": close,
            # renaming over an existing name allocates nothing, even on a full disk
            "replace": path_call("replace", False),
            "rename": path_call("rename", False),
            "mkdir": path_call("mkdir", True),
            "unlink": path_call("unlink", False),
            "chmod": path_call("chmod", False),
            "link": path_call("link", True),
            "fdopen": fdopen,
        }
        for name, fn in patched.items():
            setattr(os, name, fn)
        # the atomic exchange rename goes to libc directly: count it as a rename
        real_rename2 = fsutil._renameat2

        def renameat2(src: Path, dst: Path, flags: int) -> None:
            if layer._mine(dst) and layer._should_fail(f"renameat2({dst.name})", False):
                layer._raise(dst)
            real_rename2(src, dst, flags)

        fsutil._renameat2 = renameat2
        try:
            yield self
        finally:
            for name, fn in real.items():
                setattr(os, name, fn)
            fsutil._renameat2 = real_rename2


class _File:
    """A file object whose writes and flushes go through the fault layer."""

    def __init__(self, f: Any, layer: Faults, path: str) -> None:
        self._f = f
        self._layer = layer
        self._path = path

    def write(self, data: Any) -> int:
        if self._layer._should_fail(f"write({os.path.basename(self._path)})"):
            self._layer._raise(self._path)
        return int(self._f.write(data))

    def flush(self) -> None:
        if self._layer._should_fail(f"flush({os.path.basename(self._path)})"):
            self._layer._raise(self._path)
        self._f.flush()

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exc: object) -> None:
        self._layer._fds.pop(self._f.fileno(), None)
        self._f.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)
