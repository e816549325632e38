"""The round trip with the real Anki backend: export, review in Anki, bring the reviews home."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import zipfile
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
        notetype = card.note().note_type()
        assert notetype is not None
        cards[pid if notetype["type"] == 0 else f"{pid}#c{card.ord + 1}"] = cid
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


def git(cwd: Path, *args: str, when: int | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def note_times(path: Path) -> dict[str, tuple[int, str]]:
    """Pearl ID -> (mtime, tags) of each note in a package."""
    with zipfile.ZipFile(path) as z:
        data = z.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        rows = db.execute("SELECT flds, mod, tags FROM notes").fetchall()
    finally:
        db.close()
    return {flds.split("\x1f")[-2]: (mod, tags.strip()) for flds, mod, tags in rows}


def import_into(anki: AnkiCollection, path: Path) -> tuple[int, int, int]:
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    log = anki.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(path), options=options)
    ).log
    return len(log.new), len(log.updated), len(log.duplicate)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_export_is_the_same_from_any_clone_keeps_anki_edits_and_marks_deleted_pearls(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    start = datetime.now(UTC)
    t0 = int(start.timestamp()) - 86_400  # committed yesterday
    for i in range(4):
        run(root, start, "add", f"Question {i}?", "-p", "acute", "--back", f"answer {i}")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pearls", when=t0)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    one, two = tmp_path / "one.apkg", tmp_path / "two.apkg"
    run(root, start, "export", "-o", str(one))
    run(clone, start, "export", "-o", str(two))
    assert one.read_bytes() == two.read_bytes()  # the same notes and times from any clone
    times = note_times(one)
    assert {mod for mod, _ in times.values()} == {t0}
    assert import_into(anki, one) == (4, 0, 0)

    with Collection(root) as col:
        ids = {p.back: p.id for p in col.pearls()}
    # an edit in Anki now; a later edit of another pearl in pearldeck, committed
    note = anki.get_note(anki.find_notes(f'"Pearl ID:{ids["answer 1"]}"')[0])
    note["Back"] = "answer 1, edited in Anki"
    anki.update_note(note)
    path = root / "acute.yaml"
    path.write_text(path.read_text().replace("answer 2", "answer two"))
    later = int(datetime.now(UTC).timestamp()) + 3600
    git(root, "commit", "-qam", "edit", when=later)
    run(root, start, "export", "-o", str(one))
    times = note_times(one)
    assert times[ids["answer 2"]][0] == later and times[ids["answer 1"]][0] == t0
    assert import_into(anki, one) == (0, 1, 3)  # exactly the edited pearl
    backs = sorted(anki.get_note(n)["Back"] for n in anki.find_notes(""))
    assert backs == ["answer 0", "answer 1, edited in Anki", "answer 3", "answer two"]

    # a pearl deleted in pearldeck stays in the export, tagged for the user to delete
    text = path.read_text()
    start_line = text.index(f"- id: {ids['answer 3']}")
    end = text.find("- id:", start_line + 1)
    path.write_text(text[:start_line] + (text[end:] if end >= 0 else ""))
    git(root, "commit", "-qam", "delete", when=later + 60)
    run(root, start, "export", "-o", str(one))
    times = note_times(one)
    assert times[ids["answer 3"]] == (later + 60, "pathway::acute pearldeck::deleted")
    assert import_into(anki, one) == (0, 1, 3)
    marked = anki.find_notes("tag:pearldeck::deleted")
    assert [anki.get_note(n)["Back"] for n in marked] == ["answer 3"]
    assert "answer 1, edited in Anki" in [anki.get_note(n)["Back"] for n in anki.find_notes("")]


def test_a_pearl_deleted_here_never_comes_back_from_anki(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    start = datetime.now(UTC)
    # acetylcysteine: Dart et al., acetaminophen poisoning consensus statement, JAMA Netw Open 2023
    run(root, start, "add", "Antidote for acetaminophen overdose?", "-p", "acute", "--back", "NAC")
    run(
        root,
        start,
        "add",
        "Age to start colorectal cancer screening (average risk)?",
        "-p",
        "preventive",
        "--back",
        "45",
    )  # USPSTF 2021
    run(root, start, "export", "-o", str(tmp_path / "pearls.apkg"))
    import_into(anki, tmp_path / "pearls.apkg")
    cid = anki.find_cards('"Pearl ID:_*" Back:45')[0]
    answer(anki, cid, CardAnswer.GOOD)  # reviewed on the phone, then deleted at the desk
    phone = export(anki, tmp_path / "phone.apkg")
    run(root, start, "import", str(phone))
    (root / "preventive.yaml").write_text("")
    out = run(root, datetime.now(UTC), "import", str(phone))
    assert "added 0 pearl(s)" in out and "1 note(s) of pearls deleted here" in out
    with Collection(root) as col:
        assert [p.back for p in col.pearls()] == ["NAC"]
