"""The pearl-file tables of the index: files, pearls, tags and cards (a part of `Index`)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pearldeck.model import Pearl, Problem
from pearldeck.store.events import (
    in_chunks,
)
from pearldeck.store.queue import card_filter


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What the index remembers of one pearl file, to tell whether it changed."""

    path: str
    size: int
    mtime_ns: int
    digest: str
    pathway: str
    problems: tuple[Problem, ...]
    checked_ns: int = 0
    """When the content was last read. A file modified less than RACY_NS before that may
    change again without its size or mtime changing (as git's "racy" entries)."""


RACY_NS = 2_000_000_000


class ExportRow(NamedTuple):
    """A pearl as the Anki export needs it (see `anki_export.Exportable`)."""

    id: str
    pathway: str
    text: str
    back: str | None
    tags: tuple[str, ...]
    source: str | None
    added: str | None
    notes: str | None = None
    origin: str | None = None
    context: str | None = None


class PearlRow(NamedTuple):
    """One pearl as the index stores it: built straight from parsed values."""

    id: str
    file: str
    line: int
    pos: int
    pathway: str
    added: str
    data: str
    """JSON [text, back, tags, source, added, block, origin, context]."""
    content: str
    changed_at: float
    chunk: str | None
    """Digest of the pearl's bytes in its file (store.chunks), if the file is plain."""
    tags: tuple[str, ...]
    card_ids: list[str]


