"""Markdown bulk import: every accepted construct, every Problem, and hostile input."""

from __future__ import annotations

import gc
import os
import random
import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck import markdown_import
from pearldeck.gcpause import gc_paused
from pearldeck.markdown_import import (
    FORMAT_EXAMPLE,
    FORMAT_HELP,
    MAX_BYTES,
    MAX_LINES,
    MAX_PEARL_CHARS,
    MAX_TOKENS,
    NO_PATHWAY,
    ImportDefaults,
    ParseResult,
    decode_markdown,
    parse_markdown,
    pathway_named,
)
from pearldeck.model import CLOZE_RE, PATHWAYS, Problem
from tests.budget import budget, counted

PROBLEM_RE = re.compile(r"^.+:\d+: .+$")


def parse(
    src: str,
    path: str = "notes.md",
    *,
    pathway: str | None = None,
    tags: tuple[str, ...] = (),
    source: str | None = None,
    block: str | None = None,
) -> ParseResult:
    defaults = ImportDefaults(pathway=pathway, tags=tags, source=source, block=block)
    return parse_markdown(textwrap.dedent(src), path, defaults)


def acute(src: str) -> ParseResult:
    return parse(src, pathway="acute")


def pairs(result: ParseResult) -> list[tuple[str, str | None]]:
    return [(d.text, d.back) for d in result.drafts]


def messages(result: ParseResult) -> list[str]:
    return [str(p) for p in result.problems]


def assert_sane(result: ParseResult) -> None:
    """What must hold for any input at all."""
    assert result.skipped == len(result.skipped_lines)
    assert result.skipped_lines == sorted(result.skipped_lines)
    for problem in result.problems:
        assert PROBLEM_RE.match(str(problem)), str(problem)
        assert "\n" not in str(problem)
        assert problem.line >= 1
        assert "internal error" not in problem.message
    for draft in result.drafts:
        assert draft.pathway in PATHWAYS
        assert draft.text and draft.text == draft.text.strip()
        assert draft.origin and re.fullmatch(r".+:\d+", draft.origin)
        clozes = list(CLOZE_RE.finditer(draft.text))
        if draft.back is None:
            assert clozes and all(m.group(2).strip() for m in clozes)
            assert all(int(m.group(1)) >= 1 for m in clozes)
        else:
            assert draft.back and not clozes and not CLOZE_RE.search(draft.back)


# --- list items: `::`, clozes, highlights -------------------------------------------


def test_prompt_answer_split_on_the_first_spaced_double_colon() -> None:
    r = acute("""\
        - Aortic dissection first drug :: IV beta blocker
        - ratio :: 2 :: 1 stays in the answer
        - no::space splits too (the Obsidian plugin's default)
        * star bullet :: works
        1. numbered :: works
        2) paren numbered :: works
        """)
    assert pairs(r) == [
        ("Aortic dissection first drug", "IV beta blocker"),
        ("ratio", "2 :: 1 stays in the answer"),
        ("no", "space splits too (the Obsidian plugin's default)"),
        ("star bullet", "works"),
        ("numbered", "works"),
        ("paren numbered", "works"),
    ]
    assert r.skipped_lines == []
    assert not r.problems


def test_item_continued_over_lines_is_one_pearl() -> None:
    r = acute("""\
        - Most common cause of
          death in Marfan ::
          aortic dissection
        """)
    assert pairs(r) == [("Most common cause of death in Marfan", "aortic dissection")]


def test_double_colon_inside_a_cloze_or_code_does_not_split() -> None:
    r = acute("""\
        - Give {{c1::esmolol :: a hint}} first
        - The `a :: b` syntax is code
        """)
    assert pairs(r) == [("Give {{c1::esmolol :: a hint}} first", None)]
    assert r.skipped_lines == [2]


