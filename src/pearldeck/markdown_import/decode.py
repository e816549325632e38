"""Bytes of a markdown file to text, or the Problem that says why not."""

from __future__ import annotations

from pearldeck.markdown_import.common import MAX_BYTES, _too_big
from pearldeck.model import Problem


def _line_at(data: bytes, pos: int) -> int:
    # Count line ends as markdown-it does (\r\n, \r, \n), so lines agree with parse_markdown.
    return data.count(b"\n", 0, pos) + data.count(b"\r", 0, pos) - data.count(b"\r\n", 0, pos) + 1


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
