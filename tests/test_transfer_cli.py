"""`pearls export` and `pearls import` end to end, checked with the real Anki backend."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.model import Pearl

runner = CliRunner()
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
NOW = "2026-11-27T15:00:00Z"


def run(root: Path, *args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(
        app,
        ["--dir", str(root), *args],
        env={"PEARLS_NOW": NOW},
        input=stdin,
        catch_exceptions=False,
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout + result.stderr


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    (tmp_path / "anki").mkdir()
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_into(col: AnkiCollection, path: Path) -> tuple[int, int, int]:
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    log = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=options)
    ).log
    return len(log.new), len(log.updated), len(log.duplicate)


def test_export_default_path_and_summary(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anki: AnkiCollection
) -> None:
    run(root, "add", "Give {{c1::IM epinephrine}} in {{c2::anaphylaxis}}", "-p", "acute")
    run(root, "add", "Target A1c?", "-p", "chronic", "--back", "< 7%", "-t", "diabetes")
    monkeypatch.chdir(tmp_path)
    out = run(root, "export")
    deck = tmp_path / "decks" / "clinical-pearls.apkg"
    assert deck.exists()
    assert out.startswith("wrote decks/clinical-pearls.apkg: 2 notes, 3 cards, 3 decks, ")
    assert import_into(anki, deck) == (2, 0, 0)
    assert sorted(d.name for d in anki.decks.all_names_and_ids()) == [
        "Clinical Pearls",
        "Clinical Pearls::Acute",
        "Clinical Pearls::Chronic",
        "Default",
    ]
    assert anki.card_count() == 3
    assert "pathway::chronic" in anki.tags.all()


def test_export_filters_and_deck_name(root: Path, tmp_path: Path, anki: AnkiCollection) -> None:
    run(root, "add", "q1?", "-p", "acute", "--back", "a", "-t", "cards")
    run(root, "add", "q2?", "-p", "chronic", "--back", "b")
    run(root, "add", "q3?", "-p", "chronic", "--back", "c", "-t", "cards")
    out = tmp_path / "x" / "mine.apkg"
    run(root, "export", "-o", str(out), "-p", "chronic", "--deck", "Step 2")
    assert import_into(anki, out) == (2, 0, 0)
    run(root, "export", "-o", str(out), "-t", "cards")
    assert import_into(anki, out) == (1, 0, 1)
    run(root, "export", "-o", str(out), "-t", "nothing", code=1)


def test_reexport_after_edits_updates_exactly_those_notes(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    for i in range(6):
        run(root, "add", f"Question {i}?", "-p", "acute", "--back", f"answer {i}")
    deck = tmp_path / "d.apkg"
    run(root, "export", "-o", str(deck))
    assert import_into(anki, deck) == (6, 0, 0)
    run(root, "export", "-o", str(deck))
    assert import_into(anki, deck) == (0, 0, 6)  # unchanged: nothing updated
    time.sleep(0.01)
    path = root / "acute.yaml"
    text = path.read_text().replace("answer 1", "answer one").replace("answer 4", "answer four")
    path.write_text(text)
    os.utime(path, (time.time() + 5, time.time() + 5))  # a later edit than the first export
    run(root, "add", "Question new?", "-p", "acute", "--back", "fresh")
    run(root, "export", "-o", str(deck))
    assert import_into(anki, deck) == (1, 2, 4)
    backs = sorted(anki.get_note(n)["Back"] for n in anki.find_notes(""))
    assert "answer one" in backs and "answer four" in backs and "fresh" in backs


def test_unwritable_export_path_is_a_clear_error(root: Path, tmp_path: Path) -> None:
    run(root, "add", "q?", "-p", "acute", "--back", "a")
    (tmp_path / "file").write_text("x")
    out = run(root, "export", "-o", str(tmp_path / "file" / "deck.apkg"), code=1)
    assert "cannot write" in out and "Traceback" not in out


NOTES = """\
---
tags: [uworld]
---
# Acute care

