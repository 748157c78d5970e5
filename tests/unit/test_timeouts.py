"""TimeoutPolicy: one deadline per call, per-attempt timeouts cut to the time left."""

from __future__ import annotations

import contextlib
from typing import Any, cast

import anyio
import httpx
import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st
from support import FakeClock, drive, job_json, make_client

from videosdk_async import (
    AsyncEncoderClient,
    ConfigurationError,
    DeadlineExceededError,
    QueueTimeoutError,
    TimeoutPolicy,
    VideoSDKError,
)
from videosdk_async.client import _took_slot
from videosdk_async.middleware import Call
from videosdk_async.timeouts import DeadlineLayer

BACKENDS = ["asyncio", "trio"]


def test_defaults_are_small_and_finite() -> None:
    policy = TimeoutPolicy()
    assert policy.deadline is not None and 0 < policy.deadline <= 120
    for part in (policy.attempt.connect, policy.attempt.read, policy.attempt.write):
        assert part is not None and 0 < part <= policy.deadline
    assert TimeoutPolicy.coerce(5).deadline == 5.0  # type: ignore[union-attr]
    assert TimeoutPolicy.coerce(None) is None
    with pytest.raises(ConfigurationError):
        TimeoutPolicy(0)
    with pytest.raises(ConfigurationError):
        TimeoutPolicy(read=-1)
    for bad in (float("nan"), float("inf"), True, "5"):
        with pytest.raises(ConfigurationError):
            TimeoutPolicy(bad)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            TimeoutPolicy(queue=bad)  # type: ignore[arg-type]
    per_attempt = TimeoutPolicy.coerce(httpx.Timeout(10, connect=2))
    assert per_attempt is not None and per_attempt.deadline == 60.0
    assert per_attempt.attempt_parts == {"connect": 2, "read": 10, "write": 10, "pool": 10}


def test_attempt_timeouts_are_cut_to_time_left() -> None:
    clock = FakeClock()
    policy = TimeoutPolicy(10.0, connect=5, read=20, write=20, pool=5, clock=clock)
    seen: list[dict[str, float | None] | None] = []

    call = Call("GET", "/y", clock=clock, attempt_timeout=policy.attempt_parts)
    assert policy.deadline is not None
    layer = DeadlineLayer(policy.deadline, policy.clock)

    async def call_next(request: httpx.Request) -> httpx.Response:
        seen.append(call.timeout_for_attempt())
        clock.advance(7)
        seen.append(call.timeout_for_attempt())
        return httpx.Response(200)

    anyio.run(drive, layer, httpx.Request("GET", "https://x/y"), call_next, call)
    assert seen[0] == {"connect": 5, "read": 10, "write": 10, "pool": 5}
    assert seen[1] == {"connect": 3, "read": 3, "write": 3, "pool": 3}


