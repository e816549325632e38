"""The README's command examples run as written (issue 21: keep the README true)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from pearldeck.cli import app

README = Path(__file__).parent.parent / "README.md"
runner = CliRunner()


def shell_examples(section: str) -> list[list[str]]:
    """The `pearls ...` commands of the ```sh blocks in one README section."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", body, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["pearls"]:
                commands.append(words[1:])
    return commands


def test_the_study_log_example_runs_as_written(root: Path) -> None:
    commands = shell_examples("The study log: blocks, exams, report")
    assert [c[:2] for c in commands] == [
        ["block", "add"],
        ["add", "Type B dissection: first drug?"],
        ["exam", "add"],
        ["report"],
    ]
    block_id = ""
    for words in commands:
        # the README shows an example block id; the real one is what `block add` printed
        words = [block_id if w == "4kd9x2" and block_id else w for w in words]
        result = runner.invoke(
            app, ["--dir", str(root), *words], env={"PEARLS_NOW": "2026-11-27T15:00:00Z"}
        )
        assert result.exit_code == 0, (words, result.output)
        if words[:2] == ["block", "add"]:
            block_id = result.stdout.strip()
    [pearl] = json.loads(runner.invoke(app, ["--dir", str(root), "list", "--json"]).stdout)
    assert pearl["block"] == block_id and pearl["back"] == "IV beta blocker"


def test_the_quick_start_targets_exist() -> None:
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start\n", 1)[1].split("\n## ", 1)[0]
    targets = re.findall(r"^make (\w+)", quick, re.M)
    assert targets == ["review", "test"]
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert ". .venv/bin/activate" in quick  # how to get `pearls` on the PATH
    assert (README.parent / "decks" / ".gitkeep").exists()
