"""The starter collection in pearls/: clean under `pearls check`, big enough, one pathway rule."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.model import PATHWAYS

REPO = Path(__file__).resolve().parents[1]
STARTER = REPO / "pearls"
RULE_START = "Pathway rule:"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A copy, so that the index `check` builds never lands in the repository."""
    dest = tmp_path / "pearls"
    shutil.copytree(STARTER, dest, ignore=shutil.ignore_patterns(".cache"))
    return dest


def test_starter_passes_check_with_no_errors_and_no_warnings(starter: Path) -> None:
    result = CliRunner().invoke(app, ["--dir", str(starter), "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == "", result.stdout
    assert "warning" not in result.stderr, result.stderr
    assert "no problems" in result.stderr


def test_starter_has_200_pearls_and_35_in_each_pathway(starter: Path) -> None:
    with Collection(starter) as col:
        pearls = col.pearls()
    per_pathway = Counter(p.pathway for p in pearls)
    assert len(pearls) >= 200, len(pearls)
    assert all(per_pathway[p] >= 35 for p in PATHWAYS), per_pathway


def test_starter_ids_are_six_lowercase_base36_and_unique(starter: Path) -> None:
    with Collection(starter) as col:
        ids = [p.id for p in col.pearls()]
    assert all(re.fullmatch(r"[a-z0-9]{6}", i) for i in ids), ids
    assert len(ids) == len(set(ids))


def test_every_starter_source_names_a_year(starter: Path) -> None:
    with Collection(starter) as col:
        undated = [
            (p.id, p.source)
            for p in col.pearls()
            if not re.search(r"\b(19|20)\d\d\b", p.source or "")
        ]
    assert undated == []


def _rule_in(lines: list[str], marker: str) -> str:
    """The paragraph of `marker` lines (`#` or `>`) that starts with `Pathway rule:`."""
    out: list[str] = []
    for line in lines:
        body = line[len(marker) :].strip() if line.startswith(marker) else ""
        if not out:
            if body.startswith(RULE_START):
                out.append(body)
            continue
        if not body:
            break
        out.append(body)
    return " ".join(" ".join(out).split())


def test_readme_states_the_pathway_rule_each_pathway_file_states() -> None:
    readme = _rule_in((REPO / "README.md").read_text().splitlines(), ">")
    assert readme.startswith(RULE_START) and len(readme) > 200, readme
    for pathway in PATHWAYS:
        header = _rule_in((STARTER / f"{pathway}.yaml").read_text().splitlines(), "#")
        assert header == readme, pathway


def test_the_pathway_rule_files_the_flagged_pearls_as_it_says(starter: Path) -> None:
    # biostatistics goes to systems-based; "treat before you confirm" is management
    with Collection(starter) as col:
        where = {p.id: p.pathway for p in col.pearls()}
        biostat = [p.id for p in col.pearls() if "biostatistics" in p.tags]
    assert {where[i] for i in biostat} == {"systems-based"}
    assert len(biostat) >= 8
    assert where["w4l234"] == "acute" and where["bm2ok7"] == "acute"


def test_the_reviewed_pearls_keep_their_ids_so_their_schedules_carry_over(starter: Path) -> None:
    flagged = "l5h8od 16wzls nxu5cm key8vt s66dbg tmct6k 1efxbp 63axmo 28jr06 gyoy37 ffojl8 567opw"
    moved = "35y0k3 ksyg8b w4l234 bm2ok7 2bnzkx"
    with Collection(starter) as col:
        pearls = {p.id: p for p in col.pearls()}
    assert set((flagged + " " + moved).split()) <= set(pearls)
    # each split left its second half as a new pearl next to the one that kept the id
    others = [p.text for i, p in pearls.items() if i not in ("l5h8od", "key8vt")]
    assert any(t.startswith("STEMI presenting to a hospital without PCI") for t in others)
    assert any("3% hypertonic saline" in t for t in others)
    assert "osmotic demyelination" in pearls["key8vt"].text
    assert "PCI-capable" in pearls["l5h8od"].text and "fibrinolysis" not in pearls["l5h8od"].text
