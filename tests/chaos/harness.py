"""The adversary, kept in the project: thousands of mixed calls against the emulator over
loopback with a fifth of them faulted, then everything the SDK reported checked against what
the emulator did (its ledger and its final state).

The emulator runs in its own process (``python -m videosdk_async.emulator``), so the SDK's
timing is not disturbed by the server sharing its interpreter; the harness reads the ledger,
the fault counts and the jobs through the emulator's admin routes and its API.

Used by ``tests/chaos/test_chaos.py`` (scaled down, in every test run) and by
``tools/chaos_report.py`` (full size, ``nox -s chaos``), which writes the figures to
``docs/reliability.md``.
"""

from __future__ import annotations

import contextlib
import gc
import math
import random
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
import httpx
from secrets_watch import exception_texts, leaks
from support import outcome_disagreements

from videosdk_async import (
    APIError,
    AsyncEncoderClient,
    DeadlineExceededError,
    DeleteOutcome,
    DeleteReport,
    DeleteResult,
    JobNotDeletableError,
    JobNotFoundError,
    RetryPolicy,
    TimeoutPolicy,
    VideoSDKError,
)
from videosdk_async.auth import APIKeyAuth
from videosdk_async.emulator import even_mix

# Throwaway credentials, random per run: a run of a fixed pattern ("0123456789ab") would also
# be found in the ids other tests use, and the secrets sweep would rightly cry wolf.
API_KEY = f"chaos-key-{secrets.token_hex(8)}"
SECRET = f"chaos-{secrets.token_urlsafe(32)}"  # never starting with "-": it is a flag value
TOKEN = f"chaos-{secrets.token_urlsafe(24)}"
PRESET = {"resolutions": ["360"], "format": "hls"}
JOBS = "/v1/encoder/jobs"


@dataclass
class ChaosConfig:
    """The size and shape of one run."""

    ops: int = 400
    workers: int = 16
    fault_rate: float = 0.2
    seed: int = 1
    deadline: float = 1.5  # the client's call deadline
    copy_deadline: float = 1.0  # the deadline of the with_options copies some calls go through
    attempt_timeout: float = 0.25  # connect, read, write, pool: a hang is past it
    hang: float = 2.0
    slow_body: float = 3.0  # a body trickling in 30 pieces: no read timeout catches it
    batch_concurrency: int = 4
    total_failure_calls: int = 1500
    # Which clients the total-failure load is measured through: one client, and a
    # with_options copy per call (both share one budget, so both must stay bounded).
    total_failure_through: tuple[str, ...] = ("client", "copies")

    def fault_rules(self) -> list[dict[str, Any]]:
        """Ten kinds, evenly sharing ``fault_rate`` of all API requests."""
        kinds: list[dict[str, Any]] = [
            {"kind": "status", "status": 503},
            {"kind": "rate_limit", "retry_after": 1},
            {"kind": "hang", "delay": self.hang},
            {"kind": "hang", "delay": self.hang, "phase": "after"},
            {"kind": "drop_before"},
            {"kind": "drop_after"},
            {"kind": "truncate"},
            {"kind": "garbage", "body_format": "bytes"},
            {"kind": "garbage", "phase": "after"},
            {"kind": "slow_body", "delay": self.slow_body, "chunks": 30},
        ]
        return [rule.to_dict() for rule in even_mix(self.fault_rate, kinds)]


REPORTED: list[Figures] = []
"""Figures of the runs made in this process (the test session prints them at the end)."""


