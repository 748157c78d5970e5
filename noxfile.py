"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s typing`."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "typing", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, emulator and integration tests."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, and the import contracts (lint-imports)."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "videosdk_async")


@nox.session(name="typing")
def typing_as_users_see_it(session: nox.Session) -> None:
    """The user-style module under pyright (strict) and mypy --strict without the pydantic
    plugin, and the package's pyright --verifytypes score (at least 95 %)."""
    session.install("-e", ".[dev]")
    python = session.run("python", "-c", "import sys; print(sys.executable)", silent=True)
    assert isinstance(python, str)
    session.run("pyright", "-p", "tests/typecheck", "--pythonpath", python.strip())
    session.run("mypy", "--config-file", "tests/typecheck/mypy.ini", "tests/typecheck")
    session.run("python", "tests/typecheck/verifytypes.py")
