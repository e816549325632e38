"""The `pearls` command line, run as a user would (issues 2 and 3)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pearldeck.cli import COMMANDS, app

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"


def run(root: Path, *args: str, code: int = 0, now: str = NOW) -> str:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": now}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command below `group`, as the words that name it."""
    ctx = click.Context(group)
    found: list[tuple[str, ...]] = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        found.append((*path, name))
        if isinstance(cmd, click.Group):
            found.extend(all_commands(cmd, (*path, name)))
    return found


def test_each_command_is_registered_by_the_module_the_root_imports_for_it() -> None:
    assert app.list_commands(click.Context(app)) == list(COMMANDS)
    for area in set(COMMANDS.values()):
        group = click.Group()
        importlib.import_module(f"pearldeck.cli.{area}").register(group)
        assert set(group.commands) == {n for n, a in COMMANDS.items() if a == area}, area


def test_every_command_has_help() -> None:
    commands = all_commands(app)
    names = {c[0] for c in commands}
    assert {"init", "add", "list", "check", "due", "next", "rate", "undo", "stats"} <= names
    assert {("block", "add"), ("block", "list"), ("exam", "add"), ("exam", "list")} <= set(commands)
    for words in commands:
        for flag in ("--help", "-h"):
            result = runner.invoke(app, [*words, flag], catch_exceptions=False)
            assert result.exit_code == 0, words
            assert result.stdout.startswith(f"Usage: pearls {' '.join(words)} "), words
            assert len(result.stdout) > 80 and result.stderr == "", words


def test_no_arguments_prints_help() -> None:
    for words in ([], ["block"], ["exam"]):
        result = runner.invoke(app, words)
        assert result.exit_code == 2, words
        assert result.stdout == "" and result.stderr.startswith("Usage: pearls"), words
        assert "Commands:" in result.stderr, words


def test_usage_errors_exit_2_on_stderr(root: Path) -> None:
    for args in (["bogus"], ["due", "--bogus"], ["rate", "x"], ["block", "add", "-q", "x"]):
        result = runner.invoke(app, ["--dir", str(root), *args])
        assert result.exit_code == 2, args
        assert result.stdout == "" and "Error:" in result.stderr, args


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
        "notes": None,
        "context": None,
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
    known = "id, text, back, tags, source, added, block, origin, notes, context"
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


def test_due_json_loads_only_what_it_needs(root: Path) -> None:
    """`pearls due --json` is a benchmark target: no pydantic, no rich, no other command's code."""
    script = (
        "import sys\n"
        "from pearldeck.cli import main\n"
        "sys.argv = ['pearls', '--dir', sys.argv[1], 'due', '--json']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PEARLS_NOW": NOW}
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["today"] == "2026-11-27"
    loaded = set(done.stderr.split())
    assert "pearldeck.cli.review_cmds" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in {"pydantic", "rich", "typer", "textual"}}
    others = {f"pearldeck.cli.{a}" for a in COMMANDS.values()} - {"pearldeck.cli.review_cmds"}
    assert heavy == set() and others & loaded == set()


@pytest.mark.parametrize(
    ("tz", "now", "today"),
    [
        ("America/New_York", "2026-11-27T08:30:00Z", "2026-11-26"),  # 03:30 local: yesterday
        ("America/New_York", "2026-11-27T09:30:00Z", "2026-11-27"),  # 04:30 local
        ("Asia/Tokyo", "2026-11-27T18:30:00Z", "2026-11-27"),  # 03:30 on the 28th, local
        ("Asia/Tokyo", "2026-11-27T19:30:00Z", "2026-11-28"),
        ("America/New_York", "2026-11-27T03:30", "2026-11-26"),  # no offset: local time
    ],
)
def test_study_day_of_a_whole_process_follows_tz_and_pearls_now(
    tmp_path: Path, tz: str, now: str, today: str
) -> None:
    env = {**os.environ, "PEARLS_DIR": str(tmp_path / "c"), "PEARLS_NOW": now, "TZ": tz}
    subprocess.run(
        [sys.executable, "-m", "pearldeck", "init"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [sys.executable, "-m", "pearldeck", "due", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out)["today"] == today
