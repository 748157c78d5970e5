"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s typecheck`; `nox -s bench`."""

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
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "videosdk_async")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark suite at full size: rewrites docs/benchmarks.md and docs/img/benchmarks-*.svg.

    Not run by default (it takes minutes and wants a quiet machine). Extra arguments go to
    the runner, e.g. `nox -s bench -- --only call_overhead --json /tmp/bench.json`.
    """
    session.install("-e", ".[bench]")
    session.run(
        "python",
        "-m",
        "benchmarks",
        "--size",
        "full",
        "--out",
        "docs/benchmarks.md",
        *session.posargs,
    )
