"""client.jobs.create/get/list/iterate/delete: exact requests, parsed responses, input checks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import JOB_ID, TOKEN

from videosdk_async import (
    AsyncEncoderClient,
    EncodingJob,
    InvalidRequestError,
    JobCreate,
    JobPage,
    JobStatus,
    PresetSpec,
    RetryPolicy,
    ServerError,
    ThumbnailSpec,
)

BASE = "https://api.videosdk.live"
JOBS = "/v1/encoder/jobs"
VIDEO_ID = "6053115ebba24b4d700c8c49"
PRESET = {"resolutions": ["240", "360", "480"], "format": "hls"}


def job_json(job_id: str = JOB_ID, status: str = "queued", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job_id,
        "status": status,
        "videoId": VIDEO_ID,
        "presets": [{"id": "60531471e32e8e4eaea094ff", **PRESET}],
        "thumbnails": [],
        "createdAt": "2021-03-18T08:50:57.438Z",
        "updatedAt": "2021-03-18T08:50:57.438Z",
    }
    body.update(extra)
    return body


def page_json(jobs: list[dict[str, Any]], current: int, last: int, per_page: int = 100) -> dict:
    return {
        "pageInfo": {"currentPage": current, "perPage": per_page, "lastPage": last},
        "data": jobs,
    }


@pytest.fixture
async def client(api: respx.MockRouter) -> AsyncIterator[AsyncEncoderClient]:
    async with AsyncEncoderClient(token=TOKEN, retry=None) as c:
        yield c


def assert_api_headers(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == TOKEN
    assert request.headers["Accept"] == "application/json"


# -- create -----------------------------------------------------------------------------------


async def test_create_sends_camel_case_body_and_parses_the_job(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.post(JOBS).respond(201, json=job_json())

    job = await client.jobs.create(video_id=VIDEO_ID, presets=[PRESET])

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url == f"{BASE}{JOBS}"
    assert request.url.query == b""
    assert_api_headers(request)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"videoId": VIDEO_ID, "presets": [PRESET]}
    assert isinstance(job, EncodingJob)
    assert (job.id, job.status, job.video_id) == (JOB_ID, JobStatus.QUEUED, VIDEO_ID)
    assert job.presets[0].id == "60531471e32e8e4eaea094ff"
    assert route.call_count == 1


async def test_create_with_every_field(client: AsyncEncoderClient, api: respx.MockRouter) -> None:
    route = api.post(JOBS).respond(200, json=job_json(userData={"order": 7}))

    job = await client.jobs.create(
        video_url="https://example.com/in.mp4",
        presets=[PresetSpec(resolutions=["720", "4K"], format="mp4"), PRESET],
        thumbnails=[
            ThumbnailSpec(timestamp="00:00:03", resolutions=["360"], formats=["jpg", "webp"]),
            {
                "timestamp": "00:01:00",
                "resolutions": ["4k"],
                "formats": ["jpg"],
                "filters": ["blur"],
            },
        ],
        webhook_url="https://example.com/hooks/encoding",
        user_data={"order": 7, "tags": ["x"], "none": None},
    )

    assert json.loads(route.calls.last.request.content) == {
        "videoUrl": "https://example.com/in.mp4",
        "presets": [{"resolutions": ["720", "4k"], "format": "mp4"}, PRESET],
        "thumbnails": [
            {"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg", "webp"]},
            {
                "timestamp": "00:01:00",
                "resolutions": ["4k"],
                "formats": ["jpg"],
                "filters": ["blur"],
            },
        ],
        "webhookUrl": "https://example.com/hooks/encoding",
        "userData": {"order": 7, "tags": ["x"], "none": None},
    }
    assert job.user_data == {"order": 7}


@pytest.mark.parametrize(
    "request_body",
    [
        JobCreate(video_id=VIDEO_ID, presets=[PRESET], webhook_url="https://h.example/x"),
        {"videoId": VIDEO_ID, "presets": [PRESET], "webhookUrl": "https://h.example/x"},
        {"video_id": VIDEO_ID, "presets": [PRESET], "webhook_url": "https://h.example/x"},
    ],
    ids=["model", "camel-dict", "snake-dict"],
)
async def test_create_accepts_a_model_or_a_dict(
    client: AsyncEncoderClient, api: respx.MockRouter, request_body: Any
) -> None:
    route = api.post(JOBS).respond(200, json=job_json())

    await client.jobs.create(request_body)

    assert json.loads(route.calls.last.request.content) == {
        "videoId": VIDEO_ID,
        "presets": [PRESET],
        "webhookUrl": "https://h.example/x",
    }


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"video_id": VIDEO_ID}, ["presets"]),
        ({"video_id": VIDEO_ID, "presets": []}, ["presets", "at least 1"]),
        ({"presets": [PRESET]}, ["exactly one of video_id or video_url, or video="]),
        (
            {"video_id": VIDEO_ID, "video_url": "https://e.com/a.mp4", "presets": [PRESET]},
            ["exactly one of video_id or video_url"],
        ),
        (
            {"video_id": VIDEO_ID, "presets": [{"resolutions": [], "format": "hls"}]},
            ["resolutions"],
        ),
        (
            {"video_id": VIDEO_ID, "presets": [{"resolutions": ["1440"], "format": "hls"}]},
            ["presets.0.resolutions", "unknown resolution 1440"],
        ),
        (
            {"video_id": VIDEO_ID, "presets": [{"resolutions": ["360"], "format": "dash"}]},
            ["presets.0.format", "unknown format dash", "allowed: hls, mp4"],
        ),
        (
            {
                "video_id": VIDEO_ID,
                "presets": [PRESET],
                "thumbnails": [{"timestamp": "1:2:3", "resolutions": ["360"], "formats": ["jpg"]}],
            },
            ["thumbnails.0.timestamp", "'1:2:3' is not HH:MM:SS"],
        ),
        (
            {
                "video_id": VIDEO_ID,
                "presets": [PRESET],
                "thumbnails": [
                    {"timestamp": "00:00:01", "resolutions": ["360"], "formats": ["gif"]}
                ],
            },
            ["thumbnails.0.formats", "unknown image format gif", "allowed: jpg, webp"],
        ),
        (
            {
                "video_id": VIDEO_ID,
                "presets": [PRESET],
                "thumbnails": [
                    {
                        "timestamp": "00:00:01",
                        "resolutions": ["360"],
                        "formats": ["jpg"],
                        "filters": ["blue"],
                    }
                ],
            },
            ["thumbnails.0.filters", "unknown filter blue", "allowed: none, blur"],
        ),
        ({"video_id": VIDEO_ID, "presets": [PRESET], "webhook_url": "x"}, ["webhook_url"]),
        ({"video_id": VIDEO_ID, "presets": "hls"}, ["presets"]),
    ],
)
async def test_invalid_create_is_refused_before_any_request(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    kwargs: dict[str, Any],
    fragments: list[str],
) -> None:
    route = api.post(JOBS).respond(200, json=job_json())

    with pytest.raises(InvalidRequestError) as info:
        await client.jobs.create(**kwargs)

    message = str(info.value)
    assert message.startswith("invalid create request: ")
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)
    assert route.call_count == 0
    assert api.calls.call_count == 0


async def test_create_refuses_a_request_and_keywords_together(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    body = JobCreate(video_id=VIDEO_ID, presets=[PRESET])
    with pytest.raises(InvalidRequestError, match=r"not both \(video_id\)"):
        await client.jobs.create(body, video_id="other")
    assert api.calls.call_count == 0


async def test_create_refuses_unknown_dict_keys(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    with pytest.raises(InvalidRequestError, match="priority"):
        await client.jobs.create({"videoId": VIDEO_ID, "presets": [PRESET], "priority": 1})
    assert api.calls.call_count == 0


async def test_failed_create_is_not_retried(api: respx.MockRouter) -> None:
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    route = api.post(JOBS).respond(503, json={"message": "busy"})
    retry = RetryPolicy(sleep=fake_sleep)
    async with AsyncEncoderClient(token=TOKEN, retry=retry) as client:
        with pytest.raises(ServerError):
            await client.jobs.create(video_id=VIDEO_ID, presets=[PRESET])

    assert route.call_count == 1
    assert sleeps == []


# -- get and delete ---------------------------------------------------------------------------


async def test_get_sends_get_and_parses_files(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    file = {
        "id": "605311d9bba24b4d700c8c4e",
        "jobId": JOB_ID,
        "fileUrl": "https://cdn.videosdk.live/files/videos/x/index.m3u8",
        "type": "x-tar",
        "size": 5755392,
    }
    route = api.get(f"{JOBS}/{JOB_ID}").respond(
        200, json=job_json(status="completed", files=[file], finishedAt="2021-03-18T09:00:00Z")
    )

    job = await client.jobs.get(JOB_ID)

    request = route.calls.last.request
    assert (request.method, request.url) == ("GET", f"{BASE}{JOBS}/{JOB_ID}")
    assert request.content == b""
    assert_api_headers(request)
    assert job.status is JobStatus.COMPLETED and job.is_terminal
    assert [f.file_url for f in job.files] == [file["fileUrl"]]
    assert job.files[0].job_id == JOB_ID


async def test_delete_sends_delete_and_returns_the_deleted_job(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.delete(f"{JOBS}/{JOB_ID}").respond(200, json=job_json())

    job = await client.jobs.delete(JOB_ID)

    request = route.calls.last.request
    assert (request.method, request.url) == ("DELETE", f"{BASE}{JOBS}/{JOB_ID}")
    assert request.content == b""
    assert_api_headers(request)
    assert (job.id, job.status) == (JOB_ID, JobStatus.QUEUED)
    assert route.call_count == 1


# -- job id validation ------------------------------------------------------------------------

BAD_MARKERS = ["/", "?", "#", "%", "\\", "..", " ", "\t", "\n", "\r", "\x00", "\x1b", "\x7f"]


@pytest.mark.parametrize(
    ("job_id", "message"),
    [
        ("", "job id is empty"),
        (None, "job id must be a string, got NoneType"),
        (123, "job id must be a string, got int"),
        ("../admin", "job id '../admin' is not valid: it contains '/'"),
        ("a..b", "job id 'a..b' is not valid: it contains '..'"),
        (".", "job id '.' is not valid: it contains '.'"),
        ("abc?x=1", "job id 'abc?x=1' is not valid: it contains '?'"),
        ("a b", "job id 'a b' is not valid: it contains ' '"),
        ("50%2F", "job id '50%2F' is not valid: it contains '%'"),
    ],
)
@pytest.mark.parametrize("method", ["get", "delete"])
async def test_bad_job_ids_are_refused_before_any_request(
    client: AsyncEncoderClient, api: respx.MockRouter, job_id: Any, message: str, method: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await getattr(client.jobs, method)(job_id)
    assert str(info.value) == message
    assert api.calls.call_count == 0


def run_with_transport(
    action: Callable[[AsyncEncoderClient], Any],
) -> tuple[Any, list[httpx.Request]]:
    """Run ``action(client)`` on a fresh loop with a recording MockTransport."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        job_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json=job_json(job_id=job_id))

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with http, AsyncEncoderClient(token=TOKEN, http_client=http, retry=None) as client:
            try:
                return await action(client)
            except InvalidRequestError as exc:
                return exc

    return asyncio.run(main()), seen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.text(max_size=8),
    marker=st.sampled_from(BAD_MARKERS) | st.characters(categories=["Cc", "Zs", "Zl", "Zp"]),
    suffix=st.text(max_size=8),
    method=st.sampled_from(["get", "delete"]),
)
def test_any_id_with_a_forbidden_character_is_refused_and_named(
    prefix: str, marker: str, suffix: str, method: str
) -> None:
    job_id = prefix + marker + suffix
    outcome, seen = run_with_transport(lambda c: getattr(c.jobs, method)(job_id))
    assert isinstance(outcome, InvalidRequestError)
    assert repr(job_id) in str(outcome)
    assert seen == []


