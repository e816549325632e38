"""The name of an Anki deck file: valid on every system, ending in `.apkg`.

Apart from the exporter so that `pearls export` can name its file (and find the deck
already up to date) without loading genanki."""

from __future__ import annotations

import re
import unicodedata

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)", re.IGNORECASE)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_filename(name: str) -> str:
    """A file name made from `name` that is valid on every system and ends in `.apkg`."""
    name = unicodedata.normalize("NFC", name)
    if name.lower().endswith(".apkg"):
        name = name[: -len(".apkg")]
    # Windows drops trailing dots and spaces; a leading dot would hide the file.
    stem = _UNSAFE.sub("_", name).strip(" .") or "pearls"
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    # File names are limited to 255 bytes.
    stem = stem.encode()[:200].decode(errors="ignore").rstrip(" .")
    return f"{stem}.apkg"
