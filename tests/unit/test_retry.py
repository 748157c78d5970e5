"""RetryPolicy alone against a fake call_next, then composed in the client over MockTransport."""

from __future__ import annotations

import email.utils
import random

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import JOBS, TOKEN, Always, FakeClock, drive, job_json, make_client

from videosdk_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncEncoderClient,
    BadRequestError,
    DeleteOutcome,
    DeleteReport,
    RateLimitError,
    RetryBudget,
    RetryPolicy,
    ServerError,
)
from videosdk_async.middleware import Call
from videosdk_async.retry import RetryLayer

BACKENDS = ["asyncio", "trio"]


def _request(method: str = "GET") -> httpx.Request:
    return httpx.Request(method, f"{JOBS}/abc", json={"a": 1} if method == "POST" else None)


async def _no_sleep(_: float) -> None:
    return None


# -- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "error", "retry"),
    [
        ("GET", httpx.ReadTimeout("t"), True),
        ("DELETE", httpx.ReadError("r"), True),
        ("GET", httpx.RemoteProtocolError("p"), True),
        ("POST", httpx.ConnectError("c"), True),
        ("POST", httpx.ConnectTimeout("c"), True),
        ("POST", httpx.PoolTimeout("p"), True),
        ("POST", httpx.ReadTimeout("t"), False),
        ("POST", httpx.WriteTimeout("w"), False),
        ("POST", httpx.ReadError("r"), False),
        ("GET", httpx.UnsupportedProtocol("u"), False),
    ],
)
def test_decide_on_errors(method: str, error: Exception, retry: bool) -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    decision = policy.decide(method, 1, error, None)
    assert decision.retry is retry, decision.reason


@pytest.mark.parametrize(
    ("method", "status", "retry"),
    [
        ("GET", 408, True),
        ("GET", 429, True),
        ("GET", 500, True),
        ("DELETE", 502, True),
        ("DELETE", 503, True),
        ("GET", 504, True),
        ("GET", 400, False),
        ("GET", 401, False),
        ("GET", 404, False),
        ("DELETE", 409, False),
        ("GET", 501, False),
        ("POST", 503, False),
        ("POST", 429, False),
    ],
)
def test_decide_on_statuses(method: str, status: int, retry: bool) -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    decision = policy.decide(method, 1, httpx.Response(status), None)
    assert decision.retry is retry, decision.reason


def test_attempts_are_capped() -> None:
    policy = RetryPolicy(2)
    assert policy.decide("GET", 1, httpx.Response(503), None).retry
    last = policy.decide("GET", 2, httpx.Response(503), None)
    assert not last.retry
    assert "all 2 attempts used" in last.reason


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "2"}, {"retry-after-ms": "2000"}, {"Retry-After": "2.0"}],
)
def test_retry_after_is_a_floor(headers: dict[str, str]) -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    decision = policy.decide("GET", 1, httpx.Response(429, headers=headers), 30.0)
    assert decision.retry
    assert decision.delay == pytest.approx(2.0)


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(__import__("time").time() + 5, usegmt=True)
    policy = RetryPolicy(random=lambda: 0.0)
    decision = policy.decide("GET", 1, httpx.Response(503, headers={"Retry-After": when}), 30.0)
    assert decision.retry
    assert 3.5 <= decision.delay <= 5.0


def test_retry_after_over_cap_stops() -> None:
    policy = RetryPolicy(retry_after_cap=60)
    decision = policy.decide("GET", 1, httpx.Response(429, headers={"Retry-After": "120"}), None)
    assert not decision.retry
    assert "over the cap" in decision.reason


def test_wait_past_deadline_stops() -> None:
    policy = RetryPolicy()
    decision = policy.decide("GET", 1, httpx.Response(429, headers={"Retry-After": "5"}), 4.0)
    assert not decision.retry
    assert decision.deadline


