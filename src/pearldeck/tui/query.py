"""The browse search: `words p:acute #tag is:due is:weak source:uworld block:k3f9qz
added:2026-11 sort:lapses` and the rest of HELP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pearldeck.model import PATHWAYS, Pearl
from pearldeck.status import StatusRow

FLAGS = ("due", "suspended", "leech", "new", "weak")
SORTS = ("difficulty", "lapses", "due", "added")
HELP = (
    "words · p:acute · #tag · is:due/new/weak/leech/suspended · source:uworld · block:ID "
    "· added:2026-11 (or 2026-11-01..2026-11-15, 7d) · sort:difficulty/lapses/due/added"
)
WEAK_LAPSES = 3
"""A card forgotten this often is weak, whatever its recall now."""
WEAK_RECALL = 0.8
"""A studied card whose predicted recall now is below this is weak."""


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
    source: str | None = None
    """Lower-cased text the pearl's source must contain (`source:uworld`)."""
    block: str | None = None
    """The question block the pearl came from."""
    added: tuple[str, str] | None = None
    """First and last day added (ISO, inclusive; "" for open)."""
    sort: str | None = None
    """One of SORTS; None keeps the collection's order."""


def _added(value: str, today: date) -> tuple[str, str] | None:
    """`2026-11-20`, `2026-11`, `2026`, `A..B` (either side may be empty), or `7d`."""
    if value.endswith("d") and value[:-1].isdigit():
        return (today - timedelta(days=int(value[:-1]) - 1)).isoformat(), today.isoformat()
    if ".." in value:
        first, _, last = value.partition("..")
        a, b = (
            _added(first, today) if first else ("", ""),
            _added(last, today) if last else ("", ""),
        )
        return None if a is None or b is None else (a[0], b[1])
    for fmt, cut in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        return value[:cut], value[:cut] + "\uffff"  # every day that starts with it
    return None


def parse_query(text: str, today: date | None = None) -> Query:
    """Read a search; `today` resolves `added:7d` (the last seven days, today included)."""
    today = today or date.today()
    words: list[str] = []
    tags: list[str] = []
    flags: set[str] = set()
    unknown: list[str] = []
    pathway: str | None = None
    extra: dict[str, object] = {}
    for token in text.split():
        low = token.lower()
        key, sep, value = low.partition(":")
        if sep and key in ("source", "src") and value:
            extra["source"] = value
        elif sep and key == "block" and value:
            extra["block"] = value
        elif sep and key == "added" and value:
            span = _added(value, today)
            if span is None:
                unknown.append(token)
            else:
                extra["added"] = span
        elif sep and key in ("sort", "order") and value:
            found = [s for s in SORTS if s.startswith(value)]
            if len(found) == 1:
                extra["sort"] = found[0]
            else:
                unknown.append(token)
        elif sep and key in ("p", "pathway") and value:
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
    return Query(
        tuple(words),
        pathway,
        tuple(tags),
        frozenset(flags),
        tuple(unknown),
        **extra,  # type: ignore[arg-type]
    )


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
    lapses: int = 0
    """The most any of its cards was forgotten."""
    difficulty: float | None = None
    """FSRS difficulty (1–10) of its hardest studied card."""
    recall: float | None = None
    """Predicted recall now of its weakest studied card, when it was asked for."""

    @property
    def weak(self) -> bool:
        """Forgotten often, or likely forgotten now."""
        low = self.recall is not None and self.recall < WEAK_RECALL
        return not self.suspended and (self.lapses >= WEAK_LAPSES or low)

    def due_label(self, now: datetime, day_end: float) -> str:
        if self.suspended:
            return "suspended"
        if self.due is None:
            return "new" if self.new else "–"
        if self.due < day_end:
            return "today"
        return datetime.fromtimestamp(self.due, UTC).astimezone().strftime("%Y-%m-%d")


def pearl_state(
    pearl: Pearl, statuses: Mapping[str, StatusRow], recall: Mapping[str, float] | None = None
) -> PearlState:
    cards = pearl.card_ids()
    rows = [statuses.get(c) for c in cards]
    live = [r for r in rows if r is not None and not r.suspended]
    dues = [r.due for r in live if r.state != 0 and r.due is not None]
    diffs = [r.difficulty for r in live if r.state != 0 and r.difficulty is not None]
    recalls = [recall[c] for c in cards if c in recall] if recall else []
    return PearlState(
        due=min(dues) if dues else None,
        new=any(r is None or (r.state == 0 and not r.suspended) for r in rows),
        suspended=bool(rows) and all(r is not None and r.suspended for r in rows),
        leech=any(r is not None and r.leech for r in rows),
        lapses=max((r.lapses for r in live), default=0),
        difficulty=max(diffs) if diffs else None,
        recall=min(recalls) if recalls else None,
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
    if "weak" in q.flags and not state.weak:
        return False
    if q.source is not None and q.source not in (pearl.source or "").lower():
        return False
    if q.block is not None and (pearl.block or "").lower() != q.block:
        return False
    if q.added is not None and not q.added[0] <= (pearl.added or "") <= q.added[1]:
        return False
    return not ("new" in q.flags and not state.new)


def _sorted(found: list[tuple[Pearl, PearlState]], by: str) -> list[tuple[Pearl, PearlState]]:
    """Hardest, most forgotten, soonest due or newest first; pearls without a value last.
    Stable: ties keep the collection's order."""
    if by == "difficulty":
        return sorted(found, key=lambda ps: (ps[1].difficulty is None, -(ps[1].difficulty or 0)))
    if by == "lapses":
        return sorted(found, key=lambda ps: -ps[1].lapses)
    if by == "due":
        return sorted(found, key=lambda ps: (ps[1].due is None, ps[1].due or 0.0))
    dated = [ps for ps in found if ps[0].added]
    dated.sort(key=lambda ps: ps[0].added or "", reverse=True)
    return dated + [ps for ps in found if not ps[0].added]


def search(
    q: Query,
    pearls: Sequence[Pearl],
    statuses: Mapping[str, StatusRow],
    day_end: float,
    recall: Mapping[str, float] | None = None,
) -> list[tuple[Pearl, PearlState]]:
    """The pearls the query matches, in its sort order (else the collection's)."""
    out = []
    for p in pearls:
        st = pearl_state(p, statuses, recall)
        if matches(q, p, st, day_end):
            out.append((p, st))
    return _sorted(out, q.sort) if q.sort is not None else out