- First drug for anaphylaxis :: IM epinephrine #allergy
- Septic shock first pressor is ==norepinephrine==
- just a note, not a pearl

# Chronic disease management

Q: A1c target for most adults?
A: < 7%
"""


def test_import_dry_run_then_import_then_again_adds_nothing(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    notes = Path("notes")
    (notes / "sub").mkdir(parents=True)
    (notes / "sub" / "week1.md").write_text(NOTES)
    before = (root / "acute.yaml").read_bytes()
    out = run(root, "import", str(notes), "--dry-run")
    assert (
        "would add 3 pearl(s) (2 acute, 1 chronic); 0 already present; 0 invalid; "
        "1 paragraph(s) skipped"
    ) in out
    assert "notes/sub/week1.md:6" in out and "epinephrine" in out
    assert (root / "acute.yaml").read_bytes() == before
    out = run(root, "import", str(notes), "-s", "UWorld block 3")
    assert "added 3 pearl(s)" in out
    pearls = {p.text: p for p in _pearls(root)}
    first = pearls["First drug for anaphylaxis"]
    assert first.back == "IM epinephrine" and first.source == "UWorld block 3"
    assert first.origin == "notes/sub/week1.md:6"
    assert set(first.tags) == {"uworld", "allergy"}
    assert pearls["Septic shock first pressor is {{c1::norepinephrine}}"].pathway == "acute"
    assert pearls["A1c target for most adults?"].pathway == "chronic"
    assert (root / "acute.yaml").read_bytes().startswith(before)
    out = run(root, "import", str(notes))
    assert "added 0 pearl(s); 3 already present" in out
    assert len(_pearls(root)) == 3


def test_import_from_stdin_with_pathway_default(root: Path) -> None:
    out = run(root, "import", "-", "-p", "preventive", stdin="- CRC screening starts at :: 45\n")
    assert "added 1 pearl(s) (1 preventive)" in out
    [p] = _pearls(root)
    assert p.origin == "<stdin>:1"


def test_import_with_an_invalid_pearl_writes_nothing_unless_skip_invalid(
    root: Path, tmp_path: Path
) -> None:
    md = tmp_path / "bad.md"
    md.write_text("- no pathway here :: answer\n- {{c1::}} empty cloze\n")
    before = {p.name: p.read_bytes() for p in root.glob("*.yaml")}
    out = run(root, "import", str(md), code=1)
    assert f"{md}:1: no pathway for this pearl" in out and "nothing imported" in out
    assert {p.name: p.read_bytes() for p in root.glob("*.yaml")} == before
    md.write_text("# Acute\n- good one :: yes\n- {{c1:: }} empty cloze\n- q :: \n")
    out = run(root, "import", str(md), "--skip-invalid")
    assert "added 1 pearl(s)" in out
    assert [p.text for p in _pearls(root)] == ["good one"]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00binary\x00junk",
        ("- " + "x" * 300_000 + " :: y\n").encode(),
        b"- a\n" + b"  - b\n" * 5000,
        b"> " * 20000 + b"- q :: a\n",
    ],
)
def test_hostile_markdown_is_a_message_not_a_traceback(
    root: Path, tmp_path: Path, data: bytes
) -> None:
    md = tmp_path / "hostile.md"
    md.write_bytes(data)
    result = runner.invoke(
        app, ["--dir", str(root), "import", str(md), "-p", "acute"], catch_exceptions=False
    )
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)


def test_missing_input_file_is_reported(root: Path, tmp_path: Path) -> None:
    out = run(root, "import", str(tmp_path / "nope.md"), code=1)
    assert f"{tmp_path}/nope.md: no such file or folder" in out


def _pearls(root: Path) -> list[Pearl]:
    from pearldeck.collection import Collection

    with Collection(root) as c:
        return c.pearls()
