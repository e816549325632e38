"""Pearl markup as styled text for the card: formatting, the asked cloze, and its images."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content

from pearldeck.model import CLOZE_RE

if TYPE_CHECKING:
    from pearldeck import markup

ASKED = "bold $accent"
"""Style of the asked deletion: `[...]` on the front, the words on the back."""
ANSWER = f"{ASKED} underline"

# What may start markup (markup.py); text without any is shown as it is, at no cost.
_HINT = re.compile(r"[*`<\[\\|\n]|^ {0,8}(?:[-+*]|\d{1,9}[.)])[ \t]", re.MULTILINE)
# Private-use characters stand for the asked deletion while markup is parsed, so that a
# deletion may hold formatting (or a formatted run may hold a deletion).
_HIDDEN, _OPEN, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK_CHARS = f"{_HIDDEN}{_OPEN}{_CLOSE}"
_MARKS = re.compile(f"[{_MARK_CHARS}]")

STYLES = {
    "b": "bold",
    "i": "italic",
    "u": "underline",
    "code": "$text-accent on $boost",
    "link": "underline $text-primary",
}
_SUP = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


@dataclass(frozen=True)
class Side:
    """One side of a card as shown: its text, then the images it names, in order."""

    content: Content
    images: tuple[tuple[str, str], ...] = ()
    """(`media/...` path, alt text) of each image."""


def render(text: str, cloze: int | None = None, revealed: bool = False) -> Side:
    """`text` with cloze `cloze` hidden (front) or highlighted (`revealed`); other deletions
    show their words. A question's text and back are rendered with `cloze` None."""
    hidden: list[str] = []

    def deletion(m: re.Match[str]) -> str:
        if cloze is None or int(m.group(1)) != cloze:
            return m.group(2)
        if revealed:
            return f"{_OPEN}{m.group(2)}{_CLOSE}"
        hidden.append(f"[{m.group(3)}]" if m.group(3) else "[...]")
        return _HIDDEN

    shown = CLOZE_RE.sub(deletion, text) if "{{c" in text else text
    if not may_be_markup(shown):
        return Side(_plain(shown, hidden))
    from pearldeck import markup  # here: most pearls are plain, and the first card waits

    lines: list[Content] = []
    images: list[tuple[str, str]] = []
    state = _State(hidden)
    for block in markup.blocks(shown):
        if isinstance(block, markup.Para):
            lines += [state.spans(line, images) for line in block.lines]
        elif isinstance(block, markup.ListBlock):
            for n, (depth, spans) in enumerate(block.items, 1):
                bullet = f"{n}. " if block.ordered else "• "
                lines.append(Content("  " * depth + bullet) + state.spans(spans, images))
        elif isinstance(block, markup.Table):
            lines += _table(block, state, images)
        else:
            images.append((block.src, block.alt))
    return Side(Content("\n").join(lines), tuple(images))


def may_be_markup(text: str) -> bool:
    """Whether `text` may hold formatting; if not, it shows exactly as written."""
    return _HINT.search(text) is not None


def _plain(text: str, hidden: list[str]) -> Content:
    """Text without markup: only the asked deletion is styled."""
    if not _MARKS.search(text):
        return Content(text)
    return _State(hidden).text(text, "")


class _State:
    """Styles spans; remembers whether the asked deletion is open across spans and lines."""

    def __init__(self, hidden: list[str]) -> None:
        self.hidden = iter(hidden)
        self.asked = False

    def spans(self, spans: tuple[markup.Span, ...], images: list[tuple[str, str]]) -> Content:
        parts: list[Content] = []
        for span in spans:
            if "img" in span.styles and span.href:
                images.append((span.href, span.text))  # shown under the text, in order
                continue
            parts.append(self.text(_shifted(span), _style(span)))
        return Content("").join(parts)

    def text(self, text: str, style: str) -> Content:
        parts: list[str | tuple[str, str]] = []
        pos = 0
        for m in _MARKS.finditer(text):
            parts.append(self._piece(text[pos : m.start()], style))
            if m.group() == _HIDDEN:
                parts.append((next(self.hidden, "[...]"), f"{style} {ASKED}".strip()))
            else:
                self.asked = m.group() == _OPEN
            pos = m.end()
        parts.append(self._piece(text[pos:], style))
        return Content.assemble(*parts)

    def _piece(self, text: str, style: str) -> str | tuple[str, str]:
        style = f"{style} {ANSWER}".strip() if self.asked else style
        return (text, style) if style else text


def _style(span: markup.Span) -> str:
    # a link is only styled: its address is the user's text, never part of a style string
    return " ".join(STYLES[s] for s in ("b", "i", "u", "code", "link") if s in span.styles)


def _shifted(span: markup.Span) -> str:
    """Sub- and superscript as Unicode where every character has one (`10⁻³`, `H₂O`)."""
    for style, table, mark in (("sup", _SUP, "^"), ("sub", _SUB, "_")):
        if style in span.styles:
            moved = span.text.translate(table)
            if all(c != o or c in _MARK_CHARS for c, o in zip(moved, span.text, strict=True)):
                return moved
            return f"{mark}({span.text})" if len(span.text) > 1 else f"{mark}{span.text}"
    return span.text


def _table(block: markup.Table, state: _State, images: list[tuple[str, str]]) -> list[Content]:
    """A table as aligned columns: header bold, a rule under it, cells split by `│`."""
    rows = [[state.spans(cell, images) for cell in row] for row in block.rows]
    columns = max(len(r) for r in rows)
    widths = [
        max((cell_len(r[i].plain) for r in rows if i < len(r)), default=0) for i in range(columns)
    ]
    out: list[Content] = []
    for n, row in enumerate(rows):
        cells = [
            (row[i] if i < len(row) else Content("")).pad_right(
                widths[i] - cell_len(row[i].plain) if i < len(row) else widths[i]
            )
            for i in range(columns)
        ]
        line = Content(" │ ").join(cells)
        out.append(line.stylize("bold") if n == 0 else line)
        if n == 0:
            out.append(Content.styled("─┼─".join("─" * w for w in widths), "$text-muted"))
    return out
