"""The plain-line scanner gives markdown-it's block tokens, or declines: never other ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.markdown_import import walk
from pearldeck.markdown_import.blocks import BlockToken
from pearldeck.markdown_import.common import (
    MAX_TOKENS,
    _markdown_it,
    _table_markdown_it,
    _TokenBudget,
)
from pearldeck.markdown_import.plainscan import plain_tokens
from pearldeck.markdown_import.walk import parse_markdown

TESTS = Path(__file__).parent
EXAMPLES = int(os.environ.get("PEARLDECK_FUZZ_EXAMPLES", "300"))

WORDS = st.sampled_from(
    [
        "ACE",
        "inhibitor",
        "K+",
        "2.5 mg",
        "1.",
        "3)",
        "::",
        ":::",
        "?",
        "#tag",
        "# x",
        "*",
        "**b**",
        "_i_",
        "`c`",
        "==hl==",
        "{{c1::x}}",
        "\\",
        "[[link]]",
        "<br>",
        "&amp;",
        "é",
        "\u00a0",
        "#",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
# Lines a note is made of, plain ones and the near misses markdown-it reads otherwise.
LINE = st.one_of(
    st.just(""),
    TEXT,
    TEXT.map(lambda t: f"- {t}"),
    TEXT.map(lambda t: f"# {t}"),
    TEXT.map(lambda t: f"### {t} "),
    TEXT.map(lambda t: f"{t}  "),
    TEXT.map(lambda t: f"- {t}\u00a0"),
    st.sampled_from(
        [
            "-",
            "- ",
            "-\tx",
            "- - x",
            "- > q",
            "- 1. x",
            "- 1.5 mg",
            "- # h",
            "- #tag x",
            "- * x",
            "- ***",
            "- ```",
            "- [ ] task",
            "* x",
            "+ x",
            "1. x",
            "2) x",
            "1.5 mg",
            "***",
            "___",
            "---",
            "===",
            "> quote",
            "<div>",
            "<!--SR:!2026-01-01,3,250-->",
            "    code",
            "\tcode",
            "  ",
            "[a]: /b",
            "| a | b |",
            "|---|---|",
            "```",
            "~~~",
            "#",
            "# ",
            "####### x",
            "# a #",
            "# a \\#",
            "#\tx",
            "##x",
            "\ufeffx",
            "x\ufeff",
        ]
    ),
)
# Mostly the plain kinds, so that the scanner's own answers get tested often.
START = st.sampled_from(["Furosemide", "K", "2024", "**Dx**", "_x_", "`x`", "#renal", "é"])
PLAIN_TEXT = st.tuples(START, TEXT).map(" ".join)
PLAIN_LINE = st.one_of(
    st.just(""),
    PLAIN_TEXT,
    PLAIN_TEXT.map(lambda t: f"- {t}"),
    PLAIN_TEXT.map(lambda t: f"## {t}"),
)
NOTES = st.one_of(
    st.lists(LINE, max_size=14).map("\n".join),
    st.lists(LINE, max_size=14).map(lambda lines: "\n".join(lines) + "\n"),
    st.lists(PLAIN_LINE, max_size=20).map(lambda lines: "\n".join(lines) + "\n"),
)

SEEN = ("type", "tag", "nesting", "level", "map", "content", "hidden")


def markdown_it_tokens(body: str) -> list[dict[str, object]]:
    md = _table_markdown_it() if "|" in body else _markdown_it()[0]
    tokens = _TokenBudget()
    md.block.parse(body, md, {}, tokens)
    return [{k: getattr(t, k) for k in SEEN} for t in tokens]


def as_dicts(tokens: list[BlockToken]) -> list[dict[str, object]]:
    return [{k: getattr(t, k) for k in SEEN} for t in tokens]


@settings(max_examples=EXAMPLES * 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTES)
def test_the_scanner_gives_markdown_its_tokens_or_declines(body: str) -> None:
    mine = plain_tokens(body, MAX_TOKENS)
    if mine is not None:
        assert as_dicts(list(mine)) == markdown_it_tokens(body), body


PLAIN = [
    "# Cardiology\n\n## Heart failure #cards\n\n- Loop diuretic of choice :: furosemide\n",
    "- a :: b\n- c :: d\n\n\n- e :: f\n\nA paragraph\nof two lines  \n# h\n- g\n",
    "Front::Back\n#flashcards/renal\n\n- **bold** start :: `code`\n- _it_ :: x\n\n\n",
    "\n\n\n- one\n# two\nthree\n- four\n\n",
    "",
    "- 2024 guideline :: yes\n\n2 mg is not a list\n",
]


@pytest.mark.parametrize("body", PLAIN)
def test_plain_notes_are_scanned_and_match(body: str) -> None:
    mine = plain_tokens(body, MAX_TOKENS)
    assert mine is not None, "a plain note went to markdown-it"
    assert as_dicts(list(mine)) == markdown_it_tokens(body)


@pytest.mark.parametrize(
    "body",
    [
        "- a\nlazy continuation\n",  # the line joins the item: markdown-it's call
        "- a\n  - nested\n",
        "Title\n===\n",
        "- a | b\n",
        "1. ordered\n",
        "> quote\n",
        "- x\n<!--SR:!2026-01-01,3,250-->\n",
    ],
)
def test_anything_else_goes_to_markdown_it(body: str) -> None:
    assert plain_tokens(body, MAX_TOKENS) is None


def test_a_note_over_the_token_budget_goes_to_markdown_it() -> None:
    body = "- a\n" * 10
    assert plain_tokens(body, 100) is not None
    assert plain_tokens(body, 20) is None  # markdown-it's budget then names the line


def _without_scanner(monkeypatch: pytest.MonkeyPatch, text: str, path: str) -> object:
    with monkeypatch.context() as m:
        m.setattr(walk, "plain_tokens", lambda body, most: None)
        return parse_markdown(text, path)


@settings(max_examples=EXAMPLES, deadline=None)
@given(NOTES.map(lambda body: "# Acute care\n" + body))
def test_the_parse_is_the_same_with_or_without_the_scanner(body: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        slow = _without_scanner(m, body, "n.md")
    assert parse_markdown(body, "n.md") == slow


@pytest.mark.parametrize(
    "note", sorted(p for p in TESTS.rglob("*.md") if "__snapshots__" not in p.parts), ids=str
)
def test_fixture_notes_parse_the_same_with_or_without_the_scanner(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = note.read_text(encoding="utf-8")
    assert parse_markdown(text, str(note)) == _without_scanner(monkeypatch, text, str(note))
