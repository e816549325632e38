"""Question blocks and practice exams: log one, list them, delete a mistaken one."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from pearldeck import records
from pearldeck.cli.common import Argument, Group, fail, guarded, now, open_collection, print_json
from pearldeck.model import PATHWAYS

if TYPE_CHECKING:
    from pearldeck.collection import Collection

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

date_option = click.option(
    "--date",
    "day",
    metavar="DAY",
    help="Day it was done: YYYY-MM-DD, today or yesterday [default: today].",
)

block = Group(
    "block",
    help="Question blocks: log one after you finish it, list them, delete a mistaken one.",
    no_args_is_help=True,
)
exam = Group(
    "exam",
    help="Practice exams (NBME, UWSA, Free 120): log a score, list them, delete one.",
    no_args_is_help=True,
)


def register(group: click.Group) -> None:
    for cmd in (block, exam):
        group.add_command(cmd)


def _day(text: str | None, today: date) -> str:
    """A --date value as an ISO day, exit 2 if it is not one or lies in the future."""
    try:
        return records.parse_day(text, today)
    except ValueError as e:
        fail(f"--date {e}", 2)


def _warn(log: records.StudyLog) -> None:
    for w in log.warnings:
        click.echo(f"warning: {w}", err=True)


def _append(col: Collection, record: records.Record) -> None:
    try:
        col.study.append(record)
    except ValueError as e:
        fail(str(e), 2)


# blocks -------------------------------------------------------------------------


def _pathway_names(counts: str) -> str:
    """`Acute care=4,ethics=1` -> `acute=4,systems-based=1`: the names `-p` accepts."""
    from pearldeck.pathways import pathway_named

    parts = []
    for part in counts.split(","):
        name, sep, value = part.partition("=")
        parts.append(f"{pathway_named(name) or name}{sep}{value}" if sep else part)
    return ",".join(parts)


@block.command("add")
@click.option(
    "--source",
    "-s",
    required=True,
    metavar="SOURCE",
    help=f"One of: {', '.join(records.SOURCES)}.",
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
    f"(causes: {', '.join(records.MISS_KINDS)}).",
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
        src = records.normalise_source(source)
        causes = records.parse_counts(misses or "", records.MISS_KINDS, "--misses")
        by_pathway = records.parse_counts(
            _pathway_names(pathway_misses or ""), PATHWAYS, "--pathway-misses"
        )
    except ValueError as e:
        fail(str(e), 2)
    if mode.strip().lower() not in records.MODES:
        fail(f"--mode {mode!r}: use timed or tutor", 2)
    moment = now()

    with open_collection(ctx, valid=False) as col:
        log = col.study.read()
        _warn(log)
        logged = records.new_block(
            records.stamp(log, _day(day, _today(col, moment)), moment, col.device),
            source=src,
            questions=questions,
            correct=correct,
            minutes=minutes,
            mode=mode,
            misses=causes,
            pathway_misses=by_pathway,
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
        log = col.study.read()
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
        name, scaled, percent = records.exam_result(name, score)
    except ValueError as e:
        fail(str(e), 2)
    moment = now()

    with open_collection(ctx, valid=False) as col:
        log = col.study.read()
        _warn(log)
        stamp = records.stamp(log, _day(day, _today(col, moment)), moment, col.device)
        logged = records.new_exam(stamp, name, scaled, percent)
        _append(col, logged)
    click.echo(logged.id)


@exam.command("list")
@json_option
@click.pass_context
@guarded
def exam_list(ctx: click.Context, as_json: bool) -> None:
    """All logged practice exams, oldest first."""
    with open_collection(ctx, valid=False) as col:
        log = col.study.read()
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


# deleting -------------------------------------------------------------------------

id_argument = click.argument(
    "record_id", cls=Argument, metavar="ID", help="Its id, as the list command shows it."
)


@block.command("delete")
@id_argument
@json_option
@click.pass_context
@guarded
def block_delete(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Take a mistaken block out of your log (log it again with `pearls block add`).

    The log is append-only, so its line stays and a record voiding it is appended: every
    device that merges the folder drops the block too.
    """
    with open_collection(ctx, valid=False) as col:
        gone = _delete(col, "block", record_id)
        linked = sum(p.block == gone.id for p in col.pearls())
    assert isinstance(gone, records.Block)
    if as_json:
        print_json(gone.fields())
        return
    click.echo(f"deleted {records.describe(gone)}")
    if linked:
        click.echo(f"{linked} pearl(s) still name it in 'block:'; they are kept", err=True)


@exam.command("delete")
@id_argument
@json_option
@click.pass_context
@guarded
def exam_delete(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Take a mistaken practice-exam result out of your log (its line stays; a record
    voiding it is appended)."""
    with open_collection(ctx, valid=False) as col:
        gone = _delete(col, "exam", record_id)
    assert isinstance(gone, records.Exam)
    if as_json:
        print_json(gone.fields())
        return
    click.echo(f"deleted {records.describe(gone)}")


def _delete(col: Collection, kind: str, record_id: str) -> records.Block | records.Exam:
    """Append a void of the block or exam `record_id`; the record it took out."""
    from pearldeck.scheduler import iso

    try:
        return col.study.void(kind, record_id, iso(now()))
    except ValueError as e:
        hint = "" if "already" in str(e) else f" (see `pearls {kind} list`)"
        fail(f"{e}{hint}")
