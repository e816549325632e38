"""The full YAML parser's events for pearl files the fast reader declined: strict and safe."""

from __future__ import annotations

from typing import Any

import yaml

from pearldeck.model import SYNTAX, Problem
from pearldeck.schema import ParsedFile, RawPearl, validate_raw

MAX_DEPTH = 6

try:  # libyaml is far faster; the pure-Python parser gives the same events
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]


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
        return [], Problem(path, line, f"YAML syntax error: {what}", SYNTAX)
    except yaml.reader.ReaderError as e:  # a character YAML does not allow
        char = chr(e.character) if isinstance(e.character, int) else ""
        at = text.find(char) if char else -1
        line = text.count("\n", 0, at) + 1 if at >= 0 else 1
        what = f"character U+{ord(char):04X}" if char else "a character"
        return [], Problem(
            path, line, f"cannot read YAML: {what} is not allowed in YAML text", SYNTAX
        )
    except yaml.YAMLError as e:
        return [], Problem(path, 1, f"cannot read YAML: {str(e).splitlines()[0]}", SYNTAX)


def parse_events(text: str, path: str, pathway: str, out: ParsedFile) -> None:
    """Fill `out` from YAML events, refusing aliases, tags and deep nesting."""
    events, problem = _events(text, path)
    if problem:
        out.problems.append(problem)
        return
    docs = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if len(docs) > 1:
        line = _ln(docs[1]) + 1
        out.problems.append(
            Problem(path, line, "only one YAML document per file (remove '---')", SYNTAX)
        )
        return
    # events: StreamStart, DocumentStart, <root>, DocumentEnd, StreamEnd (or no document)
    if len(events) <= 2:
        return
    root = events[2]
    if isinstance(root, yaml.ScalarEvent) and root.value == "" and not root.style:
        return  # an empty document: a file of comments only
    if not isinstance(root, yaml.SequenceStartEvent):
        out.problems.append(
            Problem(path, _ln(root) + 1, "a pearl file must be a list ('- text: ...')", SYNTAX)
        )
        return
    out.block_list = not root.flow_style
    out.list_column = _col(root)
    if root.anchor or (root.tag not in (None, "!")):
        out.problems.append(Problem(path, _ln(root) + 1, "anchors and tags not allowed", SYNTAX))
        return
    i = 3
    while not isinstance(events[i], yaml.SequenceEndEvent):
        ev = events[i]
        line = _ln(ev) + 1
        try:
            if not isinstance(ev, yaml.MappingStartEvent):
                _, i = _value(events, i, 1)
                out.problems.append(
                    Problem(path, line, "each pearl must be a mapping: 'text: ...'", SYNTAX)
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
            out.problems.append(Problem(path, r.line, r.message, SYNTAX))
            return
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
    return
