"""Write pearls to an Anki package (.apkg): one note per pearl, one subdeck per pathway."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pearldeck import markup
from pearldeck.anki_fields import CONTROL, Exportable, anki_tags, note_content
from pearldeck.atomicfile import replacing
from pearldeck.gcpause import gc_paused
from pearldeck.model import PATHWAYS

if TYPE_CHECKING:
    import genanki


# Fixed forever: Anki recognises its notetypes by these ids on every re-import.
CLOZE_MODEL_ID = 1448148218
BASIC_MODEL_ID = 2051718686
# The notetypes' mtime. Bump it (to the time of the change) whenever the templates or CSS
# change, so that Anki's "update notetypes if newer" takes them. Changing the fields makes
# Anki keep the old notetype and add a copy, so add fields only with care.
MODELS_MTIME = 1_796_300_000
# The note mtime of a pearl with neither a change time nor an added date (2000-01-01): older
# than any real change time, which then always wins in Anki.
DEFAULT_MTIME = 946_684_800
GUID_NAMESPACE = "pearldeck"
# Level 1 already shrinks genanki's stored file ~5x; higher levels cost more than they save.
COMPRESSLEVEL = 1
PROGRESS_EVERY = 1000

# Extra (the pearl's notes) comes last: where Anki's "merge note types" puts a new field,
# so a profile holding notes of the older four- and five-field types can take it.
CLOZE_FIELDS = ("Text", "Source", "Added", "Pearl ID", "Extra")
BASIC_FIELDS = ("Front", "Back", "Source", "Added", "Pearl ID", "Extra")

_EXTRA = '{{#Extra}}<div class="pearl extra">{{Extra}}</div>{{/Extra}}'
_META = (
    '<div class="meta">{{#Source}}<span>{{Source}}</span>{{/Source}}'
    "{{#Added}}<span>added {{Added}}</span>{{/Added}}"
    '<span class="pid">{{Pearl ID}}</span></div>'
)
CLOZE_TEMPLATE = {
    "name": "Cloze",
    "qfmt": '<div class="pearl">{{cloze:Text}}</div>',
    "afmt": '<div class="pearl">{{cloze:Text}}</div>' + _EXTRA + _META,
}
BASIC_TEMPLATE = {
    "name": "Card 1",
    "qfmt": '<div class="pearl">{{Front}}</div>',
    "afmt": '{{FrontSide}}<hr id="answer"><div class="pearl">{{Back}}</div>' + _EXTRA + _META,
}
# Light mode keeps the app's own colours. Night mode: `.nightMode` is desktop and iOS,
# `.night_mode` AnkiDroid, which stops inverting colours itself once a card styles it.
CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial,
    sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
}
.pearl, .meta { max-width: 36em; margin: 0 auto; overflow-wrap: break-word; }
.cloze { font-weight: 600; color: #0b5cad; }
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  color: #e8e8e8;
  background-color: #2c2c2c;
}
.nightMode .cloze, .night_mode .cloze { color: #7ab8ff; }
hr#answer { border: 0; border-top: 1px solid currentColor; opacity: 0.25; margin: 1em auto; }
.extra { margin-top: 1em; font-size: 0.85em; opacity: 0.85; }
.meta { margin-top: 1.5em; font-size: 0.7em; opacity: 0.6; }
.meta span + span::before { content: " \\b7  "; }
.meta .pid { font-family: ui-monospace, Menlo, Consolas, monospace; }
@media (max-width: 480px) { .card { font-size: 18px; } }
"""


@dataclass(frozen=True)
class ExportResult:
    """What one export wrote."""

    path: Path
    """The .apkg file."""
    notes: int
    """One per pearl."""
    cards: int
    """One per Q/A pearl, one per cloze number of a cloze pearl."""
    decks: int
    """The parent deck plus one subdeck per pathway that has pearls."""
    size: int
    """Bytes of the written file."""
    media: int = 0
    """Media files (images) the package carries."""
    missing_media: tuple[str, ...] = ()
    """`media/...` images pearls name that were not found, so not carried."""


class ExportError(Exception):
    """The export could not be written; the message is meant for the user."""


