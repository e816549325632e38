"""Commands on the pearls themselves: init, add, list, check."""

from __future__ import annotations

from pathlib import Path

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
    options,
    print_json,
    print_pearl_table,
)
from pearldeck.model import PATHWAYS, Pearl, Problem


def register(group: click.Group) -> None:
    for cmd in (init, add, list_pearls, check):
        group.add_command(cmd)


@command("init")
@click.argument(
    "path",
    cls=Argument,
    required=False,
    type=click.Path(path_type=Path),
    metavar="[PATH]",
    help="Folder to create (default: --dir).",
)
@click.pass_context
@guarded
def init(ctx: click.Context, path: Path | None) -> None:
    """Make a new collection: five pathway files, settings.toml, reviews/, .gitignore and
    .gitattributes (pearls added on two machines merge in git without a conflict).

    In an existing collection it adds only what is missing."""
    from pearldeck.store.layout import init_collection

    root = path or options(ctx).dir
    made = init_collection(root)
    for p in made:
        click.echo(f"created {p}")
    if not made:
        click.echo(f"{root} is already a collection; nothing changed")


@command("add")
@click.argument(
    "text",
    cls=Argument,
    metavar="TEXT",
    help="The pearl: a cloze ({{c1::...}}) or a question.",
)
@click.option("--pathway", "-p", required=True, metavar="PATHWAY", help=PATHWAY_HELP)
@click.option("--back", "-b", metavar="TEXT", help="The answer.")
@click.option("--tag", "-t", multiple=True, metavar="TAG", help="Concept tag (repeat).")
@click.option("--source", "-s", metavar="TEXT", help="e.g. 'UWorld 12345'.")
@click.option("--block", metavar="ID", help="Question block id it came from.")
@click.pass_context
@guarded
def add(
    ctx: click.Context,
    text: str,
    pathway: str,
    back: str | None,
    tag: tuple[str, ...],
    source: str | None,
    block: str | None,
) -> None:
    """Append one pearl to its pathway file and print its new id."""
    check_pathway(pathway)
    tags = tuple(t for raw in tag for t in raw.replace(",", " ").split())
    from pearldeck.drafts import PearlDraft

    draft = PearlDraft(pathway=pathway, text=text, back=back, tags=tags, source=source, block=block)
    with open_collection(ctx) as col:
        if block is not None:
            from pearldeck.store.studylog import block_exists

            if not block_exists(col.root, block):
                fail(f"no question block {block!r}; see `pearls block list`", 2)
        [pearl] = col.add([draft], now())
    click.echo(pearl.id)


@command("list")
@click.option("--pathway", "-p", metavar="PATHWAY", help=PATHWAY_HELP)
@click.option("--tag", "-t", metavar="TAG", help="Only pearls with this tag.")
@click.option("--leeches", is_flag=True, help="Only leeches.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@click.pass_context
@guarded
def list_pearls(
    ctx: click.Context, pathway: str | None, tag: str | None, leeches: bool, as_json: bool
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
        click.echo("no pearls", err=True)
        return
    print_pearl_table("id", [(p.id, p.pathway, p.text, p.back, p.tags) for p in pearls])


@command("check")
@click.option("--fix", is_flag=True, help="Assign ids to pearls that lack one.")
@click.pass_context
@guarded
def check(ctx: click.Context, fix: bool) -> None:
    """Validate the whole collection: one `path:line: message` per problem, exit 1 if any."""
    with open_collection(ctx, valid=False, assign_ids=False) as col:
        if fix:
            n = col.fix_ids()
            if n:
                click.echo(f"assigned ids to {n} pearl(s)", err=True)
        problems = col.problems
        pearls = col.pearls()
        n_pearls = len(pearls)
    for p in problems:
        click.echo(str(p))
    warnings = style_warnings(col.root, pearls)  # advice only: never changes the exit code
    for w in warnings:
        click.echo(f"warning: {w}")
    if problems:
        raise click.exceptions.Exit(1)
    tail = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(f"ok: {n_pearls} pearls in {len(PATHWAYS)} pathways, no problems{tail}", err=True)


def style_warnings(root: Path, pearls: list[Pearl]) -> list[Problem]:
    """The style rules of `lint` as `path:line: message`, in file order."""
    from pearldeck.lint import lint

    ordered = sorted(pearls, key=lambda p: (p.file, p.line))
    return [Problem(str(root / p.file), w.line, w.message) for p in ordered for w in lint(p)]
