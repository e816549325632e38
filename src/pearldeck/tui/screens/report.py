"""`pearls report` as a screen: readiness verdict, accuracy, error mix, pathways, exams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from pearldeck.analytics import DEFAULT_TARGET
from pearldeck.errors import WriteFailed
from pearldeck.readiness import bands
from pearldeck.records import MISS_KINDS, Block, Exam, describe
from pearldeck.report_types import ErrorMix, Report
from pearldeck.tui.block_entry import SOURCE_TITLES
from pearldeck.tui.host import host
from pearldeck.tui.themes import miss_color, pathway_color, score_band_color
from pearldeck.tui.widgets.report_charts import AccuracyChart, ErrorMixChart, ScoreChart

RECENT = 5
"""Blocks listed under Recent blocks."""
TREND_MARKS = {"rising": "↑ rising", "falling": "↓ falling", "steady": "→ steady"}
Part = str | tuple[str, str]


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def _band_style(r: Report, band: str | None) -> str:
    names = [b["name"] for b in bands(r["target"])]
    return score_band_color(names.index(band)) if band in names else "dim"


def _head(text: str) -> Label:
    return Label(Content.styled(text, "bold"), classes="report-head")


def verdict(r: Report) -> Static:
    """Readiness in plain words, then what to study next: the first thing on the screen."""
    rd, nxt = r["readiness"], r["study_next"]
    reason: list[Part] = [("Next  ", "bold $accent")]
    if nxt["pathway"]:
        reason.append(("● ", pathway_color(nxt["pathway"])))
    reason.append(nxt["reason"])
    box = Static(
        Content.assemble((rd["verdict"], "bold"), "\n\n", *reason),
        id="verdict",
        classes=f"status-{rd['status']}",
    )
    box.border_title = f"Readiness · target {r['target']}"
    return box


def totals(r: Report) -> Horizontal:
    t, ppb = r["totals"], r["pearls_per_block"]
    spq, mean = t["seconds_per_question"], ppb["mean"]
    cells = (
        (str(t["blocks"]), "blocks"),
        (str(t["questions"]), "questions"),
        (_p(t["accuracy"]), "correct"),
        ("–" if spq is None else f"{spq:.0f} s", "per question"),
        ("–" if mean is None else f"{mean:.1f}", "pearls/block"),
    )
    return Horizontal(
        *(
            Static(Content.assemble((value, "bold $primary"), "\n", (label, "$text-muted")))
            for value, label in cells
        ),
        id="totals",
    )


def error_table(m: ErrorMix) -> Content:
    lines = [Content.styled(f"  {'cause':<12}{'all':>6}{'earlier':>9}{'later':>7}  trend", "dim")]
    for k in MISS_KINDS:
        trend = m["trend"][k]
        lines.append(
            Content.assemble(
                ("■ ", miss_color(k)),
                f"{k:<12}",
                (f"{_p(m['shares'][k]):>6}", "bold"),
                f"{_p(m['earlier_half'][k]):>9}{_p(m['later_half'][k]):>7}  ",
                (TREND_MARKS.get(trend or "", ""), "$text-muted"),
            )
        )
    n = m["halves"][0]
    note = f"Shares of the {m['classified']} misses with a cause logged."
    if n == 1:
        note += " Earlier: your first block with causes; later: your last."
    elif n:
        note += f" Earlier: your first {n} blocks with causes; later: your last {n}."
    lines.append(Content.styled(note, "dim"))
    return Content("\n").join(lines)


def pathway_table(r: Report) -> Content:
    head = (
        f"  {'pathway':<14}{'misses':>7}{'share':>7}{'per block':>11}"
        f"{'retained 30d':>14}{'recall':>8}"
    )
    lines = [Content.styled(head, "dim")]
    nxt = r["study_next"]["pathway"]
    for p in r["pathways"]:
        recent = p["recent_misses_per_block"]
        kept = f"{_p(p['retention_30d'])} ({p['reviews_30d']})"
        numbers = (
            f"{p['misses']:>7}{_p(p['miss_share']):>7}"
            f"{'–' if recent is None else f'{recent:.1f}':>11}{kept:>14}{_p(p['recall_now']):>8}"
        )
        mine = p["pathway"] == nxt
        lines.append(
            Content.assemble(
                ("● ", pathway_color(p["pathway"])),
                (f"{p['pathway']:<14}", "bold $accent" if mine else ""),
                (numbers, "bold" if mine else ""),
                ("  ◀ next" if mine else "", "bold $accent"),
            )
        )
    if r["pathway_blocks"]:
        note = (
            f"share: of the misses you tagged by pathway in {r['pathway_blocks']} block(s), "
            "not accuracy; per block: over your last blocks."
        )
    else:
        note = "No misses tagged by pathway yet: fill in 'Misses by pathway' when you log a block."
    note += " retained 30d: mature reviews not answered again (count); recall: predicted today."
    lines.append(Content.styled(note, "dim"))
    return Content("\n").join(lines)


def exam_list(r: Report) -> Content:
    if not r["exams"]:
        return Content.styled(
            'No practice exams logged yet: `pearls exam add "NBME 12" 238` in a shell.', "dim"
        )
    lines = []
    for e in r["exams"]:
        result = str(e["score"]) if e["score"] is not None else f"{e['percent']:g}%"
        lines.append(
            Content.assemble(
                (f"  {e['date']}  ", "dim"),
                f"{e['name']:<22}",
                (f"{result:>5}", "bold"),
                "  ",
                (e["band"] or "no scaled score", _band_style(r, e["band"])),
            )
        )
    return Content("\n").join(lines)


def recent_blocks(r: Report) -> Content:
    lines = []
    for b in reversed(r["blocks"][-RECENT:]):
        right = f"{b['correct']}/{b['questions']}"
        lines.append(
            Content.assemble(
                (f"  {b['date']}  ", "dim"),
                f"{SOURCE_TITLES.get(b['source'], b['source']):<9}{b['mode']:<6}{right:>7}",
                (f"{b['accuracy'] * 100:>5.0f}%", "bold"),
                f"{b['seconds_per_question']:>5.0f} s/q",
                (f"{b['pearls']:>4} pearl{'' if b['pearls'] == 1 else 's'}  {b['id']}", "dim"),
            )
        )
    more = len(r["blocks"]) - RECENT
    if more > 0:
        lines.append(Content.styled(f"  and {more} earlier: `pearls block list`", "dim"))
    return Content("\n").join(lines)


EMPTY = Content.assemble(
    ("No question blocks logged yet.\n\n", "bold"),
    "After a block of practice questions, press ",
    ("l", "bold $accent"),
    " here or on Home (or ",
    ("Log block", "bold"),
    " in ctrl+p): enter the source, how many you got right, the minutes it took and why "
    "you missed the others. Then you go straight to writing that block's pearls, each "
    "linked to it.\n\nFrom a shell: ",
    ("pearls block add -s uworld -q 40 -c 29 -m 62 --misses knowledge=6,misread=3", "$primary"),
    "\nPractice exams: ",
    ('pearls exam add "NBME 12" 238', "$primary"),
    (
        "\n\nThis screen then shows your accuracy per week, why you miss questions, which "
        "pathway to study next and whether your practice scores are on track for your target.",
        "$text-muted",
    ),
)


def sections(r: Report) -> Iterator[Widget]:
    has_blocks = bool(r["totals"]["blocks"])
    if not has_blocks and not r["exams"]:
        yield Static(EMPTY, id="report-empty")
        return
    yield verdict(r)
    if has_blocks:
        yield totals(r)
        yield _head("Accuracy per week")
        yield AccuracyChart(r["by_week"], id="accuracy-chart")
        yield _head("Why you missed questions, per week")
        if r["error_mix"]["classified"]:
            yield ErrorMixChart(r["by_week"], id="error-chart")
            yield Static(error_table(r["error_mix"]), id="error-table")
        else:
            yield Static(
                Content.styled(
                    "No causes logged yet: fill in 'Why you missed them' when you log a block.",
                    "dim",
                )
            )
    else:
        yield Static(
            Content.assemble(
                ("No question blocks logged yet: press ", "dim"),
                ("l", "bold $accent"),
                (" to log one after your next block.", "dim"),
            ),
            id="no-blocks",
        )
    yield _head("Pathways")
    yield Static(pathway_table(r), id="pathway-table")
    yield _head(f"Practice exams and your {r['target']} target")
    if r["exams"]:
        yield ScoreChart(r["exams"], r["target"], id="score-chart")
    yield Static(exam_list(r), id="exam-list")
    if has_blocks:
        yield _head("Recent blocks")
        yield Static(recent_blocks(r), id="recent-blocks")


class ReportScreen(Screen[None]):
    """Read-only; `l` logs a block, `d` deletes a mistaken one (or an exam); the report
    is read again when you come back to it."""

    CSS_PATH = Path(__file__).with_name("report.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("l", "log_block", "Log block"),
        Binding("e", "log_exam", "Log exam"),
        Binding("d", "delete_record", "Delete block/exam"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._seen = False
        self._has_records = False

    def compose(self) -> ComposeResult:
        h = host(self)
        report, log = h.col.report(h.now(), target=DEFAULT_TARGET, since=None)
        self._has_records = bool(log.blocks or log.exams)
        self.refresh_bindings()
        for w in log.warnings:
            self.notify(str(w), title="Warning", severity="warning", timeout=8)
        yield Static(
            Content.assemble(
                ("Study report", "bold $primary"), f"  ·  study day {report['today']}"
            ),
            id="report-title",
            classes="top-line",
        )
        with VerticalScroll(id="report-body"):
            exam = h.col.countdown(h.now())
            if exam is not None:  # the countdown frames everything below it
                from pearldeck.countdown import describe

                yield Static(Content("\n".join(describe(exam))), id="report-exam")
            yield from sections(report)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-body", VerticalScroll).focus()

    async def on_screen_resume(self) -> None:
        if self._seen and self.is_current:
            host(self).col.refresh()
            await self.recompose()
            self.query_one("#report-body", VerticalScroll).focus()
        self._seen = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._has_records if action == "delete_record" else True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_log_block(self) -> None:
        host(self).open_log_block()

    def action_log_exam(self) -> None:
        host(self).open_log_exam()

    def action_delete_record(self) -> None:
        from pearldeck.tui.dialogs.confirm import ConfirmDialog
        from pearldeck.tui.dialogs.pick_record import PickRecordDialog

        h = host(self)
        log = h.col.study.read()
        records: list[Block | Exam] = [*log.blocks, *log.exams]
        records.sort(key=lambda r: (r.date, r.time), reverse=True)
        if not records:
            self.notify("No blocks or exams are logged yet.")
            return
        by_key = {f"{_kind(r)}:{r.id}": r for r in records}

        def confirmed(record: Block | Exam, yes: bool | None) -> None:
            if not yes:
                return
            from pearldeck.scheduler import iso

            col = h.col
            try:
                col.study.void(_kind(record), record.id, iso(h.now()))
            except (ValueError, WriteFailed) as e:  # already gone, or the disk refused
                self.notify(str(e), title="Not deleted", severity="error", timeout=10)
                return
            # the result comes before this screen resumes, which reads the report again
            self.notify(f"Deleted {describe(record)}. Log it again with the right numbers.")

        def picked(key: str | None) -> None:
            record = by_key.get(key or "")
            if record is not None:
                body = (
                    f"{describe(record)}\n\nIts line stays in your study log and a line "
                    "voiding it is added, so every device you sync drops it too."
                )
                self.app.push_screen(
                    ConfirmDialog(f"Delete this {_kind(record)}?", body),
                    lambda yes: confirmed(record, yes),
                )

        options = [(key, describe(r)) for key, r in by_key.items()]
        self.app.push_screen(PickRecordDialog(options), picked)


def _kind(record: Block | Exam) -> str:
    return "block" if isinstance(record, Block) else "exam"
