"""Anki export, checked by importing each package into a fresh collection of real Anki."""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.consts import CARD_TYPE_REV, MODEL_CLOZE, QUEUE_TYPE_REV
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportResponse
from anki.models import NotetypeId
from anki.notes import Note
from hypothesis import given, settings
from hypothesis import strategies as st

from pearldeck import anki_export, anki_fields
from pearldeck.anki_export import ExportError, export_apkg
from pearldeck.anki_filename import safe_filename
from pearldeck.model import CLOZE_RE, Pearl

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
T0 = 1_780_000_000  # a unix time in 2026


def pearl(
    id: str,
    text: str,
    back: str | None = None,
    *,
    pathway: str = "acute",
    tags: tuple[str, ...] = ("allergy",),
    source: str | None = "UWorld 12345",
    added: str | None = "2025-03-04",
) -> Pearl:
    return Pearl(
        id=id, pathway=pathway, text=text, back=back, tags=tags, source=source, added=added
    )


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    """A fresh, empty Anki collection, closed after the test."""
    folder = tmp_path / "anki"
    folder.mkdir()
    col = AnkiCollection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col: AnkiCollection, path: Path) -> ImportResponse.Log:
    """Import as Anki's import dialog does by default: update notes and notetypes if newer."""
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    request = ImportAnkiPackageRequest(package_path=str(path), options=options)
    return col.import_anki_package(request).log


def counts(log: ImportResponse.Log) -> tuple[int, int, int]:
    return len(log.new), len(log.updated), len(log.duplicate)


def notes_by_pearl(col: AnkiCollection) -> dict[str, Note]:
    notes = (col.get_note(nid) for nid in col.find_notes(""))
    return {note["Pearl ID"]: note for note in notes}


MIXED = [
    pearl("acu1", "Give {{c1::IM epinephrine}} for {{c2::anaphylaxis::condition}}."),
    pearl("acu2", "First test in suspected PE if stable?", "CT pulmonary angiography"),
    pearl("chr1", "HbA1c target in most adults: {{c1::< 7%}}", pathway="chronic", tags=()),
    pearl(
        "sys1",
        "{{c1::Disclose}} errors; apologise; {{c3::report}}.",
        pathway="systems-based",
        tags=("ethics", "patient safety"),
        source=None,
        added=None,
    ),
]


def test_notes_cards_decks_and_tags_arrive_in_anki(tmp_path: Path, anki: AnkiCollection) -> None:
    result = export_apkg(MIXED, tmp_path / "decks" / "pearls.apkg", modified={"acu1": T0})

    assert (result.notes, result.cards, result.decks) == (4, 6, 4)
    assert result.size == result.path.stat().st_size
    log = import_apkg(anki, result.path)
    assert counts(log) == (4, 0, 0)
    assert anki.note_count() == 4
    assert anki.card_count() == 6
    assert {d.name for d in anki.decks.all_names_and_ids()} == {
        "Default",
        "Clinical Pearls",
        "Clinical Pearls::Acute",
        "Clinical Pearls::Chronic",
        "Clinical Pearls::Systems-based",
    }
    assert set(anki.tags.all()) == {
        "allergy",
        "ethics",
        "patient_safety",
        "pathway::acute",
        "pathway::chronic",
        "pathway::systems-based",
    }
    assert len(anki.find_cards('"deck:Clinical Pearls::Acute"')) == 3
    assert len(anki.find_notes("tag:pathway::systems-based")) == 1

    notes = notes_by_pearl(anki)
    acu1, acu2, sys1 = notes["acu1"], notes["acu2"], notes["sys1"]
    assert acu1.mid == anki_export.CLOZE_MODEL_ID
    assert acu2.mid == anki_export.BASIC_MODEL_ID
    cloze = anki.models.get(acu1.mid)
    assert cloze is not None and cloze["type"] == MODEL_CLOZE
    assert acu2["Back"] == "CT pulmonary angiography"
    assert (acu1["Source"], acu1["Added"]) == ("UWorld 12345", "2025-03-04")
    assert (sys1["Source"], sys1["Added"]) == ("", "")
    assert acu1.guid == genanki.guid_for("pearldeck", "acu1")
    # The package leaves the sort field to Anki, which fills it in on import.
    basic = acu2.note_type()
    assert basic is not None and basic["sortf"] == 0
    assert anki.db is not None
    assert anki.db.scalar("select sfld from notes where id = ?", acu2.id) == acu2["Front"]
    # The note mtime is the pearl's change time, else its added date.
    assert acu1.mod == T0
    assert acu2.mod == 1_741_046_400  # 2025-03-04 00:00 UTC