def test_clozes() -> None:
    r = acute("""\
        - {{c1::Esmolol}} before {{c2::nitroprusside}} in dissection
        - {{c1::Warfarin::drug}} reversal is {{c1::vitamin K}}
        """)
    assert pairs(r) == [
        ("{{c1::Esmolol}} before {{c2::nitroprusside}} in dissection", None),
        ("{{c1::Warfarin::drug}} reversal is {{c1::vitamin K}}", None),
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("- empty {{c1::}} cloze", "notes.md:1: empty cloze {{c1::}}: put the hidden words in it"),
        (
            "- blank {{c2::  }} cloze",
            "notes.md:1: empty cloze {{c2::}}: put the hidden words in it",
        ),
        ("- zero {{c0::x}}", "notes.md:1: cloze numbers start at 1: use {{c1::…}}"),
        ("- open {{c1::x and more", "notes.md:1: cloze '{{c1::x and more' is not closed"),
        ("- both {{c1::x}} :: y", "notes.md:1: a pearl is either 'prompt :: answer' or a cloze"),
        ("- :: answer only", "notes.md:1: nothing before ' :: ': write the prompt there"),
        ("- prompt only ::", "notes.md:1: nothing after ' :: ': write the answer there"),
        ("- ==a {{b== c", "notes.md:1: a ==highlight== cannot hold '{{' or '}}'"),
        ("- ==::hint== c", "notes.md:1: empty cloze {{c1::}}: put the hidden words in it"),
        # `code` hides `::` from the split, but the final text must still obey CLOZE_RE
        ("- `{{c1::}}` and {{c1::y}}", "notes.md:1: empty cloze {{c1::}}"),
        ("- x :: `{{c1::y}}`", "notes.md:1: a question/answer pearl cannot hold a cloze"),
    ],
)
def test_bad_pearls_are_problems(item: str, message: str) -> None:
    r = acute(item + "\n")
    assert not r.drafts
    assert len(r.problems) == 1
    assert str(r.problems[0]).startswith(message)


def test_at_most_999_highlights() -> None:
    assert len(acute("- " + "==a== " * 999 + "\n").drafts) == 1
    r = acute("- " + "==a== " * 1000 + "\n")
    assert messages(r) == ["notes.md:1: more than 999 highlights in one pearl"]


def test_escapes_keep_colons_and_equals_literal() -> None:
    r = acute("- a \\:: b is no split\n- \\=\\=not a mark\\=\\= :: ok\n- 10 &#58;: 1 :: ok\n")
    assert pairs(r) == [("==not a mark==", "ok"), ("10 :: 1", "ok")]
    assert r.skipped_lines == [1]


def test_four_digit_cloze_number_is_not_a_cloze() -> None:
    r = acute("- {{c1234::x}} is not Anki syntax\n")
    assert not r.drafts and not r.problems and r.skipped == 1


def test_highlights_become_numbered_clozes() -> None:
    r = acute("""\
        - Unstable tachycardia: ==synchronized cardioversion==
        - ==Metoprolol== or ==diltiazem== for **rate** control
        - {{c1::Adenosine}} for ==SVT==
        - ==Torsades== :: magnesium
        - a == b is not a highlight
        - neither is == this ==
        """)
    assert pairs(r) == [
        ("Unstable tachycardia: {{c1::synchronized cardioversion}}", None),
        ("{{c1::Metoprolol}} or {{c2::diltiazem}} for **rate** control", None),
        ("{{c1::Adenosine}} for SVT", None),  # explicit clozes win; the mark goes
        ("Torsades", "magnesium"),
    ]
    assert r.skipped_lines == [5, 6]


def test_nested_items_are_pearls_of_their_own_in_file_order() -> None:
    r = acute("""\
        - parent :: one
          - child :: two
            - grandchild :: three
          - second child :: four
        - Cardiology notes, not a pearl
          - under a note :: five
        -
        """)
    assert pairs(r) == [
        ("parent", "one"),
        ("child", "two"),
        ("grandchild", "three"),
        ("second child", "four"),
        ("under a note", "five"),
    ]
    assert [d.origin for d in r.drafts] == [f"notes.md:{n}" for n in (1, 2, 3, 4, 6)]
    assert r.skipped_lines == [5]  # the empty item dropped nothing, so is not counted


def test_loose_item_paragraphs_join() -> None:
    r = acute("""\
        - first paragraph ::

          second paragraph

        - next :: x
        """)
    assert pairs(r) == [("first paragraph", "second paragraph"), ("next", "x")]


# --- Q:/A: -------------------------------------------------------------------------


