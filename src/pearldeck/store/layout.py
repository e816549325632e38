"""Where things live in a collection folder, and making a new one."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Problem
from pearldeck.store.device import device_id as device_id
from pearldeck.store.fsutil import replace_file
from pearldeck.store.reviewlog import REVIEWS_DIR, scan_logs
from pearldeck.store.settings import DEFAULT_TEXT, SETTINGS_FILE

CACHE_DIR = ".cache"
GITIGNORE = (
    "# the index is derived from the text files: never commit it\n.cache/\n"
    "# this copy's device name (see store/device.py): each clone makes its own\n.device\n"
)
GITATTRIBUTES = (
    "# Pearls added on two machines merge without a conflict: git keeps both sides' lines.\n"
    "# Had both edited one pearl, its keys appear twice; `pearls check` names the line.\n"
    "*.yaml merge=union\n"
    "# Each device appends to its own review log; should two clones both append to one,\n"
    "# git keeps both sides' lines (the order does not matter: events carry their time).\n"
    "reviews/*.jsonl merge=union\n"
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
    """`<pathway>.yaml` and `<pathway>/**/*.yaml`; anything else YAML is reported, and so
    is a pearl file that cannot be read as one (a broken link, a folder, a pipe)."""
    files: list[PearlFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return files, [Problem(str(root), 0, "no such collection folder (try `pearls init`)")]
    try:
        entries = sorted(root.iterdir())
    except OSError as err:
        return files, [Problem(str(root), 0, f"cannot read: {err.strerror or err}")]
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name.endswith((".yaml", ".yml")):
            stem = name.rsplit(".", 1)[0]
            if stem not in PATHWAYS:
                if _regular(entry, problems, quiet=True):
                    problems.append(
                        Problem(
                            shown(entry),
                            0,
                            f"not a pathway file; name it after a pathway ({', '.join(PATHWAYS)})",
                        )
                    )
                continue
            st = _regular(entry, problems)
            if st is not None:
                files.append(PearlFile(name, stem, entry, st.st_size, st.st_mtime_ns))
        elif name in PATHWAYS and entry.is_dir():
            for sub in _walk(entry, problems):
                st = _regular(sub, problems)
                if st is not None:
                    rel = sub.relative_to(root).as_posix()
                    files.append(PearlFile(rel, name, sub, st.st_size, st.st_mtime_ns))
    problems.extend(scan_logs(root)[1])
    return files, problems


def shown(path: Path) -> str:
    """A path as a message can print it, whatever bytes its name is made of."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _walk(folder: Path, problems: list[Problem]) -> list[Path]:
    """The YAML files below a pathway folder (symlinked folders are not followed)."""
    found: list[Path] = []

    def error(err: OSError) -> None:
        problems.append(Problem(shown(Path(err.filename or folder)), 0, _why(err)))

    for top, dirs, names in os.walk(folder, onerror=error):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            path = Path(top, name)
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(
                    Problem(shown(path), 0, "file name is not valid UTF-8; rename it, skipped")
                )
                continue
            found.append(path)
    return found


def _regular(path: Path, problems: list[Problem], quiet: bool = False) -> os.stat_result | None:
    """The file's stat if it is a regular file; else a problem (unless `quiet`) and None."""
    try:
        st = path.stat()
    except OSError as err:
        if not quiet:
            problems.append(Problem(shown(path), 0, _why(err, path)))
        return None
    if stat.S_ISREG(st.st_mode):
        return st
    if not quiet:
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "a pipe or device"
        problems.append(
            Problem(shown(path), 0, f"not a regular file ({what}); pearls must be in a text file")
        )
    return None


def _why(err: OSError, path: Path | None = None) -> str:
    if err.errno == errno.ELOOP:
        return "a symbolic link that loops; replace it with the file, skipped"
    if err.errno == errno.ENOENT and path is not None and path.is_symlink():
        return "a symbolic link to nothing (its target is gone), skipped"
    return f"cannot read: {err.strerror or err}, skipped"


def _ignore_device(path: Path) -> bool:
    """Add `.device` to a .gitignore made before it existed; whether it was added."""
    try:
        old = path.read_bytes()
    except OSError:
        return False
    if not path.is_file() or b".device" in {ln.strip() for ln in old.splitlines()}:
        return False
    lines = GITIGNORE.encode().splitlines(keepends=True)[2:]  # the device name's two lines
    sep = b"" if not old or old.endswith(b"\n") else b"\n"
    replace_file(path, old + sep + b"".join(lines), old)
    return True


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
    if _ignore_device(root / ".gitignore"):
        made.append(root / ".gitignore")
    (root / REVIEWS_DIR).mkdir(exist_ok=True)
    keep = root / REVIEWS_DIR / ".gitkeep"
    if not keep.exists():
        keep.touch()
    return made