def test_cloze_numbers_become_card_ordinals_and_hints_survive(
    tmp_path: Path, anki: AnkiCollection
) -> None:
    import_apkg(anki, export_apkg(MIXED, tmp_path / "x.apkg").path)
    notes = notes_by_pearl(anki)

    def ords(pearl_id: str) -> list[int]:
        return sorted(c.ord for c in notes[pearl_id].cards())

    assert ords("acu1") == [0, 1]
    assert ords("sys1") == [0, 2]
    assert ords("acu2") == [0]
    card2 = next(c for c in notes["acu1"].cards() if c.ord == 1)
    question, answer = _Markup(card2.question()).text, _Markup(card2.answer()).text
    assert "IM epinephrine for [condition]." in question
    assert "IM epinephrine for anaphylaxis." in answer
    assert "UWorld 12345" in answer  # source and date shown under the answer
    assert "added 2025-03-04" in answer


class _Markup(HTMLParser):
    """Collects the tags and attributes in a piece of HTML, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text += data


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<a href='javascript:alert(1)'>click</a>",
    "a < b && c > d",
    "{{c9::not a cloze}} }}",
]


@pytest.mark.parametrize("nasty", HOSTILE)
def test_every_field_is_text_never_markup(tmp_path: Path, anki: AnkiCollection, nasty: str) -> None:
    pearls = [
        pearl("clz1", f"{nasty} {{{{c1::{nasty}::{nasty}}}}} {nasty}", source=nasty),
        pearl("qa01", nasty, nasty, source=nasty, added=nasty, tags=(nasty,)),
    ]
    result = export_apkg(pearls, tmp_path / "x.apkg")
    import_apkg(anki, result.path)

    # Anki sees exactly the cloze deletions pearldeck sees, no more.
    assert anki.card_count() == result.cards == sum(len(p.card_ids()) for p in pearls)
    for note in notes_by_pearl(anki).values():
        for field in note.fields:
            assert _Markup(field).tags == [], field
            assert "<" not in field and ">" not in field
    if "<script>" in nasty:
        assert "&lt;script&gt;" in notes_by_pearl(anki)["qa01"]["Front"]
    for cid in anki.find_cards(""):
        card = anki.get_card(cid)
        for side in (card.question(), card.answer()):
            markup = _Markup(side)
            assert set(markup.tags) <= {"style", "div", "span", "hr", "br"}
            for name, value in markup.attrs:
                assert not name.startswith("on")
                if name in ("href", "src", "action", "formaction"):
                    assert "javascript:" not in (value or "")
        # Shown as typed: the hostile string is in the rendered text.
        assert nasty in _Markup(card.answer()).text


def test_control_characters_cannot_split_fields(tmp_path: Path, anki: AnkiCollection) -> None:
    text = "unit\x1fsep\x00arator\r\nnext line {{c1::a\x1fb}}"
    export_apkg([pearl("ctl1", text, tags=("x\x1fy",))], tmp_path / "x.apkg")
    import_apkg(anki, tmp_path / "x.apkg")

    note = notes_by_pearl(anki)["ctl1"]
    assert note["Text"] == "unitseparator<br>next line {{c1::ab}}"
    assert note["Pearl ID"] == "ctl1"
    assert note.tags == ["pathway::acute", "x_y"]


def test_reimport_updates_exactly_the_edited_notes_and_keeps_scheduling(
    tmp_path: Path, anki: AnkiCollection
) -> None:
    pearls = [pearl(f"p{i:03d}", f"Pearl {i} is {{{{c1::fact {i}}}}}") for i in range(20)]
    modified = {p.id: T0 for p in pearls}
    import_apkg(anki, export_apkg(pearls, tmp_path / "v1.apkg", modified=modified).path)
    note_ids = {p: n.id for p, n in notes_by_pearl(anki).items()}
    # The student has reviewed p003 in Anki.
    (cid,) = anki.card_ids_of_note(note_ids["p003"])
    card = anki.get_card(cid)
    card.type, card.queue, card.ivl, card.due, card.reps = CARD_TYPE_REV, QUEUE_TYPE_REV, 12, 99, 4
    anki.update_card(card)

    edited = {"p003": "Pearl 3 is {{c1::fact 3}}, see {{c2::also}}", "p007": "Pearl 7, fixed typo"}
    pearls = [pearl(p.id, edited.get(p.id, p.text)) for p in pearls]
    pearls += [pearl("new1", "New {{c1::one}}"), pearl("new2", "New two?", "yes")]
    modified |= {pid: T0 + 3600 for pid in [*edited, "new1", "new2"]}
    result = export_apkg(pearls, tmp_path / "v2.apkg", modified=modified)
    log = import_apkg(anki, result.path)

    assert counts(log) == (2, 2, 18)
    assert {n.fields[-2] for n in log.updated} == {"p003", "p007"}
    notes = notes_by_pearl(anki)
    assert anki.note_count() == 22
    assert notes["p003"]["Text"] == "Pearl 3 is {{c1::fact 3}}, see {{c2::also}}"
    assert notes["p003"].mod == T0 + 3600
    assert {p: notes[p].id for p in note_ids} == note_ids
    # The reviewed card keeps its schedule; the new cloze number adds a new card beside it.
    card = anki.get_card(cid)
    assert (card.type, card.queue, card.ivl, card.due, card.reps) == (CARD_TYPE_REV, 2, 12, 99, 4)
    assert sorted(c.ord for c in notes["p003"].cards()) == [0, 1]

    # Importing the same file again, or a fresh export of the unchanged pearls, changes nothing.
    assert counts(import_apkg(anki, result.path)) == (0, 0, 22)
    again = export_apkg(pearls, tmp_path / "v3.apkg", modified=modified)
    assert again.path.read_bytes() == result.path.read_bytes()
    assert counts(import_apkg(anki, again.path)) == (0, 0, 22)
    assert anki.card_count() == 23


def test_new_styling_reaches_anki_when_the_models_mtime_is_bumped(
    tmp_path: Path, anki: AnkiCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_apkg(anki, export_apkg(MIXED, tmp_path / "v1.apkg").path)
    monkeypatch.setattr(anki_export, "CSS", anki_export.CSS + "\n.pearl { color: teal; }\n")
    monkeypatch.setattr(anki_export, "MODELS_MTIME", anki_export.MODELS_MTIME + 1)
    log = import_apkg(anki, export_apkg(MIXED, tmp_path / "v2.apkg").path)

    assert counts(log) == (0, 0, 4)
    model = anki.models.get(NotetypeId(anki_export.CLOZE_MODEL_ID))
    assert model is not None and "teal" in model["css"]
    # Updated in place, not copied.
    assert sum(m.name.startswith("pearldeck") for m in anki.models.all_names_and_ids()) == 2


def written_notes(path: Path) -> dict[str, tuple[list[str], list[int]]]:
    """Each pearl's note fields and card ordinals, as stored in the package."""
    with zipfile.ZipFile(path) as z:
        data = z.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        ords: dict[int, list[int]] = {}
        for nid, ord_ in db.execute("SELECT nid, ord FROM cards ORDER BY nid, ord"):
            ords.setdefault(nid, []).append(ord_)
        notes = db.execute("SELECT id, flds FROM notes").fetchall()
    finally:
        db.close()
    return {flds.split("\x1f")[-2]: (flds.split("\x1f"), ords[nid]) for nid, flds in notes}


