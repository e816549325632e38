"""Turn markdown notes into pearl drafts for `pearls import`: pure, bounded, never raises."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from pearldeck.drafts import PearlDraft
from pearldeck.gcpause import gc_paused
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

FORMAT_EXAMPLE = """\
---
pathway: acute                 # default for pearls under no pathway heading
tags: [cardio, uworld]         # or a comma string: tags: cardio, uworld
source: UWorld block 12        # `--source` on the command line wins over this
---

# Acute care

## Aortic dissection

- First drug for type B dissection :: IV **beta blocker** (esmolol) #emergency
- {{c1::Esmolol}} comes before {{c2::nitroprusside}} so the heart rate falls first
- Tearing chest pain radiating to the back suggests ==aortic dissection==
  - Nested items are pearls of their own :: yes, each one
- A list item with no `::`, cloze or highlight is a note, not a pearl: skipped

## Pulmonary embolism

Q: First test for suspected PE in a stable patient with an intermediate pretest
probability?
A: D-dimer #pulm/pe

# Chronic disease management

- HbA1c target for most adults with diabetes :: < 7% #endo/diabetes
"""

FORMAT_HELP = f"""\
# Importing pearls from markdown

`pearls import notes.md` reads every list item and every `Q:`/`A:` pair as a pearl:

- `prompt :: answer` is a question with its answer (the first ` :: ` outside a cloze).
- `{{{{c1::hidden}}}}` is a cloze (Anki syntax); `==highlight==` becomes c1, c2, … in
  order, unless the item already has `{{{{c…}}}}` clozes.
- A line starting `Q:` and then a line starting `A:` is one pearl; either may run on over
  further lines, and a blank line may separate them. A blank line after the answer ends
  it. `Question:`/`Answer:` and bold `**Q:**` work too; `Q.`/`A.` do not (`A.` is an
  answer option in a vignette, or *A. baumannii*).
- Nested list items are pearls of their own. Anything else (prose, a `::` line that is
  not a list item, code, tables) is skipped and counted.
- A heading naming a pathway (`acute`, `chronic`, `preventive`, `diagnostic`,
  `systems-based`, or `Acute care`, `Chronic disease management`, `Preventive care`,
  `Diagnostic reasoning`, `Systems-based practice`, `Ethics`, `Patient safety`) sets the
  pathway of what is under it. Any other heading tags what is under it
  (`## Heart failure` -> `heart-failure`). Either lasts until the next heading of the
  same or a higher level.
- Front matter sets file defaults: `pathway`, `tags`, `source`; other keys are ignored.
  Pathway: heading, else front matter, else `--pathway`. Source: `--source`, else front
  matter. Tags: front matter, headings, inline `#tags` and `--tag`, all kept.
- `#tag` and `#tag/sub` anywhere in a pearl become tags (lowercased) and leave the text;
  `#1`, `C#` and `` `#code` `` are not tags. Markdown markup is reduced to plain text;
  `::` or `==` inside `` `code` `` or escaped (`\\::`) is plain text too.
- Limits: 4 MiB and 200,000 lines a file, 20,000 characters a pearl, lists nested 9 deep.

