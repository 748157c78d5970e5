"""Running a command's async work to completion, with Ctrl-C the same on every Python."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

T = TypeVar("T")


def run_loop(func: Callable[..., Awaitable[T]], *args: Any) -> T:
    """``anyio.run(func, *args)``, where Ctrl-C always raises `KeyboardInterrupt`.

    On Python 3.10 (no ``Task.uncancel``) anyio's runner answers Ctrl-C by cancelling the
    main task and lets the bare ``CancelledError`` out instead of ``KeyboardInterrupt``:
    commands would miss their interrupted summary and print a traceback. Nothing else
    cancels the main task from outside, so that error here means the user interrupted.
    """
    try:
        return anyio.run(func, *args)
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None
