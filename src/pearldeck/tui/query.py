"""The browse search: `words p:acute #tag is:due is:suspended is:leech is:new`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pearldeck.model import PATHWAYS, Pearl
from pearldeck.status import StatusRow

FLAGS = ("due", "suspended", "leech", "new")
HELP = "words · p:acute · #tag · is:due · is:suspended · is:leech · is:new"


@dataclass(frozen=True)
class Query:
    """A parsed search: every part must match."""

    words: tuple[str, ...] = ()
    """Lower-cased words looked for in text, answer, source and id."""
    pathway: str | None = None
    tags: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    """Subset of FLAGS."""
    unknown: tuple[str, ...] = ()
    """Parts that were not understood (shown to the user)."""


def parse_query(text: str) -> Query:
    words: list[str] = []
    tags: list[str] = []
    flags: set[str] = set()
    unknown: list[str] = []
    pathway: str | None = None
    for token in text.split():
        low = token.lower()
        key, sep, value = low.partition(":")
        if sep and key in ("p", "pathway") and value:
            found = [p for p in PATHWAYS if p.startswith(value)]
            if len(found) == 1:
                pathway = found[0]
            else:
                unknown.append(token)
        elif sep and key in ("t", "tag") and value:
            tags.append(value)
        elif low.startswith("#") and len(low) > 1:
            tags.append(low[1:])
        elif sep and key == "is" and value:
            found = [f for f in FLAGS if f.startswith(value)]
            if len(found) == 1:
                flags.add(found[0])
            else:
                unknown.append(token)
        else:
            words.append(low)
    return Query(tuple(words), pathway, tuple(tags), frozenset(flags), tuple(unknown))


@dataclass(frozen=True)
class PearlState:
    """A pearl's cards summed up for the browse table."""

    due: float | None
    """Earliest due time of its studied, unsuspended cards."""
    new: bool
    """At least one card never reviewed."""
    suspended: bool
    """Every card suspended."""
    leech: bool

    def due_label(self, now: datetime, day_end: float) -> str:
        if self.suspended:
            return "suspended"
        if self.due is None:
            return "new" if self.new else "–"
        if self.due < day_end:
            return "today"
        return datetime.fromtimestamp(self.due, UTC).astimezone().strftime("%Y-%m-%d")


def pearl_state(pearl: Pearl, statuses: Mapping[str, StatusRow]) -> PearlState:
    rows = [statuses.get(c) for c in pearl.card_ids()]
    live = [r for r in rows if r is not None and not r.suspended]
    dues = [r.due for r in live if r.state != 0 and r.due is not None]
    return PearlState(
        due=min(dues) if dues else None,
        new=any(r is None or (r.state == 0 and not r.suspended) for r in rows),
        suspended=bool(rows) and all(r is not None and r.suspended for r in rows),
        leech=any(r is not None and r.leech for r in rows),
    )


def matches(q: Query, pearl: Pearl, state: PearlState, day_end: float) -> bool:
    if q.pathway and pearl.pathway != q.pathway:
        return False
    if q.tags:
        have = {t.lower() for t in pearl.tags}
        if not all(t in have for t in q.tags):
            return False
    if q.words:
        hay = " ".join((pearl.id, pearl.text, pearl.back or "", pearl.source or "")).lower()
        if not all(w in hay for w in q.words):
            return False
    if "due" in q.flags and not (state.due is not None and state.due < day_end):
        return False
    if "suspended" in q.flags and not state.suspended:
        return False
    if "leech" in q.flags and not state.leech:
        return False
    return not ("new" in q.flags and not state.new)


def search(
    q: Query, pearls: Sequence[Pearl], statuses: Mapping[str, StatusRow], day_end: float
) -> list[tuple[Pearl, PearlState]]:
    out = []
    for p in pearls:
        st = pearl_state(p, statuses)
        if matches(q, p, st, day_end):
            out.append((p, st))
    return out
