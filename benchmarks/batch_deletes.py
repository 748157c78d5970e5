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
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import anyio

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
    "tiny": {
        "jobs": 60,
        "rounds": 1,
        "latency": 0.002,
        "sweep_jobs": 40,
        "levels": [4, 80],  # 80: above the SDK's own pool, as the full sweep goes
        "cap": 60.0,
    },
    # A naive gather's time grows with the square of the batch (httpx's pool rescans every
    # queued request on every change): 2,000 takes about a minute here, 5,000 many.
    "full": {
        "jobs": 2000,
        "rounds": 3,
        "latency": 0.05,
        "sweep_jobs": 1000,
        "levels": [8, 32, 128],
        "cap": 180.0,
    },
}
DEFAULT_CONCURRENCY = 32  # the SDK's default in-flight limit; the semaphores match it
SDK_POOL = 64  # the SDK's own pool size: above it, the SDK borrows a default httpx client
VARIANTS = {
    "sdk_delete_many": "SDK delete_many",
    "sdk_gather": "SDK gather",
    "httpx_semaphore": "httpx + semaphore",
    "aiohttp_semaphore": "aiohttp + semaphore",
    "naive_gather": "naive gather",
}
SWEEP = ("sdk_delete_many", "httpx_semaphore", "naive_gather")
CHILD_GRACE = 60.0  # seconds past the cap before a child is deemed hung
DELETED = "deleted"
UNFINISHED = "unfinished at the cap"


# -- the variants (each runs in a child process) ---------------------------------------------


@dataclass(frozen=True)
class Batch:
    """What a variant is given: where, with which token, which ids, how wide, how long."""

    base_url: str
    token: str
    ids: list[str]
    level: int
    cap: float  # seconds; calls still running then are cancelled and counted unfinished


Outcome = tuple[Counter[str], float]
"""A variant's tally and the seconds its deletes took (client set-up, e.g. TLS context
creation, is excluded: it is paid once per process, not per batch)."""


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


async def _timed_gather(batch: Batch, calls: list[Coroutine[Any, Any, object]]) -> Outcome:
    """Run every call as a task, as ``asyncio.gather`` does; stop waiting at the cap."""
    started = time.perf_counter()
    tasks = [asyncio.ensure_future(call) for call in calls]
    done, pending = await asyncio.wait(tasks, timeout=batch.cap)
    elapsed = time.perf_counter() - started
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    tally: Counter[str] = Counter()
    for task in done:
        error = task.exception()
        tally[DELETED if error is None else _error_label(error)] += 1
    if pending:
        tally[UNFINISHED] = len(pending)
    return tally, elapsed


def _wide_httpx_client(level: int, **kwargs: Any) -> Any:
    """A default ``httpx.AsyncClient`` (20 kept alive), its pool widened to ``level`` if above 100.

    The SDK refuses more calls in flight than a borrowed pool holds, and requests queued
    inside httpx's pool would measure its pool timeout, not the variant.
    """
    import httpx

    limits = httpx.Limits(max_connections=max(100, level), max_keepalive_connections=20)
    return httpx.AsyncClient(limits=limits, **kwargs)


class _SdkClient:
    """The SDK with defaults; above its own pool's size, on the httpx variant's client.

    That client (`_wide_httpx_client`) is the same at such levels for both, so the two
    differ only by what sits on top of it. (A pool sized to the level with every connection
    kept alive made bare httpx as slow as the SDK on it: that cost is the pool's.)
    """

    def __init__(self, batch: Batch) -> None:

        from videosdk_async import AsyncEncoderClient

        self.http = _wide_httpx_client(batch.level) if batch.level > SDK_POOL else None
        self.client = AsyncEncoderClient(
            token=batch.token,
            base_url=batch.base_url,
            http_client=self.http,
            max_concurrency=batch.level,
        )

    async def __aenter__(self) -> Any:
        return await self.client.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        if self.http is not None:
            await self.http.aclose()


