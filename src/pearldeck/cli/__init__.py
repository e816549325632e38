"""The `pearls` command: a thin shell over `Collection`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pearldeck import __version__
from pearldeck.cli import collection_cmds, review_cmds, transfer_cmds
from pearldeck.cli.common import Options
from pearldeck.model import PearlError

app = typer.Typer(
    name="pearls",
    help=(
        "Spaced repetition for clinical pearls: YAML files in git, FSRS scheduling, "
        "a terminal review, Anki export.\n\n"
        "The collection folder is --dir, else $PEARLS_DIR, else ./pearls. "
        "Set PEARLS_NOW (ISO 8601) to fix the clock for scripts and tests, and "
        "PEARLS_DEVICE to name this machine's review log."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pearls (pearldeck) {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    dir: Annotated[
        Path | None,
        typer.Option("--dir", "-d", help="Collection folder [env: PEARLS_DIR; default: ./pearls]."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    folder = dir or Path(os.environ.get("PEARLS_DIR") or "pearls")
    ctx.obj = Options(dir=folder)


collection_cmds.register(app)
review_cmds.register(app)
transfer_cmds.register(app)
from pearldeck.cli import analytics_cmds  # noqa: E402

analytics_cmds.register(app)


def main() -> None:
    """Entry point: user errors become `path:line: message` lines and exit 1, never a traceback."""
    from pearldeck.store.fsutil import ChangedOnDisk, WriteFailed

    try:
        app()
    except PearlError as e:
        for p in e.problems:
            sys.stderr.write(f"{p}\n")
        sys.exit(1)
    except (ChangedOnDisk, WriteFailed) as e:
        sys.stderr.write(f"{e}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
