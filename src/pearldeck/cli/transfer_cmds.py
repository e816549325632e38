"""Moving pearls in and out: `export` to an Anki deck, `import` from markdown notes."""

from __future__ import annotations

import sys
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
    type=click.Path(path_type=Path),
    metavar="FILE",
    default=Path("decks/clinical-pearls.apkg"),
    show_default=True,
    help="The .apkg to write.",
)
@click.option(
    "--pathway", "-p", multiple=True, metavar="PATHWAY", help=f"{PATHWAY_HELP} Repeatable."
)
@click.option(
    "--tag", "-t", multiple=True, metavar="TAG", help="Only pearls with this tag (repeat: any)."
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
    output: Path,
    pathway: tuple[str, ...],
    tag: tuple[str, ...],
    deck: str,
) -> None:
    """Write an Anki deck (.apkg) with one subdeck per pathway.

    Importing a newer export into the same Anki profile updates the pearls you edited
    (keeping their Anki scheduling), adds new ones and leaves the rest alone.
    """
    from pearldeck.anki_export import ExportError, export_apkg, safe_filename

    for p in pathway:
        check_pathway(p)
    out = output.with_name(safe_filename(output.name))
    with open_collection(ctx) as col:
        pearls, modified = col.index.export_rows()
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
        result = export_apkg(pearls, out, deck_name=deck, modified=modified, progress=progress)
    except ExportError as e:
        fail(str(e))
    finally:
        if bar is not None:
            bar.stop()
    size = result.size / 1024
    shown = f"{size:.0f} KB" if size < 1024 else f"{size / 1024:.1f} MB"
    click.echo(
        f"wrote {result.path}: {result.notes} notes, {result.cards} cards, "
        f"{result.decks} decks, {shown}"
    )


@command("import")
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="PATH...",
    help="Markdown files, folders (an Obsidian vault), or - for stdin.",
)
@click.option(
    "--dry-run", "-n", is_flag=True, help="Show what would be added or updated; write nothing."
)
@click.option(
    "--pathway", "-p", metavar="PATHWAY", help="Pathway for pearls under no pathway heading."
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
@click.pass_context
@guarded
@gc_paused()  # 10^5 objects, none cyclic; they die on return, before the GC resumes
def import_notes(
    ctx: click.Context,
    paths: tuple[str, ...],
    dry_run: bool,
    pathway: str | None,
    tag: tuple[str, ...],
    source: str | None,
    block: str | None,
    skip_invalid: bool,
    inline_sep: str | None,
    multiline_sep: str | None,
    bold_cloze: bool,
) -> None:
    """Import pearls from markdown notes; running it again syncs (edits update pearls).

    Obsidian spaced-repetition cards (`q::a`, `q:::a`, `?` lines, `==cloze==`,
    `{{c1::…}}`), list items, `Q:`/`A:` pairs and `## Question`/`## Answer` headings are
    pearls; headings naming a pathway file them. See the README for the format.
    If any pearl is invalid nothing is written, unless --skip-invalid.
    """
    from pearldeck.cli.import_notes import Options, import_markdown, require_block

    opts = Options(
        dry_run, pathway, tag, source, block, skip_invalid, inline_sep, multiline_sep, bold_cloze
    )
    with open_collection(ctx) as col:
        if block is not None:
            require_block(col.root, block)
        import_markdown(col, paths, opts, now())
