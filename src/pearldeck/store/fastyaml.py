"""A fast reader for the plain layout pearl files almost always have.

It accepts only a strict subset of YAML (a block list of one-line `key: value`
mappings) and returns None for anything else, so the full parser decides every
case this one is unsure of. A differential test proves both agree.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: |$)")
# Tabs, odd line breaks and anything YAML's reader refuses: leave those to the full parser.
# Written as the few characters refused rather than the printable ranges allowed (the same
# set): the negated form took 9 ms to compile, in every command that reads a pearl file.
BAD_CHARS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "/": "/"}
_FLOW_ITEM_BAD = re.compile(r"[\[\]{}\"'#&*!|>%@`]|: |:$|^-|^\?|^:")


def plain_scalar(value: str) -> str | None:
    """A one-line plain scalar, its comment removed; None if YAML might read it otherwise."""
    if not value or value[0] in _PLAIN_START:
        return None
    cut = value.find(" #")
    if cut >= 0:
        value = value[:cut]
    value = value.rstrip(" ")
    if not value or ": " in value or value.endswith(":") or value in ("---", "..."):
        return None
    return value


def _rest_is_comment(rest: str) -> bool:
    rest = rest.lstrip(" ")
    return not rest or rest[0] == "#"


def _closed(out: list[str], rest: str) -> str | None:
    """A quoted scalar ended: its text, if only spaces and a comment follow the quote."""
    if rest and not rest.startswith(" "):
        return None
    return "".join(out) if _rest_is_comment(rest) else None


_SIMPLE_DOUBLE = re.compile(r'"([^"\\]*)"(?: +(?:#.*)?)?')
_SIMPLE_SINGLE = re.compile(r"'([^']*)'(?: +(?:#.*)?)?")


def _double(value: str) -> str | None:
    m = _SIMPLE_DOUBLE.fullmatch(value)
    if m:
        return m.group(1)
    out: list[str] = []
    i = 1
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == '"':
            return _closed(out, value[i + 1 :])
        if ch == "\\":
            if i + 1 >= n:
                return None
            esc = value[i + 1]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                i += 2
                continue
            if esc == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", value[i + 2 : i + 6]):
                code = int(value[i + 2 : i + 6], 16)
                if 0xD800 <= code <= 0xDFFF:
                    return None
                out.append(chr(code))
                i += 6
                continue
            return None
        out.append(ch)
        i += 1
    return None


def _single(value: str) -> str | None:
    m = _SIMPLE_SINGLE.fullmatch(value)
    if m:
        return m.group(1)
    out: list[str] = []
    i = 1
    n = len(value)
    while i < n:
        ch = value[i]
        if ch == "'":
            if i + 1 < n and value[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return _closed(out, value[i + 1 :])
        out.append(ch)
        i += 1
    return None


def _flow_list(value: str) -> list[str] | None:
    end = value.find("]")
    if end < 0:
        return None
    if not _rest_is_comment(value[end + 1 :]) or (value[end + 1 : end + 2] not in ("", " ")):
        return None
    inner = value[1:end]
    if "[" in inner or "{" in inner:
        return None
    if not inner.strip():
        return []
    items = [item.strip(" ") for item in inner.split(",")]
    if items and items[-1] == "":
        items.pop()  # YAML allows a trailing comma
    out: list[str] = []
    for item in items:
        if not item or _FLOW_ITEM_BAD.search(item) or item in ("---", "..."):
            return None
        out.append(item)
    return out


def _value(value: str) -> str | list[str] | None:
    if not value:
        return None
    first = value[0]
    if first == '"':
        return _double(value)
    if first == "'":
        return _single(value)
    if first == "[":
        return _flow_list(value)
    return plain_scalar(value)


FastPearls = list[tuple[int, int, dict[str, Any], dict[str, int]]]
"""[(line, key column, values, key lines)]: what the fast reader makes of a file."""


def fast_parse(text: str) -> FastPearls | None:
    """[(line, key column, values, key lines)] for a plain-layout file, else None."""
    if BAD_CHARS.search(text) or "\n---" in text or text.startswith("---"):
        return None
    items: FastPearls = []
    indent = -1
    current: dict[str, Any] | None = None
    key_lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        col = len(line) - len(stripped)
        if stripped.startswith("- "):
            if indent < 0:
                indent = col
            elif col != indent:
                return None
            body = stripped[2:].lstrip(" ")
            key_col = col + (len(stripped) - len(body))
            if key_col != indent + 2:
                return None
            current, key_lines = {}, {}
            items.append((number, key_col, current, key_lines))
        elif current is not None and col == indent + 2:
            body = stripped
        else:
            return None
        m = _KEY.match(body)
        if m is None:
            return None
        key = m.group(1)
        if key in current:
            return None
        value = _value(body[m.end() :].lstrip(" "))
        if value is None:
            return None
        current[key] = value
        key_lines[key] = number
    return items
