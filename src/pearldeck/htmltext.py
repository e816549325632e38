"""HTML (Anki fields, notes) to pearl markup: the allowlist kept, every other tag dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pearldeck.markup import LINK_SCHEMES, MEDIA_PREFIX, escape

_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_KEPT_TAGS = {"u", "sub", "sup"}
_BREAKS = {"div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
_DROPPED = {"script", "style", "head", "title", "template", "noscript"}


class _Converter(HTMLParser):
    """One pass over the HTML; output is built in `out`, table cells in `row`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0
        self.lists: list[bool] = []  # True for an ordered list, innermost last
        self.counters: list[int] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.rows_done = 0
        self.link: str | None = None
        self.link_start = 0
        self.code = 0

    # where text goes: a table cell collects its own
    def _put(self, text: str) -> None:
        (self.cell if self.cell is not None else self.out).append(text)

    def _newline(self) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        text = "".join(self.out)
        if text and not text.endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _DROPPED:
            self.dropping += 1
        elif self.dropping:
            return
        elif tag in _INLINE:
            self._put(_INLINE[tag])
        elif tag in _KEPT_TAGS:
            self._put(f"<{tag}>")
        elif tag == "code":
            self.code += 1
            self._put("`")
        elif tag == "br":
            self._put(" ") if self.cell is not None else self.out.append("\n")
        elif tag in _BREAKS:
            self._newline()
        elif tag in ("ul", "ol"):
            self._newline()
            self.lists.append(tag == "ol")
            self.counters.append(0)
        elif tag == "li":
            self._newline()
            depth = min(len(self.lists) - 1, 1) if self.lists else 0
            ordered = bool(self.lists) and self.lists[-1]
            if self.counters:
                self.counters[-1] += 1
            marker = f"{self.counters[-1] if self.counters else 1}." if ordered else "-"
            self.out.append("  " * depth + marker + " ")
        elif tag == "tr":
            self._newline()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "a":
            href = (a.get("href") or "").strip()
            if href.startswith(LINK_SCHEMES):
                self.link = href
                self._put("[")
        elif tag == "img":
            src = (a.get("src") or "").strip()
            alt = escape(a.get("alt") or "")
            if src and "/" not in src and "\\" not in src and not src.startswith("."):
                self._put(f"![{alt}]({MEDIA_PREFIX}{src})")
            elif alt:
                self._put(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif self.dropping:
            return
        elif tag in _INLINE:
            self._put(_INLINE[tag])
        elif tag in _KEPT_TAGS:
            self._put(f"</{tag}>")
        elif tag == "code":
            self.code = max(0, self.code - 1)
            self._put("`")
        elif tag in _BREAKS:
            self._newline()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.counters.pop()
            self._newline()
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.out.append("| " + " | ".join(self.row) + " |\n")
            if self.rows_done == 0:
                self.out.append("|" + "---|" * max(1, len(self.row)) + "\n")
            self.rows_done += 1
            self.row = None
        elif tag == "table":
            self.rows_done = 0
        elif tag == "a" and self.link is not None:
            self._put(f"]({self.link})")
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        text = re.sub(r"\s+", " ", data)
        self._put(text if self.code else escape(text))


def from_html(html: str) -> str:
    """Any HTML to pearl markup: formatting in the allowlist kept, the rest as text."""
    conv = _Converter()
    conv.feed(html)
    conv.close()
    lines = [line.rstrip() for line in "".join(conv.out).split("\n")]
    # a space left at a line's start by HTML's whitespace rules is not an indent
    lines = [ln if re.match(r"^ *(?:[-*+]|\d+\.) ", ln) else ln.lstrip() for ln in lines]
    text = "\n".join(lines)
    text = text.replace("****", "")  # a bold tag around nothing
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
