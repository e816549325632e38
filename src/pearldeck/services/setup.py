"""Making a collection and wiring it into git: what `pearls init` needs, and no more.

Kept apart from `Collection` so that `init` and git's merge driver load neither the index
nor the review history."""

from __future__ import annotations

from pathlib import Path

from pearldeck.store import layout


def init(root: Path) -> list[Path]:
    """Make a collection at `root`, or add what an existing one lacks; the paths made."""
    return layout.init_collection(root)


def git_init(root: Path) -> str:
    """Make a new collection a git repository (unless it is in one); what happened."""
    from pearldeck.store import gitrepo

    return gitrepo.init(root)


def register_merge_driver(root: Path) -> list[str]:
    """Register the pearl-aware git merge driver in the clone holding `root`; what it did."""
    from pearldeck.store import gitsync

    return gitsync.register_driver(root)


def merge_driver_missing(root: Path) -> list[str]:
    """What this clone lacks for pearl-aware merges (empty when it merges by pearl id)."""
    from pearldeck.store import gitsync

    return list(gitsync.driver_state(root).missing)


def merge_pearl_files(base: Path, ours: Path, theirs: Path, name: str) -> tuple[int, list[str]]:
    """Merge pearl files by pearl id into `ours` (git's merge driver); exit code, messages."""
    from pearldeck.store import gitsync

    result = gitsync.merge_file(base, ours, theirs, name)
    return result.code, list(result.messages)


def in_git_repository(root: Path) -> bool:
    from pearldeck.store import gitrepo

    return gitrepo.inside_repository(root)
