"""The producer side: spread a batch of deletes over arq workers, then gather one outcome per id.

    export REDIS_URL=… VIDEOSDK_BASE_URL=… VIDEOSDK_API_KEY=… VIDEOSDK_SECRET_KEY=…
    cd examples/arq_cleanup && python cleanup_batch.py --chunk-size 25

It lists the queued jobs, enqueues them in chunks (``cleanup_tasks.delete_chunk``), waits for
the chunks' results in Redis and merges them with the journal the workers keep: a chunk
that was run twice (its worker died) reports the ids its first run deleted as not found,
and the merge keeps what the first run saw.
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import anyio
from arq import create_pool
from arq.connections import ArqRedis
from arq.jobs import Job
from cleanup_tasks import CHUNK_FUNCTION, journal_key, redis_settings

from videosdk_async import AsyncEncoderClient, JobStatus

logger = logging.getLogger("cleanup_batch")

# Outcomes that settle an id; anything else (failed, unknown, not attempted) may be improved
# on by a later run of its chunk.
SETTLED = frozenset({"deleted", "not_deletable", "not_found", "gone"})


@dataclass(frozen=True)
class Chunk:
    """One enqueued chunk: its arq job and the ids it carries."""

    job: Job
    ids: list[str]


@dataclass(frozen=True)
class Seen:
    """One outcome one run of a chunk reported for one id."""

    job_id: str
    run: int  # arq's try number: 1 for the first run, 2 for a re-run...
    outcome: str


# --8<-- [start:merge]
def merge(ids: Iterable[str], seen: Iterable[Seen]) -> dict[str, str]:
    """Exactly one outcome per id, from everything every run reported.

    Runs are read in order and the first settled outcome wins: deleted by run 1 and not
    found by run 2 is deleted. A re-run's "not found" with nothing settled before it is
    "gone": an earlier run was cut short, maybe just after its delete was applied (the SDK
    says "gone" for the same case within one call). An id no run reported is "unknown".
    """
    merged: dict[str, str] = {}
    for item in sorted(seen, key=lambda s: s.run):  # stable: a run's own order is kept
        if merged.get(item.job_id) in SETTLED:
            continue
        outcome = item.outcome
        if outcome == "not_found" and item.run > 1:
            outcome = "gone"
        merged[item.job_id] = outcome
    return {job_id: merged.get(job_id, "unknown") for job_id in ids}


# --8<-- [end:merge]


async def enqueue_chunks(
    redis: ArqRedis, batch: str, ids: Sequence[str], chunk_size: int
) -> list[Chunk]:
    """Enqueue ``ids`` as chunks of ``chunk_size`` (arq job ids ``cleanup:<batch>:<n>``)."""
    chunks = []
    for start in range(0, len(ids), chunk_size):
        part = list(ids[start : start + chunk_size])
        job_id = f"cleanup:{batch}:{start // chunk_size}"
        job = await redis.enqueue_job(CHUNK_FUNCTION, batch, part, _job_id=job_id)
        if job is None:
            raise RuntimeError(f"arq job {job_id} exists already: use a new batch name")
        chunks.append(Chunk(job, part))
    return chunks


async def read_journal(redis: ArqRedis, batch: str) -> list[Seen]:
    """Every outcome the workers journaled for ``batch``, in the order they were written."""
    entries = await redis.xrange(journal_key(batch))
    return [
        Seen(fields[b"job"].decode(), int(fields[b"try"]), fields[b"outcome"].decode())
        for _, fields in entries
    ]


# --8<-- [start:gather]
async def gather(
    redis: ArqRedis, batch: str, chunks: Sequence[Chunk], max_wait: float = 3600
) -> dict[str, str]:
    """Wait for every chunk's result (``max_wait`` seconds each at most), then merge the
    results and the journal: one outcome per id.

    A chunk that failed for good (its tries used up) contributes what its runs journaled.
    """
    seen: list[Seen] = []
    for chunk in chunks:
        try:
            outcomes: dict[str, str] = await chunk.job.result(max_wait, poll_delay=0.1)
        except Exception as exc:
            logger.warning(
                "chunk %s failed for good (%r); using its journal", chunk.job.job_id, exc
            )
            continue
        info = await chunk.job.result_info()
        run = info.job_try if info is not None else 1
        seen.extend(Seen(job_id, run, outcome) for job_id, outcome in outcomes.items())
    journal = await read_journal(redis, batch)
    all_ids = [job_id for chunk in chunks for job_id in chunk.ids]
    return merge(all_ids, [*journal, *seen])


# --8<-- [end:gather]


def summary(outcomes: dict[str, str]) -> str:
    """``300 jobs: 290 deleted, 5 not deletable, 5 not found``."""
    counts = Counter(outcomes.values())
    parts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.most_common())
    return f"{len(outcomes)} jobs: {parts or 'nothing to do'}"


async def main(argv: Sequence[str] | None = None) -> int:
    """List the queued jobs, delete them over the workers, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chunk-size", type=int, default=25)
    parser.add_argument("--batch", default=None, help="a name for this batch (default: random)")
    args = parser.parse_args(argv)
    if args.chunk_size < 1:
        parser.error("--chunk-size must be at least 1")
    async with AsyncEncoderClient() as client:
        ids = [job.id async for job in client.jobs.iterate(status=JobStatus.QUEUED)]
    batch = args.batch or uuid.uuid4().hex[:12]
    redis = await create_pool(redis_settings())
    try:
        chunks = await enqueue_chunks(redis, batch, ids, args.chunk_size)
        outcomes = await gather(redis, batch, chunks)
    finally:
        await redis.aclose()
    print(f"batch {batch}: {summary(outcomes)}")
    return 0 if all(o in SETTLED for o in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(anyio.run(main))
