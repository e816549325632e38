"""Turn markdown notes into pearl drafts for `pearls import`: pure, bounded, never raises."""

from __future__ import annotations

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