@given(
    base=st.floats(0, 100, allow_nan=False),
    cap=st.floats(0, 100, allow_nan=False),
    retry_number=st.integers(1, 10_000),
    draw=st.floats(0, 1, exclude_max=True),
)
def test_backoff_always_within_zero_and_cap(
    base: float, cap: float, retry_number: int, draw: float
) -> None:
    policy = RetryPolicy(backoff_base=base, backoff_cap=cap, random=lambda: draw)
    delay = policy.backoff(retry_number)
    assert 0.0 <= delay <= cap


# -- the budget -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    ops=st.lists(
        st.one_of(
            st.just(("deposit", 0.0)),
            st.just(("withdraw", 0.0)),
            st.tuples(st.just("advance"), st.floats(0, 1000, allow_nan=False)),
        ),
        max_size=300,
    ),
    ratio=st.floats(0, 5, allow_nan=False),
    max_tokens=st.floats(1, 50, allow_nan=False),
    floor=st.floats(0, 10, allow_nan=False),
)
def test_budget_stays_within_zero_and_max(
    ops: list[tuple[str, float]], ratio: float, max_tokens: float, floor: float
) -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=ratio, max_tokens=max_tokens, floor_per_second=floor, clock=clock)
    for op, amount in ops:
        if op == "deposit":
            budget.deposit()
        elif op == "withdraw":
            before = budget.tokens
            taken = budget.try_withdraw()
            assert taken == (before >= 1.0)
        else:
            clock.advance(amount)
        assert 0.0 <= budget.tokens <= max_tokens


def test_budget_bounds_amplification_under_total_failure() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.1, max_tokens=10, floor_per_second=0.0, clock=clock)
    layer = RetryLayer(RetryPolicy(3, sleep=_no_sleep), budget)
    sent = 0

    async def always_503(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        return httpx.Response(503, request=request)

    async def scenario() -> None:
        for _ in range(1000):
            response = await drive(layer, _request(), always_503)
            assert response.status_code == 503

    anyio.run(scenario)
    # 1000 first attempts; retries bounded by 10% of them plus the initial 10 tokens.
    assert 1000 <= sent <= 1000 + 100 + 10 + 1
    assert sent / 1000 < 1.12


# -- the middleware alone -------------------------------------------------------------------


def test_each_attempt_gets_a_fresh_request() -> None:
    seen: list[httpx.Request] = []

    async def call_next(request: httpx.Request) -> httpx.Response:
        # A middleware inside the retry loop mutates its copy; the next attempt must not see it.
        assert "X-Mutated" not in request.headers
        request.headers["X-Mutated"] = str(len(seen))
        request.extensions["mutated"] = True
        seen.append(request)
        return httpx.Response(503 if len(seen) < 3 else 200, request=request)

    original = _request("DELETE")
    call = Call("DELETE", "/abc")
    layer = RetryLayer(RetryPolicy(3, sleep=_no_sleep), None)
    response = anyio.run(drive, layer, original, call_next, call)
    assert response.status_code == 200
    assert len({id(r) for r in seen}) == 3
    assert "X-Mutated" not in original.headers
    assert "mutated" not in original.extensions
    assert call.last_failure == "HTTP 503"
    assert call.may_have_applied is False  # a 503 says the request was not taken on


def test_exhausted_retries_reraise_the_last_error() -> None:
    calls = 0

    async def call_next(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("slow", request=request)

    layer = RetryLayer(RetryPolicy(3, sleep=_no_sleep), None)
    with pytest.raises(httpx.ReadTimeout):
        anyio.run(drive, layer, _request(), call_next)
    assert calls == 3


# -- composed in the client (asyncio and trio) ----------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_503_then_200(backend: str) -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(503), httpx.Response(200, json=job_json())])

    async def scenario() -> None:
        async with make_client(lambda request: next(answers), clock) as client:
            job = await client.jobs.get("60531471e32e8e4eaea094fe")
        assert job.raw_response is not None
        assert job.raw_response.attempts == 2
        assert clock.sleeps == [0.25]  # full jitter at random()=0.5 of base 0.5

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_429_retry_after_is_honoured(backend: str) -> None:
    clock = FakeClock()
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=job_json())]
    )

    async def scenario() -> None:
        async with make_client(lambda request: next(answers), clock) as client:
            await client.jobs.get("abc")
        assert clock.sleeps == [2.0]

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_429_asking_past_the_deadline_raises_at_once(backend: str) -> None:
    clock = FakeClock()
    handler = Always(429, headers={"Retry-After": "45"}, json={"message": "slow down"})

    async def scenario() -> None:
        async with make_client(handler, clock, deadline=10.0) as client:
            with pytest.raises(RateLimitError) as caught:
                await client.jobs.get("abc")
        assert caught.value.retry_after == 45.0
        assert caught.value.attempts == 1
        assert handler.calls == 1
        assert clock.sleeps == []
        assert "wait 45s" in str(caught.value)

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_timeout_retried_on_get_not_on_post(backend: str) -> None:
    clock = FakeClock()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "GET" and calls.count("GET") == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if request.method == "POST":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=job_json())

    async def scenario() -> None:
        async with make_client(handler, clock) as client:
            job = await client.jobs.get("abc")
            assert job.raw_response is not None and job.raw_response.attempts == 2
            with pytest.raises(APITimeoutError) as caught:
                await client.jobs.create(
                    video_id="v", presets=[{"resolutions": ["360"], "format": "hls"}]
                )
        assert caught.value.attempts == 1
        assert calls == ["GET", "GET", "POST"]

    anyio.run(scenario, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_connect_error_on_post_is_retried(backend: str) -> None:
    clock = FakeClock()
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        if len(bodies) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=job_json())

    async def scenario() -> None:
        async with make_client(handler, clock) as client:
            job = await client.jobs.create(
                video_id="v", presets=[{"resolutions": ["360"], "format": "hls"}]
            )
        assert job.raw_response is not None and job.raw_response.attempts == 2
        assert bodies[0] == bodies[1]

    anyio.run(scenario, backend=backend)


