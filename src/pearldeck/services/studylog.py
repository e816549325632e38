"""The study log service: one collection's blocks and exams, read, logged and voided."""

from __future__ import annotations

from pathlib import Path

from pearldeck.records import Block, Exam, Record, StudyLog
from pearldeck.store import studylog


class StudyLogService:
    """Blocks and exams of the collection at `root`, logged as this `device`."""

    def __init__(self, root: Path, device: str) -> None:
        self._root = root
        self._device = device

    def read(self) -> StudyLog:
        """Every device's records merged, oldest first, voided ones out."""
        return studylog.read(self._root)

    def append(self, record: Record) -> None:
        """Validate, append and fsync; ValueError names what is wrong with the record."""
        studylog.append(self._root, self._device, record)

    def void(self, kind: str, record_id: str, time: str) -> Block | Exam:
        """Take a block or exam out by appending a void; ValueError says why it cannot."""
        return studylog.void(self._root, self._device, kind, record_id, time)

    def block_exists(self, block_id: str) -> bool:
        """Whether any device logged a block with this id (for `--block`)."""
        return studylog.block_exists(self._root, block_id)
