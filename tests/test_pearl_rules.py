"""One rule for clozes, tags and pathways everywhere a pearl comes in (issue 21)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.markdown_import import ImportDefaults, parse_markdown

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"
NESTED = "Acute angle-closure glaucoma: give a{{c1::c{{c2::etazolamide}}}}"


def run(root: Path, *args: str, code: int = 0) -> tuple[str, str]:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": NOW}, catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def test_a_nested_cloze_in_a_file_is_named_by_check(root: Path) -> None:
    (root / "acute.yaml").write_text(
        f'- id: glauc1\n  text: "{NESTED}"\n  tags: [ophthalmology]\n', encoding="utf-8"
    )
    out, _ = run(root, "check", code=1)
    assert "acute.yaml:2: nested cloze" in out
    assert "{{c2::" in out


def test_add_refuses_a_nested_cloze_and_writes_nothing(root: Path) -> None:
    before = (root / "acute.yaml").read_bytes()
    _, err = run(root, "add", NESTED, "-p", "acute", code=1)
    assert "nested cloze" in err
    assert (root / "acute.yaml").read_bytes() == before


def test_import_refuses_a_nested_cloze(root: Path, tmp_path: Path) -> None:
    notes = tmp_path / "eye.md"
    notes.write_text(f"# Acute care\n\n- {NESTED}\n", encoding="utf-8")
    _, err = run(root, "import", str(notes), code=1)
    assert "eye.md:3: nested cloze" in err
    with Collection(root) as col:
        assert col.pearls() == []


def test_side_by_side_clozes_and_a_hint_are_still_fine(root: Path) -> None:
    text = "{{c1::Acetazolamide}} lowers {{c2::aqueous humour::what}} production"
    run(root, "add", text, "-p", "acute")
    drafts = parse_markdown(f"- {text}\n", "n.md", ImportDefaults(pathway="acute")).drafts
    assert [d.text for d in drafts] == [text]


CHRONIC_13 = """\
- id: hfref1
  text: "HFrEF: the fourth pillar of therapy is an {{c1::SGLT2 inhibitor}}"
  tags: [cardiology]
- id: ccb001
  text: Which calcium channel blockers should be avoided in HFrEF?
  back: Non-dihydropyridines (diltiazem, verapamil)
  tags: [cardiology]
- id: metf01
  text: "Metformin is contraindicated at eGFR {{c1::< 30}}
  tags: [diabetes]
- id: statn1
  text: Ezetimibe {{c1::lowers LDL}}
  tags: [lipids]
