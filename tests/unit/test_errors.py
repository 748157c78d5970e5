"""The status -> typed error mapping, odd error bodies, and messages (one line, no secrets)."""

from __future__ import annotations

import email.utils
import types
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support import JOB_ID, JOB_PATH, SECRET, TOKEN

import videosdk_async._http as http_helpers
import videosdk_async._responses as _responses
from videosdk_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncEncoderClient,
    AuthenticationError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    JobNotDeletableError,
    JobNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
    VideoSDKError,
)

# What a server echoing the caller's token would put in a body.
ECHOED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhcGlrZXkiOiJlY2hvIn0.ZWNoby1zaWduYXR1cmUtdmFsdWUtMTIz"


@pytest.fixture
async def client(api: respx.MockRouter) -> AsyncIterator[AsyncEncoderClient]:
    async with AsyncEncoderClient(token=TOKEN, retry=None) as c:
        yield c


def assert_clean_message(error: BaseException) -> str:
    """One line, no token or secret; returns the message."""
    text = str(error)
    assert "\n" not in text and "\r" not in text
    for secret in (TOKEN, SECRET, ECHOED_JWT):
        assert secret not in text
        assert secret not in repr(error)
    return text


def job_body(status: str = "queued", job_id: str = JOB_ID) -> dict[str, Any]:
    return {"id": job_id, "status": status, "videoId": "v1", "presets": []}


# -- status -> error class --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls", "reason"),
    [
        (400, BadRequestError, "request refused"),
        (
            401,
            AuthenticationError,
            "the token was refused{job} (credentials from the token argument); "
            "check the API key, secret or token",
        ),
        (403, PermissionDeniedError, "permission denied"),
        (409, ConflictError, "request refused"),
        (418, APIStatusError, "request refused"),
        (422, UnprocessableEntityError, "request refused"),
        (500, ServerError, "server error"),
        (502, ServerError, "server error"),
        (503, ServerError, "server error"),
        (504, ServerError, "server error"),
    ],
)
async def test_get_status_maps_to_typed_error_naming_the_job(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    status: int,
    cls: type[APIStatusError],
    reason: str,
) -> None:
    api.get(JOB_PATH).respond(status, json={"message": "Nope"})

    with pytest.raises(cls) as info:
        await client.jobs.get(JOB_ID)

    err = info.value
    assert type(err) is cls
    described = (
        reason.format(job=f" for job {JOB_ID}")
        if "{job}" in reason
        else (f"{reason} for job {JOB_ID}")
    )
    assert str(err) == f"GET {JOB_PATH}: {described} (HTTP {status}: Nope)"
    assert (err.status_code, err.body, err.server_message) == (status, {"message": "Nope"}, "Nope")
    assert (err.method, err.job_id, err.attempts) == ("GET", JOB_ID, 1)
    assert err.url == f"https://api.videosdk.live{JOB_PATH}"
    assert isinstance(err, VideoSDKError)
    assert_clean_message(err)


async def test_get_404_is_job_not_found(client: AsyncEncoderClient, api: respx.MockRouter) -> None:
    api.get(JOB_PATH).respond(404, json={"message": "Job not found"})

    with pytest.raises(JobNotFoundError) as info:
        await client.jobs.get(JOB_ID)

    assert (
        str(info.value) == f"GET {JOB_PATH}: job {JOB_ID} was not found (HTTP 404: Job not found)"
    )
    assert info.value.job_id == JOB_ID
    assert isinstance(info.value, NotFoundError)
    assert not isinstance(info.value, JobNotDeletableError)


