"""Re-import as a sync: which note cards are new, edited, unchanged, or deleted as pearls."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from pearldeck.drafts import PearlDraft
from pearldeck.markdown_import.common import Schedule
from pearldeck.model import Pearl, content_key


@dataclass(frozen=True)
class NoteCard:
    """A card read from a note, with its identity there."""

    draft: PearlDraft
    note: str
    key: str
    schedules: tuple[Schedule | None, ...] = ()

    @property
    def digest(self) -> str:
        """What the card says; an edit in the note changes it (its line moving does not)."""
        d = self.draft
        back = "\x00" if d.back is None else d.back
        data = "\x1f".join((d.pathway, d.text, back, "\x1e".join(d.tags), d.context or ""))
        return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


@dataclass
class SyncPlan:
    """What an import does to the collection."""

    add: list[NoteCard] = field(default_factory=list)
    update: list[tuple[NoteCard, Pearl]] = field(default_factory=list)
    """Cards edited in their note since the last import, with the pearl they update."""
    adopt: list[tuple[NoteCard, Pearl]] = field(default_factory=list)
    """Cards already in the collection with no record yet (imported before records)."""
    moved: list[tuple[NoteCard, Pearl]] = field(default_factory=list)
    """Edited cards now under another pathway: a pearl cannot move, so they are reported."""
    known: list[tuple[NoteCard, str]] = field(default_factory=list)
    """Cards whose pearl exists (unchanged, updated or adopted), with its id."""
    present: int = 0
    deleted: int = 0
    """Cards whose pearl the user deleted: not brought back."""


def plan_sync(
    cards: Sequence[NoteCard],
    records: Mapping[tuple[str, str], tuple[str, str]],
    existing: AbstractSet[str],
    load: Callable[[Iterable[str]], Mapping[str, Pearl]],
    find_same: Callable[[Sequence[PearlDraft]], Sequence[Pearl | None]],
) -> SyncPlan:
    """Decide each card's fate.

    `records`: (note, key) -> (pearl id, digest) from earlier imports; `existing`: the ids
    of the collection's pearls; `load`: those pearls by id; `find_same`: for each draft, a
    pearl with the same prompt and answer. A card unchanged since its record needs neither
    of the last two, so an import of unchanged notes reads no pearl."""
    plan = SyncPlan()
    slow: list[NoteCard] = []
    for card in cards:
        record = records.get((card.note, card.key))
        # a card with a schedule comment is looked at closely: its record must be right
        if record is not None and record[1] == card.digest and not card.schedules:
            if record[0] in existing:
                plan.present += 1
                plan.known.append((card, record[0]))
            else:
                plan.deleted += 1
            continue
        slow.append(card)
    if not slow:
        return plan
    notes = {c.note for c in slow}
    pearls = load({pid for (note, _), (pid, _) in records.items() if note in notes} & existing)
    # A card whose front was edited has a new key; if its pearl's card is gone from the note
    # and the pearl was read from the very line the new card is on, it is that card.
    keys_now = {(c.note, c.key) for c in cards}
    by_line: dict[str, tuple[str, str]] = {}
    for (note, key), (pid, _) in records.items():
        pearl = pearls.get(pid)
        if (note, key) not in keys_now and pearl is not None and pearl.origin:
            by_line[pearl.origin] = (note, pid)
    found: list[tuple[str, str] | None] = []
    distrusted: list[bool] = []
    for card in slow:
        record = records.get((card.note, card.key))
        bad = record is not None and not _made_from(pearls.get(record[0]), card.note)
        if bad:
            record = None
        elif record is None and card.draft.origin in by_line:
            note, pid = by_line.pop(card.draft.origin)
            record = (pid, "") if note == card.note else None
        found.append(record)
        distrusted.append(bad)
    if any(distrusted):  # rare: the pearl it names may be any note's, so read them all
        pearls = {**load({pid for pid, _ in records.values()} & existing), **pearls}
    by_origin = {p.origin: p.id for p in pearls.values() if p.origin}
    lone = [c.draft for c, r in zip(slow, found, strict=True) if r is None]
    twins = iter(find_same(lone) if lone else [])
    seen: set[str] = set()
    for card, record, bad in zip(slow, found, distrusted, strict=True):
        twin = next(twins) if record is None else None
        if bad:
            # a record naming a pearl made from another note (written by an import before
            # 2026-12 that paired cards and new pearls in the wrong order): not trusted. An
            # unchanged card is adopted by its twin below (which records it right); an edited
            # one updates the pearl read from this card's own line, if there is one.
            own = by_origin.get(card.draft.origin or "")
            if twin is None and own is not None:
                record = (own, "")
        if record is not None:
            pearl = pearls.get(record[0])
            if pearl is None:
                plan.deleted += 1
            elif record[1] == card.digest:
                plan.present += 1
                plan.known.append((card, pearl.id))
            elif pearl.pathway != card.draft.pathway:
                plan.present += 1
                plan.moved.append((card, pearl))
            else:
                plan.update.append((card, pearl))
                plan.known.append((card, pearl.id))
            continue
        key = f"{card.draft.pathway}\x1f{content_key(card.draft.text, card.draft.back)}"
        if twin is not None:
            plan.present += 1
            plan.adopt.append((card, twin))
            plan.known.append((card, twin.id))
        elif key in seen:
            plan.present += 1  # the same card twice in this import: the first one wins
        else:
            seen.add(key)
            plan.add.append(card)
    return plan


def _made_from(pearl: Pearl | None, note: str) -> bool:
    """Whether `pearl` came from `note`, by its origin (`path:line`); unknown counts as yes."""
    if pearl is None or not pearl.origin:
        return True
    return pearl.origin.rpartition(":")[0] == note
