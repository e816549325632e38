"""The round trip with the real Anki backend: export, review in Anki, bring the reviews home."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.consts import QUEUE_TYPE_LRN, QUEUE_TYPE_REV
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from anki.scheduler.v3 import CardAnswer
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.studyday import study_day
from tests.anki_decks import answer, export

runner = CliRunner()
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
# Anki's learning steps carry a little fuzz of their own (a few minutes at most).
LEARNING_FUZZ_SECONDS = 5 * 60


def run(root: Path, now: datetime, *args: str, code: int = 0) -> str:
    env = {"PEARLS_NOW": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    result = runner.invoke(app, ["--dir", str(root), *args], env=env, catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout + result.stderr


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    """A phone's Anki profile with FSRS on, as pearldeck schedules."""
    (tmp_path / "anki").mkdir()
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    col.set_config("fsrs", True)
    yield col
    col.close()


def pearl_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.yaml"))}


def test_reviews_done_in_anki_come_home_once_with_the_same_due_dates(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    # Anki answers at the real time, so pearldeck's clock is the real one here too.
    start = datetime.now(UTC)
    # WAO anaphylaxis guidance 2020; USPSTF colorectal cancer screening 2021
    run(
        root,
        start,
        "add",
        "First-line drug for anaphylaxis?",
        "-p",
        "acute",
        "--back",
        "IM epinephrine",
    )
    run(
        root,
        start,
        "add",
        "Inject epinephrine into the {{c1::anterolateral thigh}} in {{c2::anaphylaxis}}",
        "-p",
        "acute",
    )
    run(
        root,
        start,
        "add",
        "Age to start colorectal cancer screening (average risk)?",
        "--back",
        "45",
        "-p",
        "preventive",
    )
    deck = tmp_path / "pearls.apkg"
    run(root, start, "export", "-o", str(deck))
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    anki.import_anki_package(ImportAnkiPackageRequest(package_path=str(deck), options=options))
    assert anki.card_count() == 4
    with Collection(root) as col:
        ids = {p.text.split()[0]: p.id for p in col.pearls()}
    cards = {}
    for cid in anki.find_cards(""):
        card = anki.get_card(cid)
        pid = card.note()["Pearl ID"]
        cards[pid if card.note().note_type()["type"] == 0 else f"{pid}#c{card.ord + 1}"] = cid
    # on the phone: good twice (graduates), again then good (learning), hard (learning)
    first, cloze, screening = ids["First-line"], ids["Inject"], ids["Age"]
    answer(anki, cards[first], CardAnswer.GOOD)
    answer(anki, cards[first], CardAnswer.GOOD)
    answer(anki, cards[f"{cloze}#c1"], CardAnswer.AGAIN)
    answer(anki, cards[f"{cloze}#c1"], CardAnswer.GOOD)
    answer(anki, cards[screening], CardAnswer.HARD)
    phone = export(anki, tmp_path / "phone.apkg")
    files = pearl_files(root)
    done = datetime.now(UTC)

    out = run(root, done, "import", str(phone))
    assert "added 0 pearl(s), 0 media file(s); 3 note(s) already pearls" in out
    assert "5 new review(s) of 5 in the file" in out
    again = run(root, done, "import", str(phone))
    assert "0 new review(s) of 5 in the file" in again
    # Anki's own collection file, read from a copy: the same reviews, nothing new
    copy = tmp_path / "desktop" / "collection.anki2"
    copy.parent.mkdir()
    anki.close()
    shutil.copyfile(tmp_path / "anki" / "collection.anki2", copy)
    anki.reopen()
    assert "0 new review(s) of 5 in the file" in run(root, done, "import", str(copy))
    assert pearl_files(root) == files  # pearl text untouched

    with Collection(root) as col:
        events = col.review_events()
        assert len(events) == 5
        assert sorted(e.card for e in events) == sorted(
            [first, first, f"{cloze}#c1", f"{cloze}#c1", screening]
        )
        status = col.statuses()
    today = anki.sched.today
    assert anki.get_card(cards[first]).queue == QUEUE_TYPE_REV  # graduated: a due day
    assert anki.get_card(cards[screening]).queue == QUEUE_TYPE_LRN  # a due time
    for card_id in (first, f"{cloze}#c1", screening):
        card = anki.get_card(cards[card_id])
        ours = status[card_id]
        assert ours.due is not None
        if card.queue == QUEUE_TYPE_REV:
            assert ours.state == 2
            ours_days = (
                study_day(datetime.fromtimestamp(ours.due, UTC), 4) - study_day(done, 4)
            ).days
            assert ours_days == card.due - today, card_id
        else:
            assert card.queue == QUEUE_TYPE_LRN and ours.state in (1, 3)
            assert abs(ours.due - card.due) <= LEARNING_FUZZ_SECONDS, card_id
    assert f"{cloze}#c2" not in status  # never reviewed: new in both
    assert anki.get_card(cards[f"{cloze}#c2"]).queue == 0
