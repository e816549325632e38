"""Frozen value types shared by every layer: pearls, cards, problems."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

# re-exported: most code takes them from here
from pearldeck.pathways import PATHWAY_TITLES as PATHWAY_TITLES
from pearldeck.pathways import PATHWAYS as PATHWAYS
from pearldeck.tags import normalise_tag as normalise_tag
from pearldeck.tags import split_tags as split_tags

# Anki's cloze syntax: {{c1::answer}} or {{c1::answer::hint}}; the answer may not contain "}}".
CLOZE_RE = re.compile(r"\{\{c(\d{1,3})::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_CLOZE_MARK = re.compile(r"\{\{c(\d{1,3})::|\}\}")
ID_RE = re.compile(r"^[a-z0-9]{4,16}$")
# the problem of a pearl with no id: `check --fix` and every open with ids on write one
NO_ID = "pearl has no id"
TAG_RE = re.compile(r"^[^\s,\[\]{}]+$")

# What a Problem is about. Code branches on these, never on a message's words.
SYNTAX = "syntax"
"""The file cannot be read as a list of pearl mappings (YAML, anchors, structure)."""
VALUE = "value"
"""A pearl's value has the wrong type or form (a list for text, a bad id or date)."""
SCHEMA = "schema"
"""Any other rule a pearl breaks: unknown key, no text, a broken cloze, a bad tag."""
MISSING_ID = "missing-id"
DUPLICATE_ID = "duplicate-id"
FILE = "file"
"""The file itself: too large, not UTF-8, unreadable, misnamed."""
MERGE_MARKER = "merge-marker"
"""A line a git merge left half done (conflict markers): the user must finish the merge."""
OTHER = "other"
KINDS = (SYNTAX, VALUE, SCHEMA, MISSING_ID, DUPLICATE_ID, FILE, MERGE_MARKER, OTHER)


class Rating(IntEnum):
    """A review answer, numbered as Anki's and FSRS's buttons are."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, word: str) -> Rating:
        """Read `again|hard|good|easy` or `1`–`4`."""
        word = word.strip().lower()
        if word.isdigit() and 1 <= int(word) <= 4:
            return cls(int(word))
        try:
            return cls[word.upper()]
        except KeyError:
            raise ValueError(f"unknown rating {word!r}: use again, hard, good or easy") from None


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's files, shown as `path:line: message`."""

    path: str
    line: int
    message: str
    kind: str = "other"
    """What is wrong, for code to act on (one of KINDS); the message is for the student."""

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


class PearlError(Exception):
    """Raised with every problem found; the shells print them and exit non-zero."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Pearl:
    """One clinical pearl as it stands in its pathway file (read path: no validation cost)."""

    id: str
    """Stable short id; keys the schedule, the history and the Anki note."""
    pathway: str
    """One of PATHWAYS: where the pearl's file lives."""
    text: str
    """The prompt, or the whole pearl when it is a cloze."""
    back: str | None = None
    """The answer of a question/answer pearl; None for a cloze."""
    tags: tuple[str, ...] = ()
    """Free concept tags, e.g. `allergy`."""
    source: str | None = None
    """Where it came from, e.g. `UWorld 12345` or a guideline."""
    added: str | None = None
    """ISO date the pearl was added."""
    block: str | None = None
    """Id of the question block that produced it, if logged."""
    origin: str | None = None
    """`notes/cardio.md:12` for a pearl imported from markdown: where it was read."""
    notes: str | None = None
    """Extra explanation shown with the answer (Anki's Extra field)."""
    context: str | None = None
    """The heading path above it in the notes it was imported from, shown with the prompt."""
    file: str = ""
    """Path of its file relative to the collection."""
    line: int = 0
    """1-based line where the pearl's mapping starts."""
    order: int = 0
    """Position in the collection (file order, then place in file): new-card order."""

    @property
    def is_cloze(self) -> bool:
        return self.back is None

    def card_ids(self) -> list[str]:
        """A Q/A pearl has one card; a cloze pearl one per cloze number."""
        return card_ids_for(self.id, self.text, self.back)

    def content_key(self) -> str:
        """What decides 'the same pearl' for import dedup."""
        return content_key(self.text, self.back)

    def fields(self) -> dict[str, object]:
        """The user-visible fields, for JSON output."""
        return {
            "id": self.id,
            "pathway": self.pathway,
            "text": self.text,
            "back": self.back,
            "tags": list(self.tags),
            "source": self.source,
            "added": self.added,
            "block": self.block,
            "origin": self.origin,
            "notes": self.notes,
            "context": self.context,
            "file": self.file,
            "line": self.line,
        }


_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


