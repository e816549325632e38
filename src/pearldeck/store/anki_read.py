"""Read Anki packages (.apkg, .colpkg) and collections (collection.anki2), never writing them.

SQLite on Anki's documented schema (both the legacy schema 11 and the current 18), zip and
zstd: no dependency on the `anki` package, and a user's collection is read from a copy.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pearldeck.anki_import.types import AnkiCard, AnkiData, AnkiNote, AnkiReview, NoteType

MAX_COLLECTION_BYTES = 4 * 2**30
MAX_MEDIA_BYTES = 20 * 2**20
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")


class AnkiReadError(Exception):
    """The file is not a readable Anki file; the message says `file: what is wrong`."""


class AnkiFile:
    """An open Anki file: its data, and its media read on demand."""

    def __init__(self, data: AnkiData, media: dict[str, tuple[str, bool]], zip_path: Path | None):
        self.data = data
        self._media = media
        """name -> (zip entry or file path, zstd-compressed)."""
        self._zip_path = zip_path

    def media_bytes(self, name: str) -> bytes | None:
        """The bytes of one media file, or None if the file does not carry it."""
        where = self._media.get(name)
        if where is None:
            return None
        entry, compressed = where
        try:
            if self._zip_path is None:
                path = Path(entry)
                if not path.is_file() or path.stat().st_size > MAX_MEDIA_BYTES:
                    return None
                return path.read_bytes()
            with zipfile.ZipFile(self._zip_path) as z:
                info = z.getinfo(entry)
                if info.file_size > MAX_MEDIA_BYTES + 1024:
                    return None
                raw = z.read(info)
        except (OSError, KeyError, zipfile.BadZipFile):
            return None
        if compressed and raw.startswith(_ZSTD_MAGIC):
            return _unzstd(raw, MAX_MEDIA_BYTES, self.data.path)
        return raw


@contextlib.contextmanager
def open_anki(path: Path) -> Iterator[AnkiFile]:
    """Open a package or a collection file; raises AnkiReadError for anything else."""
    name = str(path)
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as e:
        raise AnkiReadError(f"{name}: cannot read: {e.strerror or e}") from None
    with tempfile.TemporaryDirectory(prefix="pearldeck-anki-") as tmp:
        if head == _SQLITE_MAGIC:
            db_path = Path(tmp) / "collection.anki2"
            _copy_collection(path, db_path)
            folder = path.with_name(path.stem + ".media")
            media = {p.name: (str(p), False) for p in _listdir(folder)}
            yield AnkiFile(_read_db(db_path, name, frozenset(media)), media, None)
            return
        if not zipfile.is_zipfile(path):
            raise AnkiReadError(f"{name}: not an Anki package (.apkg, .colpkg) or collection")
        try:
            with zipfile.ZipFile(path) as z:
                db_path, media = _unpack(z, Path(tmp), name)
        except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
            raise AnkiReadError(f"{name}: damaged package ({e})") from None
        yield AnkiFile(_read_db(db_path, name, frozenset(media)), media, path)


def _listdir(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []


def _copy_collection(src: Path, dst: Path) -> None:
    """Copy the database (and its write-ahead log, where Anki's newest writes may be)."""
    try:
        if src.stat().st_size > MAX_COLLECTION_BYTES:
            raise AnkiReadError(f"{src}: larger than {MAX_COLLECTION_BYTES // 2**30} GB")
        shutil.copyfile(src, dst)
        wal = src.with_name(src.name + "-wal")
        if wal.is_file():
            shutil.copyfile(wal, dst.with_name(dst.name + "-wal"))
    except OSError as e:
        raise AnkiReadError(f"{src}: cannot read: {e.strerror or e}") from None


def _unpack(z: zipfile.ZipFile, tmp: Path, name: str) -> tuple[Path, dict[str, tuple[str, bool]]]:
    """Extract the newest collection the package holds; map its media names to entries."""
    names = set(z.namelist())
    found = next((c for c in _COLLECTIONS if c in names), None)
    if found is None:
        raise AnkiReadError(f"{name}: not an Anki package (no collection inside)")
    info = z.getinfo(found)
    if info.file_size > MAX_COLLECTION_BYTES:
        raise AnkiReadError(f"{name}: collection larger than {MAX_COLLECTION_BYTES // 2**30} GB")
    out = tmp / "collection.db"
    with z.open(info) as src, out.open("wb") as dst:
        if found.endswith("b"):
            _unzstd_stream(src, dst, name)
        else:
            shutil.copyfileobj(src, dst, 2**20)
    compressed = found.endswith("b")
    media: dict[str, tuple[str, bool]] = {}
    if "media" in names:
        raw = z.read("media")
        for entry, media_name in _media_map(raw, name).items():
            if entry in names and "/" not in media_name and media_name not in ("", ".", ".."):
                media[media_name] = (entry, compressed)
    return out, media


def _media_map(raw: bytes, name: str) -> dict[str, str]:
    """zip entry -> media name: a JSON object (legacy), or zstd protobuf MediaEntries."""
    if raw.startswith(_ZSTD_MAGIC):
        entries = _proto_fields(_unzstd(raw, 64 * 2**20, name))
        out: dict[str, str] = {}
        for i, (_, value) in enumerate(f for f in entries if f[0] == 1):
            fields = dict(_proto_fields(value)) if isinstance(value, bytes) else {}
            media_name, legacy = fields.get(1), fields.get(255)
            if isinstance(media_name, bytes):
                entry = str(legacy) if isinstance(legacy, int) else str(i)
                out[entry] = media_name.decode("utf-8", "replace")
        return out
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        raise AnkiReadError(f"{name}: damaged package (its media list is unreadable)") from None
    if not isinstance(value, dict):
        raise AnkiReadError(f"{name}: damaged package (its media list is unreadable)")
    return {str(k): str(v) for k, v in value.items()}


def _proto_fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: varints and byte strings."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            if pos >= len(data) or shift > 63:
                raise ValueError("truncated varint")
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    try:
        while pos < len(data):
            key = varint()
            number, kind = key >> 3, key & 7
            if kind == 0:
                out.append((number, varint()))
            elif kind == 2:
                size = varint()
                out.append((number, data[pos : pos + size]))
                pos += size
            elif kind == 1:
                pos += 8
            elif kind == 5:
                pos += 4
            else:
                break
    except ValueError:
        pass
    return out


def _unzstd(raw: bytes, limit: int, name: str) -> bytes:
    out = io.BytesIO()
    _unzstd_stream(io.BytesIO(raw), out, name, limit)
    return out.getvalue()


def _unzstd_stream(
    src: IO[bytes], dst: IO[bytes], name: str, limit: int = MAX_COLLECTION_BYTES
) -> None:
    """Decompress in bounded chunks: a hostile package cannot fill memory or the disk."""
    import zstandard

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(src)
        total = 0
        while chunk := reader.read(2**20):
            total += len(chunk)
            if total > limit:
                raise AnkiReadError(f"{name}: a part of the package is too large")
            dst.write(chunk)
    except zstandard.ZstdError as e:
        raise AnkiReadError(f"{name}: damaged package ({e})") from None


def _read_db(db_path: Path, name: str, media: frozenset[str]) -> AnkiData:
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise AnkiReadError(f"{name}: cannot open the collection ({e})") from None
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"notes", "cards", "col", "revlog"} <= tables:
            raise AnkiReadError(f"{name}: not an Anki collection (its tables are missing)")
        if "notetypes" in tables:
            note_types, decks = _types_18(db), _decks_18(db)
        else:
            note_types, decks = _types_11(db, name), _decks_11(db, name)
        created = int(db.execute("SELECT crt FROM col").fetchone()[0] or 0)
        notes = [
            AnkiNote(
                int(nid), str(guid), int(mid), tuple(str(tags).split()), tuple(flds.split("\x1f"))
            )
            for nid, guid, mid, tags, flds in db.execute(
                "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
            )
        ]
        cards = [
            AnkiCard(
                int(r[0]), int(r[1]), int(r[7] or r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6])
            )
            for r in db.execute(
                "SELECT id, nid, did, ord, queue, due, ivl, odid FROM cards ORDER BY nid, ord"
            )
        ]
        reviews = [
            AnkiReview(int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]))
            for r in db.execute("SELECT id, cid, ease, time, type FROM revlog ORDER BY id")
        ]
    except sqlite3.DatabaseError as e:
        raise AnkiReadError(f"{name}: damaged collection ({e})") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise AnkiReadError(f"{name}: damaged collection ({e})") from None
    finally:
        db.close()
    return AnkiData(name, note_types, decks, notes, cards, reviews, media, created)


