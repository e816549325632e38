"""`pearls import` of Anki packages and collections built with the real Anki backend."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from tests.anki_decks import GONORRHEA, build_deck, export

runner = CliRunner()
NOW = "2026-12-20T15:00:00Z"
RULES: tuple[str, ...] = ("--map", "Step2::Emergency=acute", "--map", "Step2::ID=acute")
RULES += ("--map", "tag:USPSTF=preventive")


def run(root: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": NOW}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout + result.stderr


def log_lines(root: Path) -> list[dict[str, object]]:
    path = root / "reviews" / "testbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the collection but the derived cache."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.fixture(scope="module")
def anki_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same deck as a current package, a legacy one, a collection package and the
    collection file itself."""
    folder = tmp_path_factory.mktemp("anki")
    col = build_deck(folder / "profile")
    try:
        files = {
            "apkg": export(col, folder / "deck.apkg"),
            "legacy": export(col, folder / "legacy.apkg", legacy=True),
        }
        col.export_collection_package(str(folder / "all.colpkg"), True, False)
        files["colpkg"] = folder / "all.colpkg"
    finally:
        col.close()
    files["anki2"] = folder / "profile" / "collection.anki2"
    return files


@pytest.mark.parametrize("kind", ["apkg", "legacy", "colpkg", "anki2"])
def test_an_anki_file_becomes_pearls_reviews_and_media_once(
    root: Path, anki_files: dict[str, Path], kind: str
) -> None:
    path = anki_files[kind]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = run(root, "import", str(path), *RULES)
    assert "added 5 pearl(s) (3 acute, 2 preventive), 2 media file(s)" in out
    assert "4 new review(s) of 4 in the file" in out
    assert "skipped 1 not reviews (reschedules, cram), 1 of cards pearldeck does not make" in out
    with Collection(root) as col:
        pearls = {p.origin: p for p in col.pearls()}
        assert len(pearls) == 5 and all(o and o.startswith("anki:") for o in pearls)
        assert col.card_count() == 6
        events = col.review_events()
        assert sorted(e.rating for e in events) == [1, 3, 3, 4]
        by_text = {p.text.split(" ")[0]: p for p in col.pearls()}
        gono = by_text["{{c1::Ceftriaxone}}"]
        assert gono.text.startswith("{{c1::Ceftriaxone}} 500 mg IM once treats *uncomplicated*")
        image = gono.text.rsplit("\n", 1)[1]
        assert image.startswith("![](media/gram-stain-") and image.endswith(".png)")
        assert gono.notes is not None and gono.notes.startswith("CDC STI Treatment Guidelines")
        assert "![sound](media/lecture-" in gono.notes
        # Anki tags are case-insensitive; pearldeck files every tag by its one rule (lowercase)
        assert gono.tags == ("sti",) and gono.pathway == "acute"
        colo = by_text["Age"]
        assert colo.back == "**45** years" and colo.tags == ("step2::screening", "uspstf")
        assert colo.pathway == "preventive"
        thigh = by_text["Inject"]
        assert thigh.notes == "WAO Anaphylaxis Guidance 2020"
        # the cloze's two answers (again, good) replayed through our scheduler
        cards = {e.card for e in events}
        assert f"{thigh.id}#c1" in cards and f"{gono.id}#c1" in cards and colo.id in cards
        status = col.statuses()
        assert status[f"{thigh.id}#c1"].state == 1  # learning, as in Anki
        assert f"{thigh.id}#c2" not in status  # never reviewed: new
    assert sorted(p.name.rsplit("-", 1)[0] for p in (root / "media").iterdir()) == [
        "gram-stain",
        "lecture",
    ]
    files = snapshot(root)
    again = run(root, "import", str(path), *RULES)
    assert "added 0 pearl(s), 0 media file(s); 5 note(s) already pearls" in again
    assert "0 new review(s) of 4 in the file" in again
    assert snapshot(root) == files
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # only ever read


def test_notes_no_rule_covers_are_listed_with_counts_and_refused(
    root: Path, anki_files: dict[str, Path]
) -> None:
    files = snapshot(root)
    out = run(
        root, "import", "--dry-run", str(anki_files["apkg"]), "--map", "tag:USPSTF=preventive"
    )
    assert "3 note(s) have no pathway (would not be imported)" in out
    assert "     2  Step2::Emergency" in out and "     1  Step2::ID" in out
    assert "     2  allergy" in out and "     1  STI" in out
    out = run(root, "import", str(anki_files["apkg"]), code=1)
    assert "5 note(s) have no pathway (nothing imported)" in out
    assert "     2  Step2::Preventive" in out and "     2  USPSTF" in out
    assert snapshot(root) == files
    out = run(root, "import", str(anki_files["apkg"]), "--pathway", "chronic")
    assert "added 5 pearl(s) (5 chronic)" in out


def test_a_dry_run_counts_and_writes_nothing(root: Path, anki_files: dict[str, Path]) -> None:
    files = snapshot(root)
    out = run(root, "import", "-n", str(anki_files["apkg"]), *RULES)
    assert "would add 5 pearl(s) (3 acute, 2 preventive), 2 media file(s)" in out
    assert "4 review(s) in the file" in out
    assert snapshot(root) == files


def test_a_folder_of_packages_is_imported(root: Path, anki_files: dict[str, Path]) -> None:
    folder = root.parent / "downloads"
    folder.mkdir()
    (folder / "deck.apkg").write_bytes(anki_files["apkg"].read_bytes())
    out = run(root, "import", str(folder), *RULES)
    assert "added 5 pearl(s)" in out


