"""The collection's media folder: images and sounds under safe, content-addressed names."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from pearldeck.atomicfile import replacing

MEDIA_DIR = "media"
MAX_MEDIA_BYTES = 20 * 1024 * 1024
IMAGE_TYPES = ("png", "jpg", "jpeg", "gif", "webp", "svg")
SOUND_TYPES = ("mp3", "ogg", "wav", "m4a")
MEDIA_TYPES = IMAGE_TYPES + SOUND_TYPES

# The first bytes of each binary type: a renamed file of another kind is refused.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "wav": (b"RIFF",),
    "ogg": (b"OggS",),
    "mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xe3"),
}


class MediaError(Exception):
    """A file that cannot become media; the message is meant for the user."""


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _slug(hint: str) -> str:
    stem = hint.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    ascii_ = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:40].strip("-") or "media"


def check_media(data: bytes, name_hint: str) -> str:
    """The file type of `data`, or MediaError saying why it cannot be media."""
    ext = _ext(name_hint)
    if ext not in MEDIA_TYPES:
        kinds = ", ".join(MEDIA_TYPES)
        raise MediaError(f"{name_hint}: not an image or sound file we keep (use {kinds})")
    if not data:
        raise MediaError(f"{name_hint}: empty file")
    if len(data) > MAX_MEDIA_BYTES:
        mib = MAX_MEDIA_BYTES // (1024 * 1024)
        raise MediaError(f"{name_hint}: larger than {mib} MiB; keep big files outside pearls")
    magic = _MAGIC.get(ext)
    if magic and not data.startswith(magic):
        raise MediaError(f"{name_hint}: its contents are not a {ext.upper()} file")
    if ext == "svg" and b"<svg" not in data[:4096].lower():
        raise MediaError(f"{name_hint}: its contents are not an SVG file")
    return "jpg" if ext == "jpeg" else ext


def media_name(data: bytes, name_hint: str) -> str:
    """The stable name `data` gets: `<slug>-<10 hex of sha256>.<ext>`."""
    ext = check_media(data, name_hint)
    return f"{_slug(name_hint)}-{hashlib.sha256(data).hexdigest()[:10]}.{ext}"


def add_media(root: Path, data: bytes, name_hint: str) -> str:
    """Keep `data` in the media folder (once per content); returns `media/<name>`."""
    name = media_name(data, name_hint)
    folder = root / MEDIA_DIR
    target = folder / name
    if target.is_file() and target.stat().st_size == len(data):
        return f"{MEDIA_DIR}/{name}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(target) as fh:
            fh.write(data)
    except OSError as err:
        raise MediaError(f"{target}: cannot write: {err.strerror or err}") from None
    return f"{MEDIA_DIR}/{name}"


def add_media_file(root: Path, src: Path) -> str:
    """`add_media` from a file on disk; only a regular file is read."""
    try:
        st = src.stat()
    except OSError as err:
        raise MediaError(f"{src}: cannot read: {err.strerror or err}") from None
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(f"{src}: not a regular file")
    if st.st_size > MAX_MEDIA_BYTES:
        mib = MAX_MEDIA_BYTES // (1024 * 1024)
        raise MediaError(f"{src}: larger than {mib} MiB; keep big files outside pearls")
    try:
        data = src.read_bytes()
    except OSError as err:
        raise MediaError(f"{src}: cannot read: {err.strerror or err}") from None
    return add_media(root, data, src.name)


def media_path(root: Path, ref: str) -> Path | None:
    """The file a `media/...` reference names, or None if it would leave the media folder."""
    if not ref.startswith(f"{MEDIA_DIR}/"):
        return None
    name = ref[len(MEDIA_DIR) + 1 :]
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        return None
    return root / MEDIA_DIR / name


def list_media(root: Path) -> list[str]:
    """Every regular file in the media folder, as `media/<name>`, sorted."""
    folder = root / MEDIA_DIR
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        f"{MEDIA_DIR}/{e.name}"
        for e in entries
        if not e.name.startswith(".") and e.is_file(follow_symlinks=False)
    ]
