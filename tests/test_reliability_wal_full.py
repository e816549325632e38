"""The index's write-ahead log never holds the space the user's files need.

On a real 3 MB tmpfs (a private mount namespace), a collection whose index fits only
until its write-ahead log is folded back in: the cache must give the space back (it can
be rebuilt), so that adding a pearl and rating a card still work, every time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_full_disk_never_blocks_later_writes(tmp_path: Path) -> None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("unshare and mount are needed for a private tmpfs")
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("no permission to make a mount namespace")
    mount = tmp_path / "disk"
    mount.mkdir()
    out = subprocess.run(
        ["unshare", "-m", sys.executable, "-m", "tests.reliability.walfull_child", str(mount)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "PEARLS_DEVICE": "testbox", "TZ": "UTC",
             "PEARLS_NOW": "2026-11-28T10:00:00Z"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    runs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["args"][0] for r in runs] == ["due", "add", "rate", "check"]
    for run in runs:
        assert "Traceback" not in run["output"], run
        assert run["exit"] == 0, run
        # no write-ahead log left holding the disk: the cache is small or gone
        wal = [int(c.split(":")[1]) for c in run["cache"] if c.startswith("index.sqlite3-wal")]
        assert sum(wal) == 0, run
    assert "Written on a full" not in runs[0]["output"]
    assert runs[3]["output"].startswith("ok:") or "no problems" in runs[3]["output"]
