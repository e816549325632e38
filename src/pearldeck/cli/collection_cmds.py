"""Commands on the pearls themselves: init, add, list, check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pearldeck.cli.common import (
    PATHWAY_HELP,
    check_pathway,
    fail,
    guarded,
    now,
    open_collection,
    options,
    print_json,
)
from pearldeck.model import PATHWAYS


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("add")(add)
    app.command("list")(list_pearls)
    app.command("check")(check)


@guarded
def init(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Folder to create (default: --dir).")] = None,
) -> None:
    """Make a new collection: five pathway files, settings.toml, reviews/ and a .gitignore."""
    from pearldeck.store.layout import init_collection

    root = path or options(ctx).dir
    made = init_collection(root)
    for p in made:
        typer.echo(f"created {p}")
    if not made:
        typer.echo(f"{root} is already a collection; nothing changed")


@guarded
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The pearl: a cloze ({{c1::...}}) or a question.")],
    pathway: Annotated[str, typer.Option("--pathway", "-p", help=PATHWAY_HELP)],
    back: Annotated[str | None, typer.Option("--back", "-b", help="The answer.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Concept tag (repeat).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="e.g. 'UWorld 12345'.")
    ] = None,
    block: Annotated[
        str | None, typer.Option("--block", help="Question block id it came from.")
    ] = None,
) -> None:
    """Append one pearl to its pathway file and print its new id."""
    check_pathway(pathway)
    tags = tuple(t for raw in tag or [] for t in raw.replace(",", " ").split())
    from pearldeck.drafts import PearlDraft

    draft = PearlDraft(pathway=pathway, text=text, back=back, tags=tags, source=source, block=block)
    with open_collection(ctx) as col:
        if block is not None:
            from pearldeck.store.studylog import block_exists

            if not block_exists(col.root, block):
                fail(f"no question block {block!r}; see `pearls block list`", 2)
        [pearl] = col.add([draft], now())
    typer.echo(pearl.id)


@guarded
def list_pearls(
    ctx: typer.Context,
    pathway: Annotated[str | None, typer.Option("--pathway", "-p", help=PATHWAY_HELP)] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only pearls with this tag.")
    ] = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Only leeches.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON array instead of a table.")
    ] = False,
) -> None:
    """List pearls as a table, or as JSON with --json."""
    check_pathway(pathway)
    with open_collection(ctx) as col:
        pearls = col.leeches() if leeches else col.pearls(pathway, tag)
        if leeches:
            pearls = [p for p in pearls if (not pathway or p.pathway == pathway)]
            pearls = [p for p in pearls if (not tag or tag in p.tags)]
    if as_json:
        print_json([p.fields() for p in pearls])
        return
    if not pearls:
        typer.echo("no pearls", err=True)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for col_name in ("id", "pathway", "pearl", "tags"):
        table.add_column(col_name, overflow="fold")
    for p in pearls:
        shown = p.text if p.back is None else f"{p.text} → {p.back}"
        table.add_row(p.id, p.pathway, shown, " ".join(p.tags))
    Console(soft_wrap=False, highlight=False).print(table, markup=False)


@guarded
def check(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help="Assign ids to pearls that lack one.")] = False,
) -> None:
    """Validate the whole collection: one `path:line: message` per problem, exit 1 if any."""
    with open_collection(ctx, valid=False, assign_ids=False) as col:
        if fix:
            n = col.fix_ids()
            if n:
                typer.echo(f"assigned ids to {n} pearl(s)", err=True)
        problems = col.problems
        n_pearls = len(col.pearls())
    for p in problems:
        typer.echo(str(p))
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: {n_pearls} pearls in {len(PATHWAYS)} pathways, no problems", err=True)
