"""What every command shares: the collection folder, the clock, output and errors."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from pearldeck.model import PATHWAYS, PearlError

if TYPE_CHECKING:
    from pearldeck.collection import Collection

P = ParamSpec("P")
R = TypeVar("R")
PATHWAY_HELP = f"Clinical pathway: {', '.join(PATHWAYS)} (or its title, any case)."


class Argument(click.Argument):
    """A positional argument with a line of help, which `Command` lists under "Arguments"."""

    def __init__(
        self,
        param_decls: Sequence[str],
        required: bool | None = None,
        help: str | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(param_decls, required=required, **attrs)
        self.doc = help or ""


class Command(click.Command):
    """A command whose help has an "Arguments" section before its options."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (p.make_metavar(ctx), f"{p.doc}  [required]" if p.required else p.doc)
            for p in self.get_params(ctx)
            if isinstance(p, Argument)
        ]
        if rows:
            with formatter.section("Arguments"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


class Group(click.Group):
    """A group that lists its commands in the order they were added."""

    command_class = Command
    group_class = type

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def command(name: str) -> Callable[[Callable[..., Any]], Command]:
    """Decorator: a `Command` called `name`, its help taken from the docstring."""
    return click.command(name, cls=Command)


@dataclass
class Options:
    """Global options, set by the main callback."""

    dir: Path = Path("pearls")


def options(ctx: click.Context) -> Options:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Options) else Options()


def now() -> datetime:
    """The clock: `PEARLS_NOW` (ISO 8601) when set, for scripts and tests."""
    value = os.environ.get("PEARLS_NOW")
    if not value:
        return datetime.now(UTC)
    from pearldeck.studyday import parse_now

    try:
        return parse_now(value)
    except ValueError:
        fail(
            f"PEARLS_NOW={value!r} is not an ISO 8601 time in 1970–8999, e.g. 2026-11-27T08:30:00Z"
        )


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(message, err=True)
    raise click.exceptions.Exit(code)


def check_pathway(pathway: str | None) -> str | None:
    """The pathway a `-p` names (`Acute`, `Acute care`, `acute`: as import headings accept
    them), or a usage error that lists the names."""
    if pathway is None or pathway in PATHWAYS:
        return pathway
    from pearldeck.pathways import PATHWAY_TITLES, pathway_named

    found = pathway_named(pathway)
    if found is None:
        names = ", ".join(f"{p} ({PATHWAY_TITLES[p]})" for p in PATHWAYS)
        fail(f"unknown pathway {pathway!r}; use one of: {names}", 2)
    return found


def pathway_param(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Click callback: `-p` values as pathway names (see check_pathway)."""
    if isinstance(value, tuple):
        return tuple(check_pathway(v) for v in value)
    return check_pathway(value)


def tag_filter(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Click callback: a `-t` filter matched by the one tag rule (`Pulm` finds `pulm`)."""
    from pearldeck.model import normalise_tag

    if isinstance(value, tuple):
        return tuple(normalise_tag(v) for v in value)
    return normalise_tag(value) if value else value


def tags_given(values: Sequence[str]) -> tuple[str, ...]:
    """Tags given with `-t` (repeatable, comma-separated): `-t 'ICU care'` is one tag."""
    from pearldeck.model import split_tags

    return tuple(dict.fromkeys(t for v in values for t in split_tags(v)))


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def open_collection(
    ctx: click.Context, *, valid: bool = True, assign_ids: bool = True
) -> Collection:
    """Open the collection; with `valid`, any problem in the files stops the command."""
    from pearldeck.collection import Collection

    try:
        col = Collection(options(ctx).dir, assign_ids=assign_ids)
    except ValueError as e:
        fail(str(e))
    for w in col.last_refresh.warnings:
        click.echo(f"warning: {w}", err=True)
    if col.last_refresh.ids_assigned:
        click.echo(f"assigned ids to {col.last_refresh.ids_assigned} pearl(s)", err=True)
    if valid and col.problems:
        col.close()
        raise PearlError(col.problems)
    return col


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can cause into messages and exit 1, never a traceback."""
    from pearldeck.errors import ChangedOnDisk, WriteFailed

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in (1, 2):
            try:
                return fn(*args, **kwargs)
            except PearlError as e:
                for p in e.problems:
                    click.echo(str(p), err=True)
                raise click.exceptions.Exit(1) from None
            except (ChangedOnDisk, WriteFailed) as e:
                fail(str(e))
            except Exception as e:
                # Collection.heal's policy, for a command whose collection is gone: the
                # damaged index is deleted and the command runs once more, which builds it
                # again (safe: a command that wrote text healed itself and did not fail)
                from pearldeck.collection import discard_damaged_index

                cache = discard_damaged_index(options(click.get_current_context()).dir, e)
                if cache is None:
                    raise
                if attempt == 2:
                    fail(
                        f"{cache}: the index (a cache of your files) is damaged again; it was "
                        "deleted, nothing of yours is lost. Check the disk, then run it again."
                    )
                click.echo(
                    f"warning: {cache}: the index (a cache of your files) was damaged; "
                    "it is built again from your files",
                    err=True,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def print_pearl_table(
    first: str, rows: list[tuple[str, str, str, str | None, tuple[str, ...]]]
) -> None:
    """A plain table of pearls: `first` column, pathway, `text → back`, tags."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in (first, "pathway", "pearl", "tags"):
        table.add_column(name, overflow="fold")
    for key, pathway, text, back, tags in rows:
        table.add_row(key, pathway, text if back is None else f"{text} → {back}", " ".join(tags))
    Console(soft_wrap=False, highlight=False).print(table, markup=False)
