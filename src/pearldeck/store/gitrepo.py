"""Make a collection folder a git repository, unless it already is inside one."""

from __future__ import annotations

import subprocess
from pathlib import Path


def inside_repository(folder: Path) -> bool:
    """Whether `folder` is already inside a git work tree (then it syncs with that one)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


def init(folder: Path) -> str:
    """`git init` the folder; what happened, in words for the user."""
    if inside_repository(folder):
        return f"{folder} is already inside a git repository; not making another"
    try:
        done = subprocess.run(
            ["git", "init", "-q", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        return "git is not installed; install it to sync the collection between machines"
    except (OSError, subprocess.SubprocessError) as e:
        return f"git init failed: {e}"
    if done.returncode != 0:
        return f"git init failed: {(done.stderr or done.stdout).strip()}"
    return f"made {folder} a git repository (git init)"
