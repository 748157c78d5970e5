"""asyncio.gather of N deletes: a bare default httpx.AsyncClient vs the SDK, side by side.

Run: python benchmarks/gather_deletes.py [--jobs N] [--latency SECONDS]

Both runs delete N queued jobs on the same emulator (served on a loopback port in a thread),
which answers every request after ``--latency`` seconds, as a real network would. The bare
client fires every request at once and waits in httpx's pool (where PoolTimeout lives); the
SDK keeps at most 64 in flight and queues the rest in its own limiter.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter

import httpx

from videosdk_async import AsyncEncoderClient
from videosdk_async.emulator import Emulator, ServerThread

BODY = {
    "videoUrl": "https://example.com/a.mp4",
    "presets": [{"resolutions": ["360"], "format": "hls"}],
}


def _outcome(result: object) -> str:
    if isinstance(result, BaseException):
        return type(result).__name__
    return "ok"


async def bare(base_url: str, token: str, ids: list[str]) -> Counter[str]:
    """The naive version: a default httpx.AsyncClient and one task per delete."""
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": token}) as http:

        async def delete(job_id: str) -> None:
            response = await http.delete(f"/v1/encoder/jobs/{job_id}")
            response.raise_for_status()

        results = await asyncio.gather(*(delete(i) for i in ids), return_exceptions=True)
    return Counter(_outcome(r) for r in results)


async def sdk(base_url: str, token: str, ids: list[str]) -> Counter[str]:
    """The SDK with default settings and the same one task per delete."""
    async with AsyncEncoderClient(token, base_url=base_url) as client:
        results = await asyncio.gather(
            *(client.jobs.delete(i) for i in ids), return_exceptions=True
        )
    return Counter(_outcome(r) for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    emulator = Emulator(faults=[])
    emulator.add_fault(kind="latency", delay=args.latency)
    with ServerThread(emulator) as server:
        timings = {}
        for name, run in (("bare httpx gather", bare), ("SDK gather", sdk)):
            ids = [emulator.create_job(BODY)["id"] for _ in range(args.jobs)]
            started = time.perf_counter()
            outcomes = asyncio.run(run(server.base_url, emulator.token, ids))
            elapsed = time.perf_counter() - started
            timings[name] = (outcomes, elapsed)
            print(f"{name:>18}: {dict(outcomes)} in {elapsed:.1f}s")
    (bare_out, _), (sdk_out, _) = timings.values()
    print(
        f"completed: bare {bare_out['ok']}/{args.jobs}, SDK {sdk_out['ok']}/{args.jobs} "
        f"(server latency {args.latency}s per request)"
    )


if __name__ == "__main__":
    main()
