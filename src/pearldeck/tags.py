"""The one tag rule every way in shares: YAML, add, import, the app, filters."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def normalise_tag(raw: str) -> str:
    """The one tag rule: `#` dropped, lowercase, a space inside becomes `-` (`ICU care` ->
    `icu-care`), as markdown import makes `## Heart failure` into `heart-failure`."""
    return _SPACES.sub("-", raw.strip().lstrip("#").strip().lower()).strip("-")


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed in one field: commas separate them (`pulm, ICU care`), and so do spaces
    between hashtags (`#pulm #pe`); each is normalised, duplicates and blanks dropped."""
    out: list[str] = []
    for piece in text.split(","):
        words = piece.split()
        if len(words) > 1 and all(w.startswith("#") for w in words):
            out += words
        else:
            out.append(piece)
    return tuple(dict.fromkeys(t for t in map(normalise_tag, out) if t))