def test_question_and_answer_in_one_paragraph() -> None:
    r = acute("""\
        Q: First test for suspected PE
        in a stable low-risk patient?
        A: D-dimer
        (highly sensitive)
        Q: Second question?
        A: Second answer
        """)
    assert pairs(r) == [
        ("First test for suspected PE in a stable low-risk patient?", "D-dimer (highly sensitive)"),
        ("Second question?", "Second answer"),
    ]
    assert [d.origin for d in r.drafts] == ["notes.md:1", "notes.md:5"]
    assert not r.problems and not r.skipped


def test_question_and_answer_in_consecutive_paragraphs() -> None:
    r = acute("""\
        Q: A 45-year-old man has tearing chest pain.

        Which drug first?

        A: Esmolol

        This paragraph is after the answer: not part of it.
        """)
    # the whole answer: every paragraph up to the next card or heading
    assert pairs(r) == [
        (
            "A 45-year-old man has tearing chest pain. Which drug first?",
            "Esmolol\nThis paragraph is after the answer: not part of it.",
        )
    ]
    assert r.drafts[0].origin == "notes.md:1"
    assert r.skipped_lines == []


def test_question_answer_variants() -> None:
    r = acute("""\
        **Q:** bold colon inside?
        **A:** yes

        **Q**: bold colon outside?
        __A__: yes

        Question: long form?
        Answer: yes

        q: lower case?
        a: yes

        Q. a dot is not a marker
        A. baumannii is an answer option in a vignette
        """)
    assert pairs(r) == [
        ("bold colon inside?", "yes"),
        ("bold colon outside?", "yes"),
        ("long form?", "yes"),
        (
            "lower case?",
            "yes\nQ. a dot is not a marker A. baumannii is an answer option in a vignette",
        ),
    ]
    assert r.skipped_lines == []


def test_question_answer_problems() -> None:
    r = acute("""\
        Q: no answer ever

        ## Heading

        Q: cut by a list
        - item :: x

        Q:
        A: empty question

        Q: empty answer
        A:

        Q: {{c1::cloze}} in a question?
        A: no
        """)
    assert pairs(r) == [("item", "x")]
    assert messages(r) == [
        "notes.md:1: question has no answer: add an 'A:' line after it",
        "notes.md:5: question has no answer: add an 'A:' line after it",
        "notes.md:8: empty question after 'Q:'",
        "notes.md:12: empty answer after 'A:'",
        "notes.md:14: a Q:/A: pearl cannot hold a cloze: make it a list item instead",
    ]


def test_text_around_questions_is_skipped_with_its_line() -> None:
    r = acute("""\
        Some notes before
        Q: the question?
        A: the answer

        A: an answer with no question is just text
        """)
    assert pairs(r) == [("the question?", "the answer\nA: an answer with no question is just text")]
    assert r.skipped_lines == [1]


def test_question_answer_inside_a_list_item() -> None:
    r = acute("""\
        - Q: question in an item?
          A: answer in it
        - Q: no answer here
        """)
    assert pairs(r) == [("question in an item?", "answer in it")]
    assert messages(r) == ["notes.md:3: question has no answer: add an 'A:' line after it"]


def test_question_answer_inside_a_quote() -> None:
    r = acute("> Q: quoted?\n> A: still read\n")
    assert pairs(r) == [("quoted?", "still read")]


# --- tags ----------------------------------------------------------------------------


def test_inline_tags_become_tags_and_leave_the_text() -> None:
    r = acute("""\
        - #1 cause of death in #Marfan :: aortic dissection #cardio/aorta #cardio
        - C# and F#m and issue#12 and (#paren) :: not tags
        - `#include` and \\#escaped :: not tags #real
        """)
    assert pairs(r) == [
        ("#1 cause of death in", "aortic dissection"),
        ("C# and F#m and issue#12 and (#paren)", "not tags"),
        ("`#include` and #escaped", "not tags"),
    ]
    assert [d.tags for d in r.drafts] == [("marfan", "cardio/aorta", "cardio"), (), ("real",)]


def test_a_hash_glued_to_markup_before_it_is_not_a_tag() -> None:
    r = acute("- **bold**#glued and *it* #free :: x\n")
    assert pairs(r) == [("**bold**#glued and *it*", "x")]
    assert r.drafts[0].tags == ("free",)


