"""What users bring from openai, anthropic and stripe: configuration, request ids, raw
responses, pages and serialization, each checked on the exact requests sent."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from support import JOB_ID, TOKEN, job_json

from videosdk_async import (
    NOT_GIVEN,
    APIResponse,
    AsyncEncoderClient,
    AsyncJobPage,
    AsyncPage,
    ClientStateError,
    EncodingJob,
    InvalidRequestError,
    JobNotFoundError,
    JobPage,
    NotFoundError,
    RetryPolicy,
    ServerError,
    TimeoutPolicy,
)

BASE = "https://api.videosdk.live"
JOBS = "/v1/encoder/jobs"
PRESET = {"resolutions": ["720"], "format": "hls"}


class FakeAPI:
    """A MockTransport handler: jobs listed in pages, get/delete/create, scripted failures.

    ``fail`` holds statuses to answer (in order) before the real answer; every request is
    recorded in ``seen``.
    """

    def __init__(self, count: int = 5, *, request_id: str | None = "req-42") -> None:
        self.jobs = [job_json(f"{n:024x}") for n in range(1, count + 1)]
        self.fail: list[int] = []
        self.seen: list[httpx.Request] = []
        self.request_id = request_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        headers = {"X-Request-Id": self.request_id} if self.request_id else {}
        if self.fail:
            return httpx.Response(self.fail.pop(0), json={"message": "busy"}, headers=headers)
        path = request.url.path
        if path == JOBS and request.method == "GET":
            page = int(request.url.params["page"])
            per = int(request.url.params["perPage"])
            last = max(1, -(-len(self.jobs) // per))
            data = self.jobs[(page - 1) * per : page * per]
            info = {"currentPage": page, "perPage": per, "lastPage": last}
            return httpx.Response(200, json={"pageInfo": info, "data": data}, headers=headers)
        if path == JOBS and request.method == "POST":
            return httpx.Response(201, json=job_json(JOB_ID), headers=headers)
        job_id = path.rsplit("/", 1)[-1]
        if job_id not in {j["id"] for j in self.jobs} and job_id != JOB_ID:
            return httpx.Response(404, json={"message": "Job not found"}, headers=headers)
        return httpx.Response(200, json=job_json(job_id), headers=headers)

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


async def _no_sleep(_: float) -> None:
    return


def make(api: FakeAPI, **options: Any) -> AsyncEncoderClient:
    options.setdefault("retry", RetryPolicy(sleep=_no_sleep))
    options.setdefault("retry_budget", None)
    return AsyncEncoderClient(TOKEN, http_client=api.http(), **options)


# -- configuration: the doors openai users knock on ------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{"max_retries": 0}, {"retry": 0}, {"retry": None}, {"retry": RetryPolicy(max_retries=0)}],
    ids=["max_retries=0", "retry=0", "retry=None", "RetryPolicy(max_retries=0)"],
)
async def test_every_way_to_turn_retries_off_sends_one_attempt(options: dict[str, object]) -> None:
    api = FakeAPI()
    api.fail = [503, 503]
    client = make(api, **options)
    with pytest.raises(ServerError) as info:
        await client.jobs.get(JOB_ID)
    assert len(api.seen) == 1 and info.value.attempts == 1
    assert client.max_retries == 0


@pytest.mark.parametrize(
    ("options", "attempts"),
    [({"max_retries": 2}, 3), ({"retry": 2}, 3), ({"retry": 1}, 2), ({}, 3)],
    ids=["max_retries=2", "retry=2 (a number of retries)", "retry=1", "default"],
)
async def test_a_number_of_retries_means_retries_after_the_first_attempt(
    options: dict[str, object], attempts: int
) -> None:
    api = FakeAPI()
    api.fail = [503] * 5
    client = AsyncEncoderClient(TOKEN, http_client=api.http(), retry_budget=None, **options)
    assert client.retry is not None
    client.retry.sleep = _no_sleep  # the same policy object the chain runs: no real backoff
    with pytest.raises(ServerError):
        await client.jobs.get(JOB_ID)
    assert len(api.seen) == attempts
    assert client.max_retries == attempts - 1


async def test_with_options_max_retries_changes_only_the_copy() -> None:
    api = FakeAPI()
    client = make(api, max_retries=2)
    once = client.with_options(max_retries=0)
    api.fail = [503, 503]
    with pytest.raises(ServerError):
        await once.jobs.get(JOB_ID)
    assert len(api.seen) == 1
    api.fail = [503, 503]
    job = await client.jobs.get(JOB_ID)
    assert len(api.seen) == 4 and job.raw_response is not None and job.raw_response.attempts == 3


def test_timeout_takes_seconds_an_httpx_timeout_or_a_policy() -> None:
    seconds = AsyncEncoderClient(TOKEN, timeout=12.5).timeout
    assert seconds is not None and seconds.deadline == 12.5
    per_attempt = AsyncEncoderClient(TOKEN, timeout=httpx.Timeout(10, connect=2)).timeout
    assert per_attempt is not None
    assert per_attempt.attempt_parts == {"connect": 2.0, "read": 10.0, "write": 10.0, "pool": 10.0}
    assert per_attempt.deadline == 60.0  # the default deadline still bounds the call
    policy = TimeoutPolicy(deadline=5, queue=1)
    assert AsyncEncoderClient(TOKEN, timeout=policy).timeout is policy
    assert AsyncEncoderClient(TOKEN, timeout=None).timeout is None
    client = AsyncEncoderClient(TOKEN, timeout=7)
    assert client.with_options(timeout=NOT_GIVEN).timeout is client.timeout


async def test_an_httpx_timeout_reaches_each_attempt() -> None:
    api = FakeAPI()
    client = make(api, timeout=httpx.Timeout(10, connect=2))
    await client.jobs.get(JOB_ID)
    assert api.seen[0].extensions["timeout"] == {
        "connect": 2.0,
        "read": 10.0,
        "write": 10.0,
        "pool": 10.0,
    }


async def test_with_options_base_url_http_client_and_default_headers() -> None:
    first, second = FakeAPI(), FakeAPI()
    client = make(first, default_headers={"X-Team": "media"})
    other = client.with_options(
        base_url="https://vod.example.test/api",
        http_client=second.http(),
        default_headers={"X-Trace": "t-1"},
    )
    await other.jobs.get(JOB_ID)
    await client.jobs.get(JOB_ID)
    sent = second.seen[0]
    assert sent.url == f"https://vod.example.test/api{JOBS}/{JOB_ID}"
    assert (sent.headers["X-Team"], sent.headers["X-Trace"]) == ("media", "t-1")
    assert first.seen[0].url == f"{BASE}{JOBS}/{JOB_ID}" and "X-Trace" not in first.seen[0].headers


CallEndpoint = Callable[[AsyncEncoderClient, dict[str, Any]], Awaitable[object]]

ENDPOINTS: dict[str, CallEndpoint] = {
    "create": lambda c, kw: c.jobs.create(video_id="v1", presets=[PRESET], **kw),
    "get": lambda c, kw: c.jobs.get(JOB_ID, **kw),
    "list": lambda c, kw: c.jobs.list(per_page=2, **kw),
    "delete": lambda c, kw: c.jobs.delete(JOB_ID, **kw),
    "raw create": lambda c, kw: c.jobs.with_raw_response.create(
        video_id="v1",
        presets=[PRESET],
        **kw,
    ),
    "raw get": lambda c, kw: c.jobs.with_raw_response.get(JOB_ID, **kw),
    "raw list": lambda c, kw: c.jobs.with_raw_response.list(per_page=2, **kw),
    "raw delete": lambda c, kw: c.jobs.with_raw_response.delete(JOB_ID, **kw),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
async def test_every_endpoint_sends_extra_headers_and_extra_query(endpoint: str) -> None:
    api = FakeAPI()
    client = make(api, default_headers={"X-Team": "media"})
    extras = {"extra_headers": {"X-Trace": "t-9"}, "extra_query": {"dryRun": "1"}}
    await ENDPOINTS[endpoint](client, extras)
    sent = api.seen[-1]
    assert sent.headers["X-Trace"] == "t-9" and sent.headers["X-Team"] == "media"
    assert sent.url.params["dryRun"] == "1"
    if endpoint.endswith("list"):
        assert dict(sent.url.params) == {"page": "1", "perPage": "2", "dryRun": "1"}


async def test_one_in_flight_limit_for_clients_sharing_a_pool() -> None:
    """Two clients (and a copy) on one borrowed pool share its limit: never two at once."""
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):  # yield to the other tasks (no time passes)
            await anyio.lowlevel.checkpoint()
        in_flight -= 1
        return httpx.Response(200, json=job_json())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    one = AsyncEncoderClient(TOKEN, http_client=http, max_concurrency=1)
    two = AsyncEncoderClient(TOKEN, http_client=http)
    three = two.with_options(timeout=5)
    assert one.max_concurrency == two.max_concurrency == three.max_concurrency == 1
    async with anyio.create_task_group() as group:
        for client in (one, two, three) * 4:
            group.start_soon(client.jobs.get, JOB_ID)
    assert peak == 1


# -- request ids and the raw exchange --------------------------------------------------------


@pytest.mark.parametrize("header", ["X-Request-Id", "Request-Id"])
async def test_an_error_carries_request_id_response_request_and_status(header: str) -> None:
    unknown = "f" * 24

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "Job not found"}, headers={header: "req-7"})

    client = AsyncEncoderClient(
        TOKEN, http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)), retry=None
    )
    with pytest.raises(NotFoundError) as info:
        await client.jobs.get(unknown)
    err = info.value
    assert isinstance(err, JobNotFoundError)
    assert (err.request_id, err.status_code) == ("req-7", 404)
    assert err.response is not None and err.response.status_code == 404
    assert err.request is not None and err.request.url.path == f"{JOBS}/{unknown}"
    assert str(err).endswith("[request id: req-7]")


async def test_a_model_carries_its_raw_response_and_request_id() -> None:
    api = FakeAPI()
    api.fail = [503]
    job = await make(api).jobs.get(JOB_ID)
    raw = job.raw_response
    assert raw is not None and job.request_id == "req-42" == raw.request_id
    assert isinstance(raw.headers, httpx.Headers) and raw.headers["x-request-id"] == "req-42"
    assert isinstance(raw.http_response, httpx.Response) and raw.status_code == 200
    assert raw.attempts == 2 and isinstance(raw.elapsed, float) and raw.elapsed >= 0
    assert "_raw_response" not in job.model_dump() and "_raw_response" not in job.to_dict()


# -- with_raw_response -------------------------------------------------------------------------


async def test_with_raw_response_answers_openais_shape() -> None:
    api = FakeAPI()
    api.fail = [502]
    client = make(api)
    response = await client.jobs.with_raw_response.get(JOB_ID)
    assert isinstance(response, APIResponse)
    assert response.status_code == 200 and response.headers["X-Request-Id"] == "req-42"
    assert response.request_id == "req-42"
    assert (response.attempts, response.retries_taken) == (2, 1)
    assert isinstance(response.elapsed, float)
    assert response.http_response is response.raw_response.http_response
    assert (response.method, response.url) == ("GET", f"{BASE}{JOBS}/{JOB_ID}")
    job = response.parse()
    assert isinstance(job, EncodingJob) and job.id == JOB_ID and response.parse() is job
    assert job.raw_response is response.raw_response
    assert "APIResponse[EncodingJob]" in repr(response)


async def test_with_raw_response_parses_every_endpoint_into_its_model() -> None:
    api = FakeAPI()
    raw = make(api).jobs.with_raw_response
    created = await raw.create(video_id="v1", presets=[{"resolutions": ["720"], "format": "hls"}])
    assert isinstance(created.parse(), EncodingJob)
    assert isinstance((await raw.delete(JOB_ID)).parse(), EncodingJob)
    page = (await raw.list(per_page=2)).parse()
    assert isinstance(page, AsyncJobPage) and page.has_next_page()
    second = await page.get_next_page()
    assert [j.id for j in second.data] == [api.jobs[2]["id"], api.jobs[3]["id"]]
    assert [r.method for r in api.seen] == ["POST", "DELETE", "GET", "GET"]


async def test_with_raw_response_raises_like_the_plain_call() -> None:
    client = make(FakeAPI())
    with pytest.raises(JobNotFoundError) as info:
        await client.jobs.with_raw_response.get("e" * 24)
    assert info.value.request_id == "req-42"


@pytest.mark.parametrize("name", ["create", "get", "list", "delete"])
def test_with_raw_response_takes_exactly_the_endpoint_arguments(name: str) -> None:
    client = AsyncEncoderClient(TOKEN)
    plain = inspect.signature(getattr(client.jobs, name)).parameters
    raw = inspect.signature(getattr(client.jobs.with_raw_response, name)).parameters
    assert [(p.name, p.kind, p.default) for p in raw.values()] == [
        (p.name, p.kind, p.default) for p in plain.values()
    ]


# -- pages -------------------------------------------------------------------------------------


async def test_a_page_fetches_the_next_with_the_same_filters_and_extras() -> None:
    api = FakeAPI(count=5)
    client = make(api)
    page = await client.jobs.list(
        per_page=2, user_id="u" * 24, extra_headers={"X-Trace": "t"}, extra_query={"q": "1"}
    )
    assert isinstance(page, AsyncJobPage) and isinstance(page, JobPage)
    assert isinstance(page, AsyncPage) and page.has_next_page()
    second = await page.get_next_page()
    assert isinstance(second, AsyncJobPage) and second.page_info.current_page == 2
    sent = api.seen[-1]
    assert dict(sent.url.params) == {"page": "2", "perPage": "2", "userId": "u" * 24, "q": "1"}
    assert sent.headers["X-Trace"] == "t"


async def test_pages_and_items_walk_forward_from_any_page() -> None:
    api = FakeAPI(count=5)
    client = make(api)
    ids = [j["id"] for j in api.jobs]
    first = await client.jobs.list(per_page=2)
    assert [p.page_info.current_page async for p in first.iter_pages()] == [1, 2, 3]
    assert [job.id async for job in first] == ids
    assert [job.id async for job in client.jobs.list(per_page=2)] == ids
    assert [job.id async for job in client.jobs.list(page=2, per_page=2)] == ids[2:]
    last = await client.jobs.list(page=3, per_page=2)
    assert not last.has_next_page()
    with pytest.raises(ClientStateError, match="is the last page; check has_next_page"):
        await last.get_next_page()


async def test_a_page_built_locally_has_no_client_to_fetch_with() -> None:
    page = AsyncJobPage.model_validate(
        {"pageInfo": {"currentPage": 1, "lastPage": 3}, "data": [job_json()]}
    )
    assert page.has_next_page()
    with pytest.raises(ClientStateError, match=r"built locally.*client\.jobs\.list\(page=2\)"):
        await page.get_next_page()


async def test_the_link_to_the_client_stays_outside_the_fields() -> None:
    api = FakeAPI(count=3)
    fetched = await make(api).jobs.list(per_page=2)
    local = AsyncJobPage.model_validate(fetched.to_dict())
    assert fetched == local
    assert "_fetch_page" not in fetched.model_dump() and "_fetch_page" not in fetched.to_json()


def test_list_checks_its_arguments_before_any_io() -> None:
    api = FakeAPI()
    client = make(api)
    with pytest.raises(InvalidRequestError, match="page must be an int >= 1"):
        client.jobs.list(page=0)  # raised at the call, before anything is awaited
    assert api.seen == []


# -- serialization -----------------------------------------------------------------------------


async def test_to_dict_keeps_what_the_server_sent_in_its_keys() -> None:
    api = FakeAPI()
    job = await make(api).jobs.get(JOB_ID)
    sent = json.loads(job.to_json())
    assert set(sent) == set(job_json(JOB_ID))  # the keys the server sent, nothing more
    assert job.model_dump()["video_id"] == job.video_id == sent["videoId"]