def test_400_is_not_retried() -> None:
    clock = FakeClock()
    handler = Always(400, json={"message": "bad"})

    async def scenario() -> None:
        async with make_client(handler, clock) as client:
            with pytest.raises(BadRequestError):
                await client.jobs.get("abc")

    anyio.run(scenario)
    assert handler.calls == 1


def test_budget_exhaustion_through_the_client_and_its_copies() -> None:
    """One budget per client family: per-call copies draw on it too, and a refusal says so."""
    clock = FakeClock()
    handler = Always(503)
    budget = RetryBudget(ratio=0.1, max_tokens=10, floor_per_second=0.0, clock=clock)
    last: list[ServerError] = []

    async def scenario() -> None:
        async with make_client(handler, clock, retry_budget=budget) as client:
            for n in range(200):
                caller = client if n % 2 else client.with_options(timeout=20)
                with pytest.raises(ServerError) as caught:
                    await caller.jobs.get("abc")
                last.append(caught.value)

    anyio.run(scenario)
    # Without the shared budget this would be 600 attempts (each copy a fresh, full budget).
    assert handler.calls <= 200 + 20 + 10 + 1
    assert last[-1].attempts == 1
    assert "not retried: the client's retry budget is spent" in str(last[-1])


def test_a_burst_at_a_30_percent_error_rate_keeps_retrying() -> None:
    """200 concurrent calls, 30% of answers 503 (seeded): the default budget funds every
    retry, so a call fails only after all three attempts failed."""
    clock = FakeClock()
    draw = random.Random(7)

    def handler(request: httpx.Request) -> httpx.Response:
        if draw.random() < 0.3:
            return httpx.Response(503)
        return httpx.Response(200, json=job_json())

    failures: list[Exception] = []

    async def scenario() -> None:
        async with make_client(handler, clock, budget=True) as client:

            async def one() -> None:
                try:
                    await client.jobs.get("abc")
                except ServerError as exc:
                    failures.append(exc)

            async with anyio.create_task_group() as group:
                for _ in range(200):
                    group.start_soon(one)

    anyio.run(scenario)
    # Only calls whose three attempts all failed fail (about 2.7%); none for want of budget.
    assert all(f.attempts == 3 for f in failures)
    assert not any("budget" in str(f) for f in failures)


