"""The fast reader agrees with the full YAML parser on every file it accepts."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.store import yamlfile
from pearldeck.store.fastyaml import fast_parse

EXAMPLES = int(os.environ.get("PEARLDECK_FUZZ_EXAMPLES", "400"))
TRICKY = [
    "NO",
    "ON",
    "1:2",
    "1.10",
    "017",
    "~",
    "null",
    "a: b",
    "a #b",
    "C#",
    "x:",
    "- a",
    "{{c1::x}}",
    "{{c1::a::hint}}",
    "it's",
    'say "hi"',
    "back\\slash",
    "é ü 漢字",
    "#tag",
    "[x]",
    "&a",
    "*a",
    "!t",
    "%",
    "@",
    "`",
    "|",
    ">",
    "? q",
    ": x",
    "...",
    "---",
    "  ",
    "a\tb",
    "\\u00e9",
    "\\n",
    "'",
    '"',
    "a, b",
    "",
    "tab\there",
]

scalars = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)


def render(value: str, style: int) -> str:
    if style == 0:
        return value
    if style == 1:
        return "'" + value.replace("'", "''") + "'"
    if style == 2:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value + " # note"


@st.composite
def pearl_files(draw: st.DrawFn) -> str:
    indent = " " * draw(st.sampled_from([0, 0, 2]))
    lines = [draw(st.sampled_from(["", "# header", "  # indented comment"]))]
    for _ in range(draw(st.integers(0, 4))):
        keys = draw(
            st.lists(
                st.sampled_from(["id", "text", "back", "tags", "source", "x"]),
                min_size=1,
                max_size=5,
            )
        )
        for i, key in enumerate(keys):
            if key == "tags":
                items = draw(st.lists(scalars, max_size=3))
                value = "[" + ", ".join(items) + draw(st.sampled_from(["]", ",]", "] # c", "]x"]))
            else:
                value = render(draw(scalars), draw(st.integers(0, 3)))
            lead = indent + ("- " if i == 0 else "  ")
            lines.append(f"{lead}{key}:{draw(st.sampled_from([' ', '  ', '']))}{value}")
            if draw(st.integers(0, 9)) == 0:
                lines.append(draw(st.sampled_from(["", "    continued", "  # c", "-", "x"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def slow(text: str) -> yamlfile.ParsedFile:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(yamlfile, "fast_parse", lambda _text: None)
        return yamlfile.parse_pearl_file(text, "f.yaml", "acute")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pearl_files())
def test_fast_reader_agrees_with_the_yaml_parser(text: str) -> None:
    fast = fast_parse(text)
    if fast is None:
        return
    full = slow(text)
    assert not any("YAML" in p.message for p in full.problems), (text, full.problems)
    assert [(r.line, r.values, r.key_lines) for r in full.pearls] == [
        (line, values, keys) for line, _, values, keys in fast
    ], text
    assert yamlfile.parse_pearl_file(text, "f.yaml", "acute").problems == full.problems


def test_fast_reader_takes_the_plain_layout_and_declines_the_rest() -> None:
    plain = "# c\n- id: abcd12\n  text: 'a {{c1::b}}'  # x\n  tags: [a, b]\n"
    assert fast_parse(plain) == [
        (
            2,
            2,
            {"id": "abcd12", "text": "a {{c1::b}}", "tags": ["a", "b"]},
            {"id": 2, "text": 3, "tags": 4},
        )
    ]
    for text in [
        "- text: |\n    block\n",
        "- text: a\n    b\n",
        "- &x text: a\n",
        "- {text: a}\n",
        "---\n- text: a\n",
        "- text: a: b\n",
        '- text: "a\\x41"\n',
    ]:
        assert fast_parse(text) is None, text


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=30)), min_size=1, max_size=4),
)
def test_written_pearls_read_back_exactly(values: list[str]) -> None:
    from pearldeck.model import PearlDraft
    from pearldeck.store.pearlfile import format_pearl

    values = [v for v in values if v.strip()] or ["x"]
    drafts = [PearlDraft(pathway="acute", text=v, back=v, source=v) for v in values]
    text = "".join(format_pearl(f"id{i:04d}", d) for i, d in enumerate(drafts))
    for parsed in (yamlfile.parse_pearl_file(text, "f.yaml", "acute"), slow(text)):
        assert [r.values for r in parsed.pearls] == [
            {"id": f"id{i:04d}", "text": v, "back": v, "source": v} for i, v in enumerate(values)
        ]
