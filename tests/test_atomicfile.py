"""The one whole-or-nothing write: pearl files, Anki packages, media and preferences."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pearldeck.anki_export import export_apkg
from pearldeck.anki_fields import Exportable
from pearldeck.atomicfile import replacing
from pearldeck.model import Pearl

DEAD = 2**22 + 1  # above any pid_max: no process has it


def test_a_package_half_written_by_a_killed_export_goes_with_the_next(tmp_path: Path) -> None:
    out = tmp_path / "pearls.apkg"
    stale = tmp_path / f".pearls.apkg.{DEAD}.part"
    stale.write_bytes(b"PK half a deck")
    live = tmp_path / f".pearls.apkg.{os.getppid()}.part"  # an export still at work
    live.write_bytes(b"PK being written")
    other = tmp_path / f".other.apkg.{DEAD}.part"  # another deck's: its own export tidies it
    other.write_bytes(b"PK")
    pearl: Exportable = Pearl(id="a1", pathway="acute", text="q?", back="a", file="acute.yaml")
    export_apkg([pearl], out)
    assert out.read_bytes().startswith(b"PK")
    assert not stale.exists() and live.exists() and other.exists()


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"old\n")
    path.chmod(0o600)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(os, "fsync", disk_full)
        with pytest.raises(OSError, match="No space left"), replacing(path) as f:
            f.write(b"new\n")
    with pytest.raises(RuntimeError), replacing(path) as f:
        f.write(b"new\n")
        raise RuntimeError("the writer failed half way")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]

    with replacing(path) as f:
        f.write(b"new\n")
    assert path.read_bytes() == b"new\n"
    assert path.stat().st_mode & 0o777 == 0o600  # the user's permissions are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]