@dataclass
class Figures:
    """What one run measured and found."""

    backend: str
    operations: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    attempts: int = 0
    overruns: list[float] = field(default_factory=list)  # past the deadline, calls that hit it
    worst_overrun: float = 0.0
    worst_call: str = ""
    # The longest the event loop was late waking a 5 ms heartbeat: a stall no deadline can
    # beat (the machine was busy), next to which an overrun can be read.
    worst_stall: float = 0.0
    secrets_checked: int = 0  # errors and log records the full run's sweep searched
    duplicate_creates: int = 0
    double_deletes: int = 0
    disagreements: list[str] = field(default_factory=list)
    lost: Counter[str] = field(default_factory=Counter)
    non_sdk: list[str] = field(default_factory=list)
    secrets_found: list[str] = field(default_factory=list)
    load_same_client: float = math.nan  # nan: not measured in this run
    load_copies: float = math.nan
    elapsed: float = 0.0

    @property
    def retries(self) -> int:
        """Attempts past the first, as the SDK counted them."""
        return self.attempts - sum(
            n for kind, n in self.operations.items() if kind not in ("delete_many", "cancelled")
        )

    def summary(self) -> str:
        """The figures, one line each."""
        ops = sum(self.operations.values())
        return "\n".join(
            [
                f"backend {self.backend}: {ops:,} operations {dict(self.operations)} "
                f"in {self.elapsed:.1f}s",
                f"  faults fired: {sum(self.faults.values()):,} {dict(self.faults)}; requests "
                f"seen by the emulator: {self.requests:,}",
                f"  worst deadline overrun: {self.worst_overrun * 1000:.1f} ms over "
                f"{len(self.overruns):,} calls that reached their deadline "
                f"(the worst: {self.worst_call[:300] or 'none'}); worst event-loop stall "
                f"{self.worst_stall * 1000:.1f} ms",
                f"  duplicate creates: {self.duplicate_creates}; double deletes: "
                f"{self.double_deletes}; disagreements with the ledger: {len(self.disagreements)}",
                f"  lost outcomes: {dict(self.lost)}",
                f"  non-SDK exceptions: {len(self.non_sdk)}; secrets found: "
                f"{len(self.secrets_found)}",
                f"  load under total failure: {_times(self.load_same_client)} (one client), "
                f"{_times(self.load_copies)} (a with_options copy per call)",
            ]
        )


def _times(load: float) -> str:
    return "not measured" if math.isnan(load) else f"{load:.3f}x"


# -- the emulator, in its own process --------------------------------------------------------


class EmulatorProcess:
    """``python -m videosdk_async.emulator`` on a free loopback port, manual clock."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> EmulatorProcess:
        command = [
            sys.executable, "-m", "videosdk_async.emulator", "--port", "0",
            "--time-scale", "0", "--seed", str(self.seed), "--log-level", "critical",
            "--api-key", API_KEY, "--secret", SECRET, "--token", TOKEN,
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self._process.stdout is not None
        started = time.monotonic()
        for line in self._process.stdout:
            if "listening on http://" in line:
                self.base_url = line.split("listening on ", 1)[1].split()[0]
                break
            if time.monotonic() - started > 30:
                break
        if not self.base_url:
            self.__exit__(None, None, None)
            raise RuntimeError("the emulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=10)
            if self._process.poll() is None:
                self._process.kill()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None


class Admin:
    """The emulator's admin routes and an unfaulted view of its API (the fixed token)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": TOKEN}, timeout=60
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def reset(self) -> None:
        (await self.http.post("/_emulator/reset")).raise_for_status()

    async def set_faults(self, rules: list[dict[str, Any]], seed: int) -> None:
        answer = await self.http.put("/_emulator/faults", json={"seed": seed, "rules": rules})
        answer.raise_for_status()

    async def clear_faults(self) -> Counter[str]:
        """Clear the faults; return how many of each kind fired."""
        rules = (await self.http.get("/_emulator/faults")).json()["rules"]
        (await self.http.delete("/_emulator/faults")).raise_for_status()
        fired: Counter[str] = Counter()
        for rule in rules:
            phase = f" {rule['phase']}" if rule.get("phase", "before") != "before" else ""
            fired[f"{rule['kind']}{phase}"] += rule["fired"]
        return fired

    async def request_total(self) -> int:
        counts = (await self.http.get("/_emulator/requests")).json()["counts"]
        return sum(n for route, n in counts.items() if not route.startswith("GET /_emulator"))

    async def deletes(self) -> dict[str, int]:
        counts = (await self.http.get("/_emulator/ledger")).json()["counts"]
        return {job_id: c["deletes"] for job_id, c in counts.items()}

    async def creates(self) -> dict[str, int]:
        counts = (await self.http.get("/_emulator/ledger")).json()["counts"]
        return {job_id: c["creates"] for job_id, c in counts.items()}

    async def seed_jobs(self, count: int) -> list[str]:
        ids: list[str] = []
        body = {"videoUrl": "https://example.com/seed.mp4", "presets": [PRESET]}
        numbers = iter(range(count))

        async def worker() -> None:
            for _ in numbers:
                answer = await self.http.post(JOBS, json=body)
                answer.raise_for_status()
                ids.append(answer.json()["id"])

        async with anyio.create_task_group() as group:
            for _ in range(16):
                group.start_soon(worker)
        return ids

    async def force(self, job_id: str, status: str) -> None:
        answer = await self.http.post(
            f"/_emulator/jobs/{job_id}/status", json={"status": status, "hold": True}
        )
        answer.raise_for_status()

    async def all_jobs(self) -> list[dict[str, Any]]:
        first = (await self.http.get(JOBS, params={"page": 1, "perPage": 100})).json()
        jobs = list(first["data"])
        for page in range(2, first["pageInfo"]["lastPage"] + 1):
            answer = await self.http.get(JOBS, params={"page": page, "perPage": 100})
            jobs.extend(answer.json()["data"])
        return jobs


