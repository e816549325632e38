"""A pearl as an Anki note's fields, card ordinals and tags: escaped, its markup rendered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from pearldeck import markup
from pearldeck.model import CLOZE_RE


class Exportable(Protocol):
    """What a note is made of: a `Pearl`, or the lighter row the index reads for export."""

    @property
    def id(self) -> str: ...
    @property
    def pathway(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def back(self) -> str | None: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def source(self) -> str | None: ...
    @property
    def added(self) -> str | None: ...
    @property
    def notes(self) -> str | None: ...


# \x1f separates Anki's fields, and no control character is text.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CONTROL_BUT_SEPARATOR = re.compile(r"[\x00-\x08\x0b-\x1e\x7f]")
# Escaping turns each brace into its own entity and adds no ':', so this finds in escaped
# text exactly the deletions CLOZE_RE finds in the raw text.
_ESCAPED_CLOZE = re.compile(
    CLOZE_RE.pattern.replace(r"\{", re.escape("&#123;")).replace(r"\}", re.escape("&#125;")),
    CLOZE_RE.flags,
)
_OPEN, _CLOSE = "&#123;&#123;c", "&#125;&#125;"
# The deletions _ESCAPED_CLOZE finds, found faster: one ends at the first `}}` after its
# `::` with or without a hint, so the hint's group can go (and `.*?` then scans quickly).
_ESCAPED_DELETION = re.compile(r"&\#123;&\#123;c(\d{1,3})::.*?&\#125;&\#125;", re.DOTALL)
_PLAIN_NUMBERS = frozenset(str(n) for n in range(1000))


def note_content(pearl: Exportable) -> tuple[bool, str, tuple[int, ...]]:
    """Whether a pearl is a cloze note, its escaped fields joined by \\x1f, and its card
    ordinals."""
    back = pearl.back
    raw: tuple[str, ...]
    if back is None:
        raw = (pearl.text, pearl.source or "", pearl.added or "", pearl.id, pearl.notes or "")
    else:
        raw = (pearl.text, back, pearl.source or "", pearl.added or "", pearl.id, pearl.notes or "")
    # One escape of all fields at once is the fast path; control characters are rare.
    joined = "\x1f".join(raw)
    if joined.count("\x1f") >= len(raw) or _CONTROL_BUT_SEPARATOR.search(joined):
        joined = "\x1f".join(CONTROL.sub("", f) for f in raw)
    if _may_be_markup(pearl.text) or (back is not None and _may_be_markup(back)):
        shown = 1 if back is None else 2  # text (and back) are markup; the rest is data
        parts = joined.split("\x1f")
        fields = "\x1f".join([*map(render, parts[:shown]), escape("\x1f".join(parts[shown:]))])
    else:
        fields = escape(joined)
    if back is not None:
        return False, _with_context(pearl, fields), (0,)
    fields, ords = _cloze_fields(fields)
    return True, _with_context(pearl, fields), ords


def _with_context(pearl: Exportable, fields: str) -> str:
    """The heading path a pearl was imported under, a small header above its front."""
    context = getattr(pearl, "context", None)
    if not context:
        return fields
    header = escape(CONTROL.sub("", context))
    return f'<div class="context"><small>{header}</small></div>' + fields


def _cloze_fields(fields: str) -> tuple[str, tuple[int, ...]]:
    """Anki's markup put back around the deletions of the text (the first field), and the
    card ordinals. Usually every escaped `{{c` and `}}` is a deletion's and in the text,
    and each number is as int() writes it: then unescaping them all is the markup."""
    numbers = _ESCAPED_DELETION.findall(fields)
    if (
        len(numbers) == fields.count(_OPEN) == fields.count(_CLOSE)
        and fields.find("&#12", fields.find("\x1f")) < 0  # no brace in another field
        and _PLAIN_NUMBERS.issuperset(numbers)
    ):
        return fields.replace(_OPEN, "{{c").replace(_CLOSE, "}}"), _plain_ords(tuple(numbers))
    text, sep, rest = fields.partition("\x1f")
    found: set[int] = set()
    text = _ESCAPED_CLOZE.sub(lambda m: _cloze_markup(m, found), text)
    return text + sep + rest, _card_ords(found)


def _card_ords(numbers: Iterable[int]) -> tuple[int, ...]:
    # Anki makes no card for c0, and card 1 for a cloze note without clozes.
    return tuple(sorted({n - 1 for n in numbers if n > 0})) or (0,)


@lru_cache(maxsize=1024)  # a few hundred combinations at most: c1, c1 c2, …
def _plain_ords(numbers: tuple[str, ...]) -> tuple[int, ...]:
    return _card_ords(map(int, numbers))


_LIST_START = re.compile(r" {0,8}(?:[-+]|\d{1,9}[.)])[ \t]")
_LIST_CHARS = " -+0123456789"


def _may_be_markup(text: str) -> bool:
    """Whether `text` may hold pearl markup (see markup.py); if not, its escape is its HTML.
    Formatting needs one of these signs, or a list's start; `in` tests cost a tenth of a
    regex search, which took a third of the export's time."""
    return (
        "*" in text
        or "`" in text
        or "<" in text
        or "[" in text
        or "\\" in text
        or "|" in text
        or "\n" in text
        or (text[:1] in _LIST_CHARS and _LIST_START.match(text) is not None)
    )


def render(text: str) -> str:
    """A pearl's text or back as Anki HTML: its markup as the allowlisted tags, all else
    escaped, and (as _escape does) no brace or bracket that Anki could read as its own."""
    if not _may_be_markup(text):
        return escape(text)
    html = markup.to_html(text)
    return html.replace("{", "&#123;").replace("}", "&#125;").replace("[", "&#91;")


def escape(text: str) -> str:
    """Make text show in Anki as typed: no tag, attribute, script or cloze can come of it,
    nor Anki's bracket markup (`[sound:…]` plays a file, `[latex]…` makes an image)."""
    # Chained replace is three times faster than str.translate here.
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
        .replace("[", "&#91;")
        .replace("\n", "<br>")
    )


def _cloze_markup(m: re.Match[str], numbers: set[int]) -> str:
    """Turn an escaped deletion back into Anki's markup; its answer and hint stay escaped."""
    number = int(m[1])
    numbers.add(number)
    hint = "" if m[3] is None else f"::{m[3]}"
    return f"{{{{c{number}::{m[2]}{hint}}}}}"


_TAG_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f]")


def anki_tags(pathway: str, tags: tuple[str, ...]) -> str:
    """Anki's tag list; whitespace separates Anki's tags, so `_` stands in within one."""
    names = (f"pathway::{pathway}", *tags)
    if _TAG_UNSAFE.search(",".join(names)):  # rare: only then can strip or sub change one
        names = tuple(_TAG_UNSAFE.sub("_", t.strip()) for t in names)
    unique = dict.fromkeys(names)
    unique.pop("", None)
    return f" {' '.join(unique)} "
