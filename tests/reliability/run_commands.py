"""Run `pearls` commands in one process and print each outcome as a JSON line.

`python -m tests.reliability.run_commands COMMANDS.json`: the file holds a list of
argument lists. For each, one line: {"args", "exit", "stdout", "stderr", "traceback"};
`traceback` is set when an exception escaped the command (what a user would see).
Used where the commands must run as another user or in another mount namespace.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from tests.reliability.common import invoke


def run(args: list[str]) -> dict[str, object]:
    try:
        res = invoke(args, catch_exceptions=False)
    except BaseException:
        return {
            "args": args,
            "exit": None,
            "stdout": "",
            "stderr": "",
            "traceback": traceback.format_exc(),
        }
    return {
        "args": args,
        "exit": res.exit_code,
        "stdout": res.stdout,
        "stderr": res.stderr,
        "traceback": None,
    }


def main() -> None:
    commands = json.loads(Path(sys.argv[1]).read_text())
    for args in commands:
        sys.stdout.write(json.dumps(run(args)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
