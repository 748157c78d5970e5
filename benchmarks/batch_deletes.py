"""Deleting many queued jobs over loopback: the SDK beside hand-written httpx and aiohttp.

Run alone: ``python -m benchmarks.batch_deletes --size full --human``.

The emulator serves on a loopback port from a thread of this process, answering every request
after a fixed latency, as a real network would. For each variant it is reset and seeded with
N queued jobs through its Python API; the variant then runs in its own subprocess (so its peak
RSS is its own) and reports what happened to every id. Variants:

- ``SDK delete_many``: ``client.jobs.delete_many(ids)`` with default settings;
- ``SDK gather``: ``asyncio.gather`` of ``client.jobs.delete`` for every id;
- ``httpx + semaphore``: a default ``httpx.AsyncClient``, one task per id, an
  ``asyncio.Semaphore`` of 32 (the SDK's default in-flight limit);
- ``aiohttp + semaphore``: the same with an ``aiohttp.ClientSession``;
- ``naive gather``: a default ``httpx.AsyncClient`` and one task per id, nothing else.

Then the same batch at a few concurrency levels for the SDK, httpx + semaphore and the naive
gather (where the level is the pool's ``max_connections``, the only bound it has).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._common import (
    Result,
    emit,
    peak_rss_bytes,
    rss_bytes,
    run_child,
    target,
)
from benchmarks.payloads import CREATE_BODY

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"jobs": 60, "latency": 0.002, "sweep_jobs": 40, "levels": [4, 16]},
    "full": {"jobs": 5000, "latency": 0.05, "sweep_jobs": 2000, "levels": [8, 32, 128]},
}
DEFAULT_CONCURRENCY = 32  # the SDK's default in-flight limit; the semaphores match it
SDK_POOL = 64  # the SDK's own pool size: above it, the SDK is handed a pool of the level's size
VARIANTS = {
    "sdk_delete_many": "SDK delete_many",
    "sdk_gather": "SDK gather",
    "httpx_semaphore": "httpx + semaphore",
    "aiohttp_semaphore": "aiohttp + semaphore",
    "naive_gather": "naive gather",
}
SWEEP = ("sdk_delete_many", "httpx_semaphore", "naive_gather")
CHILD_TIMEOUT = 900.0
DELETED = "deleted"


# -- the variants (each runs in a child process) ---------------------------------------------


def _error_label(exc: BaseException) -> str:
    """``PoolTimeout``, ``HTTP 503``, or ``APITimeoutError (PoolTimeout)`` for a wrapped one."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status is None:
        status = getattr(exc, "status", None)  # aiohttp's ClientResponseError
    label = f"HTTP {status}" if isinstance(status, int) else type(exc).__name__
    cause = exc.__cause__
    if cause is not None and type(cause).__name__ != label:
        label += f" ({type(cause).__name__})"
    return label


def _tally(results: list[object]) -> Counter[str]:
    return Counter(_error_label(r) if isinstance(r, BaseException) else DELETED for r in results)


Outcome = tuple[Counter[str], float]
"""A variant's tally and the seconds its deletes took (client set-up, e.g. TLS context
creation, is excluded: it is paid once per process, not per batch)."""


async def _timed_gather(calls: list[Awaitable[object]]) -> Outcome:
    started = time.perf_counter()
    results = await asyncio.gather(*calls, return_exceptions=True)
    return _tally(results), time.perf_counter() - started


async def _sdk_delete_many(base_url: str, token: str, ids: list[str], level: int) -> Outcome:
    from videosdk_async import DeleteOutcome

    async with _SdkClient(base_url, token, level) as (client, _):
        started = time.perf_counter()
        report = await client.jobs.delete_many(ids, concurrency=level)
        elapsed = time.perf_counter() - started
    counts: Counter[str] = Counter()
    for result in report:
        if result.outcome is DeleteOutcome.DELETED:
            counts[DELETED] += 1
        elif result.error is not None:
            counts[_error_label(result.error)] += 1
        else:
            counts[result.outcome.value] += 1
    return counts, elapsed