SAFE_CHARS = st.characters(categories=["L", "N", "P", "S", "M"], exclude_characters="/?#%\\")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    job_id=st.text(SAFE_CHARS, min_size=1, max_size=30).filter(
        lambda s: ".." not in s and s != "."
    ),
    method=st.sampled_from(["get", "delete"]),
)
def test_safe_ids_land_verbatim_in_the_path(job_id: str, method: str) -> None:
    outcome, seen = run_with_transport(lambda c: getattr(c.jobs, method)(job_id))
    assert isinstance(outcome, EncodingJob), outcome
    assert outcome.id == job_id
    (request,) = seen
    assert request.method == method.upper()
    assert request.url.path == f"{JOBS}/{job_id}"
    assert request.url.query == b""
    assert request.url.host == "api.videosdk.live"


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"[0-9a-f]{24}", fullmatch=True))
def test_object_ids_are_sent_byte_for_byte(job_id: str) -> None:
    outcome, seen = run_with_transport(lambda c: c.jobs.get(job_id))
    assert outcome.id == job_id
    assert seen[0].url.raw_path == f"{JOBS}/{job_id}".encode()


# -- list -------------------------------------------------------------------------------------


async def test_list_defaults_to_page_1_of_20(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.get(JOBS).respond(200, json=page_json([job_json()], 1, 4, per_page=20))

    page = await client.jobs.list()

    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.path == JOBS
    assert dict(request.url.params) == {"page": "1", "perPage": "20"}
    assert_api_headers(request)
    assert isinstance(page, JobPage)
    assert (page.page_info.current_page, page.page_info.per_page) == (1, 20)
    assert page.page_info.last_page == 4
    assert [j.id for j in page.data] == [JOB_ID]
    assert page.has_next


async def test_list_sends_page_per_page_and_user_id(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.get(JOBS).respond(200, json=page_json([], 3, 3, per_page=50))

    page = await client.jobs.list(3, 50, user_id="u-42")

    assert dict(route.calls.last.request.url.params) == {
        "page": "3",
        "perPage": "50",
        "userId": "u-42",
    }
    assert page.data == [] and not page.has_next


async def test_list_accepts_per_page_at_the_maximum(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.get(JOBS).respond(200, json=page_json([], 1, 0))
    await client.jobs.list(page=1, per_page=100)
    assert route.calls.last.request.url.params["perPage"] == "100"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page": 0}, "page must be an int >= 1, got 0"),
        ({"page": -1}, "page must be an int >= 1, got -1"),
        ({"page": True}, "page must be an int >= 1, got True"),
        ({"page": 1.5}, "page must be an int >= 1, got 1.5"),
        ({"page": "2"}, "page must be an int >= 1, got '2'"),
        ({"per_page": 0}, "per_page must be an int >= 1, got 0"),
        ({"per_page": 101}, "per_page must be at most 100, got 101"),
        ({"per_page": False}, "per_page must be an int >= 1, got False"),
        ({"user_id": "a/b"}, "user id 'a/b' is not valid: it contains '/'"),
        ({"user_id": ""}, "user id is empty"),
    ],
)
async def test_bad_list_arguments_are_refused_before_any_request(
    client: AsyncEncoderClient, api: respx.MockRouter, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await client.jobs.list(**kwargs)
    assert str(info.value) == message
    assert api.calls.call_count == 0


# -- iterate ----------------------------------------------------------------------------------


def serve_pages(
    api: respx.MockRouter, pages: dict[int, dict[str, Any]]
) -> tuple[respx.Route, list[dict[str, str]]]:
    """Answer GET /v1/encoder/jobs from ``pages`` by the ``page`` param; record each query."""
    queries: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        queries.append(params)
        number = int(params["page"])
        return httpx.Response(200, json=pages.get(number, page_json([], number, 0)))

    return api.get(JOBS).mock(side_effect=answer), queries


def jobs_named(*specs: tuple[str, str]) -> list[dict[str, Any]]:
    return [job_json(job_id=job_id, status=status) for job_id, status in specs]


async def collect(iterator: AsyncIterator[EncodingJob]) -> list[str]:
    return [job.id async for job in iterator]


async def test_iterate_walks_from_the_last_page_to_the_first(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route, queries = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued"), ("b", "completed")), 1, 3),
            2: page_json(jobs_named(("c", "processing"), ("d", "queued")), 2, 3),
            3: page_json(jobs_named(("e", "failed")), 3, 3),
        },
    )

    assert await collect(client.jobs.iterate()) == ["e", "c", "d", "a", "b"]
    # Page 1 first (for lastPage), then last to 2, then page 1 again to see if it grew.
    assert queries == [{"page": str(n), "perPage": "100"} for n in (1, 3, 2, 1)]
    assert route.call_count == 4


async def test_iterate_stops_at_last_page_even_if_more_data_exists(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    _, queries = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued")), 1, 2),
            2: page_json(jobs_named(("b", "queued")), 2, 2),
            3: page_json(jobs_named(("c", "queued")), 3, 2),
        },
    )

    assert await collect(client.jobs.iterate()) == ["b", "a"]
    assert [q["page"] for q in queries] == ["1", "2", "1"]


