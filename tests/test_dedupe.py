"""The import de-duplication rule, in the core: new to the collection, once per pathway."""

from __future__ import annotations

from pearldeck.dedupe import not_present
from pearldeck.model import Pearl
from tests.conftest import draft


def test_a_draft_already_held_or_given_twice_in_a_pathway_is_not_new() -> None:
    held = Pearl(id="aaaa11", pathway="acute", text="Q1?", back="A", file="acute.yaml")
    drafts = [
        draft("Q1?", back="A"),  # held already
        draft("Q2?", back="B"),
        draft("  q2? ", back="b"),  # the same prompt and answer, normalised
        draft("Q2?", pathway="chronic", back="B"),  # another pathway: its own pearl
    ]
    new = not_present(drafts, [held, None, None, None])
    assert [(d.pathway, d.text) for d in new] == [("acute", "Q2?"), ("chronic", "Q2?")]
