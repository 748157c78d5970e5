"""A FastAPI receiver for the encoding service's webhooks.

The service POSTs a job to its ``webhookUrl`` each time the job changes state. This app
reads the raw body, checks its signature when it is given a public key, parses it with
``videosdk_async.parse_webhook``, keeps the latest state of each job (a repeated or late
delivery never moves a job back), answers at once, and runs the work a finished job calls
for after the answer is sent.

Run it (``WEBHOOK_PUBLIC_KEY_FILE``, a PEM file, turns signature checks on)::

    uvicorn webhook_app:app --app-dir examples/webhook_receiver --port 8000
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path

from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, Response

from videosdk_async import (
    EncodingJob,
    JobStatus,
    RSASignatureVerifier,
    WebhookError,
    WebhookSignatureError,
    parse_webhook,
)
from videosdk_async.webhooks import WebhookVerifier

logger = logging.getLogger("webhook_app")

HOOK_PATH = "/hooks/encoding"
PUBLIC_KEY_FILE = "WEBHOOK_PUBLIC_KEY_FILE"

OnFinished = Callable[[EncodingJob], Awaitable[None]]
"""The work a finished (completed or failed) job calls for: notify a user, publish outputs."""


# --8<-- [start:board]
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_STEP = {JobStatus.QUEUED: 0, JobStatus.PROCESSING: 1, JobStatus.COMPLETED: 2, JobStatus.FAILED: 2}


def _progress(job: EncodingJob) -> tuple[datetime, int]:
    """How far along a delivered job is: when the service last changed it, then its step."""
    return (job.updated_at or _EARLIEST, _STEP.get(job.status, 0))


class JobBoard:
    """The latest state of each job, as delivered. In production: your database.

    Deliveries can repeat or arrive late (a sender that retries, two in flight at once), so
    a job only moves forward: a delivery that is not newer than what is known changes
    nothing.
    """

    def __init__(self) -> None:
        self._jobs: dict[str, EncodingJob] = {}

    def record(self, job: EncodingJob) -> bool:
        """Keep ``job`` if it is news; False for a repeated or stale delivery."""
        known = self._jobs.get(job.id)
        if known is not None and _progress(job) <= _progress(known):
            return False
        self._jobs[job.id] = job
        return True

    def get(self, job_id: str) -> EncodingJob | None:
        """The latest state of a job, or None if nothing was delivered for it."""
        return self._jobs.get(job_id)


# --8<-- [end:board]


async def log_finished(job: EncodingJob) -> None:
    """The default work for a finished job: one log line."""
    if job.status is JobStatus.FAILED:
        logger.warning("job %s failed: %s", job.id, job.failure_reason)
    else:
        logger.info("job %s completed: %d output files", job.id, len(job.files))


# --8<-- [start:verifier]
def verifier_from_env() -> WebhookVerifier | None:
    """An RSA-SHA256 verifier when ``WEBHOOK_PUBLIC_KEY_FILE`` names the sender's public key
    (PEM), else None: bodies are then taken as they come (the emulator does not sign)."""
    path = os.environ.get(PUBLIC_KEY_FILE)
    if not path:
        return None
    return RSASignatureVerifier(Path(path).read_bytes())


# --8<-- [end:verifier]


# --8<-- [start:app]
def create_app(
    *,
    verify: WebhookVerifier | None = None,
    on_finished: OnFinished = log_finished,
    board: JobBoard | None = None,
) -> FastAPI:
    """The receiver. ``verify`` checks each body's signature (None: no check);
    ``on_finished`` runs, after the answer, for each job that reached its end."""
    app = FastAPI(title="Encoding webhooks")
    app.state.board = board if board is not None else JobBoard()

    @app.post(HOOK_PATH, status_code=204)
    async def receive(request: Request, background: BackgroundTasks) -> Response:
        body = await request.body()  # the raw bytes: a signature covers exactly these
        try:
            job = parse_webhook(body, headers=request.headers, verify=verify)
        except WebhookSignatureError as exc:
            logger.warning("refused a webhook: %s", exc)
            return Response(status_code=401)
        except WebhookError as exc:  # empty, not JSON, not a job
            logger.warning("refused a webhook: %s", exc)
            return Response(status_code=400)
        if app.state.board.record(job) and job.is_terminal:
            background.add_task(on_finished, job)  # runs once the answer is sent
        return Response(status_code=204)

    @app.get("/jobs/{job_id}")
    async def latest(job_id: str) -> EncodingJob:
        """What the receiver knows of a job."""
        job = app.state.board.get(job_id)
        if job is None:
            raise HTTPException(status_code=404, detail=f"no delivery for job {job_id}")
        return job

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


# --8<-- [end:app]


app = create_app(verify=verifier_from_env())
