"""Find the images a note names the way Obsidian does, and copy them into the collection."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

from pearldeck.store.media import IMAGE_TYPES, MediaError, add_media_file, media_name

MAX_VAULT_FILES = 100_000
"""Files looked at when an embed is searched for by name anywhere in the vault."""


class NoteMedia:
    """`ImportDefaults.media` for `pearls import`: one per run, vault indexes cached."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_name: dict[Path, dict[str, Path]] = {}
        self.copied: dict[Path, str] = {}
        """Each image found and the `media/...` name it gets (copied by `copy_all`)."""
        self.errors: list[str] = []

    def __call__(self, note: str, target: str) -> str | None:
        src = self.find(Path(note), target)
        if src is None:
            return None
        if src in self.copied:
            return self.copied[src]
        try:
            ref = "media/" + media_name(src.read_bytes(), src.name)
        except (MediaError, OSError) as e:
            self.errors.append(f"{src}: {e}")
            return None
        self.copied[src] = ref
        return ref

    def copy_all(self) -> None:
        """Copy every image named so far into the collection (once per content)."""
        for src in self.copied:
            add_media_file(self.root, src)

    def find(self, note: Path, target: str) -> Path | None:
        """Beside the note, then the vault's attachment folder, the vault root, and last
        any file of that name in the vault; never outside the vault."""
        name = unquote(target.strip()).partition("#")[0].partition("|")[0].strip()
        if not name or "\0" in name or Path(name).suffix.lower().lstrip(".") not in IMAGE_TYPES:
            return None
        vault = _vault(note)
        places = [note.parent / name]
        folder = _attachment_folder(vault)
        if folder is not None:
            base = note.parent if folder.startswith("./") else vault
            places.append(base / folder.removeprefix("./") / name)
        places.append(vault / name)
        for place in places:
            if _inside(place, vault) and place.is_file():
                return place
        found = self.names(vault).get(Path(name).name.lower())
        return found if found is not None and _inside(found, vault) else None

    def names(self, vault: Path) -> dict[str, Path]:
        if vault not in self.by_name:
            index: dict[str, Path] = {}
            for n, path in enumerate(sorted(vault.rglob("*"))):
                if n >= MAX_VAULT_FILES:
                    break
                if path.suffix.lower().lstrip(".") in IMAGE_TYPES and ".obsidian" not in path.parts:
                    index.setdefault(path.name.lower(), path)
            self.by_name[vault] = index
        return self.by_name[vault]


def _vault(note: Path) -> Path:
    """The Obsidian vault a note is in (the folder holding `.obsidian/`), else its folder."""
    here = note.resolve().parent
    for folder in (here, *here.parents):
        if (folder / ".obsidian").is_dir():
            return folder
    return here


def _attachment_folder(vault: Path) -> str | None:
    try:
        data = json.loads((vault / ".obsidian" / "app.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("attachmentFolderPath") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value not in ("", "/") else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False
