"""Console-script entry points that check their optional extra before importing it.

``videosdk-jobs`` needs the ``cli`` extra (Typer, Rich). Without it, this says in one
line what to install and exits 2, instead of a ``ModuleNotFoundError`` traceback.
(``videosdk-emulator`` has its own light entry, ``videosdk_async.emulator.__main__``,
since the SDK does not import the emulator.)
"""

from __future__ import annotations

import importlib
import sys

CLI_MODULES = ("typer", "rich")


def _missing(modules: tuple[str, ...]) -> str | None:
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def jobs() -> None:
    """``videosdk-jobs``: the jobs command line; exits the process."""
    if _missing(CLI_MODULES) is not None:
        sys.stderr.write('videosdk-jobs needs the cli extra: pip install "videosdk-async[cli]"\n')
        raise SystemExit(2)
    from .cli import main

    main()
