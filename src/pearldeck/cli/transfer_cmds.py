"""Moving pearls in and out: `export` to an Anki deck, `import` from markdown notes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import (
    PATHWAY_HELP,
    Argument,
    check_pathway,
    command,
    fail,
    guarded,
    now,
    open_collection,
    pathway_param,
    tag_filter,
    tags_given,
)
from pearldeck.gcpause import gc_paused

if TYPE_CHECKING:
    pass


def register(group: click.Group) -> None:
    group.add_command(export)
    group.add_command(import_notes)


@command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(),
    metavar="FILE",
    default="decks/clinical-pearls.apkg",
    show_default=True,
    help="The .apkg to write (given a folder: clinical-pearls.apkg in it).",
)
@click.option(
    "--pathway",
    "-p",
    multiple=True,
    metavar="PATHWAY",
    callback=pathway_param,
    help=f"{PATHWAY_HELP} Repeatable.",
)
@click.option(
    "--tag",
    "-t",
    multiple=True,
    metavar="TAG",
    callback=tag_filter,
    help="Only pearls with this tag (repeat: any).",
)
@click.option(
    "--deck",
    default="Clinical Pearls",
    show_default=True,
    metavar="NAME",
    help="Top deck name in Anki.",
)
@click.pass_context
@guarded
@gc_paused()  # 50k pearls and their rows: see import_notes
def export(
    ctx: click.Context,
    output: str,
    pathway: tuple[str, ...],
    tag: tuple[str, ...],
    deck: str,
) -> None:
    """Write an Anki deck (.apkg) with one subdeck per pathway.

    Importing a newer export into the same Anki profile updates the pearls you edited
    (keeping their Anki scheduling), adds new ones and leaves the rest alone.
    """
    for p in pathway:
        check_pathway(p)
    write_deck(ctx, output, pathway, tag, deck)


def write_deck(
    ctx: click.Context, output: str, pathway: tuple[str, ...], tag: tuple[str, ...], deck: str
) -> None:
    """`pearls export`'s work, also done by `pearls import --export`."""
    from pearldeck.anki_filename import safe_filename
    from pearldeck.services import deck_stamp

    out = _output_file(output, safe_filename)
    with open_collection(ctx) as col:
        cache = col.cache_dir()
        deleted = col.deleted_pearls()
        digest = col.export_fingerprint(deck, pathway, tag, deleted[0])
        done = deck_stamp.up_to_date(cache, out, digest)
        if done is not None:
            click.echo(f"{out} is up to date ({done}): nothing changed since it was written")
            return
        pearls, modified = col.export_rows(deleted)
        find_media = col.media_file  # needs only the folder: usable once closed
    from pearldeck.anki_export import ExportError, export_apkg  # genanki: only to write

    if pathway:
        pearls = [p for p in pearls if p.pathway in pathway]
    if tag:
        pearls = [p for p in pearls if set(tag) & set(p.tags)]
    if not pearls:
        fail("no pearls to export (check --pathway and --tag)")

    bar = None
    if len(pearls) >= 5000 and sys.stderr.isatty():
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("exporting", total=len(pearls))
        bar.start()

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(task, completed=done)

    try:
        result = export_apkg(
            pearls,
            out,
            deck_name=deck,
            modified=modified,
            progress=progress,
            media=find_media,
            cache=cache,
        )
    except ExportError as e:
        fail(str(e))
    finally:
        if bar is not None:
            bar.stop()
    size = result.size / 1024
    shown = f"{size:.0f} KB" if size < 1024 else f"{size / 1024:.1f} MB"
    for ref in result.missing_media:
        click.echo(f"warning: image {ref} not found; see `pearls check`", err=True)
    images = f"{result.media} image{'s' * (result.media != 1)}, " if result.media else ""
    summary = f"{result.notes} notes, {result.cards} cards, {result.decks} decks, {images}{shown}"
    click.echo(f"wrote {result.path}: {summary}")
    if not result.missing_media:  # else the warnings are worth seeing again
        deck_stamp.record(cache, out, digest, summary)


