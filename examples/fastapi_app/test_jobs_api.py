"""The FastAPI recipe, tested against the emulator (the ``videosdk_emulator`` fixture).

``httpx.ASGITransport`` calls the app directly but never runs its lifespan, so the client
the lifespan opens would not exist: ``asgi_lifespan.LifespanManager`` runs the lifespan
around the test. The disconnect test serves the app with uvicorn on a loopback port instead,
because only a real socket can go away.

Needs: pytest, pytest-asyncio, asgi-lifespan, fastapi, ``videosdk-async[emulator]``.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from jobs_api import create_app

from videosdk_async import AsyncEncoderClient, CallNext, RetryPolicy, TimeoutPolicy
from videosdk_async.emulator import Emulator, serve

pytestmark = pytest.mark.asyncio

PRESETS = [{"resolutions": ["360", "720"], "format": "hls"}]
JOB = {"video_url": "https://example.com/talk.mp4", "presets": PRESETS}


async def skip_backoff(seconds: float) -> None:
    """Retries happen at once here: the retry policy's sleep is injectable."""


# --8<-- [start:running]
def client_for(emulator: Emulator, **options: Any) -> Callable[[], AsyncEncoderClient]:
    """What the lifespan will call to open the app's one client, pointed at the emulator."""

    settings: dict[str, Any] = {
        "api_key": emulator.api_key,
        "secret": emulator.secret,
        "base_url": emulator.base_url,
        "retry": RetryPolicy(sleep=skip_backoff),
        **options,
    }

    def make() -> AsyncEncoderClient:
        return AsyncEncoderClient(**settings)

    return make


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run, and an HTTP client that calls it in process."""
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://jobs-api"
        ) as http,
    ):
        yield http


# --8<-- [end:running]


# --8<-- [start:api-fixture]
@pytest_asyncio.fixture
async def api(videosdk_emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(client_for(videosdk_emulator))) as http:
        yield http


# --8<-- [end:api-fixture]


async def test_create_get_list_and_delete(
    api: httpx.AsyncClient, videosdk_emulator: Emulator
) -> None:
    created = await api.post("/jobs", json=JOB)
    assert created.status_code == 200, created.text
    job_id = created.json()["id"]
    assert created.json()["status"] == "queued"

    fetched = await api.get(f"/jobs/{job_id}")
    assert fetched.status_code == 200
    assert fetched.json()["videoUrl"] == JOB["video_url"]

    listed = await api.get("/jobs", params={"per_page": 10})
    assert [job["id"] for job in listed.json()["data"]] == [job_id]

    deleted = await api.delete(f"/jobs/{job_id}")
    assert deleted.status_code == 200
    assert deleted.json()["outcome"] == "deleted"
    assert deleted.json()["job"]["id"] == job_id
    assert videosdk_emulator.ledger.deletes(job_id) == 1

    missing = await api.get(f"/jobs/{job_id}")
    assert missing.status_code == 404
    assert job_id in missing.json()["detail"]


async def test_input_the_sdk_refuses_is_a_422_and_nothing_is_sent(
    api: httpx.AsyncClient, videosdk_emulator: Emulator
) -> None:
    bad = {"video_url": JOB["video_url"], "presets": [{"resolutions": ["999"], "format": "hls"}]}
    answer = await api.post("/jobs", json=bad)
    assert answer.status_code == 422
    assert "999" in answer.json()["detail"]
    assert videosdk_emulator.request_count("POST", "/v1/encoder/jobs") == 0

    not_an_id = await api.get("/jobs/a%20b")  # the SDK refuses an id it cannot put in a URL
    assert not_an_id.status_code == 422
    assert videosdk_emulator.requests() == []


async def test_a_job_that_is_no_longer_queued_is_a_409(
    api: httpx.AsyncClient, videosdk_emulator: Emulator
) -> None:
    job_id = (await api.post("/jobs", json=JOB)).json()["id"]
    videosdk_emulator.force_status(job_id, "processing", hold=True)

    answer = await api.delete(f"/jobs/{job_id}")
    assert answer.status_code == 409
    assert "processing" in answer.json()["detail"]
    assert videosdk_emulator.ledger.deletes(job_id) == 0


async def test_a_delete_whose_answer_was_lost_is_gone_not_404(
    api: httpx.AsyncClient, videosdk_emulator: Emulator
) -> None:
    job_id = (await api.post("/jobs", json=JOB)).json()["id"]
    # The API deletes the job, then the connection drops before the answer: the SDK retries,
    # meets a 404, and knows its first attempt most likely did it.
    videosdk_emulator.add_fault(
        kind="drop_after", route=f"DELETE /v1/encoder/jobs/{job_id}", times=1
    )

    answer = await api.delete(f"/jobs/{job_id}")
    assert answer.status_code == 200
    assert answer.json() == {"id": job_id, "outcome": "gone", "job": None}
    assert videosdk_emulator.ledger.deletes(job_id) == 1

    again = await api.delete(f"/jobs/{job_id}")  # our own caller retrying: still not a 404
    assert again.status_code == 200
    assert again.json()["outcome"] == "gone"
    assert videosdk_emulator.ledger.deletes(job_id) == 1


@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [
        ({"kind": "rate_limit", "retry_after": 7}, 429, "7"),
        ({"kind": "status", "status": 503, "retry_after": 4}, 503, "4"),
        ({"kind": "status", "status": 500}, 503, None),
    ],
    ids=["429-passes-retry-after", "503-passes-retry-after", "500-becomes-503"],
)
async def test_rate_limits_and_server_errors_pass_retry_after_through(
    api: httpx.AsyncClient,
    videosdk_emulator: Emulator,
    fault: dict[str, Any],
    status: int,
    retry_after: str | None,
) -> None:
    job_id = (await api.post("/jobs", json=JOB)).json()["id"]
    videosdk_emulator.add_fault(route="GET /v1/encoder/jobs/{jobId}", **fault)

    answer = await api.get(f"/jobs/{job_id}")
    assert answer.status_code == status
    assert answer.headers.get("retry-after") == retry_after
    # The SDK retried (three attempts) before the handler gave up.
    assert videosdk_emulator.request_count("GET", f"/v1/encoder/jobs/{job_id}") == 3


async def test_an_unreachable_api_is_a_502_without_its_details(
    videosdk_emulator: Emulator,
) -> None:
    with socket.socket() as taken:  # a port that is bound but never listens: refused
        taken.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{taken.getsockname()[1]}"
        async with running(create_app(client_for(videosdk_emulator, base_url=down))) as api:
            answer = await api.get("/jobs")
    assert answer.status_code == 502
    assert answer.json() == {"detail": "the encoding service could not be used; try again later"}


async def test_the_handler_budget_answers_504_and_503(videosdk_emulator: Emulator) -> None:
    # One in-flight slot, so a second call has to queue; a short budget so the test is short.
    in_flight = anyio.Event()

    async def note_sent(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        in_flight.set()
        return await call_next(request)

    make = client_for(videosdk_emulator, max_concurrency=1, middleware=[note_sent])
    app = create_app(make, budget=TimeoutPolicy(deadline=1, queue=0.1))
    job_id = videosdk_emulator.create_job({"videoUrl": JOB["video_url"], "presets": PRESETS})["id"]
    videosdk_emulator.add_fault(kind="hang", route="GET /v1/encoder/jobs/{jobId}", delay=30)

    answers: dict[str, httpx.Response] = {}
    async with running(app) as api, anyio.create_task_group() as group:

        async def get(name: str) -> None:
            answers[name] = await api.get(f"/jobs/{job_id}")

        group.start_soon(get, "slow")
        await in_flight.wait()  # the first call holds the only slot
        group.start_soon(get, "queued")

    assert answers["slow"].status_code == 504
    assert "deadline" in answers["slow"].json()["detail"]
    assert answers["queued"].status_code == 503
    assert answers["queued"].headers["retry-after"] == "1"


# --8<-- [start:disconnect-test]
async def test_a_client_that_disconnects_cancels_the_sdk_call_and_frees_its_slot(
    videosdk_emulator: Emulator,
) -> None:
    on_the_wire, cancelled = anyio.Event(), anyio.Event()

    async def trace(event: str, info: dict[str, Any]) -> None:  # httpcore's trace extension
        if event == "http11.send_request_headers.complete":
            on_the_wire.set()

    async def watch(request: httpx.Request, call_next: CallNext) -> httpx.Response:
        request.extensions["trace"] = trace
        try:
            return await call_next(request)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise

    # One slot: if the abandoned call kept it, the next request could not get it.
    make = client_for(videosdk_emulator, max_concurrency=1, middleware=[watch])
    app = create_app(make, budget=TimeoutPolicy(deadline=30, queue=5))
    stuck, other = (
        videosdk_emulator.create_job({"videoUrl": JOB["video_url"], "presets": PRESETS})["id"]
        for _ in range(2)
    )
    videosdk_emulator.add_fault(kind="hang", route=f"GET /v1/encoder/jobs/{stuck}", delay=60)

    async with serve(app) as server:  # uvicorn on a loopback port, lifespan and all
        browser = await anyio.connect_tcp(server.host, server.port)
        await browser.send(f"GET /jobs/{stuck} HTTP/1.1\r\nHost: jobs-api\r\n\r\n".encode())
        with anyio.fail_after(10):
            await on_the_wire.wait()  # the handler's SDK call reached the API, which hangs
            await browser.aclose()  # the browser goes away
            await cancelled.wait()  # the SDK call was cancelled where it waited

        async with httpx.AsyncClient(base_url=server.base_url) as http:
            answer = await http.get(f"/jobs/{other}")
        assert answer.status_code == 200  # the one slot was free again: no 503 from the queue

    # The abandoned call was sent once, and not retried or finished behind the scenes.
    assert videosdk_emulator.request_count("GET", f"/v1/encoder/jobs/{stuck}") == 1


# --8<-- [end:disconnect-test]


async def test_delete_queued_reports_every_outcome(
    api: httpx.AsyncClient, videosdk_emulator: Emulator
) -> None:
    ids = [(await api.post("/jobs", json=JOB)).json()["id"] for _ in range(3)]
    videosdk_emulator.force_status(ids[0], "processing", hold=True)

    dry = await api.post("/jobs/delete-queued", params={"dry_run": True})
    assert dry.json()["counts"] == {"would_delete": 2}

    done = await api.post("/jobs/delete-queued")
    assert done.status_code == 200
    assert done.json()["summary"] == "2 jobs: 2 deleted"
    assert sorted(done.json()["ids"]["deleted"]) == sorted(ids[1:])
    assert [videosdk_emulator.ledger.deletes(i) for i in ids] == [0, 1, 1]


async def test_the_deployed_app_reads_its_settings_from_the_environment(
    videosdk_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert videosdk_emulator.base_url is not None  # set once the fixture serves it
    monkeypatch.setenv("VIDEOSDK_BASE_URL", videosdk_emulator.base_url)
    monkeypatch.setenv("VIDEOSDK_API_KEY", videosdk_emulator.api_key)
    monkeypatch.setenv("VIDEOSDK_SECRET_KEY", videosdk_emulator.secret)
    monkeypatch.delenv("VIDEOSDK_TOKEN", raising=False)

    async with running(create_app()) as api:
        answer = await api.get("/jobs")
    assert answer.status_code == 200
    assert answer.json()["data"] == []