# -- the operations --------------------------------------------------------------------------


class WatchedAuth(APIKeyAuth):
    """API key + secret, remembering every token it mints (for the secrets check)."""

    def __init__(self) -> None:
        super().__init__(API_KEY, SECRET)
        self.minted: set[str] = set()

    def token(self) -> str:
        """The current token; remembered."""
        value = super().token()
        self.minted.add(value)
        return value


@dataclass
class Op:
    """One planned operation and, once run, what came of it."""

    n: int
    kind: str
    ids: list[Any] = field(default_factory=list)
    via_copy: bool = False
    recover: bool = False
    cancel_after: float = 0.0
    deadline: float | None = None
    elapsed: float = 0.0
    result: JobSeen | ReportSeen | None = None
    error: ErrorSeen | None = None
    cancelled: bool = False
    leaks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JobSeen:
    """What a returned job (or page) told: kept instead of the object, which holds a whole
    HTTP exchange (thousands of those would make the collector stall the loop)."""

    id: str | None
    attempts: int
    gone: bool = False
    read_again: bool = False  # a create's job read by id: found after a lost answer


@dataclass(frozen=True)
class ReportSeen:
    """A batch report's outcomes, without the jobs and errors it holds."""

    results: list[DeleteResult]
    unknown: int


@dataclass(frozen=True)
class ErrorSeen:
    """What an exception told (its traceback, and the frames it holds, are let go)."""

    type: type[BaseException]
    message: str
    attempts: int
    may_have_applied: bool

    def isa(self, *kinds: type[BaseException]) -> bool:
        return issubclass(self.type, kinds)

    @property
    def sdk(self) -> bool:
        return issubclass(self.type, VideoSDKError)

    def said_not_applied(self) -> bool:
        """Whether a failed mutation's error says the server did not apply it: an API error
        with ``may_have_applied`` False, or an SDK error raised before anything was sent."""
        return self.sdk and not self.may_have_applied


def seen_error(exc: BaseException) -> ErrorSeen:
    return ErrorSeen(
        type(exc),
        str(exc),
        exc.attempts if isinstance(exc, APIError) else 1,
        exc.may_have_applied if isinstance(exc, APIError) else False,
    )


def lighten(op: Op, result: object, error: BaseException | None, secrets: list[str]) -> None:
    """Keep what the checks need of an outcome; look for secrets in it before letting go."""
    errors = [error] if error is not None else []
    if isinstance(result, DeleteReport):
        errors += [r.error for r in result if r.error is not None]
        op.leaks += leaks(result.summary(), secrets)
        light = [replace(r, job=None, error=None) for r in result]
        op.result = ReportSeen(light, result.counts[DeleteOutcome.UNKNOWN])
    elif result is not None:
        raw = getattr(result, "raw_response", None)
        op.result = JobSeen(
            getattr(result, "id", None),
            raw.attempts if raw is not None else 1,
            gone=bool(raw is not None and raw.gone),
            read_again=raw is None or raw.method == "GET",
        )
    for exc in errors:
        for text in exception_texts(exc):
            op.leaks += leaks(text, secrets)
    op.error = seen_error(error) if error is not None else None


def missing_id(rng: random.Random) -> str:
    """A well-formed id no job has (the emulator's ids start with the time, these with f)."""
    return "f" + "".join(rng.choice("0123456789abcdef") for _ in range(23))


