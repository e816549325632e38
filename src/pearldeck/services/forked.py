"""Map a pure function over many items on two cores: half in a forked child, half here.

For CPU-bound work on data already in memory (parsing notes), where a pool's start-up and
pickling of the inputs would cost more than it saves. The child gets the inputs by fork
(nothing is sent), returns its results pickled through a pipe, and exits; if it fails in
any way, this process does its half too, so the answer is always the serial one.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_WEIGHT = 256 * 1024
"""Below this much work (bytes of input) a fork costs more than it saves."""


def split_map(
    fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int]
) -> list[tuple[R, bool]]:
    """`[fn(x) for x in items]`, the later items (about half the weight) in a child; each
    result says whether it was made there (its side effects, if any, were lost)."""
    total = sum(weights)
    if total < MIN_WEIGHT or len(items) < 2 or not _can_fork():
        return [(fn(x), False) for x in items]
    cut, acc = len(items) - 1, 0
    for i, w in enumerate(weights):
        acc += w
        if acc * 2 >= total:
            cut = min(max(i + 1, 1), len(items) - 1)
            break
    mine, theirs = items[:cut], items[cut:]
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: its half, pickled to the pipe, then gone without cleanup
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps([fn(x) for x in theirs], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    here = [fn(x) for x in mine]
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        there: list[R] = pickle.loads(data) if status == 0 else []  # our own child's
    except Exception:  # a torn pipe: do that half here
        there = []
    if len(there) != len(theirs):
        return [(r, False) for r in here] + [(fn(x), False) for x in theirs]
    return [(r, False) for r in here] + [(r, True) for r in there]


def _can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1
