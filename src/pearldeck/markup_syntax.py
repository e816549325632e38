"""The characters and prefixes of pearl markup, shared by its parser and its HTML reader."""

from __future__ import annotations

import re

LINK_SCHEMES = ("http://", "https://", "mailto:")
MEDIA_PREFIX = "media/"


def escape(text: str) -> str:
    """Plain text made safe to embed as markup: what could start formatting is escaped."""
    text = re.sub(r"([\\*`\[])", r"\\\1", text)
    text = re.sub(r"<(?=/?(?:u|sub|sup)>)", r"\\<", text)
    # a line that would open a list or a table
    text = re.sub(r"(?m)^(\s*)([-+|])", r"\1\\\2", text)
    return re.sub(r"(?m)^(\s*\d{1,9})([.)]\s)", r"\1\\\2", text)
