"""Commands on a real full disk: a tiny tmpfs in a private mount namespace.

`unshare -m python -m tests.reliability.diskfull_child TEMPLATE MOUNTPOINT MAX_PAGES`
mounts a tmpfs on MOUNTPOINT (only this process and its children see it), and for
every op and every free space from 0 to MAX_PAGES pages: copies TEMPLATE (a folder
holding `pearls/`, `notes.md`, `decks/`) in, fills the disk to leave that much free,
runs the command in-process, frees the disk and checks the outcome. Here SQLite's own
writes fail too. Prints one JSON line per run: {"op", "free", "exit", "stderr",
"traceback", "made", "intact"}.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

from pearldeck.collection import Collection
from tests.reliability.common import invoke

NEW_TEXT = "Disk-full {{c1::pearl}} text"
PAGE = 4096


def fill(mount: Path, free_pages: int) -> Path:
    """Take every byte of the disk, then give back `free_pages` pages."""
    filler = mount / "filler"
    chunk = b"\0" * (256 * 1024)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while True:
            try:
                os.write(fd, chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                if len(chunk) == PAGE:
                    break
                chunk = chunk[: len(chunk) // 2]
        size = os.fstat(fd).st_size
        os.ftruncate(fd, max(0, size - free_pages * PAGE))
    finally:
        os.close(fd)
    return filler


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and not p.name.endswith((".tmp", ".part"))
    }


def made(op: str, base: Path, before: dict[str, bytes]) -> int:
    root = base / "pearls"
    if op in ("rate", "undo"):
        log = (root / "reviews" / "testbox.jsonl").read_bytes()
        old = before["pearls/reviews/testbox.jsonl"]
        return -1 if not log.startswith(old) else log[len(old) :].count(b"\n")
    if op == "export":
        out = base / "decks" / "x.apkg"
        return int(out.exists() and out.read_bytes() != before.get("decks/x.apkg"))
    with Collection(root, assign_ids=False) as col:
        texts = [p.text for p in col.pearls()]
    if op == "add":
        return texts.count(NEW_TEXT)
    return sum(t.startswith("Imported under fault") for t in texts)


def main() -> None:
    template, mount, max_pages = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    card = (template / "card").read_text().strip()
    ops = {
        "add": ["add", NEW_TEXT, "-p", "acute"],
        "rate": ["rate", card, "good"],
        "undo": ["undo"],
        "import": ["import", str(mount / "run" / "notes.md")],
        "export": ["export", "-o", str(mount / "run" / "decks" / "x")],
    }
    for op, args in ops.items():
        for free in range(max_pages + 1):
            base = mount / "run"
            shutil.rmtree(base, ignore_errors=True)
            shutil.copytree(template, base)
            before = files(base)
            filler = fill(mount, free)
            tb = None
            try:
                res = invoke(["--dir", str(base / "pearls"), *args], catch_exceptions=False)
                code, err = res.exit_code, res.stderr
            except BaseException:
                code, err, tb = None, "", traceback.format_exc()
            filler.unlink()
            n = made(op, base, before)
            after = files(base)
            intact = after == before if n == 0 else True
            out = {"op": op, "free": free, "exit": code, "stderr": err, "traceback": tb}
            out |= {"made": n, "intact": intact}
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
            if code == 0 and free > 2:
                break  # enough room from here on


if __name__ == "__main__":
    main()
