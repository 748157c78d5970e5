"""Client memory while uploading a large file: it must stay flat, whatever the size.

Run: ``python -m benchmarks.upload_memory --size tiny|full`` (part of ``nox -s bench``)

``full`` uploads 1 GiB twice to the emulator over loopback: once from a path (a sparse temp
file: nothing to write first, Content-Length known) and once from an async generator
(chunked). ``tiny`` does the same with 16 MiB, to prove it works. The emulator runs in a child
process, so this process is the client alone; a thread samples its resident set size every
5 ms and the report gives the peak growth over the RSS just before each upload (after a
warm-up upload). Flat means a growth under 50 MiB, at any size.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio

from benchmarks._common import Result, module_main, rss_bytes, target
from videosdk_async import AsyncEncoderClient

MIB = 1024 * 1024
UPLOAD_BYTES = {"tiny": 16 * MIB, "full": 1024 * MIB}
FLAT_LIMIT_MB = 50.0
TOKEN = "emu-token-upload-memory-benchmark"


class PeakSampler:
    """Samples the RSS in a thread; ``peak`` is the highest value seen while running."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


@contextmanager
def emulator_process(max_upload: int) -> Iterator[str]:
    """``python -m videosdk_async.emulator --port 0`` in a child process; yields its base URL."""
    env = {
        **os.environ,
        "VIDEOSDK_EMULATOR_MAX_UPLOAD_BYTES": str(max_upload),
        "VIDEOSDK_EMULATOR_TOKEN": TOKEN,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "videosdk_async.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 30
    try:
        while b"Ctrl-C to stop" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout.fileno()], [], [], 0.5)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
        found = re.search(rb"listening on (http://127\.0\.0\.1:\d+)", seen)
        if found is None:
            raise RuntimeError(f"the emulator did not start: {seen.decode(errors='replace')}")
        yield found.group(1).decode()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def generated(size: int, chunk: int = MIB) -> AsyncIterator[bytes]:
    """``size`` bytes made as they are sent; only one chunk exists at a time."""
    left = size
    while left > 0:
        piece = min(chunk, left)
        left -= piece
        yield b"\0" * piece


async def measure(
    client: AsyncEncoderClient, source: Callable[[], Any], size: int
) -> dict[str, Any]:
    """Upload once; the time, the throughput and the peak RSS growth over the RSS before."""
    before = rss_bytes()
    with PeakSampler() as sampler:
        started = time.perf_counter()
        stored = await client.files.upload(source(), filename="benchmark.bin", timeout=None)
        seconds = time.perf_counter() - started
    if stored.size != size:
        raise RuntimeError(f"the storage received {stored.size} bytes, not {size}")
    return {
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / MIB / seconds, 1),
        "peak_rss_growth_mb": round((sampler.peak - before) / MIB, 1),
    }


def run(size: str) -> Result:
    """Upload ``UPLOAD_BYTES[size]`` from a path and from a generator; memory and speed."""
    nbytes = UPLOAD_BYTES[size]
    with tempfile.TemporaryDirectory() as tmp, emulator_process(nbytes + MIB) as base_url:
        path = Path(tmp) / "sparse.bin"
        with path.open("wb") as handle:
            handle.truncate(nbytes)  # sparse: no disk writes, no page cache to fill first

        async def main() -> dict[str, Any]:
            async with AsyncEncoderClient(TOKEN, base_url=base_url) as client:
                await client.files.upload(b"warm-up")  # imports, the pool, the storage URL
                from_path = await measure(client, lambda: path, nbytes)
                from_stream = await measure(client, lambda: generated(nbytes), nbytes)
            return {"from a path": from_path, "from an async generator": from_stream}

        uploads = anyio.run(main)
    worst = max(r["peak_rss_growth_mb"] for r in uploads.values())
    shown = f"{nbytes // MIB:,} MiB" if nbytes < 1024 * MIB else f"{nbytes // (1024 * MIB)} GiB"
    return {
        "name": "upload_memory",
        "title": f"Uploading {shown}",
        "about": (
            f"`client.files.upload()` of {shown} to the emulator, which runs in a child process "
            "over loopback, so this process is the client alone: once from a path (a sparse "
            "file, so nothing is written first; `Content-Length` known) and once from an async "
            "generator (chunked). A thread samples the client's RSS every 5 ms; growth is the "
            "peak during the upload minus the RSS just before it (after a warm-up upload)."
        ),
        "params": {"bytes": nbytes},
        "figures": {"uploads": uploads},
        "targets": [
            target(
                label=f"peak RSS growth while uploading {shown} < {FLAT_LIMIT_MB:g} MiB",
                measured=worst,
                limit=FLAT_LIMIT_MB,
                unit=" MiB",
                strict=True,
            )
        ],
        "notes": [],
    }


if __name__ == "__main__":
    module_main(run, __doc__.splitlines()[0])