@pytest.mark.parametrize("backend", BACKENDS)
def test_deadline_error_names_deadline_attempts_and_last_failure(backend: str) -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        # Every attempt uses up its whole read timeout, then times out.
        clock.advance(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("slow", request=request)

    async def scenario() -> None:
        async with make_client(handler, clock, deadline=10.0, attempts=5) as client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.jobs.get("abc123")
        error = caught.value
        assert error.deadline == 10.0
        assert error.attempts == 1
        assert error.last_failure == "ReadTimeout"
        assert str(error) == (
            "GET /v1/encoder/jobs/abc123 (job abc123): deadline of 10s exceeded after "
            "1 attempt; last failure: ReadTimeout"
        )

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_deadline_bounds_a_hanging_server(backend: str) -> None:
    """Even if the transport ignores its timeouts, the event loop's clock ends the call."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def scenario() -> None:
        clock = FakeClock()
        async with make_client(hang, clock, deadline=0.05) as client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.jobs.get("abc")
        assert caught.value.deadline == 0.05

    anyio.run(scenario, backend=backend)


@settings(max_examples=150, deadline=None)
@given(
    deadline=st.floats(0.5, 60, allow_nan=False),
    attempts=st.integers(1, 8),
    outcomes=st.lists(
        st.tuples(
            st.sampled_from(["503", "429", "timeout", "connect", "ok"]),
            st.floats(0, 40, allow_nan=False),  # how long the attempt takes
            st.floats(0, 90, allow_nan=False),  # Retry-After asked for
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_no_failure_sequence_outlasts_the_deadline(
    deadline: float, attempts: int, outcomes: list[tuple[str, float, float]]
) -> None:
    clock = FakeClock()
    start = clock.now
    script = iter(outcomes)

    def handler(request: httpx.Request) -> httpx.Response:
        kind, latency, retry_after = next(script, ("503", 1.0, 0.0))
        read = request.extensions["timeout"]["read"]
        assert read <= deadline - (clock.now - start) + 1e-9  # never more than the time left
        if latency > read:  # a well-behaved transport gives up at its read timeout
            clock.advance(read)
            raise httpx.ReadTimeout("slow", request=request)
        clock.advance(latency)
        if kind == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if kind == "connect":
            raise httpx.ConnectError("refused", request=request)
        if kind == "429":
            return httpx.Response(429, headers={"Retry-After": f"{retry_after:.3f}"})
        if kind == "503":
            return httpx.Response(503)
        return httpx.Response(200, json=job_json())

    async def scenario() -> None:
        async with make_client(handler, clock, deadline=deadline, attempts=attempts) as client:
            with contextlib.suppress(VideoSDKError):
                await client.jobs.get("abc")

    anyio.run(scenario)
    assert clock.now - start <= deadline + 1e-6


@pytest.mark.parametrize("backend", BACKENDS)
def test_queue_timeout_bounds_the_wait_for_a_slot(backend: str) -> None:
    """With every slot busy, a call waits at most TimeoutPolicy.queue and sends nothing."""
    sent: list[str] = []

    async def scenario() -> None:
        release = anyio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request.url.path)
            await release.wait()
            return httpx.Response(200, json=job_json())

        clock = FakeClock()
        client = make_client(handler, clock, max_concurrency=1)
        client = client.with_options(timeout=TimeoutPolicy(30, queue=0.05))
        async with anyio.create_task_group() as group:
            group.start_soon(client.jobs.get, "first")
            await anyio.wait_all_tasks_blocked()
            with pytest.raises(QueueTimeoutError) as caught:
                await client.jobs.get("second")
            release.set()
        assert caught.value.attempts == 0
        assert str(caught.value) == (
            "GET /v1/encoder/jobs/second (job second): not sent; waited 0.05s for one of the "
            "client's 1 slots, all busy (raise max_concurrency or the queue timeout, or send "
            "less at once)"
        )

    anyio.run(scenario, backend=backend)
    assert sent == ["/v1/encoder/jobs/first"]


class _NowaitLimiter:
    """A limiter whose ``acquire_on_behalf_of_nowait`` raises what it is given."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.borrowers: list[object] = []

    def acquire_on_behalf_of_nowait(self, borrower: object) -> None:
        if self.error is not None:
            raise self.error
        self.borrowers.append(borrower)


@pytest.mark.parametrize("full", [anyio.WouldBlock(), trio.WouldBlock()], ids=["anyio", "trio"])
def test_a_full_limiter_means_wait_whichever_would_block_it_raises(full: Exception) -> None:
    # anyio before 4.14.2 lets trio's own WouldBlock out of the trio backend's limiter: the call
    # must then wait for a slot, not fail.
    call = Call("GET", "/v1/encoder/jobs/x")
    assert _took_slot(cast(anyio.CapacityLimiter, _NowaitLimiter(full)), call) is False
    free = _NowaitLimiter(None)
    assert _took_slot(cast(anyio.CapacityLimiter, free), call) is True
    assert free.borrowers == [call]
    with pytest.raises(RuntimeError, match="broken"):
        _took_slot(cast(anyio.CapacityLimiter, _NowaitLimiter(RuntimeError("broken"))), call)


def test_a_post_cut_short_by_the_deadline_reports_the_deadline() -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        clock.advance(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("slow", request=request)

    async def scenario() -> None:
        async with make_client(handler, clock, deadline=5.0) as client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.jobs.create(
                    video_id="v", presets=[{"resolutions": ["360"], "format": "hls"}]
                )
        assert caught.value.attempts == 1
        assert caught.value.last_failure == "ReadTimeout"

    anyio.run(scenario)


class _Trickle(httpx.AsyncByteStream):
    """A body that never finishes arriving (a slow_body past the deadline)."""

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        while True:
            yield b" "
            await anyio.sleep(0.01)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("method", ["delete", "get"])
def test_a_deadline_that_cuts_an_attempt_off_says_it_may_have_applied(
    backend: str, method: str
) -> None:
    """The server may have done it and be sending the answer: the call cannot know."""

    async def scenario() -> None:
        clock = FakeClock()
        trickle = lambda r: httpx.Response(200, stream=_Trickle())  # noqa: E731
        async with make_client(trickle, clock, deadline=0.05) as client:
            with pytest.raises(DeadlineExceededError) as caught:
                await getattr(client.jobs, method)("abc")
        error = caught.value
        assert error.may_have_applied
        assert error.last_failure == "cut off by the deadline mid-attempt"
        said = "the request may have reached the server, so it may have taken effect"
        assert (said in str(error)) is (method == "delete")  # a GET changes nothing

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deadline_during_a_backoff_after_a_503_says_not_applied(backend: str) -> None:
    async def scenario() -> None:
        async def slow_sleep(_: float) -> None:
            await anyio.sleep(1)

        clock = FakeClock()
        # The policy's first backoff is 0.25 s, within the 0.3 s deadline: it sleeps, and the
        # deadline passes during that sleep (nothing on the wire then).
        client = make_client(lambda r: httpx.Response(503), clock, deadline=0.3)
        assert client.retry is not None
        client.retry.sleep = slow_sleep  # the deadline passes while waiting to retry
        async with client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.jobs.delete("abc")
        assert not caught.value.may_have_applied
        assert caught.value.last_failure == "HTTP 503"
        assert "may have taken effect" not in str(caught.value)

    anyio.run(scenario, backend=backend)


# -- what a mutation run found untested (issue 13) -------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TimeoutPolicy(True), "deadline must be a number of seconds, got True"),
        (lambda: TimeoutPolicy("5"), "deadline must be a number of seconds, got '5'"),
        (lambda: TimeoutPolicy(read="5"), "read timeout must be a number of seconds, got '5'"),
        (lambda: TimeoutPolicy(-1), "deadline must be positive and finite, got -1"),
        (
            lambda: TimeoutPolicy.coerce(True),
            "timeout must be seconds, an httpx.Timeout, a TimeoutPolicy or None, got bool",
        ),
        (
            lambda: TimeoutPolicy.coerce("5"),
            "timeout must be seconds, an httpx.Timeout, a TimeoutPolicy or None, got str",
        ),
    ],
)
def test_refusals_say_what_was_wrong(build: object, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value) == message


