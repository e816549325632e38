"""Today's queue counted straight from the index: light enough for a shell prompt.

It imports only sqlite3 and the study-day rules, so `pearls due` can answer from a
sealed index without loading the rest of pearldeck (see `store.seal`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pearldeck.pathways import PATHWAYS
from pearldeck.studyday import day_end, day_start, study_day

# Anki's "bury new siblings": a new cloze of a pearl studied today waits for tomorrow,
# so c2 does not follow right after c1 has shown the answer.
NOT_SIBLING = (
    "c.pearl_id NOT IN (SELECT c2.pearl_id FROM status s2 JOIN cards c2 "
    "ON c2.card_id = s2.card_id WHERE s2.last_review >= ?)"
)

QUEUES = ("new", "learning", "review")
# the `new_card_order` setting: the cards column each order reads (see store.index)
NEW_ORDERS = {"added": "new_order", "newest-first": "new_newest", "random": "new_random"}
DEFAULT_NEW_ORDER = "newest-first"
NEW_ORDER_KEY = "new_card_order"
"""Index meta: the order the settings name, for `pearls due` read from a sealed index."""
# the index schema these queries (and the rest of store.index) are written for
SCHEMA_VERSION = "16"


def card_filter(pathway: str | None, tag: str | None) -> tuple[str, list[object]]:
    sql, args = "1=1", []
    if pathway:
        sql += " AND c.pathway=?"
        args.append(pathway)
    if tag:
        sql += " AND c.pearl_id IN (SELECT pearl_id FROM tags WHERE tag=?)"
        args.append(tag)
    return sql, list(args)


def queue_counts(
    db: sqlite3.Connection, day_end: float, today: str, pathway: str | None, tag: str | None
) -> dict[str, dict[str, int]]:
    """Per pathway: learning and review cards due by `day_end` (new: see new_in_order)."""
    where = "s.state IN (1, 2, 3) AND s.due < ? AND s.suspended = 0"
    where += " AND coalesce(s.buried_day, '') != ?"
    if pathway or tag:
        sql, args = card_filter(pathway, tag)
        rows = db.execute(
            f"""SELECT c.pathway, s.state, count(*)
                FROM status s JOIN cards c ON c.card_id = s.card_id
                WHERE {where} AND {sql} GROUP BY c.pathway, s.state""",
            [day_end, today, *args],
        )
    else:  # the common case, from the covering index alone
        rows = db.execute(
            f"""SELECT s.pathway, s.state, count(*) FROM status s
                WHERE {where} AND s.pathway IS NOT NULL GROUP BY s.pathway, s.state""",
            [day_end, today],
        )
    out: dict[str, dict[str, int]] = {}
    for pw, state, n in rows:
        queue = "review" if state == 2 else "learning"
        out.setdefault(pw, dict.fromkeys(QUEUES, 0))[queue] += n
    return out


def new_in_order(
    db: sqlite3.Connection,
    limit: int,
    today: str,
    pathway: str | None,
    tag: str | None,
    day_start: float,
    order: str = DEFAULT_NEW_ORDER,
) -> dict[str, int]:
    """Per pathway, how many of the first `limit` new cards in queue order it holds."""
    sql, args = card_filter(pathway, tag)
    column = NEW_ORDERS.get(order, NEW_ORDERS[DEFAULT_NEW_ORDER])
    rows = db.execute(
        f"""SELECT pathway, count(*) FROM (
              SELECT c.pathway FROM cards c LEFT JOIN status s ON s.card_id = c.card_id
              WHERE {sql} AND (s.card_id IS NULL OR s.state = 0)
                AND coalesce(s.suspended, 0) = 0 AND coalesce(s.buried_day, '') != ?
                AND {NOT_SIBLING}
              ORDER BY c.{column} LIMIT ?) GROUP BY pathway""",
        [*args, today, day_start, max(0, limit)],
    )
    return {str(pw): int(n) for pw, n in rows}


def introduced_since(db: sqlite3.Connection, start: float) -> int:
    row = db.execute("SELECT count(*) FROM status WHERE first_review >= ?", (start,))
    return int(row.fetchone()[0])


def due_counts(
    db: sqlite3.Connection,
    now: datetime,
    day_starts_at: int,
    new_per_day: int,
    pathway: str | None = None,
    tag: str | None = None,
    order: str | None = None,
) -> tuple[str, dict[str, tuple[int, int, int]]]:
    """The study day and, per pathway, its (new, learning, review) cards left today;
    `order`: the new-card order (None: as the index last recorded the settings)."""
    day = study_day(now, day_starts_at)
    today = day.isoformat()
    start = day_start(day, day_starts_at).timestamp()
    raw = queue_counts(db, day_end(day, day_starts_at).timestamp(), today, pathway, tag)
    new_left = max(0, new_per_day - introduced_since(db, start))
    if order is None:
        row = db.execute("SELECT value FROM meta WHERE key=?", (NEW_ORDER_KEY,)).fetchone()
        order = str(row[0]) if row else DEFAULT_NEW_ORDER
    new = new_in_order(db, new_left, today, pathway, tag, start, order)
    out: dict[str, tuple[int, int, int]] = {}
    for pw in PATHWAYS:
        if pathway and pw != pathway:
            continue
        c = raw.get(pw, {})
        out[pw] = (new.get(pw, 0), c.get("learning", 0), c.get("review", 0))
    return today, out


def render_due(today: str, per: dict[str, tuple[int, int, int]], as_json: bool) -> str:
    """`pearls due` output. The JSON is written by hand: `json` would load `re`, a fifth
    of the time a shell prompt can spare (a test holds it equal to `json.dumps`)."""
    total = tuple(sum(c[i] for c in per.values()) for i in range(3))
    if as_json:

        def obj(c: tuple[int, ...], pad: str) -> str:
            inner = ",\n".join(f'{pad}  "{q}": {n}' for q, n in zip(QUEUES, c, strict=True))
            return "{\n" + inner + "\n" + pad + "}"

        pws = ",\n".join(f'    "{pw}": {obj(c, "    ")}' for pw, c in per.items())
        pws = "{\n" + pws + "\n  }" if per else "{}"
        head = f'{{\n  "today": "{today}",\n  "total": {obj(total, "  ")},\n'
        return f'{head}  "pathways": {pws}\n}}\n'
    lines = [f"Due on study day {today}", f"  {'pathway':<15}{'new':>6}{'learn':>7}{'review':>8}"]
    for pw, (n, lrn, rev) in [*per.items(), ("total", total)]:
        lines.append(f"  {pw:<15}{n:>6}{lrn:>7}{rev:>8}")
    return "\n".join(lines) + "\n"
