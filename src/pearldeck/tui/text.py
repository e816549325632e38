"""Pearls as styled text: the prompt, the answer with its cloze highlighted, tags, drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from pearldeck.model import CLOZE_RE, PATHWAY_TITLES, Pearl, split_tags

if TYPE_CHECKING:
    from pearldeck.drafts import PearlDraft
from pearldeck.tui.markup_view import may_be_markup, render
from pearldeck.tui.themes import pathway_color


def prompt_content(pearl: Pearl, cloze: int | None) -> Content:
    """The question side: the asked cloze as a highlighted `[...]` (or `[hint]`)."""
    body = render(pearl.text, cloze).content
    if pearl.context:  # the heading path it was imported under, dim above the prompt
        return Content.assemble((pearl.context, "dim"), "\n", body)
    return body


def answer_content(pearl: Pearl, cloze: int | None) -> Content:
    """The answer side: the back, or the whole cloze with the asked words highlighted."""
    if cloze is None:
        return render(pearl.back or "").content
    return render(pearl.text, cloze, revealed=True).content


def plain_text(pearl: Pearl) -> str:
    """The pearl's text with every deletion shown and no markup, on one line, for lists."""
    text = CLOZE_RE.sub(lambda m: m.group(2), pearl.text)
    if not may_be_markup(text):
        return text
    from pearldeck.markup import to_plain

    return " ".join(to_plain(text).split("\n"))


def meta_content(pearl: Pearl) -> Content:
    """The pearl's notes, then tags and source on one dim line, under the answer."""
    parts: list[str | tuple[str, str]] = []
    if pearl.notes:
        parts += [pearl.notes, "\n"]
    for tag in pearl.tags:
        parts += [(f"#{tag}", "$text-secondary"), " "]
    if pearl.source:
        if parts:
            parts.append("· ")
        parts.append(pearl.source)
    return Content.assemble(*parts)


def pathway_dot(pathway: str) -> Content:
    """`● Acute care` in the pathway's colour, for tables."""
    return Content.assemble(("● ", pathway_color(pathway)), PATHWAY_TITLES.get(pathway, pathway))


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as `a, ICU care` or `#a #b`, by the one tag rule (model.split_tags)."""
    return split_tags(text)


def format_tags(tags: tuple[str, ...]) -> str:
    return ", ".join(tags)


def make_draft(
    pathway: str,
    text: str,
    back: str,
    tags: str,
    source: str,
    *,
    added: str | None = None,
    block: str | None = None,
) -> PearlDraft:
    """A draft from form fields: blank answer or source means none."""
    from pearldeck.drafts import PearlDraft

    return PearlDraft(
        pathway=pathway,
        text=" ".join(text.splitlines()).strip(),
        back=back.strip() or None,
        tags=parse_tags(tags),
        source=source.strip() or None,
        added=added,
        block=block,
    )


def next_cloze(text: str) -> int:
    """The number a new deletion in `text` gets: one more than the highest so far."""
    return max((int(m.group(1)) for m in CLOZE_RE.finditer(text)), default=0) + 1


class ClozeOverlap(ValueError):
    """A selection that touches a cloze: wrapping it would nest one cloze in another."""


def wrap_cloze(text: str, start: int, end: int) -> tuple[str, int]:
    """Wrap `text[start:end]` in the next `{{cN::...}}`; returns the text and the new cursor.

    Raises ClozeOverlap when the selection (or the cursor) is inside or around a cloze."""
    start, end = sorted((start, end))
    for m in CLOZE_RE.finditer(text):
        inside = (
            m.start() < start < m.end() if start == end else start < m.end() and end > m.start()
        )
        if inside:
            raise ClozeOverlap(
                f"The selection overlaps {{{{c{m.group(1)}::…}}}}: select words outside it "
                "(clozes cannot nest)."
            )
    n = next_cloze(text)
    opening = f"{{{{c{n}::"
    new = f"{text[:start]}{opening}{text[start:end]}}}}}{text[end:]}"
    cursor = end + len(opening) + (2 if end > start else 0)
    return new, cursor


def card_summary(draft_text: str, back: str) -> str:
    """What a pearl will make: `cloze · 2 cards (c1, c2)` or `question and answer · 1 card`."""
    numbers = sorted({int(m.group(1)) for m in CLOZE_RE.finditer(draft_text)})
    if back.strip():
        return "question and answer · 1 card"
    if not numbers:
        return "needs an answer, or a cloze: select words and press ctrl+l"
    names = ", ".join(f"c{n}" for n in numbers)
    return f"cloze · {len(numbers)} card{'s' if len(numbers) > 1 else ''} ({names})"
