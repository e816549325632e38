"""Moving pearls in and out: `export` to an Anki deck, `import` from markdown notes."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
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
    print_pearl_table,
    tag_filter,
    tags_given,
)
from pearldeck.dedupe import not_present
from pearldeck.gcpause import gc_paused
from pearldeck.model import PATHWAYS, PearlError, Problem

if TYPE_CHECKING:
    from pearldeck.collection import Collection
    from pearldeck.drafts import PearlDraft
    from pearldeck.markdown_import import ImportDefaults

MAX_IMPORT_FILES = 10_000


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
    from pearldeck.anki_export import ExportError, export_apkg, safe_filename

    for p in pathway:
        check_pathway(p)
    out = _output_file(output, safe_filename)
    with open_collection(ctx) as col:
        pearls, modified = col.export_rows()
        find_media = col.media_file  # needs only the folder: usable once closed
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
            pearls, out, deck_name=deck, modified=modified, progress=progress, media=find_media
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
    click.echo(
        f"wrote {result.path}: {result.notes} notes, {result.cards} cards, "
        f"{result.decks} decks, {images}{shown}"
    )


def _output_file(output: str, safe_filename: Callable[[str], str]) -> Path:
    """`-o`'s file: a folder (existing, or written with a trailing slash, `.` or '')
    gets clinical-pearls.apkg inside it, as a user means by naming a folder."""
    path = Path(output)
    if not path.name or output.endswith(("/", os.sep)) or path.is_dir():
        return path / "clinical-pearls.apkg"
    return path.with_name(safe_filename(path.name))


def _read_inputs(paths: Sequence[str]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
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
            found = sorted(p for p in path.rglob("*.md") if p.is_file())
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


@command("import")
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="PATH...",
    help="Markdown files, Anki packages (.apkg, .colpkg), collection.anki2, folders, or -.",
)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be added; write nothing.")
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
) -> None:
    """Import pearls from markdown notes; safe to run again (nothing is added twice).

    List items with `prompt :: answer`, `{{c1::cloze}}` or `==highlight==`, and `Q:`/`A:`
    pairs are pearls; headings naming a pathway file them. See the README for the format.
    If any pearl is invalid nothing is written, unless --skip-invalid.

    Anki notes become pearls (the deck or tag mapped to a pathway by --map or --pathway)
    with their review history; reviews of pearldeck's own notes come home once.
    """
    from pearldeck.cli.anki_import_cmd import import_anki_files, split_anki
    from pearldeck.markdown_import import ImportDefaults

    check_pathway(pathway)
    anki_files, rest = split_anki(paths)
    if anki_files:
        import_anki_files(ctx, anki_files, maps, pathway, dry_run)
        if not rest:
            return
    paths = tuple(rest)
    tags = tags_given(tag)
    defaults = ImportDefaults(pathway=pathway, tags=tags, source=source, block=block)
    inputs, problems = _read_inputs(paths)
    drafts, skipped = _parse_inputs(inputs, defaults, problems)

    with open_collection(ctx) as col:
        if block is not None:
            _require_block(col, block)
        valid: list[PearlDraft] = []
        for d in drafts:
            found = col.validate_draft(d, d.origin or "<input>")
            problems.extend(found)
            if not found:
                valid.append(d)
        invalid = len(drafts) - len(valid)
        for p in problems:
            click.echo(str(p), err=True)
        if problems and not skip_invalid:
            click.echo(
                f"{len(problems)} problem(s); nothing imported (fix them, or --skip-invalid)",
                err=True,
            )
            raise click.exceptions.Exit(1)
        new = not_present(valid, col.find_same(valid))
        present = len(valid) - len(new)
        if dry_run:
            _preview(new)
        elif new:
            col.add_ids(new, now(), validated=True)  # each draft was checked just above
    per = Counter(d.pathway for d in new)
    verb = "would add" if dry_run else "added"
    detail = ", ".join(f"{per[p]} {p}" for p in PATHWAYS if per[p])
    click.echo(
        f"{verb} {len(new)} pearl(s)"
        + (f" ({detail})" if detail else "")
        + f"; {present} already present; {invalid} invalid; {skipped} paragraph(s) skipped"
    )
    if problems and skip_invalid:
        raise click.exceptions.Exit(0)


def _parse_inputs(
    inputs: list[tuple[str, bytes]], defaults: ImportDefaults, problems: list[Problem]
) -> tuple[list[PearlDraft], int]:
    """The drafts of every input and how many paragraphs were skipped; problems go to
    `problems`."""
    from pearldeck.markdown_import import decode_markdown, parse_markdown

    drafts: list[PearlDraft] = []
    skipped = 0
    for name, data in inputs:
        text, decode_problems = decode_markdown(data, name)
        problems.extend(decode_problems)
        if text is None:
            continue
        parsed = parse_markdown(text, name, defaults)
        drafts.extend(parsed.drafts)
        problems.extend(parsed.problems)
        skipped += parsed.skipped
    return drafts, skipped


def _preview(drafts: list[PearlDraft]) -> None:
    if drafts:
        rows = [(d.origin or "", d.pathway, d.text, d.back, d.tags) for d in drafts]
        print_pearl_table("from", rows)


def _require_block(col: Collection, block: str) -> None:
    if not col.study.block_exists(block):
        raise PearlError(
            [Problem(str(col.root), 0, f"no question block {block!r} (see `pearls block list`)")]
        )
