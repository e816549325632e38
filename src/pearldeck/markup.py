"""Pearl markup: the small formatting allowlist a pearl's text may carry, parsed and rendered.

A pearl is plain text in which a markdown subset is formatting: `**bold**`, `*italic*`,
`<u>`/`<sub>`/`<sup>`, `` `code` ``, line breaks, `- ` and `1. ` lists, pipe tables,
`[text](https://…)` links and `![alt](media/file.png)` images. Everything else is text,
so nothing a student pastes can run as HTML anywhere it is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as _html_escape

STYLES = ("b", "i", "u", "sub", "sup", "code", "link", "img")
LINK_SCHEMES = ("http://", "https://", "mailto:")
MEDIA_PREFIX = "media/"
_ESCAPABLE = "\\*`[]!<_|-#.)+"
_TAGS = ("u", "sub", "sup")
_BULLET_RE = re.compile(r"^( {0,8})([-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LINK_RE = re.compile(r"\[((?:\\.|[^\\\]\n]){0,1000})\]\(([^()\s]{1,2000})\)")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one combination of styles."""

    text: str
    styles: frozenset[str] = frozenset()
    """Among STYLES; `img` is an image inside a line (text: its alt, href: its src)."""
    href: str | None = None
    """The target of a link, or the `media/...` path of an image."""