def test_tags_in_question_answer_pearls() -> None:
    r = acute("Q: what? #qtag\nA: that #atag/sub\n")
    assert pairs(r) == [("what?", "that")]
    assert r.drafts[0].tags == ("qtag", "atag/sub")


def test_tag_order_front_matter_headings_inline_command_line_deduped() -> None:
    r = parse(
        """\
        ---
        tags: [Shared, fm]
        ---
        # Acute care
        ## Cardiology
        ### Heart failure (HFrEF)
        - x :: y #inline #shared #cardiology
        """,
        tags=("#CLI", "fm", "two words"),
    )
    # headings are the context, not tags
    assert r.drafts[0].tags == ("shared", "fm", "inline", "cardiology", "cli", "two-words")
    assert r.drafts[0].context == "Cardiology > Heart failure (HFrEF)"


# --- headings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "pathway"),
    [
        ("# Acute care", "acute"),
        ("## acute", "acute"),
        ("### ACUTE CARE:", "acute"),
        ("## 1. Acute care", "acute"),
        ("## Acute care pearls", "acute"),
        ("## Chronic disease management", "chronic"),
        ("## Chronic", "chronic"),
        ("## Preventive care", "preventive"),
        ("## preventive", "preventive"),
        ("## Diagnostic reasoning", "diagnostic"),
        ("## Diagnostic", "diagnostic"),
        ("## Systems-based practice", "systems-based"),
        ("## Systems based practice", "systems-based"),
        ("## systems-based", "systems-based"),
        ("## Ethics", "systems-based"),
        ("## Patient safety", "systems-based"),
        ("## Ethics & patient safety", "systems-based"),
        ("## **Acute** care", "acute"),
        ("Acute care\n==========", "acute"),
    ],
)
def test_pathway_headings(heading: str, pathway: str) -> None:
    r = parse(f"{heading}\n\n- x :: y\n")
    assert [d.pathway for d in r.drafts] == [pathway]
    assert r.drafts[0].tags == ()  # a pathway heading is not a tag


def test_words_that_merely_contain_a_pathway_are_context() -> None:
    r = parse("## Acute kidney injury\n- x :: y\n## Diagnosis\n- z :: w\n", pathway="chronic")
    assert [(d.pathway, d.tags, d.context) for d in r.drafts] == [
        ("chronic", (), "Acute kidney injury"),
        ("chronic", (), "Diagnosis"),
    ]


def test_pathway_lasts_until_a_heading_of_the_same_or_higher_level() -> None:
    r = parse("""\
        # Acute care
        - a :: 1
        ## Cardiology
        - b :: 2
        ## Chronic
        - c :: 3
        ### Renal
        - d :: 4
        ## Pulmonology
        - e :: 5
        # Preventive care
        - f :: 6
        # Miscellaneous
        - g :: 7
        """)
    assert [(d.text, d.pathway, d.context) for d in r.drafts] == [
        ("a", "acute", None),
        ("b", "acute", "Cardiology"),
        ("c", "chronic", None),
        ("d", "chronic", "Renal"),
        ("e", "acute", "Pulmonology"),
        ("f", "preventive", None),
    ]
    assert messages(r) == [f"notes.md:14: {NO_PATHWAY}"]


def test_a_sibling_heading_ends_a_pathway_section() -> None:
    # `## Cardiology` is a sibling of `## Acute care`, not inside it.
    r = parse("## Acute care\n- a :: 1\n## Cardiology\n- b :: 2\n")
    assert pairs(r) == [("a", "1")]
    assert messages(r) == [f"notes.md:4: {NO_PATHWAY}"]


def test_heading_tags_scope() -> None:
    r = acute("""\
        # Top
        ## A section
        - x :: 1
        ### Sub
        - y :: 2
        ## C **section** `v2`
        - z :: 3
        # Next #extra
        - w :: 4
        """)
    assert [(d.text, d.tags, d.context) for d in r.drafts] == [
        ("x", (), "Top > A section"),
        ("y", (), "Top > A section > Sub"),
        ("z", (), "Top > C section v2"),
        ("w", ("extra",), "Next"),
    ]


def test_heading_inside_a_list_item_is_item_text() -> None:
    r = acute("- # looks like a heading :: but is item text\n- x :: y\n")
    assert pairs(r) == [("looks like a heading", "but is item text"), ("x", "y")]
    assert r.drafts[1].tags == ()