async def _sdk_gather(base_url: str, token: str, ids: list[str], level: int) -> Outcome:
    async with _SdkClient(base_url, token, level) as (client, _):
        return await _timed_gather([client.jobs.delete(i) for i in ids])


class _SdkClient:
    """The SDK with defaults; above its own pool's size, handed an httpx pool of ``level``."""

    def __init__(self, base_url: str, token: str, level: int) -> None:
        import httpx

        from videosdk_async import AsyncEncoderClient

        self.http = None
        if level > SDK_POOL:
            limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
            self.http = httpx.AsyncClient(limits=limits)
        self.client = AsyncEncoderClient(
            token=token, base_url=base_url, http_client=self.http, max_concurrency=level
        )

    async def __aenter__(self) -> tuple[Any, Any]:
        await self.client.__aenter__()
        return self.client, self.http

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        if self.http is not None:
            await self.http.aclose()


async def _httpx_semaphore(base_url: str, token: str, ids: list[str], level: int) -> Outcome:
    import httpx

    gate = asyncio.Semaphore(level)
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": token}) as http:

        async def delete(job_id: str) -> None:
            async with gate:
                response = await http.delete(f"/v1/encoder/jobs/{job_id}")
                response.raise_for_status()

        return await _timed_gather([delete(i) for i in ids])


async def _aiohttp_semaphore(base_url: str, token: str, ids: list[str], level: int) -> Outcome:
    import aiohttp

    gate = asyncio.Semaphore(level)
    async with aiohttp.ClientSession(base_url, headers={"Authorization": token}) as session:

        async def delete(job_id: str) -> None:
            async with gate, session.delete(f"/v1/encoder/jobs/{job_id}") as response:
                response.raise_for_status()
                await response.read()

        return await _timed_gather([delete(i) for i in ids])


async def _naive_gather(base_url: str, token: str, ids: list[str], level: int) -> Outcome:
    """httpx defaults; ``level`` is the pool size (0: httpx's default of 100)."""
    import httpx

    limits = httpx.Limits(max_connections=level) if level else httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": token}, limits=limits
    ) as http:

        async def delete(job_id: str) -> None:
            response = await http.delete(f"/v1/encoder/jobs/{job_id}")
            response.raise_for_status()

        return await _timed_gather([delete(i) for i in ids])


RUNNERS: dict[str, Callable[[str, str, list[str], int], Awaitable[Outcome]]] = {
    "sdk_delete_many": _sdk_delete_many,
    "sdk_gather": _sdk_gather,
    "httpx_semaphore": _httpx_semaphore,
    "aiohttp_semaphore": _aiohttp_semaphore,
    "naive_gather": _naive_gather,
}


def child_main(variant: str, base_url: str, level: int) -> None:
    """Run one variant on the ids and token read from stdin; emit its tally, time and RSS."""
    given = json.loads(sys.stdin.read())
    runner = RUNNERS[variant]
    if variant == "aiohttp_semaphore":
        import aiohttp  # noqa: F401 - imported before the RSS baseline, like the others'
    import httpx  # noqa: F401

    import videosdk_async  # noqa: F401

    before = rss_bytes()
    outcomes, elapsed = asyncio.run(runner(base_url, given["token"], given["ids"], level))
    emit(
        {
            "outcomes": dict(outcomes),
            "elapsed": elapsed,
            "rss_before": before,
            "peak_rss": peak_rss_bytes(),
        }
    )


# -- the parent: emulator, seeding, one child per run ----------------------------------------


