"""A create whose answer was lost: the error says the job may exist; ``recover=True`` finds it.

The fake API lists jobs oldest first (as the emulator does), 100 to a page, and can lose the
answer to a create after applying it, or before.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs

import httpx
import pytest
from support import FakeClock, job_json, make_client

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    InvalidRequestError,
    ResponseValidationError,
    ServerError,
)
from videosdk_async.resources._recovery import MARKER_KEY, NEWEST_PAGES

PRESET = {"resolutions": ["360"], "format": "hls"}
SOURCE = "https://example.com/a.mp4"


class CreatesAPI:
    """Creates jobs, lists them oldest first; ``fate`` scripts what happens to each create."""

    def __init__(self, existing: int = 0) -> None:
        self.jobs: list[dict[str, object]] = [job_json(f"{n:024x}") for n in range(existing)]
        self.fate: list[str] = []  # "ok", "lost-after", "lost-before", "garbage", "500", "503"
        self.requests: list[str] = []
        self.bodies: list[dict[str, object]] = []
        self.list_fails = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        page = query.get("page", [""])[0]
        self.requests.append(
            f"{request.method} {request.url.path}{'?page=' + page if page else ''}"
        )
        if request.method == "POST":
            return self.create(request)
        if request.url.path.endswith("/jobs"):
            if self.list_fails:
                return httpx.Response(400, json={"message": "no listing today"})
            number, per_page = int(page), int(query["perPage"][0])
            data = self.jobs[(number - 1) * per_page : number * per_page]
            last = max(1, math.ceil(len(self.jobs) / per_page))
            return httpx.Response(200, json={"pageInfo": {"lastPage": last}, "data": data})
        wanted = request.url.path.rsplit("/", 1)[-1]
        for job in self.jobs:
            if job["id"] == wanted:
                return httpx.Response(200, json=job)
        return httpx.Response(404, json={"message": "Job not found"})

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        fate = self.fate.pop(0) if self.fate else "ok"
        if fate == "503":
            return httpx.Response(503, json={"message": "busy"})
        if fate == "lost-before":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if fate == "garbage-before":
            return httpx.Response(200, text="<html>proxy</html>")
        job = job_json(f"{len(self.jobs) + 10_000:024x}", userData=body.get("userData"))
        self.jobs.append(job)
        if fate == "lost-after":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if fate == "garbage":
            return httpx.Response(200, text="<html>proxy</html>")
        if fate == "500":
            return httpx.Response(500, json={"message": "oops"})
        return httpx.Response(200, json=job)


def client_for(api: CreatesAPI) -> AsyncEncoderClient:
    return make_client(api, FakeClock())


async def create(client: AsyncEncoderClient, **kwargs: object) -> object:
    return await client.jobs.create(video_url=SOURCE, presets=[PRESET], **kwargs)  # type: ignore[arg-type]


# -- without recover: the error says what may have happened ----------------------------------------


async def test_a_lost_create_says_the_job_may_exist() -> None:
    api = CreatesAPI()
    api.fate = ["lost-after"]
    with pytest.raises(APIConnectionError) as caught:
        await create(client_for(api))
    error = caught.value
    assert error.may_have_applied
    assert "the request may have reached the server" in str(error)
    assert "the job may exist (jobs.create(..., recover=True) finds it then)" in str(error)
    assert api.requests == ["POST /v1/encoder/jobs"]  # never retried: a second job could result
    assert len(api.jobs) == 1  # it did exist


async def test_a_create_that_never_left_is_retried_and_does_not_say_it_may_exist() -> None:
    calls = 0

    def refuse_then_create(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(APIConnectionError) as caught:
        await create(make_client(refuse_then_create, FakeClock()))
    assert calls == 3  # a connect error provably never left: safe to retry a POST
    assert not caught.value.may_have_applied
    assert "may exist" not in str(caught.value)


@pytest.mark.parametrize(("fate", "error"), [("503", ServerError), ("500", ServerError)])
async def test_a_5xx_create_says_the_job_may_exist_only_when_it_may(
    fate: str, error: type[Exception]
) -> None:
    api = CreatesAPI()
    api.fate = [fate]
    with pytest.raises(error) as caught:
        await create(client_for(api))
    assert ("the job may exist" in str(caught.value)) is (fate == "500")


async def test_no_marker_is_added_unless_asked() -> None:
    api = CreatesAPI()
    await create(client_for(api), user_data={"mine": 1})
    assert api.bodies[0]["userData"] == {"mine": 1}


# -- recover=True: the way back --------------------------------------------------------------------


@pytest.mark.parametrize("fate", ["lost-after", "garbage", "500"])
async def test_recover_finds_the_job_a_lost_create_made(fate: str) -> None:
    api = CreatesAPI(existing=250)  # three pages, oldest first: the new job is on page 3
    api.fate = [fate]
    job = await create(client_for(api), user_data={"order": 7}, recover=True)
    marker = api.bodies[0]["userData"][MARKER_KEY]  # type: ignore[index]
    assert isinstance(marker, str) and len(marker) == 32
    assert job.user_data == {"order": 7, MARKER_KEY: marker}  # type: ignore[attr-defined]
    assert job.raw_response is not None  # read again by id  # type: ignore[attr-defined]
    new_id = api.jobs[-1]["id"]
    assert api.requests == [
        "POST /v1/encoder/jobs",
        "GET /v1/encoder/jobs?page=1",
        "GET /v1/encoder/jobs?page=3",
        f"GET /v1/encoder/jobs/{new_id}",
    ]
    assert len(api.jobs) == 251  # one job, not two


async def test_recover_on_a_short_listing_reads_one_page() -> None:
    api = CreatesAPI(existing=3)
    api.fate = ["lost-after"]
    job = await create(client_for(api), recover=True)
    assert job.id == api.jobs[-1]["id"]  # type: ignore[attr-defined]
    assert api.requests[1:3] == ["GET /v1/encoder/jobs?page=1", f"GET /v1/encoder/jobs/{job.id}"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fate", "error"),
    [("lost-before", APIConnectionError), ("garbage-before", ResponseValidationError)],
)
async def test_recover_says_not_created_when_no_job_carries_the_marker(
    fate: str, error: type[APIConnectionError | ResponseValidationError]
) -> None:
    api = CreatesAPI(existing=450)
    api.fate = [fate]
    with pytest.raises(error) as caught:
        await create(client_for(api), recover=True)
    marker = api.bodies[0]["userData"][MARKER_KEY]  # type: ignore[index]
    assert f"no job on the newest pages carries its marker {marker}" in str(caught.value)
    assert "most likely not created" in str(caught.value)
    if isinstance(caught.value, APIConnectionError):
        assert caught.value.may_have_applied  # still: nothing is certain
    # Page 1, then the newest NEWEST_PAGES pages of the oldest-first listing, no more.
    assert api.requests[1:] == [
        "GET /v1/encoder/jobs?page=1",
        *(f"GET /v1/encoder/jobs?page={5 - n}" for n in range(NEWEST_PAGES)),
    ]
    assert len(api.jobs) == 450


async def test_recover_keeps_the_callers_own_marker() -> None:
    api = CreatesAPI(existing=1)
    api.fate = ["lost-after"]
    job = await create(client_for(api), user_data={MARKER_KEY: "order-7"}, recover=True)
    assert api.bodies[0]["userData"] == {MARKER_KEY: "order-7"}
    assert job.user_data == {MARKER_KEY: "order-7"}  # type: ignore[attr-defined]


async def test_recover_does_not_look_when_the_create_provably_was_not_applied() -> None:
    api = CreatesAPI()
    api.fate = ["503", "503", "503"]
    with pytest.raises(ServerError):
        await create(client_for(api), recover=True)
    assert all(r.startswith("POST") for r in api.requests)  # no search after a 503


async def test_recover_that_cannot_list_says_so_and_raises_the_original_error() -> None:
    api = CreatesAPI()
    api.fate = ["garbage"]
    api.list_fails = True
    with pytest.raises(ResponseValidationError) as caught:
        await create(client_for(api), recover=True)
    assert "the job may exist; looking for it failed: GET /v1/encoder/jobs" in str(caught.value)


async def test_recover_with_an_invalid_body_is_refused_before_sending() -> None:
    api = CreatesAPI()
    with pytest.raises(InvalidRequestError):
        await client_for(api).jobs.create(video_url=SOURCE, presets=[], recover=True)
    assert api.requests == []