# --- front matter, defaults ------------------------------------------------------------


def test_front_matter_sets_file_defaults() -> None:
    r = parse("""\
        ---
        title: Cardio notes
        pathway: Diagnostic reasoning
        tags: Cardio, heart failure
        source: NO
        ---

        - nitric oxide :: NO
        """)
    assert len(r.drafts) == 1
    d = r.drafts[0]
    assert (d.pathway, d.tags, d.source, d.origin) == (
        "diagnostic",
        ("cardio", "heart-failure"),
        "NO",  # base loader: scalars stay strings
        "notes.md:8",
    )


def test_heading_beats_front_matter_beats_command_line_pathway() -> None:
    src = "---\npathway: chronic\n---\n- a :: 1\n# Acute care\n- b :: 2\n"
    r = parse(src, pathway="preventive")
    assert [d.pathway for d in r.drafts] == ["chronic", "acute"]
    r = parse("- a :: 1\n", pathway="Preventive care")
    assert [d.pathway for d in r.drafts] == ["preventive"]


def test_command_line_source_wins_and_block_is_copied() -> None:
    fm = "---\npathway: acute\nsource: UWorld\n---\n- a :: 1\n"
    assert parse(fm).drafts[0].source == "UWorld"
    r = parse(fm, source="  UWorld   12345 ", block="blk1")
    assert (r.drafts[0].source, r.drafts[0].block) == ("UWorld 12345", "blk1")
    assert parse("- a :: 1\n", pathway="acute").drafts[0].source is None


def test_hr_later_in_the_file_is_not_front_matter() -> None:
    r = acute("- a :: 1\n\n---\n\n- b :: 2\n")
    assert pairs(r) == [("a", "1"), ("b", "2")]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("pathway: bogus", "notes.md:2: unknown pathway 'bogus' in front matter: use one of acute"),
        ("x: 1\npathway: [acute]", "notes.md:3: front matter 'pathway' must be a single value"),
        ("pathway: &a acute", "notes.md:2: front matter may not use YAML anchors"),
        ("a: &x 1\nsource: *x", "notes.md:2: front matter may not use YAML anchors"),
        ("source: !!str x", "notes.md:2: front matter may not use YAML tags"),
        ("- a\n- b", "notes.md:2: front matter must be 'key: value' lines"),
        ("tags: {a: b}", "notes.md:2: front matter 'tags' must be a list or a comma-separated"),
        ("tags: [[a]]", "notes.md:2: front matter 'tags' must be a list or a comma-separated"),
        ("source: a\nsource: b", "notes.md:3: 'source' is given twice in front matter"),
        ("ok: 1\nbad: [unclosed", "notes.md:4: bad front matter: expected ',' or ']'"),
        ("x: " + "[" * 50 + "]" * 50, "notes.md:2: front matter is nested too deeply"),
        ("x: " + "[" * 5000 + "]" * 5000, "notes.md:2: front matter is nested too deeply"),
    ],
    ids=lambda v: repr(v[:24]),
)
def test_bad_front_matter_is_a_problem_at_its_line(front: str, message: str) -> None:
    r = parse(f"---\n{front}\n---\n- a :: 1\n", pathway="acute")
    assert not r.drafts
    assert len(r.problems) == 1
    assert str(r.problems[0]).startswith(message), str(r.problems[0])


def test_unclosed_or_huge_front_matter() -> None:
    r = parse("---\npathway: acute\n- a :: 1\n")
    assert messages(r) == ["notes.md:1: front matter is not closed: end it with a '---' line"]
    r = parse("---\n" + "x: y\n" * 10_000 + "---\n- a :: 1\n", pathway="acute")
    assert messages(r) == ["notes.md:1: front matter is longer than 16,384 bytes"]


def test_empty_front_matter_and_dots_close() -> None:
    assert pairs(parse("---\n---\n- a :: 1\n", pathway="acute")) == [("a", "1")]
    r = parse("---\npathway: acute\n...\n- a :: 1\n")
    assert [d.origin for d in r.drafts] == ["notes.md:4"]


def test_unknown_command_line_pathway() -> None:
    r = parse("- a :: 1\n", pathway="surgery")
    assert not r.drafts
    assert messages(r) == [
        "notes.md:1: unknown pathway 'surgery' given with --pathway: use one of acute, "
        "chronic, preventive, diagnostic, systems-based"
    ]


