"""`pearls import` of markdown notes: parse, check, sync with what earlier imports made."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import check_pathway, fail, print_pearl_table
from pearldeck.model import PATHWAYS, PearlError, Problem

if TYPE_CHECKING:
    from pearldeck.collection import Collection
    from pearldeck.markdown_import import ImportDefaults
    from pearldeck.markdown_import.sync import NoteCard, SyncPlan

MAX_IMPORT_FILES = 10_000


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
    inputs, problems = read_inputs(paths)
    notes: list[Problem] = []
    cards, skipped = parse_inputs(inputs, defaults, problems, notes)
    notes.extend(Problem(err, 0, "image not copied") for err in media.errors)
    valid: list[NoteCard] = []
    for card in cards:
        found = col.validate_draft(card.draft, card.draft.origin or "<input>")
        problems.extend(found)
        if not found:
            valid.append(card)
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
    wanted = {r[0] for r in records.values()}
    pearls = {p.id: p for p in col.index.pearls(ids=wanted)} if wanted else {}
    plan = plan_sync(valid, records, pearls, col.find_same([c.draft for c in valid]))
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
    _summary(plan, opts.dry_run, len(problems), skipped, scheduled)
    if problems and opts.skip_invalid:
        raise click.exceptions.Exit(0)


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


def _summary(plan: SyncPlan, dry_run: bool, invalid: int, skipped: int, scheduled: int) -> None:
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
    click.echo("; ".join(parts))


def read_inputs(paths: Sequence[str]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Files, folders (every *.md below) and `-` for stdin, each as (display path, bytes)."""
    from pearldeck.markdown_import import MAX_BYTES

    out: list[tuple[str, bytes]] = []
    problems: list[Problem] = []

    def read(path: Path) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                problems.append(
                    Problem(str(path), 0, f"larger than {MAX_BYTES // 2**20} MB; split it")
                )
                return
            out.append((str(path), path.read_bytes()))
        except OSError as e:
            problems.append(Problem(str(path), 0, f"cannot read: {e.strerror or e}"))

    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                problems.append(Problem("<stdin>", 0, "input too large; split it"))
            else:
                out.append(("<stdin>", data))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*.md") if p.is_file() and ".obsidian" not in p.parts
            )
            if len(found) > MAX_IMPORT_FILES:
                problems.append(Problem(raw, 0, f"more than {MAX_IMPORT_FILES} markdown files"))
                continue
            for p in found:
                read(p)
        elif path.exists():
            read(path)
        else:
            problems.append(Problem(raw, 0, "no such file or folder"))
    return out, problems


def parse_inputs(
    inputs: list[tuple[str, bytes]],
    defaults: ImportDefaults,
    problems: list[Problem],
    notes: list[Problem],
) -> tuple[list[NoteCard], int]:
    """The cards of every input and how many paragraphs were skipped."""
    from pearldeck.markdown_import import decode_markdown, parse_markdown
    from pearldeck.markdown_import.sync import NoteCard

    cards: list[NoteCard] = []
    skipped = 0
    for name, data in inputs:
        text, decode_problems = decode_markdown(data, name)
        problems.extend(decode_problems)
        if text is None:
            continue
        parsed = parse_markdown(text, name, defaults)
        for i, draft in enumerate(parsed.drafts):
            key = parsed.keys[i] if i < len(parsed.keys) else ""
            sched = parsed.schedules[i] if i < len(parsed.schedules) else ()
            cards.append(NoteCard(draft, name, key, sched))
        problems.extend(parsed.problems)
        notes.extend(parsed.notes)
        skipped += parsed.skipped
    return cards, skipped


def require_block(col: Collection, block: str) -> None:
    if not col.study.block_exists(block):
        raise PearlError(
            [Problem(str(col.root), 0, f"no question block {block!r} (see `pearls block list`)")]
        )