@dataclass(frozen=True, slots=True)
class Para:
    """Lines of inline text; each inner list is one line."""

    lines: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bullet or numbered list; each item's depth is 0 or 1."""

    ordered: bool
    items: tuple[tuple[int, tuple[Span, ...]], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A pipe table; the first row is the header."""

    rows: tuple[tuple[tuple[Span, ...], ...], ...]


@dataclass(frozen=True, slots=True)
class Image:
    """An image from the collection's media folder, alone on its line."""

    src: str
    """`media/<name>`."""
    alt: str = ""


Block = Para | ListBlock | Table | Image


# ---------------------------------------------------------------- inline parsing


@dataclass
class _Inline:
    """A small scanner: delimiters open and close styles; an unclosed one is text."""

    text: str
    spans: list[Span] = field(default_factory=list)

    def run(self) -> tuple[Span, ...]:
        self._scan(self.text, frozenset())
        return tuple(_merge(self.spans))

    def _emit(self, text: str, styles: frozenset[str], href: str | None = None) -> None:
        if text:
            self.spans.append(Span(text, styles, href))

    def _scan(self, s: str, styles: frozenset[str]) -> None:
        buf: list[str] = []
        i, n = 0, len(s)

        def flush() -> None:
            self._emit("".join(buf), styles)
            buf.clear()

        while i < n:
            c = s[i]
            if c == "\\" and i + 1 < n and s[i + 1] in _ESCAPABLE:
                buf.append(s[i + 1])
                i += 2
                continue
            if c == "`":
                end = s.find("`", i + 1)
                if end > i + 1:
                    flush()
                    self._emit(s[i + 1 : end], styles | {"code"})
                    i = end + 1
                    continue
            if c == "*":
                double = s.startswith("**", i)
                mark = "**" if double else "*"
                end = _closing(s, i + len(mark), mark)
                if end >= 0:
                    flush()
                    self._scan(s[i + len(mark) : end], styles | {"b" if double else "i"})
                    i = end + len(mark)
                    continue
            if c == "<":
                tag = _open_tag(s, i)
                if tag:
                    close = f"</{tag}>"
                    end = s.find(close, i + len(tag) + 2)
                    if end >= 0:
                        flush()
                        self._scan(s[i + len(tag) + 2 : end], styles | {tag})
                        i = end + len(close)
                        continue
            if c == "[" and not s.startswith("[[", i):
                m = _LINK_RE.match(s, i)
                if m and m.group(2).startswith(LINK_SCHEMES):
                    flush()
                    for span in _Inline(m.group(1)).run():
                        self._emit(span.text, styles | span.styles | {"link"}, m.group(2))
                    i = m.end()
                    continue
            buf.append(c)
            i += 1
        flush()


def _open_tag(s: str, i: int) -> str | None:
    for tag in _TAGS:
        if s.startswith(f"<{tag}>", i):
            return tag
    return None


def _closing(s: str, start: int, mark: str) -> int:
    """Where `mark` closes an emphasis opened before `start`, or -1 (emphasis must hug text)."""
    if start >= len(s) or s[start].isspace():
        return -1
    j = start
    while True:
        j = s.find(mark, j)
        if j < 0:
            return -1
        if mark == "*" and s.startswith("**", j):
            # a `**` inside `*…*` belongs to a nested bold; skip its pair
            k = _closing(s, j + 2, "**")
            if k < 0:
                return -1
            j = k + 2
            continue
        if j > start and not s[j - 1].isspace() and s[j - 1] != "\\":
            # `***` closes an inner `*` first, then the bold: `**a *b***`
            return j + 1 if mark == "**" and s.startswith("***", j) else j
        j += len(mark)


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for sp in spans:
        if out and out[-1].styles == sp.styles and out[-1].href == sp.href:
            out[-1] = Span(out[-1].text + sp.text, sp.styles, sp.href)
        else:
            out.append(sp)
    return out


def inline(text: str) -> tuple[Span, ...]:
    """The spans of one line of pearl markup (no block structure)."""
    return _Inline(text).run()


# ---------------------------------------------------------------- blocks

_IMAGE_LINE_RE = re.compile(r"^\s*!\[((?:\\.|[^\\\]\n]){0,500})\]\(([^()\s]{1,500})\)\s*$")
_IMAGE_RE = re.compile(r"(?<!\\)!\[((?:\\.|[^\\\]\n]){0,500})\]\(([^()\s]{1,500})\)")


def _is_media(src: str) -> bool:
    return src.startswith(MEDIA_PREFIX) and ".." not in src.split("/") and len(src) > 6


def _row(line: str) -> tuple[tuple[Span, ...], ...]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return tuple(inline(c.strip()) for c in cells)


def blocks(text: str) -> list[Block]:
    """The block structure of pearl markup, for renderers."""
    lines = text.split("\n")
    out: list[Block] = []
    para: list[tuple[Span, ...]] = []

    def end_para() -> None:
        if para:
            out.append(Para(tuple(para)))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        img = _IMAGE_LINE_RE.match(line)
        if img and _is_media(img.group(2)):
            end_para()
            out.append(Image(img.group(2), _unescape(img.group(1))))
            i += 1
            continue
        if (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and _TABLE_SEP_RE.match(lines[i + 1].strip())
        ):
            end_para()
            rows = [_row(line)]
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_row(lines[i]))
                i += 1
            out.append(Table(tuple(rows)))
            continue
        m = _BULLET_RE.match(line)
        if m:
            end_para()
            ordered = m.group(2)[0].isdigit()
            items: list[tuple[int, tuple[Span, ...]]] = []
            while i < len(lines):
                m = _BULLET_RE.match(lines[i])
                if not m or (m.group(2)[0].isdigit() != ordered and not m.group(1)):
                    break
                depth = 1 if len(m.group(1)) >= 2 else 0
                items.append((depth, inline(m.group(3))))
                i += 1
            out.append(ListBlock(ordered, tuple(items)))
            continue
        para.append(_inline_with_images(line))
        i += 1
    end_para()
    return out


def _inline_with_images(line: str) -> tuple[Span, ...]:
    """Inline spans; an image inside a line of text is a span styled `img` (href: its src)."""
    if "![" not in line:
        return inline(line)
    spans: list[Span] = []
    pos = 0
    for m in _IMAGE_RE.finditer(line):
        if not _is_media(m.group(2)):
            continue
        spans.extend(inline(line[pos : m.start()]))
        spans.append(Span(_unescape(m.group(1)), frozenset({"img"}), m.group(2)))
        pos = m.end()
    spans.extend(inline(line[pos:]))
    return tuple(spans)


