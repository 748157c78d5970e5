"""What the tests share, in one place: values, fakes, and builders of clients and bodies.

Import it by name (``from support import ...``); pytest puts ``tests/`` on the path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import httpx

from videosdk_async import (
    AsyncEncoderClient,
    DeleteReport,
    DeleteResult,
    RetryBudget,
    RetryPolicy,
    TimeoutPolicy,
)
from videosdk_async.middleware import Call, Layer

if TYPE_CHECKING:
    from videosdk_async.emulator import Emulator

BASE = "https://api.videosdk.live"
JOBS = f"{BASE}/v1/encoder/jobs"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhcGlrZXkiOiJzdGF0aWMta2V5In0.c3RhdGljLXNpZ25hdHVyZS12YWx1ZQ"
API_KEY = "ak-0123456789abcdef"
SECRET = "sk-super-secret-signing-key-0123456789abcdef"
JOB_ID = "60531471e32e8e4eaea094fe"
JOB_PATH = f"/v1/encoder/jobs/{JOB_ID}"
JOB = {"id": JOB_ID, "status": "queued"}


class FakeClock:
    """Monotonic time that only moves when told to; ``sleep`` records and advances."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Always:
    """A MockTransport handler that answers every request the same way and counts them."""

    def __init__(self, status: int, **response: object) -> None:
        self.status = status
        self.response = response
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(self.status, **self.response)  # type: ignore[arg-type]


def job_json(job_id: str = JOB_ID, status: str = "queued", **extra: object) -> dict[str, object]:
    """A job body as the API returns it (``extra`` adds or replaces fields)."""
    return {
        "id": job_id,
        "status": status,
        "videoId": "6053115ebba24b4d700c8c49",
        "presets": [{"id": "p1", "resolutions": ["360"], "format": "hls"}],
        "createdAt": "2021-03-18T08:50:57.438Z",
        "updatedAt": "2021-03-18T08:50:57.438Z",
        **extra,
    }


def make_client(
    handler: Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response],
    clock: FakeClock,
    *,
    deadline: float | None = 30.0,
    attempts: int = 3,
    budget: bool = False,
    token: str | None = TOKEN,
    **kwargs: object,
) -> AsyncEncoderClient:
    """A client over ``httpx.MockTransport(handler)`` with clock-driven, instant policies."""
    retry = RetryPolicy(attempts, sleep=clock.sleep, random=lambda: 0.5)
    kwargs.setdefault("retry_budget", RetryBudget(clock=clock) if budget else None)
    return AsyncEncoderClient(
        token,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),  # type: ignore[arg-type]
        timeout=TimeoutPolicy(deadline, clock=clock),
        retry=retry,
        **kwargs,  # type: ignore[arg-type]
    )


async def drive(
    layer: Layer,
    request: httpx.Request,
    call_next: Callable[[httpx.Request], Awaitable[httpx.Response]],
    call: Call | None = None,
) -> httpx.Response:
    """Run one layer of the chain alone, over a fake rest-of-chain ``call_next(request)``."""

    async def rest(request: httpx.Request, call: Call) -> httpx.Response:
        return await call_next(request)

    return await layer(request, call or Call(request.method, request.url.path), rest)


PRESET = {"resolutions": ["360", "720"], "format": "hls"}


async def instant(_: float) -> None:
    """A retry sleep that does not wait: retries are exercised, time is not."""
    return


def seed_jobs(emulator: Emulator, count: int, **fields: object) -> list[str]:
    """Create ``count`` jobs straight in the emulator's state (fast, no HTTP)."""
    body = {"videoUrl": "https://example.com/source.mp4", "presets": [PRESET], **fields}
    return [str(emulator.create_job(body)["id"]) for _ in range(count)]


def ledger_disagreements(
    report: DeleteReport, emulator: Emulator, existed: Iterable[str] = ()
) -> list[str]:
    """Where a batch report contradicts the emulator's ledger (empty when it agrees); see
    :func:`outcome_disagreements`."""
    present = {str(job["id"]): str(job["status"]) for job in emulator.jobs()}
    return outcome_disagreements(report, emulator.ledger.deletes, present, existed)


def outcome_disagreements(
    report: Iterable[DeleteResult],
    deletes_of: Callable[[str], int],
    present: Mapping[str, str],
    existed: Iterable[str] = (),
) -> list[str]:
    """Where batch outcomes contradict what the server did (empty when they agree).

    ``deletes_of(id)``: deletes the server applied to ``id`` (its ledger); ``present``: the
    jobs that exist now, with their status; ``existed``: ids that were jobs before the batch.
    No one else may have touched the report's ids meanwhile. Deleted and gone mean applied
    once; not found, not deletable and failed mean not applied; unknown agrees with anything
    but a second delete. For an id that never existed, "gone" (a 404 after a lost answer)
    agrees as long as the job is indeed absent: nothing can tell "I deleted it" from "it never
    was" after a lost answer (see docs/reliability.md).
    """
    from videosdk_async import DeleteOutcome

    existed = set(existed)
    wrong: list[str] = []
    for result in report:
        job_id, outcome = result.job_id, result.outcome
        deletes = deletes_of(job_id)
        gone = job_id not in present
        if outcome is DeleteOutcome.DELETED or (
            outcome is DeleteOutcome.GONE and job_id in existed
        ):
            ok = deletes == 1 and gone
        elif outcome is DeleteOutcome.GONE:
            ok = deletes == 0 and gone
        elif outcome is DeleteOutcome.NOT_FOUND:
            ok = deletes == 0 and gone and job_id not in existed
        elif outcome is DeleteOutcome.NOT_DELETABLE:
            ok = deletes == 0 and present.get(job_id, "queued") != "queued"
        elif outcome is DeleteOutcome.FAILED:
            ok = deletes == 0 and (not gone or job_id not in existed)
        elif outcome is DeleteOutcome.UNKNOWN:
            ok = deletes <= 1
        else:  # invalid, not attempted, would delete: nothing was sent
            ok = deletes == 0
        if not ok:
            state = present.get(job_id, "absent")
            wrong.append(f"{job_id}: reported {outcome}, ledger {deletes} deletes, job {state}")
    return wrong
