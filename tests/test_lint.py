"""Style warnings of `pearls check`: no source, a cloze given away, a cloze too long (issue 22)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.lint import MAX_CLOZE_WORDS, lint
from pearldeck.model import Pearl

runner = CliRunner()


def pearl(text: str, back: str | None = None, source: str | None = "USPSTF 2024") -> Pearl:
    return Pearl(id="abc123", pathway="acute", text=text, back=back, source=source, line=7)


def messages(p: Pearl) -> list[str]:
    return [w.message for w in lint(p)]


def test_a_sourced_atomic_pearl_has_no_warnings() -> None:
    assert lint(pearl("Septic shock: first-line vasopressor is {{c1::norepinephrine}}")) == []
    assert lint(pearl("First drug for anaphylaxis?", back="IM epinephrine")) == []


def test_no_source_warns_for_cloze_and_question_pearls() -> None:
    for p in (
        pearl("Septic shock: first pressor is {{c1::norepinephrine}}", source=None),
        pearl("First drug for anaphylaxis?", back="IM epinephrine", source="  "),
    ):
        [w] = lint(p)
        assert w.line == 7 and "no source" in w.message


def test_a_cloze_answer_written_elsewhere_in_the_card_warns() -> None:
    text = "The {{c1::Swiss cheese}} model: errors pass when the holes in the swiss cheese line up"
    assert messages(pearl(text)) == [
        "cloze c1 answer 'Swiss cheese' also appears elsewhere in the card"
    ]


def test_the_give_away_check_is_whole_words_and_case_insensitive() -> None:
    # "ACE" inside "space" is not the word ACE; "ace inhibitor" is, whatever its case
    assert messages(pearl("Leave {{c1::ACE}} space")) == []
    assert len(messages(pearl("Start an {{c1::ACE}} inhibitor; ace inhibitors help"))) == 1


def test_a_hint_or_another_cloze_shown_on_the_card_counts_as_elsewhere() -> None:
    assert len(messages(pearl("Give {{c1::calcium::calcium salt}} first"))) == 1
    # while c2 is asked, c1's answer is on screen and contains c2's answer
    text = "{{c1::IV calcium gluconate}} before {{c2::calcium}}"
    assert messages(pearl(text)) == ["cloze c2 answer 'calcium' also appears elsewhere in the card"]
    # the same number twice is hidden twice: nothing of it is on screen
    assert messages(pearl("{{c1::Aspirin}} and {{c1::aspirin}} again")) == []


def test_a_cloze_hiding_more_than_eight_words_warns() -> None:
    eight = " ".join(["word"] * MAX_CLOZE_WORDS)
    nine = " ".join(f"w{i}" for i in range(MAX_CLOZE_WORDS + 1))
    assert messages(pearl(f"Answer: {{{{c1::{eight}}}}}")) == []
    assert messages(pearl(f"Answer: {{{{c1::{nine}}}}}")) == [
        "cloze c1 hides 9 words (more than 8): ask for one fact"
    ]


def test_check_prints_warnings_with_path_and_line_and_exits_zero(root: Path) -> None:
    (root / "acute.yaml").write_text(
        "# Acute care\n"
        "- id: aaa111\n"
        "  text: 'Septic shock: first pressor is {{c1::norepinephrine}}'\n"
        "  source: Surviving Sepsis Campaign 2026\n"
        "- id: bbb222\n"
        "  text: 'First drug for anaphylaxis?'\n"
        "  back: IM epinephrine\n"
    )
    result = runner.invoke(app, ["--dir", str(root), "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    path = root / "acute.yaml"
    assert result.stdout.splitlines() == [
        f"warning: {path}:5: pearl has no source: name the guideline and its year"
    ]
    assert "1 warning(s)" in result.stderr


def test_check_still_fails_on_errors_and_reports_warnings_too(root: Path) -> None:
    (root / "acute.yaml").write_text(
        "- id: aaa111\n  text: 'plain text with nothing to ask'\n  source: x 2024\n"
        "- id: bbb222\n  text: 'Q?'\n  back: A\n"
    )
    result = runner.invoke(app, ["--dir", str(root), "check"], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{root / 'acute.yaml'}:2: pearl has no cloze and no back" in lines[0], lines
    assert f"warning: {root / 'acute.yaml'}:4: pearl has no source" in result.stdout
