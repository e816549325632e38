"""This copy's device name: kept beside the collection, out of git and out of `.cache/`.

The name picks this device's review log (`reviews/<name>.jsonl`), so it must outlive
the derived cache (deleting `.cache/` keeps it, and `undo` still reaches earlier reviews)
and must never be shared by two copies (each writes only its own log, so git never
conflicts). It is stored in `.device` (git-ignored) with where the folder is: a copy of
the folder made elsewhere (another clone, `cp -r`, a folder synced to another machine)
sees a different folder or host and makes a name of its own; a folder moved on the same
disk keeps its inode, and its name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from pearldeck.atomicfile import replacing
from pearldeck.store.fsutil import WriteFailed, locked
from pearldeck.store.reviewlog import DEVICE_RE

DEVICE_FILE = ".device"
LEGACY_FILE = ".cache/device"
"""Where versions before this one kept the name: taken over once, if it is there."""


def device_id(root: Path) -> str:
    """PEARLS_DEVICE, else the name kept for this folder, else a new one (kept)."""
    env = os.environ.get("PEARLS_DEVICE")
    if env:
        if not DEVICE_RE.match(env):
            raise ValueError(f"PEARLS_DEVICE={env!r}: use letters, digits, '.', '_' or '-'")
        return env
    here = _identity(root)
    name = _kept(root, here)
    if name:
        return name
    try:
        with locked(root / ".cache" / "write.lock"):  # processes starting together agree
            name = _kept(root, here)
            if name:
                return name
            stored = _read(root / DEVICE_FILE)
            legacy = _legacy(root) if stored is None else None
            name = legacy or _new_name()
            _write(root / DEVICE_FILE, name, here)
    except (OSError, WriteFailed):
        return _legacy(root) or _new_name()  # a read-only copy: this session's name only
    return name


def _identity(root: Path) -> dict[str, object]:
    import socket  # loaded by the commands that name the device, not by every one

    st = root.stat()
    return {
        "host": socket.gethostname(),
        "path": str(root.resolve()),
        "inode": f"{st.st_dev}:{st.st_ino}",
    }


def _kept(root: Path, here: dict[str, object]) -> str | None:
    """The stored name, if it was made for this folder: on this machine, at the same
    path or with the same inode (a folder synced to another machine makes its own)."""
    stored = _read(root / DEVICE_FILE)
    if stored is None:
        return None
    name, where = stored
    same = where.get("path") == here["path"] or where.get("inode") == here["inode"]
    if same and where.get("host") == here["host"]:
        if where != here:  # moved on the same disk: remember where it is now
            with contextlib.suppress(OSError):
                _write(root / DEVICE_FILE, name, here)
        return name
    return None


def _read(path: Path) -> tuple[str, dict[str, object]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    if not DEVICE_RE.match(data["name"]):
        return None
    return data["name"], {k: data.get(k) for k in ("host", "path", "inode")}


def _write(path: Path, name: str, here: dict[str, object]) -> None:
    text = json.dumps({"name": name, **here}) + "\n"
    with replacing(path) as f:
        f.write(text.encode())


def _legacy(root: Path) -> str | None:
    try:
        value = (root / LEGACY_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if DEVICE_RE.match(value) else None


def _new_name() -> str:
    import secrets
    import socket

    host = re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname())[:20] or "device"
    return f"{host}-{secrets.token_hex(3)}"
