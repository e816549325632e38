"""Pearls about to be written: the fields every way in (add, import, the app) fills."""

from __future__ import annotations

from dataclasses import dataclass

from pearldeck.tags import normalise_tag


@dataclass(frozen=True, slots=True)
class PearlDraft:
    """A pearl not yet written: what `add` and `import` hand to the collection.

    A plain value: its values are checked by the one schema (`schema.validate_raw`, via
    `Collection.validate_draft`) before anything is written, as a pearl in a file is."""

    pathway: str
    text: str
    back: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    added: str | None = None
    block: str | None = None
    origin: str | None = None
    """`path:line` the draft was read from (markdown import); kept in the pearl."""
    context: str | None = None
    """The heading path above an imported card (`Cardiology > Heart failure`)."""
    notes: str | None = None
    """Extra explanation shown with the answer (Anki's Extra field)."""

    def __post_init__(self) -> None:
        # every way in files tags by the rule a YAML file is read by
        tags = tuple(dict.fromkeys(t for t in map(normalise_tag, self.tags) if t))
        object.__setattr__(self, "tags", tags)