def _types_18(db: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, fname in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(fname))
    out: dict[int, NoteType] = {}
    for ntid, tname, config in db.execute("SELECT id, name, config FROM notetypes"):
        # NotetypeConfig: field 1 is the kind, 0 normal and 1 cloze
        kind = dict(_proto_fields(bytes(config or b""))).get(1, 0)
        out[int(ntid)] = NoteType(
            int(ntid), str(tname), kind == 1, tuple(fields.get(int(ntid), []))
        )
    return out


def _decks_18(db: sqlite3.Connection) -> dict[int, str]:
    return {
        int(i): str(n).replace("\x1f", "::") for i, n in db.execute("SELECT id, name FROM decks")
    }


def _col_json(db: sqlite3.Connection, column: str, name: str) -> dict[str, object]:
    value = json.loads(db.execute(f"SELECT {column} FROM col").fetchone()[0] or "{}")
    if not isinstance(value, dict):
        raise AnkiReadError(f"{name}: damaged collection (col.{column} is not an object)")
    return value


def _types_11(db: sqlite3.Connection, name: str) -> dict[int, NoteType]:
    out: dict[int, NoteType] = {}
    for key, m in _col_json(db, "models", name).items():
        if not isinstance(m, dict):
            continue
        flds = sorted(m.get("flds") or [], key=lambda f: int(f.get("ord", 0)))
        out[int(key)] = NoteType(
            int(key),
            str(m.get("name", key)),
            m.get("type") == 1,
            tuple(str(f["name"]) for f in flds),
        )
    return out


def _decks_11(db: sqlite3.Connection, name: str) -> dict[int, str]:
    decks = _col_json(db, "decks", name)
    return {int(k): str(d.get("name", k)) for k, d in decks.items() if isinstance(d, dict)}
