"""What an Anki file holds, as plain values the mapping reads (the store fills them)."""

from __future__ import annotations

from dataclasses import dataclass, field

DELETED_TAG = "pearldeck::deleted"
"""The tag the export puts on the note of a pearl deleted in pearldeck."""


@dataclass(frozen=True, slots=True)
class NoteType:
    """An Anki note type (model)."""

    id: int
    name: str
    cloze: bool
    """A cloze type: one card per cloze number."""
    fields: tuple[str, ...]
    """Field names in order."""


@dataclass(frozen=True, slots=True)
class AnkiNote:
    """One note: its fields as Anki HTML."""

    id: int
    """Creation time in milliseconds."""
    guid: str
    type_id: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnkiCard:
    """One card of a note."""

    id: int
    note_id: int
    deck_id: int
    """Its home deck (the original deck of a card in a filtered deck)."""
    ord: int
    """Template number, or cloze number - 1."""
    queue: int
    due: int
    ivl: int


@dataclass(frozen=True, slots=True)
class AnkiReview:
    """One row of Anki's review log."""

    id: int
    """The answer time in milliseconds: unique in a collection."""
    card_id: int
    ease: int
    """The button: 1 again … 4 easy; 0 for a manual reschedule."""
    duration_ms: int
    kind: int
    """0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled."""


@dataclass(frozen=True)
class AnkiData:
    """Everything the import reads from one Anki file."""

    path: str
    note_types: dict[int, NoteType]
    decks: dict[int, str]
    """Deck id -> full name, `Parent::Child`."""
    notes: list[AnkiNote]
    cards: list[AnkiCard]
    reviews: list[AnkiReview]
    media: frozenset[str] = field(default_factory=frozenset)
    """Names of the media files the file carries."""
    created: int = 0
    """The collection's creation time (unix seconds): review cards' due days count from it."""
