"""``jobs.iterate()`` over 100,000 jobs: memory must stay flat while walking every page.

Run alone: ``python -m benchmarks.iterate_memory --size full --human``.

The emulator is seeded through its Python API (fast) and served on a loopback port from a
thread of this process; the walk runs in a subprocess that samples its own RSS after the first
page, every few pages, and at the end. The target bounds the growth from the first page to
the end: a walk that kept jobs (or responses) alive would grow with the listing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from benchmarks._common import MIB, Result, emit, peak_rss_bytes, rss_bytes, run_child, target
from benchmarks.payloads import CREATE_BODY

SIZES = {"tiny": {"jobs": 1000, "samples": 5}, "full": {"jobs": 100_000, "samples": 50}}
PER_PAGE = 100
TARGET_GROWTH_MIB = 30.0
CHILD_TIMEOUT = 1800.0


async def _walk(base_url: str, token: str, total: int, samples: int) -> dict[str, Any]:
    from videosdk_async import AsyncEncoderClient

    every = max(1, total // samples)
    points: list[tuple[int, int]] = []
    seen = 0
    first_page_rss = 0
    async with AsyncEncoderClient(token=token, base_url=base_url) as client:
        started = time.perf_counter()
        async for _job in client.jobs.iterate(per_page=PER_PAGE):
            seen += 1
            if seen == PER_PAGE:
                first_page_rss = rss_bytes()
                points.append((seen, first_page_rss))
            elif seen % every == 0:
                points.append((seen, rss_bytes()))
        elapsed = time.perf_counter() - started
    end_rss = rss_bytes()
    if not points or points[-1][0] != seen:
        points.append((seen, end_rss))
    return {
        "jobs_seen": seen,
        "elapsed": elapsed,
        "first_page_rss": first_page_rss,
        "end_rss": end_rss,
        "peak_rss": peak_rss_bytes(),
        "points": points,
    }


def child_main(base_url: str) -> None:
    """Walk every job on ``base_url`` (token and counts on stdin); emit RSS figures."""
    given = json.loads(sys.stdin.read())
    emit(asyncio.run(_walk(base_url, given["token"], given["jobs"], given["samples"])))


def run(size: str) -> Result:
    """Measure the walk at ``size``; see the module docstring."""
    from videosdk_async.emulator import Emulator, ServerThread

    params = SIZES[size]
    emulator = Emulator()
    started = time.perf_counter()
    for _ in range(params["jobs"]):
        emulator.create_job(CREATE_BODY)
    seeding = time.perf_counter() - started
    with ServerThread(emulator) as server:
        walk = run_child(
            ["-m", "benchmarks.iterate_memory", "--child", "--base-url", server.base_url],
            stdin=json.dumps({"token": emulator.token, **params}),
            timeout=CHILD_TIMEOUT,
        )
    emulator.close()
    growth = (walk["end_rss"] - walk["first_page_rss"]) / MIB
    return {
        "name": "iterate_memory",
        "title": f"`jobs.iterate()` over {params['jobs']:,} jobs",
        "about": (
            f"`client.jobs.iterate()` ({PER_PAGE} per page) over every job of an emulator "
            "seeded through its Python API with queued jobs shaped like the API's examples "
            "(2 presets, a thumbnail request, user data, the owner), served on a loopback port "
            "from a thread of the benchmark process. The walk runs in its own subprocess, which "
            "samples its RSS after the first page, along the way and at the end. Growth is "
            "end RSS minus first-page RSS."
        ),
        "params": {"jobs": params["jobs"], "per_page": PER_PAGE, "seeding_s": round(seeding, 2)},
        "figures": {
            **walk,
            "growth_mib": growth,
            "jobs_per_second": walk["jobs_seen"] / walk["elapsed"] if walk["elapsed"] else 0.0,
        },
        "targets": [
            target(
                label=f"RSS growth across the walk < {TARGET_GROWTH_MIB:g} MiB",
                measured=growth,
                limit=TARGET_GROWTH_MIB,
                unit=" MiB",
                strict=True,
            )
        ],
        "notes": []
        if walk["jobs_seen"] == params["jobs"]
        else [f"the walk saw {walk['jobs_seen']} of {params['jobs']} jobs"],
    }


def main() -> None:
    """``--size`` runs the benchmark; ``--child`` runs the walk (used by the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="full")
    parser.add_argument("--human", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--base-url")
    args = parser.parse_args()
    if args.child:
        child_main(args.base_url)
        return
    emit(run(args.size), human=args.human)


if __name__ == "__main__":
    main()
