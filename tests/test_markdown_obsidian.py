"""The Obsidian spaced-repetition plugin's card syntax, read as its README documents it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from pearldeck.markdown_import import ImportDefaults, ParseResult, parse_markdown

FIXTURES = Path(__file__).parent / "fixtures"


Media = Callable[[str, str], str | None]


def parse(
    src: str,
    *,
    bold_cloze: bool = False,
    inline_sep: str | None = None,
    multiline_sep: str | None = None,
    media: Media | None = None,
) -> ParseResult:
    defaults = ImportDefaults(
        pathway="acute",
        bold_cloze=bold_cloze,
        inline_sep=inline_sep,
        multiline_sep=multiline_sep,
        media=media,
    )
    return parse_markdown(textwrap.dedent(src), "notes.md", defaults)


def fixture(rel: str, *, bold_cloze: bool = False, media: Media | None = None) -> ParseResult:
    path = FIXTURES / rel
    defaults = ImportDefaults(pathway="acute", bold_cloze=bold_cloze, media=media)
    return parse_markdown(path.read_text(encoding="utf-8"), rel, defaults)


def cards(r: ParseResult) -> list[tuple[str, str | None]]:
    return [(d.text, d.back) for d in r.drafts]


def test_single_line_cards_in_paragraphs_with_or_without_spaces() -> None:
    r = parse("""\
        Most common cause of death in Marfan syndrome::aortic dissection
        Second line :: is a card of its own

        - in a list item too::yes
        """)
    assert cards(r) == [
        ("Most common cause of death in Marfan syndrome", "aortic dissection"),
        ("Second line", "is a card of its own"),
        ("in a list item too", "yes"),
    ]
    assert [d.origin for d in r.drafts] == ["notes.md:1", "notes.md:2", "notes.md:4"]
    assert not r.problems and not r.skipped


def test_triple_colon_makes_a_pearl_each_way() -> None:
    r = parse("Beck triad:::hypotension, distended neck veins, muffled heart sounds\n")
    assert cards(r) == [
        ("Beck triad", "hypotension, distended neck veins, muffled heart sounds"),
        ("hypotension, distended neck veins, muffled heart sounds", "Beck triad"),
    ]
    assert len(set(r.keys)) == 2  # two pearls, two identities


def test_multi_line_cards_with_a_question_mark_line() -> None:
    r = parse("""\
        CURB-65 criteria
        ?
        Confusion
        Age ≥ 65

        Front over
        two lines
        ??
        back
        """)
    assert cards(r) == [
        ("CURB-65 criteria", "Confusion\nAge ≥ 65"),
        ("Front over\ntwo lines", "back"),
        ("back", "Front over\ntwo lines"),
    ]
    assert [d.origin for d in r.drafts] == ["notes.md:1", "notes.md:6", "notes.md:6"]


def test_a_multi_line_answer_takes_the_list_right_below_it_and_ends_at_a_blank_line() -> None:
    r = parse("""\
        Causes of a high anion gap
        ?
        - methanol
        - uremia

        A paragraph after a blank line is not the answer.
        """)
    assert cards(r) == [("Causes of a high anion gap", "- methanol\n- uremia")]
    assert r.skipped_lines == [6]


def test_multi_line_card_without_a_back_is_a_problem() -> None:
    r = parse("Front only\n?\n\nlater text\n")
    assert not r.drafts
    assert [str(p) for p in r.problems] == ["notes.md:2: nothing after '?': write the answer there"]


def test_highlight_and_cloze_in_paragraphs() -> None:
    r = parse("""\
        Give ==IV calcium== first in hyperkalaemia with ECG changes.

        Target INR on warfarin for atrial fibrillation: {{c1::2.0–3.0}}
        """)
    assert cards(r) == [
        ("Give {{c1::IV calcium}} first in hyperkalaemia with ECG changes.", None),
        ("Target INR on warfarin for atrial fibrillation: {{c1::2.0–3.0}}", None),
    ]


def test_bold_is_a_cloze_only_when_asked() -> None:
    src = "First-line for anaphylaxis: **IM epinephrine** in the thigh.\n"
    assert cards(parse(src)) == []
    assert parse(src).skipped_lines == [1]
    assert cards(parse(src, bold_cloze=True)) == [
        ("First-line for anaphylaxis: {{c1::IM epinephrine}} in the thigh.", None)
    ]


def test_deck_tags_are_kept_as_tags_with_their_hierarchy() -> None:
    r = parse("""\
        #flashcards/cardio

        q1::a1 #flashcards/cardio/hf
        """)
    assert [d.tags for d in r.drafts] == [("flashcards/cardio/hf", "flashcards/cardio")]
    assert not r.skipped


def test_custom_separators_from_the_command_line_or_front_matter() -> None:
    src = "q;;a\nback?;;;front\nnot::split\n\nfront\n%%\nback\n"
    r = parse(src, inline_sep=";;", multiline_sep="%%")
    assert cards(r) == [("q", "a"), ("back?", "front"), ("front", "back?"), ("front", "back")]
    assert r.skipped_lines == [3]
    fm = parse('---\ninline-sep: ";;"\nmultiline-sep: "%%"\n---\n' + src)
    assert cards(fm) == cards(r)
    bad = parse("---\ninline-sep: ab\n---\nq::a\n")
    assert [str(p) for p in bad.problems] == [
        "notes.md:2: 'inline-sep' must be 1 to 8 punctuation characters"
    ]


# --- notes modelled on real vaults -------------------------------------------------------


def test_vault_note_heart_failure() -> None:
    r = fixture("vault/Cardiology/Heart failure.md")
    hf = "Heart failure > HFrEF therapy"
    peri = "Heart failure > Pericardial disease"
    assert [(d.text, d.back, d.tags, d.context) for d in r.drafts] == [
        (
            "Four drug classes that lower mortality in HFrEF",
            "ARNI (or ACE inhibitor/ARB), evidence-based beta blocker, MRA, SGLT2 inhibitor",
            ("flashcards/cardio", "flashcards/cardio/hf"),
            hf,
        ),
        (
            "Preferred RAS inhibitor in NYHA class II–III HFrEF",
            "ARNI (sacubitril-valsartan)",
            ("flashcards/cardio",),
            hf,
        ),
        (
            "Beck triad",
            "hypotension, distended neck veins, muffled heart sounds",
            ("flashcards/cardio",),
            peri,
        ),
        (
            "hypotension, distended neck veins, muffled heart sounds",
            "Beck triad",
            ("flashcards/cardio",),
            peri,
        ),
    ]
    assert r.skipped_lines == [8, 20]
    assert [str(n) for n in r.notes] == [
        "vault/Cardiology/Heart failure.md:20: not imported: a question with no answer "
        "(no '::', no '?' line, no 'A:')"
    ]


def test_vault_note_pneumonia_and_pleura() -> None:
    r = fixture("vault/Pulmonology/Pneumonia and pleura.md")
    light = (
        "- pleural/serum protein > 0.5\n- pleural/serum LDH > 0.6\n"
        "- pleural LDH > 2/3 of the upper limit of normal serum LDH"
    )
    assert [(d.text, d.back, d.context) for d in r.drafts] == [
        (
            "CURB-65 criteria",
            "Confusion\nUrea > 7 mmol/L\nRespiratory rate ≥ 30/min\n"
            "Blood pressure: systolic < 90 or diastolic ≤ 60 mmHg\nAge ≥ 65",
            "Pulmonology > Community-acquired pneumonia",
        ),
        (
            "Light's criteria for an exudate (any one)",
            light,
            "Pulmonology > Pleural effusion",
        ),
        (light, "Light's criteria for an exudate (any one)", "Pulmonology > Pleural effusion"),
    ]
    assert not r.problems and r.skipped_lines == [3]


def test_note_with_its_own_separator_and_bold_clozes() -> None:
    expected = [
        (
            "In hyperkalaemia with ECG changes, give {{c1::IV calcium}} first to stabilise "
            "the myocardium.",
            None,
        ),
        ("Target INR for warfarin in atrial fibrillation: {{c1::2.0–3.0}}", None),
        ("First-line drug for anaphylaxis", "IM epinephrine into the anterolateral thigh"),
    ]
    r = fixture("notes/emergencies.md")
    assert cards(r) == expected
    assert all(d.tags == ("flashcards/emergency",) for d in r.drafts)
    assert r.skipped_lines == [7, 17, 19]
    bold = fixture("notes/emergencies.md", bold_cloze=True)
    assert cards(bold) == [
        *expected,
        ("Anaphylaxis is treated first with {{c1::IM epinephrine}}, not antihistamines.", None),
    ]


# --- whole answers and markup ------------------------------------------------------------


def fake_media(note: str, target: str) -> str | None:
    """What the CLI's resolver returns for an image it found and copied (tests of the
    resolver itself, with real files, are in test_markdown_sync.py)."""
    return None if target == "missing.png" else f"media/{target[:-4]}-0123456789.png"


def test_vault_note_acid_base_keeps_whole_answers_and_markup() -> None:
    r = fixture("vault/Renal/Acid-base.md", media=fake_media)
    assert [(d.text, d.back, d.context) for d in r.drafts] == [
        (
            "Winters' formula predicts what in a metabolic acidosis?",
            "The expected PaCO₂ (respiratory compensation):\n"
            "| Measured PaCO₂ | Meaning |\n"
            "|---|---|\n"
            "| within expected | appropriate compensation |\n"
            "| above expected | concurrent respiratory acidosis |\n"
            "| below expected | concurrent respiratory alkalosis |\n"
            "See MUDPILES and ![](media/winters-0123456789.png).",
            "Acid–base",
        ),
        (
            "Write Winters' formula.",
            "$PaCO_2 = 1.5 \\\\times \\[HCO_3^-] + 8 \\\\pm 2$\n"
            "- *measured* above it: respiratory acidosis too\n"
            "- below it: respiratory alkalosis too",
            "Acid–base > Formulas",
        ),
        (
            "Two findings of a raised anion gap?\nName them.",
            "an unmeasured anion\ne.g. **lactate**, ketoacids ![ABG](media/abg-0123456789.png)",
            "Acid–base > Formulas",
        ),
        (
            "First-line treatment of uncomplicated cystitis?",
            "**nitrofurantoin** for 5 days",
            "Acid–base > Drugs",
        ),
        (
            "Drug for torsades de pointes",
            "IV magnesium sulfate ![ECG](media/torsades-0123456789.png)",
            "Acid–base > Drugs",
        ),
        (
            "Reference",
            "[IDSA 2011](https://doi.org/10.1093/cid/ciq257) and Cystitis",
            "Acid–base > Drugs",
        ),
    ]
    assert all(d.tags == ("renal",) for d in r.drafts)
    assert not r.problems and not r.skipped and not r.notes


def test_an_answer_after_a_blank_line_runs_to_the_next_card_or_heading() -> None:
    r = parse("""\
        **Q:** Mechanism of metformin?
        **A:**

        Mechanism:

        - lowers hepatic gluconeogenesis
        - no hypoglycaemia on its own

        | side effect | note |
        |---|---|
        | GI upset | common |

        **Q:** next card?
        **A:** yes

        ## Heading ends it

        Not part of any answer.
        """)
    assert cards(r) == [
        (
            "Mechanism of metformin?",
            "Mechanism:\n- lowers hepatic gluconeogenesis\n- no hypoglycaemia on its own\n"
            "| side effect | note |\n|---|---|\n| GI upset | common |",
        ),
        ("next card?", "yes"),
    ]
    assert r.skipped_lines == [18]


def test_question_and_answer_headings() -> None:
    r = parse("""\
        # Cardiology
        ## Question
        First drug for type B aortic dissection?
        ## Answer
        IV beta blocker
        ### Why
        lowers dP/dt
        ## Next topic
        - x :: y
        ## Question
        no answer heading
        # Top
        """)
    assert cards(r) == [
        ("First drug for type B aortic dissection?", "IV beta blocker\n**Why**\nlowers dP/dt"),
        ("x", "y"),
    ]
    assert [d.context for d in r.drafts] == ["Cardiology", "Cardiology > Next topic"]
    assert [str(p) for p in r.problems] == [
        "notes.md:10: question heading has no '## Answer' heading of the same level after it"
    ]


def test_a_missing_image_is_listed_and_keeps_its_alt_text() -> None:
    r = parse("- ECG ![[missing.png]] shows :: ![peaked T](missing.png)\n", media=fake_media)
    assert cards(r) == [("ECG missing.png shows", "peaked T")]  # no alt text: its name
    assert [str(n) for n in r.notes] == [
        "notes.md:1: image 'missing.png' not found (beside the note or in the vault): "
        "its alt text is kept",
        "notes.md:1: image 'missing.png' not found (beside the note or in the vault): "
        "its alt text is kept",
    ]


def test_anki_html_in_an_answer_goes_through_markup_from_html() -> None:
    r = parse("""\
        Q: Causes of a raised anion gap?
        A:

        <div><b>Lactate</b>, ketoacids</div><ul><li>methanol</li><li>uremia</li></ul>

        ## Next
        - What is a delta gap?
        """)
    assert cards(r) == [
        ("Causes of a raised anion gap?", "**Lactate**, ketoacids\n- methanol\n- uremia")
    ]
    assert [str(n) for n in r.notes] == [
        "notes.md:7: not imported: a question with no answer (no '::', no '?' line, no 'A:')"
    ]
