"""`pearls import` parses only the notes that changed; what it reads from its cache is what
a parse would give, under the same options and images, and a broken cache is parsed again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.markdown_import import ImportDefaults
from pearldeck.services import forked
from pearldeck.services.note_cards import NoteCards, read_note_cards
from pearldeck.services.note_media import NoteMedia

NOTE_A = """\
# Acute care

## Anaphylaxis

- First drug for anaphylaxis :: IM epinephrine #allergy
- Where is it injected? :: the anterolateral thigh
- {{c1::Biphasic}} reactions can recur hours later

Q: empty answer
A:
"""
NOTE_B = """\
---
pathway: preventive
---
Lung cancer screening: annual {{c1::low-dose CT}} for adults 50 to 80 with 20 pack-years
<!--SR:!2026-12-10,12,250-->
"""


def _read(col: Collection, notes: Path, **options: object) -> NoteCards:
    media = NoteMedia(col.root)
    defaults = ImportDefaults(media=media, **options)  # type: ignore[arg-type]
    return read_note_cards([str(notes)], defaults, col.validate_draft, col.note_cache())


def _view(read: NoteCards) -> tuple[object, ...]:
    cards = [(c.draft, c.note, c.key, c.schedules) for c in read.cards]
    return (cards, read.problems, read.notes, read.skipped)


def _notes(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(NOTE_A)
    (notes / "b.md").write_text(NOTE_B)
    return notes


def test_unchanged_notes_are_not_parsed_again_and_read_the_same(root: Path, tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    with Collection(root) as col:
        first = _read(col, notes)
        again = _read(col, notes)
    assert first.parsed == 2 and again.parsed == 0
    assert _view(again) == _view(first)
    assert len(first.cards) == 4  # three from a.md, one from b.md
    assert [str(p) for p in first.problems] == [f"{notes / 'a.md'}:10: empty answer after 'A:'"]
    assert first.cards[-1].schedules  # the SR comment survives the cache


def test_only_the_edited_note_is_parsed_again(root: Path, tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    with Collection(root) as col:
        _read(col, notes)
        (notes / "b.md").write_text(NOTE_B.replace("low-dose CT", "LDCT"))
        read = _read(col, notes)
    assert read.parsed == 1
    assert "{{c1::LDCT}}" in read.cards[-1].draft.text


def test_other_options_parse_again(root: Path, tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    with Collection(root) as col:
        _read(col, notes)
        read = _read(col, notes, tags=("uworld",))
    assert read.parsed == 2
    assert all("uworld" in c.draft.tags for c in read.cards)


def test_an_image_that_changed_or_appeared_means_a_parse(root: Path, tmp_path: Path) -> None:
    notes = tmp_path / "vault"
    notes.mkdir()
    (notes / "ecg.md").write_text("# Acute care\n\n- Rhythm? ![[strip.png]] :: atrial flutter\n")
    with Collection(root) as col:
        missing = _read(col, notes)
        assert any("not found" in p.message for p in missing.notes)
        (notes / "strip.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"one")
        found = _read(col, notes)
        (notes / "strip.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"two")
        changed = _read(col, notes)
        same = _read(col, notes)
    assert (found.parsed, changed.parsed, same.parsed) == (1, 1, 0)
    assert "media/" in found.cards[0].draft.text
    assert found.cards[0].draft.text != changed.cards[0].draft.text
    assert same.cards[0].draft.text == changed.cards[0].draft.text


def test_a_broken_cache_entry_is_parsed_again(root: Path, tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    with Collection(root) as col:
        first = _read(col, notes)
        entries = sorted(col.note_cache().glob("*.json"))
        assert len(entries) == 2
        entries[0].write_text('{"digest": 7, "cards": [')
        entries[1].write_text(entries[1].read_text().replace('"f": ["', '"f": [1, "', 1))
        again = _read(col, notes)
    assert again.parsed == 2
    assert _view(again) == _view(first)


def test_a_reimport_from_the_cache_prints_what_a_parse_prints(root: Path, tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    runner = CliRunner()

    def run() -> tuple[int, str, str]:
        r = runner.invoke(
            app,
            ["--dir", str(root), "import", str(notes), "--skip-invalid"],
            env={"PEARLS_NOW": "2026-11-27T15:00:00Z"},
        )
        return r.exit_code, r.stdout, r.stderr

    code, out, err = run()
    assert code == 0 and out.startswith("added 4 pearl(s)")
    code2, out2, err2 = run()
    assert (code2, err2) == (code, err)
    assert out2.startswith("added 0 pearl(s); 4 already present; 1 invalid")
    assert out2.rstrip().endswith("; 2 unchanged note(s) not read again")


def test_import_records_survive_a_torn_line_and_a_bad_merge(root: Path) -> None:
    good = '{"note":"n.md","key":"k%d","pearl":"p%d","digest":"d"}'
    lines = [good % (1, 1), "<<<<<<< HEAD", good % (2, 2), "[1, 2]", '{"note":"n.md","ke']
    (root / "imports.jsonl").write_text("\n".join(lines))
    with Collection(root) as col:
        records = col.import_records()
    assert sorted(r.pearl for r in records.values()) == ["p1", "p2"]


def test_import_with_export_takes_notes_to_a_deck_anki_reads(root: Path, tmp_path: Path) -> None:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    notes = _notes(tmp_path)
    deck = tmp_path / "out" / "step2.apkg"
    runner = CliRunner()
    args = ["--dir", str(root), "import", str(notes), "--skip-invalid", "--export", str(deck)]
    result = runner.invoke(app, args, env={"PEARLS_NOW": "2026-11-27T15:00:00Z"})
    assert result.exit_code == 0, result.stderr
    assert f"wrote {deck}: 4 notes" in result.stdout
    (tmp_path / "anki").mkdir()
    anki = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(deck), options=ImportAnkiPackageOptions(with_scheduling=False)
        )
        anki.import_anki_package(request)
        fronts = sorted(anki.get_note(n).fields[0] for n in anki.find_notes(""))
    finally:
        anki.close()
    assert len(fronts) == 4
    assert any("First drug for anaphylaxis" in f for f in fronts)
    dry = runner.invoke(app, [*args[:-2], "--dry-run", "--export", str(tmp_path / "no.apkg")])
    assert dry.exit_code == 0 and not (tmp_path / "no.apkg").exists()


def test_an_export_with_nothing_changed_leaves_the_deck_as_it_is(
    root: Path, tmp_path: Path
) -> None:
    notes = _notes(tmp_path)
    deck = tmp_path / "deck.apkg"
    runner = CliRunner()

    def export(*extra: str) -> str:
        args = ["--dir", str(root), "export", "-o", str(deck), *extra]
        result = runner.invoke(app, args, env={"PEARLS_NOW": "2026-11-27T15:00:00Z"})
        assert result.exit_code == 0, result.stderr
        return str(result.stdout)

    runner.invoke(app, ["--dir", str(root), "import", str(notes), "--skip-invalid"])
    assert export().startswith(f"wrote {deck}: 4 notes")
    written = deck.stat()
    assert export().startswith(f"{deck} is up to date (4 notes")
    assert deck.stat().st_mtime_ns == written.st_mtime_ns
    assert export("--deck", "Step 2").startswith("wrote")  # another deck name: other bytes
    (notes / "b.md").write_text(NOTE_B.replace("low-dose CT", "LDCT"))
    runner.invoke(app, ["--dir", str(root), "import", str(notes), "--skip-invalid"])
    assert export("--deck", "Step 2").startswith("wrote")  # a pearl changed
    assert export("--deck", "Step 2").startswith(f"{deck} is up to date")
    deck.write_bytes(deck.read_bytes() + b"x")  # the file was changed since: written again
    assert export("--deck", "Step 2").startswith("wrote")
    deck.unlink()
    assert export("--deck", "Step 2").startswith("wrote")
    assert deck.exists()


def test_notes_parsed_on_two_cores_read_as_on_one(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = _notes(tmp_path)
    (notes / "c.md").write_text("# Acute care\n\n- Rhythm? ![[strip.png]] :: atrial flutter\n")
    (notes / "strip.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"ecg")
    with Collection(root) as col:
        serial = _read(col, notes)
        shutil.rmtree(col.note_cache())
        monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
        media = NoteMedia(col.root)
        defaults = ImportDefaults(media=media)
        split = read_note_cards([str(notes)], defaults, col.validate_draft, col.note_cache())
        again = read_note_cards([str(notes)], defaults, col.validate_draft, col.note_cache())
    assert split.parsed == 3
    assert _view(split) == _view(serial)
    assert list(media.copied) == [notes / "strip.png"]  # c.md was read in the child
    assert again.parsed == 0  # the child kept its own half's parses
    assert _view(again) == _view(serial)


def test_split_map_keeps_order_and_does_a_failed_childs_half_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked, "MIN_WEIGHT", 0)
    parent = os.getpid()
    got = forked.split_map(lambda x: x * x, [1, 2, 3, 4], [1, 1, 1, 1])
    assert got == [(1, False), (4, False), (9, True), (16, True)]

    def fails_in_child(x: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child dies")
        return -x

    assert forked.split_map(fails_in_child, [1, 2, 3], [1, 1, 1]) == [
        (-1, False),
        (-2, False),
        (-3, False),
    ]


def test_a_deck_already_up_to_date_is_known_without_loading_the_exporter(
    root: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    notes = _notes(tmp_path)
    deck = tmp_path / "deck.apkg"
    script = (
        "import sys\n"
        "from pearldeck.cli import main\n"
        f"sys.argv = ['pearls', '--dir', {str(root)!r}, 'export', '-o', {str(deck)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('genanki' in sys.modules, file=sys.stderr)\n"
    )
    CliRunner().invoke(app, ["--dir", str(root), "import", str(notes), "--skip-invalid"])

    def export() -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        return done.stdout, done.stderr.strip().splitlines()[-1]

    written, loaded = export()
    assert written.startswith(f"wrote {deck}: 4 notes") and loaded == "True"
    skipped, loaded = export()
    assert skipped.startswith(f"{deck} is up to date") and loaded == "False"