async def test_iterate_survives_a_listing_that_shrank_under_it(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    """lastPage said 4 but pages 3 and 4 are empty by the time they are read: every job
    that is still there is yielded once."""
    _, queries = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued")), 1, 4),
            2: page_json(jobs_named(("b", "queued")), 2, 2),
        },
    )

    assert await collect(client.jobs.iterate()) == ["b", "a"]
    assert [q["page"] for q in queries] == ["1", "4", "3", "2", "1"]


@pytest.mark.parametrize("last", [0, 1])
async def test_a_single_page_listing_takes_one_request(
    client: AsyncEncoderClient, api: respx.MockRouter, last: int
) -> None:
    route, queries = serve_pages(
        api, {1: page_json(jobs_named(("a", "queued"), ("b", "queued")), 1, last)}
    )
    assert await collect(client.jobs.iterate()) == ["a", "b"]
    assert queries == [{"page": "1", "perPage": "100"}]
    assert route.call_count == 1


async def test_iterate_over_an_empty_listing_makes_one_request(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route, _ = serve_pages(api, {1: page_json([], 1, 1)})
    assert await collect(client.jobs.iterate()) == []
    assert route.call_count == 1


async def test_iterate_goes_round_again_when_page_one_grew(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    """A newest-first listing that grows during the walk pushes older jobs onto pages
    already visited; page 1 seen again shows unseen jobs, so the walk runs once more."""
    answers = [
        page_json(jobs_named(("c", "queued"), ("b", "queued")), 1, 2, per_page=2),
        page_json(jobs_named(("a", "queued")), 2, 2, per_page=2),
        # "d" was created: "b" moved to page 2, behind the walk.
        page_json(jobs_named(("d", "queued"), ("c", "queued")), 1, 2, per_page=2),
        page_json(jobs_named(("b", "queued"), ("a", "queued")), 2, 2, per_page=2),
        page_json(jobs_named(("d", "queued"), ("c", "queued")), 1, 2, per_page=2),
    ]
    api.get(JOBS).mock(side_effect=[httpx.Response(200, json=a) for a in answers])

    assert await collect(client.jobs.iterate(per_page=2)) == ["a", "c", "b", "d"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("queued", ["d", "a"]),
        ("QUEUED", ["d", "a"]),
        (JobStatus.COMPLETED, ["b"]),
        (JobStatus.FAILED, ["e"]),
        ("archived", ["f"]),  # an unknown status can be filtered on too
        (None, ["e", "f", "c", "d", "a", "b"]),
    ],
)
async def test_iterate_filters_by_status_across_all_pages(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    status: JobStatus | str | None,
    expected: list[str],
) -> None:
    route, queries = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued"), ("b", "completed")), 1, 3),
            2: page_json(jobs_named(("c", "processing"), ("d", "queued")), 2, 3),
            3: page_json(jobs_named(("e", "failed"), ("f", "archived")), 3, 3),
        },
    )

    assert await collect(client.jobs.iterate(status=status)) == expected
    assert route.call_count == 4
    assert all("status" not in q for q in queries)


