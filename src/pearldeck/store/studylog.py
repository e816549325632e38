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
from pathlib import Path
from typing import TypeVar

from pearldeck.model import Problem
from pearldeck.records import (  # the values live in the core; re-exported for old callers
    MAX_MINUTES,
    MAX_QUESTIONS,
    MISS_KINDS,
    MODES,
    SCALED_MAX,
    SCALED_MIN,
    SOURCES,
    Block,
    Exam,
    Record,
    StudyLog,
    Void,
    check_block,
    check_exam,
    check_record,
    check_void,
    describe,
    exam_form,
    fresh_id,
    normalise_source,
    parse_counts,
    parse_day,
    parse_score,
)
from pearldeck.store.fsutil import append_line, locked, read_regular
from pearldeck.store.layout import CACHE_DIR

__all__ = [
    "MAX_MINUTES",
    "MAX_QUESTIONS",
    "MISS_KINDS",
    "MODES",
    "SCALED_MAX",
    "SCALED_MIN",
    "SOURCES",
    "STUDY_DIR",
    "Block",
    "Exam",
    "Record",
    "StudyLog",
    "Void",
    "append",
    "block_exists",
    "check_block",
    "check_exam",
    "check_void",
    "decode",
    "describe",
    "encode",
    "exam_form",
    "fresh_id",
    "log_files",
    "log_path",
    "normalise_source",
    "parse_counts",
    "parse_day",
    "parse_score",
    "read",
    "read_file",
    "void",
]

STUDY_DIR = "study"
MAX_LOG_BYTES = 64 * 2**20
"""A study log is a few KB a year; a bigger one is refused, not read into memory."""
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


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
    errors = check_record(record)
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
    errors = check_record(rec)
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


def block_exists(root: Path, block_id: str) -> bool:
    """Whether any device logged a block with this id (for `pearls add --block`)."""
    return any(b.id == block_id for b in read(root).blocks)
