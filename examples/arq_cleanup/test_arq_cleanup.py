"""The arq recipe on a real Redis server, three real worker processes and the emulator.

The workers are ``arq cleanup_tasks.WorkerSettings`` processes, configured through the
environment as in production (``REDIS_URL``, ``VIDEOSDK_BASE_URL`` and credentials) and
pointed at the emulator the pytest plugin serves on loopback.

Needs: pytest, pytest-asyncio, arq, redis, ``videosdk-async[emulator]``, and a
``redis-server`` binary (the tests skip, saying so, without one).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest
import pytest_asyncio
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from cleanup_batch import Seen, enqueue_chunks, gather, main, merge, read_journal
from cleanup_tasks import journal_key
from redis_server import start_redis

from videosdk_async.emulator import Emulator, ServerThread

HERE = Path(__file__).parent
WORKERS = 3
CHUNK = 25
PRESETS = [{"resolutions": ["360"], "format": "hls"}]
JOB = {"videoUrl": "https://example.com/talk.mp4", "presets": PRESETS}


def test_merge_keeps_the_first_settled_outcome_of_each_id() -> None:
    ids = ["a", "b", "c", "d", "e"]
    seen = [
        Seen("a", 2, "not_found"),  # run 1 deleted it: the re-run cannot find it
        Seen("a", 1, "deleted"),
        Seen("b", 1, "failed"),  # a 503 burst in run 1, deleted by run 2
        Seen("b", 2, "deleted"),
        Seen("c", 2, "not_found"),  # run 1 was killed right after sending its delete
        Seen("d", 1, "not_found"),  # never existed, as run 1 saw first-hand
        Seen("d", 2, "not_found"),
    ]
    assert merge(ids, seen) == {
        "a": "deleted",
        "b": "deleted",
        "c": "gone",
        "d": "not_found",
        "e": "unknown",  # no run reported it
    }


def test_a_redis_server_that_cannot_start_gives_the_reason_to_skip(tmp_path: Path) -> None:
    false = shutil.which("false")
    assert false is not None
    assert start_redis(false, tmp_path) == "redis-server exited with status 1 (no output)"


@pytest.fixture(scope="module")
def workers(
    redis_url: str,
    videosdk_emulator_server: ServerThread,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Three arq worker processes (their output goes to files: a full pipe would block them)."""
    emulator = videosdk_emulator_server.emulator
    assert emulator is not None
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "VIDEOSDK_BASE_URL": videosdk_emulator_server.base_url,
        "VIDEOSDK_API_KEY": emulator.api_key,
        "VIDEOSDK_SECRET_KEY": emulator.secret,
    }
    env.pop("VIDEOSDK_TOKEN", None)
    logs = tmp_path_factory.mktemp("arq-workers")
    processes = []
    for number in range(WORKERS):
        with open(logs / f"worker-{number}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "arq", "cleanup_tasks.WorkerSettings"],
                    cwd=HERE,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    yield processes
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest_asyncio.fixture
async def redis(redis_url: str) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        yield pool
    finally:
        await pool.aclose()


@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)  # jobs stay queued until deleted
async def test_the_producer_deletes_every_queued_job_over_the_workers(
    workers: list[subprocess.Popen[bytes]],
    redis: ArqRedis,
    redis_url: str,
    videosdk_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = [videosdk_emulator.create_job(JOB)["id"] for _ in range(40)]
    assert videosdk_emulator.base_url is not None
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("VIDEOSDK_BASE_URL", videosdk_emulator.base_url)
    monkeypatch.setenv("VIDEOSDK_API_KEY", videosdk_emulator.api_key)
    monkeypatch.setenv("VIDEOSDK_SECRET_KEY", videosdk_emulator.secret)
    monkeypatch.delenv("VIDEOSDK_TOKEN", raising=False)

    with anyio.fail_after(30):
        code = await main(["--chunk-size", "10", "--batch", "producer-test"])

    assert code == 0
    assert capsys.readouterr().out == "batch producer-test: 40 jobs: 40 deleted\n"
    assert [videosdk_emulator.ledger.deletes(job_id) for job_id in ids] == [1] * 40
    journal = await read_journal(redis, "producer-test")
    assert sorted(s.job_id for s in journal) == sorted(ids)  # each journaled once


# --8<-- [start:kill-test]
@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(queued_seconds=None)
async def test_killing_a_worker_mid_chunk_loses_no_outcome(
    workers: list[subprocess.Popen[bytes]], redis: ArqRedis, videosdk_emulator: Emulator
) -> None:
    emulator = videosdk_emulator
    queued = [emulator.create_job(JOB)["id"] for _ in range(290)]
    busy = [emulator.create_job(JOB)["id"] for _ in range(5)]
    for job_id in busy:
        emulator.force_status(job_id, "processing", hold=True)
    never = [f"{n:024x}" for n in range(5)]  # ids of jobs that never existed
    rest = queued[1:] + busy + never
    random.Random(12).shuffle(rest)
    # The first chunk holds a job whose delete hangs: its worker is stuck there, mid-chunk.
    # (Not as the chunk's first id: a batch sends its first delete alone, and the others
    # wait for that answer.)
    stuck = queued[0]
    ids = [*rest[: CHUNK - 1], stuck, *rest[CHUNK - 1 :]]
    emulator.add_fault(kind="hang", route=f"DELETE /v1/encoder/jobs/{stuck}", delay=60, times=1)

    chunks = await enqueue_chunks(redis, "kill-test", ids, CHUNK)
    assert len(chunks) == 12
    first = chunks[0].job.job_id
    with anyio.fail_after(30):
        # Wait, on the journal, until the first chunk's first run has settled all but the
        # stuck id; then kill the process running it, with no chance to clean up.
        pid = await first_run_stuck(redis, "kill-test", first, CHUNK - 1)
        victim = next(p for p in workers if p.pid == pid)
        victim.kill()
        assert await anyio.to_thread.run_sync(victim.wait) == -signal.SIGKILL
        # arq keeps the chunk in its queue, locked as in progress until the lock expires
        # (the chunk's timeout + 10 s). Expire it now rather than wait: another worker then
        # runs the chunk again.
        await redis.delete(in_progress_key_prefix + first)
        outcomes = await gather(redis, "kill-test", chunks, max_wait=30)

    # Every id has exactly one outcome, and it is the right one.
    assert sorted(outcomes) == sorted(ids)
    expected = {**dict.fromkeys(queued, "deleted"), **dict.fromkeys(busy, "not_deletable")}
    expected.update(dict.fromkeys(never, "not_found"))
    assert outcomes == expected
    # The emulator's ledger agrees: each queued job deleted once, nothing else deleted.
    assert [emulator.ledger.deletes(job_id) for job_id in queued] == [1] * len(queued)
    assert emulator.ledger.total("delete_job") == len(queued)
    assert emulator.ledger.duplicates() == {}

    # The first chunk ran twice: the re-run deleted the stuck job and found the rest gone.
    info = await chunks[0].job.result_info()
    assert info is not None
    assert info.job_try == 2
    rerun = {s.job_id: s.outcome for s in await read_journal(redis, "kill-test") if s.run == 2}
    assert rerun[stuck] == "deleted"
    assert set(rerun.values()) <= {"deleted", "not_found", "not_deletable"}
    others = [await chunk.job.result_info() for chunk in chunks[1:]]
    assert [info.job_try if info else None for info in others] == [1] * len(others)

    # The surviving workers stop cleanly on SIGTERM (arq closes their clients first).
    survivors = [p for p in workers if p is not victim]
    for process in survivors:
        process.terminate()
    codes = [await anyio.to_thread.run_sync(process.wait) for process in survivors]
    assert codes == [0] * len(survivors)


async def first_run_stuck(redis: ArqRedis, batch: str, chunk: str, settled: int) -> int:
    """Block on the journal until ``chunk``'s first run has journaled ``settled`` outcomes;
    return the pid of the worker running it."""
    key, last, count, pid = journal_key(batch), "0-0", 0, 0
    while count < settled:
        for _, entries in await redis.xread({key: last}, block=5000):
            for entry_id, fields in entries:
                last = entry_id
                if fields[b"chunk"].decode() == chunk and fields[b"try"] == b"1":
                    count += 1
                    pid = int(fields[b"pid"])
    return pid


# --8<-- [end:kill-test]
