"""The pearl-aware git merge driver, against real git in two clones.

`pearls init` registers `pearls merge-file` in a clone (git config + info/attributes);
`pearls check` offers it in a clone that lacks it and `check --fix` sets it up. Then
pearl files merge by pearl id: adds from both sides kept, an edit from one side taken
(never attached to a neighbour), both versions of a pearl edited on both sides kept and
named by `check`, and an edit kept over a deletion.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlDraft
from pearldeck.store.pearlmerge import merge_pearl_files
from tests.conftest import NOW
from tests.reliability.common import invoke
from tests.test_reliability_merge import git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
HEADER = "# Acute care: one pearl per list item (see README).\n"


def pearls(root: Path, *args: str) -> tuple[int, str]:
    res = invoke(["--dir", str(root), *args], catch_exceptions=False)
    return res.exit_code, res.output


def _clones(tmp_path: Path) -> tuple[Path, Path]:
    """Laptop (driver set up by init) and a fresh clone of it (driver set up by check)."""
    a, b = tmp_path / "laptop", tmp_path / "desktop"
    git(tmp_path, "init", "-q", "-b", "main", str(a))
    code, out = pearls(a / "pearls", "init")
    assert code == 0 and "git merge driver" in out, out
    with Collection(a / "pearls") as col:
        col.add(
            [
                PearlDraft(pathway="acute", text="First {{c1::pearl}}"),
                PearlDraft(pathway="acute", text="Last pearl?", back="its answer"),
            ],
            NOW,
        )
    git(a, "add", "-A")
    git(a, "commit", "-qm", "start")
    git(tmp_path, "clone", "-q", str(a), str(b))
    code, out = pearls(b / "pearls", "check")
    assert code == 0 and "run `pearls check --fix` to merge them by pearl id" in out, out
    code, out = pearls(b / "pearls", "check", "--fix")
    assert code == 0 and "git merge driver" in out, out
    code, out = pearls(b / "pearls", "check")
    assert "pearls check --fix" not in out  # set up now: nothing more to offer
    return a, b


def _ids(root: Path) -> dict[str, str]:
    with Collection(root) as col:
        return {p.text: p.id for p in col.pearls()}


def _commit_and_pull(a: Path, b: Path) -> tuple[int, str]:
    """Both commit; the desktop pulls the laptop's work (a real three-way merge)."""
    for clone in (a, b):
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", clone.name, "--allow-empty")
    out = git(b, "pull", "-q", "--no-rebase", "--no-edit", str(a), "main", check=False)
    return out.returncode, out.stdout + out.stderr


def _edit(root: Path, text: str, new_text: str, back: str | None = None) -> None:
    with Collection(root) as col:
        pearl = next(p for p in col.pearls() if p.text == text)
        col.replace_pearl(
            pearl.id, PearlDraft(pathway=pearl.pathway, text=new_text, back=back or pearl.back)
        )


