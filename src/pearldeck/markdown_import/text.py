"""Text conversion: one block's inline markdown to pearl markup (or plain text), tags out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pearldeck.markdown_import.common import (
    _CONTROL,
    _HIDE,
    _INLINE_ACTIVE,
    _INLINE_TAG,
    Schedule,
    _Bad,
    _markdown_it,
    _norm_tag,
    parse_schedule,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

BREAK = "\ue004"
"""An intended line break (`<br>`, a hard break, a line of a multi-line card): kept
through whitespace collapsing, then made a newline."""
# One text token at a time, never a document: `[[target|alias]]`, `![[embed]]`.
_WIKI = re.compile(r"(!?)\[\[([^\[\]\n|]{1,300})(?:\|([^\[\]\n]{0,300}))?\]\]")
_MARKUP_SPECIALS = re.compile(r"[\\*`\[<]|^\s*(?:[-+|]|\d{1,9}[.)]\s)", re.M)
_HTML_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_HTML_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SIMPLE_TAGS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_KEPT_TAGS = frozenset({"u", "sub", "sup"})
_LINK_SCHEMES = ("http://", "https://", "mailto:")


def collapse(text: str) -> str:
    """One line of text: controls to spaces, runs of space to one; intended breaks kept."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if BREAK not in text:
        return " ".join(text.split())
    lines = (" ".join(part.split()) for part in text.split(BREAK))
    return "\n".join(line for line in lines).strip("\n ")


def escape(text: str) -> str:
    """Plain text made safe as markup: pearldeck.markup's escape, run only when needed."""
    if not _MARKUP_SPECIALS.search(text):
        return text
    from pearldeck.markup import escape as markup_escape

    return markup_escape(text)


@dataclass
class Found:
    """What converting one block found besides its text."""

    tags: list[str] = field(default_factory=list)
    schedules: list[Schedule | None] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Images named but not found."""


@dataclass
class Converter:
    """Inline markdown to markup for one note (its path resolves images)."""

    path: str
    env: dict[str, Any]
    media: Callable[[str, str], str | None] | None = None
    bold_cloze: bool = False

    def plain(self, source: str, found: Found) -> str:
        """One line of plain text (headings, context)."""
        return self.convert(source, found, plain=True)

    def convert(
        self, source: str, found: Found, *, plain: bool = False, breaks: bool = False
    ) -> str:
        """Markdown source of one block to markup; `#tags` go to `found.tags`.

        `breaks`: a newline in the source is a line break (multi-line cards, answers)."""
        out: list[str] = []
        if not _INLINE_ACTIVE.search(source) and "[[" not in source:  # most pearls
            text(source, True, out, found.tags)
            joined = "".join(out)
            return collapse(joined.replace("\n", BREAK) if breaks else joined)
        children: list[Token] = []
        inline_md = _markdown_it()[1 if "]" in source else 2]
        try:
            inline_md.inline.parse(source, inline_md, self.env, children)
        except RecursionError:
            raise _Bad("markup nested too deeply to read") from None
        at_space = True
        stack = [iter(children)]
        links: list[str | None] = []
        while stack:
            tok = next(stack[-1], None)
            if tok is None:
                stack.pop()
                continue
            kind = tok.type
            piece = ""
            if kind == "text":
                content = tok.content
                if "[[" in content:
                    content = self.wikilinks(content, found, plain)
                elif not plain:
                    content = escape(content)
                at_space = text(content, at_space, out, found.tags)
                continue
            if kind == "image":
                piece = self.image(tok.attrGet("src"), tok.children or (), found, plain)
            elif kind == "code_inline":
                code = tok.content.translate(_HIDE)  # never a tag, a split or a cloze
                piece = code if plain or "`" in code else f"`{code}`"
            elif kind == "text_special":
                piece = tok.content.translate(_HIDE)  # `\#` is no tag, `\::` no split
                piece = piece if plain else escape(piece)
            elif kind == "softbreak":
                piece = BREAK if breaks else " "
            elif kind == "hardbreak":
                piece = " " if plain else BREAK
            elif kind in ("strong_open", "strong_close"):
                piece = "" if plain else ("==" if self.bold_cloze else "**")
            elif kind in ("em_open", "em_close"):
                piece = "" if plain else "*"
            elif kind == "link_open":
                href = str(tok.attrGet("href") or "")
                ok = not plain and href.lower().startswith(_LINK_SCHEMES)
                links.append(href if ok else None)
                piece = "[" if ok else ""
            elif kind == "link_close":
                href_or_none = links.pop() if links else None
                piece = "" if href_or_none is None else f"]({_url(href_or_none)})"
            elif kind == "html_inline":
                piece = self.html(tok.content, found, plain)
            elif kind == "s_open" or kind == "s_close":
                piece = ""
            if piece:
                out.append(piece)
                at_space = piece[-1].isspace() or piece[-1] == BREAK
        return collapse("".join(out))

    def wikilinks(self, content: str, found: Found, plain: bool) -> str:
        """`[[note|alias]]` to its text, `![[image.png]]` to an image; the rest escaped."""
        parts: list[str] = []
        pos = 0
        for m in _WIKI.finditer(content):
            before = content[pos : m.start()]
            parts.append(before if plain else escape(before))
            target, alias = m.group(2).strip(), m.group(3)
            if m.group(1):
                parts.append(self.image_ref(target.partition("#")[0], alias or "", found, plain))
            else:
                shown = alias.strip() if alias and alias.strip() else target.partition("#")[0]
                parts.append(shown if plain else escape(shown))
            pos = m.end()
        rest = content[pos:]
        parts.append(rest if plain else escape(rest))
        return "".join(parts)

    def image(self, src: object, alt_tokens: Any, found: Found, plain: bool) -> str:
        alt = "".join(t.content for t in alt_tokens if t.type in ("text", "code_inline"))
        return self.image_ref(str(src or ""), alt, found, plain)

    def image_ref(self, target: str, alt: str, found: Found, plain: bool) -> str:
        alt = " ".join(alt.replace("]", " ").split())
        if plain or not target:
            return alt
        if target.lower().startswith(("http://", "https://", "data:")):
            return escape(alt)  # pictures on the web are not copied
        ref = None if self.media is None else self.media(self.path, target)
        if ref is None:  # its alt text, else its name: the card says what is missing
            if self.media is not None:
                found.missing.append(target)
            return escape(alt or " ".join(target.rpartition("/")[2][:100].split()))
        return f"![{escape(alt)}]({ref})"

    def html(self, content: str, found: Found, plain: bool) -> str:
        """One inline HTML tag (Anki's `<b>`, `<br>`, `<img>`) to markup; others dropped."""
        if content.startswith("<!--"):
            if content.startswith("<!--SR:"):
                found.schedules.extend(parse_schedule(content))
            return ""
        m = _HTML_TAG.fullmatch(content.strip())
        if m is None:
            return content if plain else escape(content)
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if name == "br":
            return " " if plain else BREAK
        if plain:
            return ""
        if name in _SIMPLE_TAGS:
            return _SIMPLE_TAGS[name]
        if name in _KEPT_TAGS:
            return f"<{closing}{name}>"
        if name == "img" and not closing:
            src = _HTML_SRC.search(attrs)
            alt = _HTML_ALT.search(attrs)
            if src is None:
                return ""
            return self.image_ref(
                next(g for g in src.groups() if g is not None),
                next((g for g in alt.groups() if g is not None), "") if alt else "",
                found,
                plain,
            )
        return ""


def _url(href: str) -> str:
    return href.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


def text(source: str, at_space: bool, out: list[str], tags: list[str]) -> bool:
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
