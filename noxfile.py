"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s typecheck`; and, not in CI,
`nox -s chaos` (the adversarial run at full size) and `nox -s mutation` (the mutation run)."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]


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


@nox.session
def chaos(session: nox.Session) -> None:
    """The adversarial run at full size (10,000 calls per backend against the emulator); writes
    the figures to docs/reliability.md and the overrun chart to docs/reliability-overruns.svg."""
    session.install("-e", ".[dev,bench]")
    session.run("python", "tools/chaos_report.py", *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing of the core modules against the unit tests; writes the figures to
    docs/reliability.md. Slow (tens of minutes): not part of CI."""
    session.install("-e", ".[dev]")
    session.run("python", "tools/mutate.py", *session.posargs)