def test_pathway_named() -> None:
    assert pathway_named("Systems based practice:") == "systems-based"
    assert pathway_named("Cardiology") is None


# --- plain text, skipping, problems ---------------------------------------------------


def test_markup_is_kept_as_pearl_markup_and_specials_kept() -> None:
    r = acute("""\
        - **Bold**, *it*, _it_, `code`, [link *t*](http://x.org) and <https://y.org> :: ok
        - K+ < 3.5 &amp; Na > 145 & <b>raw</b> <!-- hidden --> :: &lt;kept&gt;
        - ![ECG *image*](ecg.png) shows   lots	of   space :: a\\
          hard break
        """)
    # kept as pearl markup: bold, italic, code, links with their URL; Anki's <b> too
    assert pairs(r) == [
        (
            "**Bold**, *it*, *it*, `code`, [link *t*](http://x.org) and "
            "[https://y.org](https://y.org)",
            "ok",
        ),
        ("K+ < 3.5 & Na > 145 & **raw**", "<kept>"),
        ("ECG image shows lots of space", "a\nhard break"),
    ]


def test_skipped_paragraphs_and_items_are_counted_with_lines() -> None:
    r = acute("""\
        # Title

        Just prose.

        More prose
        over two lines.

        - a note
        - a :: pearl
        - #onlytags

        ```
        - code is never a pearl :: x
        ```
        <!--
        - commented out :: x
        -->
        """)
    assert pairs(r) == [("a", "pearl")]
    assert (r.skipped, r.skipped_lines) == (4, [3, 5, 8, 10])


def test_no_pathway_problem_shape() -> None:
    r = parse("\n\n- x :: y\n", path="notes/cardio.md")
    assert not r.drafts
    assert r.problems == [Problem("notes/cardio.md", 3, NO_PATHWAY)]
    assert str(r.problems[0]) == (
        "notes/cardio.md:3: no pathway for this pearl: put it under a heading like "
        "'## Acute care', set 'pathway:' in front matter, or pass --pathway"
    )


def test_origin_lines_survive_crlf_cr_and_bom() -> None:
    src = "\ufeff---\r\npathway: acute\r\n---\r\n\r\n- a :: 1\r\n\r- b :: 2\n"
    r = parse_markdown(src, "w.md")
    assert [d.origin for d in r.drafts] == ["w.md:5", "w.md:7"]


def test_empty_path_is_named_stdin() -> None:
    r = parse_markdown("- x :: y\n", "")
    assert str(r.problems[0]).startswith("<stdin>:1: no pathway")


def test_format_example_parses_as_documented() -> None:
    r = parse_markdown(FORMAT_EXAMPLE, "example.md")
    assert not r.problems
    assert [(d.pathway, d.back is None) for d in r.drafts] == [
        ("acute", False),
        ("acute", True),
        ("acute", True),
        ("acute", False),
        ("acute", False),
        ("chronic", False),
    ]
    assert r.drafts[0].tags == ("cardio", "uworld", "emergency")
    assert r.drafts[0].context == "Aortic dissection"
    assert r.drafts[4].tags == ("cardio", "uworld", "pulm/pe")
    assert r.drafts[4].context == "Pulmonary embolism"
    assert all(d.source == "UWorld block 12" for d in r.drafts)
    assert r.skipped == 1
    assert FORMAT_EXAMPLE in FORMAT_HELP


# --- decode_markdown -----------------------------------------------------------------


def test_decode_valid_utf8_and_bom() -> None:
    assert decode_markdown("- β-blocker :: yes\n".encode(), "a.md") == ("- β-blocker :: yes\n", [])
    assert decode_markdown(b"\xef\xbb\xbf- x", "a.md") == ("- x", [])


def test_decode_invalid_utf8_reports_its_line() -> None:
    text, problems = decode_markdown(b"- one\n- two\n- caf\xe9 :: x\n", "l1.md")
    assert text is None
    assert [str(p) for p in problems] == ["l1.md:3: not UTF-8 (byte 0xe9): save it as UTF-8"]
    _, problems = decode_markdown(b"a\r\nb\rc\r\n\xff", "cr.md")
    assert problems[0].line == 4


