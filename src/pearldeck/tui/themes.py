"""The two calm themes (dark and light) and the pathway, miss-cause and score-band colours."""

from __future__ import annotations

from textual.theme import Theme

DARK = "pearldeck-dark"
LIGHT = "pearldeck-light"

DARK_THEME = Theme(
    name=DARK,
    dark=True,
    primary="#88C0D0",
    secondary="#81A1C1",
    accent="#EBCB8B",
    success="#A3BE8C",
    warning="#D08770",
    error="#BF616A",
    foreground="#E5E9F0",
    background="#1E222A",
    surface="#262B35",
    panel="#313846",
    variables={
        "pw-acute": "#BF616A",
        "pw-chronic": "#5E81AC",
        "pw-preventive": "#6E9A5B",
        "pw-diagnostic": "#B48E3B",
        "pw-systems-based": "#9A6E9E",
        "pw-text": "#F5F7FA",
        "miss-knowledge": "#81A1C1",
        "miss-misread": "#EBCB8B",
        "miss-rushing": "#D08770",
        "miss-fatigue": "#B48EAD",
        "miss-other": "#6B7385",
        "score-band-1": "#A3BE8C",
        "score-band-2": "#EBCB8B",
        "score-band-3": "#D08770",
        "score-band-4": "#BF616A",
        "footer-key-foreground": "#88C0D0",
    },
)

LIGHT_THEME = Theme(
    name=LIGHT,
    dark=False,
    primary="#2F6F8F",
    secondary="#4C6A92",
    accent="#A8660A",
    success="#2F7D4F",
    warning="#B8571B",
    error="#B83232",
    foreground="#2B2F36",
    background="#F6F3EC",
    surface="#FFFDF8",
    panel="#E6E0D4",
    variables={
        "pw-acute": "#B83232",
        "pw-chronic": "#2F5F9F",
        "pw-preventive": "#2F7D4F",
        "pw-diagnostic": "#97660B",
        "pw-systems-based": "#7B4A86",
        "pw-text": "#FFFFFF",
        "miss-knowledge": "#2F5F9F",
        "miss-misread": "#B8860B",
        "miss-rushing": "#C0502A",
        "miss-fatigue": "#7B4A86",
        "miss-other": "#9A968C",
        "score-band-1": "#2F7D4F",
        "score-band-2": "#9C8A00",
        "score-band-3": "#C0602A",
        "score-band-4": "#B83232",
        "footer-key-foreground": "#2F6F8F",
    },
)

THEMES = (DARK_THEME, LIGHT_THEME)


def miss_color(cause: str) -> str:
    """The theme variable holding the colour of a cause of misses (knowledge, misread, ...)."""
    return f"$miss-{cause}"


def score_band_color(index: int) -> str:
    """The theme variable of a score band's colour: 0 is the target band, 3 the lowest."""
    return f"$score-band-{index + 1}"


def pathway_color(pathway: str) -> str:
    """The theme variable holding a pathway's colour, for styles and markup."""
    return f"$pw-{pathway}"
