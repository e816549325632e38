"""Write pearls into their YAML files without disturbing a byte the user wrote."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pearldeck.model import SYNTAX
from pearldeck.schema import KEYS
from pearldeck.store.fastyaml import BAD_CHARS, FastPearls, fast_parse, plain_scalar
from pearldeck.store.yamlfile import (
    DATE_RE,
    ParsedFile,
    parse_appended_parts,
    parse_pearl_file,
)

if TYPE_CHECKING:
    from pearldeck.drafts import PearlDraft


@functools.cache
def _resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:

    import yaml

    resolvers: dict[str, list[tuple[str, re.Pattern[str]]]]
    resolvers = yaml.SafeDumper.yaml_implicit_resolvers
    return resolvers


# Words and spaces with tame punctuation, from a letter to a letter, digit or stop: no YAML
# indicator, comment, key or flow separator, and (having a space) no bool, null, number or
# date. Most pearls are such sentences; the full check below decides everything else.
_SURELY_PLAIN = re.compile(
    r"[A-Za-z][A-Za-z0-9 .?()'/+=%;-]* [A-Za-z0-9 .?()'/+=%;-]*[A-Za-z0-9.?)]"
)


# One word (a tag): from a letter, no indicator, comment, key or flow separator; YAML 1.1
# reads a word starting with a letter as a string unless it is one of its bools or null.
_SURELY_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_/-]*")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# A note's path and line, as `origin` is written: from a letter or `/`, one colon, before
# the line's digits (no `: `), no `#`; nothing YAML resolves starts with either.
_SURELY_PLAIN_ORIGIN = re.compile(r"[A-Za-z/][A-Za-z0-9 _./()'+-]*[A-Za-z0-9_./)-]:[0-9]+")


def _plain_ok(value: str) -> bool:
    """Plain style reads back as this same string, in PyYAML and in any YAML 1.1/1.2 tool."""
    if _SURELY_PLAIN.fullmatch(value):
        return True
    if _SURELY_PLAIN_WORD.fullmatch(value) and value.lower() not in _YAML11_WORDS:
        return True  # and so PyYAML is not loaded to format tags
    if _SURELY_PLAIN_ORIGIN.fullmatch(value):
        return True  # nor to format where an imported pearl came from
    if "\n" in value or value != value.strip() or BAD_CHARS.search(value):
        return False
    if plain_scalar(value) != value:
        return False
    return not any(regexp.match(value) for _, regexp in _resolvers().get(value[0], []))


def _scalar(value: str) -> str:
    """Plain when that is safe, else double-quoted (a JSON string is valid YAML)."""
    if _plain_ok(value):
        return value
    # YAML reads U+0085, U+2028, U+2029 as line breaks and refuses other controls: escape them
    return BAD_CHARS.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
    )


def _flow_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"


def format_pearl(
    pearl_id: str, draft: PearlDraft, indent: int = 0, *, added: str | None = None
) -> str:
    """The YAML block for one new pearl, in the documented key order; `added` is the date
    written when the draft has none."""
    lines = [f"- id: {pearl_id}", f"  text: {_scalar(draft.text)}"]
    if draft.back is not None:
        lines.append(f"  back: {_scalar(draft.back)}")
    if draft.tags:
        lines.append(f"  tags: {_flow_list(draft.tags)}")
    for key in KEYS[KEYS.index("tags") + 1 :]:  # source, added, block, origin, notes, ...
        value = getattr(draft, key) or (added if key == "added" else None)
        if value:
            plain = key == "added" and DATE_RE.match(value)  # a date stays unquoted
            lines.append(f"  {key}: {value if plain else _scalar(value)}")
    pad = " " * indent
    return "".join(pad + line + "\n" for line in lines)


@dataclass(frozen=True)
class Appended:
    """New file text, checked to parse back to the old pearls plus the new ones."""

    text: str
    parsed: ParsedFile
    """That check's parse, which the index can take as it is."""


class CannotAppend(Exception):
    """The file's shape does not allow appending (a flow list, or broken YAML)."""


@dataclass(frozen=True)
class AppendTarget:
    """A file about to get pearls at its end: its parse and where the new lines go."""

    path: str
    pathway: str
    parsed: ParsedFile
    head: str
    """The old text, ending in a newline unless empty."""
    indent: int


def append_target(old: str, path: str, pathway: str) -> AppendTarget:
    """Check that pearls can be appended to this file's text; CannotAppend says why not."""
    parsed = parse_pearl_file(old, path, pathway)
    syntax = [p for p in parsed.problems if p.kind == SYNTAX]
    if syntax:
        raise CannotAppend(f"{syntax[0]}; fix it before adding pearls")
    if not parsed.block_list:
        raise CannotAppend(
            f"{path}: the pearls are written as a flow list [...]; "
            "change it to a block list ('- text: ...') to add pearls"
        )
    indent = parsed.list_column if parsed.pearls else 0
    head = old + "\n" if old and not old.endswith("\n") else old
    return AppendTarget(path, pathway, parsed, head, indent)


