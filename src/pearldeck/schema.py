"""The pearl's field schema: its keys, and what makes one pearl mapping as written valid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pearldeck.model import (
    CLOZE_RE,
    ID_RE,
    PATHWAYS,
    SCHEMA,
    TAG_RE,
    VALUE,
    Problem,
    nested_cloze,
    normalise_tag,
    split_tags,
)

KEYS = ("id", "text", "back", "tags", "source", "added", "block", "origin", "notes", "context")
"""Every key a pearl may have, in the order the tool writes them: the one field list."""
TEXT_KEYS = tuple(k for k in KEYS if k != "tags")
"""The keys whose value is one piece of text (tags are a list)."""
CONTENT_KEYS = tuple(k for k in TEXT_KEYS if k != "id")
"""The text keys that make a pearl what it is: all but its id."""
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


def _line(raw: RawPearl, key: str) -> int:
    return raw.key_lines.get(key, raw.line)


def validate_raw(raw: RawPearl, path: str, pathway: str) -> list[Problem]:
    """Check one pearl's keys and values; the collection checks ids across files."""
    problems: list[Problem] = []
    v = raw.values
    if "conflict" in v:  # left by `pearls merge-file`: both versions of one pearl
        problems.append(
            Problem(
                path,
                _line(raw, "conflict"),
                f"pearl {v.get('id')!r} was edited on two machines; this version reads "
                f"{v.get('text')!r}"
                + (f" → {v.get('back')!r}" if v.get("back") is not None else "")
                + ": keep one version, delete the other and its 'conflict' line",
                SCHEMA,
            )
        )
    for key in v:
        if key not in KEYS and key != "conflict":
            hint = f"; known keys: {', '.join(KEYS)}"
            problems.append(Problem(path, _line(raw, key), f"unknown key {key!r}{hint}", SCHEMA))
    for key in TEXT_KEYS:
        if key in v and not isinstance(v[key], str):
            problems.append(
                Problem(path, _line(raw, key), f"{key!r} must be text, not a list", VALUE)
            )
    if problems:
        return problems
    text = v.get("text")
    if text is None or not text.strip():
        problems.append(Problem(path, _line(raw, "text"), "pearl has no text", SCHEMA))
    pid = v.get("id")
    if pid is not None and not ID_RE.match(pid):
        problems.append(
            Problem(
                path,
                _line(raw, "id"),
                f"id {pid!r} must be 4–16 lowercase letters or digits",
                VALUE,
            )
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
                    SCHEMA,
                )
            )
        elif nested := nested_cloze(text):
            problems.append(Problem(path, _line(raw, "text"), nested, SCHEMA))
        elif any(m.group(1).lstrip("0") == "" for m in CLOZE_RE.finditer(text)):
            problems.append(
                Problem(path, _line(raw, "text"), "cloze numbers start at c1, not c0", SCHEMA)
            )
        elif not any(m.group(2).strip() for m in CLOZE_RE.finditer(text)):
            problems.append(
                Problem(path, _line(raw, "text"), "cloze has no deletions: {{c1::...}}", SCHEMA)
            )
    if back is not None and not back.strip():
        problems.append(Problem(path, _line(raw, "back"), "'back' is empty", SCHEMA))
    if "tags" in v:
        tags = v["tags"]
        if isinstance(tags, str):
            tags = list(split_tags(tags))
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append(
                Problem(path, _line(raw, "tags"), "'tags' must be a list of words", VALUE)
            )
        else:
            for t in tags:
                if normalise_tag(t) and not TAG_RE.match(normalise_tag(t)):
                    problems.append(Problem(path, _line(raw, "tags"), f"bad tag {t!r}", SCHEMA))
    added = v.get("added")
    if added is not None and not DATE_RE.match(added):
        problems.append(
            Problem(path, _line(raw, "added"), "'added' must be a date: YYYY-MM-DD", VALUE)
        )
    if pathway not in PATHWAYS:  # pragma: no cover - the collection only passes known pathways
        problems.append(Problem(path, 0, f"unknown pathway {pathway!r}", SCHEMA))
    return problems


def raw_tags(raw: RawPearl) -> tuple[str, ...]:
    """A valid pearl's tags by the one tag rule (model.normalise_tag)."""
    tags = raw.values.get("tags") or []
    if isinstance(tags, str):
        return split_tags(tags)
    return tuple(dict.fromkeys(t for t in map(normalise_tag, tags) if t))
