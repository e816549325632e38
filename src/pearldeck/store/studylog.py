"""Question blocks and practice exams, `study/<device>.jsonl`: one JSON record a line, append-only.

Both kinds of record share one log per device, like the review history: each machine
appends only to its own file (fsynced), so git merges never conflict, and a read merges
every device's file. A line is one JSON object with `"v": 1` and `"kind"`:

    {"v":1,"kind":"block","id":"k3f9qz","date":"2026-11-20","time":"2026-11-20T18:02:11.000000Z",
     "source":"uworld","mode":"timed","questions":40,"correct":29,"minutes":62,
     "misses":{"knowledge":6,"misread":3},"pathway_misses":{"acute":4,"diagnostic":3}}
    {"v":1,"kind":"exam","id":"p2x8rm","date":"2026-11-22","time":"...","name":"NBME 12",
     "form":"nbme","score":238}                      (or "percent":72.5 instead of "score")

`date` is the study day the block or exam was done; `time` is when it was logged (UTC).
A mistaken record is taken out by appending a void naming it, never by rewriting a line:

    {"v":1,"kind":"void","id":"w7c2ka","target":"k3f9qz","time":"2026-11-20T18:05:40.000000Z"}

A torn last line (interrupted write) is ignored with a warning; any other unreadable or
invalid line is skipped with a `path:line: message` warning, never a crash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from pearldeck.model import PATHWAYS, Problem, random_id
from pearldeck.store.fsutil import append_line, locked, read_regular
from pearldeck.store.layout import CACHE_DIR

STUDY_DIR = "study"
MAX_LOG_BYTES = 64 * 2**20
"""A study log is a few KB a year; a bigger one is refused, not read into memory."""
SOURCES = ("uworld", "amboss", "nbme", "uwsa", "free120", "other")
MISS_KINDS = ("knowledge", "misread", "rushing", "fatigue", "other")
MODES = ("timed", "tutor")
MAX_QUESTIONS = 400
MAX_MINUTES = 24 * 60
SCALED_MIN, SCALED_MAX = 100, 300
_ID_RE = re.compile(r"^[a-z0-9]{4,16}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


@dataclass(frozen=True, slots=True)
class Block:
    """One block of practice questions as the student logged it."""

    id: str
    date: str
    """ISO study day the block was done."""
    source: str
    """One of SOURCES."""
    questions: int
    correct: int
    minutes: float
    mode: str = "timed"
    misses: Mapping[str, int] = field(default_factory=dict)
    """Misses by cause (MISS_KINDS); may cover fewer than all the block's misses."""
    pathway_misses: Mapping[str, int] = field(default_factory=dict)
    """Misses by pathway (PATHWAYS); questions per pathway are not logged."""
    time: str = ""
    """UTC moment it was logged."""
    device: str = ""

    @property
    def accuracy(self) -> float:
        return self.correct / self.questions

    def fields(self) -> dict[str, object]:
        return {
            "id": self.id,
            "date": self.date,
            "source": self.source,
            "mode": self.mode,
            "questions": self.questions,
            "correct": self.correct,
            "minutes": self.minutes,
            "misses": dict(self.misses),
            "pathway_misses": dict(self.pathway_misses),
        }


@dataclass(frozen=True, slots=True)
class Exam:
    """One practice-exam result: a 3-digit scaled score or a percent correct."""

    id: str
    date: str
    name: str
    """As the student wrote it, e.g. `NBME 12`."""
    form: str
    """nbme, uwsa, free120 or other: guessed from the name."""
    score: int | None = None
    """Scaled score (SCALED_MIN–SCALED_MAX), comparable with the target."""
    percent: float | None = None
    """Percent correct (e.g. Free 120), shown but not placed in a score band."""
    time: str = ""
    device: str = ""

    def fields(self) -> dict[str, object]:
        return {
            "id": self.id,
            "date": self.date,
            "name": self.name,
            "form": self.form,
            "score": self.score,
            "percent": self.percent,
        }


@dataclass(frozen=True, slots=True)
class Void:
    """Takes the block or exam `target` out of the log, on every device that merges it."""

    id: str
    target: str
    time: str = ""
    device: str = ""


Record = Block | Exam | Void


@dataclass
class StudyLog:
    """Everything read from all devices' study logs, oldest first, voided records out."""

    blocks: list[Block] = field(default_factory=list)
    exams: list[Exam] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    voided: set[str] = field(default_factory=set)
    """Ids of the blocks and exams a void took out."""