def test_a_damaged_or_foreign_file_is_a_message_and_nothing_is_written(root: Path) -> None:
    files = snapshot(root)
    bad = root.parent / "broken.apkg"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    out = run(root, "import", str(bad), "-p", "acute", code=1)
    assert f"{bad}: not an Anki package" in out and "Traceback" not in out
    foreign = root.parent / "photos.apkg"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("a.txt", "hello")
    out = run(root, "import", str(foreign), "-p", "acute", code=1)
    assert f"{foreign}: not an Anki package (no collection inside)" in out
    fake = root.parent / "fake.apkg"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("collection.anki2", b"SQLite format 3\x00" + b"\x00" * 200)
    out = run(root, "import", str(fake), "-p", "acute", code=1)
    assert f"{fake}: damaged collection" in out or f"{fake}: not an Anki collection" in out
    assert snapshot(root) == files


def test_missing_media_and_an_unusable_note_type_refuse_the_file(root: Path) -> None:
    from anki.collection import Collection as AnkiCollection

    from tests.anki_decks import add_note

    folder = root.parent / "anki"
    folder.mkdir()
    col = AnkiCollection(str(folder / "collection.anki2"))
    try:
        mm = col.models
        single = mm.new("Vocabulary")
        mm.add_field(single, mm.new_field("Word"))
        template = mm.new_template("Card 1")
        template["qfmt"], template["afmt"] = "{{Word}}", "{{Word}}"
        mm.add_template(single, template)
        mm.add(single)
        add_note(col, "Vocabulary", "Words", ("dyspnea",), [])
        add_note(col, "Cloze", "Step2", (GONORRHEA[0], ""), [])  # its image was never added
        path = export(col, root.parent / "bad.apkg")
    finally:
        col.close()
    files = snapshot(root)
    out = run(root, "import", str(path), "-p", "acute", code=1)
    assert "note type 'Vocabulary' (fields: Word) has no field to use as the answer" in out
    assert "media file 'gram stain.png' is missing from the file" in out
    assert "nothing imported" in out and "Traceback" not in out
    assert snapshot(root) == files


def test_a_pearls_notes_show_with_the_answer() -> None:
    from pearldeck.model import Pearl
    from pearldeck.tui.text import meta_content

    pearl = Pearl("abcd", "acute", "{{c1::Ceftriaxone}} for gonorrhea", tags=("STI",))
    assert meta_content(pearl).plain == "#STI "
    noted = Pearl("abcd", "acute", pearl.text, tags=("STI",), notes="CDC STI Guidelines 2021")
    assert meta_content(noted).plain == "CDC STI Guidelines 2021\n#STI "


def test_imported_pearls_go_back_to_their_own_notes_with_notes_in_extra(
    root: Path, tmp_path: Path
) -> None:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = build_deck(tmp_path / "profile")
    try:
        run(root, "import", str(export(col, tmp_path / "deck.apkg")), *RULES)
        out = tmp_path / "back.apkg"
        run(root, "export", "-o", str(out))
        request = ImportAnkiPackageRequest(
            package_path=str(out), options=ImportAnkiPackageOptions()
        )
        log = col.import_anki_package(request).log
        assert len(log.new) == 0  # the same GUIDs: no note twice in the student's profile
    finally:
        col.close()
    fresh = AnkiCollection(str(tmp_path / "fresh.anki2"))
    try:
        fresh.import_anki_package(request)
        extras = sorted(fresh.get_note(n)["Extra"] for n in fresh.find_notes(""))
        # how markup is rendered is the export's business; the notes land in Extra
        assert extras[-2].startswith("CDC STI Treatment Guidelines 2021 ")
        assert "lecture-6eaa01ed04.mp3" in extras[-2]
        assert extras[-1] == "WAO Anaphylaxis Guidance 2020"
        assert extras[:3] == ["", "", ""]
    finally:
        fresh.close()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("Step2::ID", "--map 'Step2::ID': write DECK=PATHWAY or tag:TAG=PATHWAY"),
        ("Step2::ID=cardio", "--map 'Step2::ID=cardio': unknown pathway 'cardio'"),
    ],
)
def test_a_bad_map_rule_is_a_usage_error(
    root: Path, anki_files: dict[str, Path], rule: str, message: str
) -> None:
    out = run(root, "import", str(anki_files["apkg"]), "--map", rule, code=2)
    assert message in out and "Traceback" not in out


def test_undo_never_takes_back_a_review_brought_in_from_anki(
    root: Path, anki_files: dict[str, Path]
) -> None:
    run(root, "import", str(anki_files["apkg"]), *RULES)
    assert "nothing to undo on this device" in run(root, "undo", code=1)
    assert len(log_lines(root)) == 4


def test_pearldecks_own_export_imports_into_itself_as_nothing_and_elsewhere_by_pathway(
    root: Path, tmp_path: Path
) -> None:
    # WAO anaphylaxis guidance 2020; USPSTF colorectal cancer screening 2021
    run(root, "add", "Give {{c1::IM epinephrine}} for anaphylaxis", "-p", "acute")
    run(root, "add", "Colorectal screening starts at?", "-p", "preventive", "--back", "45")
    deck = tmp_path / "mine.apkg"
    run(root, "export", "-o", str(deck))
    files = snapshot(root)
    out = run(root, "import", str(deck))
    assert "added 0 pearl(s), 0 media file(s); 2 note(s) already pearls" in out
    assert snapshot(root) == files
    other = tmp_path / "other"
    run(other, "init")
    out = run(other, "import", str(deck))  # no rule needed: the pathway:: tags say where
    assert "added 2 pearl(s) (1 acute, 1 preventive)" in out
    with Collection(other) as col:
        texts = sorted(p.text for p in col.pearls())
    assert texts == [
        "Colorectal screening starts at?",
        "Give {{c1::IM epinephrine}} for anaphylaxis",
    ]
