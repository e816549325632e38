"""Anki collections and packages built with the real Anki backend, for the import tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from anki.collection import Collection as AnkiCollection
from anki.collection import ExportAnkiPackageOptions
from anki.scheduler.v3 import CardAnswer, Scheduler

if TYPE_CHECKING:  # anki.cards imported before anki.collection is a circular import
    from anki.cards import CardId

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(64))

# Each fact with the guideline it comes from.
COLORECTAL = (  # USPSTF 2021, colorectal cancer screening
    "Age to start colorectal cancer screening in average-risk adults (USPSTF 2021)?",
    "<b>45</b> years",
)
LUNG = (  # USPSTF 2021, lung cancer screening
    "Who gets yearly low-dose CT for lung cancer (USPSTF 2021)?",
    "Adults 50&ndash;80 with a 20 pack-year history who smoke or quit within 15 years",
)
ANAPHYLAXIS = (  # World Allergy Organization anaphylaxis guidance 2020
    "First-line drug for anaphylaxis (WAO 2020)?",
    "IM epinephrine",
)
THIGH = (
    "Inject epinephrine into the {{c1::anterolateral thigh}} in {{c2::anaphylaxis}}",
    "WAO Anaphylaxis Guidance 2020",
)
GONORRHEA = (  # CDC STI Treatment Guidelines 2021
    "{{c1::Ceftriaxone}} 500 mg IM once treats <i>uncomplicated</i> gonorrhea<br>"
    '<img src="gram stain.png">',
    "CDC STI Treatment Guidelines 2021 [sound:lecture.mp3]",
)


def v3(col: AnkiCollection) -> Scheduler:
    """The collection's scheduler: Anki's v3, the only one a new collection has."""
    sched = col.sched
    assert isinstance(sched, Scheduler), sched
    return sched


def answer(
    col: AnkiCollection, card_id: CardId, rating: CardAnswer.Rating.V, at_ms: int | None = None
) -> None:
    """Answer a card through Anki's scheduler, as the review screen does."""
    card = col.get_card(card_id)
    card.start_timer()
    states = col._backend.get_scheduling_states(card_id)
    ans = v3(col).build_answer(card=card, states=states, rating=rating)
    if at_ms is not None:
        ans.answered_at_millis = at_ms
    ans.milliseconds_taken = 4200
    v3(col).answer_card(ans)


def add_note(
    col: AnkiCollection, model: str, deck: str, fields: tuple[str, ...], tags: list[str]
) -> list[CardId]:
    """Add a note; returns its card ids in template order."""
    notetype = col.models.by_name(model)
    deck_id = col.decks.id(deck)
    assert notetype is not None and deck_id is not None, (model, deck)
    note = col.new_note(notetype)
    for i, value in enumerate(fields):
        note.fields[i] = value
    note.tags = tags
    col.add_note(note, deck_id)
    return [c.id for c in sorted(note.cards(), key=lambda c: c.ord)]


def add_text_extra_type(col: AnkiCollection) -> None:
    """A cloze type with Text and Extra fields, as the large shared Step decks use."""
    mm = col.models
    model = mm.new("Step2 Cloze")
    model["type"] = 1  # MODEL_CLOZE
    for name in ("Text", "Extra", "Lecture"):
        mm.add_field(model, mm.new_field(name))
    template = mm.new_template("Cloze")
    template["qfmt"] = "{{cloze:Text}}"
    template["afmt"] = "{{cloze:Text}}<br>{{Extra}}"
    mm.add_template(model, template)
    mm.add(model)


def build_deck(folder: Path) -> AnkiCollection:
    """Five notes of four types, two media files, and a review history.

    Pearls: 5; pearl cards: 6 (the reversed card is Anki's only); reviews that become events:
    4; a reversed card's review: 1; a manual reschedule: 1.
    """
    folder.mkdir(parents=True, exist_ok=True)
    col = AnkiCollection(str(folder / "collection.anki2"))
    add_text_extra_type(col)
    col.media.write_data("gram stain.png", PNG)
    col.media.write_data("lecture.mp3", MP3)
    colo = add_note(col, "Basic", "Step2::Preventive", COLORECTAL, ["Step2::Screening", "USPSTF"])
    lung = add_note(col, "Basic", "Step2::Preventive", LUNG, ["Step2::Screening", "USPSTF"])
    rev = add_note(col, "Basic (and reversed card)", "Step2::Emergency", ANAPHYLAXIS, ["allergy"])
    thigh = add_note(col, "Cloze", "Step2::Emergency", THIGH, ["allergy"])
    gono = add_note(col, "Step2 Cloze", "Step2::ID", (*GONORRHEA, "lecture 12"), ["STI"])
    answer(col, colo[0], CardAnswer.GOOD)
    answer(col, rev[1], CardAnswer.GOOD)
    answer(col, thigh[0], CardAnswer.AGAIN)
    answer(col, thigh[0], CardAnswer.GOOD)
    answer(col, gono[0], CardAnswer.EASY)
    v3(col).set_due_date([lung[0]], "5")  # a manual reschedule: logged, but not a review
    return col


def export(col: AnkiCollection, out: Path, *, legacy: bool = False) -> Path:
    """Anki's "Export deck" with scheduling and media."""
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_media=True, with_deck_configs=True, legacy=legacy
    )
    col.export_anki_package(out_path=str(out), options=options, limit=None)
    return out