# -- what a mutation run found untested (issue 13) -------------------------------------------


def test_each_call_deposits_the_ratio_and_time_trickles_in() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.25, max_tokens=10, floor_per_second=0.5, clock=clock)
    for _ in range(10):
        assert budget.try_withdraw()
    assert budget.tokens == 0.0
    budget.deposit()
    budget.deposit()
    assert budget.tokens == pytest.approx(0.5)  # two calls, a quarter token each
    clock.advance(2.0)
    assert budget.tokens == pytest.approx(1.5)  # 2 s at half a token per second
    assert budget.try_withdraw()
    assert not budget.try_withdraw()
    clock.advance(-5.0)  # a clock that steps back takes nothing away
    assert budget.tokens == pytest.approx(0.5)
    clock.advance(1000.0)
    assert budget.tokens == 10.0  # never past the cap
    budget.deposit()
    assert budget.tokens == 10.0


def test_a_call_through_the_layer_deposits_once() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.5, max_tokens=5, floor_per_second=0.0, clock=clock)
    for _ in range(5):
        budget.try_withdraw()
    layer = RetryLayer(RetryPolicy(3, sleep=_no_sleep), budget)

    async def ok(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, request=request)

    anyio.run(drive, layer, _request(), ok)
    assert budget.tokens == pytest.approx(0.5)


