"""The exam countdown: days left, reviews forecast, whether new cards get done in time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.countdown import CardPlan, countdown
from pearldeck.model import PearlError
from pearldeck.store.settings import parse_settings
from tests.conftest import NOW, draft

TODAY = date(2026, 11, 27)


def test_days_left_and_the_new_card_pace() -> None:
    c = countdown(TODAY, date(2027, 1, 26), [], new_left=1000, new_per_day=20)
    assert c.days_left == 60
    assert c.days_to_clear == 50 and c.clears
    assert c.needed_per_day == 17  # 1000 / 60, rounded up
    slow = countdown(TODAY, date(2027, 1, 26), [], new_left=1500, new_per_day=20)
    assert slow.days_to_clear == 75 and not slow.clears and slow.needed_per_day == 25
    never = countdown(TODAY, date(2027, 1, 26), [], new_left=5, new_per_day=0)
    assert never.days_to_clear is None and not never.clears and never.needed_per_day == 1
    done = countdown(TODAY, date(2027, 1, 26), [], new_left=0, new_per_day=0)
    assert done.clears and done.needed_per_day == 0


def test_reviews_forecast_counts_each_review_before_the_exam_day() -> None:
    # a card due today on a 1-day interval: days 0, 2.5, 8.75, 24.4 -> 4 reviews in 30 days
    c = countdown(TODAY, date(2026, 12, 27), [CardPlan(0, 1)], new_left=0, new_per_day=20)
    assert c.reviews_forecast == 4
    # a card not due until after the exam costs nothing
    late = countdown(TODAY, date(2026, 12, 27), [CardPlan(40, 30)], new_left=0, new_per_day=20)
    assert late.reviews_forecast == 0
    # new cards: each is seen on its first day and then at growing intervals
    two = countdown(TODAY, date(2026, 11, 30), [], new_left=2, new_per_day=1)
    assert two.reviews_forecast == 2 + 2  # days 0 and 1 for the first, 1 and 2 for the second
    # the exam day itself and after: no reviews, nothing left to introduce in time
    past = countdown(TODAY, TODAY, [CardPlan(0, 1)], new_left=3, new_per_day=20)
    assert (past.days_left, past.reviews_forecast, past.clears) == (0, 0, False)


def test_exam_date_in_settings_toml() -> None:
    assert parse_settings("exam_date = 2027-03-15\n", "s.toml").exam_date == "2027-03-15"
    assert parse_settings('exam_date = "2027-03-15"\n', "s.toml").exam_date == "2027-03-15"
    with pytest.raises(PearlError, match="exam_date must be a date"):
        parse_settings('exam_date = "next March"\n', "s.toml")
    # the exam date never changes a replayed schedule
    a, b = parse_settings("", "s"), parse_settings("exam_date = 2027-03-15\n", "s")
    assert a.fingerprint() == b.fingerprint()


def test_set_exam_date_keeps_every_other_line(root: Path) -> None:
    settings = root / "settings.toml"
    before = settings.read_text(encoding="utf-8")
    with Collection(root) as col:
        col.add([draft("Anaphylaxis: give {{c1::IM epinephrine}}")], NOW)
        assert col.countdown(NOW) is None
        col.set_exam_date("2027-01-26")
        c = col.countdown(NOW)
        assert c is not None and c.days_left == 60 and c.new_left == 1
    text = settings.read_text(encoding="utf-8")
    assert text.startswith(before) and text.endswith("exam_date = 2027-01-26\n")
    with Collection(root) as col:
        assert col.settings.exam_date == "2027-01-26"
        col.set_exam_date("2027-02-01")
        col.set_exam_date(None)
    assert settings.read_text(encoding="utf-8").count("exam_date") == 0


def test_report_shows_the_countdown(root: Path) -> None:
    with Collection(root) as col:
        col.add([draft(f"Pearl {i}: {{{{c1::answer {i}}}}}") for i in range(30)], NOW)
        col.set_exam_date("2026-12-07")
    runner = CliRunner()
    env = {"PEARLS_NOW": "2026-11-27T15:00:00Z"}
    out = runner.invoke(app, ["--dir", str(root), "report"], env=env, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "Exam 2026-12-07: 10 days left" in out.stdout
    assert "30 new cards left: 20 a day introduces them in 2 days" in out.stdout
    data = json.loads(runner.invoke(app, ["--dir", str(root), "report", "--json"], env=env).stdout)
    assert data["exam"]["days_left"] == 10 and data["exam"]["clears_new_before_exam"] is True
