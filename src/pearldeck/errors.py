"""Write errors every layer names: a file changed underneath, or the disk refused a write."""

from __future__ import annotations

from pathlib import Path


class ChangedOnDisk(Exception):
    """The file changed since it was read; writing would lose someone's edit."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: changed on disk since it was read; nothing written. Run the command again."
        )
        self.path = path


class WriteFailed(Exception):
    """An OS error while writing, turned into a message for the user."""

    def __init__(self, path: Path, err: OSError) -> None:
        super().__init__(f"{path}: cannot write: {err.strerror or err}")
        self.path = path