def test_decode_names_utf16() -> None:
    text, problems = decode_markdown("- x :: y\n".encode("utf-16"), "w.md")
    assert text is None and [str(p) for p in problems] == ["w.md:1: UTF-16 text: save it as UTF-8"]


def test_decode_refuses_nul_binary_and_oversize() -> None:
    text, problems = decode_markdown(b"- a\n- b\x00c\n", "nul.md")
    assert text is None and [str(p) for p in problems] == [
        "nul.md:2: binary data (a NUL byte), not text"
    ]
    png = b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(256) for _ in range(4096))
    text, problems = decode_markdown(png, "img.png")
    assert text is None and len(problems) == 1 and PROBLEM_RE.match(str(problems[0]))
    text, problems = decode_markdown(b"a" * (MAX_BYTES + 1), "big.md")
    assert text is None and problems[0].message.startswith("file is 4,194,305 bytes")


# --- hostile input ------------------------------------------------------------------


def timed(src: str, pathway: str | None = None) -> ParseResult:
    """Parse hostile text with bounded work (counted in calls, not seconds: see budget)."""
    with counted() as work:
        result = parse_markdown(src, "h.md", ImportDefaults(pathway=pathway))
    assert work.calls < budget(len(src)), f"{work.calls} calls for {len(src)} characters"
    assert_sane(result)
    return result


