"""Where things live in a collection folder, and making a new one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pearldeck.model import PATHWAY_TITLES, PATHWAYS, Problem
from pearldeck.store.device import device_id as device_id
from pearldeck.store.fsutil import replace_file
from pearldeck.store.reviewlog import REVIEWS_DIR
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
