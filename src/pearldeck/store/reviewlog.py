"""The review logs, `reviews/<device>.jsonl`: one JSON event a line, append-only."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from pearldeck.model import EVENT_KINDS, MERGE_MARKER, Event, Problem
from pearldeck.store.fsutil import append_line

REVIEWS_DIR = "reviews"
DEVICE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# A time the scheduler can add a century of intervals to: years 1970 to 8999. The
# regex takes every valid day but 29 February (a leap day goes the slow, checked way).
_DAY = (
    r"(?:19[7-9]\d|[2-8]\d{3})-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_TIME = _DAY + r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z"
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
MIN_YEAR, MAX_YEAR = 1970, 8999
MAX_LINE = 64 * 1024
"""A longer line is not an event: skipped unread, so one line's cost is bounded."""
MAX_DURATION = 1e9  # as the fast path reads: 9 digits


def log_path(root: Path, device: str) -> Path:
    return root / REVIEWS_DIR / f"{device}.jsonl"


def encode(event: Event) -> bytes:
    d: dict[str, object] = {"v": 1, "id": event.id, "kind": event.kind, "card": event.card}
    d["time"] = event.time
    if event.kind == "review":
        d.update(rating=event.rating, duration=round(event.duration, 3), prev=event.prev)
        d["state"] = event.state
    elif event.kind == "import":  # a schedule brought from elsewhere: the state it sets
        d["state"] = event.state
    if event.target:
        d["target"] = event.target
    return (json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def append_event(root: Path, device: str, event: Event) -> tuple[int, bytes]:
    """Append and fsync: when this returns the review survives a power cut. Returns
    where its line begins in the log, and the line."""
    line = encode(event)
    return append_line(log_path(root, device), line), line


def append_events(root: Path, device: str, events: list[Event]) -> None:
    """Append many events in one write and one fsync (an import of a review history)."""
    append_line(log_path(root, device), b"".join(encode(e) for e in events))


# The exact shape `encode` writes for a review: read without a JSON parser (10x faster).
# Anything else (undo, suspend, hand edits) goes through json.loads.
_REVIEW = (
    r'\{"v":1,"id":"([0-9a-f]{1,64})","kind":"review","card":"([A-Za-z0-9#]{1,80})",'
    r'"time":"(' + _TIME + r')","rating":([1-4]),'
    r'"duration":(\d{1,9}(?:\.\d{1,6})?),"prev":(?:null|"([0-9a-f]{1,64})"),'
    r'"state":(\{"state":([0-3]),[^{}\n]*\})\}'
)
_REVIEW_LINE = re.compile(_REVIEW, re.ASCII)
# the same over a whole chunk, one line per match (a rebuild)
_REVIEW_LINES = re.compile(f"^{_REVIEW}$", re.ASCII | re.MULTILINE)


def decode(line: bytes | str, device: str, seq: int = 0, ref: int = -1) -> Event | None:
    """One event, or None for anything that is not a well-formed event line."""
    if len(line) > MAX_LINE:
        return None
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            return None
    m = _REVIEW_LINE.fullmatch(line)
    if m is not None:
        eid, card, time, rating, duration, prev, state, after = m.groups()
        # positional, in field order: id kind card time device rating duration prev state
        # target seq state_json after
        return Event(
            eid,
            "review",
            card,
            time,
            device,
            int(rating),
            float(duration),
            prev,
            None,
            None,
            seq,
            state,
            int(after),
            ref,
        )
    try:
        d = json.loads(line, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested 100,000 deep
        return None
    if not isinstance(d, dict):
        return None
    eid, kind, card, time = d.get("id"), d.get("kind"), d.get("card"), d.get("time")
    if not (isinstance(eid, str) and isinstance(card, str) and isinstance(time, str)):
        return None
    if kind not in EVENT_KINDS or not _valid_time(time):
        return None
    rating = d.get("rating", 0)
    duration = d.get("duration", 0.0)
    if not isinstance(duration, (int, float)) or not 0 <= duration <= MAX_DURATION:
        return None  # NaN is refused by the parser, 400 digits here
    prev, state, target = d.get("prev"), d.get("state"), d.get("target")
    if kind == "review" and not (isinstance(rating, int) and 1 <= rating <= 4):
        return None
    if kind == "undo" and not isinstance(target, str):
        return None
    after = state.get("state") if isinstance(state, dict) else None
    return Event(
        id=eid,
        kind=kind,
        card=card,
        time=time,
        device=device,
        rating=rating if isinstance(rating, int) else 0,
        duration=float(duration),
        prev=prev if isinstance(prev, str) else None,
        state=state if isinstance(state, dict) else None,
        target=target if isinstance(target, str) else None,
        seq=seq,
        after=after if isinstance(after, int) and 0 <= after <= 3 else None,
        ref=ref,
    )


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _valid_time(time: str) -> bool:
    """UTC as `encode` writes it, a real day, in the years the scheduler can handle."""
    if not _TIME_RE.match(time):
        return False
    try:
        moment = datetime.fromisoformat(time[:-1])
    except ValueError:
        return False
    return MIN_YEAR <= moment.year <= MAX_YEAR


@dataclass
class LogRead:
    """Events read from one log since an offset, and where to resume."""

    events: list[Event] = field(default_factory=list)
    offset: int = 0
    lines: int = 0
    """Complete lines consumed so far, counting from the start of the file."""
    warnings: list[Problem] = field(default_factory=list)


_CHUNK = 8 * 2**20


def read_from(
    path: Path,
    offset: int,
    first_line: int = 1,
    sink: Callable[[list[Event]], None] | None = None,
) -> LogRead:
    """Read complete lines after `offset`; a torn last line waits (and is warned about).

    Read in chunks, so a large history never sits in memory as a whole; each review
    remembers where its line starts, and its stored state is read back only if needed.
    With a `sink`, events are handed over a chunk at a time instead of collected.
    """
    out = LogRead(offset=offset)

    def take(whole: bytes, line_no: int, pos: int) -> None:
        out.events.extend(read_lines(path, whole, line_no, pos, out.warnings))
        if sink is not None and out.events:
            sink(out.events)
            out.events = []

    return _scan(path, first_line, out, take)


ReviewRow = tuple[str, str, str, str, str, str | None, str, str, int, int]
"""id, card, time, rating, duration, prev, state after, device, line, offset: as read.

SQLite's column types turn the numbers written as text into numbers."""


def read_bulk(
    path: Path,
    offset: int,
    first_line: int,
    rows: Callable[[list[ReviewRow]], None],
    events: Callable[[list[Event]], None],
) -> LogRead:
    """As `read_from`, for a rebuild: plain reviews come as rows, a chunk at a time.

    A chunk whose every line is a review exactly as `encode` writes it is matched in
    one pass, and its stored states are left in the log (a fold reads one back by
    offset, only if it needs it); any other chunk is read line by line.
    """
    device = path.stem
    out = LogRead(offset=offset)

    def take(whole: bytes, line_no: int, pos: int) -> None:
        text = whole.decode("utf-8", "replace")
        found = list(_REVIEW_LINES.finditer(text)) if text.isascii() else []
        if found and len(found) == whole.count(b"\n"):
            rows(
                [
                    (*m.group(1, 2, 3, 4, 5, 6, 8), device, line_no + i, pos + m.start())  # type: ignore[misc]
                    for i, m in enumerate(found)
                ]
            )
        elif part := read_lines(path, whole, line_no, pos, out.warnings):
            events(part)

    return _scan(path, first_line, out, take)


def _scan(
    path: Path, first_line: int, out: LogRead, take: Callable[[bytes, int, int], None]
) -> LogRead:
    """Hand `take` the log's complete lines from `out.offset`, a chunk at a time, with
    the line number and byte offset each chunk starts at; note where to resume.

    A line longer than any event (MAX_LINE) is skipped unkept, and holes in a sparse
    file are jumped over, so a 2 GB line costs neither memory nor a second read: the
    offset moves past it even when it has no end yet (the next append starts a line).
    """
    line_no, pos, buf = first_line, out.offset, b""
    skipping = False  # inside a line too long to be an event
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        cur = pos
        while chunk := os.pread(fd, _CHUNK, cur):
            start, cur = cur, cur + len(chunk)
            if skipping:
                nl = chunk.find(b"\n")
                if nl < 0:
                    cur = _next_data(fd, cur, size)
                    pos = cur
                    continue
                out.warnings.append(Problem(str(path), line_no, _LONG))
                line_no, pos, chunk, skipping = line_no + 1, start + nl + 1, chunk[nl + 1 :], False
            buf += chunk
            end = buf.rfind(b"\n") + 1
            whole, buf = buf[:end], buf[end:]
            if whole:
                take(whole, line_no, pos)
                line_no += whole.count(b"\n")
                pos += len(whole)
            if len(buf) > MAX_LINE:
                skipping, pos, buf = True, cur, b""
    finally:
        os.close(fd)
    out.offset, out.lines = pos, line_no - 1
    if skipping:
        out.warnings.append(Problem(str(path), line_no, _LONG))
    elif buf.strip():
        out.warnings.append(Problem(str(path), line_no, TORN))
    return out


TORN = "incomplete last line (interrupted write?), ignored"
_LONG = f"line longer than {MAX_LINE // 1024} KB: not a review event, skipped"


def _next_data(fd: int, cur: int, size: int) -> int:
    """Where data starts again at or after `cur`: a hole holds no line end to look for."""
    try:
        return max(cur, os.lseek(fd, cur, os.SEEK_DATA))
    except OSError as err:
        return size if err.errno == errno.ENXIO else cur


_MARKERS = (b"<<<<<<< ", b"<<<<<<<\n", b"=======", b">>>>>>> ", b"||||||| ")
CONFLICT_MARKER = "a git conflict marker"
_MARKER_MESSAGE = (
    f"{CONFLICT_MARKER} (left by a merge): delete this line; "
    "review logs merge without conflicts when .gitattributes says merge=union"
)


def read_lines(
    path: Path, whole: bytes, line_no: int, pos: int, warnings: list[Problem]
) -> list[Event]:
    """The events of complete lines `whole`, which start at line `line_no`, byte `pos`."""
    device = path.stem
    found: list[Event] = []
    for raw in whole.split(b"\n")[:-1]:
        if raw.startswith(_MARKERS):
            warnings.append(Problem(str(path), line_no, _MARKER_MESSAGE, MERGE_MARKER))
        elif raw.strip():
            ev = decode(raw, device, line_no, pos)
            if ev is None:
                warnings.append(Problem(str(path), line_no, "unreadable review event, skipped"))
            else:
                found.append(ev)
        line_no += 1
        pos += len(raw) + 1
    return found


class StateReader:
    """Reads reviews' stored states back from their log lines, each log opened once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, BinaryIO | None] = {}

    def __call__(self, e: Event) -> dict[str, object] | None:
        """The state `e` stored, if its line is still where it was (else None: replay)."""
        if e.device not in self._files:
            try:
                self._files[e.device] = log_path(self.root, e.device).open("rb")
            except OSError:
                self._files[e.device] = None
        f = self._files[e.device]
        if f is None or e.ref < 0:
            return None
        try:
            f.seek(e.ref)
            line = f.readline(64 * 1024)
        except OSError:
            return None
        ev = decode(line.rstrip(b"\n"), e.device)
        if ev is None or ev.id != e.id:  # the log was rewritten: replay instead
            return None
        return ev.stored_state()

    def close(self) -> None:
        for f in self._files.values():
            if f is not None:
                f.close()
        self._files.clear()


def log_files(root: Path) -> list[Path]:
    """The review logs that are regular files (a pipe or device would block a read)."""
    return scan_logs(root)[0]


def scan_logs(root: Path) -> tuple[list[Path], list[Problem]]:
    """The review logs, and a problem for each that cannot be read as one (a broken
    link, a loop, a pipe) and for a reviews folder that cannot be listed."""
    folder = root / REVIEWS_DIR
    try:
        names = sorted(p.name for p in folder.iterdir())
    except FileNotFoundError:
        return [], []
    except OSError as err:
        if err.errno == errno.ENOTDIR:
            return [], [Problem(str(folder), 0, "not a folder; review logs go in reviews/")]
        why = f"cannot read the review logs: {err.strerror or err}; fix its permissions"
        return [], [Problem(str(folder), 0, why)]
    found: list[Path] = []
    problems: list[Problem] = []
    for name in names:
        if not name.endswith(".jsonl") or name.startswith("."):
            continue
        path = folder / name
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        try:
            st = path.stat()
        except OSError as err:
            why = (
                "a symbolic link that loops"
                if err.errno == errno.ELOOP
                else "a symbolic link to nothing"
                if path.is_symlink()
                else f"cannot read: {err.strerror or err}"
            )
            problems.append(Problem(shown, 0, f"{why}; its reviews are not read"))
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append(Problem(shown, 0, "not a regular file; its reviews are not read"))
            continue
        found.append(path)
    return found, problems
