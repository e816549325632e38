"""Pearls about to be written: user input, validated with pydantic at the edge."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from pearldeck.tags import normalise_tag


class PearlDraft(BaseModel):
    """A pearl not yet written: what `add` and `import` hand to the collection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pathway: str
    text: str
    back: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    added: str | None = None
    block: str | None = None
    origin: str | None = None
    context: str | None = None
    """The heading path above an imported card (`Cardiology > Heart failure`)."""
    """`path:line` the draft was read from (markdown import); kept in the pearl."""
    notes: str | None = None
    """Extra explanation shown with the answer (Anki's Extra field)."""

    @field_validator("tags")
    @classmethod
    def _one_tag_rule(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        """Every way in (add, import, the app) files tags by the rule a YAML file is read by."""
        return tuple(dict.fromkeys(t for t in map(normalise_tag, tags) if t))