_ID_SPACE = 36**6
_ID_LIMIT = (2**40 // _ID_SPACE) * _ID_SPACE  # below it, 5 random bytes mod 36**6 are uniform


class _RandomBytes:
    """The system's random source read 4 KB at a time: an import of 10,000 pearls made
    10,000 `getrandom` calls for their ids. Emptied in a forked child, which must not
    draw the bytes its parent will."""

    def __init__(self) -> None:
        self.buf = b""
        self.pos = 0

    def take(self, k: int) -> bytes:
        if self.pos + k > len(self.buf):
            self.buf, self.pos = os.urandom(4096), 0
        self.pos += k
        return self.buf[self.pos - k : self.pos]

    def empty(self) -> None:
        self.buf, self.pos = b"", 0


_RANDOM = _RandomBytes()
os.register_at_fork(after_in_child=_RANDOM.empty)


def random_id() -> str:
    """Six base-36 characters, uniformly from the system's random source."""
    while (n := int.from_bytes(_RANDOM.take(5))) >= _ID_LIMIT:
        pass  # about 1 draw in 4,600: drawn again, so that every id is equally likely
    n %= _ID_SPACE
    out = []
    for _ in range(6):
        n, d = divmod(n, 36)
        out.append(_ID_ALPHABET[d])
    return "".join(out)


def card_ids_for(pearl_id: str, text: str, back: str | None) -> list[str]:
    if back is not None:
        return [pearl_id]
    numbers = sorted({int(m.group(1)) for m in CLOZE_RE.finditer(text)})
    return [f"{pearl_id}#c{n}" for n in numbers]


def nested_cloze(text: str) -> str | None:
    """The message for a cloze written inside another (`{{c1::a{{c2::b}}}}`), else None.

    CLOZE_RE would read the outer cloze up to the inner one's `}}` and leave `}}` behind,
    so such a card would show braces and ask half a word."""
    if text.count("{{c") < 2:
        return None
    open_: list[str] = []
    for m in _CLOZE_MARK.finditer(text):
        if m.group(1) is None:
            if open_:
                open_.pop()
        elif open_:
            return (
                f"nested cloze: {{{{c{m.group(1)}::…}}}} is inside {open_[-1]}; "
                "write clozes side by side, not one inside another"
            )
        else:
            open_.append(f"{{{{c{m.group(1)}::…}}}}")
    return None


def content_key(text: str, back: str | None) -> str:
    """Normalised prompt and answer: two pearls with the same key are the same pearl."""
    return f"{normalise(text)}\x1f{normalise(back or '')}"


def normalise(text: str) -> str:
    """Case-, space- and markup-insensitive form used to spot the same pearl twice."""
    text = CLOZE_RE.sub(lambda m: m.group(2), text)
    return " ".join(text.casefold().split())


def split_card_id(card_id: str) -> tuple[str, int | None]:
    """`k3f9qz#c2` -> (`k3f9qz`, 2); `k3f9qz` -> (`k3f9qz`, None)."""
    pearl_id, sep, rest = card_id.partition("#c")
    if sep and rest.isdigit():
        return pearl_id, int(rest)
    return pearl_id, None


def render_prompt(pearl: Pearl, cloze: int | None) -> str:
    """The question side: the asked cloze as `[...]` (or its hint), the others shown."""
    if cloze is None:
        return pearl.text

    def sub(m: re.Match[str]) -> str:
        if int(m.group(1)) == cloze:
            return f"[{m.group(3)}]" if m.group(3) else "[...]"
        return m.group(2)

    return CLOZE_RE.sub(sub, pearl.text)


def render_answer(pearl: Pearl, cloze: int | None) -> str:
    """The answer side: the back, or the cloze text with the asked deletion filled in."""
    if cloze is None:
        return pearl.back or ""
    return CLOZE_RE.sub(lambda m: m.group(2), pearl.text)


EVENT_KINDS = ("review", "undo", "suspend", "unsuspend", "bury", "import")


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a review log. Logs are append-only; state is their fold."""

    id: str
    """Random, unique; breaks ties between events at the same time."""
    kind: str
    """One of EVENT_KINDS."""
    card: str
    time: str
    """UTC, ISO 8601 with microseconds and `Z`: sorts as text."""
    device: str = ""
    rating: int = 0
    duration: float = 0.0
    """Seconds spent on the card."""
    prev: str | None = None
    """The card's last event when this review was made: a replay that agrees reuses `state`."""
    state: dict[str, object] | None = None
    """The FSRS state this review produced."""
    target: str | None = None
    """For an undo: the event it takes back."""
    seq: int = 0
    """Line number in its device's log: the order that device made its events in."""
    state_json: str | None = None
    """`state` as written in the log, parsed only when a replay needs it."""
    after: int | None = None
    """The FSRS state number (0–3) this review left the card in."""
    ref: int = -1
    """Byte offset of its line in its device's log, where `state` can be read back."""

    def sort_key(self) -> tuple[str, str]:
        return (self.time, self.id)

    def stored_state(self) -> dict[str, object] | None:
        if self.state is not None:
            return self.state
        if self.state_json is None:
            return None
        try:
            value = json.loads(self.state_json)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def result_state(self) -> int | None:
        """new 0, learning 1, review 2, relearning 3, after this review."""
        if self.after is not None:
            return self.after
        value = self.state.get("state") if self.state else None
        return value if isinstance(value, int) else None


def __getattr__(name: str) -> Any:
    # PearlDraft lives with the tag rule; loaded only when a pearl is being written
    if name == "PearlDraft":
        from pearldeck.drafts import PearlDraft

        return PearlDraft
    raise AttributeError(name)
