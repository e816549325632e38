"""`pearls report --html`: one self-contained page, charts as inline SVG, text escaped."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pearldeck.analytics import compute_report
from pearldeck.model import Event, Pearl
from pearldeck.report_html import render
from pearldeck.report_types import Report
from pearldeck.scheduler import REVIEW, iso
from pearldeck.store.studylog import Block, Exam

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
CHARTS = ("chart-accuracy", "chart-errors", "chart-scores", "chart-retention")
EVIL = '<script>alert("x")</script> & "quotes"'


def full_report() -> Report:
    blocks = [
        Block(
            id=f"blk{i:03d}",
            date=f"2026-11-{2 + 3 * i:02d}",
            source="uworld",
            questions=40,
            correct=26 + i,
            minutes=60,
            misses={"knowledge": 8 - i, "misread": 3, "rushing": 2 + (i % 2)},
            pathway_misses={"acute": 4, "diagnostic": 2 + i},
        )
        for i in range(8)
    ]
    exams = [
        Exam(id="ex0001", date="2026-11-01", name=EVIL, form="nbme", score=226),
        Exam(id="ex0002", date="2026-11-15", name="UWSA 2", form="uwsa", score=238),
        Exam(id="ex0003", date="2026-11-25", name="NBME 13", form="nbme", score=246),
        Exam(id="ex0004", date="2026-11-26", name="Free 120", form="free120", percent=74.0),
    ]
    events = [
        Event(
            id=f"e{i:04d}",
            kind="review",
            card=f"c{i % 5}",
            time=iso(datetime(2026, 11, 1 + i // 5, 9, tzinfo=UTC)),
            rating=1 if i % 7 == 0 else 3,
            state={"state": REVIEW},
        )
        for i in range(100)
    ]
    cards = {"c0": "acute", "c1": "acute", "c2": "chronic", "c3": "diagnostic", "c4": "preventive"}
    pearls = [Pearl(id="p1", pathway="acute", text=EVIL, back="x", block="blk001")]
    return compute_report(
        blocks,
        exams,
        pearls,
        events,
        cards,
        {"c0": 0.9, "c2": 0.8},
        now=NOW,
        day_starts_at=4,
    )


def empty_report() -> Report:
    return compute_report([], [], [], [], {}, {}, now=NOW, day_starts_at=4)


def test_page_has_four_charts_and_no_outside_resources() -> None:
    page = render(full_report())
    for chart in CHARTS:
        assert f'<svg id="{chart}"' in page
    assert page.count("<rect") > 20  # bars and bands were drawn, not placeholders
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in page
    assert "default-src 'none'" in page


def test_user_text_is_escaped() -> None:
    page = render(full_report())
    assert EVIL not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page


def test_empty_report_still_renders_every_chart() -> None:
    page = render(empty_report())
    for chart in CHARTS:
        assert f'<svg id="{chart}"' in page
    assert "No question blocks logged yet." in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _load(browser: str, page: Path, profile: Path) -> tuple[str, str]:
    """The DOM after load, and the browser's log with its console messages."""
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout, done.stderr


def _console_errors(log: str) -> list[str]:
    return [ln for ln in log.splitlines() if "Uncaught" in ln or ":CONSOLE" in ln]


@pytest.mark.skipif(_chromium() is None, reason="no chromium, chromium-browser or google-chrome")
@pytest.mark.parametrize("which", ["full", "empty"])
def test_page_renders_in_headless_chromium_without_console_errors(
    tmp_path: Path, which: str
) -> None:
    browser = _chromium()
    assert browser is not None
    page = tmp_path / "report.html"
    page.write_text(render(full_report() if which == "full" else empty_report()), "utf-8")
    dom, log = _load(browser, page, tmp_path / "profile")
    for chart in CHARTS:
        assert f'id="{chart}"' in dom
    assert "Step 2 CK study report" in dom
    assert _console_errors(log) == []


@pytest.mark.skipif(_chromium() is None, reason="no chromium, chromium-browser or google-chrome")
def test_console_errors_would_be_caught(tmp_path: Path) -> None:
    """The check above is not vacuous: a page that errors is seen to error."""
    browser = _chromium()
    assert browser is not None
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><p>x</p><script>undefinedThing();</script>", "utf-8")
    _, log = _load(browser, page, tmp_path / "profile")
    assert any("Uncaught" in ln for ln in _console_errors(log))