@gc_paused()  # its rows die on return, before the collector may look at the heap again
def export_apkg(
    pearls: Sequence[Exportable],
    out: Path,
    *,
    deck_name: str = "Clinical Pearls",
    modified: Mapping[str, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
    media: Callable[[str], Path | None] | None = None,
    cache: Path | None = None,
) -> ExportResult:
    """Write `pearls` to the Anki package `out`, replacing it atomically.

    `media` finds the file a `media/...` image reference names; every image a pearl shows
    goes into the package under its (stable, content-addressed) name, so Anki keeps one copy
    however often it is imported.

    `modified` maps a pearl id to the unix time of its last content change. It becomes the
    note's mtime, which Anki's "update if newer" import compares, so importing a re-export
    updates exactly the notes changed since the last import and keeps all reviews. A pearl
    missing from it gets its added date (or a fixed time) and so is never updated.

    `cache` is a folder where what this module takes from genanki is kept between runs
    (`anki-skeleton.json`), so that a later export does not load genanki at all.
    """
    skeleton = _skeleton(cache)
    root = _deck_root(deck_name)
    _check_unique_ids(pearls)
    notes, cards, subdecks = _rows(pearls, root, modified or {}, progress)
    decks = {_deck_id(root): (root, _DECK_DESCRIPTION)}
    for pathway in sorted(subdecks, key=_pathway_key):
        decks[subdecks[pathway]] = (_subdeck(root, pathway), "")
    files, missing = _media_files(pearls, media)
    size = _write_atomically(out, _collection(notes, cards, decks, skeleton), files)
    if progress:
        progress(len(pearls), len(pearls))
    return ExportResult(
        path=out,
        notes=len(notes),
        cards=len(cards),
        decks=len(decks),
        size=size,
        media=len(files),
        missing_media=missing,
    )


def _media_files(
    pearls: Sequence[Exportable], find: Callable[[str], Path | None] | None
) -> tuple[list[tuple[str, Path]], tuple[str, ...]]:
    """Each image the pearls show as (its name in Anki's flat media folder, its file), and
    the references that name no file."""
    refs: dict[str, None] = {}
    for p in pearls:
        for field in (p.text, p.back or ""):
            if "![" in field:
                refs.update(dict.fromkeys(markup.image_refs(field)))
    files: list[tuple[str, Path]] = []
    missing: list[str] = []
    for ref in sorted(refs):
        path = find(ref) if find else None
        if path is not None and path.is_file():
            files.append((markup.media_name(ref), path))
        else:
            missing.append(ref)
    return files, tuple(missing)


def _rows(
    pearls: Sequence[Exportable],
    root: str,
    modified: Mapping[str, float],
    progress: Callable[[int, int], None] | None,
) -> tuple[list[tuple[object, ...]], list[tuple[int, ...]], dict[str, int]]:
    """The notes and cards table rows of the pearls, and each pathway's deck id."""
    subdecks: dict[str, int] = {}
    tag_lists: dict[tuple[str, tuple[str, ...]], str] = {}
    # Ids are milliseconds as in Anki, counting up from the day each pearl was added, so that
    # Anki's "Created" column shows that day; new cards are numbered in card id order.
    next_id: dict[int, int] = {}
    notes: list[tuple[object, ...]] = []
    cards: list[tuple[int, ...]] = []
    total = len(pearls)
    for done, pearl in enumerate(pearls, 1):
        added = _day_start(pearl.added)
        mtime = int(modified.get(pearl.id, 0)) or added or DEFAULT_MTIME
        day = (added or mtime) // 86_400
        note_id = next_id.get(day, day * 86_400_000)
        cloze, fields, ords = note_content(pearl)
        model_id = CLOZE_MODEL_ID if cloze else BASIC_MODEL_ID
        next_id[day] = note_id + 1 + len(ords)
        # Many pearls share their tags: a dict, unlike a bounded cache, never thrashes.
        key = (pearl.pathway, pearl.tags)
        tags = tag_lists.get(key) or tag_lists.setdefault(key, anki_tags(*key))
        notes.append((note_id, _note_guid(pearl), model_id, mtime, tags, fields))
        deck_id = subdecks.get(pearl.pathway) or subdecks.setdefault(
            pearl.pathway, _deck_id(_subdeck(root, pearl.pathway))
        )
        due = len(cards)
        if len(ords) == 1:  # most pearls: skip building a list
            cards.append((note_id + 1, note_id, deck_id, ords[0], mtime, due + 1))
        else:
            cards += [
                (note_id + i, note_id, deck_id, o, mtime, due + i) for i, o in enumerate(ords, 1)
            ]
        if progress and done % PROGRESS_EVERY == 0 and done < total:
            progress(done, total)
    return notes, cards, subdecks


def _check_unique_ids(pearls: Sequence[Exportable]) -> None:
    seen: set[str] = set()
    for pearl in pearls:
        if pearl.id in seen:
            # Two notes with one GUID would make Anki's import skip or merge one of them.
            raise ExportError(f"pearl id {pearl.id} is used twice; every pearl needs its own id")
        seen.add(pearl.id)


_DECK_DESCRIPTION = (
    "Exported by pearldeck. Edit pearls there: importing a newer export updates the changed "
    "notes here and keeps your reviews."
)


def _deck_root(deck_name: str) -> str:
    parts = [CONTROL.sub("", p).strip() for p in deck_name.split("::")]
    root = "::".join(p for p in parts if p)
    if not root:
        raise ExportError(f"the deck name {deck_name!r} is empty; give one such as 'Pearls'")
    return root


def _subdeck(root: str, pathway: str) -> str:
    return f"{root}::{CONTROL.sub('', pathway).capitalize()}"


def _pathway_key(pathway: str) -> tuple[int, str]:
    return (PATHWAYS.index(pathway) if pathway in PATHWAYS else len(PATHWAYS), pathway)


def _deck_id(name: str) -> int:
    """Stable per name; in [2**30, 2**31), so never 1, Anki's Default deck."""
    return (1 << 30) + int.from_bytes(sha256(name.encode()).digest()[:8]) % (1 << 30)


_EPOCH_DAY = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=4096)
def _day_start(added: str | None) -> int:
    """Unix time of the added date's midnight UTC, or 0 when there is none."""
    try:
        return (date.fromisoformat((added or "")[:10]).toordinal() - _EPOCH_DAY) * 86_400
    except ValueError:
        return 0


