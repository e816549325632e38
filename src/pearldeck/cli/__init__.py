"""The `pearls` command: a thin shell over `Collection`."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not `typing`'s: see below
if TYPE_CHECKING:
    from pearldeck.cli.root import COMMANDS as COMMANDS
    from pearldeck.cli.root import HELP as HELP
    from pearldeck.cli.root import app as app


def main() -> None:
    """Entry point: `pearls due` from a sealed index if it can, else the full CLI."""
    from pearldeck.cli import quick

    if quick.run(sys.argv[1:]):
        return
    from pearldeck.cli.root import run

    run()


def __getattr__(name: str) -> object:
    # `app` and `COMMANDS` live with click in `root`, loaded only when asked for (no
    # `typing` here either: it loads `re`, and `main` must stay light for `pearls due`)
    if name in ("app", "COMMANDS", "HELP"):
        from pearldeck.cli import root

        return getattr(root, name)
    raise AttributeError(name)
