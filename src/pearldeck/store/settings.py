"""The collection's settings file, `settings.toml`: read, validated, and written back."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from pearldeck.model import PearlError, Problem
from pearldeck.settings import Settings as Settings  # re-exported for old callers
from pearldeck.store.fsutil import replace_file

SETTINGS_FILE = "settings.toml"
NEW_CARD_ORDERS = ("newest-first", "added", "random")
_STEP_RE = re.compile(r"^(\d+)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}

DEFAULT_TEXT = """\
# pearldeck settings for this collection (kept in git with the pearls).
# desired_retention: the chance of recall FSRS aims for when a card comes due (0.70–0.99).
desired_retention = 0.9
# new cards introduced per study day
new_per_day = 20
# which new cards come first: "newest-first" (today's pearls before an imported backlog),
# "added" (oldest first, as Anki's default), or "random" (the same order on every machine)
new_card_order = "newest-first"
# hour (local time, 0–23) at which a new study day starts, as in Anki
day_starts_at = 4
# longest interval in days
maximum_interval = 36500
# steps for new and for forgotten cards: s, m, h or d
learning_steps = ["1m", "10m"]
relearning_steps = ["10m"]
# a card forgotten this many times becomes a leech: tagged and suspended
leech_threshold = 8
# spread due dates a little so cards added together do not stay together
fuzz = true
# FSRS parameters (21 numbers); empty means the FSRS defaults. `pearls optimize` fills this.
parameters = []
"""


def _steps(value: object, key: str, path: str) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise PearlError([Problem(path, 0, f'{key} must be a list like ["1m", "10m"]')])
    out = []
    for v in value:
        m = _STEP_RE.match(str(v))
        if not m:
            raise PearlError([Problem(path, 0, f'{key}: bad step {v!r}; use e.g. "10m" or "1d"')])
        out.append(int(m.group(1)) * _UNIT[m.group(2)])
    return tuple(out)


def parse_settings(text: str, path: str) -> Settings:
    """Validate settings text; unknown keys and bad values are problems with their key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(e))) else 0
        raise PearlError([Problem(path, line, f"settings: {e}")]) from None
    s = Settings()
    known = set(Settings.__dataclass_fields__)
    problems = [Problem(path, 0, f"unknown setting {k!r}") for k in data if k not in known]
    kw: dict[str, object] = {}

    def num(key: str, kind: type, lo: float, hi: float) -> None:
        if key not in data:
            return
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            problems.append(Problem(path, 0, f"{key} must be a number from {lo} to {hi}"))
        else:
            kw[key] = kind(v)

    num("desired_retention", float, 0.7, 0.99)
    num("new_per_day", int, 0, 10_000)
    num("day_starts_at", int, 0, 23)
    num("maximum_interval", int, 1, 36500)
    num("leech_threshold", int, 1, 1000)
    if "new_card_order" in data:
        if data["new_card_order"] in NEW_CARD_ORDERS:
            kw["new_card_order"] = data["new_card_order"]
        else:
            choices = ", ".join(f'"{o}"' for o in NEW_CARD_ORDERS)
            problems.append(Problem(path, 0, f"new_card_order must be one of {choices}"))
    if "fuzz" in data:
        if isinstance(data["fuzz"], bool):
            kw["fuzz"] = data["fuzz"]
        else:
            problems.append(Problem(path, 0, "fuzz must be true or false"))
    try:
        if "learning_steps" in data:
            kw["learning_steps"] = _steps(data["learning_steps"], "learning_steps", path)
        if "relearning_steps" in data:
            kw["relearning_steps"] = _steps(data["relearning_steps"], "relearning_steps", path)
    except PearlError as e:
        problems.extend(e.problems)
    if "parameters" in data:
        params = data["parameters"]
        if not isinstance(params, list) or not all(
            isinstance(p, (int, float)) and not isinstance(p, bool) for p in params
        ):
            problems.append(Problem(path, 0, "parameters must be a list of numbers"))
        elif params and len(params) not in (19, 21):
            problems.append(Problem(path, 0, "parameters must hold 21 FSRS numbers (or be empty)"))
        else:
            kw["parameters"] = tuple(float(p) for p in params)
    if problems:
        raise PearlError(problems)
    return replace(s, **kw)  # type: ignore[arg-type]


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as e:
        raise PearlError([Problem(str(path), 0, f"cannot read settings: {e}")]) from None
    return parse_settings(text, str(path))


def save_parameters(root: Path, parameters: tuple[float, ...], retention: float | None) -> None:
    """Rewrite only the `parameters` (and optionally retention) lines, keeping comments."""
    path = root / SETTINGS_FILE
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    text = old.decode("utf-8") if old is not None else DEFAULT_TEXT
    line = "parameters = [" + ", ".join(f"{p:.4f}" for p in parameters) + "]"
    text, n = re.subn(r"(?m)^parameters\s*=.*$", line, text)
    if not n:
        text += line + "\n"
    if retention is not None:
        rline = f"desired_retention = {retention:.2f}"
        text, n = re.subn(r"(?m)^desired_retention\s*=.*$", rline, text)
        if not n:
            text += rline + "\n"
    parse_settings(text, str(path))
    replace_file(path, text.encode("utf-8"), old)