# validation: the same rules for what the CLI is given and for what a log line holds


def parse_day(text: str | None, today: date) -> str:
    """`YYYY-MM-DD`, `today` or `yesterday` as an ISO day; ValueError if not a day or after
    today (the message starts with the value, for the caller to name its field)."""
    t = (text or "").strip().lower()
    if t in ("", "today"):
        return today.isoformat()
    if t == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    try:
        day = date.fromisoformat(t)
    except ValueError:
        raise ValueError(f"{(text or '').strip()!r}: use YYYY-MM-DD, today or yesterday") from None
    if day > today:
        raise ValueError(f"{day.isoformat()}: that is after today ({today.isoformat()})")
    return day.isoformat()


def fresh_id(log: StudyLog) -> str:
    """An id no block or exam in the log has, or had (a voided id stays taken)."""
    used = {b.id for b in log.blocks} | {e.id for e in log.exams} | log.voided
    while (new := random_id()) in used:
        pass
    return new


def normalise_source(text: str) -> str:
    """`UWorld`, `free 120`, `Free-120` -> `uworld`, `free120`; ValueError if unknown."""
    key = re.sub(r"[\s_-]+", "", text.strip().lower())
    if key not in SOURCES:
        raise ValueError(f"unknown source {text!r}; use one of: {', '.join(SOURCES)}")
    return key


def exam_form(name: str) -> str:
    """Which kind of practice exam a name refers to."""
    key = re.sub(r"[\s_-]+", "", name.lower())
    for form in ("uwsa", "nbme", "free120"):
        if form in key:
            return form
    return "other"


def parse_counts(text: str, allowed: tuple[str, ...], what: str) -> dict[str, int]:
    """`knowledge=6,misread=3` -> {'knowledge': 6, 'misread': 3}; ValueError with a hint."""
    out: dict[str, int] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep or not value.strip().isdigit():
            raise ValueError(f"{what}: {part!r} is not name=count, e.g. {allowed[0]}=3")
        if name not in allowed:
            raise ValueError(f"{what}: unknown name {name!r}; use {', '.join(allowed)}")
        if name in out:
            raise ValueError(f"{what}: {name!r} given twice")
        out[name] = int(value)
    return out


def parse_score(text: str) -> tuple[int | None, float | None]:
    """`238` -> scaled score; `72%` or `72.5%` -> percent. ValueError otherwise."""
    t = text.strip()
    if t.endswith("%"):
        try:
            pct = float(t[:-1])
        except ValueError:
            raise ValueError(f"score {text!r}: write a percent like 72%") from None
        if not 0 <= pct <= 100:
            raise ValueError(f"score {text!r}: a percent is between 0% and 100%")
        return None, round(pct, 1)
    if not t.isdigit():
        raise ValueError(f"score {text!r}: give a 3-digit scaled score (e.g. 238) or a percent")
    n = int(t)
    if len(t) <= 2:
        raise ValueError(f"score {text!r}: is that a percent? write {n}%")
    if not SCALED_MIN <= n <= SCALED_MAX:
        raise ValueError(f"score {text!r}: a scaled score is between {SCALED_MIN} and {SCALED_MAX}")
    return n, None


def check_block(b: Block) -> list[str]:
    """Everything wrong with a block, as messages for the student."""
    errors: list[str] = []
    if not 1 <= b.questions <= MAX_QUESTIONS:
        errors.append(f"questions must be from 1 to {MAX_QUESTIONS}")
    if not 0 <= b.correct <= b.questions:
        errors.append(f"correct ({b.correct}) must be from 0 to questions ({b.questions})")
    if not 0 < b.minutes <= MAX_MINUTES:
        errors.append(f"minutes must be more than 0 and at most {MAX_MINUTES}")
    if b.source not in SOURCES:
        errors.append(f"unknown source {b.source!r}; use one of: {', '.join(SOURCES)}")
    if b.mode not in MODES:
        errors.append(f"mode must be {' or '.join(MODES)}")
    missed = b.questions - b.correct
    for what, counts, allowed in (
        ("misses", b.misses, MISS_KINDS),
        ("pathway misses", b.pathway_misses, PATHWAYS),
    ):
        bad = [k for k in counts if k not in allowed]
        if bad:
            errors.append(f"{what}: unknown {', '.join(map(repr, bad))}; use {', '.join(allowed)}")
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in counts.values()):
            errors.append(f"{what}: counts must be whole numbers ≥ 0")
        elif missed >= 0 and sum(counts.values()) > missed:
            errors.append(
                f"{what} add up to {sum(counts.values())}, more than the {missed} questions missed"
            )
    errors.extend(_check_common(b.id, b.date))
    return errors


