"""The least exact work a first card on a cold index needs, with no index and no app.

To choose a card, a cold start must at least parse every pearl file (for the cards and
their new-card order) and read every review line (for each card's latest stored state).
This times exactly that, with pearldeck's own fast readers and nothing else: no SQLite,
no folds of unusual histories, no Textual. The two halves run in two processes, as two
cores allow. If this floor alone is near the cold target, no index design meets it.

`python bench/floor.py COLLECTION` prints the three figures as JSON; `bench/run.py`
reports them beside the cold first card.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def read_pearls(root: Path) -> int:
    """Parse every pearl file as a rebuild does and list its cards; the number of cards."""
    from pearldeck.model import card_ids_for
    from pearldeck.store import layout
    from pearldeck.store.yamlfile import parse_pearl_file

    files, _ = layout.scan(root)
    n = 0
    for f in files:
        parsed = parse_pearl_file(f.path.read_text(encoding="utf-8"), f.rel, f.pathway)
        for raw in parsed.pearls:
            v = raw.values
            n += len(card_ids_for(str(v["id"]), str(v["text"]), v.get("back")))  # type: ignore[arg-type]
    return n


def read_logs(root: Path) -> int:
    """Match every review line as a rebuild does; each card's latest usable state."""
    from pearldeck import scheduler as sched
    from pearldeck.store import reviewlog

    lines = reviewlog._REVIEW_LINES  # the rebuild's own matcher
    latest: dict[str, tuple[str, str, str]] = {}
    for path in reviewlog.log_files(root):
        text = path.read_bytes().decode("utf-8", "replace")
        for eid, card, at, _r, _d, _p, state, _a in lines.findall(text):
            old = latest.get(card)
            if old is None or (at, eid) > old[:2]:
                latest[card] = (at, eid, state)
    return sum(sched.usable(json.loads(s)) is not None for _, _, s in latest.values())


def main() -> None:
    root = Path(sys.argv[-1])
    if sys.argv[1] == "--logs":  # the second process
        t0 = time.perf_counter()
        read_logs(root)
        print(time.perf_counter() - t0)
        return
    t0 = time.perf_counter()
    read_pearls(root)
    pearls = time.perf_counter() - t0
    t0 = time.perf_counter()
    read_logs(root)
    logs = time.perf_counter() - t0
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--logs", str(root)], stdout=subprocess.PIPE, text=True
    )
    read_pearls(root)
    child.communicate()
    both = time.perf_counter() - t0
    if child.returncode:
        raise SystemExit("the log-reading process failed")
    print(json.dumps({"pearls": pearls, "logs": logs, "both": both}))


if __name__ == "__main__":
    main()
