"""markdown-it's block tokens for notes made only of plain lines, without running it.

Most notes are headings, paragraphs and one-line `- front :: back` items. For those the
block structure is plain from each line's first characters, and building the tokens here
is several times faster than markdown-it's rule chain. Any line that could start another
construct (indentation, quotes, fences, HTML, tables, ordered lists, lazy continuations,
setext underlines, link definitions) returns None, and the caller runs markdown-it. Every
attribute the walk reads is the same as markdown-it's: tests/test_plainscan.py checks
that on generated notes and on every fixture vault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A heading: 1-6 `#`, one space, text that does not start with `#` or a space.
_HEADING = re.compile(r"(#{1,6}) ([^#\s].*)")
# A line markdown-it would open an ordered list with (and end a paragraph at).
_ORDERED = re.compile(r"\d{1,9}[.)](?:[ \t]|$)")
# Only `*`, `_`, `-` and blanks: a thematic break, or too close to one to guess.
_RULE_LIKE = re.compile(r"[*_\- \t]*")


@dataclass(slots=True)
class PlainToken:
    """One block token, with the attributes the walk reads from markdown-it's `Token`."""

    type: str
    tag: str
    nesting: int
    level: int
    map: list[int] | None
    content: str = ""
    hidden: bool = False

    def attrGet(self, name: str) -> None:
        """No plain block has attributes (markdown-it's ordered-list `start` is never one)."""
        return None


def _starts_plain(text: str) -> bool:
    """Text at the start of a line or an item that can only be a paragraph's."""
    c = text[0]
    if c.isalnum():
        return not (c.isdigit() and _ORDERED.match(text))
    nxt = text[1:2]
    if c == "#":  # an Obsidian `#tag`, never a heading (that needs a space)
        return nxt not in ("", " ", "\t", "#")
    if c in "*_":  # emphasis, never a list marker or a thematic break
        return nxt not in ("", " ", "\t") and not _RULE_LIKE.fullmatch(text)
    if c == "`":  # code, never a fence
        return nxt != "`"
    return False


def _trimmed(text: str) -> str | None:
    """The text as markdown-it trims a block's end; None if a character at the end is
    whitespace to one of Python and JavaScript but not the other."""
    out = text.rstrip(" \t")
    if out and (out[-1].isspace() or out[-1] in "\ufeff\u180e"):
        return None
    return out


def _item(line: str) -> str | None:
    """The content of a one-line `- ` item, or None if the line is not one."""
    if not line.startswith("- ") or len(line) < 3 or not _starts_plain(line[2:]):
        return None
    return _trimmed(line[2:])


def _heading(line: str) -> tuple[int, str] | None:
    m = _HEADING.fullmatch(line)
    if m is None:
        return None
    text = _trimmed(m.group(2))
    if text is None or text.endswith("#"):  # a closing `#` sequence: markdown-it decides
        return None
    return len(m.group(1)), text


def plain_tokens(body: str, max_tokens: int) -> list[PlainToken] | None:
    """markdown-it's block tokens of `body`, or None if a line is not plain enough to tell
    (or there would be `max_tokens` or more, which markdown-it's budget refuses)."""
    if "|" in body:  # tables are for markdown-it's GFM rule
        return None
    lines = body.split("\n")
    if lines[-1] == "":  # a final newline ends the last line; it starts none
        lines.pop()
    n = len(lines)
    out: list[PlainToken] = []
    i = 0
    while i < n:
        line = lines[i]
        if not line:
            i += 1
            continue
        if line[0] == "#" and (h := _heading(line)) is not None:
            level, text = h
            tag = f"h{level}"
            out.append(PlainToken("heading_open", tag, 1, 0, [i, i + 1]))
            out.append(PlainToken("inline", "", 0, 1, [i, i + 1], text))
            out.append(PlainToken("heading_close", tag, -1, 0, None))
            i += 1
        elif line[0] == "-":
            i = _list(lines, i, out)
            if i < 0:
                return None
        elif _starts_plain(line):
            i = _paragraph(lines, i, out)
            if i < 0:
                return None
        else:
            return None
        if len(out) >= max_tokens:
            return None
    return out


def _paragraph(lines: list[str], start: int, out: list[PlainToken]) -> int:
    """Tokens of the paragraph from `start`; the line after it, or -1 if not plain."""
    n = len(lines)
    i = start + 1
    while i < n:  # a blank line, a heading or a `- ` item ends it; so does nothing else
        line = lines[i]
        if not line or (line[0] == "#" and _heading(line)) or _item(line) is not None:
            break
        if not _starts_plain(line):
            return -1
        i += 1
    text = _trimmed("\n".join(lines[start:i]))
    if text is None:
        return -1
    out.append(PlainToken("paragraph_open", "p", 1, 0, [start, i]))
    out.append(PlainToken("inline", "", 0, 1, [start, i], text))
    out.append(PlainToken("paragraph_close", "p", -1, 0, None))
    return i


def _list(lines: list[str], start: int, out: list[PlainToken]) -> int:
    """Tokens of the `- ` list from `start`; the line after it, or -1 if not plain."""
    n = len(lines)
    opened = PlainToken("bullet_list_open", "ul", 1, 0, [start, start])
    out.append(opened)
    paragraphs: list[PlainToken] = []
    loose = False
    i = start
    while True:
        text = _item(lines[i])
        if text is None:
            return -1
        nxt = i + 1
        if nxt < n and lines[nxt] and not (lines[nxt][0] in "#-" and _ends_item(lines[nxt])):
            return -1  # a lazy continuation line, or something only markdown-it can tell
        while nxt < n and not lines[nxt]:  # blank lines belong to the item above
            nxt += 1
        more = nxt < n and lines[nxt].startswith("- ")
        loose = loose or (more and nxt > i + 1)
        item = PlainToken("list_item_open", "li", 1, 1, [i, nxt])
        para = PlainToken("paragraph_open", "p", 1, 2, [i, i + 1])
        close = PlainToken("paragraph_close", "p", -1, 2, None)
        out += (item, para, PlainToken("inline", "", 0, 3, [i, i + 1], text), close)
        out.append(PlainToken("list_item_close", "li", -1, 1, None))
        paragraphs += (para, close)
        i = nxt
        if not more:
            break
    for p in paragraphs:  # a tight list's paragraphs are hidden, as markdown-it marks them
        p.hidden = not loose
    opened.map = [start, i]
    out.append(PlainToken("bullet_list_close", "ul", -1, 0, None))
    return i


def _ends_item(line: str) -> bool:
    """A line right after an item that ends it: a heading or the next `- ` item."""
    return _heading(line) is not None if line[0] == "#" else line.startswith("- ")
