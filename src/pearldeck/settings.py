"""Settings values: what the scheduler and the daily queue need from the user."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    """What the scheduler and the daily queue need from the user."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    new_card_order: str = "newest-first"
    """newest-first, added or random: see NEW_CARD_ORDERS."""
    day_starts_at: int = 4
    maximum_interval: int = 36500
    learning_steps: tuple[int, ...] = (60, 600)
    """Seconds."""
    relearning_steps: tuple[int, ...] = (600,)
    leech_threshold: int = 8
    fuzz: bool = True
    parameters: tuple[float, ...] = field(default_factory=tuple)

    def fingerprint(self) -> str:
        """Changes whenever replayed states could differ."""
        return repr(self)
