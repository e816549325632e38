"""Where things live in a collection folder, and making a new one."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Problem
from pearldeck.store.fsutil import replace_file
from pearldeck.store.reviewlog import DEVICE_RE, REVIEWS_DIR
from pearldeck.store.settings import DEFAULT_TEXT, SETTINGS_FILE

CACHE_DIR = ".cache"
GITIGNORE = "# the index is derived from the text files: never commit it\n.cache/\n"
GITATTRIBUTES = (
    "# Pearls added on two machines merge without a conflict: git keeps both sides' lines.\n"
    "# Had both edited one pearl, its keys appear twice; `pearls check` names the line.\n"
    "*.yaml merge=union\n"
)


@dataclass(frozen=True, slots=True)
class PearlFile:
    """A pathway file found in the collection."""

    rel: str
    pathway: str
    path: Path
    size: int
    mtime_ns: int


def scan(root: Path) -> tuple[list[PearlFile], list[Problem]]:
    """`<pathway>.yaml` and `<pathway>/**/*.yaml`; anything else YAML is reported."""
    files: list[PearlFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return files, [Problem(str(root), 0, "no such collection folder (try `pearls init`)")]
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_file() and name.endswith((".yaml", ".yml")):
            stem = name.rsplit(".", 1)[0]
            if stem in PATHWAYS:
                st = entry.stat()
                files.append(PearlFile(name, stem, entry, st.st_size, st.st_mtime_ns))
            else:
                problems.append(
                    Problem(
                        str(entry),
                        0,
                        f"not a pathway file; name it after a pathway ({', '.join(PATHWAYS)})",
                    )
                )
        elif entry.is_dir() and name in PATHWAYS:
            for sub in sorted(entry.rglob("*")):
                if (
                    sub.is_file()
                    and sub.suffix in (".yaml", ".yml")
                    and not sub.name.startswith(".")
                ):
                    st = sub.stat()
                    rel = sub.relative_to(root).as_posix()
                    files.append(PearlFile(rel, name, sub, st.st_size, st.st_mtime_ns))
    return files, problems


def device_id(root: Path) -> str:
    """This copy's device name: PEARLS_DEVICE, else one made once and kept in the cache."""
    env = os.environ.get("PEARLS_DEVICE")
    if env:
        if not DEVICE_RE.match(env):
            raise ValueError(f"PEARLS_DEVICE={env!r}: use letters, digits, '.', '_' or '-'")
        return env
    path = root / CACHE_DIR / "device"
    value = _stored_device(path)
    if value:
        return value
    host = re.sub(r"[^A-Za-z0-9-]", "", socket.gethostname())[:20] or "device"
    value = f"{host}-{secrets.token_hex(3)}"
    tmp = path.with_name(f".device.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(value + "\n", encoding="utf-8")
        try:
            os.link(tmp, path)  # only if there is none: processes starting together agree
        except FileExistsError:
            theirs = _stored_device(path)
            if theirs:
                return theirs
            tmp.replace(path)  # an unreadable name is in the way: ours replaces it
        except OSError:
            tmp.replace(path)  # no hard links on this file system
    except OSError:
        return value  # a read-only copy: this session's name is not kept
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return value


def _stored_device(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if DEVICE_RE.match(value) else None


def init_collection(root: Path) -> list[Path]:
    """Create the five pathway files, settings, review folder, .gitignore and
    .gitattributes; keep what exists (so running it again adds only what is missing)."""
    root.mkdir(parents=True, exist_ok=True)
    made = []
    for pathway in PATHWAYS:
        path = root / f"{pathway}.yaml"
        if not path.exists() and not (root / pathway).is_dir():
            header = f"# {PATHWAY_TITLES[pathway]}: one pearl per list item (see README).\n"
            replace_file(path, header.encode(), None)
            made.append(path)
    for name, text in (
        (SETTINGS_FILE, DEFAULT_TEXT),
        (".gitignore", GITIGNORE),
        (".gitattributes", GITATTRIBUTES),
    ):
        path = root / name
        if not path.exists():
            replace_file(path, text.encode(), None)
            made.append(path)
    (root / REVIEWS_DIR).mkdir(exist_ok=True)
    keep = root / REVIEWS_DIR / ".gitkeep"
    if not keep.exists():
        keep.touch()
    return made