async def _sdk_delete_many(batch: Batch) -> Outcome:
    from videosdk_async import DeleteOutcome, DeleteReport

    report = DeleteReport()  # keeps what was done if the cap cancels the batch
    async with _SdkClient(batch) as client:
        started = time.perf_counter()
        with anyio.move_on_after(batch.cap):
            await client.jobs.delete_many(batch.ids, concurrency=batch.level, report=report)
        elapsed = time.perf_counter() - started
    tally: Counter[str] = Counter()
    for result in report:
        if result.outcome is DeleteOutcome.DELETED:
            tally[DELETED] += 1
        elif result.error is not None:
            tally[_error_label(result.error)] += 1
        else:
            tally[result.outcome.value] += 1
    if len(report) < len(batch.ids):
        tally[UNFINISHED] = len(batch.ids) - len(report)
    return tally, elapsed


async def _sdk_gather(batch: Batch) -> Outcome:
    async with _SdkClient(batch) as client:
        return await _timed_gather(batch, [client.jobs.delete(i) for i in batch.ids])


async def _httpx_semaphore(batch: Batch) -> Outcome:

    gate = asyncio.Semaphore(batch.level)
    headers = {"Authorization": batch.token}
    async with _wide_httpx_client(batch.level, base_url=batch.base_url, headers=headers) as http:

        async def delete(job_id: str) -> None:
            async with gate:
                response = await http.delete(f"/v1/encoder/jobs/{job_id}")
                response.raise_for_status()

        return await _timed_gather(batch, [delete(i) for i in batch.ids])


async def _aiohttp_semaphore(batch: Batch) -> Outcome:
    import aiohttp

    gate = asyncio.Semaphore(batch.level)
    headers = {"Authorization": batch.token}
    async with aiohttp.ClientSession(batch.base_url, headers=headers) as session:

        async def delete(job_id: str) -> None:
            async with gate, session.delete(f"/v1/encoder/jobs/{job_id}") as response:
                response.raise_for_status()
                await response.read()

        return await _timed_gather(batch, [delete(i) for i in batch.ids])


async def _naive_gather(batch: Batch) -> Outcome:
    """httpx defaults; ``level`` is the pool's size (0: httpx's default of 100)."""
    import httpx

    limits = httpx.Limits(max_connections=batch.level or 100)
    headers = {"Authorization": batch.token}
    async with httpx.AsyncClient(base_url=batch.base_url, headers=headers, limits=limits) as http:

        async def delete(job_id: str) -> None:
            response = await http.delete(f"/v1/encoder/jobs/{job_id}")
            response.raise_for_status()

        return await _timed_gather(batch, [delete(i) for i in batch.ids])


RUNNERS: dict[str, Callable[[Batch], Coroutine[Any, Any, Outcome]]] = {
    "sdk_delete_many": _sdk_delete_many,
    "sdk_gather": _sdk_gather,
    "httpx_semaphore": _httpx_semaphore,
    "aiohttp_semaphore": _aiohttp_semaphore,
    "naive_gather": _naive_gather,
}