def _output_file(output: str, safe_filename: Callable[[str], str]) -> Path:
    """`-o`'s file: a folder (existing, or written with a trailing slash, `.` or '')
    gets clinical-pearls.apkg inside it, as a user means by naming a folder."""
    path = Path(output)
    if not path.name or output.endswith(("/", os.sep)) or path.is_dir():
        return path / "clinical-pearls.apkg"
    return path.with_name(safe_filename(path.name))


@command("import")
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="PATH...",
    help="Markdown files, Anki packages (.apkg, .colpkg), collection.anki2, folders, or -.",
)
@click.option(
    "--dry-run", "-n", is_flag=True, help="Show what would be added or updated; write nothing."
)
@click.option(
    "--pathway",
    "-p",
    metavar="PATHWAY",
    callback=pathway_param,
    help="Pathway for pearls under no pathway heading, or in no --map rule's deck or tag.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="RULE",
    help="Anki deck or tag to pathway: 'Step2::Cardio=chronic', 'tag:ethics=systems-based'.",
)
@click.option(
    "--tag", "-t", multiple=True, metavar="TAG", help="Tag added to every pearl (repeat)."
)
@click.option("--source", "-s", metavar="TEXT", help="Source for every pearl (wins over files).")
@click.option("--block", metavar="ID", help="Question block id these pearls came from.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid pearls even if some are not.")
@click.option(
    "--inline-sep",
    metavar="SEP",
    help="Separator of one-line cards (default ::; SEP plus its last character, :::, "
    "makes a pearl each way).",
)
@click.option(
    "--multiline-sep",
    metavar="SEP",
    help="Line alone between a multi-line card's front and back (default ?; ?? each way).",
)
@click.option("--bold-cloze", is_flag=True, help="**Bold** text is a cloze, as in the plugin.")
@click.option(
    "--export",
    "export_to",
    type=click.Path(),
    metavar="FILE",
    help="Then write the whole collection to this Anki deck, as `pearls export -o FILE`.",
)
@click.pass_context
@guarded
@gc_paused()  # 10^5 objects, none cyclic; they die on return, before the GC resumes
def import_notes(
    ctx: click.Context,
    paths: tuple[str, ...],
    dry_run: bool,
    pathway: str | None,
    maps: tuple[str, ...],
    tag: tuple[str, ...],
    source: str | None,
    block: str | None,
    skip_invalid: bool,
    inline_sep: str | None,
    multiline_sep: str | None,
    bold_cloze: bool,
    export_to: str | None,
) -> None:
    """Import pearls from markdown notes; running it again syncs (edits update pearls).

    Obsidian spaced-repetition cards (`q::a`, `q:::a`, `?` lines, `==cloze==`,
    `{{c1::…}}`), list items, `Q:`/`A:` pairs and `## Question`/`## Answer` headings are
    pearls; headings naming a pathway file them. See the README for the format.
    If any pearl is invalid nothing is written, unless --skip-invalid.

    Anki notes become pearls (the deck or tag mapped to a pathway by --map or --pathway)
    with their review history; reviews of pearldeck's own notes come home once.

    Notes unchanged since the last import are not read again. With --export, one command
    takes notes to an Anki deck: `pearls import ~/vault --export deck.apkg`.
    """
    from pearldeck.cli.anki_import_cmd import import_anki_files, split_anki
    from pearldeck.cli.import_notes import Options, import_markdown, require_block

    check_pathway(pathway)
    anki_files, rest = split_anki(paths)
    if anki_files:
        import_anki_files(ctx, anki_files, maps, pathway, dry_run)
    if rest:
        opts = Options(
            dry_run,
            pathway,
            tags_given(tag),
            source,
            block,
            skip_invalid,
            inline_sep,
            multiline_sep,
            bold_cloze,
        )
        with open_collection(ctx) as col:
            if block is not None:
                require_block(col, block)
            import_markdown(col, rest, opts, now())
    if export_to is not None and not dry_run:
        write_deck(ctx, export_to, (), (), "Clinical Pearls")