```markdown
{FORMAT_EXAMPLE}```
"""

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


@dataclass(frozen=True)
class ParseResult:
    drafts: list[PearlDraft]
    """In file order; each `origin` is `path:line`, which the CLI may store as the source."""
    problems: list[Problem]
    """`path:line: message`, in file order."""
    skipped: int
    """Paragraphs and list items that are not pearls."""
    skipped_lines: list[int]


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


# Every regex below runs on one line or one pearl and is linear: no nested quantifiers.
_INLINE_ACTIVE = re.compile(r"[*_`\[<&\\]")  # characters some commonmark inline rule acts on
_INLINE_TAG = re.compile(r"(?<!\S)#([^\W\d][\w/-]*)")
_Q_MARK = re.compile(r"[ \t]*[*_]{0,3}(?:q|question)[*_]{0,3}[ \t]*:[*_]{0,3}[ \t]*", re.I)
_A_MARK = re.compile(r"[ \t]*[*_]{0,3}(?:a|answer)[*_]{0,3}[ \t]*:[*_]{0,3}[ \t]*", re.I)
_HIGHLIGHT = re.compile(r"==([^=\s](?:[^=]*[^=\s])?)==")
_TAG_JUNK = re.compile(r"[\s,\[\]{}]+")
_SLUG_JUNK = re.compile(r"\W+")
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


def _slug(text: str) -> str:
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")


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


# --- decoding ---------------------------------------------------------------------


def _line_at(data: bytes, pos: int) -> int:
    # Count line ends as markdown-it does (\r\n, \r, \n), so lines agree with parse_markdown.
    return data.count(b"\n", 0, pos) + data.count(b"\r", 0, pos) - data.count(b"\r\n", 0, pos) + 1


def _too_big(path: str, size: int) -> Problem:
    return Problem(
        path, 1, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (4 MiB): split it up"
    )


def decode_markdown(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes of a markdown file to text, or None and the Problem (binary, not UTF-8, too big)."""
    path = path or "<stdin>"
    if len(data) > MAX_BYTES:
        return None, [_too_big(path, len(data))]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(path, 1, "UTF-16 text: save it as UTF-8")]
    nul = data.find(b"\0")
    if nul >= 0:
        return None, [Problem(path, _line_at(data, nul), "binary data (a NUL byte), not text")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex()
        return None, [
            Problem(path, _line_at(data, e.start), f"not UTF-8 (byte 0x{bad}): save it as UTF-8")
        ]
    return text.removeprefix("\ufeff"), []


# --- parsing ----------------------------------------------------------------------


def parse_markdown(
    text: str, path: str, defaults: ImportDefaults = ImportDefaults()
) -> ParseResult:
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


class _Parser:
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

    # --- front matter ---

    def front_matter(self, text: str) -> str | None:
        """The text with front matter lines blanked (so token lines stay true), or None."""
        end = text.find("\n")
        if (text if end < 0 else text[:end]).rstrip() != "---":
            return text
        pos, index = end + 1, 1  # where line number `index` (0-based) starts
        while end >= 0:  # else "---" is the only line: not closed
            if pos - end > MAX_FRONT_MATTER_BYTES:
                self.problem(1, f"front matter is longer than {MAX_FRONT_MATTER_BYTES:,} bytes")
                return None
            nxt = text.find("\n", pos)
            line = text[pos : nxt if nxt >= 0 else len(text)]
            if line.rstrip() in ("---", "..."):
                if not self.read_yaml(text[end + 1 : pos], 2):
                    return None
                return "\n" * (index + 1) + ("" if nxt < 0 else text[nxt + 1 :])
            if nxt < 0:
                break
            pos, index = nxt + 1, index + 1
        self.problem(1, "front matter is not closed: end it with a '---' line")
        return None

    def read_yaml(self, src: str, first: int) -> bool:
        """Set the file defaults from front matter starting on line `first`; False if bad."""
        try:
            depth = 0
            for ev in yaml.parse(src, Loader=yaml.BaseLoader):
                line = first + (ev.start_mark.line if ev.start_mark else 0)
                if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
                    self.problem(line, "front matter may not use YAML anchors (&) or aliases (*)")
                    return False
                if getattr(ev, "tag", None) is not None or getattr(ev, "tags", None):
                    self.problem(line, "front matter may not use YAML tags (!)")
                    return False
                if isinstance(ev, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_FRONT_MATTER_DEPTH:
                        self.problem(line, "front matter is nested too deeply")
                        return False
                elif isinstance(ev, yaml.CollectionEndEvent):
                    depth -= 1
            root = yaml.compose(src, Loader=yaml.BaseLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            what = getattr(e, "problem", None) or str(e)
            self.problem(first + (mark.line if mark else 0), f"bad front matter: {_collapse(what)}")
            return False
        if root is None:
            return True
        if not isinstance(root, yaml.MappingNode):
            self.problem(first, "front matter must be 'key: value' lines (pathway, tags, source)")
            return False
        ok, seen = True, set()
        for knode, vnode in root.value:
            line = first + vnode.start_mark.line
            key = knode.value.strip().lower() if isinstance(knode, yaml.ScalarNode) else None
            if key not in ("pathway", "tags", "tag", "source"):
                continue  # title, date, aliases… of Obsidian or Jekyll notes
            if key in seen:
                self.problem(line, f"'{key}' is given twice in front matter")
                ok = False
            seen.add(key)
            if key == "tags" or key == "tag":
                ok = self.read_tags(vnode, line) and ok
            elif not isinstance(vnode, yaml.ScalarNode):
                self.problem(line, f"front matter '{key}' must be a single value")
                ok = False
            elif key == "source":
                self.fm_source = _collapse(vnode.value) or None
            elif vnode.value.strip():
                self.fm_pathway = pathway_named(vnode.value)
                if self.fm_pathway is None:
                    self.problem(
                        line,
                        f"unknown pathway {_quote(vnode.value)} in front matter: "
                        f"use one of {_PATHWAY_LIST}",
                    )
                    ok = False
        return ok

    def read_tags(self, node: yaml.Node, line: int) -> bool:
        if isinstance(node, yaml.ScalarNode):
            raw: list[str] = node.value.split(",")
        elif isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.ScalarNode) for n in node.value
        ):
            raw = [n.value for n in node.value]
        else:
            self.problem(line, "front matter 'tags' must be a list or a comma-separated string")
            return False
        self.fm_tags = [t for t in map(_norm_tag, raw) if t]
        return True

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


def _strip_mark(mark: re.Pattern[str], text: str) -> str:
    m = mark.match(text)
    return text[m.end() :].strip() if m else text


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


def _scan_clozes(text: str) -> tuple[list[tuple[int, int, int, str]], int | None]:
    """Clozes as CLOZE_RE reads them, as (start, end, number, hidden words), by find() so it
    stays linear; also where the first unclosed `{{cN::` starts, if any."""
    spans: list[tuple[int, int, int, str]] = []
    i = 0
    while (start := text.find("{{c", i)) >= 0:
        j = k = start + 3
        while k < len(text) and k - j < 4 and text[k].isdecimal():
            k += 1
        if not 1 <= k - j <= 3 or not text.startswith("::", k):
            i = start + 1
            continue
        close = text.find("}}", k + 2)
        if close < 0:
            return spans, start
        spans.append((start, close + 2, int(text[j:k]), text[k + 2 : close].partition("::")[0]))
        i = close + 2
    return spans, None


def _find_split(text: str, spans: list[tuple[int, int, int, str]]) -> int | None:
    """Index of the first ` :: ` (or one at an end) outside a cloze; text is collapsed."""
    i, s = 0, 0
    while (p := text.find("::", i)) >= 0:
        while s < len(spans) and spans[s][1] <= p:
            s += 1
        if s < len(spans) and spans[s][0] <= p:
            i = spans[s][1]
            continue
        if (p == 0 or text[p - 1] == " ") and (p + 2 == len(text) or text[p + 2] == " "):
            return p
        i = p + 1
    return None


def _check_clozes(text: str, back: str | None) -> None:
    """Raise _Bad unless CLOZE_RE will read the final text as intended: a cloze pearl's
    clozes numbered from 1 and not empty, a question/answer pearl with none."""
    spans, unclosed = _scan_clozes(text)
    if back is not None:
        if spans or unclosed is not None or _scan_clozes(back) != ([], None):
            raise _Bad("a question/answer pearl cannot hold a cloze {{c1::…}}")
        return
    if unclosed is not None:
        raise _Bad(f"cloze {_quote(text[unclosed:], 20)} is not closed: end it with '}}}}'")
    for _, _, number, hidden in spans:
        if number == 0:
            raise _Bad("cloze numbers start at 1: use {{c1::…}}")
        if not hidden.strip():
            raise _Bad(f"empty cloze {{{{c{number}::}}}}: put the hidden words in it")
    if not spans:
        raise _Bad("a cloze pearl needs a cloze {{c1::…}}")


def _unhighlight(text: str) -> str:
    return _HIGHLIGHT.sub(r"\1", text) if "==" in text else text


def _pearl(text: str) -> tuple[str, str | None] | None:
    """(text, back) of a list item's text, None if it is no pearl; raises _Bad."""
    spans, unclosed = _scan_clozes(text)
    if unclosed is not None:
        raise _Bad(f"cloze {_quote(text[unclosed:], 20)} is not closed: end it with '}}}}'")
    split = _find_split(text, spans)
    if split is not None:
        if spans:
            raise _Bad("a pearl is either 'prompt :: answer' or a cloze, not both")
        prompt, answer = text[:split].strip(), text[split + 2 :].strip()
        if not prompt:
            raise _Bad("nothing before ' :: ': write the prompt there")
        if not answer:
            raise _Bad("nothing after ' :: ': write the answer there")
        return _unhighlight(prompt), _unhighlight(answer)
    if spans:
        return _unhighlight(text), None  # _check_clozes checks each one
    marks = list(_HIGHLIGHT.finditer(text))
    if not marks:
        return None
    if len(marks) > MAX_CLOZES:
        raise _Bad(f"more than {MAX_CLOZES} highlights in one pearl")
    if any("{{" in m.group(1) or "}}" in m.group(1) for m in marks):
        raise _Bad("a ==highlight== cannot hold '{{' or '}}'")
    numbers = iter(range(1, len(marks) + 1))
    return _HIGHLIGHT.sub(lambda m: f"{{{{c{next(numbers)}::{m.group(1)}}}}}", text), None
