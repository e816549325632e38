"""The SQLite index in `.cache/`: parsed pearls, folded card states, log offsets.

Everything here is derived from the text files and can be deleted at any time.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from pearldeck.status import StatusRow as StatusRow  # re-exported for old callers
from pearldeck.store.events import (
    EVENT_INDEXES,
    EventTables,
    IndexUnwritable,
)
from pearldeck.store.pearl_tables import PearlTables
from pearldeck.store.queue import SCHEMA_VERSION
from pearldeck.store.status_tables import StatusTables

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


WAL_LIMIT = 4 * 2**20
"""Bytes of write-ahead log kept after a checkpoint (SQLite's journal_size_limit)."""


class Index(EventTables, PearlTables, StatusTables):
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
