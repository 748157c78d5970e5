"""Developer sessions: `nox -s tests`, `nox -s minimums`, `nox -s lint`, `nox -s typecheck`,
`nox -s typing`, `nox -s docs`; not by default (minutes each): `nox -s bench`, `nox -s chaos` (the
adversarial run at full size) and `nox -s mutation`.

`tests` runs once per supported Python found on the machine (a missing one is skipped with a
message, not an error). `minimums` installs every dependency at the lowest version
`pyproject.toml` allows and runs the tests, so each `>=` floor there is one that works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - nox itself may run on 3.10
    import tomli as tomllib

PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]  # requires-python >= 3.10
OLDEST_PYTHON = PYTHONS[0]
PROJECT = "videosdk-async"


def _pyenv_pythons_on_path() -> None:
    """Put the pyenv-installed Pythons we test on ``PATH``.

    pyenv's ``python3.X`` shims answer only for the versions activated in pyenv, so nox would
    call an installed 3.10 "not found"; its own ``bin`` directory always works.
    """
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found: list[str] = []
    for minor in PYTHONS:
        candidates = []
        for folder in root.glob(f"{minor}.*"):
            try:
                candidates.append((Version(folder.name), folder / "bin"))
            except InvalidVersion:  # a virtualenv or a dev build: not ours to pick
                continue
        if candidates:
            found.append(str(max(candidates)[1]))  # the newest patch release
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_pyenv_pythons_on_path()
nox.options.sessions = ["lint", "typecheck", "typing", "tests"]
# Skip (with a message) a Python this machine lacks, on CI too.
nox.options.error_on_missing_interpreters = False


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Unit, emulator and integration tests, on each supported Python found."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


def floors(pyproject: Path) -> dict[str, str]:
    """Every dependency's lowest allowed version (its ``>=`` floor), by distribution name.

    Reads ``[project] dependencies`` and every optional group; the project's own extras
    (``videosdk-async[emulator]``) are skipped. A dependency without a floor is an error:
    "any version" is not a promise this session can check.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    groups = [project.get("dependencies", []), *project.get("optional-dependencies", {}).values()]
    found: dict[str, str] = {}
    for line in (line for group in groups for line in group):
        requirement = Requirement(line)
        if requirement.name == PROJECT:
            continue
        lows = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(lows) != 1:
            raise ValueError(f"{line!r} needs exactly one >= floor")
        found[requirement.name] = lows[0]
    return found


@nox.session(python=OLDEST_PYTHON)
def minimums(session: nox.Session) -> None:
    """The tests with every dependency at its declared minimum, on the oldest Python."""
    constraints = Path(session.create_tmp()) / "minimums.txt"
    pins = [
        f"{name}=={version}" for name, version in sorted(floors(Path("pyproject.toml")).items())
    ]
    constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
    session.log("pinned to the floors: " + ", ".join(pins))
    session.install("-c", str(constraints), "-e", ".[dev]")
    session.run("python", "-m", "pip", "freeze")  # what actually ran, for the record
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


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
def docs(session: nox.Session) -> None:
    """Build the documentation site, strictly (a broken link or reference fails)."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"}
    )


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
