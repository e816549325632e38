"""Study-progress commands: report (blocks, exams, reviews together) and optimize."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import (
    command,
    fail,
    guarded,
    now,
    open_collection,
    print_json,
)

if TYPE_CHECKING:
    from pearldeck.optimize import Fit, History, RetentionAdvice
    from pearldeck.records import StudyLog

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def register(group: click.Group) -> None:
    for cmd in (report, optimize):
        group.add_command(cmd)


def _warn(log: StudyLog) -> None:
    for w in log.warnings:
        click.echo(f"warning: {w}", err=True)


# report ---------------------------------------------------------------------------


@command("report")
@click.option("--since", metavar="DAY", help="Only blocks and exams from this day (YYYY-MM-DD).")
@click.option(
    "--target",
    type=int,
    default=240,
    show_default=True,
    metavar="SCORE",
    help="Your target Step 2 CK score (the top band).",
)
@click.option(
    "--html",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Also write a self-contained HTML page with charts here.",
)
@json_option
@click.pass_context
@guarded
def report(
    ctx: click.Context, since: str | None, target: int, html: Path | None, as_json: bool
) -> None:
    """Accuracy, error mix, pathways, retention, practice scores and what to study next."""
    from pearldeck.report_text import format_report

    start: date | None = None
    if since is not None:
        try:
            start = date.fromisoformat(since.strip())
        except ValueError:
            fail(f"--since {since!r}: use YYYY-MM-DD", 2)
    if not 180 <= target <= 300:
        fail(f"--target {target}: a Step 2 CK target is between 180 and 300", 2)
    moment = now()
    with open_collection(ctx) as col:
        rep, log = col.report(moment, target=target, since=start)
        exam = col.countdown(moment)
    _warn(log)
    if html is not None:
        from pearldeck.collection import write_page
        from pearldeck.report_html import render

        write_page(html, render(rep))
        click.echo(f"wrote {html}", err=True)
    if as_json:
        print_json({**rep, "exam": exam.as_dict() if exam is not None else None})
    elif html is None:
        text = format_report(rep)
        if exam is not None:  # the countdown first: it frames everything below it
            from pearldeck.countdown import describe

            head, _, rest = text.partition("\n\n")
            text = "\n\n".join([head, "\n".join(describe(exam)), rest])
        click.echo(text)


# optimize -------------------------------------------------------------------------


@command("optimize")
@click.option(
    "--retention", is_flag=True, help="Also suggest a desired retention from your history."
)
@click.option("--yes", "-y", is_flag=True, help="Save without asking.")
@json_option
@click.pass_context
@guarded
def optimize(ctx: click.Context, retention: bool, yes: bool, as_json: bool) -> None:
    """Fit FSRS parameters to your own reviews; show the fit before and after; save on yes."""
    from pearldeck import optimize as opt
    from pearldeck.collection import save_parameters

    with open_collection(ctx) as col:
        settings = col.settings
        root = col.root
        live = col.card_count()
        # plain rows, streamed: an Event apiece took seconds for a big history
        history = opt.history_from_rows(col.review_rows(), settings.day_starts_at)
    out: dict[str, object] = {
        "reviews": history.reviews,
        "cards": history.cards,
        "training_reviews": history.training_reviews,
        "training_cards": history.training_cards,
        "needed": {"training_reviews": opt.MIN_REVIEWS, "training_cards": opt.MIN_CARDS},
        "enough_data": history.enough,
        "current": None,
        "fitted": None,
        "retention": None,
        "saved": {"parameters": False, "retention": False},
        "message": "",
    }
    if not history.enough:
        out["message"] = history.shortfall()
        if as_json:
            print_json(out)
        else:
            click.echo(f"Not enough review history yet. {out['message']}")
        return
    try:
        before = opt.evaluate(history, settings.parameters)
        after = opt.fit(history, settings)
        advice = (
            opt.suggest_retention(history, settings, after.parameters, max(live, history.cards))
            if retention
            else None
        )
    except opt.OptimiseError as e:
        fail(str(e))
    source = "settings.toml" if settings.parameters else "FSRS defaults"
    out["current"] = {"source": source, **before.as_dict()}
    out["fitted"] = after.as_dict()
    out["retention"] = advice.as_dict() if advice else None
    better = after.log_loss < before.log_loss
    out["message"] = (
        "the fitted parameters predict your history better"
        if better
        else "the fitted parameters do not predict your history better than the current ones"
    )
    if not as_json:
        _show_fit(history, before, after, source, better)
        if advice:
            _show_retention(advice)
    save_params = yes or (not as_json and click.confirm("Save the fitted parameters?"))
    save_retention = advice is not None and (
        yes
        or (
            not as_json
            and advice.suggested != advice.current
            and click.confirm(f"Set desired retention to {advice.suggested:.2f}?")
        )
    )
    if save_params or save_retention:
        params = after.parameters if save_params else settings.parameters
        save_parameters(
            root, tuple(params), advice.suggested if advice and save_retention else None
        )
    out["saved"] = {"parameters": save_params, "retention": bool(save_retention)}
    if as_json:
        print_json(out)
    elif save_params or save_retention:
        click.echo(f"saved to {root / 'settings.toml'}")
    else:
        click.echo("nothing saved")


def _show_fit(history: History, before: Fit, after: Fit, source: str, better: bool) -> None:
    from pearldeck.optimize import parameter_names

    click.echo(
        f"History: {history.reviews} reviews of {history.cards} cards; "
        f"{history.training_reviews} of them on a later day than the card's previous "
        f"review (what FSRS learns from), on {history.training_cards} cards."
    )
    click.echo("")
    click.echo(f"  {'fit to your history':<28}{'log loss':>10}{'RMSE (bins)':>13}")
    for label, f in ((f"current ({source})", before), ("fitted", after)):
        click.echo(f"  {label:<28}{f.log_loss:>10.4f}{f.rmse_bins * 100:>12.2f}%")
    click.echo("  (lower is better; both measured on the same reviews)")
    click.echo("")
    for i, name in parameter_names().items():
        click.echo(f"  w{i:<3}{name:<42}{before.parameters[i]:>9.3f} -> {after.parameters[i]:.3f}")
    click.echo("")
    if not better:
        click.echo("The fitted parameters do not predict your history better: keeping the")
        click.echo("current ones is fine.")


def _show_retention(advice: RetentionAdvice) -> None:
    click.echo("")
    click.echo(f"Desired retention: now {advice.current:.2f}, suggested {advice.suggested:.2f}")
    click.echo(f"  from {advice.basis}.")
    click.echo(f"  {'retention':>10}{'minutes/day':>13}{'cards recalled after a year':>29}")
    for w in advice.table:
        marks = [
            word
            for word, r in (
                ("suggested", advice.suggested),
                ("least time per card", advice.efficient),
                ("now", advice.current),
            )
            if w.retention == r
        ]
        mark = f"  <- {', '.join(marks)}" if marks else ""
        click.echo(f"  {w.retention:>10.2f}{w.minutes_per_day:>13.1f}{w.remembered:>29.0f}{mark}")
    click.echo("")