def test_no_deadline_and_no_phase_limit_are_allowed() -> None:
    policy = TimeoutPolicy(None, connect=None, read=None, write=None, pool=None, queue=None)
    assert policy.deadline is None and policy.queue is None
    assert policy.attempt_parts == {"connect": None, "read": None, "write": None, "pool": None}
    coerced = TimeoutPolicy.coerce(httpx.Timeout(3.0, read=None))
    assert coerced is not None and coerced.deadline == 60.0
    assert coerced.attempt_parts == {"connect": 3.0, "read": None, "write": 3.0, "pool": 3.0}


def _sent_timeouts(policy: TimeoutPolicy) -> dict[str, float | None]:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions["timeout"]))
        return httpx.Response(200, json=job_json())

    async def scenario() -> None:
        async with AsyncEncoderClient(
            "tok-0123456789abcdef",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
            timeout=policy,
            retry=None,
        ) as client:
            await client.jobs.get("abc")

    anyio.run(scenario)
    return seen[0]


def test_without_a_deadline_the_attempt_timeouts_are_sent_as_set() -> None:
    assert _sent_timeouts(TimeoutPolicy(None, connect=1, read=2, write=3, pool=4)) == {
        "connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0,
    }  # fmt: skip


def test_a_phase_without_a_limit_is_cut_to_the_time_left() -> None:
    clock = FakeClock()
    sent = _sent_timeouts(TimeoutPolicy(30, connect=1, read=None, write=3, pool=4, clock=clock))
    assert sent == {"connect": 1.0, "read": 30.0, "write": 3.0, "pool": 4.0}


def test_phases_longer_than_the_time_left_are_cut_to_it() -> None:
    clock = FakeClock()
    sent = _sent_timeouts(TimeoutPolicy(2, connect=1, read=5, write=2, pool=9, clock=clock))
    assert sent == {"connect": 1.0, "read": 2.0, "write": 2.0, "pool": 2.0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deadline_that_passes_before_any_attempt_says_nothing_was_sent(backend: str) -> None:
    async def dawdle(request: httpx.Request, call_next: Any) -> httpx.Response:
        await anyio.sleep(1)  # a middleware that takes its time before passing the request on
        return await call_next(request)

    async def scenario() -> None:
        client = make_client(
            lambda r: httpx.Response(200), FakeClock(), deadline=0.05, middleware=[dawdle]
        )
        async with client:
            with pytest.raises(DeadlineExceededError) as caught:
                await client.jobs.delete("abc")
        assert caught.value.attempts == 0
        assert not caught.value.may_have_applied
        assert str(caught.value) == (
            "DELETE /v1/encoder/jobs/abc (job abc): deadline of 0.05s exceeded after 0 attempts"
        )

    anyio.run(scenario, backend=backend)
