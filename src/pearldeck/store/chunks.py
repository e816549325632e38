"""A plain-layout pearl file cut into one chunk per pearl, each known by its digest.

The index keeps each pearl's chunk digest, so after an edit only the chunks whose
bytes changed are parsed again: editing one pearl of ten thousand reads one.
"""

from __future__ import annotations

import hashlib

from pearldeck.store.fastyaml import BAD_CHARS, fast_parse


def split(data: bytes) -> list[tuple[int, bytes]] | None:
    """[(first line, chunk)] per pearl of a top-level block list at column 0, or None.

    In the plain layout every line that starts with `- ` opens a pearl, so the chunks
    are exactly the pearls the fast reader finds; before the first only comments may be.
    """
    parts = (b"\n" + data).split(b"\n- ")
    try:
        head = parts[0].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if BAD_CHARS.search(head):  # as the fast reader refuses a whole file
        return None
    for line in head.split("\n"):
        s = line.strip(" ")
        if s and not s.startswith("#"):
            return None
    out: list[tuple[int, bytes]] = []
    line_no = parts[0].count(b"\n") + 1
    for part in parts[1:]:
        out.append((line_no, part))
        line_no += part.count(b"\n") + 1
    return out


def digest(chunk: bytes) -> str:
    return hashlib.blake2b(chunk, digest_size=12).hexdigest()


def parse_chunk(line: int, chunk: bytes) -> tuple[int, dict[str, object], dict[str, int]] | None:
    """(line, values, key lines) of the one pearl in a chunk, or None if not plain."""
    try:
        text = "- " + chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    items = fast_parse(text)
    if items is None or len(items) != 1 or items[0][1] != 2:
        return None
    _, _, values, key_lines = items[0]
    shift = line - 1
    return line, values, {k: n + shift for k, n in key_lines.items()}


def find(
    data: bytes, line: int, want: str
) -> tuple[int, int, dict[str, object], dict[str, int]] | None:
    """In a plain file, the pearl whose chunk starts at `line` and has digest `want`: its
    first line, the first line after it (the next pearl's, or past the end), its values and
    key lines; None if the file or that chunk is not as the index has it."""
    cut = split(data)
    if cut is None:
        return None
    for k, (start, chunk) in enumerate(cut):
        if start == line:
            got = parse_chunk(start, chunk) if digest(chunk) == want else None
            if got is None:
                return None
            after = cut[k + 1][0] if k + 1 < len(cut) else data.count(b"\n") + 2
            return start, after, got[1], got[2]
    return None
