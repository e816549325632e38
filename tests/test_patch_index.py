"""An edit re-reads only the pearls it changed, and indexes exactly what a full read does."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.collection import Collection
from pearldeck.store import chunks
from pearldeck.store.layout import init_collection

PEARLS = [
    "- id: aaaa0001\n  text: '{{c1::Adenosine}} for stable SVT'\n  tags: [svt]\n",
    "- id: aaaa0002\n  text: First-line for anaphylaxis?\n  back: IM epinephrine\n",
    "- id: aaaa0003\n  text: Sepsis fluids {{c1::30 mL/kg}} {{c2::crystalloid}}\n"
    "  source: UWorld 1\n  # a comment inside\n",
    "- id: aaaa0004\n  text: DKA potassium below {{c1::3.3}} holds insulin\n  added: 2026-01-02\n",
    "- id: aaaa0005\n  text: Tension pneumothorax?\n  back: needle decompression\n\n",
]
EDITS = [
    "- id: aaaa0002\n  text: First-line drug for anaphylaxis?\n  back: IM epinephrine\n",
    "- id: aaaa0006\n  text: New pearl {{c1::here}}\n  tags: [new, more]\n",
    "- id: aaaa0007\n  text: no cloze and no back\n",  # a problem: the full path reports it
    "- text: {{c1::no id}} yet\n",  # needs an id assigned
    "- id: aaaa0001\n  text: the same id again {{c1::twice}}\n",
    "# only a comment\n",
    "- id: aaaa0008\n  text: |\n    a block scalar {{c1::here}}\n",  # not the plain layout
]

ops = st.lists(
    st.one_of(
        st.tuples(st.just("replace"), st.integers(0, 20), st.sampled_from(EDITS)),
        st.tuples(st.just("insert"), st.integers(0, 20), st.sampled_from(EDITS)),
        st.tuples(st.just("delete"), st.integers(0, 20), st.just("")),
        st.tuples(st.just("swap"), st.integers(0, 20), st.just("")),
    ),
    min_size=1,
    max_size=4,
)


def dump(root: Path) -> tuple[list[tuple[object, ...]], ...]:
    db = sqlite3.connect(root / ".cache" / "index.sqlite3")
    try:
        return (
            db.execute(
                "SELECT id, file, line, pos, pathway, added, data, content, chunk FROM pearls "
                "ORDER BY file, pos"
            ).fetchall(),
            db.execute("SELECT pearl_id, tag FROM tags ORDER BY 1, 2").fetchall(),
            db.execute("SELECT * FROM cards ORDER BY 1").fetchall(),
            db.execute("SELECT path, problems FROM files ORDER BY 1").fetchall(),
            db.execute("SELECT card_id, pathway FROM status ORDER BY 1").fetchall(),
        )
    finally:
        db.close()


def write(path: Path, items: list[str], stamp: int) -> None:
    path.write_text("# acute care\n" + "".join(items), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # a new mtime every step, past the racy window


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops)
def test_patched_index_equals_a_full_read(
    tmp_path: Path, steps: list[tuple[str, int, str]]
) -> None:
    root = tmp_path / "c"
    shutil.rmtree(root, ignore_errors=True)
    init_collection(root)
    items = list(PEARLS)
    target = root / "acute.yaml"
    stamp = 1_700_000_000_000_000_000
    write(target, items, stamp)
    Collection(root, assign_ids=False).close()
    for op, i, text in steps:
        if op == "replace" and items:
            items[i % len(items)] = text
        elif op == "insert":
            items.insert(i % (len(items) + 1), text)
        elif op == "delete" and items:
            del items[i % len(items)]
        elif op == "swap" and len(items) > 1:
            j = i % (len(items) - 1)
            items[j], items[j + 1] = items[j + 1], items[j]
        stamp += 10_000_000_000
        write(target, items, stamp)
        with Collection(root, assign_ids=False) as c:
            patched, problems = dump(root), [str(p) for p in c.problems]
        shutil.rmtree(root / ".cache")
        with Collection(root, assign_ids=False) as c:
            assert dump(root) == patched
            assert [str(p) for p in c.problems] == problems


def test_an_edit_of_one_pearl_reads_only_that_pearl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "c"
    init_collection(root)
    target = root / "acute.yaml"
    write(target, PEARLS, 1_700_000_000_000_000_000)
    Collection(root).close()
    parsed: list[bytes] = []
    real = chunks.parse_chunk

    def spy(line: int, chunk: bytes) -> object:
        parsed.append(chunk)
        return real(line, chunk)

    monkeypatch.setattr(chunks, "parse_chunk", spy)
    items = list(PEARLS)
    items[1] = EDITS[0]
    items.insert(0, "# a new comment line shifts every pearl down\n")
    write(target, items, 1_700_000_100_000_000_000)
    with Collection(root) as c:
        assert c.last_refresh.files_read == 1 and not c.problems
        assert parsed == [EDITS[0][2:-1].encode()]  # its bytes, up to the next pearl
        lines = {p.id: p.line for p in c.pearls()}
    text = target.read_text().split("\n")
    assert lines == {
        p[6:14]: text.index(p.split("\n")[0]) + 1 for p in PEARLS if p != PEARLS[1]
    } | {"aaaa0002": text.index("- id: aaaa0002") + 1}


def test_pearls_just_added_are_indexed_by_chunk_so_a_first_edit_reads_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from pearldeck.drafts import PearlDraft

    root = tmp_path / "c"
    init_collection(root)
    with Collection(root) as col:
        drafts = [PearlDraft(pathway="acute", text=f"pearl {i}", back="yes") for i in range(50)]
        col.add_ids(drafts, datetime(2026, 12, 3, tzinfo=UTC))
    path = root / "acute.yaml"
    path.write_text(path.read_text().replace("pearl 7\n", "pearl seven\n"))
    parsed: list[int] = []
    real = chunks.parse_chunk

    def spy(line: int, chunk: bytes) -> tuple[int, dict[str, object], dict[str, int]] | None:
        parsed.append(line)
        return real(line, chunk)

    monkeypatch.setattr(chunks, "parse_chunk", spy)
    with Collection(root) as col:
        assert {p.text for p in col.pearls()} >= {"pearl seven", "pearl 8"}
    assert len(parsed) == 1


def _replace_one_way(
    root: Path, monkeypatch: pytest.MonkeyPatch, plain: bool, n: int, target: int, new: str | None
) -> tuple[str, int]:
    """The file after replacing (or deleting) one pearl, and how many whole-file reads."""
    from datetime import UTC, datetime

    from pearldeck.drafts import PearlDraft
    from pearldeck.store import yamlfile

    init_collection(root)
    with Collection(root) as col:
        drafts = [
            PearlDraft(pathway="acute", text=f"pearl {i}", back="yes", tags=("t",))
            for i in range(n)
        ]
        ids = col.add_ids(drafts, datetime(2026, 12, 3, tzinfo=UTC))
        path = root / "acute.yaml"
        path.write_text(path.read_text() + "# a comment the user wrote\n")
        col.refresh()
        pearl = col.pearl(ids[target])
        draft = None if new is None else PearlDraft(pathway="acute", text=new, back="no")
        calls: list[int] = []
        parse = yamlfile.parse_pearl_file

        def counted(text: str, path: str, pathway: str) -> yamlfile.ParsedFile:
            calls.append(1)
            return parse(text, path, pathway)

        with monkeypatch.context() as m:
            m.setattr(yamlfile, "parse_pearl_file", counted)
            if not plain:
                m.setattr(Collection, "_plain_pearl", lambda *a: None)
            col.replace_pearl(ids[target], draft, based_on=pearl)
        text = path.read_text()
        for i, pid in enumerate(ids):  # ids are random: compare the layouts
            text = text.replace(pid, f"pearl-id-{i}")
        if new is not None:
            edited = col.pearl(ids[target])
            assert edited is not None and edited.text == new
    return text, len(calls)


@pytest.mark.parametrize(
    ("n", "target", "new"),
    [(5, 0, "edited: first"), (5, 4, "the last, edited"), (5, 2, None), (1, 0, None)],
)
def test_replacing_a_pearl_by_its_chunk_writes_what_a_whole_read_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, target: int, new: str | None
) -> None:
    by_chunk, whole_reads = _replace_one_way(tmp_path / "a", monkeypatch, True, n, target, new)
    by_whole, _ = _replace_one_way(tmp_path / "b", monkeypatch, False, n, target, new)
    assert by_chunk == by_whole
    assert whole_reads == 0
    assert by_chunk.endswith("# a comment the user wrote\n")
