"""Card recognisers over blocks: one-line and multi-line cards, Q:/A: and heading pairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pearldeck.markdown_import.blocks import to_markup
from pearldeck.markdown_import.cards import (
    _ANSWER_HEADING,
    Separators,
    _cloze,
    _pearl,
    _scan_clozes,
    _strip_mark,
    _unhighlight,
    check_size,
)
from pearldeck.markdown_import.common import (
    _A_MARK,
    _HIDE,
    _LITERAL_BLOCKS,
    _Q_MARK,
    MAX_PEARL_CHARS,
    ImportDefaults,
    _Bad,
    _norm_tag,
    parse_schedule,
)
from pearldeck.markdown_import.frontmatter import FrontMatterReader
from pearldeck.markdown_import.text import Converter, Found, collapse
from pearldeck.model import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pearldeck.markdown_import.blocks import BlockToken
    from pearldeck.markdown_import.walk import _Draft, _Scope


@dataclass
class _Open:
    """A card whose answer may go on over the blocks that follow it."""

    kind: str
    """`qa` (Q:/A:), `multi` (a `?` line), `heading` (## Question / ## Answer)."""
    line: int
    found: Found = field(default_factory=Found)
    q_parts: list[list[str]] = field(default_factory=list)
    """Q:/A: only: raw lines of the question, one list per paragraph."""
    a_lines: list[str] | None = None
    """Q:/A: only: raw lines of the answer in the paragraph of its `A:`."""
    a_line: int = 0
    front: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)
    """Markup lines: the blocks taken in after the card."""
    answered: bool = False
    level: int = 0
    both_ways: bool = False
    size: int = 0
    """Characters of markdown taken in so far."""