def child_main(variant: str, base_url: str, level: int, cap: float) -> None:
    """Run one variant on the ids and token read from stdin; emit its tally, time and RSS."""
    given = json.loads(sys.stdin.read())
    if variant == "aiohttp_semaphore":
        import aiohttp  # noqa: F401 - imported before the RSS baseline, like the others'
    import httpx  # noqa: F401

    import videosdk_async  # noqa: F401

    batch = Batch(base_url, given["token"], given["ids"], level, cap)
    before = rss_bytes()
    outcomes, elapsed = asyncio.run(RUNNERS[variant](batch))
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
    emulator: Any, base_url: str, variant: str, jobs: int, level: int, params: dict[str, Any]
) -> dict[str, Any]:
    emulator.reset()
    emulator.set_faults([{"kind": "latency", "delay": params["latency"]}])
    ids = [emulator.create_job(CREATE_BODY)["id"] for _ in range(jobs)]
    args = ["--child", variant, "--base-url", base_url, "--level", str(level)]
    child = run_child(
        ["-m", "benchmarks.batch_deletes", *args, "--cap", str(params["cap"])],
        stdin=json.dumps({"token": emulator.token, "ids": ids}),
        timeout=params["cap"] + CHILD_GRACE,
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


def _combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from a variant's rounds: counts summed, jobs/s and seconds as medians."""
    errors: Counter[str] = Counter()
    for r in rounds:
        errors.update(r["errors"])
    rates = [r["jobs_per_second"] for r in rounds]
    return {
        **rounds[0],
        "rounds": len(rounds),
        "jobs": sum(r["jobs"] for r in rounds),
        "completed": sum(r["completed"] for r in rounds),
        "failed": sum(r["failed"] for r in rounds),
        "errors": dict(sorted(errors.items())),
        "server_deleted": sum(r["server_deleted"] for r in rounds),
        "elapsed": statistics.median(r["elapsed"] for r in rounds),
        "jobs_per_second": statistics.median(rates),
        "jobs_per_second_range": [min(rates), max(rates)],
        "peak_rss": max(r["peak_rss"] for r in rounds),
    }


def run(size: str) -> Result:
    """Measure batch deletes at ``size``; see the module docstring."""
    from videosdk_async.emulator import Emulator, ServerThread

    params = SIZES[size]
    emulator = Emulator()
    rounds: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    sweep: list[dict[str, Any]] = []
    with ServerThread(emulator) as server:

        def one(variant: str, jobs: int, level: int) -> dict[str, Any]:
            return _one_run(emulator, server.base_url, variant, jobs, level, params)

        # The naive gather runs once: it fails the same way every time, slowly.
        rounds["naive_gather"].append(one("naive_gather", params["jobs"], 0))
        alternating = [v for v in VARIANTS if v != "naive_gather"]
        for index in range(params["rounds"]):
            for variant in alternating if index % 2 == 0 else alternating[::-1]:
                rounds[variant].append(one(variant, params["jobs"], DEFAULT_CONCURRENCY))
        for level in params["levels"]:
            at_level: dict[str, list[dict[str, Any]]] = {variant: [] for variant in SWEEP}
            at_level["naive_gather"].append(one("naive_gather", params["sweep_jobs"], level))
            bounded = [v for v in SWEEP if v != "naive_gather"]
            for index in range(params["rounds"]):
                for variant in bounded if index % 2 == 0 else bounded[::-1]:
                    at_level[variant].append(one(variant, params["sweep_jobs"], level))
            sweep += [_combine(at_level[variant]) for variant in SWEEP]
    emulator.close()
    runs = [_combine(rounds[variant]) for variant in VARIANTS]
    sdk_failed = sum(r["failed"] for r in runs if r["variant"].startswith("sdk_"))
    return {
        "name": "batch_deletes",
        "title": "Batch deletes over loopback",
        "about": (
            "Deleting N queued jobs on the emulator, served on a loopback port from a thread "
            "of the benchmark process, which answers every request after "
            f"{params['latency'] * 1000:g} ms as a real network would. Each run gets a freshly "
            "reset emulator seeded with N queued jobs and runs in its own subprocess, so peak "
            "RSS is that variant's own. `SDK delete_many` and `SDK gather` use the SDK's "
            f"defaults (at most {DEFAULT_CONCURRENCY} in flight on a pool of {SDK_POOL}); "
            "`httpx + semaphore` and `aiohttp + semaphore` bound in-flight requests with an "
            f"`asyncio.Semaphore({DEFAULT_CONCURRENCY})` on default clients; `naive gather` is "
            "one task per id on a default `httpx.AsyncClient` (100 connections, 5 s pool "
            "timeout). These four run in alternating rounds (jobs/s: median and range over "
            "rounds; counts: summed); the naive gather runs once, since it fails the same "
            "way every time, slowly: httpx's pool rescans every queued request whenever a "
            "request comes or goes, so a few thousand queued tasks keep the event loop busy "
            "enough that even connects time out. Any run still going after "
            f"{params['cap']:g} s is cancelled and its calls counted as unfinished. Failed "
            "deletes are listed by error type. The concurrency sweep runs the same way (rounds, "
            "the naive gather once); there the "
            "level is the SDK's `max_concurrency` and `delete_many(concurrency=...)` (above "
            f"{SDK_POOL}, on the httpx variant's client), the semaphore's size for httpx (on a "
            "default `httpx.AsyncClient`, its pool widened to the level above 100), and "
            "the pool's `max_connections` for the naive gather."
        ),
        "params": {
            "jobs": params["jobs"],
            "rounds": params["rounds"],
            "latency_s": params["latency"],
            "sweep_jobs": params["sweep_jobs"],
            "levels": params["levels"],
            "cap_s": params["cap"],
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
    parser.add_argument("--cap", type=float, default=SIZES["full"]["cap"])
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.base_url, args.level, args.cap)
        return
    emit(run(args.size), human=args.human)


if __name__ == "__main__":
    main()