def test_both_sides_add_pearls(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    with Collection(a / "pearls") as col:
        col.add([PearlDraft(pathway="acute", text="Laptop {{c1::add}}")], NOW)
    with Collection(b / "pearls") as col:
        col.add([PearlDraft(pathway="acute", text="Desktop {{c1::add}}")], NOW)
    code, out = _commit_and_pull(a, b)
    assert code == 0, out
    texts = set(_ids(b / "pearls"))
    assert {"Laptop {{c1::add}}", "Desktop {{c1::add}}", "First {{c1::pearl}}"} <= texts
    assert pearls(b / "pearls", "check")[0] == 0
    assert (b / "pearls" / "acute.yaml").read_text().startswith(HEADER)  # layout kept


def test_an_edit_of_the_last_pearl_next_to_an_add_stays_with_its_pearl(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    _edit(a / "pearls", "Last pearl?", "Last pearl?", back="the corrected answer")
    with Collection(b / "pearls") as col:
        col.add([PearlDraft(pathway="acute", text="Appended?", back="new answer")], NOW)
    code, out = _commit_and_pull(a, b)
    assert code == 0, out
    with Collection(b / "pearls") as col:
        assert col.problems == []
        backs = {p.text: p.back for p in col.pearls()}
    assert backs["Last pearl?"] == "the corrected answer"
    assert backs["Appended?"] == "new answer"


def test_a_pearl_edited_on_both_sides_keeps_both_versions_for_check(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    pid = _ids(a / "pearls")["First {{c1::pearl}}"]
    _edit(a / "pearls", "First {{c1::pearl}}", "First {{c1::pearl}} from the laptop")
    _edit(b / "pearls", "First {{c1::pearl}}", "First {{c1::pearl}} from the desktop")
    code, out = _commit_and_pull(a, b)
    assert code != 0 and "CONFLICT" in out, out  # never a silent pick
    text = (b / "pearls" / "acute.yaml").read_text()
    assert "from the laptop" in text and "from the desktop" in text
    code, out = pearls(b / "pearls", "check")
    assert code == 1
    lines = [line for line in out.splitlines() if "edited on two machines" in line]
    assert len(lines) == 2 and all(repr(pid) in line for line in lines), out
    assert any("from the laptop" in line for line in lines)
    assert any("from the desktop" in line for line in lines)


def test_an_edit_wins_over_a_deletion(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    with Collection(a / "pearls") as col:
        pid = next(p.id for p in col.pearls() if p.text == "Last pearl?")
        col.replace_pearl(pid, None)
    _edit(b / "pearls", "Last pearl?", "Last pearl, edited?")
    code, out = _commit_and_pull(a, b)
    assert code == 0, out
    assert "deleted on one side, edited on the other: kept" in out
    assert _ids(b / "pearls")["Last pearl, edited?"] == pid
    assert pearls(b / "pearls", "check")[0] == 0


def test_an_id_less_pearl_gets_the_same_id_in_both_clones(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    for clone in (a, b):
        git(clone, "pull", "-q", "--no-rebase", "--no-edit", str(a), "main")
    path = a / "pearls" / "acute.yaml"
    path.write_text(path.read_text() + "- text: Hand-written {{c1::pearl}}\n")
    git(a, "commit", "-qam", "by hand")
    git(b, "pull", "-q", "--no-rebase", "--no-edit", str(a), "main")
    ids = [_ids(clone / "pearls")["Hand-written {{c1::pearl}}"] for clone in (a, b)]
    assert ids[0] == ids[1]  # each clone wrote the id into its file: the same one
    code, out = _commit_and_pull(a, b)
    assert code == 0, out
    with Collection(b / "pearls") as col:
        assert col.problems == []
        assert [p.id for p in col.pearls() if p.text.startswith("Hand-written")] == ids[:1]


def test_without_the_driver_union_is_the_fallback(tmp_path: Path) -> None:
    a, b = _clones(tmp_path)
    git(b, "config", "--remove-section", "merge.pearls")  # as a clone before `check --fix`
    (b / ".git" / "info" / "attributes").unlink()
    with Collection(a / "pearls") as col:
        col.add([PearlDraft(pathway="acute", text="Laptop {{c1::add}}")], NOW)
    with Collection(b / "pearls") as col:
        col.add([PearlDraft(pathway="acute", text="Desktop {{c1::add}}")], NOW)
    code, out = _commit_and_pull(a, b)
    assert code == 0, out  # merge=union from .gitattributes: both sides' lines
    assert {"Laptop {{c1::add}}", "Desktop {{c1::add}}"} <= set(_ids(b / "pearls"))


def test_a_file_that_is_not_a_plain_list_is_merged_by_line() -> None:
    base = "[{id: aaaa, text: 'x {{c1::y}}'}]\n"
    assert merge_pearl_files(base, base, base, "acute") is None


def test_comments_stay_with_their_pearls() -> None:
    pearl = "- id: {0}\n  text: {1} {{{{c1::x}}}}\n"
    base = HEADER + pearl.format("aaaa", "one") + "# about two\n" + pearl.format("bbbb", "two")
    ours = base.replace("one {{c1", "one edited {{c1")
    theirs = HEADER + pearl.format("aaaa", "one")  # deleted two, and its comment
    merged = merge_pearl_files(base, ours, theirs, "acute")
    assert merged is not None and not merged.conflicts
    assert merged.text == HEADER + pearl.format("aaaa", "one edited")


def test_merge_file_writes_the_result_into_current(tmp_path: Path) -> None:
    pearl = "- id: {0}\n  text: {1} {{{{c1::x}}}}\n"
    base = HEADER + pearl.format("aaaa", "one")
    files = {
        "O": base,
        "A": base + pearl.format("bbbb", "ours"),
        "B": base.replace("one {{c1", "one edited {{c1"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [str(tmp_path / n) for n in "OAB"]
    res = invoke(["merge-file", *args, "pearls/acute file.yaml"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    expected = HEADER + pearl.format("aaaa", "one edited") + pearl.format("bbbb", "ours")
    assert (tmp_path / "A").read_text() == expected
    (tmp_path / "A").write_text(base.replace("one {{c1", "one mine {{c1"))
    res = invoke(["merge-file", *args, "pearls/acute.yaml"], catch_exceptions=False)
    assert res.exit_code == 1
    assert "pearls/acute.yaml: pearl aaaa was edited on both sides: both kept" in res.output
    merged = (tmp_path / "A").read_text()
    assert "one mine" in merged and "one edited" in merged