async def test_list_404_without_a_job_is_plain_not_found(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get("/v1/encoder/jobs").respond(404, text="")

    with pytest.raises(NotFoundError) as info:
        await client.jobs.list()

    assert type(info.value) is NotFoundError
    assert str(info.value) == "GET /v1/encoder/jobs: not found (HTTP 404)"
    assert info.value.job_id is None


async def test_create_422_is_unprocessable_without_a_job(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.post("/v1/encoder/jobs").respond(422, json={"error": "videoId does not exist"})

    with pytest.raises(UnprocessableEntityError) as info:
        await client.jobs.create(video_id="v", presets=[{"resolutions": ["360"], "format": "hls"}])

    assert str(info.value) == (
        "POST /v1/encoder/jobs: request refused (HTTP 422: videoId does not exist)"
    )


async def test_401_with_fixed_token_is_authentication_error(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    route = api.get(JOB_PATH).respond(401, json={"message": "Unauthorized"})

    with pytest.raises(AuthenticationError) as info:
        await client.jobs.get(JOB_ID)

    assert route.call_count == 1
    assert "check the API key, secret or token" in assert_clean_message(info.value)


# -- odd error bodies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "said", "body"),
    [
        (httpx.Response(409, json={"message": "busy"}), "busy", {"message": "busy"}),
        (httpx.Response(409, json={"error": "busy"}), "busy", {"error": "busy"}),
        (
            httpx.Response(409, json={"error": {"code": 9, "message": "nested busy"}}),
            "nested busy",
            {"error": {"code": 9, "message": "nested busy"}},
        ),
        (httpx.Response(409, json={"detail": "busy"}), "busy", {"detail": "busy"}),
        (
            httpx.Response(409, json={"code": 7, "reason": "locked"}),
            '{"code": 7, "reason": "locked"}',
            {"code": 7, "reason": "locked"},
        ),
        (httpx.Response(409, json={"message": ""}), '{"message": ""}', {"message": ""}),
        (httpx.Response(409, json=["a", "b"]), '["a", "b"]', ["a", "b"]),
        (httpx.Response(409, json="just a string"), "just a string", "just a string"),
        (httpx.Response(409, text="Conflict: try later"), "Conflict: try later", None),
        (httpx.Response(409, text="  \n"), None, None),
        (httpx.Response(409), None, None),
        (httpx.Response(409, json={}), None, {}),
    ],
)
async def test_odd_error_bodies(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    response: httpx.Response,
    said: str | None,
    body: Any,
) -> None:
    api.get(JOB_PATH).mock(return_value=response)

    with pytest.raises(ConflictError) as info:
        await client.jobs.get(JOB_ID)

    err = info.value
    assert err.server_message == said
    if body is not None or said is None:
        assert err.body == body
    else:
        assert err.body == said  # a text body is kept as text
    tail = f"(HTTP 409: {said})" if said else "(HTTP 409)"
    assert str(err) == f"GET {JOB_PATH}: request refused for job {JOB_ID} {tail}"


async def test_html_error_page_becomes_a_short_single_line(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    html = (
        "<!DOCTYPE html>\n<html>\n  <head><title>502 Bad Gateway</title></head>\n"
        "  <body>\n    <h1>Bad Gateway</h1>\n"
        + "    <p>upstream hiccup</p>\n" * 40
        + "</body></html>"
    )
    api.get(JOB_PATH).respond(502, text=html, headers={"Content-Type": "text/html"})

    with pytest.raises(ServerError) as info:
        await client.jobs.get(JOB_ID)

    message = assert_clean_message(info.value)
    assert message.startswith(
        f"GET {JOB_PATH}: server error for job {JOB_ID} (HTTP 502: <!DOCTYPE html> <html> <head>"
    )
    assert info.value.server_message is not None
    assert len(info.value.server_message) <= 200
    assert info.value.server_message.endswith("…")
    assert info.value.body == html  # the full body stays available on the error


# -- 429 and Retry-After ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "retry_after", "wait_text"),
    [
        ({"Retry-After": "7"}, 7.0, "; the server asked to wait 7s"),
        ({"Retry-After": " 2.5 "}, 2.5, "; the server asked to wait 2.5s"),
        ({"retry-after-ms": "1500"}, 1.5, "; the server asked to wait 1.5s"),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25, "; the server asked to wait 0.25s"),
        ({"retry-after-ms": "soon", "Retry-After": "3"}, 3.0, "; the server asked to wait 3s"),
        ({"Retry-After": "-5"}, 0.0, "; the server asked to wait 0s"),
        ({"Retry-After": "whenever"}, None, ""),
        ({}, None, ""),
    ],
)
async def test_429_carries_retry_after(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    headers: dict[str, str],
    retry_after: float | None,
    wait_text: str,
) -> None:
    api.get("/v1/encoder/jobs").respond(429, json={"message": "slow down"}, headers=headers)

    with pytest.raises(RateLimitError) as info:
        await client.jobs.list()

    assert info.value.retry_after == retry_after
    assert str(info.value) == f"GET /v1/encoder/jobs: rate limited{wait_text} (HTTP 429: slow down)"


async def test_429_retry_after_as_http_date(
    client: AsyncEncoderClient, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_700_000_000.0
    monkeypatch.setattr(http_helpers, "time", types.SimpleNamespace(time=lambda: now))
    when = email.utils.formatdate(now + 42, usegmt=True)
    api.get(JOB_PATH).respond(429, headers={"Retry-After": when})

    with pytest.raises(RateLimitError) as info:
        await client.jobs.get(JOB_ID)

    assert info.value.retry_after == pytest.approx(42.0)
    assert info.value.job_id == JOB_ID
    assert (
        str(info.value) == f"GET {JOB_PATH}: rate limited; the server asked to wait 42s (HTTP 429)"
    )


async def test_429_retry_after_http_date_in_the_past_is_zero(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOB_PATH).respond(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})

    with pytest.raises(RateLimitError) as info:
        await client.jobs.get(JOB_ID)

    assert info.value.retry_after == 0.0


# -- delete refused: not deletable vs not found ------------------------------------------------


@pytest.mark.parametrize("status", [400, 405, 409, 412, 422])
async def test_delete_refusal_is_job_not_deletable(
    client: AsyncEncoderClient, api: respx.MockRouter, status: int
) -> None:
    api.delete(JOB_PATH).respond(status, json={"message": "Job is processing"})

    with pytest.raises(JobNotDeletableError) as info:
        await client.jobs.delete(JOB_ID)

    err = info.value
    assert (err.job_id, err.job_status, err.status_code) == (JOB_ID, "processing", status)
    assert str(err) == (
        f"DELETE {JOB_PATH}: job {JOB_ID} cannot be deleted because it is processing; "
        f"only queued jobs can be deleted (HTTP {status}: Job is processing)"
    )
    assert not isinstance(err, NotFoundError)
    assert_clean_message(err)


@pytest.mark.parametrize(
    ("response", "job_status"),
    [
        (httpx.Response(409, json={"status": "completed"}), "completed"),
        (httpx.Response(409, json={"status": "failed", "message": "refused"}), "failed"),
        (httpx.Response(409, json={"job": {"id": JOB_ID, "status": "processing"}}), "processing"),
        (httpx.Response(409, json={"data": {"status": "completed"}}), "completed"),
        (httpx.Response(409, json={"status": "archived"}), "archived"),  # unknown kept raw
        (httpx.Response(409, json={"message": "Job status: COMPLETED"}), "completed"),
        (httpx.Response(409, json={"error": "cannot delete a failed job"}), "failed"),
        (httpx.Response(409, text="job is already completed"), "completed"),
        (
            httpx.Response(409, json={"status": "error", "message": "job is still processing"}),
            "processing",
        ),
        (
            httpx.Response(400, json={"message": "Deletion failed: job is processing"}),
            "processing",
        ),
        (
            httpx.Response(400, json={"message": "Only queued jobs can be deleted"}),
            None,
        ),
        (httpx.Response(409, json={"status": "error"}), None),
        (httpx.Response(409, json={"status": 409, "message": "Conflict"}), None),
        (httpx.Response(409), None),
        (httpx.Response(409, text="<html><body>Conflict</body></html>"), None),
    ],
)
async def test_delete_refusal_reads_job_status_from_the_body(
    client: AsyncEncoderClient,
    api: respx.MockRouter,
    response: httpx.Response,
    job_status: str | None,
) -> None:
    api.delete(JOB_PATH).mock(return_value=response)

    with pytest.raises(JobNotDeletableError) as info:
        await client.jobs.delete(JOB_ID)

    err = info.value
    assert err.job_status == job_status
    why = f"it is {job_status}" if job_status else "it is no longer queued"
    assert str(err).startswith(f"DELETE {JOB_PATH}: job {JOB_ID} cannot be deleted because {why};")
    assert_clean_message(err)


async def test_delete_404_is_not_found_not_not_deletable(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.delete(JOB_PATH).respond(404, json={"error": "No such job"})

    with pytest.raises(JobNotFoundError) as info:
        await client.jobs.delete(JOB_ID)

    assert type(info.value) is JobNotFoundError
    assert str(info.value) == (
        f"DELETE {JOB_PATH}: job {JOB_ID} was not found (HTTP 404: No such job)"
    )


@pytest.mark.parametrize(("status", "cls"), [(403, PermissionDeniedError), (500, ServerError)])
async def test_other_delete_failures_are_not_not_deletable(
    client: AsyncEncoderClient, api: respx.MockRouter, status: int, cls: type[APIStatusError]
) -> None:
    api.delete(JOB_PATH).respond(status, json={"message": "job is processing"})

    with pytest.raises(cls) as info:
        await client.jobs.delete(JOB_ID)

    assert not isinstance(info.value, JobNotDeletableError)
    assert JOB_ID in str(info.value)


# -- secrets never leak -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "quoted"),
    [
        ({"message": f"invalid token {ECHOED_JWT}"}, True),
        ({"message": f"Authorization: {TOKEN} rejected"}, True),
        ({"message": f"Bearer {SECRET} rejected"}, True),
        (f"refused token={SECRET}", True),
        ({"code": 1, "token": ECHOED_JWT}, True),  # no message: the whole body is quoted
        ({"code": 1, "secret": SECRET}, True),
        ({"code": 1, "apiSecret": {"secret": SECRET}}, True),
        ({"error": "bad auth", "token": ECHOED_JWT}, False),  # only the message is quoted
    ],
)
async def test_error_bodies_echoing_credentials_are_redacted(
    client: AsyncEncoderClient, api: respx.MockRouter, body: Any, quoted: bool
) -> None:
    if isinstance(body, str):
        api.get(JOB_PATH).respond(401, text=body)
    else:
        api.get(JOB_PATH).respond(401, json=body)

    with pytest.raises(AuthenticationError) as info:
        await client.jobs.get(JOB_ID)

    assert_clean_message(info.value)
    assert ("[redacted" in str(info.value)) is quoted
    assert info.value.server_message is not None
    for secret in (TOKEN, SECRET, ECHOED_JWT):
        assert secret not in info.value.server_message


async def test_response_validation_snippet_is_redacted(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    body = '{"unexpected":"' + ECHOED_JWT + '"}'  # as sent: respx's own JSON spacing varies
    api.get(JOB_PATH).respond(200, content=body, headers={"Content-Type": "application/json"})

    with pytest.raises(ResponseValidationError) as info:
        await client.jobs.get(JOB_ID)

    assert ECHOED_JWT not in info.value.snippet
    assert info.value.snippet == '{"unexpected":"[redacted]"}'
    assert_clean_message(info.value)


# -- 2xx bodies that are not what the API documents ---------------------------------------------


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(200, text="<html><body>Maintenance</body></html>"), "body is not JSON"),
        (httpx.Response(200, text=""), "body is not JSON"),
        (httpx.Response(200, json={"status": "queued"}), "id: Field required"),
        (httpx.Response(200, json={"id": JOB_ID}), "status: Field required"),
        (httpx.Response(200, json={}), "id: Field required (+1 more)"),
        (httpx.Response(200, json=[job_body()]), "body: Input should be an object"),
        (httpx.Response(200, content=b"null"), "body: Input should be an object"),
        (
            httpx.Response(200, json={**job_body(), "presets": "hls"}),
            "presets: Input should be a valid array",
        ),
        (
            httpx.Response(200, json={**job_body(), "createdAt": "yesterday"}),
            "createdAt: Input should be a valid datetime",
        ),
    ],
)
async def test_bad_2xx_body_is_response_validation_error(
    client: AsyncEncoderClient, api: respx.MockRouter, response: httpx.Response, reason: str
) -> None:
    api.get(JOB_PATH).mock(return_value=response)

    with pytest.raises(ResponseValidationError) as info:
        await client.jobs.get(JOB_ID)

    err = info.value
    assert not isinstance(err, (ValidationError, KeyError))
    assert err.__cause__ is None and err.__suppress_context__
    message = assert_clean_message(err)
    assert message.startswith(
        f"GET {JOB_PATH} (job {JOB_ID}): the response is not a valid EncodingJob: {reason}"
    )
    assert (err.status_code, err.method, err.job_id) == (200, "GET", JOB_ID)
    assert len(err.snippet) <= 200
    assert message.endswith(f"; body starts: {err.snippet}")


