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
from pearldeck.model import PATHWAYS, Pearl, PearlError, Problem


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
    from pearldeck.collection import init as init_collection

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
@click.option(
    "--image",
    "images",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="PATH",
    help="Copy an image into media/ and show it under the text (repeat).",
)
@click.option(
    "--back-image",
    "back_images",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="PATH",
    help="The same, shown under the answer (needs --back).",
)
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
    images: tuple[Path, ...],
    back_images: tuple[Path, ...],
) -> None:
    """Append one pearl to its pathway file and print its new id.

    Each --image is copied into the collection's media/ folder under a stable name and
    linked at the end of the text as ![](media/NAME) (for a question, the front: "what does
    this ECG show?"); each --back-image at the end of the answer."""
    check_pathway(pathway)
    if back_images and back is None:
        fail("--back-image needs --back: a cloze has no answer side", 2)
    tags = tuple(t for raw in tag for t in raw.replace(",", " ").split())
    from pearldeck.collection import MediaError
    from pearldeck.drafts import PearlDraft

    with open_collection(ctx) as col:
        if block is not None and not col.study.block_exists(block):
            fail(f"no question block {block!r}; see `pearls block list`", 2)
        draft = PearlDraft(
            pathway=pathway, text=text, back=back, tags=tags, source=source, block=block
        )
        problems = col.validate_draft(draft)
        if problems:  # before any file is copied in
            raise PearlError(problems)
        try:
            text = with_images(text, [col.add_media_file(p) for p in images])
            if back is not None:
                back = with_images(back, [col.add_media_file(p) for p in back_images])
        except MediaError as e:
            fail(str(e))
        draft = draft.model_copy(update={"text": text, "back": back})
        [pearl] = col.add([draft], now())
    click.echo(pearl.id)


def with_images(text: str, refs: list[str]) -> str:
    """`text` with an image line `![](media/...)` after it for each reference."""
    return "\n".join([text, *(f"![]({ref})" for ref in refs)])


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
    """Validate the whole collection: one `path:line: message` per problem, exit 1 if any.

    A pearl naming an image that is not in media/ is a problem; a file in media/ that no
    pearl uses is a warning (on stderr), not a failure."""
    with open_collection(ctx, valid=False, assign_ids=False) as col:
        if fix:
            n = col.fix_ids()
            if n:
                click.echo(f"assigned ids to {n} pearl(s)", err=True)
        missing, unused = col.media_report()
        problems = col.problems + missing
        pearls = col.pearls()
        n_pearls = len(pearls)
        skewed = col.clock_skew(now())
    for p in problems:
        click.echo(str(p))
    # advice only: none changes the exit code (a skewed review stands; style is a hint;
    # an unused image may be used later)
    warnings = [*skewed, *style_warnings(col.root, pearls)]
    warnings += [Problem(col.display(ref), 0, "used by no pearl") for ref in unused]
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
