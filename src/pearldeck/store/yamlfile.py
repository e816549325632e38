"""Read one pearl file safely: strings only, no aliases or tags, every problem with its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pearldeck.model import CLOZE_RE, ID_RE, PATHWAYS, TAG_RE, Problem
from pearldeck.store.fastyaml import fast_parse

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 6
KEYS = ("id", "text", "back", "tags", "source", "added", "block", "origin", "context")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class RawPearl:
    """A pearl mapping as written, before it becomes a Pearl: values are strings."""

    line: int
    column: int
    """0-based column of the mapping's first key; where an id line is inserted."""
    first_key_line: int
    flow: bool
    values: dict[str, Any]
    key_lines: dict[str, int]


@dataclass(slots=True)
class ParsedFile:
    """The pearls of one file and what was wrong with it."""

    pearls: list[RawPearl] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    block_list: bool = True
    """False when the top level is a flow list `[...]`, which cannot be appended to."""
    list_column: int = 0
    plain: bool = False
    """Read by the fast reader: every line stands on its own (see store.chunks)."""


def too_large(size: int, path: str) -> Problem | None:
    """The problem of a file too big to read: refused by its size alone."""
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(path, 0, f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")


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
    from pearldeck.store.yamlevents import parse_events

    parse_events(text, path, pathway, out)
    return out


def _line(raw: RawPearl, key: str) -> int:
    return raw.key_lines.get(key, raw.line)


def validate_raw(raw: RawPearl, path: str, pathway: str) -> list[Problem]:
    """Check one pearl's keys and values; the collection checks ids across files."""
    problems: list[Problem] = []
    v = raw.values
    for key in v:
        if key not in KEYS:
            hint = f"; known keys: {', '.join(KEYS)}"
            problems.append(Problem(path, _line(raw, key), f"unknown key {key!r}{hint}"))
    for key in ("id", "text", "back", "source", "added", "block", "origin", "context"):
        if key in v and not isinstance(v[key], str):
            problems.append(Problem(path, _line(raw, key), f"{key!r} must be text, not a list"))
    if problems:
        return problems
    text = v.get("text")
    if text is None or not text.strip():
        problems.append(Problem(path, _line(raw, "text"), "pearl has no text"))
    pid = v.get("id")
    if pid is not None and not ID_RE.match(pid):
        problems.append(
            Problem(path, _line(raw, "id"), f"id {pid!r} must be 4–16 lowercase letters or digits")
        )
    back = v.get("back")
    if text and back is None:
        if "{{c" not in text:
            problems.append(
                Problem(
                    path,
                    _line(raw, "text"),
                    "pearl has no cloze and no back: wrap what to recall in {{c1::...}} "
                    "or add 'back:' with the answer",
                )
            )
        elif any(m.group(1).lstrip("0") == "" for m in CLOZE_RE.finditer(text)):
            problems.append(Problem(path, _line(raw, "text"), "cloze numbers start at c1, not c0"))
        elif not any(m.group(2).strip() for m in CLOZE_RE.finditer(text)):
            problems.append(
                Problem(path, _line(raw, "text"), "cloze has no deletions: {{c1::...}}")
            )
    if back is not None and not back.strip():
        problems.append(Problem(path, _line(raw, "back"), "'back' is empty"))
    if "tags" in v:
        tags = v["tags"]
        if isinstance(tags, str):
            tags = [t for t in re.split(r"[,\s]+", tags) if t]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append(Problem(path, _line(raw, "tags"), "'tags' must be a list of words"))
        else:
            for t in tags:
                if not TAG_RE.match(t):
                    problems.append(Problem(path, _line(raw, "tags"), f"bad tag {t!r}"))
    added = v.get("added")
    if added is not None and not DATE_RE.match(added):
        problems.append(Problem(path, _line(raw, "added"), "'added' must be a date: YYYY-MM-DD"))
    if pathway not in PATHWAYS:  # pragma: no cover - the collection only passes known pathways
        problems.append(Problem(path, 0, f"unknown pathway {pathway!r}"))
    return problems


def raw_tags(raw: RawPearl) -> tuple[str, ...]:
    tags = raw.values.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    return tuple(dict.fromkeys(tags))
