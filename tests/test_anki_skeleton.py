"""What the export takes from genanki is kept on disk: a later export writes the same
bytes without loading genanki, and a stale or torn copy is made again from genanki."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pearldeck import anki_export

SCRIPT = """
import sys
from dataclasses import dataclass
from pathlib import Path
from pearldeck.anki_export import export_apkg

@dataclass
class Row:
    id: str
    pathway: str
    text: str
    back: str | None
    tags: tuple[str, ...] = ("cards",)
    source: str | None = "UWorld"
    added: str | None = "2026-12-01"
    notes: str | None = None

rows = [
    Row("aa11", "acute", "First-line for {{c1::anaphylaxis}}?", None),
    Row("bb22", "chronic", "Target LDL in very high risk?", "< 55 mg/dL"),
]
cache = None if sys.argv[2] == "-" else Path(sys.argv[2])
export_apkg(rows, Path(sys.argv[1]), deck_name="Step 2 — Ünïcode", cache=cache)
print("genanki" in sys.modules)
"""


def _export(out: Path, cache: Path | None) -> bool:
    """Export in a fresh process; whether it loaded genanki."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), str(cache) if cache else "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() == "True"


def test_a_kept_skeleton_writes_the_same_deck_without_loading_genanki(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _export(tmp_path / "first.apkg", cache) is True  # made from genanki, then kept
    assert (cache / "anki-skeleton.json").is_file()
    assert _export(tmp_path / "kept.apkg", cache) is False
    assert _export(tmp_path / "none.apkg", None) is True  # no cache: genanki, as before
    first = (tmp_path / "first.apkg").read_bytes()
    assert (tmp_path / "kept.apkg").read_bytes() == first
    assert (tmp_path / "none.apkg").read_bytes() == first


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "{torn",
        lambda text: json.dumps(json.loads(text) | {"key": [["model.py", 1, 2]]}),
        lambda text: json.dumps({"key": json.loads(text)["key"], "skeleton": {"tables": 1}}),
        lambda text: json.dumps(
            json.loads(text) | {"skeleton": json.loads(text)["skeleton"] | {"tables": 1}}
        ),
    ],
    ids=["torn", "stale", "wrong shape", "wrong type"],
)
def test_a_stale_or_torn_skeleton_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    anki_export._skeleton(cache)
    kept = cache / "anki-skeleton.json"
    good = kept.read_text()
    assert callable(damage)
    kept.write_text(damage(good))
    made: list[int] = []
    real = anki_export._skeleton_from_genanki

    def spy() -> anki_export._Skeleton:
        made.append(1)
        return real()

    monkeypatch.setattr(anki_export, "_skeleton_from_genanki", spy)
    assert anki_export._skeleton(cache) == real()
    assert made == [1]
    assert json.loads(kept.read_text()) == json.loads(good)  # kept again, whole
    assert anki_export._skeleton(cache) == real()
    assert made == [1]  # and read from disk next time
