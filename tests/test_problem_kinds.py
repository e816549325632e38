"""Problems carry a kind, and code acts on the kind: rewording a message changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pearldeck import indexing, model
from pearldeck.collection import Collection
from pearldeck.model import DUPLICATE_ID, FILE, MISSING_ID, SCHEMA, SYNTAX, VALUE, PearlError
from pearldeck.store.yamlfile import parse_pearl_file
from tests.conftest import NOW, draft


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("- id: aaaa11\n\ttext: q?\n", SYNTAX),
        ("text: q?\n", SYNTAX),
        ("- just a string\n", SYNTAX),
        ("- &a {id: aaaa11, text: q?, back: a}\n- *a\n", SYNTAX),
        ("- id: aaaa11\n  text: [a, b]\n  back: a\n", VALUE),
        ("- id: aaaa11\n  text: q?\n  back: a\n  added: yesterday\n", VALUE),
        ("- id: AB\n  text: q?\n  back: a\n", VALUE),
        ("- id: aaaa11\n  text: q?\n  back: a\n  colour: red\n", SCHEMA),
        ("- id: aaaa11\n  text: no cloze here\n", SCHEMA),
    ],
)
def test_each_problem_has_its_kind(text: str, kind: str) -> None:
    problems = parse_pearl_file(text, "acute.yaml", "acute").problems
    assert [p.kind for p in problems] == [kind]


def test_missing_and_duplicate_ids_and_files_have_kinds(root: Path) -> None:
    (root / "acute.yaml").write_text(
        "- id: aaaa11\n  text: q?\n  back: a\n- id: aaaa11\n  text: r?\n  back: b\n"
        "- text: s?\n  back: c\n"
    )
    (root / "chronic.yaml").write_bytes(b"- text: \xff\n")
    with Collection(root, assign_ids=False) as c:
        kinds = {p.kind for p in c.problems}
    assert kinds == {DUPLICATE_ID, MISSING_ID, FILE}


def test_ids_are_assigned_by_kind_not_by_wording(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pearl without an id, first seen by a read that assigns none, gets its id on the next
    open even when the message says it in other words."""
    monkeypatch.setattr(indexing, "NO_ID", "this pearl wants an identifier")
    (root / "acute.yaml").write_text("- text: q?\n  back: a\n")
    with Collection(root, assign_ids=False) as c:
        assert [p.kind for p in c.problems] == [MISSING_ID]
        assert model.NO_ID not in str(c.problems[0])
    with Collection(root) as c:
        assert c.problems == []
        [pearl] = c.pearls()
    assert f"id: {pearl.id}" in (root / "acute.yaml").read_text()


def test_append_is_refused_by_kind(root: Path) -> None:
    """A file the reader cannot take as a list of pearls is never appended to."""
    (root / "acute.yaml").write_text("- id: aaaa11\n\ttext: q?\n")
    with Collection(root, assign_ids=False) as c, pytest.raises(PearlError) as e:
        c.add([draft("new?", back="yes")], NOW)
    assert "fix it before adding pearls" in str(e.value)
    assert (root / "acute.yaml").read_text() == "- id: aaaa11\n\ttext: q?\n"