# Base 91 two digits at a time; a leading zero digit ("a") is then dropped. Filled from
# genanki's table by _skeleton, on the first guid or export.
_BASE91_PAIRS: list[str] = []
_GUID_PREFIX = f"{GUID_NAMESPACE}__".encode()


def _note_guid(pearl: Exportable) -> str:
    """The GUID of the Anki note a pearl came from (`origin: anki:<guid>`), so that Anki
    updates that note; else the pearl's own."""
    origin = getattr(pearl, "origin", None)
    if isinstance(origin, str) and origin.startswith("anki:") and len(origin) > 5:
        return origin[5:]
    return _guid(pearl.id)


def guid_for(pearl_id: str) -> str:
    """The GUID of a pearl's note in Anki (what `pearls import` matches it by)."""
    return _guid(pearl_id)


def _guid(pearl_id: str) -> str:
    """genanki.guid_for(GUID_NAMESPACE, pearl_id), in under half the time."""
    n = int.from_bytes(sha256(_GUID_PREFIX + pearl_id.encode()).digest()[:8])
    # n < 2**64 < 8281**5: five pairs, unrolled; leading zero pairs go with the "a"s.
    n, e = divmod(n, 8281)
    n, d = divmod(n, 8281)
    n, c = divmod(n, 8281)
    a, b = divmod(n, 8281)
    if not _BASE91_PAIRS:
        _skeleton(None)
    pairs = _BASE91_PAIRS
    return (pairs[a] + pairs[b] + pairs[c] + pairs[d] + pairs[e]).lstrip("a")


@dataclass(frozen=True)
class _Skeleton:
    """What the export takes from genanki, all of it data, so it can be kept on disk."""

    tables: str
    """genanki's schema without its indexes: Anki's importer reads the package by full
    scans and primary keys, and the indexes would add a quarter to the time and size."""
    col: str
    """genanki's `col` row."""
    base91: list[str]
    models: list[dict[str, Any]]
    """Both notetypes' JSON, with no deck id ("did") yet."""
    deck: dict[str, Any]
    """A deck's JSON, with no id, name or description yet."""


_SKELETON_FILE = "anki-skeleton.json"


def _skeleton_from_genanki() -> _Skeleton:
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    return _Skeleton(
        tables=APKG_SCHEMA.split("CREATE INDEX", 1)[0],
        col=APKG_COL,
        base91=genanki.util.BASE91_TABLE,
        models=[m.to_json(MODELS_MTIME, None) for m in _models()],
        deck=genanki.Deck(0, "", "").to_json(),
    )