def plan(config: ChaosConfig, pool: list[str]) -> list[Op]:
    """The seeded mix: creates, gets, lists, deletes, batch deletes, cancelled calls.

    Each seeded job is mutated by at most one operation (deletes and batches take their ids
    from the pool), so what the emulator did to it can be laid next to what that one
    operation reported. Creates make jobs of their own, which nothing deletes.
    """
    rng = random.Random(config.seed)
    free = list(pool)
    rng.shuffle(free)
    kinds = ["create"] * 25 + ["get"] * 25 + ["list"] * 15 + ["delete"] * 20
    kinds += ["delete_many"] * 10 + ["cancelled"] * 5
    ops: list[Op] = []
    for n in range(config.ops):
        kind = rng.choice(kinds)
        op = Op(n, kind, via_copy=rng.random() < 0.3)
        if kind == "create":
            op.recover = rng.random() < 0.5
        elif kind == "get":
            op.ids = [rng.choice(pool) if rng.random() < 0.9 else missing_id(rng)]
        elif kind == "list":
            op.ids = [rng.randint(1, max(1, len(pool) // 20 + 2))]
        elif kind == "delete":
            op.ids = [free.pop() if free and rng.random() < 0.9 else missing_id(rng)]
        elif kind == "delete_many":
            take = min(len(free), rng.randint(3, 8))
            batch: list[Any] = [free.pop() for _ in range(take)] + [missing_id(rng)]
            if batch and rng.random() < 0.3:
                batch.append(batch[0])  # a duplicate
            if rng.random() < 0.2:
                batch.append(rng.choice([None, "", "a/b", 42]))  # not an id
            op.ids = batch
        else:  # a get or a delete its caller gives up on
            op.cancel_after = rng.uniform(0.0, 0.3)
            op.ids = [free.pop() if free else missing_id(rng)]
        ops.append(op)
    return ops


async def run_op(
    op: Op, client: AsyncEncoderClient, copy: AsyncEncoderClient, config: ChaosConfig
) -> None:
    """Run one operation, recording its outcome and how long it took."""
    target = copy if op.via_copy else client
    op.deadline = config.copy_deadline if op.via_copy else config.deadline
    jobs = target.jobs
    result: object = None
    error: BaseException | None = None
    started = time.perf_counter()
    try:
        if op.kind == "create":
            result = await jobs.create(
                video_url="https://example.com/a.mp4",
                presets=[PRESET],
                user_data={"op": op.n},
                recover=op.recover,
            )
        elif op.kind == "get":
            result = await jobs.get(op.ids[0])
        elif op.kind == "list":
            result = await jobs.list(page=op.ids[0], per_page=20)
        elif op.kind == "delete":
            result = await jobs.delete(op.ids[0])
        elif op.kind == "delete_many":
            result = await jobs.delete_many(op.ids, concurrency=config.batch_concurrency)
        else:
            with anyio.move_on_after(op.cancel_after) as scope:
                result = await jobs.delete(op.ids[0])
            op.cancelled = scope.cancelled_caught
    except BaseException as exc:  # every exception is looked at: only SDK ones are allowed
        if isinstance(exc, anyio.get_cancelled_exc_class()):
            raise
        error = exc
    op.elapsed = time.perf_counter() - started
    auth = target._core.credentials.credentials
    minted = sorted(auth.minted) if isinstance(auth, WatchedAuth) else []
    lighten(op, result, error, [SECRET, TOKEN, *minted])


def attempts_of(op: Op) -> int:
    """Requests the SDK says it put on the wire for a single call."""
    if isinstance(op.result, JobSeen):
        return op.result.attempts
    return op.error.attempts if op.error is not None else 1


# -- one run ---------------------------------------------------------------------------------


def run_chaos(
    emulator: EmulatorProcess,
    backend: str,
    config: ChaosConfig,
    every_100_ops: Callable[[], None] | None = None,
) -> Figures:
    """Run the mix on ``backend`` ("asyncio" or "trio") and check it; return the figures.

    ``every_100_ops`` is called as the run goes (the full run sweeps for secrets there, so
    that it does not hold every error of the run until the end).
    """
    figures = Figures(backend)
    anyio.run(_run, emulator.base_url, config, figures, every_100_ops, backend=backend)
    return figures


async def _run(
    base_url: str,
    config: ChaosConfig,
    figures: Figures,
    every_100_ops: Callable[[], None] | None,
) -> None:
    admin = Admin(base_url)
    try:
        await admin.reset()
        seeded = await admin.seed_jobs(int(config.ops * 0.8) + 20)
        rng = random.Random(config.seed + 1)
        processing = set(rng.sample(seeded, len(seeded) // 10))
        for job_id in processing:
            await admin.force(job_id, "processing")  # a delete is refused: not deletable
        ops = plan(config, seeded)
        auth = WatchedAuth()
        timeout = TimeoutPolicy(
            config.deadline,
            connect=config.attempt_timeout,
            read=config.attempt_timeout,
            write=config.attempt_timeout,
            pool=config.attempt_timeout,
        )
        copy_timeout = TimeoutPolicy(
            config.copy_deadline,
            connect=config.attempt_timeout,
            read=config.attempt_timeout,
            write=config.attempt_timeout,
            pool=config.attempt_timeout,
        )
        await admin.set_faults(config.fault_rules(), config.seed)
        gc.collect()
        gc.freeze()  # what the setup made stays out of the collector's way during the run
        before = await admin.request_total()  # the seeding's, not the run's
        started = time.perf_counter()
        async with AsyncEncoderClient(
            auth=auth, base_url=base_url, timeout=timeout, max_concurrency=64
        ) as client:
            copy = client.with_options(timeout=copy_timeout)
            pending = iter(ops)
            done = 0

            async def worker() -> None:
                nonlocal done
                for op in pending:
                    await run_op(op, client, copy, config)
                    done += 1
                    if every_100_ops is not None and done % 100 == 0:
                        every_100_ops()

            async def heartbeat() -> None:
                while True:
                    before = time.perf_counter()
                    await anyio.sleep(0.005)
                    figures.worst_stall = max(
                        figures.worst_stall, time.perf_counter() - before - 0.005
                    )

            async with anyio.create_task_group() as group:
                group.start_soon(heartbeat)
                async with anyio.create_task_group() as workers:
                    for _ in range(config.workers):
                        workers.start_soon(worker)
                group.cancel_scope.cancel()
        figures.elapsed = time.perf_counter() - started
        gc.unfreeze()
        figures.faults = await admin.clear_faults()
        figures.requests = await admin.request_total() - before
        _check(figures, ops, set(seeded), processing, await admin.deletes(), await admin.all_jobs())
        if "client" in config.total_failure_through:
            figures.load_same_client = await _total_failure(admin, base_url, config, copies=False)
        if "copies" in config.total_failure_through:
            figures.load_copies = await _total_failure(admin, base_url, config, copies=True)
    finally:
        await admin.aclose()


def _check(
    figures: Figures,
    ops: list[Op],
    seeded: set[str],
    processing: set[str],
    deletes: dict[str, int],
    jobs: list[dict[str, Any]],
) -> None:
    present = {str(job["id"]): str(job["status"]) for job in jobs}
    made = Counter(job["userData"]["op"] for job in jobs if isinstance(job.get("userData"), dict))
    figures.duplicate_creates = sum(1 for n in made.values() if n > 1)
    figures.double_deletes = sum(1 for n in deletes.values() if n > 1)
    wrong = figures.disagreements
    for op in ops:
        figures.operations[op.kind] += 1
        figures.secrets_found += [f"op {op.n} {op.kind}: {leak}" for leak in op.leaks]
        error = op.error
        if error is not None and not error.sdk:
            figures.non_sdk.append(f"op {op.n} {op.kind}: {error.type.__name__}: {error.message}")
            continue
        if op.kind not in ("delete_many", "cancelled"):
            figures.attempts += attempts_of(op)
            _overrun(figures, op)
        if op.kind == "create":
            _check_create(figures, op, made[op.n])
        elif op.kind in ("delete", "cancelled"):
            _check_delete(figures, op, seeded, processing, deletes, present)
        elif op.kind == "delete_many" and isinstance(op.result, ReportSeen):
            existed = [i for i in op.ids if isinstance(i, str) and i in seeded]
            wrong += [
                f"op {op.n} delete_many: {w}"
                for w in outcome_disagreements(
                    op.result.results, lambda i: deletes.get(i, 0), present, existed
                )
            ]
            figures.lost["delete_many unknown (may be deleted)"] += op.result.unknown
            never = [
                r
                for r in op.result.results
                if r.outcome is DeleteOutcome.GONE and r.job_id not in seeded
            ]
            figures.lost["delete_many gone, though never a job"] += len(never)
        elif op.kind == "delete_many":
            wrong.append(f"op {op.n} delete_many raised {error}")


def _overrun(figures: Figures, op: Op) -> None:
    """Time past the deadline of a call that reached it. A create with ``recover=True``
    looks for its job after a lost answer, with calls of their own: not counted."""
    if op.deadline is None or (op.kind == "create" and op.recover):
        return
    overrun = op.elapsed - op.deadline
    if overrun < 0 and not (op.error is not None and op.error.isa(DeadlineExceededError)):
        return
    figures.overruns.append(max(overrun, 0.0))
    if overrun > figures.worst_overrun:
        figures.worst_overrun = overrun
        what = f"{op.error.type.__name__}: {op.error.message}" if op.error else "a result"
        figures.worst_call = f"op {op.n} {op.kind} ({op.elapsed:.3f}s): {what}"


def _check_create(figures: Figures, op: Op, copies: int) -> None:
    wrong = figures.disagreements
    if isinstance(op.result, JobSeen):
        if copies != 1:
            wrong.append(f"op {op.n} create returned a job; {copies} jobs carry it")
        elif op.recover and op.result.read_again:  # found after a lost answer
            figures.lost["creates recovered (recover=True)"] += 1
        return
    error = op.error
    assert error is not None
    if error.said_not_applied():
        if copies:
            wrong.append(f"op {op.n} create said not applied ({error.type.__name__}); it was")
    elif op.recover and "most likely not created" in error.message:
        if copies:
            figures.lost["creates said not created, though made (recover=True)"] += 1
        else:
            figures.lost["creates said not created, rightly (recover=True)"] += 1
    elif copies:
        figures.lost["creates made, caller told it may exist (recover=False)"] += 1
    else:
        figures.lost["creates not made, caller told it may exist (recover=False)"] += 1


def _check_delete(
    figures: Figures,
    op: Op,
    seeded: set[str],
    processing: set[str],
    deletes: dict[str, int],
    present: dict[str, str],
) -> None:
    wrong = figures.disagreements
    job_id = op.ids[0]
    applied = deletes.get(job_id, 0)
    existed = job_id in seeded
    if op.cancelled:
        return  # the caller gave up: either is right (at most once is checked for every id)
    if isinstance(op.result, JobSeen):
        if existed and (applied != 1 or job_id in present):
            wrong.append(f"op {op.n} delete returned the job; ledger {applied}")
        elif not existed:  # only a 404 after a lost answer can return for a job that never was
            if applied or not op.result.gone:
                wrong.append(f"op {op.n} delete of a missing id returned a job")
            figures.lost["delete gone, though never a job"] += 1
        return
    error = op.error
    assert error is not None
    if error.isa(JobNotDeletableError):
        ok = applied == 0 and job_id in processing
    elif error.isa(JobNotFoundError):
        ok = applied == 0 and not existed
    elif error.said_not_applied():
        ok = applied == 0
    else:
        ok = applied <= 1
        figures.lost["delete unknown (may be deleted)"] += 1
    if not ok:
        wrong.append(f"op {op.n} delete of {job_id}: {error.type.__name__}, ledger {applied}")


async def _total_failure(
    admin: Admin, base_url: str, config: ChaosConfig, *, copies: bool
) -> float:
    """Attempts per call when every answer is a 503, with the default retry policy and
    budget (sleeps skipped: the budget, not the clock, is what bounds the load)."""
    await admin.reset()
    await admin.set_faults([{"kind": "status", "status": 503}], seed=config.seed)
    before = await admin.request_total()
    calls = config.total_failure_calls

    async def instant(_: float) -> None:
        await anyio.lowlevel.checkpoint()

    async with AsyncEncoderClient(
        auth=WatchedAuth(), base_url=base_url, retry=RetryPolicy(sleep=instant)
    ) as client:
        numbers = iter(range(calls))

        async def worker() -> None:
            for n in numbers:
                target = client.with_options(timeout=30) if copies else client
                with contextlib.suppress(VideoSDKError):
                    await target.jobs.get(f"{n:024x}")

        async with anyio.create_task_group() as group:
            for _ in range(32):
                group.start_soon(worker)
    sent = await admin.request_total() - before
    await admin.clear_faults()
    return sent / calls


def overrun_histogram(overruns: list[float], bins_ms: list[float]) -> list[int]:
    """How many overruns fall in each bin (milliseconds, upper bounds)."""
    counts = [0] * len(bins_ms)
    for value in overruns:
        ms = value * 1000
        for i, upper in enumerate(bins_ms):
            if ms <= upper or i == len(bins_ms) - 1:
                counts[i] += 1
                break
    return counts


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
