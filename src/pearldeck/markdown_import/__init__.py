"""Turn markdown notes into pearl drafts for `pearls import`: pure, bounded, never raises.

The names below load on first use, so a submodule (the sync rules, the limits) can be
imported without the parser and markdown-it: an import of unchanged notes needs neither."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pearldeck.markdown_import.common import (
        MAX_BYTES,
        MAX_HEADING_CHARS,
        MAX_LINES,
        MAX_PEARL_CHARS,
        MAX_TOKENS,
        NO_PATHWAY,
        ImportDefaults,
        ParseResult,
        _markdown_it,
        pathway_named,
    )
    from pearldeck.markdown_import.decode import decode_markdown
    from pearldeck.markdown_import.help import FORMAT_EXAMPLE, FORMAT_HELP
    from pearldeck.markdown_import.walk import _Parser, parse_markdown

_WHERE = {
    "MAX_BYTES": "common",
    "MAX_HEADING_CHARS": "common",
    "MAX_LINES": "common",
    "MAX_PEARL_CHARS": "common",
    "MAX_TOKENS": "common",
    "NO_PATHWAY": "common",
    "ImportDefaults": "common",
    "ParseResult": "common",
    "_markdown_it": "common",
    "pathway_named": "common",
    "decode_markdown": "decode",
    "FORMAT_EXAMPLE": "help",
    "FORMAT_HELP": "help",
    "_Parser": "walk",
    "parse_markdown": "walk",
}
__all__ = [
    "FORMAT_EXAMPLE",
    "FORMAT_HELP",
    "MAX_BYTES",
    "MAX_HEADING_CHARS",
    "MAX_LINES",
    "MAX_PEARL_CHARS",
    "MAX_TOKENS",
    "NO_PATHWAY",
    "ImportDefaults",
    "ParseResult",
    "_Parser",
    "_markdown_it",
    "decode_markdown",
    "parse_markdown",
    "pathway_named",
]


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(name)
    value = getattr(import_module(f"pearldeck.markdown_import.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
