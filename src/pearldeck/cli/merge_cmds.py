"""`merge-file`: the git merge driver that merges pearl files by pearl id."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pearldeck.cli.common import command


def register(group: click.Group) -> None:
    group.add_command(merge_file)


_FILE = click.Path(path_type=Path, dir_okay=False)


@command("merge-file")
@click.argument("base", type=_FILE)
@click.argument("current", type=_FILE)
@click.argument("other", type=_FILE)
@click.argument("name", nargs=-1)  # the file's path in the repository (spaces and all)
def merge_file(base: Path, current: Path, other: Path, name: tuple[str, ...]) -> None:
    """Merge OTHER's changes since BASE into CURRENT, by pearl id (git's %O %A %B %P).

    As `git merge-file`: the result is written into CURRENT; exit 0 when clean, 1 when
    a pearl was edited on both sides (both versions are kept, marked for `pearls check`).
    Pearls added on either side are kept, an edit from one side is taken, and an edit
    wins over a deletion. `pearls init` registers it with git in this clone.
    """
    from pearldeck.services.setup import merge_pearl_files

    code, messages = merge_pearl_files(base, current, other, " ".join(name) or str(current))
    for message in messages:
        click.echo(message, err=True)
    sys.exit(code)
