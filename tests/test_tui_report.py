"""The study report screen: verdict, study-next pathway, charts, and the empty state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from pearldeck.store import studylog
from pearldeck.tui.screens.add import AddScreen
from pearldeck.tui.screens.log_block import LogBlockScreen
from pearldeck.tui.screens.report import ReportScreen
from pearldeck.tui.widgets.report_charts import AccuracyChart, ErrorMixChart, ScoreChart
from tests.tui_helpers import DEVICE, SIZE, collection, make_app, text_of, tui_env

__all__ = ["collection", "tui_env"]

KINDS = ("knowledge", "misread", "rushing")


def block(
    id: str, day: str, correct: int, causes: tuple[int, ...], pathways: dict[str, int]
) -> studylog.Block:
    return studylog.Block(
        id=id,
        date=day,
        source="uworld",
        questions=40,
        correct=correct,
        minutes=60,
        misses=dict(zip(KINDS, causes, strict=True)),
        pathway_misses=pathways,
        time=f"{day}T20:00:00.000000Z",
        device=DEVICE,
    )


def exam(id: str, day: str, name: str, score: int) -> studylog.Exam:
    return studylog.Exam(
        id=id,
        date=day,
        name=name,
        form=studylog.exam_form(name),
        score=score,
        time=f"{day}T20:00:00.000000Z",
        device=DEVICE,
    )


def log_study(root: Path) -> None:
    """Three weeks of blocks (diagnostic missed most) and two practice exams."""
    pw = ("acute", "chronic", "preventive", "diagnostic", "systems-based")
    for rec in (
        block("blk001", "2026-11-09", 26, (8, 4, 2), dict(zip(pw, (3, 2, 2, 6, 1), strict=True))),
        block("blk002", "2026-11-16", 28, (6, 4, 2), dict(zip(pw, (3, 2, 1, 5, 1), strict=True))),
        block("blk003", "2026-11-25", 30, (4, 3, 3), dict(zip(pw, (2, 2, 1, 4, 1), strict=True))),
        exam("exm001", "2026-11-10", "NBME 11", 232),
        exam("exm002", "2026-11-24", "UWSA 2", 238),
    ):
        studylog.append(root, DEVICE, rec)


async def open_report(pilot: Pilot[None]) -> None:
    """From Home, `p` opens the report."""
    await pilot.pause()
    await pilot.press("p")
    await pilot.pause()


async def test_report_shows_the_verdict_and_what_to_study_next(collection: Path) -> None:
    log_study(collection)
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        verdict = text_of(app, "#verdict")
        assert (
            "Two most recent practice scores are 232 and 238, in the 230–239 band: "
            "close to your 240 target; keep going." in " ".join(verdict.split())
        )
        assert screen.query_one("#verdict").has_class("status-close")
        assert "Study diagnostic next: 5.0 misses per block over your last 3 blocks" in " ".join(
            verdict.split()
        )
        [next_row] = [ln for ln in text_of(app, "#pathway-table").splitlines() if "◀ next" in ln]
        assert next_row.split()[1:3] == ["diagnostic", "15"]
        totals = " ".join(str(s.render()) for s in screen.query("#totals Static"))
        assert "3 blocks" in " ".join(totals.split()) and "70% correct" in " ".join(totals.split())
        accuracy = str(screen.query_one(AccuracyChart).render())
        assert [ln.split()[:2] for ln in accuracy.splitlines()[:3]] == [
            ["Nov", "09"],
            ["Nov", "16"],
            ["Nov", "23"],
        ]
        assert "75%" in accuracy.splitlines()[2]
        errors = str(screen.query_one(ErrorMixChart).render())
        assert "10 misses" in errors.splitlines()[2]
        rows = [ln.split() for ln in text_of(app, "#error-table").splitlines()]
        assert ["■", "rushing", "19%", "14%", "30%", "↑", "rising"] in rows
        scores = str(screen.query_one(ScoreChart).render())
        assert "≥ 240" in scores and "230–239" in scores and "< 220" in scores
        assert "232" in scores and "238" in scores
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)


async def test_empty_report_explains_how_to_log_a_block(collection: Path) -> None:
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        empty = " ".join(text_of(app, "#report-empty").split())
        assert "No question blocks logged yet." in empty
        assert "press l here or on Home" in empty
        assert "pearls block add -s uworld" in empty
        assert not app.screen.query("#verdict")

        # log one from here: after writing its pearls, back on a report that has it
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LogBlockScreen)
        for key, value in (("questions", "20"), ("correct", "15"), ("minutes", "30")):
            form.query_one(f"#b-{key}", Input).value = value
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AddScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert not app.screen.query("#report-empty")
        assert "One practice" not in text_of(app, "#verdict")
        assert "take a practice exam" in " ".join(text_of(app, "#verdict").split())
        assert "15/20" in text_of(app, "#recent-blocks")


def test_report_snapshot(collection: Path, snap_compare: Any) -> None:
    log_study(collection)

    app = make_app(collection, start="home")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_report)


async def test_a_mistaken_block_is_deleted_from_the_report(collection: Path) -> None:
    from pearldeck.tui.dialogs.confirm import ConfirmDialog
    from pearldeck.tui.dialogs.pick_record import PickRecordDialog

    log_study(collection)
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        assert "blk003" in text_of(app, "#recent-blocks")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, PickRecordDialog)
        await pilot.press("enter")  # the newest: blk003 (25 Nov)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "block 2026-11-25 uworld 30/40 (blk003)" in str(
            app.screen.query_one("#confirm-body").render()
        )
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        recent = text_of(app, "#recent-blocks")
        assert "blk003" not in recent and "blk002" in recent
        await pilot.press("d", "escape")  # keep everything this time
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
    log = studylog.read(collection)
    assert [b.id for b in log.blocks] == ["blk001", "blk002"] and log.voided == {"blk003"}
    assert len(log.exams) == 2


async def test_a_delete_the_disk_refuses_is_a_message_and_keeps_the_block(
    collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from pearldeck.store.fsutil import WriteFailed

    def full_disk(path: Path, line: bytes) -> None:
        raise WriteFailed(path, OSError(errno.ENOSPC, "No space left on device"))

    log_study(collection)
    monkeypatch.setattr(studylog, "append_line", full_disk)
    app = make_app(collection, start="home")
    async with app.run_test(size=SIZE) as pilot:
        await open_report(pilot)
        await pilot.press("d", "enter", "y")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ReportScreen)
        assert any("No space left" in str(n.message) for n in app._notifications)
        assert "blk003" in text_of(app, "#recent-blocks")
    assert [b.id for b in studylog.read(collection).blocks] == ["blk001", "blk002", "blk003"]
