"""Code written the way a user writes it, from the README and docs/coming-from-openai.md.

CI type-checks this module with pyright (strict) and with ``mypy --strict`` without the
pydantic plugin (``nox -s typing``; configs beside it), and
``tests/integration/test_user_module.py`` runs it against the emulator, so what type-checks
also works.

The lines at the end marked with both ``# type: ignore[...]`` and ``# pyright: ignore[...]``
must stay type errors: both checkers are set to report an ignore comment that is not needed.
"""

from __future__ import annotations

import httpx

from videosdk_async import (
    NOT_GIVEN,
    APIConnectionError,
    APIResponse,
    APIStatusError,
    AsyncEncoderClient,
    AsyncJobPage,
    DeleteOutcome,
    DeleteReport,
    EncodingJob,
    ImageFormat,
    JobCreate,
    JobCreateParams,
    JobFailedError,
    JobNotDeletableError,
    JobNotFoundError,
    JobStatus,
    NotFoundError,
    PresetParam,
    PresetSpec,
    RateLimitError,
    RawResponse,
    Resolution,
    ResolutionName,
    RetryPolicy,
    ThumbnailParam,
    ThumbnailSpec,
    TimeoutPolicy,
    VideoFormat,
    WaitTimeoutError,
)

VIDEO_URL = "https://example.com/talk.mp4"
PRESETS: list[PresetParam] = [{"resolutions": ["360", "720"], "format": "hls"}]
THUMBNAILS: list[ThumbnailParam] = [
    {"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg", "webp"]}
]


def build_clients(base_url: str | None = None) -> list[AsyncEncoderClient]:
    """The ways the docs build a client (credentials from the environment)."""
    return [
        AsyncEncoderClient(base_url=base_url),
        AsyncEncoderClient(base_url=base_url, max_retries=0),
        AsyncEncoderClient(base_url=base_url, retry=None),
        AsyncEncoderClient(base_url=base_url, retry=RetryPolicy(max_attempts=5, backoff_cap=4)),
        AsyncEncoderClient(base_url=base_url, timeout=20.0),
        AsyncEncoderClient(base_url=base_url, timeout=httpx.Timeout(10, connect=2)),
        AsyncEncoderClient(base_url=base_url, timeout=TimeoutPolicy(deadline=10, queue=2)),
        AsyncEncoderClient(base_url=base_url, default_headers={"X-Team": "media"}),
        AsyncEncoderClient(base_url=base_url, http_client=httpx.AsyncClient()),
    ]


def copies(client: AsyncEncoderClient) -> list[AsyncEncoderClient]:
    """``with_options`` as the docs use it."""
    return [
        client.with_options(timeout=5, max_retries=0),
        client.with_options(base_url="http://127.0.0.1:9/v2", default_headers={"X-Region": "eu"}),
        client.with_options(http_client=httpx.AsyncClient(), timeout=NOT_GIVEN),
        client.with_options(retry=2, timeout=httpx.Timeout(5.0)),
    ]


async def create_jobs(client: AsyncEncoderClient) -> list[EncodingJob]:
    """Create with dicts, models, a request dict, a request model, and enums."""
    resolutions: list[ResolutionName] = ["720", "1080"]
    from_dicts = await client.jobs.create(
        video_url=VIDEO_URL,
        presets=[{"resolutions": ["360", "720"], "format": "hls"}],
        thumbnails=[{"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg"]}],
        user_data={"order": 7, "tags": ["a", "b"], "note": None},
        extra_headers={"X-Trace": "t-1"},
        extra_query={"debug": "1"},
    )
    from_models = await client.jobs.create(
        video_url=VIDEO_URL,
        presets=[PresetSpec(resolutions=resolutions, format="mp4")],
        thumbnails=[
            ThumbnailSpec(timestamp="00:00:03", resolutions=["360"], formats=["jpg"]),
            ThumbnailSpec(
                timestamp="00:00:05", resolutions=["4k"], formats=["webp"], filters=["blur"]
            ),
        ],
    )
    params: JobCreateParams = {"video_url": VIDEO_URL, "presets": PRESETS, "thumbnails": THUMBNAILS}
    from_params = await client.jobs.create(params)
    from_request = await client.jobs.create(
        JobCreate(
            video_url=VIDEO_URL,
            presets=[PresetSpec(resolutions=[Resolution.R1080], format=VideoFormat.MP4)],
            thumbnails=[
                ThumbnailSpec(timestamp="00:00:01", resolutions=["240"], formats=[ImageFormat.JPG])
            ],
        )
    )
    return [from_dicts, from_models, from_params, from_request]


async def read(client: AsyncEncoderClient, job_id: str) -> tuple[JobStatus, str | None, int]:
    """get, and what a model says about the exchange it came from."""
    job = await client.jobs.get(job_id)
    status: JobStatus = job.status
    request_id: str | None = job.request_id
    raw: RawResponse | None = job.raw_response
    attempts = 0
    if raw is not None:
        headers: httpx.Headers = raw.headers
        response: httpx.Response = raw.http_response
        elapsed: float = raw.elapsed
        attempts = raw.attempts
        assert headers is response.headers and elapsed >= 0
    if job.is_terminal and job.failure_reason is not None:
        print(job.failure_reason)
    return status, request_id, attempts


