"""The `pearls` click group: global options, and each command loaded when first needed."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import click

from pearldeck import __version__
from pearldeck.cli.common import Group, Options
from pearldeck.cli.quick import default_dir
from pearldeck.model import PearlError

# The module whose `register(group)` adds each command, in the order `pearls --help` lists
# them. A command imports only its own module: `pearls due` never loads the report code.
COMMANDS = {
    **dict.fromkeys(("init", "add", "list", "check"), "collection_cmds"),
    **dict.fromkeys(
        ("due", "next", "rate", "undo", "suspend", "unsuspend", "stats", "review", "ui"),
        "review_cmds",
    ),
    **dict.fromkeys(("export", "import"), "transfer_cmds"),
    **dict.fromkeys(("report", "optimize"), "analytics_cmds"),
    **dict.fromkeys(("block", "exam"), "study_cmds"),
}

HELP = (
    "Spaced repetition for clinical pearls: YAML files in git, FSRS scheduling, "
    "a terminal review, Anki export.\n\n"
    "The collection folder is --dir, else $PEARLS_DIR, else ./pearls. "
    "Set PEARLS_NOW (ISO 8601) to fix the clock for scripts and tests, and "
    "PEARLS_DEVICE to name this machine's review log."
)


class Pearls(Group):
    """The root group: it imports a command's module the first time the command is needed."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            _register(self, COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for name, area in COMMANDS.items():
            if name not in self.commands:
                _register(self, area)
        return [name for name in COMMANDS if name in self.commands] + [
            name for name in self.commands if name not in COMMANDS
        ]


def _register(group: click.Group, area: str) -> None:
    register: Callable[[click.Group], None] = importlib.import_module(
        f"pearldeck.cli.{area}"
    ).register
    register(group)


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"pearls (pearldeck) {__version__}")
        ctx.exit()


@click.group(
    "pearls",
    cls=Pearls,
    help=HELP,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--dir",
    "-d",
    "folder",
    type=click.Path(path_type=Path),
    help="Collection folder [env: PEARLS_DIR; default: ./pearls].",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the version.",
)
@click.pass_context
def app(ctx: click.Context, folder: Path | None) -> None:
    ctx.obj = Options(dir=folder or Path(default_dir()))


def run() -> None:
    """The full CLI: user errors become `path:line: message` lines and exit 1, never a traceback."""
    from pearldeck.errors import ChangedOnDisk, WriteFailed

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