class PearlTables:
    """Pearl files as rows: what each file holds, each pearl, its tags and cards."""

    db: sqlite3.Connection

    def files(self) -> dict[str, FileRecord]:
        out = {}
        rows = self.db.execute("SELECT * FROM files")
        for path, size, mtime, digest, pathway, problems, checked in rows:
            probs = tuple(Problem(p, ln, m, k) for p, ln, m, k in json.loads(problems))
            out[path] = FileRecord(path, size, mtime, digest, pathway, probs, checked)
        return out

    def old_content(self, db: sqlite3.Connection, path: str) -> dict[str, tuple[str, float]]:
        rows = db.execute("SELECT id, content, changed_at FROM pearls WHERE file=?", (path,))
        return {pid: (content, changed) for pid, content, changed in rows}

    def replace_file(
        self,
        db: sqlite3.Connection,
        record: FileRecord,
        pearls: Sequence[PearlRow],
    ) -> None:
        """Swap one file's pearls and cards."""
        old = self.drop_file(db, record.path, resync=False)
        self._put_file_row(db, record)
        self._put_pearls(db, pearls)
        self._resync_shared(db, record.path, [*old, *(p.id for p in pearls)])

    def _resync_shared(self, db: sqlite3.Connection, path: str, ids: Sequence[str]) -> None:
        """Rebuild the cards and tags of those `ids` that another file (or this one
        twice) also holds, from one copy: the first by (file, position).

        A duplicated id is a problem `check` reports, but until it is fixed the index
        must answer as a rebuild would, whatever order the files were read or edited in.
        """
        from pearldeck.model import card_ids_for

        shared: list[str] = []
        for chunk in in_chunks(list(dict.fromkeys(ids)), 500):
            marks = ",".join("?" * len(chunk))
            shared += [
                str(r[0])
                for r in db.execute(
                    f"SELECT id FROM pearls WHERE id IN ({marks}) GROUP BY id "
                    "HAVING count(*) > 1 OR sum(file != ?) > 0",
                    [*chunk, path],
                )
            ]
        for chunk in in_chunks(shared, 500):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM tags WHERE pearl_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM cards WHERE pearl_id IN ({marks})", chunk)
            rows = db.execute(
                f"SELECT id, file, pos, pathway, added, data FROM pearls WHERE id IN ({marks})"
                " ORDER BY id, file, pos",
                chunk,
            ).fetchall()
            first: list[PearlRow] = []
            for pid, file, pos, pathway, added, data in rows:
                if first and first[-1].id == pid:
                    continue
                text, back, tags = json.loads(data)[:3]
                first.append(
                    PearlRow(pid, file, 0, pos, pathway, added, data, "", 0.0, None,
                             tuple(tags), card_ids_for(pid, text, back))
                )  # fmt: skip
            self._put_pearl_links(db, first)

    def _put_file_row(self, db: sqlite3.Connection, record: FileRecord) -> None:
        problems = json.dumps([[p.path, p.line, p.message, p.kind] for p in record.problems])
        db.execute(
            "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?)",
            (
                record.path,
                record.size,
                record.mtime_ns,
                record.digest,
                record.pathway,
                problems,
                record.checked_ns or time.time_ns(),
            ),
        )

    def _put_pearls(self, db: sqlite3.Connection, pearls: Sequence[PearlRow]) -> None:
        db.executemany("INSERT INTO pearls VALUES(?,?,?,?,?,?,?,?,?,?)", [p[:10] for p in pearls])
        self._put_pearl_links(db, pearls)

    def _put_pearl_links(self, db: sqlite3.Connection, pearls: Sequence[PearlRow]) -> None:
        """The tags and cards rows of these pearls."""
        db.executemany("INSERT INTO tags VALUES(?,?)", [(p.id, t) for p in pearls for t in p.tags])
        db.executemany(
            "INSERT OR IGNORE INTO cards VALUES(?,?,?,?,?,?)",
            [
                (cid, p.id, p.pathway, _new_order(p, n), _newest(p, n), _random_order(cid))
                for p in pearls
                for n, cid in enumerate(p.card_ids)
            ],
        )

    def update_file(
        self, db: sqlite3.Connection, record: FileRecord, pearls: Sequence[PearlRow]
    ) -> None:
        """Like replace_file, but touch only the pearls that changed (an edit, not a rebuild)."""
        old = {
            pid: (line, pos, chunk, pathway, data)
            for pid, line, pos, chunk, pathway, data in db.execute(
                "SELECT id, line, pos, chunk, pathway, data FROM pearls WHERE file=?",
                (record.path,),
            )
        }
        new_ids = [p.id for p in pearls]
        n_old = db.execute("SELECT count(*) FROM pearls WHERE file=?", (record.path,)).fetchone()
        elsewhere = {
            str(r[0]) for r in db.execute("SELECT id FROM pearls WHERE file != ?", (record.path,))
        }
        if (
            len(set(new_ids)) != len(new_ids)
            or n_old[0] != len(old)
            or not elsewhere.isdisjoint(new_ids)
        ):
            self.replace_file(db, record, pearls)  # an id used twice: rebuild the file
            return
        self._put_file_row(db, record)
        keep = set(new_ids)
        gone = [pid for pid in old if pid not in keep]
        changed = [p for p in pearls if p.id not in old or old[p.id][3:] != (p.pathway, p.data)]
        moved = [
            p for p in pearls
            if p.id in old and old[p.id][3:] == (p.pathway, p.data)
            and old[p.id][:3] != (p.line, p.pos, p.chunk)
        ]  # fmt: skip
        self._drop_pearls(db, record.path, gone + [p.id for p in changed if p.id in old])
        self._put_pearls(db, changed)
        db.executemany(
            "UPDATE pearls SET line=?, pos=?, chunk=? WHERE file=? AND id=?",
            [(p.line, p.pos, p.chunk, p.file, p.id) for p in moved],
        )
        self._resync_shared(db, record.path, gone)
        db.executemany(
            "UPDATE cards SET new_order=?, new_newest=? WHERE card_id=?",
            [
                (_new_order(p, n), _newest(p, n), cid)
                for p in moved
                for n, cid in enumerate(p.card_ids)
            ],
        )

    def chunk_of(self, pearl_id: str) -> tuple[str, int, str] | None:
        """(file, line, chunk digest) of the one pearl with this id, when it has a chunk."""
        rows = self.db.execute(
            "SELECT file, line, chunk FROM pearls WHERE id=? LIMIT 2", (pearl_id,)
        ).fetchall()
        if len(rows) != 1 or not rows[0][2]:
            return None
        file, line, chunk = rows[0]
        return str(file), int(line), str(chunk)

    def pearl_chunks(
        self, db: sqlite3.Connection, path: str
    ) -> dict[str, list[tuple[str, int, int, str, float]]]:
        """A file's pearls by chunk digest: (id, line, pos, content, changed_at)."""
        out: dict[str, list[tuple[str, int, int, str, float]]] = {}
        rows = db.execute(
            "SELECT chunk, id, line, pos, content, changed_at FROM pearls WHERE file=?", (path,)
        )
        for chunk, *row in rows:
            out.setdefault(chunk or "", []).append(tuple(row))
        return out

    def patch_file(
        self,
        db: sqlite3.Connection,
        record: FileRecord,
        changed: Sequence[PearlRow],
        gone: Sequence[str],
        moved: Sequence[tuple[str, int, int]],
    ) -> bool:
        """Apply an edit that touched only `changed` and `gone`; `moved` just shifted.

        False (and nothing written) if a touched id is also in another file: the
        duplicate is reported, and the file is indexed whole.
        """
        touched = [*gone, *(p.id for p in changed)]
        for chunk in in_chunks(touched, 500):
            marks = ",".join("?" * len(chunk))
            if db.execute(
                f"SELECT 1 FROM pearls WHERE file != ? AND id IN ({marks}) LIMIT 1",
                [record.path, *chunk],
            ).fetchone():
                return False
        self._put_file_row(db, record)
        self._drop_pearls(db, record.path, touched)
        self._put_pearls(db, changed)
        db.executemany(
            "UPDATE pearls SET line=?, pos=? WHERE file=? AND id=?",
            [(line, pos, record.path, pid) for pid, line, pos in moved],
        )
        new_pos = {pid: pos for pid, _, pos in moved}
        orders = []
        for chunk in in_chunks(list(new_pos), 500):
            marks = ",".join("?" * len(chunk))
            orders += db.execute(
                "SELECT card_id, pearl_id, new_order, new_newest FROM cards"
                f" WHERE pearl_id IN ({marks})",
                chunk,
            ).fetchall()
        db.executemany(
            "UPDATE cards SET new_order=?, new_newest=? WHERE card_id=?",
            [
                (_moved_order(order, new_pos[pid]), _moved_order(newest, new_pos[pid]), cid)
                for cid, pid, order, newest in orders
            ],
        )
        self._resync_shared(db, record.path, list(new_pos))  # a moved copy of a duplicate
        return True

    def _drop_pearls(self, db: sqlite3.Connection, path: str, ids: list[str]) -> None:
        for chunk in in_chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM pearls WHERE file=? AND id IN ({marks})", [path, *chunk])
            db.execute(f"DELETE FROM tags WHERE pearl_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM cards WHERE pearl_id IN ({marks})", chunk)

    def touch_file(self, db: sqlite3.Connection, path: str, size: int, mtime_ns: int) -> None:
        db.execute(
            "UPDATE files SET size=?, mtime_ns=?, checked_ns=? WHERE path=?",
            (size, mtime_ns, time.time_ns(), path),
        )

    def drop_file(self, db: sqlite3.Connection, path: str, *, resync: bool = True) -> list[str]:
        """Forget a file's pearls; returns their ids."""
        ids = [r[0] for r in db.execute("SELECT id FROM pearls WHERE file=?", (path,))]
        db.execute("DELETE FROM files WHERE path=?", (path,))
        db.execute("DELETE FROM pearls WHERE file=?", (path,))
        for chunk in in_chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            # a duplicated id may live on in another file: keep its rows there
            db.execute(
                f"DELETE FROM tags WHERE pearl_id IN ({marks}) "
                f"AND pearl_id NOT IN (SELECT id FROM pearls)",
                chunk,
            )
            db.execute(
                f"DELETE FROM cards WHERE pearl_id IN ({marks}) "
                f"AND pearl_id NOT IN (SELECT id FROM pearls)",
                chunk,
            )
        if resync:  # an id that lives on in another file: its cards follow that copy now
            self._resync_shared(db, path, ids)
        return ids

    def duplicate_ids(self) -> list[tuple[str, list[tuple[str, int]]]]:
        rows = self.db.execute(
            "SELECT id, file, line FROM pearls WHERE id IN "
            "(SELECT id FROM pearls GROUP BY id HAVING count(*) > 1) ORDER BY id, file, line"
        )
        out: dict[str, list[tuple[str, int]]] = {}
        for pid, file, line in rows:
            out.setdefault(pid, []).append((file, line))
        return list(out.items())

    def pearls(
        self,
        pathway: str | None = None,
        tag: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[Pearl]:
        sql = "SELECT id, file, line, pos, pathway, data FROM pearls WHERE 1=1"
        args: list[object] = []
        if pathway:
            sql += " AND pathway=?"
            args.append(pathway)
        if tag:
            sql += " AND id IN (SELECT pearl_id FROM tags WHERE tag=?)"
            args.append(tag)
        if ids is not None:
            id_list = list(ids)
            out: list[Pearl] = []
            for chunk in in_chunks(id_list, 500):
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(sql + f" AND id IN ({marks})", [*args, *chunk])
                out.extend(_pearl(r) for r in rows)
            return out
        sql += " ORDER BY file, pos"
        return [_pearl(r) for r in self.db.execute(sql, args)]

    def pearl_ids(self) -> set[str]:
        return {str(r[0]) for r in self.db.execute("SELECT id FROM pearls")}

    def card_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM cards").fetchone()[0])

    def tag_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT tag, count(DISTINCT pearl_id) FROM tags GROUP BY tag")
        return {str(t): int(n) for t, n in rows}

    def export_rows(self) -> tuple[list[ExportRow], dict[str, float]]:
        """Every pearl as the Anki export reads it, in file order, and when each changed.

        Lighter than `pearls()`: 50k frozen Pearls cost an export a tenth of its time."""
        rows = self.db.execute(
            "SELECT id, pathway, data, changed_at FROM pearls ORDER BY file, pos"
        ).fetchall()
        # one JSON array for all rows: a parse per row costs twice as much
        datas = json.loads("[" + ",".join(r[2] for r in rows) + "]")
        out = [
            ExportRow(
                r[0],
                r[1],
                d[0],
                d[1],
                tuple(d[2]),
                d[3],
                d[4],
                d[7] if len(d) > 7 else None,
                d[6],
                d[8] if len(d) > 8 else None,
            )
            for r, d in zip(rows, datas, strict=True)
        ]
        return out, {r[0]: r[3] for r in rows}

    def card_ids(self, pathway: str | None = None, tag: str | None = None) -> list[str]:
        sql, args = card_filter(pathway, tag)
        return [r[0] for r in self.db.execute(f"SELECT card_id FROM cards c WHERE {sql}", args)]


def _new_order(p: PearlRow, n: int) -> str:
    """New cards come in the order added, then as they stand in the files."""
    return f"{p.added or '0000-00-00'}|{p.file}|{p.pos:09d}|{n:03d}"


def _newest(p: PearlRow, n: int) -> str:
    """Newest first: the date added with every digit inverted (so it sorts backwards),
    then as they stand in the files; a pearl with no date comes last."""
    added = (p.added or "0000-00-00").translate(_INVERT)
    return f"{added}|{p.file}|{p.pos:09d}|{n:03d}"


_INVERT = str.maketrans("0123456789", "9876543210")


def _random_order(card_id: str) -> str:
    """A random order that every machine agrees on: a hash of the card id."""
    return hashlib.blake2b(card_id.encode(), digest_size=8).hexdigest()


def _moved_order(order: str, pos: int) -> str:
    """`_new_order` of a card whose pearl now stands at `pos` in the same file."""
    head, _, n = order.rsplit("|", 2)
    return f"{head}|{pos:09d}|{n}"


def _pearl(row: tuple[object, ...]) -> Pearl:
    pid, file, line, pos, pathway, data = row
    text, back, tags, source, added, block, origin, *more = json.loads(str(data))
    return Pearl(
        id=str(pid),
        pathway=str(pathway),
        text=text,
        back=back,
        tags=tuple(tags),
        source=source,
        added=added,
        block=block,
        origin=origin,
        notes=more[0] if more else None,
        context=more[1] if len(more) > 1 else None,
        file=str(file),
        line=int(line),  # type: ignore[call-overload]
        order=int(pos),  # type: ignore[call-overload]
    )