def _skeleton_key() -> list[object]:
    """genanki's files and this one (the notetypes are defined here), by size and time."""
    import importlib.util

    spec = importlib.util.find_spec("genanki")
    places = list(spec.submodule_search_locations or []) if spec else []
    files = sorted(f for place in places for f in Path(place).glob("*.py"))
    return [[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in [*files, Path(__file__)]]


def _well_formed(s: _Skeleton) -> bool:
    """Of the types genanki gives, as a file edited by hand might not be."""
    if not (isinstance(s.base91, list) and len(s.base91) == 91):
        return False
    texts = all(isinstance(v, str) for v in (s.tables, s.col, *s.base91))
    models = isinstance(s.models, list) and all(isinstance(m, dict) for m in s.models)
    return texts and models and isinstance(s.deck, dict)


def _skeleton(cache: Path | None) -> _Skeleton:
    """genanki's data as kept in `cache`, if it was kept from these very files; else
    genanki's own, then kept there. A torn or stale file only costs loading genanki."""
    path = cache / _SKELETON_FILE if cache is not None else None
    key = _skeleton_key() if path is not None else None
    found: _Skeleton | None = None
    if path is not None:
        try:
            kept = json.loads(path.read_bytes())
            if kept["key"] == key:
                found = _Skeleton(**kept["skeleton"])
                if not _well_formed(found):
                    found = None
        except (OSError, ValueError, KeyError, TypeError):
            found = None
    if found is None:
        found = _skeleton_from_genanki()
        if path is not None:
            from dataclasses import asdict

            from pearldeck.atomicfile import replace_cache

            data = {"key": key, "skeleton": asdict(found)}
            replace_cache(path, json.dumps(data).encode())
    if not _BASE91_PAIRS:
        _BASE91_PAIRS.extend(a + b for a in found.base91 for b in found.base91)
    return found


# sfld and csum stay empty: Anki recomputes both on import, and sfld would add a fifth.
_NOTE_ROW = "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, '', 0, 0, '')"
_CARD_ROW = "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')"


def _collection(
    notes: list[tuple[object, ...]],
    cards: list[tuple[int, ...]],
    decks: Mapping[int, tuple[str, str]],
    skeleton: _Skeleton,
) -> bytes:
    """The collection.anki2 that genanki would write, with our ids and mtimes."""
    root_id = next(iter(decks))
    models = {m["id"]: m | {"did": root_id} for m in skeleton.models}
    # In memory: no temp file and no journal, for a database that is read once.
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(skeleton.tables)
        db.executescript(skeleton.col)
        (genanki_decks,) = db.execute("SELECT decks FROM col").fetchone()
        deck_json = json.loads(genanki_decks) | {
            str(did): skeleton.deck | {"id": did, "name": name, "desc": description}
            for did, (name, description) in decks.items()
        }
        db.execute(
            "UPDATE col SET models = ?, decks = ?", (json.dumps(models), json.dumps(deck_json))
        )
        db.executemany(_NOTE_ROW, notes)
        db.executemany(_CARD_ROW, cards)
        db.commit()
        return db.serialize()
    finally:
        db.close()


def _models() -> tuple[genanki.Model, genanki.Model]:
    import genanki

    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "pearldeck cloze",
        fields=[{"name": f} for f in CLOZE_FIELDS],
        templates=[dict(CLOZE_TEMPLATE)],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )
    basic = genanki.Model(
        BASIC_MODEL_ID,
        "pearldeck Q/A",
        fields=[{"name": f} for f in BASIC_FIELDS],
        templates=[dict(BASIC_TEMPLATE)],
        css=CSS,
    )
    return cloze, basic


def _write_atomically(out: Path, collection: bytes, media: Sequence[tuple[str, Path]] = ()) -> int:
    """Zip the collection (and the media files, under their Anki names) into a temp file
    beside `out`, then rename it over `out`."""
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name such as {out / 'pearls.apkg'}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:
        raise ExportError(f"cannot write {out}: {e.filename} is a file, not a folder") from None
    except OSError as e:
        raise ExportError(f"cannot write {out}: {e.strerror or e}") from None
    try:
        with replacing(out, ".part") as f:
            with zipfile.ZipFile(f, "w") as z:
                names = json.dumps({str(i): name for i, (name, _) in enumerate(media)})
                for entry, data in (("collection.anki2", collection), ("media", names.encode())):
                    z.writestr(_zip_entry(entry), data, zipfile.ZIP_DEFLATED, COMPRESSLEVEL)
                for i, (name, path) in enumerate(media):
                    # Anki's package keeps media as numbered entries; images are compressed
                    kind = zipfile.ZIP_DEFLATED if name.endswith(".svg") else zipfile.ZIP_STORED
                    z.writestr(_zip_entry(str(i)), path.read_bytes(), kind, COMPRESSLEVEL)
            size = f.tell()
    except OSError as e:
        raise ExportError(f"cannot write {out}: {e.strerror or e}") from None
    return size


def _zip_entry(name: str) -> zipfile.ZipInfo:
    # A fixed date keeps the export of the same pearls byte-identical.
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.external_attr = 0o644 << 16
    return entry
