"""Rate cards in a loop, for the concurrency suite: one of two processes at once.

`python -m tests.reliability.rate_child ROOT N MODE SEED` waits for a line on stdin,
then makes N reviews of random cards. MODE `api` keeps one Collection open (as the
review UI does) and prints `DONE <event-id>` per review; MODE `cli` runs `pearls rate`
N times in-process (each opens the collection afresh, as a script would) and prints
`DONE` or `FAIL <output>` per review. Anything that escapes prints `CRASH <traceback>`.
"""

from __future__ import annotations

import json
import random
import sys
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pearldeck.collection import Collection
from pearldeck.model import Rating
from tests.reliability.common import invoke

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def main() -> None:
    root, n, mode, seed = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rng = random.Random(seed)
    sys.stdin.readline()
    try:
        col = Collection(root)
        cards = sorted(col.card_pathways())
        if mode == "cli":
            col.close()
        for i in range(n):
            card = rng.choice(cards)
            rating = Rating(rng.randint(1, 4))
            now = START + timedelta(seconds=i * 7 + rng.random())
            if mode == "api":
                done = col.rate(card, rating, now)
                print(f"DONE {done.event.id}", flush=True)
            else:
                args = ["--dir", str(root), "rate", card, rating.label]
                res = invoke(args, env={"PEARLS_NOW": now.isoformat()})
                ok = res.exit_code == 0 and not res.stderr
                print("DONE" if ok else f"FAIL {json.dumps(res.output)}", flush=True)
        if mode == "api":
            col.close()
    except BaseException:
        print(f"CRASH {json.dumps(traceback.format_exc())}", flush=True)


if __name__ == "__main__":
    main()
