"""The benchmark still runs end to end (on a few hundred pearls; its figures mean nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def test_bench_runs_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--smoke",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())
    names = " | ".join(r["figure"] for r in rows)
    for part in (
        "first card, warm",
        "first card, cold",
        "peak memory",
        "due --json",
        "edit one pearl",
        "rating",
        "export",
        "import",
        "optimize",
        "the cold floor",
    ):
        assert part in names
    for r in rows:
        assert r["min"] <= r["median"] <= r["max"]
        assert set(r) >= {"figure", "median", "min", "max", "baseline", "ratio", "target", "met"}
