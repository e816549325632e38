"""A zygote for the crash suite: forks workers that use a collection until SIGKILLed.

Run as `python -m tests.reliability.crash_child`. Each stdin line `RUN <root> <seed>
<start> <self_kill>` forks one worker (the imports are done once, so a fork costs
milliseconds). The zygote writes `PID <pid>`, waits for the worker and writes
`EXIT <pid> <status>`. The worker opens the collection and loops forever over reviews,
undos, adds, edits, markdown imports and Anki exports, reporting on stdout after each
operation returns:

    OPEN                      the collection is open
    DONE <event-id>           a review is on disk
    UNDO <event-id>           the undo of that event is on disk
    ADDED <pearl-id>          a pearl added with `Collection.add`
    EDITING <pearl-id> <text> / EDITED <pearl-id>   around `replace_pearl`
    IMPORTING <text> / IMPORTED   around `pearls import` (text: JSON)
    EXPORTED <path>           `pearls export` wrote the package

With `self_kill` = k > 0 the worker SIGKILLs itself at its k-th write, fsync or rename
(before or after the call), so kills land inside every window of every write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pearldeck.anki_export
import pearldeck.cli
import pearldeck.markdown_import
from pearldeck.collection import Collection
from pearldeck.model import PATHWAYS, PearlDraft, Rating
from tests.reliability.common import invoke

_ = (pearldeck.anki_export, pearldeck.cli, pearldeck.markdown_import)  # imported before forking
P = ParamSpec("P")
R = TypeVar("R")


def emit(line: str) -> None:
    os.write(1, (line + "\n").encode())  # one write: lines never interleave


def arm_self_kill(k: int, rng: random.Random) -> None:
    """SIGKILL this process at its k-th write, fsync or rename, before or after it."""
    calls = [0]
    after = rng.random() < 0.5

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        def inner(*args: P.args, **kw: P.kwargs) -> R:
            calls[0] += 1
            if calls[0] == k and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            out = fn(*args, **kw)
            if calls[0] == k and after:
                os.kill(os.getpid(), signal.SIGKILL)
            return out

        return inner

    real_write = os.write

    def write(fd: int, data: Any) -> int:
        if fd == 1:  # our own reports
            return real_write(fd, data)
        return wrapped_write(fd, data)

    wrapped_write = wrap(real_write)
    os.write = write
    for name in ("fsync", "replace", "rename", "ftruncate"):
        setattr(os, name, wrap(getattr(os, name)))


def worker(root: Path, seed: int, start: float, self_kill: int) -> None:
    rng = random.Random(seed)
    if self_kill:
        arm_self_kill(self_kill, rng)
    clock = datetime.fromtimestamp(start, UTC)
    decks = root.parent / "decks"
    col = Collection(root)
    emit("OPEN")
    n = 0
    while True:
        n += 1
        clock += timedelta(seconds=rng.choice((5, 40, 70, 700, 3600)))
        now = clock
        r = rng.random()
        cards = sorted(col.card_pathways())
        if r < 0.55 and cards:
            card = rng.choice(cards)
            if rng.random() < 0.5:
                view = col.next_card(now)
                card = view.card_id if view else card
            done = col.rate(card, Rating(rng.randint(1, 4)), now, rng.random() * 20)
            emit(f"DONE {done.event.id}")
        elif r < 0.65:
            last = col.undo(now)
            if last is not None:
                emit(f"UNDO {last.id}")
        elif r < 0.75:
            drafts = [
                PearlDraft(
                    pathway=rng.choice(PATHWAYS),
                    text=f"crash {seed} {n} {i}: {{{{c1::answer {i}}}}}",
                    tags=("crash",),
                )
                for i in range(rng.randint(1, 2))
            ]
            for pearl in col.add(drafts, now):
                emit(f"ADDED {pearl.id}")
        elif r < 0.83:
            pearls = col.pearls(tag="crash")  # imported pearls keep their text
            if pearls:
                p = rng.choice(pearls)
                # same length as before half of the time: a change size cannot reveal
                same = rng.choice("ABCDEFGH") + p.text[1:]
                text = same if rng.random() < 0.5 else "Edited " + p.text
                emit(f"EDITING {p.id} {json.dumps(text)}")
                draft = PearlDraft(pathway=p.pathway, text=text, back=p.back, tags=p.tags)
                col.replace_pearl(p.id, draft)
                emit(f"EDITED {p.id}")
        elif r < 0.9:
            notes = root.parent / f"notes-{seed}-{n}.md"
            texts = [f"Imported {seed} {n} {i} prompt" for i in range(rng.randint(1, 3))]
            notes.write_text(
                "# Diagnostic reasoning\n\n" + "".join(f"- {t} :: answer\n" for t in texts)
            )
            for t in texts:
                emit(f"IMPORTING {json.dumps(t)}")
            env = {"PEARLS_NOW": now.isoformat()}
            res = invoke(["--dir", str(root), "import", str(notes)], env=env)
            if res.exit_code != 0:
                emit(f"FAILED import {json.dumps(res.output)}")
                os._exit(3)
            emit("IMPORTED")
            col.refresh()
        else:
            out = decks / "crash.apkg"
            env = {"PEARLS_NOW": now.isoformat()}
            res = invoke(["--dir", str(root), "export", "-o", str(out)], env=env)
            if res.exit_code != 0:
                emit(f"FAILED export {json.dumps(res.output)}")
                os._exit(3)
            emit(f"EXPORTED {out}")


def main() -> None:
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "QUIT":
            return
        _, root, seed, start, self_kill = parts
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                worker(Path(root), int(seed), float(start), int(self_kill))
            except BaseException:
                emit(f"FAILED {json.dumps(traceback.format_exc())}")
                code = 3
            finally:
                os._exit(code)
        emit(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        emit(f"EXIT {pid} {status}")


if __name__ == "__main__":
    main()
