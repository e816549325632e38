"""Read one pearl file safely: strings only, no aliases or tags, every problem with its line."""

from __future__ import annotations

from collections.abc import Sequence

from pearldeck.model import FILE, Problem
from pearldeck.schema import DATE_RE, KEYS, ParsedFile, RawPearl, raw_tags, validate_raw
from pearldeck.store.fastyaml import FastPearls, fast_parse

__all__ = [
    "DATE_RE",
    "KEYS",
    "MAX_FILE_BYTES",
    "ParsedFile",
    "RawPearl",
    "parse_appended_parts",
    "parse_pearl_file",
    "raw_tags",
    "too_large",
    "validate_raw",
]

MAX_FILE_BYTES = 32 * 1024 * 1024


def too_large(size: int, path: str) -> Problem | None:
    """The problem of a file too big to read: refused by its size alone."""
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(path, 0, f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split it", FILE)


def parse_pearl_file(text: str, path: str, pathway: str) -> ParsedFile:
    """Parse a pathway file into raw pearls; never raises for anything a user can write."""
    out = ParsedFile()
    big = too_large(len(text), path)
    if big is not None:
        out.problems.append(big)
        return out
    fast = fast_parse(text)
    if fast is not None:
        for line, col, values, lines in fast:
            raw = RawPearl(line, col, line, False, values, lines)
            out.problems.extend(validate_raw(raw, path, pathway))
            out.pearls.append(raw)
        out.list_column = fast[0][1] - 2 if fast else 0
        out.plain = True
        return out
    from pearldeck.store.yamlevents import parse_events  # PyYAML loads only when needed

    parse_events(text, path, pathway, out)
    return out


def parse_appended_parts(
    before: ParsedFile,
    head: str,
    parts: Sequence[tuple[str, FastPearls | None]],
    path: str,
    pathway: str,
) -> ParsedFile | None:
    """`parse_pearl_file(head + every part's text)`, given `before`, the parse of `head`,
    and each part's own fast reading; None when that cannot be told from the parts.

    The fast reader takes a file line by line, each line standing on its own, so when it
    read `head` (ending in a newline) and reads each part (each starting a list item and
    ending in a newline) at the same list column, the pearls of the whole are those of
    `head` followed by those of each part, lines shifted."""
    if not before.plain or (head and not head.endswith("\n")):
        return None
    if too_large(len(head) + sum(len(text) for text, _ in parts), path) is not None:
        return None
    column = before.pearls[0].column if before.pearls else None
    offset = head.count("\n")
    out = ParsedFile(list(before.pearls), list(before.problems), True, 0, True)
    for text, fast in parts:
        if not fast or not text.endswith("\n") or column not in (None, fast[0][1]):
            return None
        column = fast[0][1]
        for line, col, values, lines in fast:
            shifted = {k: n + offset for k, n in lines.items()}
            raw = RawPearl(line + offset, col, line + offset, False, values, shifted)
            out.problems.extend(validate_raw(raw, path, pathway))
            out.pearls.append(raw)
        offset += text.count("\n")
    if not out.pearls:
        return None
    out.list_column = out.pearls[0].column - 2
    return out
