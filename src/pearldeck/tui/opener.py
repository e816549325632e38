"""Open a file in the system's viewer (xdg-open, open) without waiting for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def open_in_viewer(path: Path) -> str | None:
    """Start the viewer on `path` and return at once; a message if no viewer can be run."""
    if sys.platform == "win32":
        try:
            os.startfile(path)
        except OSError as e:
            return f"Cannot open {path}: {e.strerror or e}"
        return None
    command = "open" if sys.platform == "darwin" else "xdg-open"
    program = shutil.which(command)
    if program is None:
        return f"No image viewer here ({command} is not installed). The file is {path}"
    try:
        subprocess.Popen(  # own session: app keys never reach it; it may outlive the app
            [program, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as e:
        return f"Cannot run {command}: {e.strerror or e}"
    return None