async def raw_responses(client: AsyncEncoderClient, job_id: str) -> list[int]:
    """with_raw_response on every endpoint, and parse() typed per endpoint."""
    got: APIResponse[EncodingJob] = await client.jobs.with_raw_response.get(job_id)
    job: EncodingJob = got.parse()
    listed = await client.jobs.with_raw_response.list(per_page=10)
    page: AsyncJobPage = listed.parse()
    created = await client.jobs.with_raw_response.create(video_url=VIDEO_URL, presets=PRESETS)
    deleted = await client.jobs.with_raw_response.delete(created.parse().id)
    print(got.request_id, got.headers.get("x-request-id"), got.retries_taken, got.elapsed)
    print(job.id, len(page.data), deleted.http_response.status_code)
    return [got.status_code, listed.status_code, created.status_code, deleted.attempts]


async def paginate(client: AsyncEncoderClient) -> list[str]:
    """Pages: next page, page walk, item walk; and the deletion-safe walk."""
    page = await client.jobs.list(per_page=20)
    ids = [job.id for job in page.data]
    while page.has_next_page():
        page = await page.get_next_page()
        ids.extend(job.id for job in page.data)
    first = await client.jobs.list(page=1, per_page=20)
    numbers: list[int] = [p.page_info.current_page async for p in first.iter_pages()]
    walked: list[str] = [job.id async for job in first]
    listed: list[str] = [job.id async for job in client.jobs.list(per_page=20)]
    queued = [job.id async for job in client.jobs.iterate(status=JobStatus.QUEUED)]
    also_queued = [job.id async for job in client.jobs.iterate(status="queued", per_page=50)]
    assert numbers and walked == listed == ids and sorted(queued) == sorted(also_queued)
    return ids


async def handle_errors(client: AsyncEncoderClient, job_id: str) -> list[str | None]:
    """Errors and their attributes, as the docs catch them."""
    seen: list[str | None] = []
    try:
        await client.jobs.get("0123456789abcdef01234567")
    except JobNotFoundError as err:
        status: int = err.status_code
        response: httpx.Response | None = err.response
        request: httpx.Request | None = err.request
        seen.append(err.request_id)
        print(status, response, request, err.job_id, err.message)
    try:
        await client.jobs.delete(job_id)
    except JobNotDeletableError as err:
        seen.append(err.job_status)
    except NotFoundError as err:
        seen.append(err.server_message)
    except RateLimitError as err:
        seen.append(str(err.retry_after))
    except APIStatusError as err:
        seen.append(str(err.body))
    except APIConnectionError as err:
        seen.append(str(err.may_have_applied))
    return seen


async def wait_for(client: AsyncEncoderClient, job_id: str) -> EncodingJob | None:
    """wait, and the two errors it raises, whose ``job`` is typed."""
    try:
        return await client.jobs.wait(job_id, timeout=600, raise_on_failure=True)
    except JobFailedError as err:
        failed: EncodingJob = err.job
        print(failed.failure_reason)
        return failed
    except WaitTimeoutError as err:
        last: EncodingJob | None = err.job
        return last


async def clean_up(client: AsyncEncoderClient, job_ids: list[str]) -> DeleteReport:
    """delete, delete_many and delete_queued."""
    first = await client.jobs.delete(job_ids[0])
    assert first.id == job_ids[0]
    report = await client.jobs.delete_many(job_ids[1:], concurrency=8)
    deleted: list[str] = report.deleted
    counts: dict[DeleteOutcome, int] = report.counts
    print(report.summary(), deleted, counts[DeleteOutcome.NOT_DELETABLE])
    dry = await client.jobs.delete_queued(dry_run=True, limit=10)
    print(dry.ids(DeleteOutcome.WOULD_DELETE))
    return report


def serialize(job: EncodingJob) -> tuple[dict[str, object], str, dict[str, object]]:
    """to_dict/to_json in the API's keys; model_dump in the attributes'."""
    api_shape: dict[str, object] = job.to_dict()
    text: str = job.to_json(indent=None)
    python_shape: dict[str, object] = job.model_dump()
    again = EncodingJob.model_validate(api_shape)
    assert again.id == job.id
    return api_shape, text, python_shape


def typos_are_type_errors() -> list[object]:
    """Each of these must stay an error under both checkers (unused ignores are errors)."""
    bad_key: PresetParam = {"resolutions": ["720"], "fromat": "hls"}  # type: ignore[typeddict-unknown-key,typeddict-item]  # pyright: ignore[reportAssignmentType]
    bad_value = PresetSpec(resolutions=["72O"], format="hls")  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    bad_format = PresetSpec(resolutions=["720"], format="avi")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    bad_thumb: ThumbnailParam = {"timestamp": "00:00:01", "resolutions": ["360"]}  # type: ignore[typeddict-item]  # pyright: ignore[reportAssignmentType]
    bad_params: JobCreateParams = {"video_url": VIDEO_URL, "preset": PRESETS}  # type: ignore[typeddict-unknown-key,typeddict-item]  # pyright: ignore[reportAssignmentType]
    return [bad_key, bad_value, bad_format, bad_thumb, bad_params]
