"""`pearls import` end to end: counts, re-import as a sync, media, schedules carried over."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"
FIXTURES = Path(__file__).parent / "fixtures"


def run(root: Path, *args: str, code: int = 0, now: str = NOW) -> tuple[str, str]:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": now}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def test_skip_invalid_counts_every_pearl_it_skipped(root: Path, tmp_path: Path) -> None:
    md = tmp_path / "bad.md"
    md.write_text("# Acute\n- good one :: yes\n\nQ: empty answer\nA:\n\n- {{c1:: }} empty\n")
    out, err = run(root, "import", str(md), "--skip-invalid")
    assert f"{md}:5: empty answer after 'A:'" in err
    assert f"{md}:7: empty cloze" in err
    assert out.strip() == (
        "added 1 pearl(s) (1 acute); 0 already present; 2 invalid; 0 paragraph(s) skipped"
    )
