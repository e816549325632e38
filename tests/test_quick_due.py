"""`pearls due` answered from a sealed index, and the full path whenever in doubt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pearldeck.cli import app
from pearldeck.collection import Collection
from pearldeck.model import Rating
from pearldeck.pathways import PATHWAYS
from pearldeck.store import seal
from pearldeck.store.index import Index
from pearldeck.store.queue import render_due
from tests.conftest import NOW, draft

CLOCK = "2026-11-27T15:00:00Z"
SCRIPT = (
    "import sys\n"
    "from pearldeck.cli import main\n"
    "sys.argv = ['pearls', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
)


def pearls(*args: str, tz: str = "UTC") -> tuple[int, str, bool]:
    """Run `pearls` as a process: exit code, stdout, and whether the full CLI loaded."""
    env = {**os.environ, "PEARLS_NOW": CLOCK, "TZ": tz}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True
    )
    modules = done.stderr.rsplit("MODULES ", 1)[1].split()
    return done.returncode, done.stdout, "click" in modules


def full(root: Path, *args: str) -> str:
    """The same command through click, which never takes the sealed path."""
    result = CliRunner().invoke(app, ["--dir", str(root), *args], env={"PEARLS_NOW": CLOCK})
    assert result.exit_code == 0, result.output
    return result.stdout


def age(root: Path, seconds: int = 3600) -> None:
    """Backdate every file, as if written an hour ago (past the racy window)."""
    stamp = NOW.timestamp() - seconds
    for path in [root, *root.rglob("*")]:
        if ".cache" not in path.parts:
            os.utime(path, (stamp, stamp))


def stocked(root: Path) -> None:
    with Collection(root) as c:
        c.add([draft("{{c1::Adenosine}} for stable narrow-complex SVT after vagal maneuvers")], NOW)
        c.add([draft("First-line for anaphylaxis?", "acute", back="IM epinephrine")], NOW)
        c.add([draft("Statin for LDL {{c1::>= 190}} mg/dL", "chronic")], NOW)
        view = c.next_card(NOW)
        assert view is not None
        c.rate(view.card_id, Rating.GOOD, NOW)
    age(root)


def test_sealed_answer_equals_full_path_and_loads_no_cli(root: Path) -> None:
    stocked(root)
    code, first, slow = pearls("--dir", str(root), "due", "--json")
    assert code == 0 and slow  # nothing sealed yet: the full path reads and seals
    for args in (("due", "--json"), ("due",)):
        code, out, slow = pearls("--dir", str(root), *args)
        assert code == 0 and not slow
        assert out == full(root, *args)
    assert json.loads(first) == json.loads(full(root, "due", "--json"))


def test_any_change_goes_back_to_the_full_path(root: Path) -> None:
    stocked(root)
    pearls("--dir", str(root), "due")
    assert not pearls("--dir", str(root), "due")[2]
    with Collection(root) as c:  # a review appended by another process
        view = c.next_card(NOW)
        assert view is not None
        c.rate(view.card_id, Rating.AGAIN, NOW)
    code, out, slow = pearls("--dir", str(root), "due", "--json")
    assert code == 0 and slow and out == full(root, "due", "--json")
    age(root)
    pearls("--dir", str(root), "due")
    (root / "chronic.yaml").write_text(  # a hand edit, same second: racy, never sealed
        (root / "chronic.yaml").read_text() + "- text: Metformin first-line in T2DM?\n"
        "  back: yes, absent contraindications\n"
    )
    code, out, slow = pearls("--dir", str(root), "due", "--json")
    assert slow and code == 0
    assert json.loads(out)["pathways"]["chronic"]["new"] == 2


def test_other_zone_options_and_problems_are_never_sealed(root: Path) -> None:
    stocked(root)
    pearls("--dir", str(root), "due")
    assert pearls("--dir", str(root), "due", tz="America/New_York")[2]
    assert pearls("--dir", str(root), "due", "--pathway", "acute")[2]
    assert pearls("--dir", str(root), "due", "-h")[2]
    (root / "acute.yaml").write_text("- id: abcd1234\n  text: no cloze, no back\n")
    age(root)
    for _ in range(2):
        code, _, slow = pearls("--dir", str(root), "due")
        assert code == 1 and slow
    assert Index(root / ".cache" / "index.sqlite3").get_meta(seal.SEAL_KEY) == ""


counts = st.tuples(*[st.integers(0, 10**6)] * 3)


@given(
    st.dates().map(lambda d: d.isoformat()),
    st.dictionaries(st.sampled_from(PATHWAYS), counts),
)
def test_hand_written_json_is_json_dumps(today: str, per: dict[str, tuple[int, int, int]]) -> None:
    keys = ("new", "learning", "review")
    total = [sum(c[i] for c in per.values()) for i in range(3)]
    expected = {
        "today": today,
        "total": dict(zip(keys, total, strict=True)),
        "pathways": {pw: dict(zip(keys, c, strict=True)) for pw, c in per.items()},
    }
    assert render_due(today, per, True) == json.dumps(expected, indent=2) + "\n"
