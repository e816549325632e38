"""Read one pearl file safely: strings only, no aliases or tags, every problem with its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from pearldeck.model import CLOZE_RE, ID_RE, PATHWAYS, TAG_RE, Problem
from pearldeck.store.fastyaml import fast_parse

try:  # libyaml is far faster; the pure-Python parser gives the same events
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 6
KEYS = ("id", "text", "back", "tags", "source", "added", "block", "origin")
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


def _ln(ev: Any) -> int:
    mark = ev.start_mark
    return int(mark.line) if mark is not None else 0


def _col(ev: Any) -> int:
    mark = ev.start_mark
    return int(mark.column) if mark is not None else 0


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def _value(events: list[Any], i: int, depth: int) -> tuple[Any, int]:
    """Build a plain value from events[i:], refusing what a pearl file has no use for."""
    ev = events[i]
    line = _ln(ev) + 1
    if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
        raise _Refused(line, "YAML anchors and aliases (&, *) are not allowed in pearl files")
    tag = getattr(ev, "tag", None)
    if tag is not None and tag not in ("!", "tag:yaml.org,2002:str"):
        raise _Refused(line, f"YAML tag {tag!r} is not allowed: write plain text")
    if depth > MAX_DEPTH:
        raise _Refused(line, "nested too deeply for a pearl file")
    if isinstance(ev, yaml.ScalarEvent):
        return ev.value, i + 1
    if isinstance(ev, yaml.SequenceStartEvent):
        items: list[Any] = []
        i += 1
        while not isinstance(events[i], yaml.SequenceEndEvent):
            item, i = _value(events, i, depth + 1)
            items.append(item)
        return items, i + 1
    if isinstance(ev, yaml.MappingStartEvent):
        out: dict[str, Any] = {}
        i += 1
        while not isinstance(events[i], yaml.MappingEndEvent):
            key_ev = events[i]
            key, i = _value(events, i, depth + 1)
            if not isinstance(key, str):
                raise _Refused(_ln(key_ev) + 1, "a key must be plain text")
            if key in out:
                raise _Refused(_ln(key_ev) + 1, f"duplicate key {key!r}")
            out[key], i = _value(events, i, depth + 1)
        return out, i + 1
    raise _Refused(line, "unexpected YAML structure")


def _events(text: str, path: str) -> tuple[list[Any], Problem | None]:
    try:
        return list(yaml.parse(text, Loader=_Loader)), None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        what = (e.problem or e.context or "invalid YAML").strip()
        if "\t" in text and "tab" in what.lower():
            what += " (use spaces, not tabs, to indent)"
        return [], Problem(path, line, f"YAML syntax error: {what}")
    except yaml.YAMLError as e:  # reader errors: bad characters
        return [], Problem(path, 1, f"cannot read YAML: {e}")


def parse_pearl_file(text: str, path: str, pathway: str) -> ParsedFile:
    """Parse a pathway file into raw pearls; never raises for anything a user can write."""
    out = ParsedFile()
    if len(text) > MAX_FILE_BYTES:
        out.problems.append(
            Problem(path, 0, f"file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")
        )
        return out
    fast = fast_parse(text)
    if fast is not None:
        for line, col, values, lines in fast:
            raw = RawPearl(line, col, line, False, values, lines)
            out.problems.extend(validate_raw(raw, path, pathway))
            out.pearls.append(raw)
        out.list_column = fast[0][1] - 2 if fast else 0
        return out
    events, problem = _events(text, path)
    if problem:
        out.problems.append(problem)
        return out
    docs = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if len(docs) > 1:
        line = _ln(docs[1]) + 1
        out.problems.append(Problem(path, line, "only one YAML document per file (remove '---')"))
        return out
    # events: StreamStart, DocumentStart, <root>, DocumentEnd, StreamEnd (or no document)
    if len(events) <= 2:
        return out
    root = events[2]
    if isinstance(root, yaml.ScalarEvent) and root.value == "" and not root.style:
        return out  # an empty document: a file of comments only
    if not isinstance(root, yaml.SequenceStartEvent):
        out.problems.append(
            Problem(path, _ln(root) + 1, "a pearl file must be a list ('- text: ...')")
        )
        return out
    out.block_list = not root.flow_style
    out.list_column = _col(root)
    if root.anchor or (root.tag not in (None, "!")):
        out.problems.append(Problem(path, _ln(root) + 1, "anchors and tags not allowed"))
        return out
    i = 3
    while not isinstance(events[i], yaml.SequenceEndEvent):
        ev = events[i]
        line = _ln(ev) + 1
        try:
            if not isinstance(ev, yaml.MappingStartEvent):
                _, i = _value(events, i, 1)
                out.problems.append(
                    Problem(path, line, "each pearl must be a mapping: 'text: ...'")
                )
                continue
            key_lines: dict[str, int] = {}
            j = i + 1
            first = events[j]
            while not isinstance(events[j], yaml.MappingEndEvent):
                key_ev = events[j]
                _, j = _value(events, j, 2)
                if isinstance(key_ev, yaml.ScalarEvent):
                    key_lines.setdefault(key_ev.value, _ln(key_ev) + 1)
                _, j = _value(events, j, 2)
            values, i = _value(events, i, 1)
        except _Refused as r:
            out.problems.append(Problem(path, r.line, r.message))
            return out
        raw = RawPearl(
            line=line,
            column=_col(first),
            first_key_line=_ln(first) + 1,
            flow=bool(ev.flow_style),
            values=values,
            key_lines=key_lines,
        )
        problems = validate_raw(raw, path, pathway)
        out.problems.extend(problems)
        out.pearls.append(raw)
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
    for key in ("id", "text", "back", "source", "added", "block", "origin"):
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
