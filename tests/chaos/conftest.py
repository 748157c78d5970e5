"""The chaos suite's emulator (one process for the module) and its figures in the summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import REPORTED, EmulatorProcess


@pytest.fixture(scope="module")
def emulator_process() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(seed=11) as emulator:
        yield emulator


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for figures in REPORTED:
        for line in figures.summary().splitlines():
            terminalreporter.write_line(f"chaos: {line}")
