"""The one service API the CLI and the TUI share: open, add, due, review, undo, stats."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck import history
from pearldeck.errors import WriteFailed
from pearldeck.model import (
    Event,
    Pearl,
    PearlError,
    Problem,
    Rating,  # noqa: F401 - callers reach it here too
    random_id,
    split_card_id,
)
from pearldeck.services.daily_queue import DailyQueue
from pearldeck.services.folder_index import Refresh as Refresh  # re-exported
from pearldeck.services.pearl_files import PearlFiles
from pearldeck.services.reviews import Rated as Rated  # re-exported: the result of rate()
from pearldeck.services.reviews import Reviews
from pearldeck.services.studylog import StudyLogService
from pearldeck.store import layout, reviewlog
from pearldeck.store.events import IndexUnwritable
from pearldeck.store.fsutil import (
    locked,
    replace_file,
)
from pearldeck.store.imports import ImportRecord as ImportRecord
from pearldeck.store.index import Index, StatusRow
from pearldeck.store.index import damaged as index_damaged
from pearldeck.store.media import MediaError as MediaError
from pearldeck.store.pearl_tables import ExportRow
from pearldeck.store.settings import Settings, load_settings
from pearldeck.studyday import study_day

if TYPE_CHECKING:
    from pearldeck.anki_import.notes import Rule
    from pearldeck.countdown import Countdown
    from pearldeck.habit import Habit
    from pearldeck.records import Block, Exam, StudyLog
    from pearldeck.report_types import Report
    from pearldeck.services.anki_sync import AnkiImport


def _event_id() -> str:
    import secrets  # only a command that records something pays for it

    return secrets.token_hex(8)


class Collection(Reviews, PearlFiles, DailyQueue):
    """A collection folder: text files as truth, the index as a cache of them."""

    def __init__(
        self,
        root: Path,
        *,
        device: str | None = None,
        assign_ids: bool = True,
        new_id: Callable[[], str] = random_id,
        new_event_id: Callable[[], str] = _event_id,
        progress: Callable[[str], None] = lambda _: None,
    ) -> None:
        """`progress` hears what a long build of the index is doing (a first run)."""
        self.root = root
        self._progress = progress
        self._new_id = new_id
        self._new_event_id = new_event_id
        self.settings: Settings = load_settings(root)
        if not root.is_dir():
            raise PearlError(
                [Problem(str(root), 0, "no such collection folder (try `pearls init`)")]
            )
        self.device = device or layout.device_id(root)
        self.index = Index(root / layout.CACHE_DIR / "index.sqlite3")
        self._lock = root / layout.CACHE_DIR / "write.lock"
        self._fsrs: object | None = None
        self._states = reviewlog.StateReader(root)
        self._dup_cache: tuple[frozenset[tuple[str, str]], list[Problem]] | None = None
        self.last_refresh = self.refresh(assign_ids=assign_ids)
        if self.index.started_again:  # found damaged as it opened: built from the text
            self.last_refresh.warnings.append(_rebuilt(self.index.path))
        self.study = StudyLogService(root, self.device)
        """The study log: blocks and exams."""

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reading the folder ---------------------------------------------------

    def refresh(self, *, assign_ids: bool = False) -> Refresh:
        """Bring the index up to date with the files: only changed files are read."""
        try:
            return self._refresh(assign_ids)
        except IndexUnwritable:
            return self._in_memory(assign_ids)
        except sqlite3.DatabaseError as e:
            if not self.heal(e, assign_ids=assign_ids):
                raise
            return self.last_refresh

    def heal(self, error: BaseException, *, assign_ids: bool = False) -> bool:
        """The one damaged-index policy: if `error` says the index is damaged, delete it and
        build it again from the text files (the truth; in memory for this session if the
        disk refuses) and return True; else False, and the caller raises.

        Every layer follows it: a write that reached the text heals and succeeds (failing
        would invite it twice); a call that met the damage before writing may run again
        once healed (the app's screens and the CLI do)."""
        if not index_damaged(error):
            return False
        self.index.discard()
        self._dup_cache = None
        try:
            self.index = Index(self.index.path)
            self._refresh(assign_ids)
        except (IndexUnwritable, sqlite3.DatabaseError):
            self._in_memory(assign_ids)
        self.last_refresh.warnings.append(_rebuilt(self.index.path))
        return True

    def _in_memory(self, assign_ids: bool) -> Refresh:
        """The cache cannot be written (a full disk, a read-only folder) or built: the text
        is the truth, so this session indexes it in memory instead."""
        self.index.close()
        self.index = Index.in_memory(self.index.path)
        return self._refresh(assign_ids)

    def sync_history(self) -> Refresh:
        """Read only what other processes appended to the review logs (cheap, per rating)."""
        out = Refresh(problems=list(self.last_refresh.problems))
        self._sync_history(out)
        return out

    def _history(self) -> history.History:
        return history.History(
            self.root, self.index, self.settings, self._states, self._get_scheduler, self._progress
        )

    def skipped_log_lines(self) -> list[Problem]:
        """Review-log lines skipped as unreadable, remembered for `check` to name."""
        return self._history().skipped()

    def _sync_history(self, out: Refresh) -> None:
        self._history().sync(out.problems, out.warnings)

    # validation -------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        return self.last_refresh.problems

    def require_valid(self) -> None:
        if self.problems:
            raise PearlError(self.problems)

    # pearls ---------------------------------------------------------------

    def pearls(self, pathway: str | None = None, tag: str | None = None) -> list[Pearl]:
        return self.index.pearls(pathway, tag)

    def pearl_ids(self) -> set[str]:
        """The id of every pearl."""
        return self.index.pearl_ids()

    def pearls_by_id(self, ids: Iterable[str]) -> dict[str, Pearl]:
        """These pearls (those that exist), by id."""
        return {p.id: p for p in self.index.pearls(ids=list(ids))}

    def cache_dir(self) -> Path:
        """The git-ignored folder of things derived from the files (the index, parses)."""
        return self.root / layout.CACHE_DIR

    def note_cache(self) -> Path:
        """Where `pearls import` keeps each note's parse (see services.note_cards)."""
        return self.cache_dir() / "notes"

    def tags(self) -> dict[str, int]:
        """Every concept tag and how many pearls carry it."""
        return self.index.tag_counts()

    def import_anki(
        self,
        path: Path,
        rules: tuple[Rule, ...],
        default: str | None,
        now: datetime,
        *,
        dry_run: bool = False,
    ) -> AnkiImport:
        """Import an Anki package or collection: all of it, or (on any problem) nothing."""
        from pearldeck.services.anki_sync import import_anki

        return import_anki(self, path, rules, default, now, dry_run=dry_run)

    def deleted_pearls(self) -> tuple[list[ExportRow], dict[str, float]]:
        """The pearls git says were deleted, as they last were (tagged for Anki), and each
        one's deletion time: asked of git once per export, for its check and its rows."""
        from pearldeck.export_times import deleted_rows

        return deleted_rows(self)

    def export_fingerprint(
        self, deck: str, pathways: Sequence[str], tags: Sequence[str], gone: Sequence[ExportRow]
    ) -> str:
        """A digest of all an export with these options is made from (services.deck_stamp)."""
        from pearldeck.services.deck_stamp import inputs_digest

        files = sorted((rel, rec.digest) for rel, rec in self.index.files().items())
        return inputs_digest(files, gone, deck, pathways, tags, self.root / "media")

    def export_rows(
        self, deleted: tuple[list[ExportRow], dict[str, float]]
    ) -> tuple[list[ExportRow], dict[str, float]]:
        """Every pearl for the Anki export and each note's time, from git where it can
        (see export_times), plus the `deleted` ones."""
        from pearldeck.export_times import note_times

        rows, cached = self.index.export_rows()
        gone, gone_times = deleted
        return rows + gone, note_times(self, cached) | gone_times

    def add_imported_events(self, events: Sequence[Event]) -> int:
        """Append to this device's log (fsynced) the events whose ids are not yet in the
        history, in time order; returns how many were added."""
        self.sync_history()
        known = self.index.known_event_ids(e.id for e in events)
        unique = {e.id: e for e in events if e.id not in known}
        new = sorted((replace(e, device=self.device) for e in unique.values()), key=Event.sort_key)
        if new:
            with locked(self._lock):
                reviewlog.append_events(self.root, self.device, new)
            self.sync_history()
        return len(new)

    def import_records(self) -> dict[tuple[str, str], ImportRecord]:
        """What earlier markdown imports made: (note, card key) -> the pearl and its digest."""
        from pearldeck.store.imports import read_imports

        return read_imports(self.root)

    def record_imports(self, records: Sequence[ImportRecord]) -> None:
        """Remember what this markdown import made, so the next one syncs instead of adding."""
        from pearldeck.store.imports import append_imports

        append_imports(self.root, records)

    def statuses(self, pathway: str | None = None, tag: str | None = None) -> dict[str, StatusRow]:
        return self.index.statuses(pathway, tag)

    def leeches(self) -> list[Pearl]:
        ids = {split_card_id(c)[0] for c, s in self.index.statuses().items() if s.leech}
        return [p for p in self.index.pearls() if p.id in ids]

    def review_events(self, since: str = "") -> list[Event]:
        return self.index.review_events(since)

    def card_count(self) -> int:
        """How many cards the pearls make (suspended ones included)."""
        return self.index.card_count()

    def card_pathways(self) -> dict[str, str]:
        """Every live card id and its pathway."""
        return {c: p.pathway for p in self.index.pearls() for c in p.card_ids()}

    def countdown(self, now: datetime) -> Countdown | None:
        """Days to the exam set in settings.toml, reviews forecast, new-card pace; or None."""
        from pearldeck.goals import exam_countdown

        return exam_countdown(self.index, self.settings, now)

    def habit(self, now: datetime) -> Habit:
        """Reviews done today and the days-in-a-row streak, for Home."""
        from pearldeck.goals import daily_habit

        return daily_habit(self.index, self.settings, now)

    def last_block(self) -> Block | None:
        """The question block logged last, if any (`pearls add` alone links to it)."""
        from pearldeck.goals import last_block

        return last_block(self.root)

    def log_exam(self, name: str, score: str, day: str | None, now: datetime) -> Exam:
        """Log a practice exam as `pearls exam add` does; ValueError says what is wrong."""
        from pearldeck.goals import log_exam

        today = study_day(now, self.settings.day_starts_at)
        return log_exam(self.root, self.device, today, name, score, day, now)

    def set_exam_date(self, exam_date: str | None) -> None:
        """Write the exam date (`YYYY-MM-DD`, or None to remove it) into settings.toml."""
        from dataclasses import replace

        from pearldeck.store.settings import save_exam_date

        save_exam_date(self.root, exam_date)
        self.settings = replace(self.settings, exam_date=exam_date)

    def stats(self, now: datetime) -> dict[str, object]:
        from pearldeck.stats import compute

        return compute(
            self.index.statuses(),
            self.card_pathways(),
            self.index.review_events(),
            now,
            self.settings.day_starts_at,
        )

    def review_rows(self) -> Iterator[tuple[str, str, int, float, int | None]]:
        """Every review as plain rows, streamed (for the optimiser)."""
        return self.index.review_rows()

    def report(self, now: datetime, *, target: int, since: date | None) -> tuple[Report, StudyLog]:
        """The study report over blocks, exams, pearls and reviews, and the log it read."""
        from pearldeck.analytics import compute_report, recall_now

        log = self.study.read()
        cards = self.card_pathways()
        rep = compute_report(
            log.blocks,
            log.exams,
            self.pearls(),
            self.review_events(),
            cards,
            recall_now(self.statuses(), cards, self.settings, now),
            now=now,
            day_starts_at=self.settings.day_starts_at,
            target=target,
            since=since,
        )
        return rep, log

    # media ----------------------------------------------------------------

    def add_media_file(self, src: Path) -> str:
        """Copy an image or sound into `media/` under a stable name; returns `media/<name>`.
        Raises MediaError (unknown type, empty, too large, unreadable) with a message."""
        from pearldeck.store.media import add_media_file

        try:
            return add_media_file(self.root, src)
        except MediaError as e:  # some messages name only the file: give its whole path
            message = str(e)
            if message.startswith(f"{src.name}: "):
                raise MediaError(f"{src}: {message[len(src.name) + 2 :]}") from None
            raise

    def media_file(self, ref: str) -> Path | None:
        """The file a `media/...` reference names, or None if it would leave `media/`."""
        from pearldeck.store.media import media_path

        return media_path(self.root, ref)

    def media_report(self) -> tuple[list[Problem], list[str]]:
        """Images pearls name that are not in `media/` (`path:line`), and media no pearl uses."""
        from pearldeck.markup import image_refs
        from pearldeck.store.media import list_media

        present = set(list_media(self.root))
        used: set[str] = set()
        missing: list[Problem] = []
        for p in self.index.pearls():
            for ref in image_refs(p.text) + image_refs(p.back or ""):
                used.add(ref)
                if ref not in present:
                    missing.append(Problem(self.display(p.file), p.line, f"image {ref} not found"))
        return missing, sorted(present - used)


def save_parameters(root: Path, parameters: tuple[float, ...], retention: float | None) -> None:
    """Write fitted FSRS parameters (and a desired retention) into the settings file."""
    from pearldeck.store.settings import save_parameters as save

    save(root, parameters, retention)


def write_page(path: Path, text: str) -> None:
    """Write a page the user asked for (the HTML report) atomically: all of it or nothing."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as e:
        raise WriteFailed(path, e) from e
    replace_file(path, text.encode("utf-8"), old)


def is_damaged_index(error: BaseException) -> bool:
    """Whether `error` means the index (a cache) is damaged and can be rebuilt."""
    return index_damaged(error)


def has_media(root: Path) -> bool:
    """Whether the collection keeps any media (images) at all."""
    from pearldeck.store.media import list_media

    return bool(list_media(root))


def discard_damaged_index(root: Path, error: BaseException) -> Path | None:
    """If `error` says the index of `root` is damaged, delete it (the next open rebuilds it
    from the text) and return its folder; else None."""
    if not index_damaged(error):
        return None
    Index.in_memory(root / layout.CACHE_DIR / "index.sqlite3").discard()
    return root / layout.CACHE_DIR


def user_preferences() -> dict[str, str]:
    """This user's preferences (the app's theme), kept outside every collection."""
    from pearldeck.store import userconfig

    return userconfig.read()


def remember_preference(key: str, value: str) -> bool:
    """Save one of this user's preferences; False if it could not be written."""
    from pearldeck.store import userconfig

    return userconfig.save(key, value)


def _rebuilt(index: Path) -> Problem:
    why = "the index (a cache of your files) was damaged; it was built again from your files"
    return Problem(str(index.parent), 0, why)
