"""The Anki part of `pearls import`: packages and collections into pearls and reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import fail, now, open_collection
from pearldeck.model import PATHWAYS

if TYPE_CHECKING:
    from pearldeck.services.anki_sync import AnkiImport

ANKI_SUFFIXES = (".apkg", ".colpkg", ".anki2", ".anki21")
MAX_LISTED = 30


def split_anki(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Anki files (given, or found in a folder) and the paths left for markdown."""
    anki: list[Path] = []
    rest: list[str] = []
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.suffix.lower() in ANKI_SUFFIXES and not path.is_dir():
            anki.append(path)
        elif raw != "-" and path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in (".apkg", ".colpkg") and p.is_file()
            )
            anki += found
            if not found or any(path.rglob("*.md")):
                rest.append(raw)
        else:
            rest.append(raw)
    return anki, rest


def import_anki_files(
    ctx: click.Context,
    files: list[Path],
    maps: tuple[str, ...],
    pathway: str | None,
    dry_run: bool,
) -> None:
    """Import each Anki file whole, or refuse it (exit 1) saying what to fix."""
    from pearldeck.anki_import.notes import parse_rule

    try:
        rules = tuple(parse_rule(m) for m in maps)
    except ValueError as e:
        fail(str(e), 2)
    failed = False
    with open_collection(ctx) as col:
        for path in files:
            result = col.import_anki(path, rules, pathway, now(), dry_run=dry_run)
            for p in result.problems:
                click.echo(str(p), err=True)
            if result.problems:
                click.echo(f"{path}: {len(result.problems)} problem(s); nothing imported", err=True)
                failed = True
                continue
            if result.unmapped:
                _list_unmapped(result.path, result.unmapped, result.decks, result.tags, dry_run)
                failed = failed or not dry_run
                continue
            _summary(result, dry_run)
    if failed:
        raise click.exceptions.Exit(1)


def _list_unmapped(
    path: str, count: int, decks: Counter[str], tags: Counter[str], dry_run: bool
) -> None:
    out = click.echo if dry_run else (lambda s: click.echo(s, err=True))
    verb = "would not be imported" if dry_run else "nothing imported"
    out(
        f"{path}: {count} note(s) have no pathway ({verb}); give --pathway, or --map rules "
        "such as --map 'Deck::Sub=chronic' --map 'tag:ethics=systems-based'. Found:"
    )
    out("  decks:")
    for deck, n in decks.most_common(MAX_LISTED):
        out(f"    {n:6d}  {deck or '(none)'}")
    if tags:
        out("  tags:")
        for tag, n in tags.most_common(MAX_LISTED):
            out(f"    {n:6d}  {tag}")
    if len(tags) > MAX_LISTED or len(decks) > MAX_LISTED:
        out(f"  (the {MAX_LISTED} most common of each)")


def _summary(result: AnkiImport, dry_run: bool) -> None:
    per = Counter(d.pathway for d in result.new)
    detail = ", ".join(f"{per[p]} {p}" for p in PATHWAYS if per[p])
    verb = "would add" if dry_run else "added"
    reviews = (
        f"{result.reviews} review(s) in the file"
        if dry_run
        else f"{result.added_events} new review(s) of {result.reviews} in the file"
    )
    skipped = []
    if result.not_reviews:
        skipped.append(f"{result.not_reviews} not reviews (reschedules, cram)")
    if result.deleted:
        skipped.append(f"{result.deleted} note(s) of pearls deleted here")
    if result.no_card:
        skipped.append(f"{result.no_card} of cards pearldeck does not make (reversed cards)")
    click.echo(
        f"{result.path}: {verb} {len(result.new)} pearl(s)"
        + (f" ({detail})" if detail else "")
        + f", {result.media} media file(s); {result.known} note(s) already pearls; {reviews}"
        + (f"; skipped {', '.join(skipped)}" if skipped else "")
    )
