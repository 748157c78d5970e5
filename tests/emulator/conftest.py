"""Fixtures for the emulator's own tests: a seeded emulator with a fixed start time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone

import httpx
import pytest

from videosdk_async.emulator import Emulator, EmulatorConfig

START = datetime(2021, 3, 18, 8, 50, 57, 438000, tzinfo=timezone.utc)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A manual-clock emulator: queued 5 s, processing 30 s, seed 7."""
    emulator = Emulator(EmulatorConfig(seed=7, start_time=START))
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client authenticated with the fixed token."""
    async with emu.client() as client:
        yield client
