"""``videosdk-jobs emulator``: the emulator's own command, reached through this CLI.

Everything after ``emulator`` goes to `main`,
the one implementation that ``videosdk-emulator`` runs too: same flags, environment
variables, defaults, banner and exit codes.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

PROG = "videosdk-jobs emulator"
COMMAND_SETTINGS: dict[str, Any] = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
    "add_help_option": False,  # --help goes through too, and lists the emulator's flags
}
"""How to register `emulator_command`: it takes every argument as is."""


def emulator_command(ctx: typer.Context) -> None:
    """Serve the local emulator in the foreground (flags: videosdk-jobs emulator --help)."""
    from ..emulator.extra import extra_problem

    problem = extra_problem(PROG)
    if problem is not None:
        sys.stderr.write(problem + "\n")
        raise typer.Exit(2)
    from ..emulator.command import main

    raise typer.Exit(main(ctx.args, prog=PROG))
