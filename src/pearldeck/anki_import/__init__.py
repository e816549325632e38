"""Anki notes and review logs into pearls and review events: pure values and mapping."""
