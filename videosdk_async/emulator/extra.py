"""Whether the ``emulator`` extra is installed: checked before anything imports it.

Imports only the standard library, so a command can say in one line what to install
instead of failing with a ``ModuleNotFoundError`` traceback.
"""

from __future__ import annotations

import importlib

EXTRA_MODULES = ("starlette", "uvicorn", "python_multipart")
"""What the ``emulator`` extra brings: the app, the server, the upload parser."""


def missing_module(modules: tuple[str, ...] = EXTRA_MODULES) -> str | None:
    """The first of ``modules`` that cannot be imported, or ``None``."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def extra_problem(prog: str) -> str | None:
    """The one line to print when the extra is missing (``None`` when it is installed)."""
    if missing_module() is None:
        return None
    return f'{prog} needs the emulator extra: pip install "videosdk-async[emulator]"'