async def test_bad_list_body_is_response_validation_error(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get("/v1/encoder/jobs").respond(
        200, json={"pageInfo": {"lastPage": 1}, "data": {"id": "x"}}
    )

    with pytest.raises(ResponseValidationError) as info:
        await client.jobs.list()

    assert "the response is not a valid AsyncJobPage: data: Input should be a valid array" in (
        str(info.value)
    )


async def test_long_2xx_body_snippet_is_cut(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOB_PATH).respond(200, text="x" * 5000)

    with pytest.raises(ResponseValidationError) as info:
        await client.jobs.get(JOB_ID)

    assert info.value.snippet == "x" * 199 + "…"


# -- transport failures -----------------------------------------------------------------------


async def test_connection_failure_is_api_connection_error(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOB_PATH).mock(side_effect=httpx.ConnectError("connection refused"))

    with pytest.raises(APIConnectionError) as info:
        await client.jobs.get(JOB_ID)

    assert type(info.value) is APIConnectionError
    assert str(info.value) == (
        f"GET {JOB_PATH} (job {JOB_ID}): connection to api.videosdk.live failed after 1 attempt "
        "(ConnectError: connection refused)"
    )
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_read_timeout_is_api_timeout_error(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.delete(JOB_PATH).mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(APITimeoutError) as info:
        await client.jobs.delete(JOB_ID)

    assert str(info.value) == (
        f"DELETE {JOB_PATH} (job {JOB_ID}): timed out after 1 attempt (ReadTimeout: timed out)"
        "; the request may have reached the server, so it may have taken effect"
    )
    assert info.value.job_id == JOB_ID
    assert info.value.may_have_applied  # a read timeout: the request had been sent


# -- the tree -----------------------------------------------------------------------------------


def test_error_tree() -> None:
    assert issubclass(InvalidRequestError, ValueError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(ClientStateError, RuntimeError)
    assert issubclass(JobNotFoundError, NotFoundError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert not issubclass(JobNotDeletableError, NotFoundError)
    for cls in (
        APIStatusError,
        APIConnectionError,
        ResponseValidationError,
        InvalidRequestError,
        ConfigurationError,
        ClientStateError,
    ):
        assert issubclass(cls, VideoSDKError)


JSON_HEADERS = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("response", "snippet"),
    [
        (httpx.Response(200, text=""), "(empty)"),
        (httpx.Response(200, text=" \n "), "(empty)"),
        (httpx.Response(200, content=b"null"), "null"),
        (httpx.Response(200, text="<html>\n<p>Down</p>\n</html>"), "<html> <p>Down</p> </html>"),
        # Raw bytes: httpx's own JSON encoding changed spacing between versions.
        (httpx.Response(200, content=b'{"id":1}', headers=JSON_HEADERS), '{"id":1}'),
    ],
)
async def test_2xx_snippet_shows_the_raw_body(
    client: AsyncEncoderClient, api: respx.MockRouter, response: httpx.Response, snippet: str
) -> None:
    api.get(JOB_PATH).mock(return_value=response)

    with pytest.raises(ResponseValidationError) as info:
        await client.jobs.get(JOB_ID)

    assert info.value.snippet == snippet
    assert str(info.value).endswith(f"; body starts: {snippet}")


async def test_an_echoed_opaque_token_is_masked_wherever_it_appears() -> None:
    """An opaque token has no shape to recognise: the exact value sent is masked."""
    token = "vsdk_live_9f8e7d6c5b4a"

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = request.headers["Authorization"]
        return httpx.Response(403, json={"message": f"credentials {echoed} rejected"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncEncoderClient(token, http_client=http, retry=None) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.jobs.get("abc")
    await http.aclose()
    assert token not in str(caught.value)
    assert token not in repr(caught.value)
    assert token not in (caught.value.server_message or "")
    assert "credentials [redacted] rejected" in str(caught.value)


@pytest.mark.secrets_generated
@settings(max_examples=150, deadline=None)
@given(
    token=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='"\\'),
        min_size=8,
        max_size=60,
    ),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    status=st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 503]),
    as_json=st.booleans(),
)
def test_no_echo_of_the_sent_token_survives_in_any_error(
    token: str, before: str, after: str, status: int, as_json: bool
) -> None:
    """Whatever a server wraps around the token it was sent, the error never shows it."""

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = f"{before}{request.headers['Authorization']}{after}"
        if as_json:
            return httpx.Response(status, json={"message": echoed})
        return httpx.Response(status, text=echoed)

    async def scenario() -> APIStatusError:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncEncoderClient(token, http_client=http, retry=None) as client:
            try:
                await client.jobs.delete("abc")
            except APIStatusError as exc:
                return exc
            finally:
                await http.aclose()
        raise AssertionError("no error raised")

    error = anyio.run(scenario)
    assert token not in str(error)
    assert token not in repr(error)
    assert token not in (error.server_message or "")


# -- what a mutation run found untested (issue 13) -------------------------------------------


async def test_a_status_error_carries_the_answers_headers(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOB_PATH).respond(
        418, json={"message": "teapot"}, headers={"X-Trace": "t-1", "Retry-After": "3"}
    )
    with pytest.raises(APIStatusError) as caught:
        await client.jobs.get(JOB_ID)
    assert caught.value.headers["x-trace"] == "t-1"
    assert caught.value.headers["retry-after"] == "3"
    assert caught.value.response is not None and caught.value.response.status_code == 418
    bare = APIStatusError(
        "m", method="GET", url="u", status_code=500, body=None, server_message=None
    )
    assert bare.headers == httpx.Headers()  # none given: empty, never None


async def test_a_get_that_meets_a_404_after_a_lost_answer_still_raises_not_found() -> None:
    """Only a delete turns "404 after a lost answer" into "done"; a read must not."""
    answers: list[Any] = [httpx.ReadError("reset"), httpx.Response(404, json={"message": "no"})]

    def handler(request: httpx.Request) -> httpx.Response:
        step = answers.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncEncoderClient(TOKEN, http_client=http, retry=2) as client:
        with pytest.raises(JobNotFoundError) as caught:
            await client.jobs.get(JOB_ID)
    assert caught.value.after_failure == "ReadError"
    assert caught.value.may_have_applied
    assert type(caught.value) is JobNotFoundError


@pytest.mark.parametrize(
    ("status", "applied"),
    [(500, True), (502, True), (504, True), (503, False), (429, False), (408, False), (400, False)],
)
async def test_which_answers_say_a_change_may_have_taken_effect(status: int, applied: bool) -> None:
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(status, json={"message": "x"}))
    )
    async with AsyncEncoderClient(TOKEN, http_client=http, retry=None) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.jobs.create(
                video_url="https://example.com/a.mp4",
                presets=[{"resolutions": ["360"], "format": "hls"}],
            )
    assert caught.value.may_have_applied is applied
    assert ("the job may exist" in str(caught.value)) is applied


