"""This user's own preferences (the theme), kept outside every collection, in the XDG
config folder: `$XDG_CONFIG_HOME/pearldeck/config.toml`, else `~/.config/pearldeck/`."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from pearldeck.atomicfile import replacing

KEYS = ("theme",)


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pearldeck" / "config.toml"


def read() -> dict[str, str]:
    """The saved preferences; a missing, unreadable or hand-broken file is no preferences."""
    try:
        data = tomllib.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if k in KEYS and isinstance(v, str)}


def save(key: str, value: str) -> bool:
    """Remember one preference (temp file, then rename); False if the folder refuses it."""
    prefs = {**read(), key: value}
    path = config_path()
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in sorted(prefs.items()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as f:
            f.write(("# pearldeck's preferences for this user\n" + body).encode())
    except OSError:
        return False
    return True
