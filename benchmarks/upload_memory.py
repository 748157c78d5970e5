"""Client memory while uploading a large file: it must stay flat, whatever the size.

Run: python benchmarks/upload_memory.py [--size tiny|full]

``full`` uploads 1 GiB twice to the emulator over loopback: once from a path (a sparse temp
file: nothing to write first, Content-Length known) and once from an async generator
(chunked). ``tiny`` does the same with 128 MiB, for a quick check. The emulator runs in a child
process, so this process is the client alone; a thread samples its resident set size
(``/proc/self/statm``, every 5 ms) and the report gives the peak growth over the RSS just
before each upload (after a warm-up upload). Flat means a growth under 50 MB, at any size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
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

from videosdk_async import AsyncEncoderClient

MIB = 1024 * 1024
SIZES = {"tiny": 128 * MIB, "full": 1024 * MIB}
FLAT_LIMIT_MB = 50.0
TOKEN = "emu-token-upload-memory-benchmark"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """The current resident set size (Linux: /proc; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


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


def run(size: str = "tiny") -> dict[str, Any]:
    """Upload ``SIZES[size]`` bytes from a path and from a generator; report memory and speed."""
    nbytes = SIZES[size]
    with tempfile.TemporaryDirectory() as tmp, emulator_process(nbytes + MIB) as base_url:
        path = Path(tmp) / "sparse.bin"
        with path.open("wb") as handle:
            handle.truncate(nbytes)  # sparse: no disk writes, no page cache to fill first

        async def main() -> dict[str, Any]:
            async with AsyncEncoderClient(TOKEN, base_url=base_url) as client:
                await client.files.upload(b"warm-up")  # imports, the pool, the storage URL
                from_path = await measure(client, lambda: path, nbytes)
                from_stream = await measure(client, lambda: generated(nbytes), nbytes)
            return {"path": from_path, "stream": from_stream}

        results = anyio.run(main)
    worst = max(r["peak_rss_growth_mb"] for r in results.values())
    return {
        "benchmark": "upload_memory",
        "size": size,
        "bytes": nbytes,
        **results,
        "worst_peak_rss_growth_mb": worst,
        "limit_mb": FLAT_LIMIT_MB,
        "flat": worst < FLAT_LIMIT_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    args = parser.parse_args()
    result = run(args.size)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["flat"] else 1)


if __name__ == "__main__":
    main()
