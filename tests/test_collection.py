"""The collection on disk: pearl files, validation, ids, the index (issue 2)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlError
from pearldeck.store.fsutil import ChangedOnDisk
from pearldeck.store.layout import init_collection
from tests.conftest import NOW, draft


def problems_of(root: Path) -> list[str]:
    with Collection(root, assign_ids=False) as c:
        return [str(p) for p in c.problems]


def test_init_makes_five_pathway_files_settings_and_git_files(root: Path) -> None:
    names = sorted(p.name for p in root.iterdir())
    assert names == [
        ".gitattributes",
        ".gitignore",
        "acute.yaml",
        "chronic.yaml",
        "diagnostic.yaml",
        "preventive.yaml",
        "reviews",
        "settings.toml",
        "systems-based.yaml",
    ]
    assert ".cache/" in (root / ".gitignore").read_text()
    assert "*.yaml merge=union" in (root / ".gitattributes").read_text()
    assert problems_of(root) == []


def test_init_adds_the_device_line_to_an_older_gitignore(root: Path) -> None:
    older = "# mine\n.cache/\n*.swp"  # made before .device existed, no final newline
    (root / ".gitignore").write_text(older, encoding="utf-8")
    assert root / ".gitignore" in init_collection(root)
    text = (root / ".gitignore").read_text(encoding="utf-8")
    assert text.startswith(older + "\n") and ".device" in text.splitlines()
    assert root / ".gitignore" not in init_collection(root)  # once only
    assert (root / ".gitignore").read_text(encoding="utf-8") == text


def test_add_appends_without_touching_existing_bytes(root: Path) -> None:
    original = (
        "# my acute pearls\n"
        "- id: abcd12   # keep this comment\n"
        "  text: 'Tension pneumothorax: {{c1::needle decompression}}'\n"
        "\n"
        "  # a trailing comment\n"
    )
    (root / "acute.yaml").write_text(original)
    with Collection(root) as c:
        [p] = c.add([draft("Most common cause of SBO?", back="Adhesions", tags=("gi",))], NOW)
    text = (root / "acute.yaml").read_text()
    assert text.startswith(original)
    assert f"- id: {p.id}\n  text: Most common cause of SBO?\n  back: Adhesions\n" in text
    assert "tags: [gi]" in text and "added: 2026-11-27" in text


def test_add_matches_indentation_of_an_indented_list(root: Path) -> None:
    (root / "chronic.yaml").write_text("  - id: aaaa11\n    text: 'x {{c1::y}}'\n")
    with Collection(root) as c:
        c.add([draft("Q?", pathway="chronic", back="A")], NOW)
        assert [p.text for p in c.pearls("chronic")] == ["x {{c1::y}}", "Q?"]
        assert c.problems == []


@pytest.mark.parametrize(
    "value", ["NO", "ON", "1:2", "1.10", "017", "yes", "~", "null", "2026-01-01"]
)
def test_scalars_survive_as_written(root: Path, value: str) -> None:
    (root / "acute.yaml").write_text(
        f"- id: aaaa11\n  text: Gas that dilates vessels?\n  back: {value}\n  tags: [{value}]\n"
    )
    with Collection(root) as c:
        [p] = c.pearls()
        assert p.back == value
        assert p.tags == (value.lower(),)  # a string, never a bool; tags are lowercase


def test_added_values_round_trip_through_the_tool(root: Path) -> None:
    with Collection(root) as c:
        for value in [
            "NO",
            "1:2",
            "017",
            "a: b",
            "#hash",
            "{{c1::x}} first",
            "'quoted'",
            'say "hi"',
        ]:
            [p] = c.add([draft(f"Which? {value}", back=value)], NOW)
            got = c.pearl(p.id)
            assert got is not None and got.back == value


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("- id: aaaa11\n  text: q?\n  back: a\n  colour: red\n", 4, "unknown key 'colour'"),
        ("- id: aaaa11\n  text: ''\n  back: a\n", 2, "pearl has no text"),
        ("- id: aaaa11\n  text: 'a {{c1::}} b'\n", 2, "cloze has no deletions"),
        ("- id: aaaa11\n  text: plain fact\n", 2, "no cloze and no back"),
        ("- id: aaaa11\n  text: 'a {{c0::b}}'\n", 2, "cloze numbers start at c1"),
        ("- id: aaaa11\n  text: q?\n  text: again?\n  back: a\n", 3, "duplicate key 'text'"),
        ("- &a {id: aaaa11, text: q?, back: a}\n- *a\n", 1, "anchors and aliases"),
        ("- id: aaaa11\n  text: !!python/object q\n  back: a\n", 2, "tag"),
        ("- id: aaaa11\n\ttext: q?\n", 2, "YAML syntax error"),
        ("text: q?\n", 1, "must be a list"),
        ("- just a string\n", 1, "must be a mapping"),
        ("- id: AB\n  text: q?\n  back: a\n", 1, "id 'AB'"),
        ("- id: aaaa11\n  text: q?\n  back: a\n  added: yesterday\n", 4, "'added' must be a date"),
        ("- id: aaaa11\n  text: [a, b]\n  back: a\n", 2, "'text' must be text"),
    ],
)
def test_errors_name_path_and_line(root: Path, body: str, line: int, message: str) -> None:
    (root / "acute.yaml").write_text(body)
    found = problems_of(root)
    assert any(p.startswith(f"{root}/acute.yaml:{line}: ") and message in p for p in found), found


def test_duplicate_ids_name_both_places(root: Path) -> None:
    (root / "acute.yaml").write_text("- id: dup111\n  text: q?\n  back: a\n")
    (root / "chronic.yaml").write_text("# c\n- id: dup111\n  text: q2?\n  back: b\n")
    [problem] = problems_of(root)
    assert problem.startswith(f"{root}/chronic.yaml:2: duplicate id 'dup111'")
    assert f"{root}/acute.yaml:1" in problem


def test_oversized_file_is_refused_unparsed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pearldeck.store import yamlfile

    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 1000)
    (root / "acute.yaml").write_text("- id: aaaa11\n  text: q?\n  back: " + "x" * 2000 + "\n")
    [problem] = problems_of(root)
    assert "larger than" in problem


def test_stray_yaml_file_is_reported(root: Path) -> None:
    (root / "cardio.yaml").write_text("[]\n")
    assert any("not a pathway file" in p for p in problems_of(root))


def test_pathway_subfolders_hold_pearls_too(root: Path) -> None:
    (root / "acute.yaml").unlink()
    (root / "acute").mkdir()
    (root / "acute" / "trauma.yaml").write_text("- id: aaaa11\n  text: q?\n  back: a\n")
    with Collection(root) as c:
        [p] = c.pearls()
        assert (p.pathway, p.file) == ("acute", "acute/trauma.yaml")
        [new] = c.add([draft("q2?", back="b")], NOW)
        assert new.file == "acute/pearls.yaml"


def test_missing_ids_are_assigned_and_written_back_leaving_the_rest(root: Path) -> None:
    body = (
        "# top\n- text: 'first {{c1::one}}'   # why\n  tags: [x]\n-\n"
        "  text: q?\n  back: a\n- {text: 'q3?', back: c}\n"
    )
    (root / "acute.yaml").write_text(body)
    assert sum("has no id" in p for p in problems_of(root)) == 3
    with Collection(root) as c:
        assert c.last_refresh.ids_assigned == 3
        ids = [p.id for p in c.pearls()]
        assert c.problems == []
    text = (root / "acute.yaml").read_text()
    assert text == (
        f"# top\n- id: {ids[0]}\n  text: 'first {{{{c1::one}}}}'   # why\n  tags: [x]\n-\n"
        f"  id: {ids[1]}\n  text: q?\n  back: a\n- {{id: {ids[2]}, text: 'q3?', back: c}}\n"
    )


def test_unchanged_collection_reads_no_yaml_and_an_edit_reads_one_file(root: Path) -> None:
    with Collection(root) as c:
        c.add([draft("q1?", back="a"), draft("q2?", pathway="chronic", back="b")], NOW)
    with Collection(root) as c:
        assert c.last_refresh.files_read == 0
    path = root / "chronic.yaml"
    path.write_text(path.read_text().replace("q2?", "q2 edited?"))
    with Collection(root) as c:
        assert c.last_refresh.files_read == 1
        assert {p.text for p in c.pearls()} == {"q1?", "q2 edited?"}


def test_deleting_the_cache_loses_nothing(root: Path) -> None:
    with Collection(root) as c:
        [p] = c.add([draft("q?", back="a")], NOW)
        before = [x.fields() for x in c.pearls()]
    shutil.rmtree(root / ".cache")
    with Collection(root) as c:
        assert [x.fields() for x in c.pearls()] == before
        assert c.pearl(p.id) is not None


def test_corrupt_index_is_rebuilt(root: Path) -> None:
    with Collection(root) as c:
        c.add([draft("q?", back="a")], NOW)
    db = root / ".cache" / "index.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    with Collection(root) as c:
        assert len(c.pearls()) == 1


def test_edit_is_refused_when_the_file_changed_underneath(root: Path) -> None:
    with Collection(root) as c:
        [p] = c.add([draft("q?", back="a")], NOW)
        path = root / "acute.yaml"
        path.write_text(path.read_text() + "# someone else's edit\n")
        with pytest.raises(ChangedOnDisk):
            c.replace_pearl(p.id, draft("q edited?", back="a"))
        assert path.read_text().endswith("# someone else's edit\n")
        c.refresh()
        edited = c.replace_pearl(p.id, draft("q edited?", back="a"))
        assert edited is not None and edited.text == "q edited?"
        assert path.read_text().endswith("# someone else's edit\n")


def test_delete_removes_only_that_pearl(root: Path) -> None:
    with Collection(root) as c:
        a, b, d = c.add([draft("a?", back="1"), draft("b?", back="2"), draft("d?", back="3")], NOW)
        c.replace_pearl(b.id, None)
        assert [p.id for p in c.pearls()] == [a.id, d.id]
        assert c.problems == []


def test_invalid_draft_is_refused_and_nothing_written(root: Path) -> None:
    before = (root / "acute.yaml").read_bytes()
    with Collection(root) as c, pytest.raises(PearlError) as err:
        c.add([draft("ok?", back="a"), draft("no answer at all")], NOW)
    assert "no cloze and no back" in str(err.value)
    assert (root / "acute.yaml").read_bytes() == before


def test_appending_to_a_flow_list_is_refused_with_a_message(root: Path) -> None:
    (root / "acute.yaml").write_text("[{id: aaaa11, text: q?, back: a}]\n")
    with Collection(root) as c, pytest.raises(PearlError) as err:
        c.add([draft("q2?", back="b")], NOW)
    assert "flow list" in str(err.value)


def test_utf8_bom_and_crlf_files_are_read(root: Path) -> None:
    (root / "acute.yaml").write_bytes(b"\xef\xbb\xbf- id: aaaa11\r\n  text: q?\r\n  back: a\r\n")
    with Collection(root) as c:
        assert [p.text for p in c.pearls()] == ["q?"]


def test_invalid_utf8_is_a_problem_with_its_line(root: Path) -> None:
    (root / "acute.yaml").write_bytes(b"- id: aaaa11\n  text: q?\n  back: \xff\n")
    assert problems_of(root) == [f"{root}/acute.yaml:3: not valid UTF-8 text"]


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(root: Path) -> None:
    path = root / "acute.yaml"
    path.write_text("- id: aaaa11\n  text: q1?\n  back: a\n")
    with Collection(root) as c:
        assert [p.text for p in c.pearls()] == ["q1?"]
    st = path.stat()
    path.write_text("- id: aaaa11\n  text: q2?\n  back: a\n")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    with Collection(root) as c:
        assert [p.text for p in c.pearls()] == ["q2?"]


def _snapshot(c: Collection) -> tuple[object, ...]:
    cards = c.index.db.execute("SELECT * FROM cards ORDER BY card_id").fetchall()
    tags = c.index.db.execute("SELECT * FROM tags ORDER BY pearl_id, tag").fetchall()
    return ([p.fields() for p in c.pearls()], cards, tags, sorted(c.problems, key=str))


def test_an_edited_file_is_indexed_exactly_as_a_rebuild_would(root: Path) -> None:
    with Collection(root) as c:
        c.add([draft(f"q{i}? {{{{c1::x{i}}}}}", tags=(f"t{i}",)) for i in range(8)], NOW)
    path = root / "acute.yaml"
    edits: list[Callable[[str], str]] = [
        lambda t: t.replace("q3?", "q3 edited?"),  # one pearl's text
        lambda t: t.replace("tags: [t5]", "tags: [t5, extra]"),  # its tags
        lambda t: "# a new first line\n" + t,  # every line moves
        lambda t: t.replace("{{c1::x6}}", "{{c1::x6}} {{c2::y6}}"),  # a new card
        lambda t: "".join(t.split("- id: ")[0:2]) + "- id: " + "- id: ".join(t.split("- id: ")[3:]),
        lambda t: t + "- id: zz9999\n  text: 'late {{c1::one}}'\n",  # appended by hand
    ]
    for edit in edits:
        path.write_text(edit(path.read_text()))
        with Collection(root) as c:
            incremental = _snapshot(c)
        shutil.rmtree(root / ".cache")
        with Collection(root) as c:
            assert _snapshot(c) == incremental
