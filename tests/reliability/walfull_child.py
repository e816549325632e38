"""The index's write-ahead log on a nearly full disk: a real tiny tmpfs.

`unshare -m python -m tests.reliability.walfull_child MOUNTPOINT` mounts a 3 MB tmpfs
(only this process sees it), puts a collection on it whose index just does not fit
once its write-ahead log is folded back in, and runs commands through the CLI. Prints
one JSON line per command: {"args", "exit", "output", "free", "cache"}.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.reliability.common import invoke

STARTER = Path(__file__).resolve().parents[2] / "pearls"


def main() -> None:
    mount = Path(sys.argv[1])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    root = mount / "pearls"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".cache"))
    pad = "with some padding text to make it longer"
    (root / "chronic.yaml").write_text(
        "".join(
            f"- id: p{i:06d}\n  text: Pearl number {i} about {{{{c1::thing {i}}}}} {pad}\n"
            for i in range(3000)
        )
    )
    runs = [
        ["due"],
        ["add", "-p", "acute", "Written on a full {{c1::disk}}"],
        ["rate", "p000001#c1", "good"],
        ["check"],
    ]
    for args in runs:
        res = invoke(["--dir", str(root), *args], catch_exceptions=False)
        st = os.statvfs(mount)
        cache = sorted(
            f"{p.name}:{p.stat().st_size}" for p in (root / ".cache").iterdir() if p.is_file()
        )
        line = {"args": args, "exit": res.exit_code, "output": res.output}
        line |= {"free": st.f_bavail * st.f_frsize, "cache": cache}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
