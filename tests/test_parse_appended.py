"""Appending pearls reads back only the new lines: the parse it builds is the whole file's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pearldeck.drafts import PearlDraft
from pearldeck.store.pearlfile import append_pearls, format_pearl
from pearldeck.store.yamlfile import parse_appended, parse_pearl_file

texts = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1
).filter(lambda t: t.strip() != "")
drafts = st.builds(
    PearlDraft,
    pathway=st.just("acute"),
    text=texts,
    back=st.none() | texts,
    tags=st.lists(st.from_regex(r"[a-z][a-z0-9/-]{0,8}", fullmatch=True), max_size=3).map(tuple),
    source=st.none() | texts,
    added=st.none() | st.just("2026-12-03"),
    context=st.none() | texts,
)
headers = st.sampled_from(["", "# acute pearls\n", "# a comment\n\n", "\n\n# end\n"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(drafts, max_size=4),
    st.lists(drafts, min_size=1, max_size=4),
    headers,
    st.sampled_from([0, 2]),
)
def test_the_new_lines_read_alone_give_the_whole_files_parse(
    old: list[PearlDraft], new: list[PearlDraft], header: str, indent: int
) -> None:
    head = header + "".join(format_pearl(f"o{i}", d, indent) for i, d in enumerate(old))
    before = parse_pearl_file(head, "acute.yaml", "acute")
    chunk = "".join(format_pearl(f"n{i}", d, indent if old else 0) for i, d in enumerate(new))
    whole = parse_pearl_file(head + chunk, "acute.yaml", "acute")
    part = parse_appended(before, head, chunk, "acute.yaml", "acute")
    if part is not None:
        assert part == whole
    appended = append_pearls(head, "acute.yaml", "acute", [(f"n{i}", d) for i, d in enumerate(new)])
    assert appended.parsed == parse_pearl_file(appended.text, "acute.yaml", "acute")


def test_a_file_the_fast_reader_cannot_take_is_read_whole() -> None:
    head = "- id: a1\n  text: |\n    a block scalar\n    over two lines\n"
    before = parse_pearl_file(head, "acute.yaml", "acute")
    chunk = format_pearl("b2", PearlDraft(pathway="acute", text="new"), 0)
    assert parse_appended(before, head, chunk, "acute.yaml", "acute") is None
    appended = append_pearls(head, "acute.yaml", "acute", [("b2", PearlDraft("acute", "new"))])
    assert [p.values["id"] for p in appended.parsed.pearls] == ["a1", "b2"]


def test_new_lines_are_numbered_as_in_the_whole_file() -> None:
    head = "# acute\n- id: a1\n  text: one\n"
    before = parse_pearl_file(head, "acute.yaml", "acute")
    chunk = format_pearl("b2", PearlDraft(pathway="acute", text="two", back="2"), 0)
    part = parse_appended(before, head, chunk, "acute.yaml", "acute")
    assert part is not None
    assert [(p.line, p.key_lines.get("back", 0)) for p in part.pearls] == [
        (2, 0),
        (4, 6),
    ]