async def test_iterate_forwards_per_page_and_user_id_on_every_page(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    _, queries = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued")), 1, 2, per_page=1),
            2: page_json(jobs_named(("b", "queued")), 2, 2, per_page=1),
        },
    )

    assert await collect(client.jobs.iterate(per_page=1, user_id="u-7")) == ["b", "a"]
    assert queries == [{"page": str(n), "perPage": "1", "userId": "u-7"} for n in (1, 2, 1)]


async def test_iterate_is_lazy(client: AsyncEncoderClient, api: respx.MockRouter) -> None:
    route, _ = serve_pages(
        api,
        {
            1: page_json(jobs_named(("a", "queued"), ("b", "queued")), 1, 5),
            5: page_json(jobs_named(("z", "queued")), 5, 5),
        },
    )

    iterator = client.jobs.iterate()
    assert route.call_count == 0
    first = await iterator.__anext__()
    assert first.id == "z"
    assert route.call_count == 2  # page 1 (for lastPage), then page 5
    await iterator.aclose()  # type: ignore[attr-defined]
    assert route.call_count == 2


async def test_iterate_raises_a_failing_page_after_yielding_earlier_ones(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOBS).mock(
        side_effect=[
            httpx.Response(200, json=page_json(jobs_named(("a", "queued")), 1, 3)),
            httpx.Response(200, json=page_json(jobs_named(("c", "queued")), 3, 3)),
            httpx.Response(500, json={"message": "boom"}),
        ]
    )
    got: list[str] = []

    async def consume() -> None:
        async for job in client.jobs.iterate():
            got.append(job.id)

    with pytest.raises(ServerError, match="boom"):
        await consume()
    assert got == ["c"]


@pytest.mark.parametrize(
    ("per_page", "message"),
    [
        (0, "per_page must be an int >= 1, got 0"),
        (101, "per_page must be at most 100, got 101"),
        (True, "per_page must be an int >= 1, got True"),
    ],
)
async def test_iterate_validates_per_page_before_any_request(
    client: AsyncEncoderClient, api: respx.MockRouter, per_page: Any, message: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await collect(client.jobs.iterate(per_page=per_page))
    assert str(info.value) == message
    assert api.calls.call_count == 0


async def test_iterate_validates_user_id_before_any_request(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    with pytest.raises(InvalidRequestError, match="user id 'u 1' is not valid"):
        await collect(client.jobs.iterate(user_id="u 1"))
    assert api.calls.call_count == 0