class CardReader(FrontMatterReader):
    """The parser's state and its card recognisers (the walk is in walk.py)."""

    def __init__(self, path: str, defaults: ImportDefaults) -> None:
        self.path = path
        self.defaults = defaults
        self.env: dict[str, Any] = {}
        self.body_lines: list[str] = []
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.made: list[_Draft] = []
        self.last_made: list[_Draft] = []
        self.skipped_lines: list[int] = []
        self.scopes: list[_Scope] = []
        self.scoped_cache: tuple[str | None, list[str], str | None] | None = None
        self.open: _Open | None = None
        self.fm_pathway: str | None = None
        self.fm_tags: list[str] = []
        self.fm_source: str | None = None
        self.fm_seps: dict[str, str] = {}
        self.note_tags: list[str] = []
        self.default_pathway: str | None = None
        self.default_tags = [t for t in map(_norm_tag, defaults.tags) if t]
        self.source = collapse(defaults.source or "") or None
        self.sep = Separators()
        self.conv = Converter(path, self.env, defaults.media, defaults.bold_cloze)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, max(line, 1), message))

    def note(self, line: int, message: str) -> None:
        self.notes.append(Problem(self.path, max(line, 1), message))

    def skip(self, line: int) -> None:
        self.skipped_lines.append(line)

    def set_separators(self) -> None:
        inline = self.defaults.inline_sep or self.fm_seps.get("inline-sep") or "::"
        multi = self.defaults.multiline_sep or self.fm_seps.get("multiline-sep") or "?"
        self.sep = Separators(inline, multi)

    # implemented by the walk
    def draft(
        self, line: int, text: str, back: str | None, found: Found, key_text: str | None = None
    ) -> None:
        raise NotImplementedError

    # --- what ends an answer ---

    def looks_like_card(self, source: str) -> bool:
        if self.sep.inline in source or "{{c" in source:
            return True
        return any(
            _Q_MARK.match(line) or line.strip() in (self.sep.multiline, self.sep.multiline_reversed)
            for line in source.split("\n")
        )

    def absorb(self, tokens: Sequence[BlockToken], i: int, end: int) -> bool:
        """Take the block tokens[i:end] into the answer of the open card, if it goes on."""
        o = self.open
        tok = tokens[i]
        if o is None or tok.type == "hr":
            return False
        if tok.type == "html_block" and tok.content.lstrip().startswith("<!--SR:"):
            return False
        if o.kind == "qa" and not o.answered:
            return False  # a question's paragraphs go to the Q:/A: reader
        start = tok.map[0] if tok.map else 0
        if o.kind == "multi" and (start == 0 or not self.body_lines[start - 1].strip()):
            self.close_open()  # a blank line ends a multi-line card, as in the plugin
            return False
        size = sum(len(t.content) for t in tokens[i:end])
        if size + o.size > MAX_PEARL_CHARS or (
            o.kind != "heading"
            and any(t.type == "inline" and self.looks_like_card(t.content) for t in tokens[i:end])
        ):
            self.close_open()  # the next card, or too long to be an answer
            return False
        o.size += size
        self.last_made = []
        lines = to_markup(tokens, i, end, self.conv, o.found)
        (o.back if o.answered else o.front).extend(lines)
        return True

    def heading_card(self, level: int, line: int, source: str) -> bool:
        """A heading inside an open `## Question` card: its Answer, a sub-heading, or its end."""
        o = self.open
        self.last_made = []
        if o is None or o.kind != "heading" or level < o.level:
            self.close_open()
            return False
        found = Found()
        text = self.conv.convert(source, found)
        m = _ANSWER_HEADING.fullmatch(text.strip())
        if level == o.level and m is not None and not o.answered:
            o.answered, o.a_line = True, line
            if m.group(1):
                o.back.append(m.group(1).strip())
            return True
        if level == o.level:
            self.close_open()
            return False
        (o.back if o.answered else o.front).append(f"**{text}**")
        return True

    def open_heading_card(self, level: int, line: int, rest: str) -> None:
        self.close_open()
        self.open = _Open("heading", line, level=level, front=[rest] if rest else [])

    # --- paragraphs ---

    def paragraph(self, line0: int, source: str) -> None:
        self.last_made = []
        lines = source.split("\n")
        o = self.open
        if (o is not None and o.kind == "qa") or any(_Q_MARK.match(raw) for raw in lines):
            self.qa_paragraph(line0, lines)
            return
        self.close_open()
        seps = (self.sep.multiline, self.sep.multiline_reversed)
        at = next((k for k, raw in enumerate(lines) if raw.strip() in seps), None)
        if at is not None:
            self.multi_card(line0, lines, at)
        elif self.sep.inline in source:
            self.one_line_cards(line0, lines)
        else:
            self.cloze_paragraph(line0, source)

    def one_line_cards(self, line0: int, lines: list[str]) -> None:
        """Each line with a separator, cloze or highlight is a card (the plugin's rule)."""
        run: int | None = None
        for k, raw in enumerate(lines):
            found = Found()
            try:
                check_size(raw, "", "line")
                text = self.conv.convert(raw, found)
                pearls = _pearl(text, self.sep)
                if pearls is None:
                    if run is None:
                        run = line0 + k
                        self.skip(run)
                    continue
                run = None
                for n, (front, back) in enumerate(pearls):
                    self.draft(line0 + k, front, back, found, front if n == 0 else front + "\x00r")
            except _Bad as e:
                self.problem(e.line or line0 + k, e.message)

    def cloze_paragraph(self, line0: int, source: str) -> None:
        found = Found()
        bold = self.defaults.bold_cloze and ("**" in source or "__" in source)
        maybe = "{{c" in source or "==" in source or bold
        try:
            if maybe or source.startswith("#"):  # else prose: not worth parsing
                check_size(source, "", "paragraph")
                text = self.conv.convert(source, found, breaks=True)
            else:
                text = source
            if not text and found.tags:  # `#flashcards/cardio`: the note's deck
                self.note_tags.extend(t for t in found.tags if t not in self.note_tags)
                return
            cloze = _cloze(text, _scan_clozes(text)[0]) if maybe else None
            if cloze is None:
                self.skip(line0)
                if text.rstrip("*_ ").endswith("?"):
                    self.note(line0, self.unanswered())
                return
            self.draft(line0, cloze, None, found)
        except _Bad as e:
            self.problem(e.line or line0, e.message)

    def unanswered(self) -> str:
        return (
            f"not imported: a question with no answer (no '{self.sep.inline}', "
            f"no '{self.sep.multiline}' line, no 'A:')"
        )

    def multi_card(self, line0: int, lines: list[str], at: int) -> None:
        found = Found()
        both = lines[at].strip() == self.sep.multiline_reversed
        try:
            check_size("".join(lines), "", "card")
            front = self.conv.convert("\n".join(lines[:at]), found, breaks=True)
            back = self.conv.convert("\n".join(lines[at + 1 :]), found, breaks=True)
        except _Bad as e:
            self.problem(e.line or line0, e.message)
            return
        self.open = _Open("multi", line0, found, front=[front] if front else [], answered=True)
        self.open.a_line = line0 + at
        self.open.both_ways = both
        if back:
            self.open.back.append(back)

    # --- Q:/A: ---

    def qa_paragraph(self, line0: int, lines: list[str]) -> None:
        """Feed one paragraph to the Q/A reader; the question or answer stays open."""
        pending = self.open
        if pending is not None and pending.kind == "qa" and not pending.answered:
            pending.q_parts.append([])
        run: int | None = None  # first line of text that belongs to no pearl
        for i, raw in enumerate(lines):
            if _Q_MARK.match(raw):
                self.close_open()
                pending = self.open = _Open("qa", line0 + i, q_parts=[[raw]])
            elif pending is not None and not pending.answered and _A_MARK.match(raw):
                pending.a_line, pending.a_lines, pending.answered = line0 + i, [raw], True
            elif pending is not None:
                if pending.a_lines is None:
                    pending.q_parts[-1].append(raw)
                else:
                    pending.a_lines.append(raw)
                continue
            elif run is None:
                run = line0 + i
                continue
            else:
                continue
            if run is not None:
                self.skip(run)
                run = None
        if run is not None:
            self.skip(run)

    def close_open(self) -> None:
        o, self.open = self.open, None
        if o is None:
            return
        try:
            if o.kind == "qa":
                self.finish_qa(o)
            else:
                self.finish_block_card(o)
        except _Bad as e:
            self.problem(e.line or o.line, e.message)

    def finish_block_card(self, o: _Open) -> None:
        what = self.sep.multiline if o.kind == "multi" else "## Question"
        if o.kind == "heading" and not o.answered:
            raise _Bad("question heading has no '## Answer' heading of the same level after it")
        front = "\n".join(line for line in o.front if line).strip()
        back = "\n".join(line for line in o.back if line).strip()
        check_size(front, back)
        if not front:
            raise _Bad(f"nothing before '{what}': write the question there")
        if not back:
            raise _Bad(f"nothing after '{what}': write the answer there", o.a_line)
        front, back = _unhighlight(front), _unhighlight(back)
        self.draft(o.line, front, back, o.found)
        if o.both_ways:
            self.draft(o.line, back, front, o.found, back + "\x00r")

    def finish_qa(self, qa: _Open) -> None:
        if qa.a_lines is None:
            raise _Bad("question has no answer: add an 'A:' line after it")
        q_sources = ["\n".join(part) for part in qa.q_parts if part]
        a_source = "\n".join(qa.a_lines)
        check_size("".join(q_sources) + a_source, "\n".join(qa.back), "Q/A")
        found = qa.found
        cleaned = [self.conv.convert(s, found) for s in q_sources]
        cleaned[0] = _strip_mark(_Q_MARK, cleaned[0])
        question = " ".join(part for part in cleaned if part).strip()
        first = _strip_mark(_A_MARK, self.conv.convert(a_source, found))
        answer = "\n".join(line for line in (first, *qa.back) if line).strip()
        if not question:
            raise _Bad("empty question after 'Q:'")
        if not answer:
            raise _Bad("empty answer after 'A:'", qa.a_line)
        for side in (question, answer):
            spans, unclosed = _scan_clozes(side)
            if spans or unclosed is not None:
                raise _Bad("a Q:/A: pearl cannot hold a cloze: make it a list item instead")
        self.draft(qa.line, _unhighlight(question), _unhighlight(answer), found)

    # --- list items ---

    def list_items(self, tokens: Sequence[BlockToken], lo: int, hi: int) -> None:
        """Every item of a list (nested ones too) is a one-line card or nothing."""
        items: list[tuple[int, list[tuple[int, str, bool]]]] = []
        for j in range(lo, hi):
            tok = tokens[j]
            kind = tok.type
            line = tok.map[0] + 1 if tok.map else 0
            if kind == "inline" and items:
                items[-1][1].append((line, tok.content, False))
            elif kind == "list_item_open":
                items.append((line, []))
            elif kind == "list_item_close" and items:
                self.item(*items.pop())
            elif kind in _LITERAL_BLOCKS and items:
                items[-1][1].append((line, tok.content, True))

    def item(self, line0: int, parts: list[tuple[int, str, bool]]) -> None:
        if not parts:
            return  # only a nested list: nothing of its own was dropped
        first = parts[0]
        if not first[2] and _Q_MARK.match(first[1]):
            for line, source, _ in parts:
                self.qa_paragraph(line, source.split("\n"))
            self.close_open()
            return
        size = sum(len(source) for _, source, _ in parts)
        found = Found()
        try:
            if size > MAX_PEARL_CHARS:
                raise _Bad(
                    f"list item is {size:,} characters long; the limit is {MAX_PEARL_CHARS:,}"
                )
            texts: list[str] = []
            if not first[2] and first[1].startswith(("[ ] ", "[x] ", "[X] ")):
                parts[0] = (first[0], first[1][4:], False)  # an Obsidian task `- [ ]`
            for _, source, literal in parts:
                stripped = source.lstrip()
                if literal and stripped.startswith("<!--"):
                    found.schedules.extend(parse_schedule(stripped))
                elif literal and not stripped.startswith("<"):
                    texts.append(collapse(source.translate(_HIDE)))  # code: never a card
                else:
                    texts.append(self.conv.convert(source, found))
            text = texts[0] if len(texts) == 1 else " ".join(t for t in texts if t)
            pearls = _pearl(text, self.sep) if text else None
            if pearls is None:
                self.skip(line0)
                if text.rstrip("*_ ").endswith("?"):
                    self.note(line0, self.unanswered())
                return
            for n, (front, back) in enumerate(pearls):
                self.draft(line0, front, back, found, front if n == 0 else front + "\x00r")
        except _Bad as e:
            self.problem(e.line or line0, e.message)
