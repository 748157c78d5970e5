"""Start a throwaway Redis server for tests: Debian's ``redis-server`` (``apt-get install
redis-server``), found on ``PATH`` or at ``/usr/bin/redis-server``, on a free loopback port
with a temporary directory and no persistence."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

STARTUP_TIMEOUT = 10.0  # seconds
READY = "Ready to accept connections"


def redis_server_binary() -> str | None:
    """``redis-server`` on PATH, else Debian's, else None."""
    found = shutil.which("redis-server")
    if found is None and os.access("/usr/bin/redis-server", os.X_OK):
        found = "/usr/bin/redis-server"
    return found


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pump(lines: Iterator[str], into: queue.Queue[str | None]) -> None:
    for line in lines:
        into.put(line)
    into.put(None)  # the server's output ended: it exited


def start_redis(binary: str, directory: Path) -> tuple[subprocess.Popen[str], int] | str:
    """A running server and its port, or why it could not start."""
    port = free_loopback_port()
    process = subprocess.Popen(
        [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
            *("--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(iter(process.stdout), lines), daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = "no output"
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            process.wait()
            return f"redis-server did not say it was ready within {STARTUP_TIMEOUT:g}s ({last})"
        if line is None:
            return f"redis-server exited with status {process.wait()} ({last})"
        if READY in line:
            return process, port
        last = line.strip() or last