def test_ten_megabytes_is_refused_before_parsing() -> None:
    src = "- a :: b\n" * (10 * 1024 * 1024 // 9)
    r = timed(src)
    assert not r.drafts
    assert messages(r) == [
        f"h.md:1: file is {len(src):,} bytes; the limit is 4,194,304 (4 MiB): split it up"
    ]
    assert timed("é" * (MAX_BYTES // 2 + 1)).problems[0].message.startswith("file is")


def test_megabyte_lines() -> None:
    mb = 1024 * 1024
    r = timed("- " + "a" * mb + " :: b\n", pathway="acute")
    assert messages(r) == [f"h.md:1: list item is {mb + 5:,} characters long; the limit is 20,000"]
    r = timed("Q: " + "a" * mb + "\nA: b\n", pathway="acute")
    assert r.problems[0].message.startswith("Q/A is")
    assert timed("a" * mb).skipped == 1
    assert timed("# " + "a" * mb + "\n- x :: y\n", pathway="acute").problems[0].line == 1
    assert timed("- " + "![" * (mb // 2), pathway="acute").problems
    assert timed("- x :: " + "*a" * (MAX_PEARL_CHARS // 2 - 4), pathway="acute").drafts


@pytest.mark.parametrize(
    "src",
    [
        "- " * 10_000 + "x :: y\n",
        "> " * 10_000 + "x :: y\n",
        "1. " * 10_000 + "x :: y\n",
        "> - " * 5_000 + "x :: y\n",
        "".join("  " * i + "- x :: y\n" for i in range(1_000)),
        "".join(">" * i + " Q: x\n" for i in range(1_000)),
        "[" * 100_000 + "x" + "]" * 100_000,
        "- x :: " + "[" * 9_000 + "\n",
        "- x :: " + "![" * 4_000 + "\n",
        "- x :: " + "![a](" * 3_000 + "\n",
        "- " + "**" * 5_000 + "x :: y\n",
        "- " + "<a " * 5_000 + "\n",
        "- {{c1::" * 3_000 + "\n",
        "- " + "==a " * 4_000 + "\n",
        ("- x :: ![![![![![![![![![![![![![!\n" * 2_000),
    ],
    ids=lambda s: repr(s[:12]),
)
def test_deep_and_pathological_input_ends_quickly(src: str) -> None:
    timed(src, pathway="acute")


def test_deep_nesting_is_reported_not_silently_dropped() -> None:
    r = timed("- " * 10_000 + "x :: y\n", pathway="acute")
    assert not r.drafts
    assert messages(r) == [
        "h.md:1: lists or quotes nested too deeply (lists at most 9 levels): "
        "what is inside was not read"
    ]
    nine = "".join("  " * i + f"- level {i} :: y\n" for i in range(9))
    assert len(timed(nine, pathway="acute").drafts) == 9


def test_too_many_lines_or_blocks() -> None:
    r = timed("\n" * MAX_LINES + "- x :: y")
    assert messages(r) == [
        f"h.md:1: file has {MAX_LINES + 1:,} lines; the limit is 200,000: split it up"
    ]
    r = timed("- x :: y\n" * (MAX_TOKENS // 5 + 10), pathway="acute")
    assert not r.drafts
    assert r.problems[0].message == "more than 250,000 markdown blocks: split the file up"


def test_nul_surrogates_and_controls_in_text() -> None:
    r = timed("- a\x00b :: c\x07d\x1be\n- \ud800 :: x\n- \u2028 sep :: y\x85z\n", pathway="acute")
    assert pairs(r) == [("a\ufffdb", "c d e"), ("\ud800", "x"), ("sep", "y z")]


def test_gc_state_is_restored() -> None:
    assert gc.isenabled()
    parse_markdown("- x :: y\n", "a.md")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_markdown("- x :: y\n", "a.md")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_gc_paused_restores_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()

    @gc_paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()


def test_unexpected_errors_become_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise ValueError("bug")

    monkeypatch.setattr(markdown_import._Parser, "walk", boom)
    r = parse_markdown("- x :: y\n", "a.md")
    assert messages(r) == [
        "a.md:1: internal error reading this file (ValueError): please report it"
    ]

    def deep(*_: object) -> None:
        raise RecursionError

    monkeypatch.setattr(markdown_import._Parser, "walk", deep)
    assert messages(parse_markdown("x", "a.md")) == ["a.md:1: markup nested too deeply to read"]


# --- property: any text at all ------------------------------------------------------

MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "-",
            "- ",
            "* ",
            "1. ",
            "  ",
            "    ",
            "\t",
            "\n",
            "\n\n",
            "\r\n",
            "> ",
            "#",
            "# ",
            "## ",
            "Acute care",
            "chronic",
            "Cardiology",
            "---\n",
            "pathway: acute\n",
            "tags: [a, b]\n",
            "Q:",
            "A:",
            "**Q:**",
            " :: ",
            "::",
            "{{c1::",
            "{{c2::",
            "}}",
            "==",
            "**",
            "*",
            "_",
            "`",
            "```\n",
            "[",
            "](u)",
            "![",
            "<",
            ">",
            "&amp;",
            "&",
            "\\",
            "#tag",
            "#a/b",
            "#1",
            "C# ",
            "x",
            "word ",
            "é",
            "\x00",
            "\ufeff",
            "<!--",
            "-->",
            "|",
            "~~~",
        ]
    ),
    max_size=60,
).map("".join)


@settings(
    max_examples=int(os.environ.get("PEARLDECK_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(st.text(), MARKDOWNISH), st.sampled_from([None, "acute"]))
def test_parse_never_raises_and_problems_are_path_line_message(
    text: str, pathway: str | None
) -> None:
    result = parse_markdown(text, "fuzz.md", ImportDefaults(pathway=pathway, tags=("t",)))
    assert_sane(result)


@settings(max_examples=int(os.environ.get("PEARLDECK_FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.binary(max_size=300))
def test_decode_never_raises(data: bytes) -> None:
    text, problems = decode_markdown(data, "fuzz.md")
    assert (text is None) == bool(problems)
    assert all(PROBLEM_RE.match(str(p)) for p in problems)
    if text is not None:
        assert_sane(parse_markdown(text, "fuzz.md"))


def _inline_tokens(md: object, text: str) -> list[tuple[str, str, str]]:
    from markdown_it.token import Token

    out: list[Token] = []
    md.inline.parse(text, md, {}, out)  # type: ignore[attr-defined]
    flat: list[tuple[str, str, str]] = []
    stack = [iter(out)]
    while stack:
        tok = next(stack[-1], None)
        if tok is None:
            stack.pop()
            continue
        flat.append((tok.type, tok.content, tok.markup))
        stack.append(iter(tok.children or ()))
    return flat


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[(!*_`<>&\\#:=a {}c1", max_size=60))
def test_without_a_closing_bracket_links_need_no_rule(text: str) -> None:
    """The link-less inline parser reads text with no `]` exactly as the full one does."""
    text = text.replace("]", "")
    _, full, unlinked = markdown_import._markdown_it()
    assert _inline_tokens(unlinked, text) == _inline_tokens(full, text)
