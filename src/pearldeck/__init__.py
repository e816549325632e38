"""pearldeck: spaced repetition for clinical pearls kept as YAML in git."""

__version__ = "0.1.0"
