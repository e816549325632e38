"""The study report as plain text, for `pearls report`."""

from __future__ import annotations

from pearldeck.records import MISS_KINDS
from pearldeck.report_types import ErrorMix, Report, Tally


def _p(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


def _tally_line(t: Tally) -> str:
    return (
        f"{t['blocks']:>7}{t['questions']:>10}{_p(t['accuracy']):>9}"
        f"{_n(t['seconds_per_question']):>7}"
    )


def format_report(r: Report, *, days: int = 14) -> str:
    """Readable sections for the terminal."""
    out: list[str] = []
    t = r["totals"]
    since = f" since {r['since']}" if r["since"] else ""
    out.append(f"Study report, {r['today']}{since}")
    out.append("")
    if not t["blocks"]:
        out.append("Question blocks: none logged yet (`pearls block add ...`).")
    else:
        out.append(
            f"Question blocks: {t['blocks']}, {t['questions']} questions, "
            f"{_p(t['accuracy'])} correct, {_n(t['seconds_per_question'])} s per question"
        )
        head = f"{'blocks':>7}{'questions':>10}{'correct':>9}{'sec/q':>7}"
        out += ["", "Accuracy by week (week of)", f"  {'':<12}{head}"]
        out += [f"  {w['week']:<12}{_tally_line(w)}" for w in r["by_week"]]
        shown = r["by_day"][-days:]
        more = len(r["by_day"]) - len(shown)
        title = "Accuracy by day" + (f" (last {days} days with blocks)" if more > 0 else "")
        out += ["", title, f"  {'':<12}{head}"]
        out += [f"  {d['date']:<12}{_tally_line(d)}" for d in shown]
        out += ["", "Accuracy by source", f"  {'':<12}{head}"]
        out += [f"  {s['source']:<12}{_tally_line(s)}" for s in r["by_source"]]
        out += ["", *_format_error_mix(r["error_mix"])]
    out += ["", *_format_pathways(r)]
    ppb = r["pearls_per_block"]
    if ppb["blocks"]:
        out += [
            "",
            f"Pearls written per block: {ppb['mean']:.1f} on average "
            f"({ppb['pearls']} pearls linked to {ppb['blocks']} blocks with --block).",
        ]
    out += ["", "Practice exams"]
    if not r["exams"]:
        out.append('  none logged yet (`pearls exam add "NBME 12" 238`)')
    for e in r["exams"]:
        result = str(e["score"]) if e["score"] is not None else f"{e['percent']:g}%"
        out.append(f"  {e['date']}  {e['name']:<20}{result:>6}  {e['band'] or ''}")
    out += ["", f"Readiness (target {r['target']}): {r['readiness']['verdict']}"]
    out += ["", r["study_next"]["reason"]]
    return "\n".join(out)


def _format_error_mix(m: ErrorMix) -> list[str]:
    if not m["classified"]:
        return ["Error mix: no miss causes logged (use --misses knowledge=6,misread=3,...)."]
    out = [
        f"Error mix: share of the {m['classified']} misses with a logged cause",
        f"  {'cause':<12}{'all':>6}{'earlier':>9}{'later':>7}  trend",
    ]
    for k in MISS_KINDS:
        out.append(
            f"  {k:<12}{_p(m['shares'][k]):>6}{_p(m['earlier_half'][k]):>9}"
            f"{_p(m['later_half'][k]):>7}  {m['trend'][k] or ''}"
        )
    n = m["halves"][0]
    if n == 1:
        out.append("  (earlier = your first block with causes logged, later = your last)")
    elif n:
        out.append(f"  (earlier = your first {n} blocks with causes logged, later = your last {n})")
    return out


def _format_pathways(r: Report) -> list[str]:
    out = ["Pathways"]
    if r["pathway_blocks"]:
        out.append(
            "  Questions per pathway are not logged, so 'miss share' is each pathway's share "
            f"of the misses you tagged in {r['pathway_blocks']} block(s), not its accuracy."
        )
    else:
        out.append("  No misses tagged by pathway yet (use --pathway-misses acute=4,...).")
    out.append(
        f"  {'pathway':<15}{'misses':>7}{'share':>7}{'recent/blk':>12}{'pearls':>8}"
        f"{'retained 30d':>14}{'recall now':>12}"
    )
    for p in r["pathways"]:
        ret = f"{_p(p['retention_30d'])} ({p['reviews_30d']})"
        recent = p["recent_misses_per_block"]
        out.append(
            f"  {p['pathway']:<15}{p['misses']:>7}{_p(p['miss_share']):>7}"
            f"{'–' if recent is None else f'{recent:.1f}':>12}{p['pearls']:>8}"
            f"{ret:>14}{_p(p['recall_now']):>12}"
        )
    out.append(
        "  retained 30d: reviews of mature cards not answered 'again' (count in brackets); "
        "recall now: mean predicted recall of reviewed cards today."
    )
    return out