def cloze_markup(text: str) -> tuple[str, list[int]]:
    """The rule: every deletion CLOZE_RE finds gets Anki's markup (its number as int() writes
    it) around its escaped words; all else is escaped. One card per number above 0."""
    out, numbers, pos = [], set(), 0
    for m in CLOZE_RE.finditer(text):
        hint = "" if m[3] is None else "::" + anki_fields.escape(m[3])
        out += [anki_fields.escape(text[pos : m.start()]), f"{{{{c{int(m[1])}::"]
        out += [anki_fields.escape(m[2]), hint, "}}"]
        numbers.add(int(m[1]))
        pos = m.end()
    out.append(anki_fields.escape(text[pos:]))
    return "".join(out), sorted(n - 1 for n in numbers if n > 0) or [0]


CLOZE_PIECES = [
    *["{{c1::a}}", "{{c01::b}}", "{{c0::c}}", "{{c\u0663::d}}", "{{c2::e::hint}}", "{{c1234::f}}"],
    *["{{c", "1", "::", "}}", "}", "{", ":", "a ", "&"],
]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(CLOZE_PIECES), max_size=14).map("".join), min_size=1, max_size=20
    ),
    st.sampled_from([None, "UWorld", "{{c1::x}}", "a}}"]),
)
def test_cloze_text_is_marked_up_by_the_rule(texts: list[str], source: str | None) -> None:
    pearls = [pearl(f"p{i:03d}", t, source=source) for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:  # hypothesis runs it many times per tmp_path
        written = written_notes(export_apkg(pearls, Path(tmp) / "x.apkg").path)
    for p in pearls:
        fields, ords = written[p.id]
        assert (fields[0], ords) == cloze_markup(p.text)
        assert fields[1] == anki_fields.escape(source or "")


def test_package_is_deflated_and_reproducible(tmp_path: Path) -> None:
    a = export_apkg(MIXED, tmp_path / "a.apkg")
    b = export_apkg(MIXED, tmp_path / "b.apkg")

    with zipfile.ZipFile(a.path) as z:
        infos = {i.filename: i for i in z.infolist()}
    assert set(infos) == {"collection.anki2", "media"}
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos.values())
    collection = infos["collection.anki2"]
    assert collection.compress_size * 4 < collection.file_size
    assert a.path.read_bytes() == b.path.read_bytes()


