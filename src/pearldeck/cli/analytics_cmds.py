"""Study-progress commands: block add/list, exam add/list, report, optimize."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pearldeck.cli.common import (
    Argument,
    Group,
    command,
    fail,
    guarded,
    now,
    open_collection,
    print_json,
)
from pearldeck.model import PATHWAYS
from pearldeck.store import studylog

if TYPE_CHECKING:
    from pearldeck.analytics import Report
    from pearldeck.collection import Collection
    from pearldeck.optimize import Fit, History, RetentionAdvice

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
date_option = click.option(
    "--date",
    "day",
    metavar="DAY",
    help="Day it was done: YYYY-MM-DD, today or yesterday [default: today].",
)

block = Group(
    "block", help="Question blocks: log one after you finish it, list them.", no_args_is_help=True
)
exam = Group(
    "exam",
    help="Practice exams (NBME, UWSA, Free 120): log a score, list them.",
    no_args_is_help=True,
)


def register(group: click.Group) -> None:
    for cmd in (report, optimize, block, exam):
        group.add_command(cmd)


def _day(text: str | None, today: date) -> str:
    """A --date value as an ISO day, exit 2 if it is not one or lies in the future."""
    try:
        return studylog.parse_day(text, today)
    except ValueError as e:
        fail(f"--date {e}", 2)


def _warn(log: studylog.StudyLog) -> None:
    for w in log.warnings:
        click.echo(f"warning: {w}", err=True)


def _append(col: Collection, record: studylog.Block | studylog.Exam) -> None:
    try:
        studylog.append(col.root, col.device, record)
    except ValueError as e:
        fail(str(e), 2)


# blocks -------------------------------------------------------------------------


@block.command("add")
@click.option(
    "--source",
    "-s",
    required=True,
    metavar="SOURCE",
    help=f"One of: {', '.join(studylog.SOURCES)}.",
)
@click.option(
    "--questions", "-q", type=int, required=True, metavar="N", help="Questions in the block."
)
@click.option(
    "--correct", "-c", type=int, required=True, metavar="N", help="Questions answered right."
)
@click.option(
    "--minutes", "-m", type=float, required=True, metavar="MIN", help="Minutes the block took."
)
@click.option("--mode", default="timed", show_default=True, metavar="MODE", help="timed or tutor.")
@click.option(
    "--misses",
    metavar="COUNTS",
    help="Why you missed questions, e.g. knowledge=6,misread=3,rushing=1,fatigue=1 "
    f"(causes: {', '.join(studylog.MISS_KINDS)}).",
)
@click.option(
    "--pathway-misses",
    metavar="COUNTS",
    help=f"Misses by pathway, e.g. acute=4,diagnostic=3 ({', '.join(PATHWAYS)}).",
)
@date_option
@click.pass_context
@guarded
def block_add(
    ctx: click.Context,
    source: str,
    questions: int,
    correct: int,
    minutes: float,
    mode: str,
    misses: str | None,
    pathway_misses: str | None,
    day: str | None,
) -> None:
    """Log one question block and print its id (give it to `pearls add --block`)."""
    try:
        src = studylog.normalise_source(source)
        causes = studylog.parse_counts(misses or "", studylog.MISS_KINDS, "--misses")
        by_pathway = studylog.parse_counts(pathway_misses or "", PATHWAYS, "--pathway-misses")
    except ValueError as e:
        fail(str(e), 2)
    if mode.strip().lower() not in studylog.MODES:
        fail(f"--mode {mode!r}: use timed or tutor", 2)
    moment = now()
    from pearldeck.scheduler import iso

    with open_collection(ctx, valid=False) as col:
        log = studylog.read(col.root)
        _warn(log)
        logged = studylog.Block(
            id=studylog.fresh_id(log),
            date=_day(day, _today(col, moment)),
            source=src,
            questions=questions,
            correct=correct,
            minutes=minutes,
            mode=mode.strip().lower(),
            misses=causes,
            pathway_misses=by_pathway,
            time=iso(moment),
            device=col.device,
        )
        _append(col, logged)
    click.echo(logged.id)


def _today(col: Collection, moment: datetime) -> date:
    return date.fromisoformat(col.today(moment))


def _counts_text(counts: dict[str, int]) -> str:
    return ",".join(f"{k}={n}" for k, n in counts.items() if n)


@block.command("list")
@json_option
@click.pass_context
@guarded
def block_list(ctx: click.Context, as_json: bool) -> None:
    """All logged blocks, oldest first, with the pearls written from each."""
    with open_collection(ctx, valid=False) as col:
        log = studylog.read(col.root)
        written: dict[str, int] = {}
        for p in col.pearls():
            if p.block:
                written[p.block] = written.get(p.block, 0) + 1
    _warn(log)
    rows = [
        {
            **b.fields(),
            "accuracy": round(b.accuracy, 4),
            "seconds_per_question": round(b.minutes * 60 / b.questions, 1),
            "pearls": written.get(b.id, 0),
        }
        for b in log.blocks
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("no blocks logged yet: `pearls block add --source uworld ...`", err=True)
        return
    click.echo(
        f"{'id':<8}{'date':<12}{'source':<9}{'mode':<7}{'right':>9}{'acc':>6}{'sec/q':>7}"
        f"{'pearls':>8}  misses"
    )
    for b, r in zip(log.blocks, rows, strict=True):
        right = f"{b.correct}/{b.questions}"
        why = "; ".join(t for t in (_counts_text(dict(b.misses)),) if t)
        where = _counts_text(dict(b.pathway_misses))
        if where:
            why = f"{why}; {where}" if why else where
        click.echo(
            f"{b.id:<8}{b.date:<12}{b.source:<9}{b.mode:<7}{right:>9}"
            f"{b.accuracy * 100:>5.0f}%{r['seconds_per_question']:>7.0f}{r['pearls']:>8}  {why}"
        )


# exams ----------------------------------------------------------------------------


@exam.command("add")
@click.argument(
    "name",
    cls=Argument,
    metavar="NAME",
    help="Which exam, e.g. 'NBME 12', 'UWSA 2', 'Free 120'.",
)
@click.argument(
    "score",
    cls=Argument,
    metavar="SCORE",
    help="Scaled score (e.g. 238) or percent (e.g. 72%).",
)
@date_option
@click.pass_context
@guarded
def exam_add(ctx: click.Context, name: str, score: str, day: str | None) -> None:
    """Log a practice-exam result and print its id."""
    try:
        scaled, percent = studylog.parse_score(score)
    except ValueError as e:
        fail(str(e), 2)
    name = " ".join(name.split())
    if not name or len(name) > 80:
        fail("exam name must be 1 to 80 characters", 2)
    moment = now()
    from pearldeck.scheduler import iso

    with open_collection(ctx, valid=False) as col:
        log = studylog.read(col.root)
        _warn(log)
        logged = studylog.Exam(
            id=studylog.fresh_id(log),
            date=_day(day, _today(col, moment)),
            name=name,
            form=studylog.exam_form(name),
            score=scaled,
            percent=percent,
            time=iso(moment),
            device=col.device,
        )
        _append(col, logged)
    click.echo(logged.id)


@exam.command("list")
@json_option
@click.pass_context
@guarded
def exam_list(ctx: click.Context, as_json: bool) -> None:
    """All logged practice exams, oldest first."""
    with open_collection(ctx, valid=False) as col:
        log = studylog.read(col.root)
    _warn(log)
    if as_json:
        print_json([e.fields() for e in log.exams])
        return
    if not log.exams:
        click.echo('no practice exams logged yet: `pearls exam add "NBME 12" 238`', err=True)
        return
    for e in log.exams:
        result = str(e.score) if e.score is not None else f"{e.percent:g}%"
        click.echo(f"{e.id:<8}{e.date:<12}{e.name:<24}{result:>6}")


# report ---------------------------------------------------------------------------


def collect_report(
    col: Collection, moment: datetime, *, target: int, since: date | None
) -> tuple[Report, studylog.StudyLog]:
    """Gather the report's inputs from a collection (the TUI can call this too)."""
    from pearldeck.analytics import compute_report, recall_now

    log = studylog.read(col.root)
    cards = col.card_pathways()
    rep = compute_report(
        log.blocks,
        log.exams,
        col.pearls(),
        col.review_events(),
        cards,
        recall_now(col.statuses(), cards, col.settings, moment),
        now=moment,
        day_starts_at=col.settings.day_starts_at,
        target=target,
        since=since,
    )
    return rep, log


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
    from pearldeck.analytics import format_report

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
        rep, log = collect_report(col, moment, target=target, since=start)
    _warn(log)
    if html is not None:
        from pearldeck.report_html import render
        from pearldeck.store.fsutil import WriteFailed

        try:
            html.write_text(render(rep), encoding="utf-8")
        except OSError as e:
            raise WriteFailed(html, e) from e
        click.echo(f"wrote {html}", err=True)
    if as_json:
        print_json(rep)
    elif html is None:
        click.echo(format_report(rep))


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
    from pearldeck.store.settings import save_parameters

    with open_collection(ctx) as col:
        settings = col.settings
        root = col.root
        live = col.card_count()
        # plain rows, streamed: an Event apiece took seconds for a big history
        history = opt.history_from_rows(col.index.review_rows(), settings.day_starts_at)
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