async def test_a_402_is_a_plain_status_error_not_an_authentication_error(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.get(JOB_PATH).respond(402, json={"message": "pay"})
    with pytest.raises(APIStatusError) as caught:
        await client.jobs.get(JOB_ID)
    assert type(caught.value) is APIStatusError
    assert str(caught.value) == f"GET {JOB_PATH}: request refused for job {JOB_ID} (HTTP 402: pay)"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"error": {"error": {"message": "deep"}}}, "deep"),
        ({"error": {"error": {"error": {"message": "deeper"}}}}, "deeper"),
        # Three levels in, the search stops: the fourth level is shown as JSON.
        (
            {"error": {"error": {"error": {"error": {"message": "too deep"}}}}},
            '{"error": {"message": "too deep"}}',
        ),
        ({"error": [1, 2], "other": "x"}, '{"error": [1, 2], "other": "x"}'),
        ({"detail": 5, "msg": "the msg"}, "the msg"),
    ],
)
def test_where_the_servers_own_words_are_found(body: object, said: str) -> None:
    assert _responses.server_message(body) == said


async def test_a_long_request_id_and_a_long_job_status_are_cut(
    client: AsyncEncoderClient, api: respx.MockRouter
) -> None:
    api.delete(JOB_PATH).respond(
        409, json={"message": "no", "status": "s" * 60}, headers={"X-Request-Id": "r" * 300}
    )
    with pytest.raises(JobNotDeletableError) as caught:
        await client.jobs.delete(JOB_ID)
    assert caught.value.request_id == "r" * 127 + "…"
    assert caught.value.job_status == "s" * 39 + "…"


