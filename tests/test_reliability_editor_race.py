"""An editor's save landing between a pearl-file write's check and its rename survives.

The race is made deterministic: the temp file's write (after the "changed on disk?"
check, before the rename) is where the test's editor saves, by rename (as vim and
VS Code do) or in place. The write must be refused and the editor's bytes kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pearldeck import atomicfile
from pearldeck.collection import Collection
from pearldeck.store import fsutil
from pearldeck.store.fsutil import ChangedOnDisk
from tests.conftest import NOW, draft
from tests.reliability.common import invoke

EDITOR_TEXT = "# saved in an editor\n- id: ed1tor01\n  text: Editor {{c1::save}}\n"


def _save_by_rename(path: Path) -> None:
    tmp = path.with_name(".editor-swap")
    tmp.write_text(EDITOR_TEXT, encoding="utf-8")
    tmp.replace(path)


def _save_in_place(path: Path) -> None:
    with path.open("r+", encoding="utf-8") as f:
        f.truncate(0)
        f.write(EDITOR_TEXT)


def _editor_between_check_and_rename(
    monkeypatch: pytest.MonkeyPatch, target: Path, save: Callable[[Path], None]
) -> list[int]:
    """The editor saves `target` right after our temp file is written (check done)."""
    real = atomicfile.write_synced
    fired: list[int] = []

    def write_then_editor(path: Path, data: bytes) -> None:
        real(path, data)
        if path.name.startswith(f".{target.name}.") and not fired:
            fired.append(1)
            save(target)

    monkeypatch.setattr(atomicfile, "write_synced", write_then_editor)
    return fired


@pytest.mark.parametrize("save", [_save_by_rename, _save_in_place], ids=["rename", "in-place"])
def test_add_never_overwrites_an_editor_save(
    root: Path, monkeypatch: pytest.MonkeyPatch, save: Callable[[Path], None]
) -> None:
    with Collection(root) as col:
        col.add([draft("Before {{c1::race}}")], NOW)
        target = root / "acute.yaml"
        fired = _editor_between_check_and_rename(monkeypatch, target, save)
        with pytest.raises(ChangedOnDisk) as err:
            col.add([draft("Lost {{c1::add}}")], NOW)
    assert fired
    assert str(target) in str(err.value)
    assert target.read_text(encoding="utf-8") == EDITOR_TEXT
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_cli_add_reports_the_race_and_keeps_the_editor_save(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = root / "acute.yaml"
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    _editor_between_check_and_rename(monkeypatch, target, _save_by_rename)
    res = invoke(["--dir", str(root), "add", "-p", "acute", "Lost {{c1::add}}"])
    assert res.exit_code != 0
    assert "changed on disk" in res.output and str(target) in res.output
    assert "Traceback" not in res.output
    assert target.read_text(encoding="utf-8") == EDITOR_TEXT
    after = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != "acute.yaml"} == {
        k: v for k, v in before.items() if k != "acute.yaml"
    }


def test_a_file_created_meanwhile_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.yaml"
    real = atomicfile.write_synced

    def write_then_create(p: Path, data: bytes) -> None:
        real(p, data)
        path.write_text(EDITOR_TEXT, encoding="utf-8")

    monkeypatch.setattr(atomicfile, "write_synced", write_then_create)
    with pytest.raises(ChangedOnDisk):
        fsutil.replace_file(path, b"ours\n", None)
    assert path.read_text(encoding="utf-8") == EDITOR_TEXT


def test_without_a_race_the_write_lands(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    fsutil.replace_file(path, b"one\n", None)
    fsutil.replace_file(path, b"two\n", b"one\n")
    assert path.read_bytes() == b"two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]
