"""The log-block form's fields as a study-log Block, checked with the rules `block add` uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from pearldeck import records
from pearldeck.model import PATHWAYS

SOURCE_TITLES = {
    "uworld": "UWorld",
    "amboss": "AMBOSS",
    "nbme": "NBME",
    "uwsa": "UWSA",
    "free120": "Free 120",
    "other": "Other",
}
"""How each of records.SOURCES is written for the student."""


@dataclass(frozen=True)
class BlockFields:
    """What the student typed, as text (empty means not given)."""

    source: str
    mode: str
    questions: str
    correct: str
    minutes: str
    day: str
    misses: Mapping[str, str] = field(default_factory=dict)
    """Count by cause (records.MISS_KINDS)."""
    pathway_misses: Mapping[str, str] = field(default_factory=dict)
    """Count by pathway (PATHWAYS)."""


@dataclass(frozen=True)
class Checked:
    """A block ready to append, or the messages saying what is wrong (never both)."""

    block: records.Block | None
    problems: list[str]


def _number(text: str, what: str, problems: list[str], *, whole: bool = True) -> float | None:
    t = text.strip()
    if not t:
        problems.append(f"{what}: enter a number")
        return None
    try:
        return int(t) if whole else float(t)
    except ValueError:
        problems.append(f"{what}: {t!r} is not a {'whole ' if whole else ''}number")
        return None


def _counts(
    values: Mapping[str, str], allowed: tuple[str, ...], what: str, problems: list[str]
) -> dict[str, int]:
    """Given counts only, in the order of `allowed`; zero and empty are left out."""
    out: dict[str, int] = {}
    for name in allowed:
        t = values.get(name, "").strip()
        if not t:
            continue
        try:
            n = int(t)
        except ValueError:
            problems.append(f"{what}: {name} {t!r} is not a whole number")
            continue
        if n:
            out[name] = n
    return out


def check_fields(
    f: BlockFields, *, block_id: str, today: date, time: str, device: str, complete: bool = True
) -> Checked:
    """The Block the fields describe, checked by records.check_block.

    With `complete=False` (while the student is still typing) an empty questions, correct
    or minutes field is not a problem yet: the rules that need it are skipped.
    """
    problems: list[str] = []
    try:
        source = records.normalise_source(f.source)
    except ValueError as e:
        problems.append(str(e))
        source = f.source
    if not complete and not all(v.strip() for v in (f.questions, f.correct, f.minutes)):
        return Checked(None, [])
    questions = _number(f.questions, "questions", problems)
    correct = _number(f.correct, "correct", problems)
    minutes = _number(f.minutes, "minutes", problems, whole=False)
    misses = _counts(f.misses, records.MISS_KINDS, "misses", problems)
    by_pathway = _counts(f.pathway_misses, PATHWAYS, "pathway misses", problems)
    try:
        day = records.parse_day(f.day, today)
    except ValueError as e:
        problems.append(f"date {e}")
        day = today.isoformat()
    if questions is None or correct is None or minutes is None:
        return Checked(None, problems)
    block = records.new_block(
        records.Stamp(block_id, day, time, device),
        source=source,
        questions=int(questions),
        correct=int(correct),
        minutes=float(minutes),
        mode=f.mode,
        misses=misses,
        pathway_misses=by_pathway,
    )
    problems += records.check_block(block)
    return Checked(None, problems) if problems else Checked(block, [])


def block_label(block: records.Block) -> str:
    """`UWorld, 29/40`: how a block is named next to its id."""
    return f"{SOURCE_TITLES.get(block.source, block.source)}, {block.correct}/{block.questions}"


def most_missed_pathway(block: records.Block) -> str | None:
    """The pathway with the most misses in the block (first in PATHWAYS on a tie)."""
    if not block.pathway_misses:
        return None
    return max(PATHWAYS, key=lambda p: (block.pathway_misses.get(p, 0), -PATHWAYS.index(p)))
