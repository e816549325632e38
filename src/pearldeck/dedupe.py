"""The import de-duplication rule: which drafts a collection does not hold yet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pearldeck.model import content_key

if TYPE_CHECKING:
    from pearldeck.drafts import PearlDraft
    from pearldeck.model import Pearl


def not_present(drafts: Sequence[PearlDraft], existing: Sequence[Pearl | None]) -> list[PearlDraft]:
    """The drafts neither in the collection (`existing[i]` is draft i's match there, found
    by normalised prompt and answer) nor given twice in one pathway (the first one wins)."""
    new: list[PearlDraft] = []
    seen: set[str] = set()
    for d, same in zip(drafts, existing, strict=True):
        key = f"{d.pathway}\x1f{content_key(d.text, d.back)}"
        if same is None and key not in seen:
            seen.add(key)
            new.append(d)
    return new
