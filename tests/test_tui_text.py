"""The TUI's pure helpers: cloze rendering, form drafts, the browse search, the session tally."""

from __future__ import annotations

import pytest
from textual.content import Content

from pearldeck.model import Pearl, Rating
from pearldeck.store.index import StatusRow
from pearldeck.tui.query import parse_query, pearl_state, search
from pearldeck.tui.session import Answer, Session, format_duration
from pearldeck.tui.text import (
    ClozeOverlap,
    answer_content,
    card_summary,
    make_draft,
    parse_tags,
    prompt_content,
    wrap_cloze,
)

CLOZE = Pearl(
    id="abcd12",
    pathway="acute",
    text="Give {{c1::IM epinephrine}} in the {{c2::thigh::where?}}",
    tags=("allergy",),
)
QA = Pearl(id="qa0001", pathway="chronic", text="Avoid which CCBs?", back="Non-DHPs")


def spans(content: Content) -> list[str]:
    text = str(content)
    return [text[s.start : s.end] for s in content.spans]


def test_prompt_hides_the_asked_cloze_and_highlights_it() -> None:
    assert str(prompt_content(CLOZE, 1)) == "Give [...] in the thigh"
    assert str(prompt_content(CLOZE, 2)) == "Give IM epinephrine in the [where?]"
    assert spans(prompt_content(CLOZE, 2)) == ["[where?]"]
    assert str(prompt_content(QA, None)) == "Avoid which CCBs?"


def test_answer_fills_and_highlights_only_the_asked_cloze() -> None:
    assert str(answer_content(CLOZE, 1)) == "Give IM epinephrine in the thigh"
    assert spans(answer_content(CLOZE, 1)) == ["IM epinephrine"]
    assert str(answer_content(QA, None)) == "Non-DHPs"


def test_wrap_cloze_numbers_the_next_deletion() -> None:
    text = "Give {{c1::epi}} in the thigh"
    new, cursor = wrap_cloze(text, len(text) - 5, len(text))
    assert new == "Give {{c1::epi}} in the {{c2::thigh}}"
    assert cursor == len(new)
    new, cursor = wrap_cloze("abc", 1, 1)
    assert new == "a{{c1::}}bc" and new[:cursor] == "a{{c1::"


def test_form_fields_make_a_draft() -> None:
    d = make_draft("acute", "  one\nline ", "", "#a, ICU  care, A", "  ")
    assert (d.text, d.back, d.tags, d.source) == ("one line", None, ("a", "icu-care"), None)
    assert parse_tags("#Pulm #pe, renal") == ("pulm", "pe", "renal")
    assert parse_tags("") == ()
    assert card_summary("x {{c1::a}} {{c2::b}}", "") == "cloze · 2 cards (c1, c2)"
    assert card_summary("x?", "y") == "question and answer · 1 card"
    assert card_summary("x?", "").startswith("needs an answer")


def _row(card: str, *, state: int = 2, due: float = 100.0, suspended: bool = False) -> StatusRow:
    return StatusRow(
        card_id=card, state=state, due=due, stability=1.0, difficulty=5.0, last_review=0.0,
        reps=1, lapses=0, last_event="e", suspended=suspended, leech=False, buried_day=None,
        first_review=0.0, memory="{}",
    )  # fmt: skip


def test_browse_search() -> None:
    q = parse_query("epi p:ac #Allergy is:due is:bogus")
    assert q.words == ("epi",) and q.pathway == "acute" and q.tags == ("allergy",)
    assert q.flags == {"due"} and q.unknown == ("is:bogus",)
    statuses = {"abcd12#c1": _row("abcd12#c1", due=50.0), "qa0001": _row("qa0001", suspended=True)}
    pearls = [CLOZE, QA]
    assert [p.id for p, _ in search(q, pearls, statuses, 60.0)] == ["abcd12"]
    assert [p.id for p, _ in search(q, pearls, statuses, 40.0)] == []
    assert [p.id for p, _ in search(parse_query("is:susp"), pearls, statuses, 0)] == ["qa0001"]
    assert [p.id for p, _ in search(parse_query("is:new"), pearls, statuses, 0)] == ["abcd12"]
    assert pearl_state(QA, statuses).suspended
    assert pearl_state(CLOZE, statuses).due == 50.0


def test_session_tally_and_undo() -> None:
    s = Session()
    s.record(Answer("a#c1", "acute", Rating.AGAIN, 10))
    s.record(Answer("b", "chronic", Rating.GOOD, 20))
    s.record(Answer("a#c1", "acute", Rating.GOOD, 30))
    s.take_back("a#c1")
    assert s.cards == 2 and s.seconds == 30
    assert s.again_by_pathway() == {"acute": (1, 1), "chronic": (0, 1)}
    assert [format_duration(x) for x in (42, 240, 3900)] == ["42 s", "4 min", "1 h 05 min"]


def test_wrap_cloze_refuses_to_nest() -> None:
    text = "give a{{c1::cetazolamide}} now"
    for start, end in ((0, 10), (12, 14), (5, 26), (12, 12), (0, len(text))):
        with pytest.raises(ClozeOverlap, match=r"overlaps \{\{c1::…\}\}"):
            wrap_cloze(text, start, end)
    # touching a cloze from outside is not overlapping it
    assert wrap_cloze(text, 0, 4)[0] == "{{c2::give}} a{{c1::cetazolamide}} now"
    assert wrap_cloze(text, 26, 26)[0] == "give a{{c1::cetazolamide}}{{c2::}} now"
