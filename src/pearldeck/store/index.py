"""The SQLite index in `.cache/`: parsed pearls, folded card states, log offsets.

Everything here is derived from the text files and can be deleted at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pearldeck.model import Event, Pearl, Problem
from pearldeck.status import StatusRow as StatusRow  # re-exported for old callers
from pearldeck.store import queue
from pearldeck.store.events import (
    DEVICE_INDEX,
    EVENT_COLS,
    EVENT_INDEXES,
    EventTables,
    event_from_row,
    in_chunks,
)
from pearldeck.store.queue import NOT_SIBLING, SCHEMA_VERSION, card_filter

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    path TEXT PRIMARY KEY, size INT, mtime_ns INT, digest TEXT, pathway TEXT, problems TEXT,
    checked_ns INT);
CREATE TABLE pearls(
    id TEXT, file TEXT, line INT, pos INT, pathway TEXT, added TEXT, data TEXT,
    content TEXT, changed_at REAL, chunk TEXT);
CREATE INDEX pearls_id ON pearls(id);
-- (file, pos): the file order every listing and export reads in, with no sort
CREATE INDEX pearls_file ON pearls(file, pos);
CREATE TABLE tags(pearl_id TEXT, tag TEXT);
CREATE INDEX tags_tag ON tags(tag);
CREATE INDEX tags_pearl ON tags(pearl_id);
-- new_order, new_newest, new_random: the new-card orders (queue.NEW_ORDERS)
CREATE TABLE cards(card_id TEXT PRIMARY KEY, pearl_id TEXT, pathway TEXT, new_order TEXT,
    new_newest TEXT, new_random TEXT) WITHOUT ROWID;
CREATE INDEX cards_pearl ON cards(pearl_id);
CREATE TABLE logs(path TEXT PRIMARY KEY, offset INT, lines INT, head BLOB);
-- kept in each card's replay order, so a card's history is one contiguous read
CREATE TABLE events(
    id TEXT, card TEXT, time TEXT, kind TEXT, device TEXT, rating INT,
    duration REAL, target TEXT, prev TEXT, state TEXT, after INT, seq INT, ref INT,
    undone INT DEFAULT 0, PRIMARY KEY(card, time, id)
) WITHOUT ROWID;
CREATE TABLE status(
    card_id TEXT PRIMARY KEY, state INT, due REAL, stability REAL, difficulty REAL,
    last_review REAL, reps INT, lapses INT, last_event TEXT, suspended INT, leech INT,
    buried_day TEXT, first_review REAL, memory TEXT, pathway TEXT) WITHOUT ROWID;
-- covers the queue counts, with the card's pathway (kept by _TRIGGERS, NULL for a card
-- whose pearl is gone), so `pearls due` reads one index and joins nothing
CREATE INDEX status_due ON status(state, due, suspended, buried_day, pathway);
CREATE INDEX status_first ON status(first_review);
CREATE INDEX status_last ON status(last_review);
CREATE INDEX cards_new ON cards(new_order);
CREATE INDEX cards_newest ON cards(new_newest);
CREATE INDEX cards_random ON cards(new_random);
"""


_TRIGGERS = (
    """CREATE TRIGGER cards_in AFTER INSERT ON cards BEGIN
        UPDATE status SET pathway = NEW.pathway WHERE card_id = NEW.card_id; END""",
    """CREATE TRIGGER cards_moved AFTER UPDATE OF pathway ON cards BEGIN
        UPDATE status SET pathway = NEW.pathway WHERE card_id = NEW.card_id; END""",
    """CREATE TRIGGER cards_out AFTER DELETE ON cards BEGIN
        UPDATE status SET pathway = NULL WHERE card_id = OLD.card_id; END""",
)


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


WAL_LIMIT = 4 * 2**20
"""Bytes of write-ahead log kept after a checkpoint (SQLite's journal_size_limit)."""