# ---------------------------------------------------------------- renderers


_HTML_TAG = {"b": "b", "i": "i", "u": "u", "sub": "sub", "sup": "sup", "code": "code"}


def _spans_html(spans: tuple[Span, ...]) -> str:
    parts: list[str] = []
    for sp in spans:
        if "img" in sp.styles and sp.href:
            parts.append(_img_html(sp.href, sp.text))
            continue
        s = _html_escape(sp.text, quote=False)
        for style in ("code", "sup", "sub", "u", "i", "b"):
            if style in sp.styles:
                tag = _HTML_TAG[style]
                s = f"<{tag}>{s}</{tag}>"
        if sp.href:
            s = f'<a href="{_html_escape(sp.href)}">{s}</a>'
        parts.append(s)
    return "".join(parts)


def media_name(src: str) -> str:
    """The file name an image has in Anki's flat media folder."""
    return src[len(MEDIA_PREFIX) :] if src.startswith(MEDIA_PREFIX) else src


def to_html(text: str) -> str:
    """Safe HTML for Anki: the allowlist as tags, everything else escaped."""
    out: list[str] = []
    for b in blocks(text):
        if isinstance(b, Para):
            out.append("<br>".join(_spans_html(line) for line in b.lines))
        elif isinstance(b, Image):
            out.append(_img_html(b.src, b.alt))
        elif isinstance(b, ListBlock):
            out.append(_list_html(b))
        else:
            out.append(_table_html(b))
    return "<br>".join(out)


def _img_html(src: str, alt: str) -> str:
    return f'<img src="{_html_escape(media_name(src))}" alt="{_html_escape(alt)}">'


def _list_html(b: ListBlock) -> str:
    tag = "ol" if b.ordered else "ul"
    parts = [f"<{tag}>"]
    depth = 0
    for d, spans in b.items:
        while depth < d:
            parts.append(f"<{tag}>")
            depth += 1
        while depth > d:
            parts.append(f"</{tag}>")
            depth -= 1
        parts.append(f"<li>{_spans_html(spans)}</li>")
    parts.extend(f"</{tag}>" for _ in range(depth + 1))
    return "".join(parts)


def _table_html(b: Table) -> str:
    rows = []
    for n, row in enumerate(b.rows):
        cell = "th" if n == 0 else "td"
        rows.append("<tr>" + "".join(f"<{cell}>{_spans_html(c)}</{cell}>" for c in row) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def from_html(html: str) -> str:
    """Any HTML (an Anki field) to pearl markup: the allowlist kept, the rest as text."""
    from pearldeck.htmltext import from_html as convert

    return convert(html)


def to_plain(text: str) -> str:
    """The text with formatting removed: for search, one-line lists, de-duplication."""
    out: list[str] = []
    for b in blocks(text):
        if isinstance(b, Para):
            out.extend("".join(s.text for s in line) for line in b.lines)
        elif isinstance(b, Image):
            if b.alt:
                out.append(b.alt)
        elif isinstance(b, ListBlock):
            out.extend("".join(s.text for s in spans) for _, spans in b.items)
        else:
            out.extend(" | ".join("".join(s.text for s in c) for c in row) for row in b.rows)
    return "\n".join(out)


def image_refs(text: str) -> list[str]:
    """Every `media/...` path an image in `text` names, in order, without repeats."""
    return list(
        dict.fromkeys(m.group(2) for m in _IMAGE_RE.finditer(text) if _is_media(m.group(2)))
    )


def escape(text: str) -> str:
    """Plain text made safe to embed as markup: what could start formatting is escaped."""
    text = re.sub(r"([\\*`\[])", r"\\\1", text)
    text = re.sub(r"<(?=/?(?:u|sub|sup)>)", r"\\<", text)
    # a line that would open a list or a table
    text = re.sub(r"(?m)^(\s*)([-+|])", r"\1\\\2", text)
    return re.sub(r"(?m)^(\s*\d{1,9})([.)]\s)", r"\1\\\2", text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