def check_exam(e: Exam) -> list[str]:
    errors = _check_common(e.id, e.date)
    if not e.name.strip() or len(e.name) > 80:
        errors.append("exam name must be 1 to 80 characters")
    if (e.score is None) == (e.percent is None):
        errors.append("give either a scaled score or a percent")
    if e.score is not None and not SCALED_MIN <= e.score <= SCALED_MAX:
        errors.append(f"scaled score must be from {SCALED_MIN} to {SCALED_MAX}")
    if e.percent is not None and not 0 <= e.percent <= 100:
        errors.append("percent must be from 0 to 100")
    return errors


def check_void(v: Void) -> list[str]:
    return [f"bad id {i!r}" for i in (v.id, v.target) if not _ID_RE.match(i)]


def _check(record: Record) -> list[str]:
    if isinstance(record, Block):
        return check_block(record)
    return check_exam(record) if isinstance(record, Exam) else check_void(record)


def _check_common(record_id: str, day: str) -> list[str]:
    errors = []
    if not _ID_RE.match(record_id):
        errors.append(f"bad id {record_id!r}")
    try:
        date.fromisoformat(day)
    except ValueError:
        errors.append(f"date {day!r} is not YYYY-MM-DD")
    return errors


# the file ---------------------------------------------------------------------


def log_path(root: Path, device: str) -> Path:
    return root / STUDY_DIR / f"{device}.jsonl"


