"""``python -m videosdk_async.emulator`` and ``videosdk-emulator``: a light entry point.

It checks that the ``emulator`` extra is installed before importing any of it, and
says in one line what to install when it is not; then it runs
`main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .extra import extra_problem

PROG = "videosdk-emulator"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator command; returns the exit code (2: extra missing or bad usage)."""
    problem = extra_problem(PROG)
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return 2
    from .command import main as run_command

    return run_command(argv, prog=PROG)


if __name__ == "__main__":
    sys.exit(main())