def formatted(
    new: Sequence[tuple[str, PearlDraft]], indent: int, added: str | None
) -> tuple[str, FastPearls | None]:
    """New pearls' lines, and the fast reader's reading of them: the pure part of an
    append, which a forked child can do for half of a big import."""
    text = "".join(format_pearl(pid, draft, indent, added=added) for pid, draft in new)
    return text, fast_parse(text)


def finish_append(
    target: AppendTarget,
    new: Sequence[tuple[str, PearlDraft]],
    parts: Sequence[tuple[str, FastPearls | None]],
) -> Appended:
    """The file with `parts` (`formatted` runs of `new`, in order) appended, checked to
    read back as the old pearls followed by exactly the new ones."""
    path, pathway, parsed = target.path, target.pathway, target.parsed
    text = target.head + "".join(chunk for chunk, _ in parts)
    # the whole file read back, as the index will keep it: by the new lines alone if it can
    check = parse_appended_parts(parsed, target.head, parts, path, pathway) or parse_pearl_file(
        text, path, pathway
    )
    ids = [p.values.get("id") for p in check.pearls[len(parsed.pearls) :]]
    if ids != [pid for pid, _ in new]:  # pragma: no cover - a formatter bug, never user data
        raise CannotAppend(f"{path}: appending would not read back as written; nothing written")
    for (_, draft), raw in zip(new, check.pearls[len(parsed.pearls) :], strict=True):
        if raw.values.get("text") != draft.text or raw.values.get("back") != draft.back:
            raise CannotAppend(
                f"{path}: pearl text would not read back as written"
            )  # pragma: no cover
    return Appended(text, check)


def content_id(values: dict[str, object], n: int) -> str:
    """The id a pearl without one gets: made from its text, so that two clones that give
    the same hand-written pearl an id give it the same one (and a git merge sees one
    pearl, not two). `n` tells identical pearls in one file apart."""
    seed = f"{values.get('text')!r}\0{values.get('back')!r}\0{n}".encode()
    number = int.from_bytes(hashlib.blake2b(seed, digest_size=8).digest(), "big")
    digits = []
    for _ in range(8):
        number, d = divmod(number, 36)
        digits.append("0123456789abcdefghijklmnopqrstuvwxyz"[d])
    return "".join(digits)


def insert_ids(
    text: str, parsed: ParsedFile, make_id: Callable[[], str], used: set[str] | None = None
) -> tuple[str, int]:
    """Give every pearl without an id one, inserted before its first key.

    The id is `content_id` unless it is in `used` (then `make_id`'s); every id given is
    added to `used`.

    Returns the text unchanged, and 0, unless the new text reads back as exactly the
    same pearls plus their ids: a layout with no place for an id line (YAML's explicit
    `? key`) is left for the user, never rewritten into something else.
    """
    lines = text.splitlines(keepends=True)
    todo = [r for r in parsed.pearls if r.values and "id" not in r.values]
    newline = "\r\n" if "\r\n" in text else "\n"
    given: dict[int, str] = {}
    taken = used if used is not None else set()
    count: dict[str, int] = {}
    for raw in sorted(todo, key=lambda r: (r.first_key_line, r.column)):
        same = repr((raw.values.get("text"), raw.values.get("back")))
        count[same] = count.get(same, 0) + 1
        pid = content_id(raw.values, count[same])
        if pid in taken:
            pid = make_id()
        taken.add(pid)
        given[id(raw)] = pid
    # insert from the bottom so earlier positions stay valid
    for raw in sorted(todo, key=lambda r: (r.first_key_line, r.column), reverse=True):
        i = raw.first_key_line - 1
        line = lines[i]
        col = raw.column
        pid = given[id(raw)]
        insert = f"id: {pid}, " if raw.flow else f"id: {pid}{newline}" + " " * col
        lines[i] = line[:col] + insert + line[col:]
    new = "".join(lines)
    expected = [r.values | ({"id": given[id(r)]} if id(r) in given else {}) for r in parsed.pearls]
    check = parse_pearl_file(new, "", "acute")  # the pathway only matters to validation
    if [r.values for r in check.pearls] != expected or _syntax(check) != _syntax(parsed):
        return text, 0
    return new, len(todo)


def _syntax(parsed: ParsedFile) -> list[str]:
    return [p.message for p in parsed.problems if p.kind == SYNTAX]
