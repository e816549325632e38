"""Appending pearls reads back only the new lines: the parse it builds is the whole file's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pearldeck.collection import Collection
from pearldeck.drafts import PearlDraft
from pearldeck.store.fastyaml import fast_parse
from pearldeck.store.layout import init_collection
from pearldeck.store.pearlfile import (
    Appended,
    append_target,
    finish_append,
    format_pearl,
    formatted,
)
from pearldeck.store.yamlfile import ParsedFile, parse_appended_parts, parse_pearl_file
from tests.conftest import NOW


def parse_appended(
    before: ParsedFile, head: str, chunk: str, path: str, pathway: str
) -> ParsedFile | None:
    """The new lines read as one part, as a one-process append reads them."""
    return parse_appended_parts(before, head, [(chunk, fast_parse(chunk))], path, pathway)


def append_pearls(old: str, path: str, pathway: str, new: list[tuple[str, PearlDraft]]) -> Appended:
    """An append done in one process: the file's target, one formatted part, the check."""
    target = append_target(old, path, pathway)
    return finish_append(target, new, [formatted(new, target.indent, None)])


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
    # the same new pearls read in parts, as two processes do for a big import
    items = [(f"n{i}", d) for i, d in enumerate(new)]
    parts = [formatted(items[a : a + 2], indent if old else 0, None) for a in range(0, len(new), 2)]
    split = parse_appended_parts(before, head, parts, "acute.yaml", "acute")
    if split is not None:
        assert split == whole
        assert "".join(text for text, _ in parts) == chunk


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


def test_parts_at_another_column_are_read_whole() -> None:
    head = "- id: a1\n  text: one\n"
    before = parse_pearl_file(head, "acute.yaml", "acute")
    draft = PearlDraft(pathway="acute", text="two")
    parts = [formatted([("b2", draft)], 0, None), formatted([("c3", draft)], 2, None)]
    assert parse_appended_parts(before, head, parts, "acute.yaml", "acute") is None
    assert parse_appended_parts(before, head, parts[:1], "acute.yaml", "acute") is not None


Made = tuple[list[str], dict[str, bytes], list[tuple[str, str]], bool]


def _add_big(root: Path, fork: bool) -> Made:
    """2,000 pearls added with fixed ids, on one core or two; what it wrote, and whether a
    child did part of it."""
    from pearldeck.services import folder_index, forked

    drafts = [
        PearlDraft(pathway=("acute", "chronic")[i % 2], text=f"Pearl {i} {{{{c1::x}}}}")
        for i in range(2000)
    ]
    counter = iter(range(10**6))
    remote: list[bool] = []
    real = forked.split_map

    def spy(fn: Any, items: Any, weights: Any) -> Any:
        got = real(fn, items, weights)
        remote.extend(r for _, r in got)
        return got

    init_collection(root)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(folder_index.FolderIndex, "_fresh_id", lambda s, u: f"p{next(counter):05d}")
        m.setattr(forked, "_can_fork", lambda: fork)
        m.setattr(forked, "split_map", spy)
        with Collection(root) as col:
            ids = col.add_ids(drafts, NOW)
            rows = [(p.id, p.text) for p in col.pearls()]
    files = {p.name: p.read_bytes() for p in sorted(root.glob("*.yaml"))}
    return ids, files, rows, any(remote)


def test_a_big_add_is_formatted_on_two_cores_and_writes_what_one_would(tmp_path: Path) -> None:
    """Above `MIN_WEIGHT` half the new pearls are formatted and read back in a forked child;
    the files and the index are those of one process doing it all."""
    one = _add_big(tmp_path / "one", fork=False)
    two = _add_big(tmp_path / "two", fork=True)
    assert two[3] and not one[3]  # a child did part of the work only when it could
    assert one[0] == [f"p{i:05d}" for i in range(2000)]
    assert two[:3] == one[:3]
