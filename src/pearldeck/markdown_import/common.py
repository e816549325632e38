"""Limits, values and small text helpers shared by the markdown import modules."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pearldeck.drafts import PearlDraft
from pearldeck.model import PATHWAYS, TAG_RE, Problem
from pearldeck.pathways import pathway_named as pathway_named

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_BYTES = 4 * 1024 * 1024
"""A file larger than this is refused with a Problem, not parsed."""
MAX_LINES = 200_000
"""markdown-it keeps several arrays per line; more lines than this is refused."""
MAX_TOKENS = 250_000
"""Block tokens (~5 per pearl) cost ~0.4 KB each: bounds memory on hostile input."""
MAX_NESTING = 20
"""markdown-it's nesting limit for blocks: lists nest 9 deep, quotes 19 deep."""
MAX_INLINE_NESTING = 6
"""Inline nesting (emphasis, links, images) is cut lower: each level of `![![![…` costs
time; past it the rest is read as plain text."""
MAX_PEARL_CHARS = 20_000
"""Markdown source of one list item or one Q/A; longer is a Problem, never parsed."""
MAX_HEADING_CHARS = 500
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_FRONT_MATTER_DEPTH = 4
MAX_CLOZES = 999
"""CLOZE_RE reads at most three digits."""

NO_PATHWAY = (
    "no pathway for this pearl: put it under a heading like '## Acute care', "
    "set 'pathway:' in front matter, or pass --pathway"
)


@dataclass(frozen=True)
class ImportDefaults:
    """What the command line adds to every pearl of the files it imports."""

    pathway: str | None = None
    """`--pathway`: used when neither a heading nor the front matter names one."""
    tags: tuple[str, ...] = ()
    """`--tag`: added to every pearl."""
    source: str | None = None
    """`--source`: wins over the front matter's `source` (it names this import)."""
    block: str | None = None
    """`--block`: copied onto every draft."""
    inline_sep: str | None = None
    """`--inline-sep`: splits a one-line card (default `::`; the reversed one adds its last
    character again: `:::`). Front matter `inline-sep:` is used when this is None."""
    multiline_sep: str | None = None
    """`--multiline-sep`: the line alone between a multi-line card's front and back
    (default `?`; doubled, `??`, for a card each way)."""
    bold_cloze: bool = False
    """`--bold-cloze`: `**bold**` is a cloze, as the Obsidian plugin's setting makes it."""
    media: Callable[[str, str], str | None] | None = None
    """Copies an image a note names (note path, link target) into the collection and
    returns its `media/...` reference, or None if there is no such image; None: images
    become their alt text."""


