"""Parsing a 100-job listing page: the SDK's path beside ``json.loads`` and pydantic alone.

Run alone: ``python -m benchmarks.page_parsing --size full --human``.

The page holds 100 distinct completed jobs (about 300 KB of JSON). Variants: ``json.loads``
(dicts, no types); ``JobPage.model_validate_json`` (pydantic from bytes, one pass in Rust);
``JobPage.model_validate(json.loads(...))`` (dicts first, then models); and the SDK's own path,
``client.jobs.list(per_page=100)`` on an ``httpx.MockTransport`` answering those bytes (one
call, so it includes the per-call cost measured in ``call_overhead``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import httpx

from benchmarks._common import Result, alternate_async, module_main, paired_ratio, settle_gc, stats
from benchmarks.payloads import as_bytes, job_page

SIZES = {
    "tiny": {"pages_per_round": 3, "rounds": 2, "warmup": 2},
    "full": {"pages_per_round": 60, "rounds": 11, "warmup": 20},
}
JOBS_PER_PAGE = 100
PAGE_BYTES = as_bytes(job_page(JOBS_PER_PAGE))

Loop = Callable[[int], Awaitable[float]]


def _sync_loop(parse: Callable[[bytes], object]) -> Loop:
    async def loop(pages: int) -> float:
        body = PAGE_BYTES
        started = time.perf_counter()
        for _ in range(pages):
            parse(body)
        return (time.perf_counter() - started) / pages

    return loop


async def _measure(size: str) -> Result:
    from videosdk_async import AsyncEncoderClient, JobPage

    params = SIZES[size]
    headers = {"content-type": "application/json", "content-length": str(len(PAGE_BYTES))}
    transport = httpx.MockTransport(
        lambda _: httpx.Response(200, content=PAGE_BYTES, headers=headers)
    )
    http = httpx.AsyncClient(transport=transport)
    client = AsyncEncoderClient(token="benchmark-token", http_client=http)

    async def sdk_loop(pages: int) -> float:
        started = time.perf_counter()
        for _ in range(pages):
            await client.jobs.list(page=1, per_page=JOBS_PER_PAGE)
        return (time.perf_counter() - started) / pages

    variants: dict[str, Loop] = {
        "json.loads": _sync_loop(json.loads),
        "JobPage.model_validate_json": _sync_loop(JobPage.model_validate_json),
        "JobPage.model_validate(json.loads)": _sync_loop(
            lambda body: JobPage.model_validate(json.loads(body))
        ),
        "SDK jobs.list(per_page=100)": sdk_loop,
    }
    async with client:
        page = await client.jobs.list(page=1, per_page=JOBS_PER_PAGE)
        if len(page.data) != JOBS_PER_PAGE or len(page.data[0].files) != 6:
            raise RuntimeError("the SDK did not read the page it was given")
        for loop in variants.values():
            await loop(params["warmup"])
        settle_gc()
        samples = await alternate_async(
            variants, rounds=params["rounds"], per_round=params["pages_per_round"]
        )
    await http.aclose()
    baseline = "JobPage.model_validate_json"
    return {
        "name": "page_parsing",
        "title": "Parsing a 100-job page",
        "about": (
            f"A listing page of {JOBS_PER_PAGE} distinct completed jobs "
            f"({len(PAGE_BYTES):,} bytes of JSON) turned into Python objects: `json.loads` "
            "(untyped dicts), `JobPage.model_validate_json` (pydantic straight from bytes), "
            "`JobPage.model_validate(json.loads(...))` (dicts first), and the SDK's own path, "
            "`client.jobs.list(per_page=100)` on an `httpx.MockTransport` serving the same "
            "bytes (a whole call, so it includes the per-call cost above). Ratios are to "
            "`JobPage.model_validate_json`, the floor for typed models."
        ),
        "params": {
            **params,
            "jobs_per_page": JOBS_PER_PAGE,
            "page_bytes": len(PAGE_BYTES),
            "order": "alternating rounds (A B C D, then D C B A)",
        },
        "figures": {
            "baseline": baseline,
            "seconds_per_page": {name: stats(s) for name, s in samples.items()},
            "ratios": {
                name: {**paired_ratio(s, samples[baseline]), "baseline": baseline}
                for name, s in samples.items()
                if name != baseline
            },
        },
        "targets": [],
        "notes": [],
    }


def run(size: str) -> Result:
    """Measure page parsing at ``size``; see the module docstring."""
    return asyncio.run(_measure(size))


if __name__ == "__main__":
    module_main(run, __doc__.splitlines()[0])
