"""`pearls import` end to end: counts, re-import as a sync, media, schedules carried over."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.model import Pearl

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"
FIXTURES = Path(__file__).parent / "fixtures"


def run(root: Path, *args: str, code: int = 0, now: str = NOW) -> tuple[str, str]:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": now}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def test_skip_invalid_counts_every_pearl_it_skipped(root: Path, tmp_path: Path) -> None:
    md = tmp_path / "bad.md"
    md.write_text("# Acute\n- good one :: yes\n\nQ: empty answer\nA:\n\n- {{c1:: }} empty\n")
    out, err = run(root, "import", str(md), "--skip-invalid")
    assert f"{md}:5: empty answer after 'A:'" in err
    assert f"{md}:7: empty cloze" in err
    assert out.strip() == (
        "added 1 pearl(s) (1 acute); 0 already present; 2 invalid; 0 paragraph(s) skipped"
    )


NOTE = """\
# Acute care

Source: AAAAI/ACAAI, Anaphylaxis: a 2023 practice parameter update.

## Anaphylaxis

First drug for anaphylaxis::IM epinephrine
Where is it injected? :: the anterolateral thigh

**Q:** Second-line if hypotension persists after two doses?
**A:** an IV epinephrine infusion
"""


def _pearls(root: Path) -> dict[str, Pearl]:
    with Collection(root) as col:
        return {p.text: p for p in col.pearls()}


def test_reimport_updates_an_edited_card_in_place_and_keeps_its_schedule(
    root: Path, tmp_path: Path
) -> None:
    md = tmp_path / "anaphylaxis.md"
    md.write_text(NOTE)
    out, _ = run(root, "import", str(md))
    assert out.startswith("added 3 pearl(s) (3 acute); 0 already present")
    first = _pearls(root)["First drug for anaphylaxis"]
    pid = first.id
    assert first.context == "Anaphylaxis"
    run(root, "rate", pid, "good")
    assert (root / "imports.jsonl").read_text().count("\n") == 3

    # the answer edited, and a line inserted above: the card moved down two lines
    md.write_text(
        NOTE.replace(
            "## Anaphylaxis\n", "## Anaphylaxis\n\nIM epinephrine is the 1 mg/mL solution.\n"
        ).replace("::IM epinephrine", "::IM epinephrine 0.01 mg/kg (max 0.5 mg)")
    )
    out, _ = run(root, "import", str(md), "--dry-run")
    assert "would add 0 pearl(s); would update 1; 2 already present" in out
    assert f"update {pid}" in out
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); updated 1; 2 already present; 0 invalid" in out
    pearls = _pearls(root)
    assert len(pearls) == 3
    edited = pearls["First drug for anaphylaxis"]
    assert edited.id == pid
    assert edited.back == "IM epinephrine 0.01 mg/kg (max 0.5 mg)"
    assert edited.origin == f"{md}:9"
    with Collection(root) as col:
        assert col.statuses()[pid].reps == 1  # the review made before the edit is kept
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); 3 already present" in out


def test_a_pearl_deleted_in_pearldeck_is_not_brought_back(root: Path, tmp_path: Path) -> None:
    md = tmp_path / "anaphylaxis.md"
    md.write_text(NOTE)
    run(root, "import", str(md))
    with Collection(root) as col:
        gone = next(p for p in col.pearls() if p.text == "Where is it injected?")
        col.replace_pearl(gone.id, None)
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); 2 already present; 1 deleted in pearldeck, not re-added" in out
    assert "Where is it injected?" not in _pearls(root)


def test_a_pearl_edited_in_pearldeck_is_not_overwritten_by_an_unchanged_note(
    root: Path, tmp_path: Path
) -> None:
    md = tmp_path / "anaphylaxis.md"
    md.write_text(NOTE)
    run(root, "import", str(md))
    with Collection(root) as col:
        p = next(p for p in col.pearls() if p.text == "Where is it injected?")
        from pearldeck.drafts import PearlDraft

        col.replace_pearl(
            p.id, PearlDraft(pathway="acute", text=p.text, back="vastus lateralis (thigh)")
        )
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); 3 already present" in out
    assert _pearls(root)["Where is it injected?"].back == "vastus lateralis (thigh)"


def test_images_of_a_vault_are_copied_into_media(root: Path, tmp_path: Path) -> None:
    import shutil

    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "vault", vault)
    out, _ = run(root, "import", str(vault / "Renal"), "-p", "acute")
    assert out.startswith("added 6 pearl(s) (6 acute)")
    media = sorted(p.name for p in (root / "media").iterdir())
    assert [m.rsplit("-", 1)[0] for m in media] == ["abg", "torsades", "winters"]
    pearls = _pearls(root)
    winters = pearls["Winters' formula predicts what in a metabolic acidosis?"]
    ref = next(m for m in media if m.startswith("winters"))
    assert winters.back is not None and f"![](media/{ref})" in winters.back
    dry = tmp_path / "dry"
    shutil.copytree(root, dry)
    shutil.rmtree(dry / "media")
    run(dry, "import", str(vault / "Renal"), "-p", "acute", "--dry-run")
    assert not (dry / "media").exists()  # a dry run copies nothing


@pytest.mark.parametrize("sep", ["ab", "", "; ;", "123456789"])
def test_a_bad_separator_is_refused(root: Path, tmp_path: Path, sep: str) -> None:
    md = tmp_path / "n.md"
    md.write_text("q::a\n")
    _, err = run(root, "import", str(md), "-p", "acute", "--inline-sep", sep, code=1)
    assert "--inline-sep must be 1 to 8 punctuation characters" in err


# --- context: shown with the prompt, in the review and in Anki ------------------------------


def test_context_is_a_dim_line_above_the_prompt() -> None:
    from pearldeck.model import Pearl
    from pearldeck.tui.text import prompt_content

    p = Pearl("ctx001", "acute", "Give {{c1::IM epinephrine}}", context="Allergy > Anaphylaxis")
    content = prompt_content(p, 1)
    assert str(content) == "Allergy > Anaphylaxis\nGive [...]"
    assert any("dim" in str(span.style) for span in content.spans)
    assert str(prompt_content(Pearl("ctx002", "acute", "q?", "a"), None)) == "q?"


def test_context_is_a_small_escaped_header_on_the_anki_front(tmp_path: Path) -> None:
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from pearldeck.anki_export import export_apkg
    from pearldeck.model import Pearl

    pearls = [
        Pearl(
            "ctx001", "acute", "First drug?", "IM epinephrine", context="Allergy <b> & {{c1::x}}"
        ),
        Pearl("ctx002", "acute", "Give {{c1::IM epinephrine}}", context="Allergy"),
    ]
    result = export_apkg(pearls, tmp_path / "x.apkg")
    (tmp_path / "anki").mkdir()
    anki = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        anki.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(result.path), options=ImportAnkiPackageOptions()
            )
        )
        assert anki.card_count() == 2  # the header's {{c1::x}} made no card
        fronts = {}
        for nid in anki.find_notes(""):
            note = anki.get_note(nid)
            fronts[note["Pearl ID"]] = note.fields[0]
        assert fronts["ctx001"] == (
            '<div class="context"><small>Allergy &lt;b&gt; &amp; &#123;&#123;c1::x&#125;&#125;'
            "</small></div>First drug?"
        )
        assert fronts["ctx002"] == (
            '<div class="context"><small>Allergy</small></div>Give {{c1::IM epinephrine}}'
        )
    finally:
        anki.close()


# --- the plugin's schedule comments --------------------------------------------------------


def test_schedule_comments_are_read_one_entry_per_card_in_order() -> None:
    from datetime import date

    from pearldeck.markdown_import import ImportDefaults, parse_markdown
    from pearldeck.markdown_import.common import Schedule

    r = parse_markdown(
        "q::a <!--SR:!2026-12-10,12,250-->\n\n"
        "Front\n?\nBack\n<!--SR:!2026-12-01,3,230-->\n\n"
        "==one== and ==two== <!--SR:!2000-01-01,1,250!2026-12-20,30,270-->\n\n"
        "no schedule::here\n",
        "n.md",
        ImportDefaults(pathway="acute"),
    )
    assert [(d.text, s) for d, s in zip(r.drafts, r.schedules, strict=True)] == [
        ("q", (Schedule(date(2026, 12, 10), 12, 250),)),
        ("Front", (Schedule(date(2026, 12, 1), 3, 230),)),
        ("{{c1::one}} and {{c2::two}}", (None, Schedule(date(2026, 12, 20), 30, 270))),
        ("no schedule", ()),
    ]


def test_a_schedule_comment_carries_over_once_as_an_imported_review_state(
    root: Path, tmp_path: Path
) -> None:
    import json
    from datetime import UTC, date, datetime

    from pearldeck.studyday import study_day

    md = tmp_path / "sr.md"
    md.write_text(
        "# Acute care\n\n"
        "First drug for anaphylaxis::IM epinephrine <!--SR:!2026-12-10,12,250-->\n"
        "Where is it injected?::anterolateral thigh\n"
    )
    out, _ = run(root, "import", str(md))
    assert "1 review schedule(s) carried over" in out
    with Collection(root) as col:
        pid = next(p.id for p in col.pearls() if p.text == "First drug for anaphylaxis")
        status = col.statuses()[pid]
        day_starts_at = col.settings.day_starts_at
    assert status.state == 2  # review, not new
    assert status.due is not None
    due = datetime.fromtimestamp(status.due, UTC)
    assert study_day(due, day_starts_at) == date(2026, 12, 10)  # the comment's due date
    assert status.stability == pytest.approx(12.0)  # 90% recall after its 12-day interval
    assert status.difficulty is not None and 1.0 <= status.difficulty <= 10.0
    logs = list((root / "reviews").glob("*.jsonl"))
    lines = [json.loads(x) for f in logs for x in f.read_text().splitlines()]
    assert [(e["kind"], e["card"]) for e in lines] == [("import", pid)]

    out, _ = run(root, "import", str(md))  # again: the same schedule is not doubled
    assert "carried over" not in out
    lines = [x for f in logs for x in f.read_text().splitlines()]
    assert len(lines) == 1
    out, _ = run(root, "rate", pid, "good", now="2026-12-10T15:00:00Z")
    with Collection(root) as col:
        after = col.statuses()[pid]
    assert after.reps == 2 and after.state == 2
    assert after.stability is not None and after.stability > 12.0  # it grew from the import


def test_a_card_whose_front_was_edited_on_the_same_line_updates_its_pearl(
    root: Path, tmp_path: Path
) -> None:
    md = tmp_path / "anaphylaxis.md"
    md.write_text(NOTE)
    run(root, "import", str(md))
    pid = _pearls(root)["Where is it injected?"].id
    md.write_text(NOTE.replace("Where is it injected?", "Where is IM epinephrine injected?"))
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); updated 1; 2 already present" in out
    pearls = _pearls(root)
    assert pearls["Where is IM epinephrine injected?"].id == pid
    assert "Where is it injected?" not in pearls
    out, _ = run(root, "import", str(md))
    assert "added 0 pearl(s); 3 already present" in out


def test_an_import_across_pathways_records_each_card_with_its_own_pearl(
    root: Path, tmp_path: Path
) -> None:
    # notes interleave pathways (chronic, acute, chronic): the new pearls are written file by
    # file, yet each card's record must name the pearl made from that very card
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Chronic disease management\n- first chronic :: one\n")
    (notes / "b.md").write_text("# Acute care\n- first acute :: two\n")
    (notes / "c.md").write_text("# Chronic disease management\n- second chronic :: three\n")
    run(root, "import", str(notes))
    (notes / "b.md").write_text("# Acute care\n- first acute :: two, edited\n")
    out, err = run(root, "import", str(notes))
    assert "not updated" not in err
    assert out.startswith("added 0 pearl(s); updated 1; 2 already present")
    by_text = _pearls(root)
    assert by_text["first acute"].back == "two, edited"
    assert by_text["second chronic"].back == "three"
    assert by_text["first chronic"].back == "one"


def test_a_record_naming_a_pearl_from_another_note_never_overwrites_that_pearl(
    root: Path, tmp_path: Path
) -> None:
    # imports before the fix above could pair a card with the pearl of another card: an
    # edit of the card must update its own pearl (found by its line), never the other one
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Acute care\n- alpha :: one\n")
    (notes / "b.md").write_text("# Acute care\n- beta :: two\n")
    run(root, "import", str(notes))
    imports = root / "imports.jsonl"
    lines = imports.read_text().splitlines()
    ids = [line.split('"pearl":"')[1][:6] for line in lines]
    swapped = [lines[0].replace(ids[0], ids[1]), lines[1].replace(ids[1], ids[0])]
    imports.write_text("\n".join(swapped) + "\n")
    (notes / "a.md").write_text("# Acute care\n- alpha :: one, edited\n")
    out, _ = run(root, "import", str(notes))
    assert out.startswith("added 0 pearl(s); updated 1; 1 already present")
    by_text = _pearls(root)
    assert by_text["alpha"].back == "one, edited"
    assert by_text["beta"].back == "two"
    out, _ = run(root, "import", str(notes))  # and the records are right from now on
    assert out.startswith("added 0 pearl(s); 2 already present")
