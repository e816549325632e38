"""Commands on the pearls themselves: init, add, list, check."""

from __future__ import annotations

import dataclasses
import sys
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
    pathway_param,
    print_json,
    print_pearl_table,
    tag_filter,
    tags_given,
)
from pearldeck.model import MERGE_MARKER, PATHWAYS, Pearl, PearlError, Problem


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
@click.option(
    "--git/--no-git",
    "git",
    default=None,
    help="Make the folder a git repository (git init), to sync it between machines. "
    "Default: ask, when run in a terminal.",
)
@click.pass_context
@guarded
def init(ctx: click.Context, path: Path | None, git: bool | None) -> None:
    """Make a new collection: five pathway files, settings.toml, reviews/, .gitignore and
    .gitattributes; in a git clone, register `pearls merge-file` so that git merges
    pearl files by pearl id (git does not copy this with a clone: run init in each).

    In an existing collection it adds only what is missing."""
    from pearldeck.services.setup import git_init, in_git_repository
    from pearldeck.services.setup import init as init_collection
    from pearldeck.services.setup import register_merge_driver as register_driver

    root = path or options(ctx).dir
    made = init_collection(root)
    for p in made:
        click.echo(f"created {p}")
    try:
        done = register_driver(root)
    except OSError as e:
        fail(str(e))
    for what in done:
        click.echo(f"git merge driver: {what}")
    if not made and not done:
        click.echo(f"{root} is already a collection; nothing changed")
    if git is False:
        return
    if in_git_repository(root):
        if git:
            click.echo(f"{root} is already inside a git repository; not making another")
        return
    if git is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            click.echo(f"to sync it with git: pearls init {root} --git (or git init {root})")
            return
        git = click.confirm("Make it a git repository (git init), to sync it?", default=True)
    if git:
        click.echo(git_init(root))


def _check_merge_driver(root: Path, fix: bool) -> None:
    """Offer (with --fix, make) the pearl-aware git merge in a clone that lacks it."""
    from pearldeck.services.setup import merge_driver_missing
    from pearldeck.services.setup import register_merge_driver as register_driver

    missing = merge_driver_missing(root)
    if not missing:
        return
    if fix:
        try:
            done = register_driver(root)
        except OSError as e:
            fail(str(e))
        for what in done:
            click.echo(f"git merge driver: {what}", err=True)
        return
    click.echo(
        "note: git merges pearl files line by line in this clone (lacking "
        + " and ".join(missing)
        + "); run `pearls check --fix` to merge them by pearl id",
        err=True,
    )


@command("add")
@click.argument(
    "text",
    cls=Argument,
    required=False,
    metavar="[TEXT]",
    help="The pearl: a cloze ({{c1::...}}) or a question. Without it, in a terminal, the "
    "app's Add form opens, linked to the last block logged.",
)
@click.option("--pathway", "-p", metavar="PATHWAY", callback=pathway_param, help=PATHWAY_HELP)
@click.option("--back", "-b", metavar="TEXT", help="The answer.")
@click.option(
    "--tag",
    "-t",
    multiple=True,
    metavar="TAG",
    help="Concept tag (repeat, or separate with commas); 'ICU care' is the tag icu-care.",
)
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
    text: str | None,
    pathway: str | None,
    back: str | None,
    tag: tuple[str, ...],
    source: str | None,
    block: str | None,
    images: tuple[Path, ...],
    back_images: tuple[Path, ...],
) -> None:
    """Append one pearl to its pathway file and print its new id.

    With no TEXT (in a terminal), open the app's Add form for quick capture during a
    block: linked to the last block logged, on the pathway it missed most (or -p).

    Each --image is copied into the collection's media/ folder under a stable name and
    linked at the end of the text as ![](media/NAME) (for a question, the front: "what does
    this ECG show?"); each --back-image at the end of the answer."""
    if text is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            fail("give the pearl's TEXT (the Add form opens only in a terminal)", 2)
        from pearldeck.tui.app import PearlsApp

        PearlsApp(options(ctx).dir, start="add", pathway=pathway).run()
        return
    if pathway is None:
        fail("missing option '--pathway' / '-p': the pathway the pearl goes to", 2)
    check_pathway(pathway)
    if back_images and back is None:
        fail("--back-image needs --back: a cloze has no answer side", 2)
    tags = tags_given(tag)
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
        draft = dataclasses.replace(draft, text=text, back=back)
        [pearl] = col.add([draft], now())
    click.echo(pearl.id)


def with_images(text: str, refs: list[str]) -> str:
    """`text` with an image line `![](media/...)` after it for each reference."""
    return "\n".join([text, *(f"![]({ref})" for ref in refs)])


@command("list")
@click.option("--pathway", "-p", metavar="PATHWAY", callback=pathway_param, help=PATHWAY_HELP)
@click.option("--tag", "-t", metavar="TAG", callback=tag_filter, help="Only pearls with this tag.")
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
@click.option(
    "--fix",
    is_flag=True,
    help="Assign ids to pearls that lack one; set up the git merge driver in this clone.",
)
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
        _check_merge_driver(col.root, fix)
        shown = {str(w) for w in col.last_refresh.warnings}  # printed as it opened
        skipped = col.skipped_log_lines()
    for p in problems:
        click.echo(str(p))
    for p in skipped:
        if str(p) not in shown:
            click.echo(f"warning: {p}")
    # advice only: none changes the exit code (a skewed review stands; style is a hint;
    # an unused image may be used later)
    warnings = [*skewed, *style_warnings(col.root, pearls)]
    warnings += [Problem(col.display(ref), 0, "used by no pearl") for ref in unused]
    for w in warnings:
        click.echo(f"warning: {w}")
    # a merge left its markers in a log: the user must finish that merge
    markers = [p for p in skipped if p.kind == MERGE_MARKER]
    if problems or markers:
        raise click.exceptions.Exit(1)
    tail = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(f"ok: {n_pearls} pearls in {len(PATHWAYS)} pathways, no problems{tail}", err=True)


def style_warnings(root: Path, pearls: list[Pearl]) -> list[Problem]:
    """The style rules of `lint` as `path:line: message`, in file order."""
    from pearldeck.lint import lint

    ordered = sorted(pearls, key=lambda p: (p.file, p.line))
    return [Problem(str(root / p.file), w.line, w.message) for p in ordered for w in lint(p)]
