"""Notes to an Anki deck, whole processes, against ankdown on the same generated cards.

The job a student runs after writing notes: pearldeck's `init` (once) + `import` + `export`,
against `ankdown -r NOTES -p deck.apkg`, which rebuilds the whole deck every time. The same
cards are written in each tool's own markdown: Obsidian's `front :: back` list items for
pearldeck, `front % back % tags ---` for ankdown. ankdown lives in its own virtual
environment (bench/.ankdown, made on first use), so it is never a dependency of pearldeck.
Runs are paired (one of each, alternating) so a busy machine moves both sides alike.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from generate import WORDS  # the sibling script's words, as in the other bench data

HERE = Path(__file__).resolve().parent
ANKDOWN_ENV = HERE / ".ankdown"
ANKDOWN_VERSION = "0.7.1"
PER_FILE = 100  # cards per note file: a topic page in a student's vault

TITLES = ("Acute care", "Chronic disease management", "Preventive care")


def make_cards(n: int, seed: int) -> list[tuple[str, str, str]]:
    """`n` (front, back, tag) triples; fronts are unique, as a deck's are."""
    rng = random.Random(seed)

    def words(lo: int, hi: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))

    return [(f"{words(6, 16)} {i}?", words(2, 8), f"t{i % 7}") for i in range(n)]


def write_notes(root: Path, cards: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    """Write the cards as pearldeck notes and as ankdown notes; return both folders."""
    ours, theirs = root / "obsidian", root / "ankdown"
    for folder in (ours, theirs):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for f, start in enumerate(range(0, len(cards), PER_FILE)):
        chunk = cards[start : start + PER_FILE]
        lines = [f"# {TITLES[f % len(TITLES)]}", "", f"## Topic {f}", ""]
        lines += [f"- {front} :: {back} #{tag}" for front, back, tag in chunk]
        (ours / f"topic-{f:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        blocks = [f"{front}\n%\n{back}\n%\n{tag}\n" for front, back, tag in chunk]
        (theirs / f"topic-{f:03d}.md").write_text("---\n".join(blocks), encoding="utf-8")
    return ours, theirs


def edit_one(notes: Path, n: int) -> None:
    """Change the back of one card in one file, as a student fixing a pearl does."""
    target = sorted(notes.glob("*.md"))[n % len(list(notes.glob("*.md")))]
    text = target.read_text(encoding="utf-8")
    mark = " :: " if " :: " in text else "\n%\n"
    i = text.index(mark) + len(mark)
    target.write_text(text[:i] + f"edited{n} " + text[i:], encoding="utf-8")


def ankdown_command() -> list[str] | None:
    """The ankdown executable in its own environment, installed on first use; None if
    it cannot be installed here (no package index), so the job is skipped, not faked."""
    exe = ANKDOWN_ENV / "bin" / "ankdown"
    if exe.exists():
        return [str(exe)]
    try:
        subprocess.run([sys.executable, "-m", "venv", str(ANKDOWN_ENV)], check=True)
        subprocess.run(
            [str(ANKDOWN_ENV / "bin" / "pip"), "install", "-q", f"ankdown=={ANKDOWN_VERSION}"],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"ankdown could not be installed ({exc}); the notes-job figures are skipped")
        shutil.rmtree(ANKDOWN_ENV, ignore_errors=True)
        return None
    return [str(exe)]


def _run(args: list[str], env: Mapping[str, str], cwd: Path | None = None) -> None:
    subprocess.run(args, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


JOBS = (
    # (figure, what happens before each run, pearldeck's commands)
    ("init + import + export", "fresh", ("init", "import", "export")),
    ("init + import --export", "fresh", ("init", "import --export")),
    ("re-run, notes unchanged: import + export", "none", ("import", "export")),
    ("re-run, notes unchanged: import --export", "none", ("import --export",)),
    ("re-run after one edit: import --export", "edit", ("import --export",)),
)


def measure(
    pearls: str, env: Mapping[str, str], work: Path, n_cards: int, runs: int
) -> dict[str, tuple[list[float], list[float]]] | None:
    """Paired samples (pearldeck, ankdown) for each of JOBS; None when ankdown is not
    available. ankdown has no re-run: every run of it rebuilds the deck."""
    ankdown = ankdown_command()
    if ankdown is None:
        return None
    ours, theirs = write_notes(work / "notes", make_cards(n_cards, 20261203 + n_cards))
    col, deck = work / "col", work / "pearls.apkg"
    commands = {
        "init": [pearls, "--dir", str(col), "init"],
        "import": [pearls, "--dir", str(col), "import", str(ours)],
        "import --export": [pearls, "--dir", str(col), "import", str(ours), "--export", str(deck)],
        "export": [pearls, "--dir", str(col), "export", "-o", str(deck)],
    }

    def ankdown_job() -> float:
        t0 = time.perf_counter()
        _run([*ankdown, "-r", str(theirs), "-p", str(work / "ankdown.apkg")], env, cwd=work)
        return time.perf_counter() - t0

    def our_job(steps: tuple[str, ...]) -> float:
        t0 = time.perf_counter()
        for step in steps:
            _run(commands[step], env)
        return time.perf_counter() - t0

    out: dict[str, tuple[list[float], list[float]]] = {}
    n_edits = 0
    for name, before, steps in JOBS:
        mine: list[float] = []
        base: list[float] = []
        if before != "fresh" and not col.exists():
            our_job(("init", "import --export"))
        for i in range(runs):
            if before == "fresh":
                shutil.rmtree(col, ignore_errors=True)
            elif before == "edit":
                edit_one(ours, n_edits)
                edit_one(theirs, n_edits)
                n_edits += 1
            if i % 2:
                base.append(ankdown_job())
                mine.append(our_job(steps))
            else:
                mine.append(our_job(steps))
                base.append(ankdown_job())
        out[name] = (mine, base)
    return out


if __name__ == "__main__":  # a quick look: python bench/notes_job.py 1000
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    scratch = Path(tempfile.gettempdir()) / f"notes-job-{n}"
    scratch.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    got = measure(str(Path(sys.executable).with_name("pearls")), env, scratch, n, 3)
    for job, (mine, base) in (got or {}).items():
        m, b = sorted(mine)[len(mine) // 2], sorted(base)[len(base) // 2]
        print(f"{n} {job}: pearldeck {m:.3f}s ankdown {b:.3f}s ratio {m / b:.2f}")
