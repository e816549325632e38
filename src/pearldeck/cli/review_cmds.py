"""Scheduling commands: due, next, rate, undo, suspend, unsuspend, stats, and the TUI."""

from __future__ import annotations

from datetime import datetime
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
from pearldeck.model import Rating

PathwayOpt = Annotated[str | None, typer.Option("--pathway", "-p", help=PATHWAY_HELP)]
TagOpt = Annotated[
    str | None, typer.Option("--tag", "-t", help="Only cards of pearls with this tag.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    for name, fn in (
        ("due", due),
        ("next", next_card),
        ("rate", rate),
        ("undo", undo),
        ("suspend", suspend),
        ("unsuspend", unsuspend),
        ("stats", stats),
        ("review", review),
        ("ui", ui),
    ):
        app.command(name)(fn)


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@guarded
def due(
    ctx: typer.Context, pathway: PathwayOpt = None, tag: TagOpt = None, as_json: JsonOpt = False
) -> None:
    """Today's new, learning and review cards, in total and per pathway."""
    check_pathway(pathway)
    with open_collection(ctx) as col:
        d = col.due(now(), pathway, tag)
    if as_json:
        print_json(d.as_dict())
        return
    typer.echo(f"Due on study day {d.today}")
    typer.echo(f"  {'pathway':<15}{'new':>6}{'learn':>7}{'review':>8}")
    for pw, c in d.pathways.items():
        typer.echo(f"  {pw:<15}{c.new:>6}{c.learning:>7}{c.review:>8}")
    t = d.total
    typer.echo(f"  {'total':<15}{t.new:>6}{t.learning:>7}{t.review:>8}")


@guarded
def next_card(
    ctx: typer.Context, pathway: PathwayOpt = None, tag: TagOpt = None, as_json: JsonOpt = False
) -> None:
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
            typer.echo(msg)
        return
    if as_json:
        print_json(view.as_dict())
        return
    typer.echo(f"[{view.pearl.pathway} · {view.queue}] {view.card_id}")
    typer.echo(view.prompt)
    typer.echo("---")
    typer.echo(view.answer)
    typer.echo("  ".join(f"{r.label}: {iv}" for r, iv in view.intervals.items()))


@guarded
def rate(
    ctx: typer.Context,
    card_id: Annotated[str, typer.Argument(help="Card id, e.g. k3f9qz or k3f9qz#c2.")],
    rating: Annotated[str, typer.Argument(help="again, hard, good or easy (or 1-4).")],
    duration: Annotated[float, typer.Option("--duration", help="Seconds spent on the card.")] = 0.0,
) -> None:
    """Record one review and print when the card is due next."""
    try:
        r = Rating.parse(rating)
    except ValueError as e:
        fail(str(e), 2)
    moment = now()
    with open_collection(ctx) as col:
        done = col.rate(card_id, r, moment, duration)
    assert done.state.due is not None
    typer.echo(f"{card_id}: {r.label} -> due {_local(done.state.due)} (in {done.interval})")


@guarded
def undo(ctx: typer.Context) -> None:
    """Take back this device's last review (or suspend, unsuspend, bury)."""
    with open_collection(ctx) as col:
        last = col.undo(now())
    if last is None:
        fail("nothing to undo on this device")
    what = Rating(last.rating).label if last.kind == "review" else last.kind
    typer.echo(f"undid {what} of {last.card}")


@guarded
def suspend(ctx: typer.Context, card_id: Annotated[str, typer.Argument(help="Card id.")]) -> None:
    """Keep a card out of reviews until unsuspended."""
    with open_collection(ctx) as col:
        col.suspend(card_id, now())
    typer.echo(f"suspended {card_id}")


@guarded
def unsuspend(ctx: typer.Context, card_id: Annotated[str, typer.Argument(help="Card id.")]) -> None:
    """Bring a suspended card (or a leech) back into reviews."""
    with open_collection(ctx) as col:
        col.unsuspend(card_id, now())
    typer.echo(f"unsuspended {card_id}")


@guarded
def stats(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Reviews, true retention, cards by state and a 30-day forecast, per pathway."""
    from pearldeck.stats import format_stats

    with open_collection(ctx) as col:
        result = col.stats(now())
    if as_json:
        print_json(result)
    else:
        typer.echo(format_stats(result))


@guarded
def review(ctx: typer.Context, pathway: PathwayOpt = None, tag: TagOpt = None) -> None:
    """Open the review on today's first due card (Textual UI)."""
    check_pathway(pathway)
    _run_tui(ctx, "review", pathway, tag)


@guarded
def ui(ctx: typer.Context) -> None:
    """Open the app on Home: today's counts, add, browse, stats."""
    _run_tui(ctx, "home", None, None)


def _run_tui(ctx: typer.Context, start: str, pathway: str | None, tag: str | None) -> None:
    try:
        from pearldeck.tui.app import PearlsApp
    except ImportError:  # pragma: no cover - the TUI ships with the package
        fail("the review UI is not available in this build; use `pearls next` and `pearls rate`")
    app = PearlsApp(options(ctx).dir, start=start, pathway=pathway, tag=tag)
    app.run()
