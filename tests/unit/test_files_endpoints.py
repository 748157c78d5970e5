"""``client.files`` over a mock transport: where storage is, exact requests, errors, retries.

The mock API answers ``POST /v1/files`` with a storage URL on another host; every request is
recorded, so a test can say exactly what went where (and that the token never went to a host
it should not).
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from support import TOKEN, FakeClock, make_client

from videosdk_async import (
    APIConnectionError,
    AsyncEncoderClient,
    BadRequestError,
    ConfigurationError,
    InvalidRequestError,
    ServerError,
    StoredFileNotFoundError,
)
from videosdk_async.resources.files import UPLOAD_TIMEOUT

STORAGE = "https://storage-api.videosdk.live/v1/files"
FILE_ID = "6053115ebba24b4d700c8c49"
STORED = {"id": FILE_ID, "jobId": None, "size": 3, "type": "video", "filePath": "files/a.mp4"}
PRESET = {"resolutions": ["360"], "format": "hls"}


class Storage:
    """A mock API + storage service: records requests, answers like the real split."""

    def __init__(self, storage_url: str = STORAGE) -> None:
        self.storage_url = storage_url
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.upload_status: list[int] = []  # answers for the next uploads, then 200
        self.upload_errors: list[Exception] = []  # raised for the next uploads
        self.ask_errors = 0  # answer the next N questions with 503

    def asks(self) -> int:
        return sum(
            1
            for r in self.requests
            if r.url.path == "/v1/files" and r.url.host != "storage-api.videosdk.live"
        )

    def uploads(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and str(r.url) == self.storage_url]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.content)
        url = str(request.url.copy_with(query=None))
        if request.method == "POST" and request.url.path == "/v1/files" and url != self.storage_url:
            if self.ask_errors:
                self.ask_errors -= 1
                return httpx.Response(503, json={"message": "busy"})
            return httpx.Response(200, json={"url": self.storage_url})
        if request.method == "POST" and url == self.storage_url:
            if self.upload_errors:
                raise self.upload_errors.pop(0)
            if self.upload_status:
                return httpx.Response(self.upload_status.pop(0), json={"message": "nope"})
            size = len(request.content)
            return httpx.Response(200, json={**STORED, "size": size})
        if request.method == "POST" and request.url.path == "/v1/encoder/jobs":
            body = json.loads(request.content)
            return httpx.Response(200, json={"id": "j" * 24, "status": "queued", **body})
        if url.startswith(self.storage_url):
            if request.url.path.endswith("/missing0000000000000000"):
                return httpx.Response(404, json={"message": "File not found"})
            if request.method == "GET" and url == self.storage_url:
                info = {"currentPage": 1, "perPage": 20, "lastPage": 1}
                return httpx.Response(200, json={"pageInfo": info, "data": [STORED]})
            return httpx.Response(200, json=STORED)
        return httpx.Response(404, json={"message": f"no route {request.method} {url}"})


@pytest.fixture
def storage() -> Storage:
    return Storage()


@pytest.fixture
def client(storage: Storage, clean_env: pytest.MonkeyPatch) -> AsyncEncoderClient:
    async def answer(request: httpx.Request) -> httpx.Response:
        await anyio.lowlevel.checkpoint()  # let other tasks run, as a network would
        return storage(request)

    return make_client(answer, FakeClock())


# -- where storage is ------------------------------------------------------------------------------


async def test_fifty_concurrent_first_uploads_ask_once(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    results: list[str] = []

    async def upload(n: int) -> None:
        stored = await client.files.upload(f"video {n}".encode(), filename=f"{n}.mp4")
        results.append(stored.id)

    async with anyio.create_task_group() as group:
        for n in range(50):
            group.start_soon(upload, n)
    assert len(results) == 50
    assert storage.asks() == 1
    assert len(storage.uploads()) == 50
    copy = client.with_options(timeout=5)  # a copy shares the answer
    await copy.files.upload(b"one more")
    other_pool = client.with_options(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(storage))
    )
    await other_pool.files.get(FILE_ID)
    assert storage.asks() == 1
    assert await client.files.storage_url() == STORAGE


async def test_the_question_is_a_post_to_the_api_with_the_token(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    await client.files.list()
    ask, listing = storage.requests
    assert (ask.method, str(ask.url)) == ("POST", "https://api.videosdk.live/v1/files")
    assert ask.headers["Authorization"] == TOKEN
    assert ask.headers["Content-Type"] == "application/json" and ask.content == b"{}"
    assert (listing.method, str(listing.url)) == ("GET", f"{STORAGE}?page=1&perPage=20")
    assert listing.headers["Authorization"] == TOKEN


async def test_a_failed_question_is_not_remembered(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    storage.ask_errors = 1  # a POST: a 503 is not retried
    with pytest.raises(ServerError, match="POST /v1/files: server error"):
        await client.files.get(FILE_ID)
    assert await client.files.get(FILE_ID)
    assert storage.asks() == 2


async def test_storage_url_setting_and_environment_skip_the_question(
    storage: Storage, clean_env: pytest.MonkeyPatch
) -> None:
    configured = make_client(storage, FakeClock(), storage_url=STORAGE + "/")
    await configured.files.upload(b"abc")
    clean_env.setenv("VIDEOSDK_STORAGE_URL", STORAGE)
    from_env = make_client(storage, FakeClock())
    await from_env.files.get(FILE_ID)
    assert storage.asks() == 0
    assert [str(r.url) for r in storage.requests] == [STORAGE, f"{STORAGE}/{FILE_ID}"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("http://storage.example.com/v1/files", "plain http to a non-loopback host"),
        ("https://user:pw@storage.example.com/v1/files", "must not carry credentials"),
        ("   ", "storage_url is empty"),
        ("ftp://storage.example.com", "must be an http(s) URL"),
    ],
)
def test_a_bad_storage_url_setting_is_refused(
    setting: str, message: str, clean_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AsyncEncoderClient(TOKEN, storage_url=setting)
    clean_env.setenv("VIDEOSDK_STORAGE_URL", setting)
    with pytest.raises(ConfigurationError, match="VIDEOSDK_STORAGE_URL"):
        AsyncEncoderClient(TOKEN)


async def test_a_storage_url_the_server_names_is_checked_before_the_token_goes_there(
    clean_env: pytest.MonkeyPatch,
) -> None:
    storage = Storage("http://storage.example.com/v1/files")
    client = make_client(storage, FakeClock())
    with pytest.raises(ConfigurationError) as caught:
        await client.files.upload(b"abc")
    message = str(caught.value)
    assert "the storage URL named by POST /v1/files at https://api.videosdk.live" in message
    assert "plain http to a non-loopback host" in message
    assert [r.url.host for r in storage.requests] == ["api.videosdk.live"]  # never sent there

    loopback = Storage("http://127.0.0.1:8787/storage/v1/files")
    await make_client(loopback, FakeClock()).files.upload(b"abc")
    assert str(loopback.uploads()[0].url) == "http://127.0.0.1:8787/storage/v1/files"


async def test_an_empty_storage_url_answer_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    def empty(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"url": " "})

    client = make_client(empty, FakeClock())
    with pytest.raises(ConfigurationError, match="is empty; the API did not say where storage"):
        await client.files.list()


async def test_a_relative_storage_url_is_taken_on_the_api_host(
    clean_env: pytest.MonkeyPatch,
) -> None:
    storage = Storage("https://api.videosdk.live/storage/v1/files")

    def relative(request: httpx.Request) -> httpx.Response:
        if str(request.url) == "https://api.videosdk.live/v1/files":
            storage.requests.append(request)
            return httpx.Response(200, json={"url": "/storage/v1/files"})
        return storage(request)

    client = make_client(relative, FakeClock())
    assert await client.files.storage_url() == "https://api.videosdk.live/storage/v1/files"


# -- the upload request ----------------------------------------------------------------------------


async def test_the_upload_request_exactly(
    client: AsyncEncoderClient, storage: Storage, tmp_path: Path
) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"0123456789")
    stored = await client.files.upload(source, extra_headers={"X-Trace": "t1"})
    assert stored.id == FILE_ID and stored.size == len(storage.bodies[-1])
    (upload,) = storage.uploads()
    content_type = upload.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1]
    assert (
        storage.bodies[-1]
        == (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
            "0123456789"
            f"\r\n--{boundary}--\r\n"
        ).encode()
    )
    assert upload.headers["Content-Length"] == str(len(storage.bodies[-1]))
    assert upload.headers["Authorization"] == TOKEN
    assert upload.headers["X-Trace"] == "t1"
    assert stored.raw_response is not None and stored.raw_response.status_code == 200


async def test_an_upload_has_no_deadline_but_per_chunk_timeouts(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    assert client.timeout is not None and client.timeout.deadline == 30  # the client's own
    await client.files.upload(b"abc")
    timeouts = storage.uploads()[0].extensions["timeout"]
    assert timeouts == {"connect": 5.0, "read": 120.0, "write": 60.0, "pool": 5.0}
    assert UPLOAD_TIMEOUT.deadline is None
    await client.files.upload(b"abc", timeout=2)
    cut = storage.uploads()[1].extensions["timeout"]
    assert max(cut.values()) <= 2  # a deadline of 2 s cuts every per-attempt timeout
    await client.files.get(FILE_ID)  # other calls keep the client's policy
    assert storage.requests[-1].extensions["timeout"]["read"] == 20.0


async def test_a_failed_upload_says_how_much_was_sent(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    storage.upload_status = [500]
    with pytest.raises(ServerError) as caught:
        await client.files.upload(b"x" * 1000, filename="big.mp4")
    error = caught.value
    assert error.bytes_sent == 1000
    assert str(error).endswith("(upload of 'big.mp4': 1,000 of 1,000 bytes sent)")
    assert error.message == str(error)
    assert len(storage.uploads()) == 1  # a POST that may have been applied is never retried


async def test_a_connect_failure_resends_a_repeatable_source_whole(
    client: AsyncEncoderClient, storage: Storage, tmp_path: Path
) -> None:
    source = tmp_path / "again.mp4"
    source.write_bytes(b"abcdef" * 100_000)
    storage.upload_errors = [httpx.ConnectError("refused")]
    seen: list[tuple[int, int | None]] = []
    stored = await client.files.upload(source, on_progress=lambda s, t: seen.append((s, t)))
    assert stored.raw_response is not None and stored.raw_response.attempts == 2
    first, second = (
        storage.bodies[i] for i, r in enumerate(storage.requests) if r in storage.uploads()
    )
    assert first == second and b"abcdef" * 100_000 in second
    assert [s for s, _ in seen].count(0) == 2 and seen[-1] == (600_000, 600_000)


async def test_a_one_shot_stream_is_never_retried(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    async def live() -> AsyncIterator[bytes]:
        yield b"frame-1"
        yield b"frame-2"

    storage.upload_errors = [httpx.ConnectError("refused")]
    with pytest.raises(APIConnectionError) as caught:
        await client.files.upload(live(), filename="live.ts")
    assert len(storage.uploads()) == 1
    assert caught.value.bytes_sent == 14  # the mock read the whole body before refusing
    assert "(upload of 'live.ts': 14 of ? bytes sent)" in str(caught.value)


async def test_missing_paths_and_bad_timeouts_send_nothing(
    client: AsyncEncoderClient, storage: Storage, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequestError, match="no such file"):
        await client.files.upload(tmp_path / "nope.mp4")
    with pytest.raises(ConfigurationError, match="timeout"):
        await client.files.upload(b"abc", timeout="soon")  # type: ignore[arg-type]
    assert storage.requests == []


# -- list, get, delete -----------------------------------------------------------------------------


async def test_list_get_delete_requests(client: AsyncEncoderClient, storage: Storage) -> None:
    page = await client.files.list(page=2, per_page=50, extra_query={"q": "x"})
    assert [f.id for f in page.data] == [FILE_ID]
    got = await client.files.get(FILE_ID)
    deleted = await client.files.delete(FILE_ID)
    assert got.id == deleted.id == FILE_ID
    assert [(r.method, str(r.url)) for r in storage.requests[1:]] == [
        ("GET", f"{STORAGE}?page=2&perPage=50&q=x"),
        ("GET", f"{STORAGE}/{FILE_ID}"),
        ("DELETE", f"{STORAGE}/{FILE_ID}"),
    ]
    assert [f.id async for f in client.files.iterate()] == [FILE_ID]


async def test_a_missing_file_is_a_typed_error_naming_it(client: AsyncEncoderClient) -> None:
    missing = "missing0000000000000000"
    for call in (client.files.get, client.files.delete):
        with pytest.raises(StoredFileNotFoundError) as caught:
            await call(missing)
        error = caught.value
        assert error.file_id == missing and error.status_code == 404
        assert f"/v1/files/{missing}: file {missing} was not found" in str(error)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.files.get("../jobs"), "file id '../jobs' is not valid"),
        (lambda c: c.files.delete(""), "file id is empty"),
        (lambda c: c.files.list(per_page=101), "per_page must be at most 100"),
    ],
)
async def test_bad_ids_and_paging_are_refused_before_io(
    client: AsyncEncoderClient, storage: Storage, call: Callable[[Any], Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        await call(client)
    assert storage.requests == []


async def test_a_delete_whose_answer_was_lost_and_then_404_is_gone(
    clean_env: pytest.MonkeyPatch,
) -> None:
    storage = Storage()
    attempts = 0

    def lose_then_404(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        if request.method == "DELETE":
            attempts += 1
            if attempts == 1:
                raise httpx.ReadTimeout("lost")
            return httpx.Response(404, json={"message": "File not found"})
        return storage(request)

    client = make_client(lose_then_404, FakeClock())
    gone = await client.files.delete(FILE_ID)
    assert gone.id == FILE_ID
    assert gone.raw_response is not None and gone.raw_response.gone


# -- jobs.create(video=...) ------------------------------------------------------------------------


async def test_create_from_a_video_uploads_then_creates(
    client: AsyncEncoderClient, storage: Storage
) -> None:
    job = await client.jobs.create(video=b"source", presets=[PRESET], user_data={"n": 1})
    assert [(r.method, r.url.path) for r in storage.requests] == [
        ("POST", "/v1/files"),
        ("POST", "/v1/files"),  # on the storage host
        ("POST", "/v1/encoder/jobs"),
    ]
    assert json.loads(storage.bodies[-1]) == {
        "videoId": FILE_ID,
        "presets": [PRESET],
        "userData": {"n": 1},
    }
    assert job.video_id == FILE_ID


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"presets": []}, "presets"),
        ({"presets": [{"resolutions": ["999"], "format": "hls"}]}, "unknown resolution"),
        ({"presets": [PRESET], "video_id": FILE_ID}, "exactly one of video, video_id"),
        ({"request": {"presets": [PRESET]}}, "not request"),
    ],
)
async def test_create_from_a_video_checks_the_job_before_uploading(
    client: AsyncEncoderClient, storage: Storage, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        await client.jobs.create(video=b"source", **kwargs)
    assert storage.requests == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are Python 3.11+")
async def test_a_create_that_fails_after_the_upload_names_the_file(
    clean_env: pytest.MonkeyPatch,
) -> None:
    storage = Storage()

    def refuse_create(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/encoder/jobs":
            return httpx.Response(400, json={"message": "bad"})
        return storage(request)

    client = make_client(refuse_create, FakeClock())
    with pytest.raises(BadRequestError) as caught:
        await client.jobs.create(video=b"source", presets=[PRESET])
    assert str(caught.value).endswith(
        f"; the video was uploaded as file {FILE_ID}: create the job from video_id"
    )