def test_a_spent_budget_refuses_the_retry_and_says_so() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.0, max_tokens=1, floor_per_second=0.0, clock=clock)
    assert budget.try_withdraw()
    layer = RetryLayer(RetryPolicy(3, sleep=_no_sleep), budget)
    call = Call("GET", "/abc")
    sent = 0

    async def always_503(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        return httpx.Response(503, request=request)

    response = anyio.run(drive, layer, _request(), always_503, call)
    assert response.status_code == 503
    assert sent == 1  # the policy allowed a retry; the budget did not
    assert call.retry_refused == "the client's retry budget is spent (too many failures lately)"


@pytest.mark.parametrize(
    "build",
    [
        lambda: RetryPolicy(0),
        lambda: RetryPolicy("3"),  # type: ignore[arg-type]
        lambda: RetryPolicy(True),  # type: ignore[arg-type]
        lambda: RetryPolicy(max_retries=-1),
        lambda: RetryPolicy(3, max_retries=2),
        lambda: RetryPolicy(backoff_base=-0.5),
        lambda: RetryPolicy(backoff_cap=-1),
        lambda: RetryPolicy(retry_after_cap=-1),
        lambda: RetryBudget(max_tokens=0.5),
        lambda: RetryBudget(ratio=-0.1),
        lambda: RetryBudget(floor_per_second="1"),  # type: ignore[arg-type]
        lambda: RetryPolicy.coerce("3"),  # type: ignore[arg-type]
        lambda: RetryPolicy.coerce(1.5),  # type: ignore[arg-type]
        lambda: RetryPolicy().with_max_retries(-1),
    ],
)
def test_bad_policies_are_refused(build: object) -> None:
    from videosdk_async import ConfigurationError

    with pytest.raises(ConfigurationError):
        build()  # type: ignore[operator]


def test_the_edges_that_are_allowed() -> None:
    assert RetryPolicy(1).max_retries == 0
    assert RetryPolicy(max_retries=0).max_attempts == 1
    assert RetryPolicy(backoff_base=0, backoff_cap=0, retry_after_cap=0).backoff(3) == 0.0
    assert RetryBudget(ratio=0, max_tokens=1, floor_per_second=0).tokens == 1.0
    assert RetryPolicy.coerce(0) is None and RetryPolicy.coerce(False) is None
    assert RetryPolicy.coerce(None) is None
    assert RetryPolicy.coerce(2).max_attempts == 3  # type: ignore[union-attr]
    assert RetryPolicy().with_max_retries(5).max_attempts == 6
    assert RetryPolicy.disabled().max_attempts == 1


def test_backoff_grows_exponentially_after_the_first_retry_up_to_the_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=3.0, random=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    half = RetryPolicy(backoff_base=0.5, backoff_cap=8.0, random=lambda: 0.5)
    assert half.backoff(3) == 1.0  # full jitter: a draw of the ceiling
    assert RetryPolicy(random=lambda: 1.0).backoff(10_000) == 8.0  # no overflow


def test_a_retry_after_exactly_at_the_cap_is_waited_and_just_over_is_not() -> None:
    policy = RetryPolicy(retry_after_cap=5, random=lambda: 0.0)
    at = policy.decide("GET", 1, httpx.Response(429, headers={"Retry-After": "5"}), 30.0)
    assert at.retry and at.delay == 5.0
    over = policy.decide("GET", 1, httpx.Response(429, headers={"Retry-After": "5.001"}), 30.0)
    assert not over.retry and "over the cap" in over.reason


def test_a_wait_that_ends_exactly_at_the_deadline_is_not_started() -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    response = httpx.Response(503, headers={"Retry-After": "2"})
    assert not policy.decide("GET", 1, response, 2.0).retry
    assert policy.decide("GET", 1, response, 2.001).retry


@pytest.mark.parametrize(
    ("left", "error"), [(0.5, "APITimeoutError"), (0.0, "DeadlineExceededError")]
)
def test_the_last_transport_error_is_raised_as_itself_unless_the_deadline_passed(
    left: float, error: str
) -> None:
    """With time left, the last attempt's failure is the error; with none, the deadline is."""
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        clock.now = deadline_at - left  # each attempt ends with ``left`` seconds to go
        raise httpx.ReadTimeout("slow", request=request)

    deadline_at = clock.now + 30.0

    async def scenario() -> None:
        async with make_client(handler, clock, attempts=2) as client:
            with pytest.raises(APITimeoutError) as caught:
                await client.jobs.get("abc")
        assert type(caught.value).__name__ == error
        if left:
            assert caught.value.attempts == 2
            assert "timed out after 2 attempts (ReadTimeout: slow)" in str(caught.value)

    anyio.run(scenario)


@pytest.mark.parametrize(
    ("error", "applied"),
    [(httpx.RemoteProtocolError("dropped after sending"), True), (httpx.ConnectError("no"), False)],
)
def test_without_retries_a_lost_answer_is_still_known_to_have_maybe_applied(
    error: Exception, applied: bool
) -> None:
    """The attempt records its own failure, so a client with retries off (no retry layer)
    still says a dropped delete may have been applied, and a batch re-checks it."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        if len(sent) == 1:
            raise error
        return httpx.Response(404, json={"message": "not found"})

    async def scenario() -> tuple[APIConnectionError, DeleteReport]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncEncoderClient(TOKEN, http_client=http, retry=None) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.jobs.delete("abc")
            sent.clear()
            report = await client.jobs.delete_many(["abc"])
        return caught.value, report

    caught, report = anyio.run(scenario)
    assert caught.may_have_applied is applied
    assert ("may have taken effect" in str(caught)) is applied
    expected = DeleteOutcome.GONE if applied else DeleteOutcome.FAILED
    assert report["abc"].outcome is expected  # unknown, re-checked: the 404 means done


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RetryPolicy(backoff_base=True), "backoff_base must be a number, got True"),
        (lambda: RetryPolicy(backoff_cap="8"), "backoff_cap must be a number, got '8'"),
        (
            lambda: RetryPolicy(retry_after_cap=-1),
            "retry_after_cap must be finite and >= 0, got -1",
        ),
        (lambda: RetryBudget(max_tokens=0.5), "max_tokens must be finite and >= 1, got 0.5"),
        (
            lambda: RetryPolicy.coerce(True),
            "retry must be a RetryPolicy, a number of retries or None, got True",
        ),
        (
            lambda: RetryPolicy.coerce("2"),
            "retry must be a RetryPolicy, a number of retries or None, got '2'",
        ),
        (lambda: RetryPolicy(0), "max_attempts must be an int >= 1, got 0"),
        (lambda: RetryPolicy().with_max_retries(-1), "max_retries must be an int >= 0, got -1"),
    ],
)
def test_refusals_say_what_was_wrong(build: object, message: str) -> None:
    from videosdk_async import ConfigurationError

    with pytest.raises(ConfigurationError) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value) == message


def test_with_max_retries_zero_means_one_attempt() -> None:
    assert RetryPolicy(5).with_max_retries(0).max_attempts == 1


def test_the_backoff_exponent_stops_growing_at_62() -> None:
    huge = RetryPolicy(backoff_base=1.0, backoff_cap=1e300, random=lambda: 1.0)
    assert huge.backoff(63) == 2.0**62
    assert huge.backoff(10_000) == 2.0**62


def test_the_budget_trickles_in_a_fraction_of_a_second_too() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0, max_tokens=10, floor_per_second=0.5, clock=clock)
    for _ in range(10):
        budget.try_withdraw()
    clock.advance(0.5)
    assert budget.tokens == pytest.approx(0.25)


def test_a_withdrawal_counts_the_time_that_passed_since_the_last() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0, max_tokens=1, floor_per_second=0.5, clock=clock)
    assert budget.try_withdraw()
    clock.advance(2.0)  # one token trickled in; nothing read the balance meanwhile
    assert budget.try_withdraw()
    assert not budget.try_withdraw()


@pytest.mark.parametrize(
    ("method", "failure", "remaining", "attempt", "reason"),
    [
        ("GET", httpx.UnsupportedProtocol("u"), None, 1, "UnsupportedProtocol is not transient"),
        ("POST", httpx.ReadTimeout("t"), None, 1, "ReadTimeout after the POST may have been sent"),
        ("GET", httpx.Response(400), None, 1, "HTTP 400 is not retryable"),
        ("POST", httpx.Response(503), None, 1, "HTTP 503 to a POST is not retried"),
        ("GET", httpx.Response(503), None, 3, "HTTP 503; all 3 attempts used"),
        (
            "GET",
            httpx.Response(429, headers={"Retry-After": "99"}),
            None,
            1,
            "HTTP 429; server asked to wait 99s, over the cap",
        ),
        (
            "GET",
            httpx.Response(429, headers={"Retry-After": "5"}),
            4.0,
            1,
            "HTTP 429; a 5s wait would pass the deadline",
        ),
    ],
)
def test_a_decision_not_to_retry_waits_nothing_and_says_why(
    method: str, failure: object, remaining: float | None, attempt: int, reason: str
) -> None:
    policy = RetryPolicy(3, retry_after_cap=60, random=lambda: 0.0)
    decision = policy.decide(method, attempt, failure, remaining)  # type: ignore[arg-type]
    assert not decision.retry
    assert decision.delay == 0.0
    assert decision.reason == reason
    assert decision.deadline is (remaining is not None)


def test_the_decision_not_to_retry_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    layer = RetryLayer(RetryPolicy(2, sleep=_no_sleep), None)

    async def always_503(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, request=request)

    with caplog.at_level(logging.DEBUG, logger="videosdk_async"):
        anyio.run(drive, layer, _request(), always_503)
    assert "not retrying GET /v1/encoder/jobs/abc: HTTP 503; all 2 attempts used" in [
        r.getMessage() for r in caplog.records
    ]