async def test_a_failure_after_two_attempts_says_so(api: respx.MockRouter) -> None:
    api.get(JOB_PATH).respond(503, json={"message": "busy"})

    async def instant(_: float) -> None:
        return None

    async with AsyncEncoderClient(
        TOKEN, retry=RetryPolicy(2, sleep=instant), retry_budget=None
    ) as client:
        with pytest.raises(ServerError) as caught:
            await client.jobs.get(JOB_ID)
    assert str(caught.value) == (
        f"GET {JOB_PATH}: server error for job {JOB_ID} after 2 attempts (HTTP 503: busy)"
    )


async def test_a_long_transport_message_is_cut_to_200_characters() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("x" * 500, request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncEncoderClient(TOKEN, http_client=http, retry=None) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.jobs.get(JOB_ID)
    assert f"(ConnectError: {'x' * 199}…)" in str(caught.value)


def test_masking_follows_causes_and_contexts_keeps_other_arguments_and_ends_on_a_cycle() -> None:
    top = RuntimeError(f"top {TOKEN}")
    cause = ValueError(f"cause {TOKEN}", "second argument")
    context = KeyError(f"context {TOKEN}")
    top.__cause__, top.__context__ = cause, None
    cause.__context__ = context
    context.__context__ = top  # a cycle: built by hand, but a loop must still end
    _responses.mask_causes(top, (TOKEN,))
    assert top.args == ("top [redacted]",)
    assert cause.args == ("cause [redacted]", "second argument")
    assert context.args == ("context [redacted]",)
