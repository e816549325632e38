"""Whether an Anki deck on disk is already what an export would write, as `make` asks.

After each export, `.cache/exports.json` keeps, per output file, a digest of everything the
package is made from (the pearl files, the deleted pearls git exports, the options, the
media folder, the exporter's code) and the file's size, time and inode as written. An
export whose inputs digest the same, to a file still as it was written, has nothing to do,
and it is known before a single pearl is read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from pearldeck.atomicfile import replace_cache

STAMPS = "exports.json"
_CODE = Path(__file__).resolve().parent.parent
_CODE_FILES = (
    "anki_export.py",
    "anki_fields.py",
    "markup.py",
    "markup_syntax.py",
    "export_times.py",
    "indexing.py",
    "store/pearl_tables.py",
)


def inputs_digest(
    files: Sequence[tuple[str, str]],
    gone: Sequence[object],
    deck: str,
    pathways: Sequence[str],
    tags: Sequence[str],
    media: Path,
) -> str:
    """A digest of what the package is made from: the pearl files' contents (`files`: path
    and digest, as the index read them), the deleted pearls git still exports (`gone`), the
    options, the media folder and the exporter's code. The notes' times are left out: with
    the same contents they can only differ by a commit, and the deck says the same."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((list(files), list(gone), deck, list(pathways), list(tags))).encode())
    for name in _CODE_FILES:
        h.update(repr(_stat(_CODE / name)).encode())
    try:
        listing = sorted((e.name, _stat(Path(e.path))) for e in os.scandir(media))
    except OSError:
        listing = []
    h.update(repr(listing).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def up_to_date(cache: Path, out: Path, digest: str) -> str | None:
    """The summary of the export that wrote `out` from these inputs, if `out` is unchanged
    since; else None."""
    stamp = _read(cache).get(str(out.resolve()))
    if not isinstance(stamp, dict) or stamp.get("digest") != digest:
        return None
    if stamp.get("file") != list(_stat(out)):
        return None
    summary = stamp.get("summary")
    return summary if isinstance(summary, str) else None


def record(cache: Path, out: Path, digest: str, summary: str) -> None:
    """Remember an export just written; a failure only costs a rewrite next time."""
    stamps = _read(cache)
    stamps[str(out.resolve())] = {"digest": digest, "file": list(_stat(out)), "summary": summary}
    replace_cache(cache / STAMPS, json.dumps(stamps).encode("utf-8", "surrogatepass"))


def _stat(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _read(cache: Path) -> dict[str, object]:
    try:
        data = json.loads((cache / STAMPS).read_text(encoding="utf-8", errors="surrogatepass"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
