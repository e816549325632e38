"""`pearls import` of markdown notes: parse, check, sync with what earlier imports made."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import check_pathway, fail, print_pearl_table
from pearldeck.model import PATHWAYS, PearlError, Problem

if TYPE_CHECKING:
    from pearldeck.collection import Collection
    from pearldeck.markdown_import.sync import NoteCard, SyncPlan


@dataclass(frozen=True)
class Options:
    """The command line of one `pearls import` of notes."""

    dry_run: bool
    pathway: str | None
    tags: tuple[str, ...]
    source: str | None
    block: str | None
    skip_invalid: bool
    inline_sep: str | None
    multiline_sep: str | None
    bold_cloze: bool


def check_separator(option: str, value: str | None) -> None:
    if value is not None and (
        not 1 <= len(value) <= 8 or any(c.isspace() or c.isalnum() for c in value)
    ):
        fail(f"{option} must be 1 to 8 punctuation characters, not {value!r}")


def import_markdown(col: Collection, paths: Sequence[str], opts: Options, now: datetime) -> None:
    """Import the notes at `paths` into `col`; prints the outcome, exits 1 on problems."""
    from pearldeck.markdown_import import ImportDefaults
    from pearldeck.markdown_import.sync import plan_sync
    from pearldeck.services.note_media import NoteMedia

    check_pathway(opts.pathway)
    check_separator("--inline-sep", opts.inline_sep)
    check_separator("--multiline-sep", opts.multiline_sep)
    media = NoteMedia(col.root)
    defaults = ImportDefaults(
        pathway=opts.pathway,
        tags=opts.tags,
        source=opts.source,
        block=opts.block,
        inline_sep=opts.inline_sep,
        multiline_sep=opts.multiline_sep,
        bold_cloze=opts.bold_cloze,
        media=media,
    )
    from pearldeck.services.note_cards import read_note_cards

    read = read_note_cards(paths, defaults, col.validate_draft, col.note_cache())
    problems, notes = read.problems, read.notes
    notes.extend(Problem(err, 0, "image not copied") for err in media.errors)
    for p in notes:
        click.echo(str(p), err=True)
    for p in problems:
        click.echo(str(p), err=True)
    if problems and not opts.skip_invalid:
        click.echo(
            f"{len(problems)} problem(s); nothing imported (fix them, or --skip-invalid)",
            err=True,
        )
        raise click.exceptions.Exit(1)
    records = {k: (r.pearl, r.digest) for k, r in col.import_records().items()}
    plan = plan_sync(read.cards, records, col.pearl_ids(), col.pearls_by_id, col.find_same)
    skipped = read.skipped
    for card, pearl in plan.moved:
        click.echo(
            f"{card.draft.origin}: not updated: pearl {pearl.id} is in {pearl.pathway}, "
            f"the note now files it under {card.draft.pathway} (delete it to re-import)",
            err=True,
        )
    if opts.dry_run:
        _preview(plan)
        scheduled = 0
    else:
        added = _write(col, plan, media, now)
        scheduled = _carry_schedules(col, [*zip(plan.add, added, strict=True), *plan.known])
    _summary(plan, opts.dry_run, len(problems), skipped, scheduled, read.files - read.parsed)


def _carry_schedules(col: Collection, cards: list[tuple[NoteCard, str]]) -> int:
    """The plugin's schedules of these cards as `import` events; returns how many were new."""
    from pearldeck.markdown_import.schedules import schedule_events
    from pearldeck.scheduler import make_scheduler

    cards = [(c, pid) for c, pid in cards if any(s is not None for s in c.schedules)]
    if not cards:
        return 0
    fsrs_scheduler = make_scheduler(col.settings)
    events = [
        e
        for c, pid in cards
        for e in schedule_events(
            pid,
            c.draft.text,
            c.draft.back,
            c.schedules,
            fsrs_scheduler,
            col.settings.day_starts_at,
            col.device,
        )
    ]
    from pearldeck.errors import WriteFailed

    try:
        return col.add_imported_events(events)
    except (OSError, WriteFailed) as e:  # the pearls are in: importing again carries them
        click.echo(f"warning: schedules not carried over ({e}); import again", err=True)
        return 0


def _write(col: Collection, plan: SyncPlan, media: object, now: datetime) -> list[str]:
    from pearldeck.collection import ImportRecord
    from pearldeck.errors import WriteFailed
    from pearldeck.services.note_media import NoteMedia

    if not (plan.add or plan.update or plan.adopt):
        return []
    from pearldeck.collection import MediaError

    assert isinstance(media, NoteMedia)
    try:
        media.copy_all()  # the images first: a pearl never names a missing file
    except MediaError as e:
        fail(f"{e}; nothing imported")
    records: list[ImportRecord] = []
    ids: list[str] = []
    if plan.add:
        ids = col.add_ids([c.draft for c in plan.add], now, validated=True)
        records.extend(
            ImportRecord(c.note, c.key, pid, c.digest) for c, pid in zip(plan.add, ids, strict=True)
        )
    for card, pearl in plan.update:
        draft = card.draft
        if draft.source is None and pearl.source is not None:
            draft = dataclasses.replace(draft, source=pearl.source)
        col.replace_pearl(pearl.id, draft, based_on=pearl)
        records.append(ImportRecord(card.note, card.key, pearl.id, card.digest))
    records.extend(ImportRecord(c.note, c.key, p.id, c.digest) for c, p in plan.adopt)
    try:
        col.record_imports(records)
    except (OSError, WriteFailed) as e:  # the pearls are in: the next import finds their text
        click.echo(f"warning: {col.root / 'imports.jsonl'}: not updated ({e})", err=True)
    return ids


def _preview(plan: SyncPlan) -> None:
    rows = [
        (c.draft.origin or "", c.draft.pathway, c.draft.text, c.draft.back, c.draft.tags)
        for c in plan.add
    ]
    rows += [
        (f"update {p.id}", c.draft.pathway, c.draft.text, c.draft.back, c.draft.tags)
        for c, p in plan.update
    ]
    if rows:
        print_pearl_table("from", rows)


def _summary(
    plan: SyncPlan, dry_run: bool, invalid: int, skipped: int, scheduled: int, unchanged: int
) -> None:
    per = Counter(c.draft.pathway for c in plan.add)
    detail = ", ".join(f"{per[p]} {p}" for p in PATHWAYS if per[p])
    parts = [
        ("would add" if dry_run else "added")
        + f" {len(plan.add)} pearl(s)"
        + (f" ({detail})" if detail else "")
    ]
    if plan.update:
        parts.append(f"{'would update' if dry_run else 'updated'} {len(plan.update)}")
    parts.append(f"{plan.present} already present")
    if plan.deleted:
        parts.append(f"{plan.deleted} deleted in pearldeck, not re-added")
    parts += [f"{invalid} invalid", f"{skipped} paragraph(s) skipped"]
    if scheduled:
        parts.append(f"{scheduled} review schedule(s) carried over")
    if unchanged:
        parts.append(f"{unchanged} unchanged note(s) not read again")
    click.echo("; ".join(parts))


def require_block(col: Collection, block: str) -> None:
    if not col.study.block_exists(block):
        raise PearlError(
            [Problem(str(col.root), 0, f"no question block {block!r} (see `pearls block list`)")]
        )
