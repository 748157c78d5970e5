"""The worker side: arq workers that delete chunks of job ids, one client per process.

Start as many as you need, on as many machines as you need (they meet in Redis)::

    export REDIS_URL=redis://127.0.0.1:6379
    export VIDEOSDK_BASE_URL=… VIDEOSDK_API_KEY=… VIDEOSDK_SECRET_KEY=…
    cd examples/arq_cleanup && arq cleanup_tasks.WorkerSettings

Each process opens one ``AsyncEncoderClient`` when it starts (``on_startup``) and closes it
when it stops (``on_shutdown``); every chunk it runs shares that client's connections,
in-flight limit and retry budget. A chunk is a ``delete_many`` of its ids. Every outcome is
also written to a Redis stream (the journal) the moment it is known, so what a run did
survives that run: if the process dies mid-chunk, arq runs the chunk again (deletes are
idempotent) and the producer merges both runs (``cleanup_batch.merge``).
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from typing import Any, ClassVar

from arq import func
from arq.connections import RedisSettings
from arq.worker import Function

from videosdk_async import AsyncEncoderClient, DeleteResult

CHUNK_FUNCTION = "delete_chunk"
CHUNK_CONCURRENCY = 16  # deletes in flight per chunk (the client allows 32 per process)
CHUNK_TIMEOUT = 120  # seconds; arq cancels a chunk that takes longer, and runs it again
CHUNK_TRIES = 3  # a chunk is run at most this many times (a killed run counts as one)
JOURNAL_TTL = 7 * 24 * 3600  # seconds the journal of a batch is kept


def redis_settings() -> RedisSettings:
    """Where Redis is: ``REDIS_URL`` (default ``redis://127.0.0.1:6379``)."""
    return RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))


def journal_key(batch: str) -> str:
    """The Redis stream that records every outcome of a batch, run by run."""
    return f"cleanup:{batch}:journal"


async def delete_chunk(ctx: dict[str, Any], batch: str, job_ids: list[str]) -> dict[str, str]:
    """Delete ``job_ids``; return their outcomes (``{id: "deleted" | "not_found" | ...}``).

    Each outcome is journaled as it arrives, tagged with this run's try number, so a run
    that is killed half-way still leaves what it did behind.
    """
    client: AsyncEncoderClient = ctx["videosdk"]
    redis = ctx["redis"]
    journal = journal_key(batch)
    tags = {"chunk": ctx["job_id"], "try": ctx["job_try"], "pid": os.getpid()}
    await redis.expire(journal, JOURNAL_TTL)

    async def record(result: DeleteResult) -> None:
        await redis.xadd(journal, {**tags, "job": result.job_id, "outcome": str(result.outcome)})

    report = await client.jobs.delete_many(
        job_ids, concurrency=CHUNK_CONCURRENCY, on_progress=record
    )
    return {result.job_id: str(result.outcome) for result in report}


async def startup(ctx: dict[str, Any]) -> None:
    """One client per worker process, from ``VIDEOSDK_BASE_URL`` and the credentials."""
    stack = AsyncExitStack()
    ctx["videosdk"] = await stack.enter_async_context(AsyncEncoderClient())
    ctx["resources"] = stack


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close the client (arq calls this after the chunks in flight have ended)."""
    await ctx["resources"].aclose()


class WorkerSettings:
    """``arq cleanup_tasks.WorkerSettings``."""

    functions: ClassVar[list[Function]] = [
        func(delete_chunk, max_tries=CHUNK_TRIES, timeout=CHUNK_TIMEOUT)
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_jobs = 1  # one chunk at a time per process; its deletes run concurrently
    poll_delay = 0.2  # seconds between looks at the queue when idle
