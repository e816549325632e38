"""The fast reader agrees with the full YAML parser on every file it accepts."""

from __future__ import annotations

import os
import re

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


def _full_check(value: str) -> bool:
    """`_plain_ok` with its quick checks turned off: what the full check alone says."""
    from pearldeck.store import pearlfile

    never = re.compile("(?!)")
    with pytest.MonkeyPatch.context() as m:
        for quick in ("_SURELY_PLAIN", "_SURELY_PLAIN_WORD", "_SURELY_PLAIN_ORIGIN"):
            m.setattr(pearlfile, quick, never)
        return pearlfile._plain_ok(value)


SENTENCE_CHARS = "aZ0 .?()'/+=%;-:#,[]{}\"&*!|>@`~\\\n\t"


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=SENTENCE_CHARS, max_size=12),
        st.tuples(
            st.sampled_from(["No", "yes", "null", "Off", "y", "a"]), st.text(SENTENCE_CHARS)
        ).map(lambda p: p[0] + p[1]),
    )
)
def test_the_formatters_quick_plain_check_never_says_plain_wrongly(value: str) -> None:
    """`_SURELY_PLAIN` may only say yes where the full check, the fast reader and PyYAML
    all read the plain value back as itself. (Only as a mapping value: it needs a space,
    and tags, the one flow list, never have one.)"""
    import yaml

    from pearldeck.store import pearlfile

    if not pearlfile._SURELY_PLAIN.fullmatch(value):
        return
    assert pearlfile._plain_ok(value)
    assert _full_check(value)
    line = f"- text: {value}\n"
    assert fast_parse(line) == [(1, 2, {"text": value}, {"text": 1})]
    assert yaml.safe_load(line) == [{"text": value}]


def test_the_quick_plain_check_takes_the_usual_pearl() -> None:
    from pearldeck.store import pearlfile

    assert pearlfile._SURELY_PLAIN.fullmatch("Loop diuretic of choice in acute HF (IV)?")
    assert not pearlfile._SURELY_PLAIN.fullmatch("yes")  # a bool to YAML 1.1
    assert not pearlfile._SURELY_PLAIN.fullmatch("a: b")


def test_bad_chars_are_exactly_those_outside_yamls_printable_set() -> None:
    """YAML 1.1's printable set: tab aside, the fast reader leaves every other to PyYAML."""
    from pearldeck.store.fastyaml import BAD_CHARS

    printable = re.compile(
        "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )
    every = "".join(map(chr, range(0x110000)))
    refused = {m.start() for m in BAD_CHARS.finditer(every)}
    allowed = {m.start() for m in printable.finditer(every)}
    assert refused.isdisjoint(allowed)
    assert len(refused) + len(allowed) == 0x110000


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="aYnN0_/-", max_size=6),
        st.sampled_from(["yes", "No", "ON", "off", "null", "Null", "y", "N", "true", "FALSE"]),
        st.from_regex(r"[a-z][a-z0-9/-]{0,10}", fullmatch=True),
    )
)
def test_the_quick_word_check_never_says_plain_wrongly(value: str) -> None:
    """A word the quick check calls plain is plain to the full check, and reads back as
    itself as a mapping value and in a flow list (where tags are), fast and in PyYAML."""
    import yaml

    from pearldeck.store import pearlfile

    full = _full_check(value)
    if value.lower() in pearlfile._YAML11_WORDS:  # bools and null: the full check decides
        assert pearlfile._plain_ok(value) == full
        return
    if not pearlfile._SURELY_PLAIN_WORD.fullmatch(value):
        return
    assert pearlfile._plain_ok(value) and full
    text = f"- text: {value}\n  tags: [{value}, {value}]\n"
    assert fast_parse(text) == [
        (1, 2, {"text": value, "tags": [value, value]}, {"text": 1, "tags": 2})
    ]
    assert yaml.safe_load(text) == [{"text": value, "tags": [value, value]}]


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="a/ ._:0-()'+#", max_size=10),
        st.tuples(st.text(alphabet="a/ ._-:", max_size=12), st.integers(0, 999)).map(
            lambda p: f"{p[0]}:{p[1]}"
        ),
        st.tuples(st.sampled_from(["/", "a", "No", "1"]), st.text("a/. -:")).map("".join),
    )
)
def test_the_quick_origin_check_never_says_plain_wrongly(value: str) -> None:
    """An origin (`vault/note.md:12`) the quick check calls plain is plain to the full
    check and reads back as itself, fast and in PyYAML."""
    import yaml

    from pearldeck.store import pearlfile

    if not pearlfile._SURELY_PLAIN_ORIGIN.fullmatch(value):
        return
    assert _full_check(value)
    line = f"- origin: {value}\n"
    assert fast_parse(line) == [(1, 2, {"origin": value}, {"origin": 1})]
    assert yaml.safe_load(line) == [{"origin": value}]


def test_the_quick_origin_check_takes_a_note_path() -> None:
    from pearldeck.store import pearlfile

    assert pearlfile._SURELY_PLAIN_ORIGIN.fullmatch("/home/me/Vault/Cardio notes.md:12")
    assert pearlfile._SURELY_PLAIN_ORIGIN.fullmatch("notes/renal-(AKI).md:3")
    assert not pearlfile._SURELY_PLAIN_ORIGIN.fullmatch("1:2")  # sexagesimal to YAML 1.1
