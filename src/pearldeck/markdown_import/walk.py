"""The block walk: markdown-it tokens to pearl drafts, headings to pathways and context."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pearldeck.drafts import PearlDraft
from pearldeck.gcpause import gc_paused
from pearldeck.markdown_import.blocks import block_end
from pearldeck.markdown_import.cards import _check_clozes, card_key, question_heading
from pearldeck.markdown_import.common import (
    _CONTAINERS,
    _PATHWAY_LIST,
    MAX_BYTES,
    MAX_HEADING_CHARS,
    MAX_LINES,
    MAX_NESTING,
    MAX_TOKENS,
    NO_DEFAULTS,
    NO_PATHWAY,
    ImportDefaults,
    ParseResult,
    Schedule,
    _Bad,
    _markdown_it,
    _quote,
    _show,
    _table_markdown_it,
    _TokenBudget,
    _too_big,
    _TooMany,
    pathway_named,
)
from pearldeck.markdown_import.plainscan import plain_tokens
from pearldeck.markdown_import.qa import CardReader
from pearldeck.markdown_import.text import Found
from pearldeck.model import CLOZE_RE, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pearldeck.markdown_import.blocks import BlockToken


def parse_markdown(text: str, path: str, defaults: ImportDefaults = NO_DEFAULTS) -> ParseResult:
    """Read the pearls in one markdown file; every error is a Problem, nothing raises."""
    path = path or "<stdin>"
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        size = len(text.encode("utf-8", "surrogatepass"))
        return ParseResult([], [_too_big(path, size)], 0, [])
    try:
        with gc_paused():  # markdown-it's tokens are many and acyclic
            return _Parser(path, defaults).run(text)
    except _TooMany as e:
        message = f"more than {MAX_TOKENS:,} markdown blocks: split the file up"
        return ParseResult([], [Problem(path, e.line, message)], 0, [])
    except RecursionError:
        return ParseResult([], [Problem(path, 1, "markup nested too deeply to read")], 0, [])
    except Exception as e:  # the CLI must get a Problem, never a traceback
        message = f"internal error reading this file ({type(e).__name__}): please report it"
        return ParseResult([], [Problem(path, 1, message)], 0, [])


@dataclass
class _Scope:
    level: int
    pathway: str | None
    tags: tuple[str, ...]
    title: str = ""
    """Part of the context of the cards below; empty for a pathway or Question heading."""


@dataclass
class _Draft:
    line: int
    draft: PearlDraft
    key: str
    schedules: list[Schedule | None] = field(default_factory=list)


class _Parser(CardReader):
    def run(self, text: str) -> ParseResult:
        # markdown-it's own normalisation, done first so front matter lines agree with it.
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        text = text.removeprefix("\ufeff")
        lines = text.count("\n") + 1
        if lines > MAX_LINES:
            self.problem(1, f"file has {lines:,} lines; the limit is {MAX_LINES:,}: split it up")
            return self.result()
        if self.defaults.pathway is not None:
            self.default_pathway = pathway_named(self.defaults.pathway)
            if self.default_pathway is None:
                self.problem(
                    1,
                    f"unknown pathway {_quote(self.defaults.pathway)} given with --pathway: "
                    f"use one of {_PATHWAY_LIST}",
                )
                return self.result()
        body = self.front_matter(text)
        if body is None:
            return self.result()
        self.set_separators()
        self.walk(body)
        self.close_open()
        return self.result()

    def result(self) -> ParseResult:
        self.made.sort(key=lambda d: d.line)  # items finish after their nested items
        self.problems.sort(key=lambda p: p.line)
        self.notes.sort(key=lambda p: p.line)
        self.skipped_lines.sort()
        made = self.made
        if self.note_tags:  # a `#flashcards/deck` paragraph files every card of the note
            extra = tuple(self.note_tags)
            for d in made:
                tags = tuple(dict.fromkeys((*d.draft.tags, *extra)))
                d.draft = dataclasses.replace(d.draft, tags=tags)
        seen: dict[str, int] = {}
        keys: list[str] = []
        for d in made:  # the same front twice in a note: the second is `key-2`
            n = seen[d.key] = seen.get(d.key, 0) + 1
            keys.append(d.key if n == 1 else f"{d.key}-{n}")
        return ParseResult(
            [d.draft for d in made],
            self.problems,
            len(self.skipped_lines),
            self.skipped_lines,
            keys,
            [tuple(d.schedules) for d in made],
            self.notes,
        )

    # --- the block walk ---

    def walk(self, body: str) -> None:
        tokens: Sequence[BlockToken] | None = plain_tokens(body, MAX_TOKENS)
        if tokens is None:  # not plain lines only: markdown-it reads the blocks
            block_md = _table_markdown_it() if "|" in body else _markdown_it()[0]
            budget = _TokenBudget()
            block_md.block.parse(body, block_md, self.env, budget)
            tokens = budget
        self.body_lines = body.split("\n")
        self.check_depth(tokens)
        self.walk_blocks(tokens, 0, len(tokens))

    def check_depth(self, tokens: Sequence[BlockToken]) -> None:
        """markdown-it silently drops what is inside a container opened too deep: say so."""
        for tok in tokens:
            if (
                tok.nesting == 1
                and tok.level >= MAX_NESTING - 1
                and (tok.type in _CONTAINERS or tok.type == "list_item_open")
            ):
                line = tok.map[0] + 1 if tok.map else 0
                self.problem(
                    line,
                    "lists or quotes nested too deeply (lists at most 9 levels): "
                    "what is inside was not read",
                )
                return

    def walk_blocks(self, tokens: Sequence[BlockToken], lo: int, hi: int) -> None:
        i = lo
        while i < hi:
            tok = tokens[i]
            end = block_end(tokens, i)
            kind = tok.type
            line = tok.map[0] + 1 if tok.map else 0
            if kind == "heading_open":
                self.heading(int(tok.tag[1:]), line, tokens[i + 1].content)
            elif self.absorb(tokens, i, end):
                pass  # part of the answer of the card above
            elif kind == "paragraph_open":
                self.paragraph(line, tokens[i + 1].content)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.close_open()
                self.list_items(tokens, i, end)
            elif kind == "blockquote_open":
                self.walk_blocks(tokens, i + 1, end - 1)
            elif kind == "html_block" and tok.content.lstrip().startswith("<!--SR:"):
                self.late_schedule(tok.content.strip())
            elif kind == "table_open":
                self.close_open()
                self.skip(line)
            else:
                self.close_open()
            i = end

    def heading(self, level: int, line: int, source: str) -> None:
        if self.heading_card(level, line, source):
            return
        self.scoped_cache = None  # after the card above took its context
        while self.scopes and self.scopes[-1].level >= level:
            self.scopes.pop()
        if len(source) > MAX_HEADING_CHARS:
            self.problem(line, f"heading is longer than {MAX_HEADING_CHARS} characters")
            self.scopes.append(_Scope(level, None, ()))
            return
        found = Found()
        try:
            text = _show(self.conv.plain(source, found))
        except _Bad as e:
            self.problem(line, e.message)
            text = ""
        if question_heading(text) is not None:
            self.scopes.append(_Scope(level, None, tuple(found.tags)))
            self.open_heading_card(level, line, question_heading(text) or "")
            return
        pathway = pathway_named(text)
        title = "" if pathway else text
        self.scopes.append(_Scope(level, pathway, tuple(found.tags), title))

    # --- pearls ---

    def draft(
        self,
        line: int,
        text: str,
        back: str | None,
        found: Found,
        key_text: str | None = None,
    ) -> None:
        """Add a pearl, or its Problem; raises _Bad if the final text breaks a cloze rule."""
        text = _show(text)
        back = None if back is None else _show(back)
        _check_clozes(text, back)
        for target in found.missing:
            self.note(
                line,
                f"image {_quote(target)} not found (beside the note or in the vault): "
                "its alt text is kept",
            )
        found.missing.clear()
        scope_pathway, scope_tags, context = self.scoped()
        pathway = scope_pathway or self.fm_pathway or self.default_pathway
        if pathway is None:
            self.problem(line, NO_PATHWAY)
            return
        all_tags = [*self.fm_tags, *scope_tags, *found.tags, *self.default_tags]
        draft = PearlDraft(
            pathway=pathway,
            text=text,
            back=back,
            tags=tuple(dict.fromkeys(all_tags)),
            source=self.source or self.fm_source,
            block=self.defaults.block,
            origin=f"{self.path}:{line}",
            context=context,
        )
        taken: list[Schedule | None] = []
        if found.schedules:  # the plugin's schedule, one entry per card
            cards = _cards(text, back)
            taken = found.schedules[:cards]
            del found.schedules[:cards]
        made = _Draft(line, draft, card_key(key_text or text), taken)
        self.made.append(made)
        self.last_made.append(made)

    def scoped(self) -> tuple[str | None, list[str], str | None]:
        """The pathway, tags and context the headings above give a pearl: the innermost
        pathway heading, every `#tag`, the other titles. Kept until the next heading."""
        if self.scoped_cache is None:
            pathway = next((s.pathway for s in reversed(self.scopes) if s.pathway), None)
            titles = [s.title for s in self.scopes if s.title]
            self.scoped_cache = (
                pathway,
                [t for s in self.scopes for t in s.tags],
                " > ".join(titles) or None,
            )
        return self.scoped_cache

    def late_schedule(self, comment: str) -> None:
        """`<!--SR:…-->` on the line after a card: the schedule of the cards just made."""
        from pearldeck.markdown_import.common import parse_schedule

        entries = parse_schedule(comment)
        if self.open is not None:
            self.open.found.schedules.extend(entries)
            return
        for d in self.last_made:
            need = _cards(d.draft.text, d.draft.back)
            while len(d.schedules) < need and entries:
                d.schedules.append(entries.pop(0))


def _cards(text: str, back: str | None) -> int:
    return 1 if back is not None else len({m.group(1) for m in CLOZE_RE.finditer(text)})
