"""The collection as the screens call it: a damaged index is rebuilt and the call rerun.

The index in `.cache/` is only a cache, and a file can be damaged under a running app (a
failing disk, a sync tool writing into `.cache/`, a copy taken mid-write). Any call that
meets the damage is healed by `Collection.heal` (the one policy) and runs once more.
Running it again is safe: a call that wrote text heals itself and succeeds, so one that
fails with the damage wrote nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pearldeck.collection import Collection


class Healing:
    """Stands in for the open collection (`get` returns it) and forwards every call."""

    def __init__(self, get: Callable[[], Collection], healed: Callable[[], None]) -> None:
        self._get = get
        self._healed = healed

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._get(), name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except Exception as e:
                if not self._get().heal(e):
                    raise
            self._healed()
            return getattr(self._get(), name)(*args, **kwargs)

        return call
