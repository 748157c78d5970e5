"""A real Redis server for the arq recipe's tests, started and stopped by the tests.

Without a ``redis-server`` that can start, the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from redis_server import redis_server_binary, start_redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:<port>`` of a fresh Redis server, for this module's tests."""
    binary = redis_server_binary()
    if binary is None:
        pytest.skip(
            "no redis-server on PATH or at /usr/bin/redis-server "
            "(Debian/Ubuntu: apt-get install redis-server)"
        )
    started = start_redis(binary, tmp_path_factory.mktemp("redis"))
    if isinstance(started, str) and "Address already in use" in started:  # lost a port race
        started = start_redis(binary, tmp_path_factory.mktemp("redis"))
    if isinstance(started, str):
        pytest.skip(f"Redis could not start: {started}")
    process, port = started
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
