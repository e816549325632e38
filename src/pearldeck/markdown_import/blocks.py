"""Whole answers: a run of markdown blocks (paragraphs, lists, tables, code) to markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pearldeck.markdown_import.text import Converter, Found, escape


class BlockToken(Protocol):
    """What the walk reads of a block token: markdown-it's `Token`, or a `PlainToken`."""

    @property
    def type(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def nesting(self) -> int: ...
    @property
    def level(self) -> int: ...
    @property
    def map(self) -> list[int] | None: ...
    @property
    def content(self) -> str: ...
    def attrGet(self, name: str) -> str | int | float | None: ...


_CHECKBOX = ("[ ] ", "[x] ", "[X] ")


def block_end(tokens: Sequence[BlockToken], i: int) -> int:
    """Index just after the block that starts at `i` (its closing token, or itself)."""
    if tokens[i].nesting != 1:
        return i + 1
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j + 1
    return len(tokens)


def to_markup(
    tokens: Sequence[BlockToken], lo: int, hi: int, conv: Converter, found: Found, indent: int = 0
) -> list[str]:
    """The markup lines of the blocks in tokens[lo:hi]."""
    out: list[str] = []
    i = lo
    while i < hi:
        tok = tokens[i]
        end = block_end(tokens, i)
        kind = tok.type
        if kind == "paragraph_open":
            text = conv.convert(tokens[i + 1].content, found)
            if text:
                out.append(" " * indent + text if indent else text)
        elif kind == "heading_open":
            text = conv.convert(tokens[i + 1].content, found)
            if text:
                out.append(f"**{text}**")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            out.extend(_list(tokens, i, end, conv, found, indent))
        elif kind == "table_open":
            out.extend(_table(tokens, i, end, conv, found))
        elif kind == "blockquote_open":
            out.extend(to_markup(tokens, i + 1, end - 1, conv, found, indent))
        elif kind in ("fence", "code_block"):
            out.extend(
                f"`{line}`" if "`" not in line else escape(line)
                for line in tok.content.splitlines()
                if line.strip()
            )
        elif kind == "html_block":
            if tok.content.lstrip().startswith("<!--"):
                conv.html(tok.content.strip(), found, False)  # an SR comment, or nothing
            elif "<img" in tok.content.lower():  # its pictures are copied from the vault
                text = conv.convert(tok.content, found)
                out.extend([text] if text else [])
            else:  # Anki's HTML: <div>, <b>, lists, tables
                from pearldeck.markup import from_html

                out.extend(line for line in from_html(tok.content).split("\n") if line.strip())
        i = end
    return out


def _list(
    tokens: Sequence[BlockToken], lo: int, hi: int, conv: Converter, found: Found, indent: int
) -> list[str]:
    ordered = tokens[lo].type == "ordered_list_open"
    start = int(tokens[lo].attrGet("start") or 1) if ordered else 1
    out: list[str] = []
    i, n = lo + 1, 0
    while i < hi - 1:
        end = block_end(tokens, i)
        if tokens[i].type == "list_item_open":
            marker = f"{start + n}. " if ordered else "- "
            n += 1
            inner = to_markup(tokens, i + 1, end - 1, conv, found, indent + 2)
            first = inner[0].lstrip(" ") if inner else ""
            if first.startswith(_CHECKBOX):
                first = first[4:]  # Obsidian's `- [ ]` task marker
            out.append(" " * indent + marker + first)
            out.extend(inner[1:])
        i = end
    return out


def _table(
    tokens: Sequence[BlockToken], lo: int, hi: int, conv: Converter, found: Found
) -> list[str]:
    rows: list[list[str]] = []
    header = 0
    for j in range(lo, hi):
        tok = tokens[j]
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type == "inline" and rows:
            rows[-1].append(conv.convert(tok.content, found).replace("\n", " ").replace("|", "/"))
        elif tok.type == "thead_close":
            header = len(rows)
    out = ["| " + " | ".join(cells) + " |" for cells in rows]
    if header and rows:
        out.insert(header, "|" + "---|" * len(rows[0]))
    return out