def _one_run(
    emulator: Any, base_url: str, variant: str, jobs: int, level: int, latency: float
) -> dict[str, Any]:
    emulator.reset()
    emulator.set_faults([{"kind": "latency", "delay": latency}])
    ids = [emulator.create_job(CREATE_BODY)["id"] for _ in range(jobs)]
    child = run_child(
        [
            "-m",
            "benchmarks.batch_deletes",
            "--child",
            variant,
            "--base-url",
            base_url,
            "--level",
            str(level),
        ],
        stdin=json.dumps({"token": emulator.token, "ids": ids}),
        timeout=CHILD_TIMEOUT,
    )
    outcomes: dict[str, int] = child["outcomes"]
    completed = outcomes.get(DELETED, 0)
    return {
        "variant": variant,
        "label": VARIANTS[variant],
        "jobs": jobs,
        "level": level,
        "completed": completed,
        "failed": jobs - completed,
        "errors": {k: v for k, v in sorted(outcomes.items()) if k != DELETED},
        "server_deleted": emulator.ledger.total("delete_job"),
        "elapsed": child["elapsed"],
        "jobs_per_second": completed / child["elapsed"] if child["elapsed"] else 0.0,
        "rss_before": child["rss_before"],
        "peak_rss": child["peak_rss"],
    }


def run(size: str) -> Result:
    """Measure batch deletes at ``size``; see the module docstring."""
    from videosdk_async.emulator import Emulator, ServerThread

    params = SIZES[size]
    emulator = Emulator()
    runs: list[dict[str, Any]] = []
    sweep: list[dict[str, Any]] = []
    with ServerThread(emulator) as server:
        for variant in VARIANTS:
            level = 0 if variant == "naive_gather" else DEFAULT_CONCURRENCY
            runs.append(
                _one_run(
                    emulator, server.base_url, variant, params["jobs"], level, params["latency"]
                )
            )
        for level in params["levels"]:
            for variant in SWEEP:
                sweep.append(
                    _one_run(
                        emulator,
                        server.base_url,
                        variant,
                        params["sweep_jobs"],
                        level,
                        params["latency"],
                    )
                )
    emulator.close()
    sdk_failed = sum(r["failed"] for r in runs if r["variant"].startswith("sdk_"))
    return {
        "name": "batch_deletes",
        "title": "Batch deletes over loopback",
        "about": (
            "Deleting N queued jobs on the emulator, served on a loopback port from a thread "
            f"of the benchmark process, which answers every request after "
            f"{params['latency'] * 1000:g} ms as a real network would. Each run gets a freshly "
            "reset emulator seeded with N queued jobs and runs in its own subprocess, so peak "
            "RSS is that variant's own. `SDK delete_many` and `SDK gather` use the SDK's "
            f"defaults (at most {DEFAULT_CONCURRENCY} in flight on a pool of {SDK_POOL}); "
            f"`httpx + semaphore` and `aiohttp + semaphore` bound in-flight requests with an "
            f"`asyncio.Semaphore({DEFAULT_CONCURRENCY})` on default clients; `naive gather` is "
            "one task per id on a default `httpx.AsyncClient` (100 connections, 5 s pool "
            "timeout). Failed deletes are listed by error type. In the concurrency sweep, the "
            "level is the SDK's `max_concurrency` and `delete_many(concurrency=...)` (above "
            f"{SDK_POOL}, on an httpx pool of that size), the semaphore's size for httpx, and "
            "the pool's `max_connections` for the naive gather."
        ),
        "params": {
            "jobs": params["jobs"],
            "latency_s": params["latency"],
            "sweep_jobs": params["sweep_jobs"],
            "levels": params["levels"],
        },
        "figures": {"runs": runs, "sweep": sweep},
        "targets": [
            target(
                label="failed deletes through the SDK (`delete_many` and gather) = 0",
                measured=float(sdk_failed),
                limit=0.0,
                unit="",
            )
        ],
        "notes": [],
    }


def main() -> None:
    """``--size`` runs the benchmark; ``--child`` runs one variant (used by the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="full")
    parser.add_argument("--human", action="store_true")
    parser.add_argument("--child", choices=tuple(RUNNERS))
    parser.add_argument("--base-url")
    parser.add_argument("--level", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.base_url, args.level)
        return
    result = run(args.size)
    if args.human:
        print(json.dumps(result, indent=2))
    else:
        emit(result)


if __name__ == "__main__":
    main()
