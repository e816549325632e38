"""The one builder of a new block or exam, shared by `pearls block/exam add` and the app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pearldeck import records
from pearldeck.records import Block, StudyLog

NOW = datetime(2026, 11, 20, 18, 2, 11, tzinfo=UTC)


def test_a_stamp_takes_an_id_no_record_had_and_the_logs_time_format() -> None:
    old = Block("k3f9qz", "2026-11-19", "uworld", 40, 29, 62.0)
    log = StudyLog(blocks=[old], voided={"p2x8rm"})
    stamps = {records.stamp(log, "2026-11-20", NOW, "laptop") for _ in range(50)}
    assert not {s.id for s in stamps} & {"k3f9qz", "p2x8rm"}
    assert {(s.date, s.time, s.device) for s in stamps} == {
        ("2026-11-20", "2026-11-20T18:02:11.000000Z", "laptop")
    }


def test_a_new_block_is_what_the_log_keeps() -> None:
    s = records.Stamp("k3f9qz", "2026-11-20", "2026-11-20T18:02:11.000000Z", "laptop")
    misses = {"knowledge": 6}
    block = records.new_block(
        s, source="uworld", questions=40, correct=29, minutes=62, mode=" Tutor ", misses=misses
    )
    misses["misread"] = 3  # the caller's dict is not the record's
    assert block == Block(
        "k3f9qz",
        "2026-11-20",
        "uworld",
        40,
        29,
        62,
        "tutor",
        {"knowledge": 6},
        {},
        "2026-11-20T18:02:11.000000Z",
        "laptop",
    )
    assert records.check_block(block) == []


def test_an_exam_as_typed() -> None:
    name, score, percent = records.exam_result("  NBME   12 ", "238")
    exam = records.new_exam(records.Stamp("p2x8rm", "2026-11-22", "", "pc"), name, score, percent)
    assert (exam.name, exam.form, exam.score, exam.percent) == ("NBME 12", "nbme", 238, None)
    assert records.exam_result("Free 120", "72.46%") == ("Free 120", None, 72.5)
    with pytest.raises(ValueError, match="exam name must be 1 to 80 characters"):
        records.exam_result("   ", "238")
    with pytest.raises(ValueError, match="is that a percent"):
        records.exam_result("UWSA 2", "72")
