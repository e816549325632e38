"""Study records, the values below the study log: question blocks, practice exams, voids.

Their rules (what a valid block or exam is) serve both what a shell is given and what a log
line holds; `store.studylog` reads and writes them as JSON lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pearldeck.model import PATHWAYS, Problem, random_id

SOURCES = ("uworld", "amboss", "nbme", "uwsa", "free120", "other")
MISS_KINDS = ("knowledge", "misread", "rushing", "fatigue", "other")
MODES = ("timed", "tutor")
MAX_QUESTIONS = 400
MAX_MINUTES = 24 * 60
SCALED_MIN, SCALED_MAX = 100, 300
_ID_RE = re.compile(r"^[a-z0-9]{4,16}$")


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


# new records: the one place a block or exam the student logs is made


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a new block or exam carries besides what the student gave."""

    id: str
    """An id the log has never used (fresh_id)."""
    date: str
    """ISO study day it was done (parse_day)."""
    time: str
    """UTC moment it is logged, in the logs' one time format."""
    device: str
    """The device whose log it joins."""


def stamp(log: StudyLog, day: str, now: datetime, device: str) -> Stamp:
    """The stamp of a record joining `log` now, done on the ISO study `day`."""
    from pearldeck.scheduler import iso  # the logs' one time format; loads fsrs, so lazily

    return Stamp(fresh_id(log), day, iso(now), device)


def new_block(
    s: Stamp,
    *,
    source: str,
    questions: int,
    correct: int,
    minutes: float,
    mode: str = "timed",
    misses: Mapping[str, int] | None = None,
    pathway_misses: Mapping[str, int] | None = None,
) -> Block:
    """A question block as logged (the mode's case and spaces dropped); check_block says
    what is wrong with it, if anything."""
    return Block(
        id=s.id,
        date=s.date,
        source=source,
        questions=questions,
        correct=correct,
        minutes=minutes,
        mode=mode.strip().lower(),
        misses=dict(misses or {}),
        pathway_misses=dict(pathway_misses or {}),
        time=s.time,
        device=s.device,
    )


def exam_result(name: str, score: str) -> tuple[str, int | None, float | None]:
    """The exam's name (runs of spaces made one) and its scaled score or percent, from what
    the student typed; ValueError in the words of `pearls exam add`."""
    scaled, percent = parse_score(score)
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise ValueError("exam name must be 1 to 80 characters")
    return name, scaled, percent


def new_exam(s: Stamp, name: str, score: int | None, percent: float | None) -> Exam:
    """A practice-exam result as logged, its form guessed from its name."""
    return Exam(
        id=s.id,
        date=s.date,
        name=name,
        form=exam_form(name),
        score=score,
        percent=percent,
        time=s.time,
        device=s.device,
    )


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


def check_record(record: Record) -> list[str]:
    """Everything wrong with a block, exam or void, as messages for the student."""
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


def describe(record: Block | Exam) -> str:
    """One line naming a block or exam, e.g. `block 2026-11-20 uworld 29/40 (k3f9qz)`."""
    if isinstance(record, Block):
        what = f"block {record.date} {record.source} {record.correct}/{record.questions}"
    else:
        result = str(record.score) if record.score is not None else f"{record.percent:g}%"
        what = f"exam {record.date} {record.name} {result}"
    return f"{what} ({record.id})"
