"""The `pearls` command line, run as a user would (issues 2 and 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pearldeck.cli import app

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"


def run(root: Path, *args: str, code: int = 0, now: str = NOW) -> str:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": now}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout


def test_every_command_has_help() -> None:
    group = get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"init", "add", "list", "check", "due", "next", "rate", "undo", "stats"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0, name
        assert "Usage:" in result.stdout and len(result.stdout) > 80


def test_version() -> None:
    result = runner.invoke(app, ["--version"], catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout.startswith("pearls (pearldeck) ")


def test_add_prints_only_the_id_and_list_shows_it(root: Path) -> None:
    pid = run(
        root,
        "add",
        "Most common cause of SBO?",
        "-p",
        "acute",
        "--back",
        "Adhesions",
        "-t",
        "surgery",
        "--tag",
        "gi",
        "--source",
        "UWorld 12345",
    ).strip()
    assert len(pid) == 6 and pid.isalnum()
    [item] = json.loads(run(root, "list", "--json"))
    assert item == {
        "id": pid,
        "pathway": "acute",
        "text": "Most common cause of SBO?",
        "back": "Adhesions",
        "tags": ["surgery", "gi"],
        "source": "UWorld 12345",
        "added": "2026-11-27",
        "block": None,
        "origin": None,
        "file": "acute.yaml",
        "line": 2,
    }
    assert json.loads(run(root, "list", "--json", "--tag", "nope")) == []
    assert json.loads(run(root, "list", "--json", "--pathway", "chronic")) == []
    table = run(root, "list")
    assert pid in table and "Adhesions" in table


def test_bad_pathway_is_a_usage_error(root: Path) -> None:
    result = runner.invoke(app, ["--dir", str(root), "add", "x {{c1::y}}", "-p", "cardio"])
    assert result.exit_code == 2
    assert "unknown pathway 'cardio'" in result.stderr


def test_check_reports_every_problem_and_fix_assigns_ids(root: Path) -> None:
    (root / "acute.yaml").write_text("- text: 'a {{c1::b}}'\n- text: plain\n  colour: red\n")
    result = runner.invoke(app, ["--dir", str(root), "check"], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    known = "id, text, back, tags, source, added, block, origin"
    assert f"{root}/acute.yaml:3: unknown key 'colour'; known keys: {known}" in lines
    assert f"{root}/acute.yaml:1: pearl has no id; `pearls check --fix` adds one" in lines
    assert "Traceback" not in result.output
    (root / "acute.yaml").write_text("- text: 'a {{c1::b}}'\n")
    result = runner.invoke(app, ["--dir", str(root), "check", "--fix"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (root / "acute.yaml").read_text().startswith("- id: ")


def test_commands_refuse_a_broken_collection_with_path_and_line(root: Path) -> None:
    (root / "chronic.yaml").write_text("- id: aaaa11\n  text: [unclosed\n")
    result = runner.invoke(app, ["--dir", str(root), "due"], env={"PEARLS_NOW": NOW})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{root}/chronic.yaml:")
    assert "Traceback" not in result.output


def test_due_next_rate_undo_round_trip(root: Path) -> None:
    pid = run(root, "add", "Anaphylaxis: {{c1::IM epinephrine}} first", "-p", "acute").strip()
    due = json.loads(run(root, "due", "--json"))
    assert due["today"] == "2026-11-27"
    assert due["total"] == {"new": 1, "learning": 0, "review": 0}
    assert set(due["pathways"]) == {"acute", "chronic", "preventive", "diagnostic", "systems-based"}
    nxt = json.loads(run(root, "next", "--json"))
    assert nxt["card_id"] == f"{pid}#c1" and nxt["prompt"] == "Anaphylaxis: [...] first"
    assert nxt["intervals"]["good"] == "10m"
    out = run(root, "rate", f"{pid}#c1", "good", "--duration", "5")
    assert "in 10m" in out
    assert json.loads(run(root, "due", "--json"))["total"]["learning"] == 1
    assert "undid good" in run(root, "undo")
    assert json.loads(run(root, "due", "--json"))["total"]["new"] == 1
    run(root, "undo", code=1)
    run(root, "rate", f"{pid}#c1", "meh", code=2)
    run(root, "rate", "zzzz99", "good", code=1)


def test_stats_json_counts_reviews_and_retention(root: Path) -> None:
    pid = run(root, "add", "q?", "-p", "diagnostic", "--back", "a").strip()
    run(root, "rate", pid, "easy")
    run(root, "rate", pid, "good", now="2026-12-08T15:00:00Z")
    s = json.loads(run(root, "stats", "--json", now="2026-12-08T16:00:00Z"))
    d = s["pathways"]["diagnostic"]
    assert d["reviews_total"] == 2 and d["reviews_today"] == 1
    assert d["true_retention"]["30d"] == 1.0
    assert d["cards"]["review"] == 1
    assert s["total"]["reviews_total"] == 2
    run(root, "rate", pid, "again", now="2026-12-08T16:00:00Z")
    s = json.loads(run(root, "stats", "--json", now="2026-12-08T16:00:00Z"))
    assert s["total"]["forecast"][0] == 1 and sum(s["total"]["forecast"]) == 1
    assert s["pathways"]["diagnostic"]["true_retention"]["7d"] == 0.5
    assert s["pathways"]["diagnostic"]["cards"]["relearning"] == 1


def test_suspend_and_leech_listing(root: Path) -> None:
    pid = run(root, "add", "q?", "-p", "acute", "--back", "a").strip()
    assert "suspended" in run(root, "suspend", pid)
    assert json.loads(run(root, "due", "--json"))["total"]["new"] == 0
    run(root, "unsuspend", pid)
    assert json.loads(run(root, "due", "--json"))["total"]["new"] == 1
    assert json.loads(run(root, "list", "--leeches", "--json")) == []


def test_pearls_dir_env_and_python_m(tmp_path: Path) -> None:
    env = {**os.environ, "PEARLS_DIR": str(tmp_path / "c"), "PEARLS_NOW": NOW}
    subprocess.run([sys.executable, "-m", "pearldeck", "init"], env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-m", "pearldeck", "due", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out)["total"]["new"] == 0


def test_bad_pearls_now_is_a_clear_error(root: Path) -> None:
    result = runner.invoke(app, ["--dir", str(root), "due"], env={"PEARLS_NOW": "tuesday"})
    assert result.exit_code == 1 and "PEARLS_NOW='tuesday'" in result.stderr


@pytest.mark.parametrize("cmd", [["due"], ["list"], ["check"]])
def test_missing_collection_folder_is_a_message(tmp_path: Path, cmd: list[str]) -> None:
    result = runner.invoke(app, ["--dir", str(tmp_path / "nope"), *cmd])
    assert result.exit_code == 1
    assert "no such collection folder" in result.stderr and "Traceback" not in result.output