def encode(record: Record) -> bytes:
    d: dict[str, object] = {"v": 1}
    if isinstance(record, Void):
        d.update(kind="void", id=record.id, target=record.target, time=record.time)
    elif isinstance(record, Block):
        d.update(kind="block", id=record.id, date=record.date, time=record.time)
        d.update(source=record.source, mode=record.mode, questions=record.questions)
        m = float(record.minutes)
        d.update(correct=record.correct, minutes=int(m) if m.is_integer() else round(m, 1))
        if record.misses:
            d["misses"] = dict(record.misses)
        if record.pathway_misses:
            d["pathway_misses"] = dict(record.pathway_misses)
    else:
        d.update(kind="exam", id=record.id, date=record.date, time=record.time)
        d.update(name=record.name, form=record.form)
        if record.score is not None:
            d["score"] = record.score
        else:
            d["percent"] = record.percent
    return (json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def append(root: Path, device: str, record: Record) -> None:
    """Validate, append and fsync: when this returns the record survives a power cut."""
    errors = _check(record)
    if errors:
        raise ValueError("; ".join(errors))
    # the lock every collection writer takes (see Collection), so appends never interleave
    with locked(root / CACHE_DIR / "write.lock"):
        append_line(log_path(root, device), encode(record))


def decode(line: bytes, device: str) -> Record | str:
    """One record, or a message saying what is wrong with the line."""
    try:
        d = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested deep
        return "not a JSON record, skipped"
    if not isinstance(d, dict):
        return "not a JSON object, skipped"
    kind = d.get("kind")
    try:
        if kind == "void":
            rec: Record = Void(_str(d, "id"), _str(d, "target"), _time(d), device)
        elif kind == "block":
            rec = Block(
                id=_str(d, "id"),
                date=_str(d, "date"),
                source=_str(d, "source"),
                questions=_int(d, "questions"),
                correct=_int(d, "correct"),
                minutes=_num(d, "minutes"),
                mode=str(d.get("mode", "timed")),
                misses=_counts(d, "misses"),
                pathway_misses=_counts(d, "pathway_misses"),
                time=_time(d),
                device=device,
            )
        elif kind == "exam":
            score, percent = d.get("score"), d.get("percent")
            rec = Exam(
                id=_str(d, "id"),
                date=_str(d, "date"),
                name=_str(d, "name"),
                form=str(d.get("form") or exam_form(_str(d, "name"))),
                score=_int(d, "score") if score is not None else None,
                percent=_num(d, "percent") if percent is not None else None,
                time=_time(d),
                device=device,
            )
        else:
            return f"unknown record kind {kind!r}, skipped"
    except _Bad as e:
        return f"{kind} record: {e}, skipped"
    errors = _check(rec)
    if errors:
        return f"{kind} record: {'; '.join(errors)}, skipped"
    return rec


class _Bad(Exception):
    """A field of a log line has the wrong type."""


def _str(d: dict[str, object], key: str) -> str:
    v = d.get(key)
    if not isinstance(v, str):
        raise _Bad(f"missing or non-text {key!r}")
    return v


def _int(d: dict[str, object], key: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise _Bad(f"missing or non-integer {key!r}")
    return v


def _num(d: dict[str, object], key: str) -> float:
    v = d.get(key)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise _Bad(f"missing or non-numeric {key!r}")
    return float(v)


def _time(d: dict[str, object]) -> str:
    v = d.get("time", "")
    return v if isinstance(v, str) and _TIME_RE.match(v) else ""


def _counts(d: dict[str, object], key: str) -> dict[str, int]:
    v = d.get(key, {})
    if not isinstance(v, dict):
        raise _Bad(f"{key!r} is not an object")
    out: dict[str, int] = {}
    for k, n in v.items():
        if not isinstance(n, int) or isinstance(n, bool):
            raise _Bad(f"{key!r}: count for {k!r} is not a whole number")
        out[str(k)] = n
    return out


def log_files(root: Path) -> list[Path]:
    folder = root / STUDY_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.jsonl") if p.is_file())


def read_file(path: Path, out: StudyLog) -> None:
    """Add one device's records to `out`; problems become warnings."""
    device = path.stem
    try:
        data = read_regular(path, MAX_LOG_BYTES)  # never a pipe, never unbounded
    except OSError as e:
        out.warnings.append(Problem(str(path), 0, f"cannot read: {e.strerror}"))
        return
    end = data.rfind(b"\n") + 1
    lines = data[:end].split(b"\n")[:-1]
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        rec = decode(raw, device)
        if isinstance(rec, str):
            out.warnings.append(Problem(str(path), n, rec))
        elif isinstance(rec, Block):
            out.blocks.append(rec)
        elif isinstance(rec, Exam):
            out.exams.append(rec)
        else:
            out.voided.add(rec.target)
    if data[end:].strip():
        out.warnings.append(
            Problem(str(path), len(lines) + 1, "incomplete last line (interrupted write?), ignored")
        )


def read(root: Path) -> StudyLog:
    """Merge every device's log: blocks and exams oldest first, duplicates dropped, and
    voided ones out (a void may sit in another device's log than its target)."""
    out = StudyLog()
    for path in log_files(root):
        read_file(path, out)
    blocks = sorted(out.blocks, key=lambda b: (b.date, b.time, b.id))
    exams = sorted(out.exams, key=lambda e: (e.date, e.time, e.id))
    out.blocks = [b for b in _unique(blocks, root, out) if b.id not in out.voided]
    out.exams = [e for e in _unique(exams, root, out) if e.id not in out.voided]
    return out


_Record = TypeVar("_Record", Block, Exam)


def _unique(records: list[_Record], root: Path, out: StudyLog) -> list[_Record]:
    seen: set[str] = set()
    kept = []
    for r in records:
        if r.id in seen:
            path = log_path(root, r.device)
            out.warnings.append(Problem(str(path), 0, f"duplicate id {r.id!r}, later one ignored"))
            continue
        seen.add(r.id)
        kept.append(r)
    return kept


def void(root: Path, device: str, kind: str, record_id: str, time: str) -> Block | Exam:
    """Take the block or exam `record_id` out of the log by appending a void to this
    device's log; the record it took out. ValueError says why it cannot."""
    log = read(root)
    records: list[Block] | list[Exam] = log.blocks if kind == "block" else log.exams
    found = next((r for r in records if r.id == record_id), None)
    if found is None:
        if record_id in log.voided:
            raise ValueError(f"{kind} {record_id!r} is already deleted")
        raise ValueError(f"no {kind} with id {record_id!r}")
    append(root, device, Void(fresh_id(log), record_id, time, device))
    return found


def describe(record: Block | Exam) -> str:
    """One line naming a block or exam, e.g. `block 2026-11-20 uworld 29/40 (k3f9qz)`."""
    if isinstance(record, Block):
        what = f"block {record.date} {record.source} {record.correct}/{record.questions}"
    else:
        result = str(record.score) if record.score is not None else f"{record.percent:g}%"
        what = f"exam {record.date} {record.name} {result}"
    return f"{what} ({record.id})"


def block_exists(root: Path, block_id: str) -> bool:
    """Whether any device logged a block with this id (for `pearls add --block`)."""
    return any(b.id == block_id for b in read(root).blocks)
