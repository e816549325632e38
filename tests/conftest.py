"""Shared fixtures: every test gets a clean environment and its own collection folder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pearldeck.collection import Collection
from pearldeck.model import PearlDraft
from pearldeck.store.layout import init_collection

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the developer's own settings and clock out of tests."""
    for var in ("PEARLS_DIR", "PEARLS_NOW", "EDITOR", "VISUAL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PEARLS_DEVICE", "testbox")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty collection made by `init`."""
    folder = tmp_path / "pearls"
    init_collection(folder)
    return folder


def draft(text: str, pathway: str = "acute", back: str | None = None, **kw: object) -> PearlDraft:
    return PearlDraft(pathway=pathway, text=text, back=back, **kw)


@pytest.fixture
def col(root: Path) -> Iterator[Collection]:
    c = Collection(root)
    yield c
    c.close()
