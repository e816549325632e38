"""Reusable widgets: the card, the answer buttons, the pearl form, charts."""
