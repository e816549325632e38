"""Scheduling commands: due, next, rate, undo, suspend, unsuspend, stats, and the TUI."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime
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
    tag_filter,
)
from pearldeck.model import Rating
from pearldeck.store.queue import render_due

pathway_option = click.option(
    "--pathway", "-p", metavar="PATHWAY", callback=pathway_param, help=PATHWAY_HELP
)
tag_option = click.option(
    "--tag", "-t", metavar="TAG", callback=tag_filter, help="Only cards of pearls with this tag."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
card_argument = click.argument("card_id", cls=Argument, metavar="CARD", help="Card id.")


def register(group: click.Group) -> None:
    for cmd in (due, next_card, rate, undo, suspend, unsuspend, stats, review, ui):
        group.add_command(cmd)


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@command("due")
@pathway_option
@tag_option
@json_option
@click.pass_context
@guarded
def due(ctx: click.Context, pathway: str | None, tag: str | None, as_json: bool) -> None:
    """Today's new, learning and review cards, in total and per pathway."""
    check_pathway(pathway)
    with open_collection(ctx) as col:
        d = col.due(now(), pathway, tag)
    per = {pw: (c.new, c.learning, c.review) for pw, c in d.pathways.items()}
    sys.stdout.write(render_due(d.today, per, as_json))


@command("next")
@pathway_option
@tag_option
@json_option
@click.pass_context
@guarded
def next_card(ctx: click.Context, pathway: str | None, tag: str | None, as_json: bool) -> None:
    """The card the review would show now, with each answer's next interval."""
    check_pathway(pathway)
    moment = now()
    with open_collection(ctx) as col:
        view = col.next_card(moment, pathway, tag)
        waiting = col.waiting_learning(moment) if view is None else None
    if view is None:
        if as_json:
            print_json(None)
        else:
            msg = "nothing due now"
            if waiting:
                msg += f"; learning cards come due at {_local(waiting)}"
            click.echo(msg)
        return
    if as_json:
        print_json(view.as_dict())
        return
    click.echo(f"[{view.pearl.pathway} · {view.queue}] {view.card_id}")
    click.echo(view.prompt)
    click.echo("---")
    click.echo(view.answer)
    click.echo("  ".join(f"{r.label}: {iv}" for r, iv in view.intervals.items()))


@command("rate")
@click.argument("card_id", cls=Argument, metavar="CARD", help="Card id, e.g. k3f9qz or k3f9qz#c2.")
@click.argument(
    "rating", cls=Argument, metavar="RATING", help="again, hard, good or easy (or 1-4)."
)
@click.option(
    "--duration",
    type=float,
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds spent on the card.",
)
@click.pass_context
@guarded
def rate(ctx: click.Context, card_id: str, rating: str, duration: float) -> None:
    """Record one review and print when the card is due next."""
    try:
        r = Rating.parse(rating)
    except ValueError as e:
        fail(str(e), 2)
    moment = now()
    with open_collection(ctx) as col:
        done = col.rate(card_id, r, moment, duration)
    assert done.state.due is not None
    click.echo(f"{card_id}: {r.label} -> due {_local(done.state.due)} (in {done.interval})")


@command("undo")
@click.pass_context
@guarded
def undo(ctx: click.Context) -> None:
    """Take back this device's last review (or suspend, unsuspend, bury)."""
    with open_collection(ctx) as col:
        last = col.undo(now())
    if last is None:
        fail("nothing to undo on this device")
    what = Rating(last.rating).label if last.kind == "review" else last.kind
    click.echo(f"undid {what} of {last.card}")


@command("suspend")
@card_argument
@click.pass_context
@guarded
def suspend(ctx: click.Context, card_id: str) -> None:
    """Keep a card out of reviews until unsuspended."""
    with open_collection(ctx) as col:
        col.suspend(card_id, now())
    click.echo(f"suspended {card_id}")


@command("unsuspend")
@card_argument
@click.pass_context
@guarded
def unsuspend(ctx: click.Context, card_id: str) -> None:
    """Bring a suspended card (or a leech) back into reviews."""
    with open_collection(ctx) as col:
        col.unsuspend(card_id, now())
    click.echo(f"unsuspended {card_id}")


@command("stats")
@json_option
@click.pass_context
@guarded
def stats(ctx: click.Context, as_json: bool) -> None:
    """Reviews, true retention, cards by state and a 30-day forecast, per pathway."""
    from pearldeck.stats import format_stats

    with open_collection(ctx) as col:
        result = col.stats(now())
    if as_json:
        print_json(result)
    else:
        click.echo(format_stats(result))


@command("review")
@pathway_option
@tag_option
@click.pass_context
@guarded
def review(ctx: click.Context, pathway: str | None, tag: str | None) -> None:
    """Open the review on today's first due card (Textual UI)."""
    check_pathway(pathway)
    _run_tui(ctx, "review", pathway, tag)


@command("ui")
@click.pass_context
@guarded
def ui(ctx: click.Context) -> None:
    """Open the app on Home: today's counts, add, browse, stats."""
    _run_tui(ctx, "home", None, None)


def _run_tui(ctx: click.Context, start: str, pathway: str | None, tag: str | None) -> None:
    try:
        from pearldeck.tui.app import PearlsApp
    except ImportError:  # pragma: no cover - the TUI ships with the package
        fail("the review UI is not available in this build; use `pearls next` and `pearls rate`")
    root = options(ctx).dir
    _prepare_images(root)
    app = PearlsApp(root, start=start, pathway=pathway, tag=tag)
    app.run()


def _prepare_images(root: Path) -> None:
    """In a terminal, and only for a collection with images: learn which graphics the
    terminal shows now, as the app cannot ask once it runs (else: half-block images)."""
    from pearldeck.collection import has_media

    if sys.stdin.isatty() and sys.stdout.isatty() and has_media(root):
        from pearldeck.tui.widgets.card_image import prepare_terminal

        with contextlib.suppress(Exception):  # a terminal that answers oddly: half-blocks
            prepare_terminal()
