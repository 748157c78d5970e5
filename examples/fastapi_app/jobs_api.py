"""A FastAPI service in front of the encoding-jobs API: one shared client, typed errors mapped
to HTTP answers, and handlers cancelled when their client goes away.

Run it against the emulator (the emulator prints the three ``export`` lines)::

    videosdk-emulator --port 8787 &
    export VIDEOSDK_BASE_URL=http://127.0.0.1:8787 VIDEOSDK_API_KEY=… VIDEOSDK_SECRET_KEY=…
    uvicorn jobs_api:app --app-dir examples/fastapi_app
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from disconnect import CancelOnDisconnect
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from http_errors import answer_sdk_error
from pydantic import BaseModel

from videosdk_async import (
    AsyncEncoderClient,
    DeleteReport,
    EncodingJob,
    JobNotFoundError,
    JobPage,
    TimeoutPolicy,
    VideoSDKError,
)

HANDLER_BUDGET = TimeoutPolicy(deadline=10, queue=2)
"""What one SDK call in a handler may take: 2 s to get one of the client's in-flight slots
(a 503 after that), then 10 s for the call, retries included (a 504 after that)."""

router = APIRouter()


# --8<-- [start:dependency]
def videosdk(request: Request) -> AsyncEncoderClient:
    """The dependency: the client the lifespan opened, shared by every request."""
    client: AsyncEncoderClient = request.app.state.videosdk
    return client


VideoSDK = Annotated[AsyncEncoderClient, Depends(videosdk)]
# --8<-- [end:dependency]


class NewJob(BaseModel):
    """What a caller posts to create a job. The SDK validates the presets (422 if wrong)."""

    video_url: str
    presets: list[dict[str, Any]]


class Deleted(BaseModel):
    """A delete's answer. ``gone``: the job was not there any more, which is what was asked."""

    id: str
    outcome: Literal["deleted", "gone"]
    job: EncodingJob | None = None


class Cleanup(BaseModel):
    """What a delete-queued run did: one line, the counts, and the ids per outcome."""

    summary: str
    counts: dict[str, int]
    ids: dict[str, list[str]]


@router.post("/jobs")
async def create_job(new: NewJob, client: VideoSDK) -> EncodingJob:
    """Create an encoding job."""
    return await client.jobs.create(video_url=new.video_url, presets=new.presets)


@router.get("/jobs")
async def list_jobs(
    client: VideoSDK,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JobPage:
    """One page of jobs."""
    return await client.jobs.list(page=page, per_page=per_page)


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, client: VideoSDK) -> EncodingJob:
    """One job (404 if there is no such job)."""
    return await client.jobs.get(job_id)


# --8<-- [start:delete]
@router.delete("/jobs/{job_id}")
async def delete_job(job_id: str, client: VideoSDK) -> Deleted:
    """Delete a queued job. A job that is already gone is not an error: gone is the goal.

    The SDK returns the job with ``raw_response.gone`` when an earlier attempt's answer was
    lost and the retry found the job gone; a plain 404 (our own caller retrying a delete
    whose answer it lost, say) means the same here. Only a job that is no longer queued is
    refused (409).
    """
    try:
        job = await client.jobs.delete(job_id)
    except JobNotFoundError:
        return Deleted(id=job_id, outcome="gone")
    raw = job.raw_response
    if raw is not None and raw.gone:
        return Deleted(id=job_id, outcome="gone")
    return Deleted(id=job_id, outcome="deleted", job=job)


# --8<-- [end:delete]


@router.post("/jobs/delete-queued")
async def delete_queued(
    client: VideoSDK,
    older_than_minutes: Annotated[float, Query(ge=0)] = 0,
    limit: Annotated[int | None, Query(ge=1)] = None,
    dry_run: bool = False,
) -> Cleanup:
    """Delete the queued jobs older than ``older_than_minutes`` (at most ``limit``)."""
    cutoff = datetime.now(timezone.utc) - timedelta(minutes=older_than_minutes)
    report = await client.jobs.delete_queued(created_before=cutoff, limit=limit, dry_run=dry_run)
    return _cleanup(report)


def _cleanup(report: DeleteReport) -> Cleanup:
    seen = [(str(outcome), n, report.ids(outcome)) for outcome, n in report.counts.items() if n]
    return Cleanup(
        summary=report.summary(),
        counts={name: n for name, n, _ in seen},
        ids={name: ids for name, _, ids in seen},
    )


# --8<-- [start:app]
def create_app(
    make_client: Callable[[], AsyncEncoderClient] = AsyncEncoderClient,
    *,
    budget: TimeoutPolicy = HANDLER_BUDGET,
) -> FastAPI:
    """The app. ``make_client`` builds the one client (by default from the ``VIDEOSDK_*``
    environment variables); ``budget`` is each handler call's time budget."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One client for the whole process: one connection pool, one in-flight limit, one
        # retry budget. Handlers use a copy with the handler budget (a copy shares all that).
        async with make_client() as client:
            app.state.videosdk = client.with_options(timeout=budget)
            yield

    app = FastAPI(title="Encoding jobs", lifespan=lifespan)
    app.include_router(router)
    app.add_exception_handler(VideoSDKError, answer_sdk_error)
    app.add_middleware(CancelOnDisconnect)
    return app


# --8<-- [end:app]


app = create_app()
