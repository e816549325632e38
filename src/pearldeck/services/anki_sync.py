"""`pearls import` of an Anki file: read it, map its notes and reviews, write pearls,
media and review events — all of them, or (on any problem) none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pearldeck.anki_export import guid_for
from pearldeck.anki_import.notes import ORIGIN_PREFIX, NotePlan, Rule, plan_notes
from pearldeck.anki_import.reviews import PearlCards, plan_reviews
from pearldeck.model import PearlError, Problem, card_ids_for, split_card_id

if TYPE_CHECKING:
    from pearldeck.collection import Collection
    from pearldeck.drafts import PearlDraft
    from pearldeck.store.anki_read import AnkiFile


@dataclass
class AnkiImport:
    """What an Anki import found, and (unless refused or a dry run) wrote."""

    path: str
    notes: int = 0
    new: list[PearlDraft] = field(default_factory=list)
    known: int = 0
    """Notes that already are pearls (pearldeck's own, or imported before)."""
    media: int = 0
    """Media files the new pearls use."""
    reviews: int = 0
    """Review events in the file for pearls (new or known)."""
    added_events: int = 0
    not_reviews: int = 0
    no_card: int = 0
    problems: list[Problem] = field(default_factory=list)
    unmapped: int = 0
    deleted: int = 0
    """pearldeck's own notes of pearls deleted here, skipped."""
    decks: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)

    @property
    def refused(self) -> bool:
        return bool(self.problems or self.unmapped)


def gone_ids(col: Collection, present: frozenset[str]) -> frozenset[str]:
    """Pearl ids this collection had and deleted: in its review history or in git."""
    from pearldeck.store import gitlog

    cards = col.index.db.execute("SELECT DISTINCT card FROM events")
    had = {split_card_id(str(card))[0] for (card,) in cards}
    had |= {d.id for d in gitlog.deleted_pearls(col.root, set(present))}
    return frozenset(had - present)


def known_guids(col: Collection) -> tuple[dict[str, str], frozenset[str]]:
    """GUID -> pearl id for every pearl (its export GUID, and its Anki origin), and the ids."""
    out: dict[str, str] = {}
    ids: set[str] = set()
    for p in col.pearls():
        ids.add(p.id)
        out[guid_for(p.id)] = p.id
        if p.origin and p.origin.startswith(ORIGIN_PREFIX):
            out[p.origin[len(ORIGIN_PREFIX) :]] = p.id
    return out, frozenset(ids)


def import_anki(
    col: Collection,
    path: Path,
    rules: tuple[Rule, ...],
    default: str | None,
    now: datetime,
    *,
    dry_run: bool = False,
) -> AnkiImport:
    """Import one Anki file; a problem or an unmapped note refuses it whole."""
    from pearldeck.store.anki_read import AnkiReadError, open_anki

    out = AnkiImport(str(path))
    try:
        with open_anki(path) as f:
            _import(col, f, rules, default, now, dry_run, out)
    except AnkiReadError as e:
        out.problems.append(Problem(str(path), 0, str(e).removeprefix(f"{path}: ")))
    return out


def _import(
    col: Collection,
    f: AnkiFile,
    rules: tuple[Rule, ...],
    default: str | None,
    now: datetime,
    dry_run: bool,
    out: AnkiImport,
) -> None:
    from pearldeck.store.media import MediaError, add_media

    known, ids = known_guids(col)
    data = f.data
    out.notes = len(data.notes)
    # every media file is read and checked as it is met, before anything is written (and
    # read again to be written: a shared deck's images need not all fit in memory)
    refs: dict[str, str | None] = {}

    def resolve(name: str) -> str | None:
        if name not in refs:
            refs[name] = _check_media(f, name, out.problems)
        return refs[name]

    plan = plan_notes(data, rules, default, known, ids, resolve, gone_ids(col, ids))
    out.deleted = plan.deleted
    out.problems += plan.problems
    out.unmapped, out.decks, out.tags = plan.unmapped, plan.unmapped_decks, plan.unmapped_tags
    out.known = len(plan.known)
    for note, draft in plan.new:
        out.problems += col.validate_draft(draft, f"{data.path}: note {note.guid}")
    out.new = [d for _, d in plan.new]
    out.media = sum(1 for ref in refs.values() if ref)
    if out.refused:
        return
    if not dry_run:
        for name, ref in refs.items():
            blob = f.media_bytes(name)
            try:
                if ref and blob is not None:
                    add_media(col.root, blob, name)
            except MediaError as e:  # the disk refused it: no pearl is written either
                raise PearlError([Problem(str(col.root), 0, str(e))]) from None
        if out.new:
            col.add_ids(out.new, now, validated=True)
    reviews = plan_reviews(data, _pearl_cards(col, plan, dry_run), col.device)
    out.reviews, out.not_reviews, out.no_card = (
        len(reviews.events),
        reviews.not_reviews,
        reviews.no_card,
    )
    if not dry_run:
        out.added_events = col.add_imported_events(reviews.events)


def _check_media(f: AnkiFile, name: str, problems: list[Problem]) -> str | None:
    """The `media/...` path a media file will be kept under; None (and why) if it cannot."""
    from pearldeck.store.media import MediaError, media_name

    blob = f.media_bytes(name)
    if blob is None:
        problems.append(Problem(f.data.path, 0, f"media file {name!r} cannot be read"))
        return None
    try:
        ref = f"media/{media_name(blob, name)}"
    except MediaError as e:
        problems.append(Problem(f.data.path, 0, f"media {e}"))
        return None
    return ref


def _pearl_cards(col: Collection, plan: NotePlan, dry_run: bool) -> Mapping[int, PearlCards]:
    """Note id -> its pearl's cards; a dry run stands in for the pearls not yet written."""
    by_origin = {p.origin: p for p in col.pearls() if p.origin}
    by_id = {p.id: p for p in col.index.pearls(ids=list(plan.known.values()))}
    out: dict[int, PearlCards] = {}
    for nid, pid in plan.known.items():
        p = by_id.get(pid)
        if p is not None:
            out[nid] = PearlCards(p.id, p.is_cloze, frozenset(p.card_ids()))
    for note, draft in plan.new:
        found = by_origin.get(draft.origin or "")
        if found is not None:
            out[note.id] = PearlCards(found.id, found.is_cloze, frozenset(found.card_ids()))
        elif dry_run:
            pid = f"new{note.id}"
            cards = frozenset(card_ids_for(pid, draft.text, draft.back))
            out[note.id] = PearlCards(pid, draft.back is None, cards)
    return out
