"""The order a card's events replay in: by time, each review after the one it was made on."""

from __future__ import annotations

from collections.abc import Iterable

from pearldeck.model import Event


def causal_order(events: Iterable[Event]) -> list[Event]:
    """Events in replay order: by (time, id), except that a review made on top of
    another (its `prev`) always comes after that one.

    A review synced from a device whose clock runs fast is dated in the future; a
    review made here afterwards, on top of it, keeps its own true time and still
    replays after it, so its schedule (computed from now) is the card's. Deterministic:
    it depends only on the events, so every machine replays the same order.
    """
    ordered = sorted(events, key=Event.sort_key)
    at = {e.id: i for i, e in enumerate(ordered)}
    if all(e.prev is None or at.get(e.prev, -1) < i for i, e in enumerate(ordered)):
        return ordered  # the usual case: no review predates the one it was made on
    by_id = {e.id: e for e in ordered}
    keys: dict[str, tuple[str, int, str]] = {}

    def key(e: Event, seen: frozenset[str]) -> tuple[str, int, str]:
        if e.id in keys:
            return keys[e.id]
        own = (e.time, 0, e.id)
        base = by_id.get(e.prev) if e.prev and e.prev not in seen else None
        if base is not None and len(seen) < 10_000:
            t, depth, _ = key(base, seen | {e.id})
            own = max(own, (t, depth + 1, e.id))
        keys[e.id] = own
        return own

    return sorted(ordered, key=lambda e: key(e, frozenset()))
