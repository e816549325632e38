"""Shared pieces of the TUI tests: a small collection with fixed ids, a fixed clock, env."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from pearldeck.collection import Collection
from pearldeck.store.index import StatusRow
from pearldeck.store.layout import init_collection
from pearldeck.tui.app import PearlsApp

DEVICE = "tui-test"
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
NOW_ISO = "2026-11-27T14:00:00Z"
SIZE = (100, 30)

ACUTE = """\
# Acute care
- id: anaph1
  text: "Anaphylaxis: give {{c1::IM epinephrine}} into the {{c2::anterolateral thigh}}"
  tags: [allergy, pharmacology]
  source: WAO anaphylaxis guidance 2020
  added: 2026-11-20
- id: sbo001
  text: "Most common cause of small-bowel obstruction in adults?"
  back: "Adhesions from prior abdominal surgery"
  tags: [surgery, gi]
  source: Sabiston
  added: 2026-11-20
"""

CHRONIC = """\
# Chronic disease management
- id: hfref1
  text: "HFrEF: the fourth pillar of therapy is an {{c1::SGLT2 inhibitor}}"
  tags: [cardiology]
  source: AHA/ACC/HFSA 2022
  added: 2026-11-20
- id: ccb001
  text: "Which calcium channel blockers should be avoided in HFrEF?"
  back: "Non-dihydropyridines (diltiazem, verapamil)"
  tags: [cardiology, pharmacology]
  source: AHA/ACC/HFSA 2022
  added: 2026-11-20
- id: metf01
  text: "Metformin is contraindicated at eGFR {{c1::< 30}}"
  tags: [diabetes]
  source: FDA 2016
  added: 2026-11-20
"""


@pytest.fixture
def tui_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fixed device name, UTC as local time, and no clock or editor from the developer."""
    monkeypatch.setenv("PEARLS_DEVICE", DEVICE)
    monkeypatch.delenv("PEARLS_NOW", raising=False)
    monkeypatch.delenv("PEARLS_DIR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def collection(tmp_path: Path, tui_env: None) -> Path:
    """A collection with two acute and three chronic pearls (6 cards), ids fixed."""
    root = tmp_path / "pearls"
    init_collection(root)
    (root / "acute.yaml").write_text(ACUTE, encoding="utf-8")
    (root / "chronic.yaml").write_text(CHRONIC, encoding="utf-8")
    return root


def make_app(root: Path, start: str = "review", **kw: str | None) -> PearlsApp:
    return PearlsApp(root, start=start, clock=lambda: NOW, **kw)


def text_of(app: PearlsApp, selector: str) -> str:
    """The plain text a Static (or Label) shows."""
    return str(app.screen.query_one(selector, Static).render())


def log_lines(root: Path) -> list[dict[str, object]]:
    path = root / "reviews" / f"{DEVICE}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def statuses(root: Path) -> dict[str, StatusRow]:
    with Collection(root) as col:
        return col.statuses()


def env_for_subprocess(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PEARLS_DEVICE=DEVICE, PEARLS_NOW=NOW_ISO, TZ="UTC", PEARLS_DIR=str(root))
    return env