class IndexUnwritable(Exception):
    """The index file cannot take a write now; the text files are untouched."""


class Index(EventTables):
    """One connection to `.cache/index.sqlite3`; rebuilt from scratch if unreadable."""

    full = False
    """A write or checkpoint found the disk full."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started_again = False
        """The file was damaged or foreign, so it was deleted and made anew (empty)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._connect(path)
        except (OSError, sqlite3.OperationalError):
            # A read-only folder, a full disk, a file that cannot be opened: the index
            # is only a cache, so this run builds it in memory from the text.
            self.db = self._connect(":memory:")

    def _connect(self, target: Path | str) -> sqlite3.Connection:
        for attempt in range(2):
            db = sqlite3.connect(target, timeout=60, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                # a big rebuild leaves a big write-ahead log: cut it back once checkpointed
                db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
                row = None
                with contextlib.suppress(sqlite3.OperationalError):
                    row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None or row[0] != SCHEMA_VERSION:
                    self._create(db)
                return db
            except sqlite3.DatabaseError as e:
                db.close()
                if attempt or not _corrupt(e):
                    raise  # locked, read-only, full: not a reason to delete it
                # a corrupt cache is only a cache: start it again
                self.started_again = True
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        Path(str(self.path) + suffix).unlink()
        raise AssertionError("unreachable")  # pragma: no cover

    def _create(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = None
            with contextlib.suppress(sqlite3.OperationalError):
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] == SCHEMA_VERSION:  # another process won the race
                db.execute("COMMIT")
                return
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for t in tables:
                db.execute(f'DROP TABLE IF EXISTS "{t}"')
            for stmt in [*_SCHEMA.strip().split(";"), *_TRIGGERS, *EVENT_INDEXES]:
                if stmt.strip():
                    db.execute(stmt)
            db.execute("INSERT INTO meta VALUES('schema', ?)", (SCHEMA_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        try:  # what closing does anyway, but here a full disk is seen, not ignored
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.OperationalError as e:
            self.full = self.full or e.sqlite_errorcode & 0xFF == sqlite3.SQLITE_FULL
        except sqlite3.Error:
            pass
        self.db.close()
        if self.full:
            self._drop_if_stuck()

    def _drop_if_stuck(self) -> None:
        """After a full disk: a write-ahead log that closing could not fold back in holds
        space the user's files need, and a cache can be built again: delete it."""
        wal = Path(f"{self.path}-wal")
        with contextlib.suppress(OSError):
            if wal.stat().st_size:
                for suffix in ("-wal", "-shm", ""):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def discard(self) -> None:
        """Close and delete the index file: it is damaged, and only a cache of the text."""
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()

    @classmethod
    def in_memory(cls, path: Path) -> Index:
        """An empty index for this session only, for when `path` cannot be written."""
        index = cls.__new__(cls)
        index.path = path
        index.started_again = False
        index.db = index._connect(":memory:")
        return index

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so concurrent writers queue, not fail.

        Raises IndexUnwritable when the file cannot take the write (a full disk, a
        read-only folder, a lock held too long); nothing of the transaction is kept.
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as e:
            if self.db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError) and _unwritable(e):
                if e.sqlite_errorcode & 0xFF == sqlite3.SQLITE_FULL:
                    self.full = True
                    self.release_space()
                raise IndexUnwritable(f"{self.path}: cannot update the index: {e}") from e
            raise

    def release_space(self) -> None:
        """Give a full disk back the write-ahead log's space: the failed transaction's
        pages are in it, and the log keeps its size until truncated. Else the cache
        would hold the space that the user's pearls and reviews need."""
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # meta -------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, value))

    # pearl files ------------------------------------------------------

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

    def last_own_review(self, device: str) -> Event | None:
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='events_device'").fetchone():
            with contextlib.suppress(IndexUnwritable), self.write() as db:
                db.execute(DEVICE_INDEX)  # else the query below scans: slower, still right
        row = self.db.execute(
            f"SELECT {EVENT_COLS} FROM events WHERE device=? AND undone = 0 AND kind IN "
            "('review','suspend','unsuspend','bury')"
            # an imported review (from Anki) has no stored state: not this device's to undo
            " AND (kind != 'review' OR after IS NOT NULL) ORDER BY seq DESC LIMIT 1",
            (device,),
        ).fetchone()
        return None if row is None else event_from_row(row)

    def schedule_groups(self, day_start: float) -> tuple[list[tuple[int, int, int]], int]:
        """For the exam countdown: studied live cards not suspended, counted by (whole
        days from `day_start` to due, at least 0; current interval in days, at least 1),
        and the number of live cards never studied. Summed here, not row by row in Python."""
        groups = self.db.execute(
            "SELECT max(0, CAST((due - ?) / 86400 AS INT)),"
            " max(1, CAST(round((due - coalesce(last_review, due - 86400)) / 86400) AS INT)),"
            " count(*) FROM status WHERE state != 0 AND due IS NOT NULL AND suspended = 0"
            " AND pathway IS NOT NULL GROUP BY 1, 2",
            (day_start,),
        ).fetchall()
        (new,) = self.db.execute(
            "SELECT count(*) FROM cards c LEFT JOIN status s ON s.card_id = c.card_id"
            " WHERE s.card_id IS NULL OR (coalesce(s.suspended, 0) = 0"
            " AND (s.state = 0 OR s.due IS NULL))"
        ).fetchone()
        return [(int(d), int(i), int(n)) for d, i, n in groups], int(new)

    def recent_review_times(self, since: str) -> list[str]:
        """Times of reviews (not undone) from `since` on, newest first per device's log
        order through the (device, seq) index: the cost is the reviews read, not the
        whole history (a time range over the events table would scan all of it)."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='events_device'").fetchone():
            with contextlib.suppress(IndexUnwritable), self.write() as db:
                db.execute(DEVICE_INDEX)
        out: list[str] = []
        for path in self.log_offsets():
            rows = self.db.execute(
                "SELECT time, kind, undone FROM events WHERE device=? ORDER BY seq DESC",
                (Path(path).stem,),
            )
            for when, kind, undone in rows:
                if when < since:
                    break  # a device appends in time order: the rest is older
                if kind == "review" and not undone:
                    out.append(when)
        return out

    # card status --------------------------------------------------------

    def put_status(self, db: sqlite3.Connection, rows: Sequence[StatusRow]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO status VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
            "(SELECT pathway FROM cards WHERE card_id = ?))",
            [
                (
                    r.card_id,
                    r.state,
                    r.due,
                    r.stability,
                    r.difficulty,
                    r.last_review,
                    r.reps,
                    r.lapses,
                    r.last_event,
                    int(r.suspended),
                    int(r.leech),
                    r.buried_day,
                    r.first_review,
                    r.memory,
                    r.card_id,
                )
                for r in rows
            ],
        )

    def status(self, card_id: str) -> StatusRow | None:
        row = self.db.execute("SELECT * FROM status WHERE card_id=?", (card_id,)).fetchone()
        return None if row is None else _status(row)

    def statuses(self, pathway: str | None = None, tag: str | None = None) -> dict[str, StatusRow]:
        sql, args = card_filter(pathway, tag)
        rows = self.db.execute(
            f"SELECT s.* FROM status s JOIN cards c ON c.card_id = s.card_id WHERE {sql}", args
        )
        return {r[0]: _status(r) for r in rows}

    def introduced_since(self, start: float) -> int:
        return queue.introduced_since(self.db, start)

    def next_cards(
        self,
        now: float,
        day_end: float,
        today: str,
        pathway: str | None,
        tag: str | None,
        new_allowed: int,
        learn_ahead: float,
        day_start: float,
        new_card_order: str = queue.DEFAULT_NEW_ORDER,
    ) -> list[tuple[str, str]]:
        """Candidates in queue order: (card_id, queue); ties go by card id, so that any
        index of the same cards (a head start's in memory) picks the same card."""
        sql, args = card_filter(pathway, tag)
        base = (
            "FROM cards c LEFT JOIN status s ON s.card_id = c.card_id WHERE "
            f"{sql} AND coalesce(s.suspended, 0) = 0 AND coalesce(s.buried_day, '') != ?"
        )
        # studied cards: walk the (state, due) index from status, not every card
        seen = (
            "FROM status s JOIN cards c ON c.card_id = s.card_id WHERE "
            f"{sql} AND s.suspended = 0 AND coalesce(s.buried_day, '') != ?"
        )
        out: list[tuple[str, str]] = []
        learn = self.db.execute(
            f"SELECT c.card_id, s.due {seen} AND s.state = 1 AND s.due <= ? "
            f"UNION ALL SELECT c.card_id, s.due {seen} AND s.state = 3 AND s.due <= ? "
            "ORDER BY 2, 1 LIMIT 1",
            [*args, today, now + learn_ahead, *args, today, now + learn_ahead],
        ).fetchone()
        if learn:
            out.append((learn[0], "learning"))
        review = self.db.execute(
            f"SELECT c.card_id {seen} AND s.state = 2 AND s.due < ? "
            "ORDER BY s.due, c.card_id LIMIT 1",
            [*args, today, day_end],
        ).fetchone()
        if review:
            out.append((review[0], "review"))
        if new_allowed > 0:
            new = self.db.execute(
                f"SELECT c.card_id {base} AND (s.card_id IS NULL OR s.state = 0) "
                f"AND {NOT_SIBLING} ORDER BY c.{queue.NEW_ORDERS[new_card_order]} LIMIT 1",
                [*args, today, day_start],
            ).fetchone()
            if new:
                out.append((new[0], "new"))
        later = self.db.execute(
            f"SELECT c.card_id, s.due {seen} AND s.state = 1 AND s.due < ? "
            f"UNION ALL SELECT c.card_id, s.due {seen} AND s.state = 3 AND s.due < ? "
            "ORDER BY 2, 1 LIMIT 1",
            [*args, today, day_end, *args, today, day_end],
        ).fetchone()
        if later:
            out.append((later[0], "later"))
        return out


def _unwritable(e: sqlite3.OperationalError) -> bool:
    """Full, read-only, unreachable or locked too long: the file, not the data, is at fault."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    return code in (
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def damaged(e: BaseException) -> bool:
    """`e` says the index file is damaged (not merely locked, full or read-only)."""
    return isinstance(e, sqlite3.DatabaseError) and _corrupt(e)


def _corrupt(e: sqlite3.DatabaseError) -> bool:
    """A damaged or foreign file, as opposed to one we may not (or cannot now) write, or
    a constraint or a misuse (IntegrityError, ProgrammingError: bugs, never a reason to
    delete the index under another process)."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return True
    return type(e) is sqlite3.DatabaseError and not code


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


def _status(row: tuple[object, ...]) -> StatusRow:
    return StatusRow(
        card_id=str(row[0]),
        state=int(row[1]),  # type: ignore[call-overload]
        due=row[2],  # type: ignore[arg-type]
        stability=row[3],  # type: ignore[arg-type]
        difficulty=row[4],  # type: ignore[arg-type]
        last_review=row[5],  # type: ignore[arg-type]
        reps=int(row[6]),  # type: ignore[call-overload]
        lapses=int(row[7]),  # type: ignore[call-overload]
        last_event=row[8],  # type: ignore[arg-type]
        suspended=bool(row[9]),
        leech=bool(row[10]),
        buried_day=row[11],  # type: ignore[arg-type]
        first_review=row[12],  # type: ignore[arg-type]
        memory=str(row[13]),
    )
