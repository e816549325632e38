"""Smoke test: `pearls review` in a real terminal (tmux), reveal, rate Good, quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.tui_helpers import DEVICE, NOW_ISO, collection, log_lines, tui_env

__all__ = ["collection", "tui_env"]

TIMEOUT = 15.0


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Run tmux on a private socket (never the user's server); killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket = str(tmp_path / "tmux.sock")

    def run(*args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-S", socket, *args], capture_output=True, text=True, timeout=10, check=check
        )
        return out.stdout

    yield run
    subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, timeout=10)


def wait_for(capture: Callable[[], str], needle: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    screen = ""
    while time.monotonic() < deadline:
        screen = capture()
        if needle in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} did not appear within {TIMEOUT} s; the screen was:\n{screen}")


def test_pearls_review_in_tmux(collection: Path, tmux: Callable[..., str]) -> None:
    pearls = Path(sys.executable).parent / "pearls"
    assert pearls.exists(), pearls
    env = [f"-e{k}={v}" for k, v in (("PEARLS_NOW", NOW_ISO), ("PEARLS_DEVICE", DEVICE))]
    env += ["-eTZ=UTC", f"-eTERM={os.environ.get('TERM', 'xterm-256color')}"]
    # default-size first, so the app never starts at tmux's 80x24 and then gets resized
    tmux(
        "start-server", ";", "set-option", "-g", "default-size", "100x30", ";",
        "new-session", "-d", "-s", "pd", "-x", "100", "-y", "30", *env,
        # a shell may export a stale COLUMNS/LINES, which Textual prefers to the real size
        f"env -u COLUMNS -u LINES {pearls} --dir {collection} review",
    )  # fmt: skip

    def capture() -> str:
        return tmux("capture-pane", "-p", "-t", "pd")

    wait_for(capture, "Anaphylaxis: give [...]")
    tmux("send-keys", "-t", "pd", "space")
    wait_for(capture, "give IM epinephrine into the")
    # the answer and its meta line may reach the pane in two paints on a loaded machine
    screen = wait_for(capture, "#allergy #pharmacology · WAO anaphylaxis guidance 2020")
    assert "give IM epinephrine into the" in screen
    wait_for(capture, "3 Good")
    tmux("send-keys", "-t", "pd", "3")
    wait_for(capture, "Most common cause of small-bowel obstruction")  # c2 waits: a sibling
    events = log_lines(collection)
    assert [(e["kind"], e["card"], e["rating"]) for e in events] == [("review", "anaph1#c1", 3)]
    tmux("send-keys", "-t", "pd", "q")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if "pd" not in tmux("list-sessions", "-F", "#{session_name}", check=False):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the app did not quit on q")