def test_progress_is_reported_every_thousand_pearls_and_at_the_end(tmp_path: Path) -> None:
    pearls = [pearl(f"q{i:04d}", f"Q{i}?", "A") for i in range(2500)]
    calls: list[tuple[int, int]] = []
    export_apkg(
        pearls, tmp_path / "x.apkg", progress=lambda done, total: calls.append((done, total))
    )

    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_deck_name_is_the_parent_of_the_pathway_decks(tmp_path: Path, anki: AnkiCollection) -> None:
    result = export_apkg(MIXED[:2], tmp_path / "x.apkg", deck_name=" Step 2 :: Pearls ")
    import_apkg(anki, result.path)

    names = {d.name for d in anki.decks.all_names_and_ids()}
    assert names == {"Default", "Step 2", "Step 2::Pearls", "Step 2::Pearls::Acute"}
    with pytest.raises(ExportError, match="deck name"):
        export_apkg(MIXED, tmp_path / "y.apkg", deck_name=" :: ")


def test_parent_folders_are_created_and_an_old_export_replaced(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "pearls.apkg"
    export_apkg(MIXED, out)
    result = export_apkg(MIXED[:1], out)

    assert result.notes == 1
    assert sorted(p.name for p in out.parent.iterdir()) == ["pearls.apkg"]
    assert out.stat().st_mode & 0o777 == 0o644


def test_unwritable_paths_raise_export_error_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    with pytest.raises(ExportError, match=r"cannot write .*notes\.txt/x\.apkg"):
        export_apkg(MIXED, blocker / "x.apkg")
    with pytest.raises(ExportError, match="is a folder"):
        export_apkg(MIXED, tmp_path)
    with pytest.raises(ExportError, match="pearl id acu1 is used twice"):
        export_apkg([*MIXED, MIXED[0]], tmp_path / "dup.apkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_failed_write_leaves_the_old_export_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pearls.apkg"
    export_apkg(MIXED, out)
    before = out.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ExportError, match=r"cannot write .*pearls\.apkg: No space left on device"):
        export_apkg(MIXED[:1], out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["pearls.apkg"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Clinical Pearls", "Clinical Pearls.apkg"),
        ("step2.apkg", "step2.apkg"),
        ("Step2.APKG", "Step2.apkg"),
        ("notes.txt", "notes.txt.apkg"),
        ("a/b\\c", "a_b_c.apkg"),
        ("../../etc/passwd", "_.._etc_passwd.apkg"),
        ("  .hidden deck. ", "hidden deck.apkg"),
        ('what? <why> "how" | *', "what_ _why_ _how_ _ _.apkg"),
        ("tab\there\x00nul", "tab_here_nul.apkg"),
        ("CON", "_CON.apkg"),
        ("lpt1.apkg", "_lpt1.apkg"),
        ("nul.tar", "_nul.tar.apkg"),
        ("console", "console.apkg"),
        ("", "pearls.apkg"),
        ("...", "pearls.apkg"),
        ("Kardiologie – Übersicht", "Kardiologie – Übersicht.apkg"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_keeps_long_names_within_limits() -> None:
    name = safe_filename("é" * 300)
    assert name.endswith(".apkg")
    assert len(name.encode()) <= 255
    assert Path(name).name == name
