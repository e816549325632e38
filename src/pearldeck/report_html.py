"""The study report as one self-contained HTML page with inline SVG charts (no scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from pearldeck.records import MISS_KINDS
from pearldeck.report_types import (
    BlockRow,
    ErrorMix,
    ExamRow,
    PathwayRow,
    Report,
    WeekRow,
)

W, H = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
# Okabe–Ito: told apart with the common colour-vision deficiencies
KIND_COLOURS = {
    "knowledge": "#0072B2",
    "misread": "#E69F00",
    "rushing": "#D55E00",
    "fatigue": "#CC79A7",
    "other": "#999999",
}
BAND_COLOURS = ("#cdebd3", "#eef3c2", "#fde3c0", "#f8cfcf")
STATUS_COLOURS = {
    "on_track": "#1b7f3b",
    "close": "#8a6d00",
    "not_yet": "#b3261e",
    "not_enough_data": "#555555",
}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;
 max-width:780px;margin:24px auto;padding:0 16px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.muted{color:#666}.note{color:#555;font-size:13px}
.verdict{border-left:6px solid;padding:10px 14px;background:#f6f6f8;margin:16px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 6px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}
svg{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#333}
.legend span{display:inline-block;margin-right:12px;font-size:13px}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
@media print{body{margin:0}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def render(r: Report) -> str:
    """The whole page; every piece of user text is escaped."""
    since = f" · blocks and exams since {_e(r['since'])}" if r["since"] else ""
    rd = r["readiness"]
    colour = STATUS_COLOURS.get(rd["status"], "#555")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # nothing is fetched: the page works offline and cannot leak anything
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Step 2 CK study report, {_e(r['today'])}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Step 2 CK study report</h1>",
        f'<p class="muted">{_e(r["today"])}{since}</p>',
        f'<div class="verdict" style="border-color:{colour}">'
        f"<b>Readiness (target {r['target']}):</b> {_e(rd['verdict'])}<br>"
        f"<b>Next:</b> {_e(r['study_next']['reason'])}</div>",
        _summary(r),
        "<h2>Accuracy over time</h2>",
        _accuracy_chart(r),
        '<p class="note">Dots: each day\'s blocks; line: each week (drawn at mid-week).</p>',
        "<h2>Error mix per week</h2>",
        _error_chart(r["by_week"]),
        _legend(),
        _error_table(r["error_mix"]),
        "<h2>Practice scores and your target</h2>",
        _score_chart(r["exams"], r["target"]),
        _exam_table(r["exams"]),
        "<h2>Retention per pathway</h2>",
        _retention_chart(r["pathways"]),
        _pathway_table(r),
        "<h2>Blocks</h2>",
        _block_table(r["blocks"]),
        '<p class="note">Made by pearldeck (`pearls report --html`).</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(r: Report) -> str:
    t = r["totals"]
    ppb = r["pearls_per_block"]
    items = [
        ("blocks", str(t["blocks"])),
        ("questions", str(t["questions"])),
        ("correct", _pct(t["accuracy"])),
        (
            "seconds per question",
            "–" if t["seconds_per_question"] is None else f"{t['seconds_per_question']:.0f}",
        ),
        ("pearls per block", "–" if ppb["mean"] is None else f"{ppb['mean']:.1f}"),
    ]
    cells = "".join(f'<div class="card"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in items)
    return f'<div class="cards">{cells}</div>'


# chart helpers ------------------------------------------------------------------------


def _svg(chart_id: str, label: str, body: Sequence[str], height: int = H) -> str:
    return (
        f'<svg id="{_e(chart_id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" '
        f'width="{W}" height="{height}" role="img" aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _empty(chart_id: str, label: str, message: str) -> str:
    return _svg(
        chart_id,
        label,
        [
            f'<rect x="0" y="0" width="{W}" height="120" fill="#f6f6f8"/>',
            f'<text x="{W / 2}" y="64" text-anchor="middle">{_e(message)}</text>',
        ],
        120,
    )


class _DateAxis:
    """Maps dates to x inside the plot, with room at both ends for labels."""

    PAD = 28

    def __init__(self, days: Sequence[date]) -> None:
        self.first = min(days)
        self.span = (max(days) - self.first).days

    def x(self, day: date) -> float:
        if not self.span:
            return (LEFT + W - RIGHT) / 2
        inner = W - LEFT - RIGHT - 2 * self.PAD
        return LEFT + self.PAD + (day - self.first).days / self.span * inner

    def ticks(self) -> list[str]:
        step = max(1, -(-self.span // 5))  # at most six labels, whole days apart
        out = []
        for k in range(self.span // step + 1):
            day = self.first + timedelta(days=k * step)
            out.append(
                f'<text x="{self.x(day):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">'
                f"{_e(day.strftime('%b %d'))}</text>"
            )
        return out


def _y(value: float, lo: float, hi: float) -> float:
    return TOP + (1 - (value - lo) / (hi - lo)) * (H - TOP - BOTTOM)


def _y_grid(lo: float, hi: float, step: float, fmt: str) -> list[str]:
    out = []
    v = lo
    while v <= hi + 1e-9:
        y = _y(v, lo, hi)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt.format(v)}</text>'
        )
        v += step
    return out


# the four charts ------------------------------------------------------------------------


def _accuracy_chart(r: Report) -> str:
    label = "Accuracy over time"
    days = [d for d in r["by_day"] if d["accuracy"] is not None]
    if not days:
        return _empty("chart-accuracy", label, "No question blocks logged yet.")
    weeks = [w for w in r["by_week"] if w["accuracy"] is not None]
    mid = {w["week"]: date.fromisoformat(w["week"]) + timedelta(days=3) for w in weeks}
    axis = _DateAxis([date.fromisoformat(d["date"]) for d in days] + list(mid.values()))
    body = _y_grid(0, 100, 25, "{:.0f}%")
    body += axis.ticks()
    points = " ".join(
        f"{axis.x(mid[w['week']]):.1f},{_y((w['accuracy'] or 0) * 100, 0, 100):.1f}" for w in weeks
    )
    if len(weeks) > 1:
        body.append(f'<polyline points="{points}" fill="none" stroke="#0072B2" stroke-width="2"/>')
    for w in weeks:
        x, y = axis.x(mid[w["week"]]), _y((w["accuracy"] or 0) * 100, 0, 100)
        body.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#0072B2">'
            f"<title>week of {_e(w['week'])}: {_pct(w['accuracy'])} of {w['questions']}"
            "</title></rect>"
        )
    for d in days:
        x = axis.x(date.fromisoformat(d["date"]))
        y = _y((d["accuracy"] or 0) * 100, 0, 100)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#E69F00" fill-opacity="0.85">'
            f"<title>{_e(d['date'])}: {_pct(d['accuracy'])} of {d['questions']}</title></circle>"
        )
    return _svg("chart-accuracy", label, body)


def _error_chart(weeks: Sequence[WeekRow]) -> str:
    label = "Error mix per week"
    rows = [w for w in weeks if sum(w["misses"].values())]
    if not rows:
        return _empty("chart-errors", label, "No miss causes logged yet (--misses).")
    body = _y_grid(0, 100, 25, "{:.0f}%")
    slot = (W - LEFT - RIGHT) / len(rows)
    bar = min(56.0, slot * 0.7)
    for i, w in enumerate(rows):
        x = LEFT + i * slot + (slot - bar) / 2
        total = sum(w["misses"].values())
        acc = 0.0
        for k in MISS_KINDS:
            n = w["misses"].get(k, 0)
            if not n:
                continue
            top, bottom = _y((acc + n) / total * 100, 0, 100), _y(acc / total * 100, 0, 100)
            body.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{bottom - top:.1f}" '
                f'fill="{KIND_COLOURS[k]}"><title>week of {_e(w["week"])}: {_e(k)} {n} of '
                f"{total} ({n / total * 100:.0f}%)</title></rect>"
            )
            acc += n
        cx = x + bar / 2
        body.append(
            f'<text x="{cx:.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">'
            f"{_e(date.fromisoformat(w['week']).strftime('%b %d'))}</text>"
            f'<text x="{cx:.1f}" y="{H - BOTTOM + 32}" text-anchor="middle" fill="#777">'
            f"n={total}</text>"
        )
    return _svg("chart-errors", label, body)


def _legend() -> str:
    items = "".join(
        f'<span><i style="background:{c}"></i>{_e(k)}</span>' for k, c in KIND_COLOURS.items()
    )
    return f'<p class="legend">{items}</p>'


def _score_chart(exams: Sequence[ExamRow], target: int) -> str:
    label = "Practice scores and your target band"
    scored = [e for e in exams if e.get("score") is not None]
    if not scored:
        return _empty("chart-scores", label, "No scaled practice scores yet: take an NBME or UWSA.")
    values = [int(e["score"] or 0) for e in scored]
    lo = min(min(values) - 10, target - 30) // 10 * 10
    hi = -(-max(max(values) + 10, target + 20) // 10) * 10
    edges = [(target, hi), (target - 10, target), (target - 20, target - 10), (lo, target - 20)]
    body: list[str] = []
    for (a, b), colour in zip(edges, BAND_COLOURS, strict=True):
        y1, y2 = _y(min(b, hi), lo, hi), _y(max(a, lo), lo, hi)
        if y2 > y1:
            body.append(
                f'<rect x="{LEFT}" y="{y1:.1f}" width="{W - LEFT - RIGHT}" '
                f'height="{y2 - y1:.1f}" fill="{colour}"/>'
            )
    body += _y_grid(lo, hi, 10, "{:.0f}")
    ty = _y(target, lo, hi)
    body.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#1b7f3b" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{W - RIGHT - 4}" y="{ty - 5:.1f}" text-anchor="end" fill="#1b7f3b">'
        f"target {target}</text>"
    )
    axis = _DateAxis([date.fromisoformat(e["date"]) for e in scored])
    body += axis.ticks()
    pts = [
        (axis.x(date.fromisoformat(e["date"])), _y(v, lo, hi), e, v)
        for e, v in zip(scored, values, strict=True)
    ]
    if len(pts) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in pts)
        body.append(f'<polyline points="{line}" fill="none" stroke="#333" stroke-width="1.5"/>')
    for x, y, e, v in pts:
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#333"><title>{_e(e["date"])} '
            f"{_e(e['name'])}: {v} ({_e(e['band'] or '')})</title></circle>"
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle">{v}</text>'
        )
    return _svg("chart-scores", label, body)


def _retention_chart(pathways: Sequence[PathwayRow]) -> str:
    label = "Retention per pathway"
    if not any(p["retention_30d"] is not None or p["recall_now"] is not None for p in pathways):
        return _empty("chart-retention", label, "No reviews yet: retention appears after reviews.")
    name_w, row_h = 120, 40
    height = TOP + row_h * len(pathways) + 30
    span = W - RIGHT - name_w - 60
    body: list[str] = []
    for v in (0, 25, 50, 75, 100):
        x = name_w + v / 100 * span
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - 24}" stroke="#e5e5e5"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{v}%</text>'
        )
    for i, p in enumerate(pathways):
        y = TOP + i * row_h
        body.append(f'<text x="0" y="{y + 16}">{_e(p["pathway"])}</text>')
        for value, dy, colour, what in (
            (
                p["retention_30d"],
                4,
                "#0072B2",
                f"retained, last 30 days ({p['reviews_30d']} reviews)",
            ),
            (p["recall_now"], 20, "#56B4E9", f"recall now ({p['cards_reviewed']} cards)"),
        ):
            if value is None:
                body.append(f'<text x="{name_w + 4}" y="{y + dy + 11}" fill="#999">no data</text>')
                continue
            body.append(
                f'<rect x="{name_w}" y="{y + dy}" width="{value * span:.1f}" height="14" '
                f'fill="{colour}"><title>{_e(p["pathway"])}: {_e(what)} {_pct(value)}'
                "</title></rect>"
                f'<text x="{name_w + value * span + 6:.1f}" y="{y + dy + 11}">{_pct(value)}</text>'
            )
    return _svg("chart-retention", label, body, height) + (
        '<p class="legend"><span><i style="background:#0072B2"></i>reviews of mature cards '
        'not answered "again", last 30 days</span><span><i style="background:#56B4E9"></i>'
        "mean predicted recall of reviewed cards today</span></p>"
    )


# tables -------------------------------------------------------------------------------


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], align: str) -> str:
    """`align` has one letter per column: l(eft) or r(ight)."""
    style = ["" if a == "r" else ' style="text-align:left"' for a in align]
    th = "".join(f"<th{st}>{_e(h)}</th>" for h, st in zip(head, style, strict=True))
    trs = "".join(
        "<tr>"
        + "".join(f"<td{st}>{_e(c)}</td>" for c, st in zip(row, style, strict=True))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def _error_table(m: ErrorMix) -> str:
    if not m["classified"]:
        return ""
    n = m["halves"][0]
    rows = [
        [
            k,
            _pct(m["shares"][k]),
            _pct(m["earlier_half"][k]),
            _pct(m["later_half"][k]),
            m["trend"][k] or "",
        ]
        for k in MISS_KINDS
    ]
    note = (
        f'<p class="note">Shares of the {m["classified"]} misses with a logged cause; '
        f"{_halves(n)}.</p>"
        if n
        else f'<p class="note">Shares of the {m["classified"]} misses with a logged cause.</p>'
    )
    return _table(["cause", "all", "earlier", "later", "trend"], rows, "lrrrl") + note


def _halves(n: int) -> str:
    if n == 1:
        return "earlier = your first such block, later = your last"
    return f"earlier = your first {n} such blocks, later = your last {n}"


def _exam_table(exams: Sequence[ExamRow]) -> str:
    if not exams:
        return ""
    rows = [
        [
            e["date"],
            e["name"],
            e["score"] if e["score"] is not None else f"{e['percent']:g}%",
            e["band"] or "percent: no band",
        ]
        for e in exams
    ]
    return _table(["date", "exam", "result", "band"], rows, "llrl")


def _pathway_table(r: Report) -> str:
    rows = [
        [
            p["pathway"],
            p["misses"],
            _pct(p["miss_share"]),
            "–" if p["recent_misses_per_block"] is None else f"{p['recent_misses_per_block']:.1f}",
            p["pearls"],
            f"{_pct(p['retention_30d'])} ({p['reviews_30d']})",
            _pct(p["recall_now"]),
        ]
        for p in r["pathways"]
    ]
    note = (
        '<p class="note">Questions per pathway are not logged, so "miss share" is each '
        f"pathway's share of the misses you tagged in {r['pathway_blocks']} block(s), "
        "not its accuracy.</p>"
    )
    head = [
        "pathway",
        "misses",
        "miss share",
        "per recent block",
        "pearls",
        "retained 30d",
        "recall now",
    ]
    return _table(head, rows, "lrrrrrr") + note


def _block_table(blocks: Sequence[BlockRow]) -> str:
    if not blocks:
        return '<p class="muted">No blocks logged yet.</p>'
    rows = [
        [
            b["date"],
            b["source"],
            b["mode"],
            f"{b['correct']}/{b['questions']}",
            _pct(b["accuracy"]),
            f"{b['seconds_per_question']:.0f}",
            b["pearls"],
            b["id"],
        ]
        for b in blocks
    ]
    return _table(
        ["date", "source", "mode", "right", "accuracy", "sec/q", "pearls", "id"], rows, "lllrrrrl"
    )
