"""Pearl ids: six base-36 characters, uniform, and never a forked parent's."""

from __future__ import annotations

import os
from collections import Counter

from pearldeck.model import _ID_ALPHABET, random_id


def test_ids_are_six_base36_characters_spread_evenly() -> None:
    ids = [random_id() for _ in range(36_000)]
    assert all(len(i) == 6 and set(i) <= set(_ID_ALPHABET) for i in ids)
    for position in range(6):
        counts = Counter(i[position] for i in ids)
        assert set(counts) == set(_ID_ALPHABET)
        # 1,000 expected each, standard deviation about 31: 200 off is over six of them
        assert all(800 <= n <= 1200 for n in counts.values()), counts


def test_a_forked_child_never_draws_the_ids_its_parent_will() -> None:
    random_id()  # the parent has random bytes in hand
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, " ".join(random_id() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read().decode().split()
    os.waitpid(pid, 0)
    parent = [random_id() for _ in range(8)]
    assert len(child) == 8
    assert child != parent
