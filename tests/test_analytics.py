"""Question blocks, practice exams and `pearls report` (issue 7), on hand-made histories."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pearldeck import records
from pearldeck.analytics import compute_report, error_mix
from pearldeck.cli import app
from pearldeck.model import Event, Pearl
from pearldeck.readiness import readiness
from pearldeck.report_text import format_report
from pearldeck.report_types import Report
from pearldeck.scheduler import LEARNING, RELEARNING, REVIEW, iso
from pearldeck.store import studylog
from pearldeck.store.studylog import Block, Exam

runner = CliRunner()
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def block(
    bid: str,
    day: str,
    q: int,
    c: int,
    minutes: float,
    *,
    source: str,
    misses: Mapping[str, int] | None = None,
    pathway_misses: Mapping[str, int] | None = None,
) -> Block:
    return Block(
        id=bid,
        date=day,
        source=source,
        questions=q,
        correct=c,
        minutes=minutes,
        misses=dict(misses or {}),
        pathway_misses=dict(pathway_misses or {}),
    )


def exam(eid: str, day: str, score: int | None = None, percent: float | None = None) -> Exam:
    name = f"NBME {eid}"
    return Exam(id=eid, date=day, name=name, form="nbme", score=score, percent=percent)


# Three blocks over two ISO weeks (Mon 2 Nov and Mon 9 Nov 2026).
B1 = block(
    "blk001", "2026-11-02", 40, 28, 60, source="uworld",
    misses={"knowledge": 6, "misread": 4, "rushing": 2},
    pathway_misses={"acute": 5, "diagnostic": 3},
)  # fmt: skip
B2 = block(
    "blk002", "2026-11-04", 40, 30, 50, source="amboss",
    misses={"knowledge": 5, "misread": 3, "rushing": 2},
    pathway_misses={"acute": 4, "chronic": 2},
)  # fmt: skip
B3 = block(
    "blk003", "2026-11-10", 50, 40, 75, source="uworld",
    misses={"knowledge": 9, "misread": 1},
    pathway_misses={"acute": 2, "chronic": 1, "diagnostic": 6},
)  # fmt: skip
BLOCKS = [B3, B1, B2]  # order must not matter


def pearl(pid: str, pathway: str = "acute", block_id: str | None = None) -> Pearl:
    return Pearl(id=pid, pathway=pathway, text=f"Q {pid}", back="A", block=block_id)


def report(
    *,
    blocks: Sequence[Block] = BLOCKS,
    exams: Sequence[Exam] = (),
    pearls: Sequence[Pearl] = (),
    events: Sequence[Event] = (),
    card_pathways: Mapping[str, str] | None = None,
    recall_now: Mapping[str, float] | None = None,
    since: date | None = None,
) -> Report:
    return compute_report(
        blocks,
        exams,
        pearls,
        events,
        card_pathways or {},
        recall_now or {},
        now=NOW,
        day_starts_at=4,
        since=since,
    )


def test_accuracy_per_week_day_and_source() -> None:
    r = report()
    weeks = {w["week"]: w for w in r["by_week"]}
    assert list(weeks) == ["2026-11-02", "2026-11-09"]
    w1, w2 = weeks["2026-11-02"], weeks["2026-11-09"]
    assert (w1["blocks"], w1["questions"], w1["correct"], w1["accuracy"]) == (2, 80, 58, 0.725)
    assert w1["seconds_per_question"] == 82.5  # 110 min over 80 questions
    assert (w2["questions"], w2["accuracy"], w2["seconds_per_question"]) == (50, 0.8, 90.0)
    assert [d["date"] for d in r["by_day"]] == ["2026-11-02", "2026-11-04", "2026-11-10"]
    src = {s["source"]: s for s in r["by_source"]}
    assert src["uworld"]["questions"] == 90 and src["uworld"]["accuracy"] == round(68 / 90, 4)
    assert src["amboss"]["accuracy"] == 0.75
    t = r["totals"]
    assert t == {
        "blocks": 3,
        "questions": 130,
        "correct": 98,
        "accuracy": round(98 / 130, 4),
        "minutes": 185.0,
        "seconds_per_question": 85.4,
    }


def test_error_mix_shares_halves_and_trend() -> None:
    m = error_mix(sorted(BLOCKS, key=lambda b: b.date))
    assert m["misses"] == {"knowledge": 20, "misread": 8, "rushing": 4, "fatigue": 0, "other": 0}
    assert m["classified"] == 32
    assert m["shares"] == {
        "knowledge": 0.625,
        "misread": 0.25,
        "rushing": 0.125,
        "fatigue": 0.0,
        "other": 0.0,
    }
    # three blocks: earlier half = B1, later half = B3 (the middle one weighs in neither)
    assert m["halves"] == [1, 1]
    assert m["earlier_half"]["knowledge"] == 0.5 and m["later_half"]["knowledge"] == 0.9
    assert m["trend"] == {
        "knowledge": "rising",
        "misread": "falling",
        "rushing": "falling",
        "fatigue": "steady",
        "other": "steady",
    }
    assert m["slope_per_week"]["knowledge"] is None  # two weeks are too few for a slope


def test_error_mix_slope_per_week() -> None:
    # rushing takes 0, 1, 2, 3 of 10 misses in four consecutive weeks: +10 points a week
    blocks = [
        block(
            f"wk{i:04d}",
            (date(2026, 10, 5) + timedelta(weeks=i)).isoformat(),
            40,
            30,
            60,
            source="uworld",
            misses={"knowledge": 10 - i, "rushing": i},
        )
        for i in range(4)
    ]
    m = error_mix(blocks)
    assert m["slope_per_week"]["rushing"] == pytest.approx(0.1)
    assert m["slope_per_week"]["knowledge"] == pytest.approx(-0.1)
    assert m["trend"]["rushing"] == "rising" and m["trend"]["knowledge"] == "falling"


def test_pathway_miss_share_and_study_next() -> None:
    r = report()
    rows = {p["pathway"]: p for p in r["pathways"]}
    assert rows["acute"]["misses"] == 11 and rows["diagnostic"]["misses"] == 9
    assert rows["acute"]["miss_share"] == round(11 / 23, 4)
    assert rows["preventive"]["miss_share"] == 0.0
    assert rows["acute"]["recent_misses_per_block"] == round(11 / 3, 2)
    assert r["pathway_blocks"] == 3
    nxt = r["study_next"]
    assert nxt["pathway"] == "acute"
    assert nxt["reason"].startswith(
        "Study acute next: 3.7 misses per block over your last 3 blocks, the most of any pathway"
    )


def _review(card: str, when: datetime, rating: int, state: int, n: int) -> Event:
    return Event(
        id=f"e{n:04d}",
        kind="review",
        card=card,
        time=iso(when),
        rating=rating,
        state={"state": state},
    )


def test_retention_per_pathway_and_recall_now() -> None:
    day = timedelta(days=1)
    events = [
        # old history: a2 was in review state but its answer lies outside the 30 days
        _review("a2", NOW - 60 * day, 3, REVIEW, 1),
        _review("a2", NOW - 50 * day, 3, REVIEW, 2),
        _review("a1", NOW - 20 * day, 3, LEARNING, 3),
        _review("a1", NOW - 20 * day, 3, REVIEW, 4),  # graduates: a learning answer
        _review("a1", NOW - 10 * day, 3, REVIEW, 5),  # counts: passed
        _review("a1", NOW - 2 * day, 1, RELEARNING, 6),  # counts: failed
        _review("a1", NOW - 2 * day, 3, REVIEW, 7),  # a relearning answer: not counted
        _review("c1", NOW - 5 * day, 3, REVIEW, 8),
        _review("c1", NOW - 1 * day, 4, REVIEW, 9),  # counts: passed
    ]
    cards = {"a1": "acute", "a2": "acute", "c1": "chronic"}
    r = report(events=events, card_pathways=cards, recall_now={"a1": 0.8, "a2": 0.6, "c1": 0.95})
    rows = {p["pathway"]: p for p in r["pathways"]}
    assert (rows["acute"]["reviews_30d"], rows["acute"]["retention_30d"]) == (2, 0.5)
    assert rows["acute"]["recall_now"] == 0.7 and rows["acute"]["cards_reviewed"] == 2
    assert (rows["chronic"]["reviews_30d"], rows["chronic"]["retention_30d"]) == (1, 1.0)
    assert rows["diagnostic"]["retention_30d"] is None


def test_pearls_per_block() -> None:
    pearls = [
        pearl("p1", block_id="blk001"),
        pearl("p2", block_id="blk001"),
        pearl("p3", "diagnostic", block_id="blk003"),
        pearl("p4", block_id="zzzz99"),
        pearl("p5"),
    ]
    r = report(pearls=pearls)
    per = {b["id"]: b["pearls"] for b in r["blocks"]}
    assert per == {"blk001": 2, "blk002": 0, "blk003": 1}
    assert r["pearls_per_block"] == {
        "blocks": 3,
        "pearls": 3,
        "mean": 1.0,
        "unknown_block_pearls": 1,
    }
    rows = {p["pathway"]: p for p in r["pathways"]}
    assert (rows["acute"]["pearls"], rows["acute"]["pearls_from_blocks"]) == (4, 3)


def test_since_limits_blocks_and_exams() -> None:
    r = report(exams=[exam("e1", "2026-11-01", 230)], since=date(2026, 11, 4))
    assert r["totals"]["blocks"] == 2 and r["exams"] == []
    assert r["since"] == "2026-11-04"


TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("scores", "status", "verdict"),
    [
        (
            [245, 248],
            "on_track",
            "Two most recent practice scores are 245 and 248, in your ≥ 240 band: on track.",
        ),
        (
            [233, 241],
            "close",
            "Two most recent practice scores are 233 and 241, in the 230–239 and ≥ 240 "
            "bands: close to your 240 target; keep going.",
        ),
        (
            [221, 217],
            "not_yet",
            "Two most recent practice scores are 221 and 217, in the 220–229 and < 220 "
            "bands: not yet at your 240 target (21 points short on average).",
        ),
        (
            [238],
            "not_enough_data",
            "One practice score so far: 238, in the 230–239 band. Not enough data for a "
            "verdict: take another practice exam.",
        ),
        (
            [],
            "not_enough_data",
            "Not enough data: take a practice exam (NBME or UWSA) to see where you stand.",
        ),
    ],
)
def test_readiness_verdict(scores: list[int], status: str, verdict: str) -> None:
    exams = [exam(f"ex{i:03d}", f"2026-11-{20 + i}", s) for i, s in enumerate(scores)]
    got = readiness(exams, 240, TODAY)
    assert (got["status"], got["verdict"]) == (status, verdict)
    assert got["latest"] == scores[-2:]


def test_readiness_trend_staleness_and_custom_target() -> None:
    exams = [
        exam("ex001", "2026-09-01", 220),
        exam("ex002", "2026-09-15", 228),
        exam("ex003", "2026-09-29", 236),
    ]
    got = readiness(exams, 230, TODAY)
    assert got["status"] == "close"  # 228 is in 220–229, within 10 of the 230 target
    assert got["score_trend_per_week"] == 4.0
    assert "rising about 4.0 points a week" in got["verdict"]
    assert "Your latest score is 59 days old" in got["verdict"]


def test_percent_scores_have_no_band() -> None:
    r = report(exams=[exam("ex001", "2026-11-20", percent=72.0)])
    assert r["exams"][0]["band"] is None
    assert r["readiness"]["status"] == "not_enough_data"
    assert "percents" in r["readiness"]["verdict"]


def test_empty_report_has_the_whole_shape_and_formats() -> None:
    r = report(blocks=[])
    assert r["totals"]["accuracy"] is None and r["by_week"] == []
    assert r["study_next"]["pathway"] is None
    text = format_report(r)
    assert "none logged yet" in text and "Not enough data" in text
    json.dumps(r)


def test_format_report_sections() -> None:
    text = format_report(report(exams=[exam("ex001", "2026-11-20", 245)]))
    for heading in ("Accuracy by week", "Accuracy by source", "Error mix", "Pathways"):
        assert heading in text
    assert "not its accuracy" in text  # honest about what pathway misses mean
    assert "Study acute next" in text


# the study log on disk ---------------------------------------------------------------


def test_log_merges_devices_and_skips_bad_lines(root: Path) -> None:
    studylog.append(root, "laptop", B1)
    studylog.append(root, "desktop", B2)
    studylog.append(root, "desktop", exam("ex001", "2026-11-03", 231))
    folder = root / "study"
    with (folder / "desktop.jsonl").open("ab") as f:
        f.write(b'{"v":1,"kind":"block","id":"bad001"}\n')
        f.write(b"not json\n")
        f.write(b'{"v":1,"kind":"block","id":"torn01","da')  # power cut mid-append
    log = studylog.read(root)
    assert [b.id for b in log.blocks] == ["blk001", "blk002"]
    assert [e.score for e in log.exams] == [231]
    assert log.blocks[0].device == "laptop"
    msgs = [str(w) for w in log.warnings]
    path = folder / "desktop.jsonl"
    assert msgs[0].startswith(f"{path}:3: block record: missing or non-text 'date'")
    assert msgs[1] == f"{path}:4: not a JSON record, skipped"
    assert msgs[2] == f"{path}:5: incomplete last line (interrupted write?), ignored"
    # the next append closes off the torn line, so the new record is readable
    studylog.append(root, "desktop", B3)
    assert [b.id for b in studylog.read(root).blocks] == ["blk001", "blk002", "blk003"]
    assert studylog.block_exists(root, "blk003") and not studylog.block_exists(root, "torn01")


def test_invalid_records_are_refused_and_skipped_on_read(root: Path) -> None:
    bad = block("blk009", "2026-11-02", 40, 30, 60, source="uworld", misses={"knowledge": 11})
    with pytest.raises(ValueError, match="misses add up to 11, more than the 10"):
        studylog.append(root, "me", bad)
    path = root / "study" / "me.jsonl"
    path.parent.mkdir()
    path.write_bytes(studylog.encode(bad))
    log = studylog.read(root)
    assert log.blocks == []
    assert "more than the 10 questions missed, skipped" in str(log.warnings[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("238", (238, None)), ("72%", (None, 72.0)), ("72.5 %", (None, 72.5))],
)
def test_parse_score(text: str, expected: tuple[int | None, float | None]) -> None:
    assert studylog.parse_score(text) == expected


@pytest.mark.parametrize("text", ["72", "99", "1000", "350", "abc", "120%", ""])
def test_parse_score_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        studylog.parse_score(text)


# through the command line -----------------------------------------------------------


def run(root: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": "2026-11-27T15:00:00Z"}
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout if code == 0 else result.stderr


def test_cli_block_add_list_and_bad_usage(root: Path) -> None:
    bid = run(
        root,
        "block",
        "add",
        "--source",
        "UWorld",
        "--questions",
        "40",
        "--correct",
        "29",
        "--minutes",
        "62",
        "--misses",
        "knowledge=6,misread=3,rushing=1,fatigue=1",
        "--pathway-misses",
        "acute=4,diagnostic=3",
        "--date",
        "2026-11-20",
    ).strip()
    assert len(bid) == 6 and bid.isalnum()
    [row] = json.loads(run(root, "block", "list", "--json"))
    assert row["id"] == bid and row["source"] == "uworld" and row["date"] == "2026-11-20"
    assert row["misses"] == {"knowledge": 6, "misread": 3, "rushing": 1, "fatigue": 1}
    assert row["accuracy"] == 0.725 and row["seconds_per_question"] == 93.0
    assert (root / "study" / "testbox.jsonl").is_file()
    base = ["block", "add", "-s", "uworld", "-q", "40", "-m", "60"]
    for extra, message in (
        (["-c", "41"], "correct (41) must be from 0 to questions (40)"),
        (["-c", "30", "--misses", "knowledge=11"], "misses add up to 11"),
        (["-c", "30", "--misses", "typo=1"], "unknown name 'typo'"),
        (["-c", "30", "--pathway-misses", "cardio=2"], "use acute, chronic"),
        (["-c", "30", "--mode", "exam"], "use timed or tutor"),
        (["-c", "30", "--date", "2026-12-01"], "after today"),
        (["-c", "30", "--date", "soon"], "use YYYY-MM-DD"),
        (["-c", "30", "-s", "kaplan"], "unknown source 'kaplan'"),
    ):
        assert message in run(root, *base, *extra, code=2)
    assert len(json.loads(run(root, "block", "list", "--json"))) == 1


def test_cli_exam_add_list_and_report(root: Path) -> None:
    run(root, "exam", "add", "NBME 12", "245", "--date", "2026-11-10")
    run(root, "exam", "add", "UWSA 2", "248", "--date", "yesterday")
    run(root, "exam", "add", "Free 120", "74%")
    assert "is that a percent? write 72%" in run(root, "exam", "add", "NBME 13", "72", code=2)
    exams = json.loads(run(root, "exam", "list", "--json"))
    assert [(e["form"], e["score"], e["percent"]) for e in exams] == [
        ("nbme", 245, None),
        ("uwsa", 248, None),
        ("free120", None, 74.0),
    ]
    assert exams[1]["date"] == "2026-11-26"
    rep = json.loads(run(root, "report", "--json"))
    assert rep["readiness"]["verdict"].startswith(
        "Two most recent practice scores are 245 and 248, in your ≥ 240 band: on track."
    )
    assert (
        json.loads(run(root, "report", "--json", "--target", "250"))["readiness"]["status"]
        == "close"
    )
    assert "--target 100" in run(root, "report", "--target", "100", code=2)
    assert "Readiness (target 240)" in run(root, "report")


def test_cli_report_counts_pearls_written_from_a_block(root: Path) -> None:
    bid = run(root, "block", "add", "-s", "nbme", "-q", "50", "-c", "40", "-m", "70").strip()
    run(root, "add", "Tx of torsades?", "-p", "acute", "--back", "IV magnesium", "--block", bid)
    rep = json.loads(run(root, "report", "--json"))
    assert rep["blocks"][0]["pearls"] == 1
    assert rep["pearls_per_block"]["mean"] == 1.0
    rows = {p["pathway"]: p for p in rep["pathways"]}
    assert rows["acute"]["pearls_from_blocks"] == 1


def test_cli_a_mistaken_block_or_exam_is_deleted_by_appending_a_void(root: Path) -> None:
    keep = run(root, "block", "add", "-s", "uworld", "-q", "40", "-c", "29", "-m", "62").strip()
    typo = run(root, "block", "add", "-s", "uworld", "-q", "40", "-c", "2", "-m", "62").strip()
    run(root, "add", "Tx of torsades?", "-p", "acute", "--back", "IV magnesium", "--block", typo)
    log = root / "study" / "testbox.jsonl"
    before = log.read_bytes()
    result = runner.invoke(
        app,
        ["--dir", str(root), "block", "delete", typo],
        env={"PEARLS_NOW": "2026-11-27T15:00:00Z"},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"deleted block 2026-11-27 uworld 2/40 ({typo})\n"
    assert "1 pearl(s) still name it" in result.stderr
    after = log.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 3  # appended, not rewritten
    assert json.loads(after.splitlines()[-1])["target"] == typo
    assert [b["id"] for b in json.loads(run(root, "block", "list", "--json"))] == [keep]
    assert [b["id"] for b in json.loads(run(root, "report", "--json"))["blocks"]] == [keep]
    assert "already deleted" in run(root, "block", "delete", typo, code=1)
    assert "no block with id 'zzzz'" in run(root, "block", "delete", "zzzz", code=1)
    exam = run(root, "exam", "add", "NBME 12", "245").strip()
    assert json.loads(run(root, "exam", "delete", exam, "--json"))["score"] == 245
    assert json.loads(run(root, "exam", "list", "--json")) == []
    assert "no exam with id" in run(root, "exam", "delete", keep, code=1)  # a block's id
    # a void merged from another device's log takes the record out here too
    other = root / "study" / "laptop.jsonl"
    void = {"v": 1, "kind": "void", "id": "w7c2ka", "target": keep, "time": ""}
    other.write_text(json.dumps(void) + "\n", encoding="utf-8")
    assert json.loads(run(root, "block", "list", "--json")) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_FIELDS: tuple[str, ...] = (
    "id",
    "target",
    "date",
    "time",
    "source",
    "questions",
    "correct",
    "minutes",
)
_FIELDS += ("mode", "misses", "pathway_misses", "name", "form", "score", "percent")


@settings(max_examples=300, deadline=None)
@example(kind="void", fields={"id": "w7c2ka", "target": "k3f9qz", "time": ""})
@example(
    kind="block",
    fields={"id": "k3f9qz", "date": "2026-11-20", "source": "uworld", "questions": 40}
    | {"correct": 29, "minutes": 62.5, "misses": {"knowledge": 6}},
)
@example(
    kind="exam", fields={"id": "p2x8rm", "date": "2026-11-22", "name": "NBME 12", "score": 238}
)
@given(
    kind=st.sampled_from(["block", "exam", "void", "other", 3, None]),
    fields=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=len(_FIELDS)),
)
def test_any_study_log_line_is_a_record_or_a_message_never_a_crash(
    kind: object, fields: dict[str, object]
) -> None:
    """Hand edits and merges can leave anything on a line: it is read or reported."""
    line = json.dumps({"v": 1, "kind": kind, **fields}).encode()
    got = studylog.decode(line, "laptop")
    if isinstance(got, str):
        assert got.endswith("skipped")
    else:
        assert not records.check_record(got)  # a record read is a valid one
        assert studylog.decode(studylog.encode(got), "laptop") == got  # and writes back