"""


def test_an_unclosed_quote_is_reported_on_its_own_line(root: Path) -> None:
    (root / "chronic.yaml").write_text(CHRONIC_13, encoding="utf-8")
    out, _ = run(root, "check", code=1)
    [line] = out.splitlines()
    assert "chronic.yaml:9: " in line
    assert "quote" in line and "end of stream" not in line


def test_an_unclosed_quote_before_other_quoted_text_is_still_its_own_line(root: Path) -> None:
    text = CHRONIC_13.replace("Ezetimibe {{c1::lowers LDL}}", '"Ezetimibe {{c1::lowers LDL}}"')
    (root / "chronic.yaml").write_text(text, encoding="utf-8")
    out, _ = run(root, "check", code=1)
    assert "chronic.yaml:9: " in out.splitlines()[0]


def test_a_colon_in_unquoted_text_gets_a_hint_to_quote_it(root: Path) -> None:
    text = CHRONIC_13.replace('"HFrEF: the fourth pillar of therapy is an', "HFrEF: the fourth")
    text = text.replace('SGLT2 inhibitor}}"', "SGLT2 inhibitor}}").replace("30}}\n", '30}}"\n')
    (root / "chronic.yaml").write_text(text, encoding="utf-8")
    out, _ = run(root, "check", code=1)
    [line] = out.splitlines()
    assert "chronic.yaml:2: " in line
    assert "put the text in quotes" in line


# --- tags: lowercase, a space inside a tag becomes '-', a comma separates tags -----------


def test_a_spaced_tag_is_one_tag_everywhere(root: Path, tmp_path: Path) -> None:
    # source: Surviving Sepsis Campaign 2021
    pid, _ = run(
        root, "add", "Septic shock: MAP goal {{c1::≥ 65 mmHg}}", "-p", "acute", "-t", "ICU care"
    )
    pe = "Stable, high pretest probability of PE: first test?"
    run(root, "add", pe, "-p", "acute", "-b", "CT pulmonary angiography", "-t", "Pulm, #PE")
    notes = tmp_path / "n.md"
    # sources: ESC 2019 acute PE; GINA 2024
    notes.write_text(
        "# Acute care\n\n"
        "- Severe asthma attack despite initial therapy :: add IV magnesium sulfate #Pulm\n",
        "utf-8",
    )
    run(root, "import", str(notes), "-t", "ICU care")
    written = (root / "acute.yaml").read_text(encoding="utf-8")
    assert "tags: [icu-care]" in written
    assert "tags: [pulm, pe]" in written
    assert "tags: [pulm, icu-care]" in written
    listed = json.loads(run(root, "list", "-t", "ICU care", "--json")[0])
    assert [p["id"] for p in listed] == [pid.strip(), listed[1]["id"]]
    assert len(json.loads(run(root, "list", "-t", "pulm", "--json")[0])) == 2
    assert len(json.loads(run(root, "list", "-t", "PULM", "--json")[0])) == 2


def test_tags_in_yaml_follow_the_same_rule(root: Path) -> None:
    (root / "chronic.yaml").write_text(
        "- id: hfref1\n"
        '  text: "HFrEF: add an {{c1::SGLT2 inhibitor}}"\n'
        "  tags: [Heart failure, Cardiology]\n"
        "- id: metf01\n"
        '  text: "Metformin is contraindicated at eGFR {{c1::< 30}}"\n'
        "  tags: Diabetes, renal dosing\n",
        encoding="utf-8",
    )
    run(root, "check")
    listed = json.loads(run(root, "list", "--json")[0])
    assert [p["tags"] for p in listed] == [
        ["heart-failure", "cardiology"],
        ["diabetes", "renal-dosing"],
    ]
    assert [p["id"] for p in json.loads(run(root, "list", "-t", "Heart Failure", "--json")[0])] == [
        "hfref1"
    ]
    out, _ = run(root, "due", "-t", "CARDIOLOGY", "--json")
    assert json.loads(out)["total"]["new"] == 1


# --- pathways: the names an import heading accepts are accepted by every -p -------------


def test_pathway_titles_and_any_case_are_accepted_by_every_p(root: Path) -> None:
    q = "Most common cause of small-bowel obstruction in adults?"  # source: Sabiston 21st ed.
    run(root, "add", q, "-p", "Acute", "-b", "Adhesions from prior abdominal surgery")
    hba1c = "HbA1c target for most nonpregnant adults with diabetes?"  # ADA Standards 2024
    run(root, "add", hba1c, "-p", "Chronic disease management", "-b", "< 7%")
    listed = json.loads(run(root, "list", "-p", "Acute care", "--json")[0])
    assert [p["pathway"] for p in listed] == ["acute"]
    assert json.loads(run(root, "due", "-p", "CHRONIC", "--json")[0])["total"]["new"] == 1
    assert json.loads(run(root, "next", "-p", "chronic care", "--json")[0])["pathway"] == "chronic"
    run(root, "block", "add", "-s", "uworld", "-q", "10", "-c", "8", "-m", "15",
        "--pathway-misses", "Acute care=1,Systems-based practice=1")  # fmt: skip
    _, err = run(root, "list", "-p", "cardiology", code=2)
    assert "unknown pathway 'cardiology'" in err and "Acute care" in err


def test_a_duplicate_id_names_only_the_other_places(root: Path) -> None:
    pearl = '- id: dup001\n  text: "Anaphylaxis: {{c1::IM epinephrine}}"\n'
    (root / "acute.yaml").write_text(pearl, encoding="utf-8")
    (root / "chronic.yaml").write_text(pearl + pearl, encoding="utf-8")
    out, _ = run(root, "check", code=1)
    lines = out.replace(f"{root}/", "").splitlines()
    # the style advice (no source) comes as warning lines: the problems are the rest
    first, second = sorted(line for line in lines if not line.startswith("warning:"))
    assert first == "chronic.yaml:1: duplicate id 'dup001' (also at acute.yaml:1, chronic.yaml:3)"
    assert second == "chronic.yaml:3: duplicate id 'dup001' (also at acute.yaml:1, chronic.yaml:1)"


# --- init offers git ------------------------------------------------------------------


def test_init_git_makes_a_repository_and_no_git_does_not(tmp_path: Path) -> None:
    with_git, without = tmp_path / "a" / "pearls", tmp_path / "b" / "pearls"
    result = runner.invoke(app, ["init", str(with_git), "--git"], catch_exceptions=False)
    assert result.exit_code == 0 and "git repository" in result.stdout
    assert (with_git / ".git").is_dir() and (with_git / "settings.toml").exists()
    result = runner.invoke(app, ["init", str(without), "--no-git"], catch_exceptions=False)
    assert result.exit_code == 0 and not (without / ".git").exists()
    # not a terminal and no flag: no question, a hint
    other = tmp_path / "c" / "pearls"
    result = runner.invoke(app, ["init", str(other)], input="y\n", catch_exceptions=False)
    assert not (other / ".git").exists() and f"pearls init {other} --git" in result.stdout
    # inside a repository already (a collection kept in a project): never a nested one
    inner = with_git / "sub"
    result = runner.invoke(app, ["init", str(inner), "--git"], catch_exceptions=False)
    assert "already inside a git repository" in result.stdout
    assert not (inner / ".git").exists()
