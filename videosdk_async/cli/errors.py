"""Exit codes, and turning any failure into one readable line on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

from .._text import one_line
from ..errors import ConfigurationError, InvalidRequestError, VideoSDKError
from .words import printable

EXIT_OK = 0
EXIT_FAILED = 1  # some item failed, or a single-item call got an API error
EXIT_USAGE = 2  # bad flags, missing credentials, input refused before any request


class CLIError(Exception):
    """A failure the CLI reports as ``error: <message>`` and exits with ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UsageProblem(CLIError):
    """A usage or configuration problem found by the CLI itself (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


def leaf_error(exc: BaseException) -> BaseException:
    """The most telling exception inside (possibly nested) exception groups.

    Task groups wrap what their tasks raised; users want the SDK error, not the wrapper.
    """
    seen: list[BaseException] = [exc]
    while seen:
        current = seen.pop(0)
        inner = getattr(current, "exceptions", None)
        if isinstance(inner, tuple) and inner:
            seen.extend(e for e in inner if isinstance(e, BaseException))
            continue
        if isinstance(current, (VideoSDKError, CLIError)):
            return current
    return exc


def exit_code_for(exc: BaseException) -> int:
    """The exit code an exception stands for."""
    if isinstance(exc, CLIError):
        return exc.code
    if isinstance(exc, (ConfigurationError, InvalidRequestError)):
        return EXIT_USAGE
    return EXIT_FAILED


def report(message: str, stream: TextIO | None = None) -> None:
    """Write ``error: <message>`` as one line on stderr (control characters shown, not obeyed)."""
    out = stream if stream is not None else sys.stderr
    out.write(f"error: {printable(one_line(message))}\n")
    out.flush()
