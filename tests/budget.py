"""Bounded work for hostile-input tests, counted in function calls rather than seconds.

A count does not depend on the machine or its load, so it cannot flake; speed itself is
measured in bench/. Calls made inside C code (a regex, libyaml) count once each, so a budget
catches a parser that loops or walks its input again and again, not a slow C routine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType


@dataclass
class Work:
    """Function calls made inside a `counted()` block."""

    calls: int = 0


@contextmanager
def counted() -> Iterator[Work]:
    """Count every Python and C function call made in the block (this thread)."""
    work = Work()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            work.calls += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield work
    finally:
        sys.setprofile(previous)


def budget(size: int) -> int:
    """Calls allowed for work on `size` bytes of input: linear in the input, with room for
    the fixed cost of opening a collection. Measured use is a tenth of this or less."""
    return 1_000_000 + 200 * size