@dataclass(frozen=True)
class ParseResult:
    drafts: list[PearlDraft]
    """In file order; each `origin` is `path:line`, which the CLI may store as the source."""
    problems: list[Problem]
    """`path:line: message`, in file order."""
    skipped: int
    """Paragraphs and list items that are not pearls."""
    skipped_lines: list[int]
    keys: list[str] = field(default_factory=list)
    """Per draft: its identity in its note (a hash of its front), stable when lines move."""
    schedules: list[tuple[Schedule | None, ...]] = field(default_factory=list)
    """Per draft: the plugin's schedule of each of its cards (card order), or Nones."""
    notes: list[Problem] = field(default_factory=list)
    """What looks like a card but was not imported, and why; images not found."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """One entry of an Obsidian spaced-repetition `<!--SR:!due,interval,ease-->` comment."""

    due: date
    interval: int
    """Days."""
    ease: int
    """SM-2 ease in percent (250 = 2.5)."""


@functools.cache
def _markdown_it() -> tuple[MarkdownIt, MarkdownIt, MarkdownIt]:
    """The block parser, the inline one, and the inline one without the link and image
    rules: built once (that compiles their rule chains) and only when a file is parsed."""
    from markdown_it import MarkdownIt

    class PlainMarkdownIt(MarkdownIt):
        """Link targets are thrown away, so skip their validation and punycode work."""

        def validateLink(self, url: str) -> bool:
            return True

        def normalizeLink(self, url: str) -> str:
            return url

        def normalizeLinkText(self, link: str) -> str:
            return link

    block = PlainMarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    inline = PlainMarkdownIt("commonmark", {"maxNesting": MAX_INLINE_NESTING})
    # The text rule stops at every character in this set to let other rules try; the
    # default set also holds `:`, `=`, `{`, `-`… which start no commonmark rule but split
    # pearls (`::`, `{{c1::`) into many small steps. 25% faster inline parsing.
    inline.inline.terminator_re = re.compile(r"[\n!&*<\[\\\]_`]")
    # Links and images need a `]`; without one their rules only fail, and on a long run
    # of `[` they fail in quadratic time (a 60 KB note took a second).
    unlinked = PlainMarkdownIt("commonmark", {"maxNesting": MAX_INLINE_NESTING})
    unlinked.disable(["link", "image"])
    unlinked.inline.terminator_re = inline.inline.terminator_re
    return block, inline, unlinked


@functools.cache
def _table_markdown_it() -> MarkdownIt:
    """The block parser with GFM tables, as Obsidian writes them (answers keep them); only
    for a note with a `|` in it, since the table rule costs every other note 10%."""
    block = _markdown_it()[0]
    tables = type(block)("commonmark", {"maxNesting": MAX_NESTING})
    tables.enable("table")
    return tables


# Every regex below runs on one line or one pearl and is linear: no nested quantifiers.
_INLINE_ACTIVE = re.compile(r"[*_`\[<&\\]")  # characters some commonmark inline rule acts on
_INLINE_TAG = re.compile(r"(?<!\S)#([^\W\d][\w/-]*)")
_Q_MARK = re.compile(r"[ \t]*[*_]{0,3}(?:q|question)[*_]{0,3}[ \t]*:(?!:)[*_]{0,3}[ \t]*", re.I)
_A_MARK = re.compile(r"[ \t]*[*_]{0,3}(?:a|answer)[*_]{0,3}[ \t]*:(?!:)[*_]{0,3}[ \t]*", re.I)
_HIGHLIGHT = re.compile(r"==([^=\s](?:[^=]*[^=\s])?)==")
_TAG_JUNK = re.compile(r"[\s,\[\]{}]+")
_CONTAINERS = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open"})
_LITERAL_BLOCKS = frozenset({"fence", "code_block", "html_block"})
# Control characters str.split() does not already treat as whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_PATHWAY_LIST = ", ".join(PATHWAYS)
# `::` and `==` in `code` or escaped (`\::`) are hidden as private-use characters until the
# pearl is built, so they split nothing and mark nothing.
_HIDE = str.maketrans(":=", "\ue000\ue001")
_SHOW = str.maketrans("\ue000\ue001", ":=")


def _show(text: str) -> str:
    """Undo _HIDE; most texts hold nothing hidden, and `in` is cheaper than translate."""
    return text.translate(_SHOW) if "\ue000" in text or "\ue001" in text else text


def _norm_tag(raw: str) -> str | None:
    tag = _TAG_JUNK.sub("-", raw.strip().lstrip("#").lower()).strip("-/")
    return tag if tag and TAG_RE.match(tag) else None


def _collapse(text: str) -> str:
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def _quote(text: str, width: int = 40) -> str:
    text = _collapse(text)
    return "'" + (text if len(text) <= width else text[: width - 1] + "…") + "'"


class _Bad(Exception):
    """One pearl is wrong; becomes a Problem at that pearl's line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _TooMany(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _TokenBudget(list["Token"]):
    """markdown-it only appends, so refusing an append bounds its memory."""

    def append(self, token: Token, /) -> None:
        if len(self) >= MAX_TOKENS:
            raise _TooMany(next((t.map[0] + 1 for t in reversed(self[-64:]) if t.map), 1))
        super().append(token)


def _too_big(path: str, size: int) -> Problem:
    return Problem(
        path, 1, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (4 MiB): split it up"
    )


NO_DEFAULTS = ImportDefaults()


# The plugin writes `<!--SR:!2025-11-10,3,250!2025-11-12,5,270-->`: one entry per card.
_SR_ENTRY = re.compile(r"!(\d{4})-(\d{2})-(\d{2}),(\d{1,5}),(\d{1,4})")
_NOT_REVIEWED = (2000, 1, 1)
"""The plugin's date for a card of the group it has not reviewed yet."""
MAX_SCHEDULES = 999


def parse_schedule(comment: str) -> list[Schedule | None]:
    """The entries of one `<!--SR:…-->` comment, in card order; None for a new card."""
    out: list[Schedule | None] = []
    for m in _SR_ENTRY.finditer(comment[:20_000]):
        y, mo, d, interval, ease = (int(g) for g in m.groups())
        try:
            due = date(y, mo, d)
        except ValueError:
            out.append(None)
            continue
        new = (y, mo, d) == _NOT_REVIEWED or interval < 1 or ease < 130
        out.append(None if new else Schedule(due, interval, ease))
        if len(out) >= MAX_SCHEDULES:
            break
    return out
