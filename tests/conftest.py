"""Suite-wide: the secrets sweep (see ``secrets_watch.py``).

Every test runs with the ``videosdk_async`` logger at DEBUG; at its teardown every SDK log
record and every SDK error it created is searched for every token, secret and minted JWT the
suite has configured so far. A leak fails the test, naming the secret only by its first four
characters.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from secrets_watch import SecretsWatch

pytest_plugins = ["pytester"]  # runs a session of its own where a test needs a fixed order

WATCH = SecretsWatch()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "secrets_generated: the test makes up its own secrets (hypothesis) and checks them "
        "itself; the sweep neither remembers nor searches them",
    )
    WATCH.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    WATCH.uninstall()


@pytest.fixture(autouse=True)
def _no_secret_leaves(request: pytest.FixtureRequest) -> Iterator[SecretsWatch]:
    WATCH.start_test(generated=request.node.get_closest_marker("secrets_generated") is not None)
    yield WATCH
    found = WATCH.findings()
    if found:
        pytest.fail("secrets leaked: " + "; ".join(found), pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(
        f"secrets sweep: {len(WATCH.secrets)} secrets watched; {WATCH.checked_errors} errors "
        f"and {WATCH.checked_records} SDK log records searched"
    )
