"""The block walk: markdown-it tokens to pearl drafts, headings to pathways and context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pearldeck.drafts import PearlDraft
from pearldeck.gcpause import gc_paused
from pearldeck.markdown_import.cards import (
    _check_clozes,
    _pearl,
    _scan_clozes,
    _strip_mark,
    _unhighlight,
)
from pearldeck.markdown_import.common import (
    _A_MARK,
    _CONTAINERS,
    _HIDE,
    _INLINE_ACTIVE,
    _INLINE_TAG,
    _LITERAL_BLOCKS,
    _PATHWAY_LIST,
    _Q_MARK,
    MAX_BYTES,
    MAX_HEADING_CHARS,
    MAX_LINES,
    MAX_NESTING,
    MAX_PEARL_CHARS,
    MAX_TOKENS,
    NO_DEFAULTS,
    NO_PATHWAY,
    ImportDefaults,
    ParseResult,
    _Bad,
    _collapse,
    _markdown_it,
    _norm_tag,
    _quote,
    _show,
    _slug,
    _TokenBudget,
    _too_big,
    _TooMany,
    pathway_named,
)
from pearldeck.markdown_import.frontmatter import FrontMatterReader
from pearldeck.model import Problem

if TYPE_CHECKING:
    from markdown_it.token import Token

# --- parsing ----------------------------------------------------------------------


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


@dataclass
class _Item:
    line: int
    parts: list[tuple[int, str, bool]] = field(default_factory=list)
    """(line, markdown source, literal?) of each block directly inside the item."""


@dataclass
class _QA:
    q_line: int
    q_parts: list[list[str]]
    """Raw lines of the question, one list per paragraph."""
    a_line: int = 0
    a_lines: list[str] | None = None


class _Parser(FrontMatterReader):
    def __init__(self, path: str, defaults: ImportDefaults) -> None:
        self.path = path
        self.defaults = defaults
        self.env: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.drafts: list[tuple[int, PearlDraft]] = []
        self.skipped_lines: list[int] = []
        self.scopes: list[_Scope] = []
        self._scoped: tuple[str | None, list[str]] | None = None
        self.pending: _QA | None = None
        self.fm_pathway: str | None = None
        self.fm_tags: list[str] = []
        self.fm_source: str | None = None
        self.default_pathway: str | None = None
        self.default_tags = [t for t in map(_norm_tag, defaults.tags) if t]
        self.source = _collapse(defaults.source or "") or None

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, max(line, 1), message))

    def result(self) -> ParseResult:
        self.drafts.sort(key=lambda d: d[0])  # items finish after their nested items
        self.problems.sort(key=lambda p: p.line)
        self.skipped_lines.sort()
        return ParseResult(
            [d for _, d in self.drafts],
            self.problems,
            len(self.skipped_lines),
            self.skipped_lines,
        )

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
        self.walk(body)
        self.close_pending()
        return self.result()

    # --- the block walk ---

    def walk(self, body: str) -> None:
        block_md = _markdown_it()[0]
        tokens = _TokenBudget()
        block_md.block.parse(body, block_md, self.env, tokens)
        self.walk_tokens(tokens)

    def walk_tokens(self, tokens: list[Token]) -> None:
        items: list[_Item] = []
        heading: int | None = None
        deep_reported = False
        for tok in tokens:
            kind = tok.type
            line = tok.map[0] + 1 if tok.map else 0
            if kind == "inline":
                if items:
                    items[-1].parts.append((line, tok.content, False))
                elif heading is not None:
                    self.heading(heading, line, tok.content)
                else:
                    self.paragraph(line, tok.content)
            elif kind == "heading_open":
                heading = int(tok.tag[1:])
            elif kind == "heading_close":
                heading = None
            elif kind == "list_item_open":
                items.append(_Item(line))
            elif kind == "list_item_close":
                self.item(items.pop())
            elif kind in _LITERAL_BLOCKS:
                if items and not tok.content.lstrip().startswith("<!--"):
                    items[-1].parts.append((line, tok.content, True))
                elif not items:
                    self.close_pending()
            elif kind not in ("paragraph_open", "paragraph_close") and not items:
                self.close_pending()
            # markdown-it silently drops what is inside a container opened this deep.
            if (
                tok.nesting == 1
                and tok.level >= MAX_NESTING - 1
                and (kind in _CONTAINERS or kind == "list_item_open")
                and not deep_reported
            ):
                self.problem(
                    line,
                    "lists or quotes nested too deeply (lists at most 9 levels): "
                    "what is inside was not read",
                )
                deep_reported = True

    def heading(self, level: int, line: int, source: str) -> None:
        self.close_pending()
        self._scoped = None
        while self.scopes and self.scopes[-1].level >= level:
            self.scopes.pop()
        if len(source) > MAX_HEADING_CHARS:
            self.problem(line, f"heading is longer than {MAX_HEADING_CHARS} characters")
            self.scopes.append(_Scope(level, None, ()))
            return
        tags: list[str] = []
        try:
            text = _show(self.clean(source, tags))
        except _Bad as e:
            self.problem(line, e.message)
            text = ""
        pathway = pathway_named(text)
        if pathway is None and _slug(text):
            tags.insert(0, _slug(text))
        self.scopes.append(_Scope(level, pathway, tuple(tags)))

    def skip(self, line: int) -> None:
        self.skipped_lines.append(line)

    # --- text ---

    def clean(self, source: str, tags: list[str]) -> str:
        """Markdown source of one block to plain one-line text; `#tags` go to `tags`."""
        out: list[str] = []
        if not _INLINE_ACTIVE.search(source):  # most pearls: no inline markup to parse
            _text(source, True, out, tags)
            return _collapse("".join(out))
        children: list[Token] = []
        inline_md = _markdown_it()[1 if "]" in source else 2]
        try:
            inline_md.inline.parse(source, inline_md, self.env, children)
        except RecursionError:
            raise _Bad("markup nested too deeply to read") from None
        at_space = True
        stack = [iter(children)]
        while stack:
            tok = next(stack[-1], None)
            if tok is None:
                stack.pop()
                continue
            kind = tok.type
            piece = ""
            if kind == "text":
                at_space = _text(tok.content, at_space, out, tags)
                continue
            if kind == "image":
                stack.append(iter(tok.children or ()))
                continue
            if kind == "code_inline":
                piece = tok.content.translate(_HIDE)  # never a tag, a split or a cloze
            elif kind == "text_special":
                piece = tok.content.translate(_HIDE)  # `\#` is no tag, `\::` no split
            elif kind in ("softbreak", "hardbreak"):
                piece = " "
            elif kind == "html_inline" and not tok.content.startswith("<!--"):
                piece = tok.content  # `<` is data here; the exporter escapes it
            if piece:
                out.append(piece)
                at_space = piece[-1].isspace()
        return _collapse("".join(out))

    # --- pearls ---

    def draft(self, line: int, text: str, back: str | None, tags: Iterable[str]) -> None:
        """Add a pearl, or its Problem; raises _Bad if the final text breaks a cloze rule."""
        text = _show(text)
        back = None if back is None else _show(back)
        _check_clozes(text, back)
        scope_pathway, scope_tags = self.scoped()
        pathway = scope_pathway or self.fm_pathway or self.default_pathway
        if pathway is None:
            self.problem(line, NO_PATHWAY)
            return
        all_tags = [*self.fm_tags, *scope_tags, *tags, *self.default_tags]
        draft = PearlDraft(
            pathway=pathway,
            text=text,
            back=back,
            tags=tuple(dict.fromkeys(all_tags)),
            source=self.source or self.fm_source,
            block=self.defaults.block,
            origin=f"{self.path}:{line}",
        )
        self.drafts.append((line, draft))

    def scoped(self) -> tuple[str | None, list[str]]:
        """The pathway and the tags the headings above give a pearl: the innermost pathway
        heading, and every tag. Kept until the next heading changes them."""
        if self._scoped is None:
            pathway = next((s.pathway for s in reversed(self.scopes) if s.pathway), None)
            self._scoped = (pathway, [t for s in self.scopes for t in s.tags])
        return self._scoped

    def item(self, item: _Item) -> None:
        if not item.parts:
            return  # only a nested list: nothing of its own was dropped
        first = item.parts[0]
        if not first[2] and _Q_MARK.match(first[1]):
            pending: _QA | None = None
            for line, source, _ in item.parts:
                pending = self.qa_paragraph(line, source, pending)
            self.finish_qa(pending)
            return
        size = sum(len(source) for _, source, _ in item.parts)
        tags: list[str] = []
        try:
            if size > MAX_PEARL_CHARS:
                raise _Bad(
                    f"list item is {size:,} characters long; the limit is {MAX_PEARL_CHARS:,}"
                )
            if len(item.parts) == 1 and not first[2]:
                text = self.clean(first[1], tags)  # most items: one line, already collapsed
            else:
                text = _collapse(
                    " ".join(
                        _collapse(source.translate(_HIDE)) if literal else self.clean(source, tags)
                        for _, source, literal in item.parts
                    )
                )
            pearl = _pearl(text)
            if pearl is None:
                self.skip(item.line)
            else:
                self.draft(item.line, pearl[0], pearl[1], tags)
        except _Bad as e:
            self.problem(e.line or item.line, e.message)

    def paragraph(self, line: int, source: str) -> None:
        self.pending = self.qa_paragraph(line, source, self.pending)

    def qa_paragraph(self, line0: int, source: str, pending: _QA | None) -> _QA | None:
        """Feed one paragraph to the Q/A reader; returns the question still waiting."""
        lines = source.split("\n")
        if pending is None and not any(_Q_MARK.match(raw) for raw in lines):
            self.skip(line0)
            return None
        if pending is not None:
            pending.q_parts.append([])
        run: int | None = None  # first line of text that belongs to no pearl
        for i, raw in enumerate(lines):
            if _Q_MARK.match(raw):
                self.finish_qa(pending)
                pending = _QA(line0 + i, [[raw]])
            elif pending is not None and pending.a_lines is None and _A_MARK.match(raw):
                pending.a_line, pending.a_lines = line0 + i, [raw]
            elif pending is not None:
                (pending.q_parts[-1] if pending.a_lines is None else pending.a_lines).append(raw)
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
        if pending is not None and pending.a_lines is not None:
            self.finish_qa(pending)  # a blank line after the answer ends it
            return None
        return pending

    def close_pending(self) -> None:
        self.finish_qa(self.pending)
        self.pending = None

    def finish_qa(self, qa: _QA | None) -> None:
        if qa is None:
            return
        if qa.a_lines is None:
            self.problem(qa.q_line, "question has no answer: add an 'A:' line after it")
            return
        q_sources = ["\n".join(part) for part in qa.q_parts if part]
        a_source = "\n".join(qa.a_lines)
        size = sum(map(len, q_sources)) + len(a_source)
        tags: list[str] = []
        try:
            if size > MAX_PEARL_CHARS:
                raise _Bad(f"Q/A is {size:,} characters long; the limit is {MAX_PEARL_CHARS:,}")
            cleaned = [self.clean(s, tags) for s in q_sources]
            cleaned[0] = _strip_mark(_Q_MARK, cleaned[0])
            question = _collapse(" ".join(cleaned))
            answer = _strip_mark(_A_MARK, self.clean(a_source, tags))
            if not question:
                raise _Bad("empty question after 'Q:'")
            if not answer:
                raise _Bad("empty answer after 'A:'", qa.a_line)
            for side in (question, answer):
                spans, unclosed = _scan_clozes(side)
                if spans or unclosed is not None:
                    raise _Bad("a Q:/A: pearl cannot hold a cloze: make it a list item instead")
            self.draft(qa.q_line, _unhighlight(question), _unhighlight(answer), tags)
        except _Bad as e:
            self.problem(e.line or qa.q_line, e.message)


def _text(source: str, at_space: bool, out: list[str], tags: list[str]) -> bool:
    """Append `source` minus its `#tags` (collected into `tags`); True if it ends in space."""
    pos = 0
    for m in _INLINE_TAG.finditer(source):
        if m.start() == 0 and not at_space:
            continue  # `**x**#y`: glued to the word before, as in C#
        tag = _norm_tag(m.group(1))
        if tag is None:
            continue
        tags.append(tag)
        out.append(source[pos : m.start()])
        pos = m.end()
    rest = source[pos:]
    out.append(rest)
    if rest:
        return rest[-1].isspace()
    return at_space or pos > 0  # a tag only follows a space, and it was cut
