"""delete_many, delete_queued and wait against an in-memory fake of the jobs API."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs

import anyio
import anyio.lowlevel
import httpx
import pytest
from support import Always, FakeClock, job_json, make_client

from videosdk_async import (
    AsyncEncoderClient,
    DeleteOutcome,
    DeleteReport,
    DeleteResult,
    EncodingJob,
    InvalidRequestError,
    JobFailedError,
    JobStatus,
    ServerError,
    WaitTimeoutError,
)

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


class FakeJobsAPI:
    """Jobs listed oldest first; deletes shift later jobs to earlier pages, as a real list does."""

    def __init__(self, statuses: list[str]) -> None:
        self.jobs: dict[str, str] = {}
        self.created: dict[str, datetime] = {}
        for n, status in enumerate(statuses):
            job_id = f"{n:024x}"
            self.jobs[job_id] = status
            self.created[job_id] = EPOCH + timedelta(minutes=n)
        self.page_fetches: list[int] = []
        self.deletes: list[str] = []
        self.flaky: dict[str, list[int | str]] = {}  # id -> scripted answers before the real one
        self.in_flight = 0
        self.max_in_flight = 0

    def body(self, job_id: str) -> dict[str, object]:
        body = job_json(job_id, self.jobs[job_id])
        body["createdAt"] = self.created[job_id].isoformat().replace("+00:00", "Z")
        return body

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.lowlevel.checkpoint()  # let other tasks interleave, as a network would
            return self.answer(request)
        finally:
            self.in_flight -= 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/v1/encoder/jobs":
            query = parse_qs(request.url.query.decode())
            page, per_page = int(query["page"][0]), int(query["perPage"][0])
            self.page_fetches.append(page)
            ids = list(self.jobs)
            data = [self.body(i) for i in ids[(page - 1) * per_page : page * per_page]]
            last = max(1, math.ceil(len(ids) / per_page))
            info = {"currentPage": page, "perPage": per_page, "lastPage": last}
            return httpx.Response(200, json={"pageInfo": info, "data": data})
        job_id = path.rsplit("/", 1)[-1]
        script = self.flaky.get(job_id)
        if script:
            step = script.pop(0)
            if step == "lost":  # the delete is applied, then the response is lost
                self.deletes.append(job_id)
                del self.jobs[job_id]
                raise httpx.ReadError("connection reset", request=request)
            return httpx.Response(int(step), json={"message": "try later"})
        if job_id not in self.jobs:
            return httpx.Response(404, json={"message": f"Job {job_id} not found"})
        if request.method == "GET":
            return httpx.Response(200, json=self.body(job_id))
        status = self.jobs[job_id]
        if status != "queued":
            return httpx.Response(409, json={"message": f"job is {status}", "status": status})
        body = self.body(job_id)
        self.deletes.append(job_id)
        del self.jobs[job_id]
        return httpx.Response(200, json=body)


def _client(api: FakeJobsAPI, clock: FakeClock, **kwargs: object) -> AsyncEncoderClient:
    return make_client(api, clock, **kwargs)


# -- delete_many ----------------------------------------------------------------------------


def test_delete_many_classifies_every_outcome() -> None:
    api = FakeJobsAPI(["queued", "queued", "processing", "queued", "queued"])
    ids = list(api.jobs)
    api.flaky[ids[3]] = ["lost"]  # deleted, response lost; the retry answers 404 → gone
    api.flaky[ids[4]] = [503, 503, 503]  # fails all 3 attempts, each saying "not taken on"
    unknown = "f" * 24
    progress: list[DeleteResult] = []

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many(
                [*ids, unknown, "bad/id"], on_progress=progress.append
            )

    report = anyio.run(scenario)
    assert report.complete
    assert report[ids[0]].outcome is DeleteOutcome.DELETED
    assert report[ids[0]].job is not None
    assert report[ids[1]].outcome is DeleteOutcome.DELETED
    assert report[ids[2]].outcome is DeleteOutcome.NOT_DELETABLE
    assert report[ids[2]].job_status == "processing"
    assert report[ids[3]].outcome is DeleteOutcome.GONE
    assert report[ids[4]].outcome is DeleteOutcome.FAILED
    assert isinstance(report[ids[4]].error, ServerError)
    assert report[unknown].outcome is DeleteOutcome.NOT_FOUND
    assert report["bad/id"].outcome is DeleteOutcome.INVALID
    assert isinstance(report["bad/id"].error, InvalidRequestError)
    assert len(report) == 7
    assert len(progress) == 7
    assert {r.job_id for r in progress} == set(report.results)
    assert api.deletes.count(ids[3]) == 1  # applied once, reported as gone, not as failure
    assert report.counts[DeleteOutcome.DELETED] == 2
    assert report.summary() == (
        "7 jobs: 2 deleted, 1 not deletable, 1 not found, 1 gone, 1 failed, 1 invalid"
    )
    assert not report.ok
    assert report[ids[2]].describe() == f"{ids[2]}: not deletable (status processing)"


@pytest.mark.parametrize(
    ("script", "first", "final"),
    [
        ([500, 500, 500], DeleteOutcome.UNKNOWN, DeleteOutcome.DELETED),  # 500 may have applied
        (["lost", 429, 429], DeleteOutcome.UNKNOWN, DeleteOutcome.GONE),  # 429 after a loss
        ([503, 503, 503], DeleteOutcome.FAILED, DeleteOutcome.FAILED),  # said: not taken on
        # Lost (applied), then refusals; the re-check is refused too: it stays unknown.
        (["lost", 503, 503, 503, 503, 503], DeleteOutcome.UNKNOWN, DeleteOutcome.UNKNOWN),
    ],
)
def test_a_failure_that_may_have_applied_is_unknown_then_rechecked(
    script: list[int | str], first: DeleteOutcome, final: DeleteOutcome
) -> None:
    api = FakeJobsAPI(["queued"])
    (job_id,) = api.jobs
    api.flaky[job_id] = list(script)
    progress: list[DeleteResult] = []

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many([job_id], on_progress=progress.append)

    report = anyio.run(scenario)
    assert progress[0].outcome is first
    assert report[job_id].outcome is final
    assert api.deletes.count(job_id) == (0 if final is DeleteOutcome.FAILED else 1)
    assert report[job_id].error is progress[0].error or final is not DeleteOutcome.UNKNOWN
    error = progress[0].error
    assert error is not None
    assert error.may_have_applied is (first is DeleteOutcome.UNKNOWN)  # type: ignore[attr-defined]
    if first is DeleteOutcome.UNKNOWN:
        assert "the request may have reached the server, so it may have taken effect" in str(error)


def test_duplicates_attempted_once_and_async_iterables_accepted() -> None:
    api = FakeJobsAPI(["queued"] * 20)
    ids = list(api.jobs)

    async def source() -> AsyncIterator[str]:
        for job_id in ids + ids[:5]:
            await anyio.lowlevel.checkpoint()
            yield job_id

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many(source(), concurrency=4)

    report = anyio.run(scenario)
    assert report.ok
    assert report.deleted == list(report.results)
    assert sorted(report.deleted) == sorted(ids)
    assert report.duplicates == 5
    assert sorted(api.deletes) == sorted(ids)
    assert api.max_in_flight <= 4


def test_concurrency_is_bounded_by_the_client_limit() -> None:
    api = FakeJobsAPI(["queued"] * 200)

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock(), max_concurrency=8) as client:
            return await client.jobs.delete_many(list(api.jobs), concurrency=500)

    report = anyio.run(scenario)
    assert report.counts[DeleteOutcome.DELETED] == 200
    assert api.max_in_flight <= 8


def test_async_progress_callback_is_awaited() -> None:
    api = FakeJobsAPI(["queued"] * 3)
    seen: list[str] = []

    async def on_progress(result: DeleteResult) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append(result.job_id)

    async def scenario() -> None:
        async with _client(api, FakeClock()) as client:
            await client.jobs.delete_many(list(api.jobs), on_progress=on_progress)

    anyio.run(scenario)
    assert sorted(seen) == sorted(api.deletes)


def test_cancellation_keeps_the_outcomes_gathered_so_far() -> None:
    api = FakeJobsAPI(["queued"] * 100)
    report = DeleteReport()
    scopes: list[anyio.CancelScope] = []

    async def on_progress(result: DeleteResult) -> None:
        if len(report) == 10:
            scopes[0].cancel()

    async def scenario() -> None:
        async with _client(api, FakeClock()) as client:
            with anyio.CancelScope() as scope:
                scopes.append(scope)
                await client.jobs.delete_many(
                    list(api.jobs), concurrency=4, on_progress=on_progress, report=report
                )

    anyio.run(scenario)
    assert not report.complete
    assert 10 <= len(report) < 100
    # Every delete the server applied is either in the report or named as in flight.
    assert set(api.deletes) <= set(report.results) | report.in_flight
    assert all(r.outcome is DeleteOutcome.DELETED for r in report)
    assert "interrupted" in report.summary()
    assert not report.ok


# -- delete_queued --------------------------------------------------------------------------


def test_delete_queued_never_skips_across_shifting_pages() -> None:
    statuses = ["queued" if n % 3 else "processing" for n in range(2000)]
    api = FakeJobsAPI(statuses)
    queued = {i for i, s in api.jobs.items() if s == "queued"}

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_queued(per_page=7, concurrency=16)

    report = anyio.run(scenario)
    assert set(report.deleted) == queued
    assert set(api.deletes) == queued
    assert all(s == "processing" for s in api.jobs.values())
    assert report.ok
    # Every page once: the first, then the last down to the second, and page 1 once more to
    # check that nothing new appeared in front of the walk.
    last = math.ceil(2000 / 7)
    assert api.page_fetches == [1, *range(last, 1, -1), 1]


def test_delete_queued_never_skips_in_a_newest_first_listing_that_grows() -> None:
    """Jobs created in front of the walk push older ones onto pages it already visited."""
    api = FakeJobsAPI(["queued"] * 100)
    api.jobs = dict(reversed(list(api.jobs.items())))  # newest first
    original = set(api.jobs)
    real_answer = api.answer
    created = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal created
        if request.method == "GET" and "page=5" in str(request.url) and created < 3:
            for _ in range(3):  # three new jobs land on page 1 mid-walk
                job_id = f"{10_000 + created:024x}"
                created += 1
                api.jobs = {job_id: "queued", **api.jobs}
                api.created[job_id] = EPOCH + timedelta(days=1)
        return real_answer(request)

    api.answer = answer  # type: ignore[method-assign]

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_queued(per_page=10, concurrency=1)

    report = anyio.run(scenario)
    assert original <= set(report.deleted)  # no job that existed before the run was skipped
    assert report.ok
    assert api.page_fetches.count(1) >= 2


def test_delete_queued_filters_limits_and_dry_runs() -> None:
    api = FakeJobsAPI(["queued"] * 30)
    cutoff = EPOCH + timedelta(minutes=20)  # jobs 0..19 are older

    async def scenario() -> tuple[DeleteReport, DeleteReport]:
        async with _client(api, FakeClock()) as client:
            dry = await client.jobs.delete_queued(created_before=cutoff, dry_run=True)
            assert api.deletes == []
            real = await client.jobs.delete_queued(
                created_before=cutoff.replace(tzinfo=None), limit=5, per_page=10
            )
            return dry, real

    dry, real = anyio.run(scenario)
    assert dry.counts[DeleteOutcome.WOULD_DELETE] == 20
    assert len(real.deleted) == 5
    assert all(api.created.get(i, EPOCH) < cutoff for i in real.deleted)


def test_delete_queued_reports_a_job_that_left_queued_as_not_deletable() -> None:
    api = FakeJobsAPI(["queued"] * 3)
    moving = next(iter(api.jobs))
    real_answer = api.answer

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" and request.url.path.endswith(moving):
            api.jobs[moving] = "processing"  # it started between listing and deleting
        return real_answer(request)

    api.answer = answer  # type: ignore[method-assign]

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_queued()

    report = anyio.run(scenario)
    assert report[moving].outcome is DeleteOutcome.NOT_DELETABLE
    assert report[moving].job_status == "processing"
    assert len(report.deleted) == 2
    assert report.ok  # not deletable is an outcome, not a failure


# -- wait -----------------------------------------------------------------------------------


@pytest.mark.parametrize("final", ["completed", "failed"])
def test_wait_returns_the_terminal_job(final: str) -> None:
    clock = FakeClock()
    statuses = iter(["queued", "processing", "processing", final])
    updates: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=job_json("abc", next(statuses)))

    async def scenario() -> EncodingJob:
        async with make_client(handler, clock) as client:
            return await client.jobs.wait(
                "abc",
                timeout=60,
                poll_interval=1,
                sleep=clock.sleep,
                clock=clock,
                on_update=lambda job: updates.append(str(job.status)),
            )

    job = anyio.run(scenario)
    assert job.status == JobStatus(final)
    assert updates == ["queued", "processing", final]
    assert len(clock.sleeps) == 3
    assert all(0.8 <= d <= 30 * 1.2 for d in clock.sleeps)
    assert clock.sleeps[2] > clock.sleeps[0]  # backs off


def test_wait_can_raise_on_failure() -> None:
    clock = FakeClock()

    async def scenario() -> None:
        async with make_client(
            lambda r: httpx.Response(200, json=job_json("abc", "failed")), clock
        ) as client:
            await client.jobs.wait("abc", raise_on_failure=True, sleep=clock.sleep, clock=clock)

    with pytest.raises(JobFailedError) as caught:
        anyio.run(scenario)
    assert caught.value.job.status is JobStatus.FAILED


def test_wait_times_out_with_the_last_job_and_polls_through_transient_errors() -> None:
    clock = FakeClock()
    answers = [httpx.Response(503)] * 3 + [httpx.Response(200, json=job_json("abc", "processing"))]
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return answers[min(calls - 1, len(answers) - 1)]

    async def scenario() -> None:
        async with make_client(handler, clock, attempts=1) as client:
            await client.jobs.wait(
                "abc", timeout=30, poll_interval=2, sleep=clock.sleep, clock=clock
            )

    with pytest.raises(WaitTimeoutError) as caught:
        anyio.run(scenario)
    error = caught.value
    assert error.job is not None
    assert error.job.status is JobStatus.PROCESSING
    assert "did not finish within 30s (still processing after" in str(error)
    assert clock.now - 1000.0 <= 30


def test_wait_validates_before_polling() -> None:
    clock = FakeClock()

    async def scenario() -> None:
        async with make_client(lambda r: httpx.Response(500), clock) as client:
            with pytest.raises(InvalidRequestError):
                await client.jobs.wait("abc", timeout=0)
            with pytest.raises(InvalidRequestError):
                await client.jobs.wait("a b")

    anyio.run(scenario)


def test_a_2xx_that_is_not_a_job_is_unknown_until_rechecked() -> None:
    """A proxy's page, a 204 or an undecodable body says nothing certain about the delete:
    the id is UNKNOWN, tried once more at the end, and settled by what that answer says."""
    deleted: set[str] = set()
    seen: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        if job_id in deleted:
            return httpx.Response(404, json={"message": "not found"})
        first = job_id not in seen
        seen.add(job_id)
        if job_id == "proxy" and first:  # nothing applied: a maintenance page answered
            return httpx.Response(200, text="<html>maintenance</html>")
        deleted.add(job_id)
        if job_id == "no-content":
            return httpx.Response(204)
        if job_id == "garbled":
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip")
        return httpx.Response(200, json=job_json(job_id))

    async def scenario() -> DeleteReport:
        async with make_client(handler, FakeClock()) as client:
            return await client.jobs.delete_many(["ok", "no-content", "proxy", "garbled"])

    report = anyio.run(scenario)
    assert report.complete and report.ok
    assert report["ok"].outcome is DeleteOutcome.DELETED
    assert report["proxy"].outcome is DeleteOutcome.DELETED  # deleted by the re-check
    assert report["no-content"].outcome is DeleteOutcome.GONE  # the first delete applied
    assert report["garbled"].outcome is DeleteOutcome.GONE
    assert deleted == {"ok", "no-content", "proxy", "garbled"}


def test_refused_credentials_stop_the_batch_after_one_request() -> None:
    """200 ids and a token the server refuses: one request, then the rest are not attempted."""
    refuse = Always(401, json={"message": "invalid token"})

    async def handler(request: httpx.Request) -> httpx.Response:
        await anyio.lowlevel.checkpoint()  # a network answer takes a turn of the loop
        return refuse(request)

    async def scenario() -> DeleteReport:
        async with make_client(handler, FakeClock()) as client:
            return await client.jobs.delete_many([f"job{n:03d}" for n in range(200)])

    report = anyio.run(scenario)
    assert refuse.calls == 1
    assert report.counts[DeleteOutcome.FAILED] == 1
    assert report.counts[DeleteOutcome.NOT_ATTEMPTED] == 199
    assert report.stopped is not None and "credentials were refused" in report.stopped
    assert not report.ok
    assert "stopped early: the credentials were refused" in report.summary()


def test_a_good_batch_still_runs_its_workers_together() -> None:
    api = FakeJobsAPI(["queued"] * 64)

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many(list(api.jobs), concurrency=16)

    report = anyio.run(scenario)
    assert report.ok and len(report.deleted) == 64
    assert api.max_in_flight > 1  # only the first delete went alone


def test_every_outcome_describes_itself_in_one_line() -> None:
    """``describe()`` names the outcome, and a detail where one helps: the status of a job
    that cannot be deleted, the error of one that did not settle."""
    error = ServerError(
        "DELETE /v1/encoder/jobs/a: server error (HTTP 503)",
        method="DELETE",
        url="u",
        status_code=503,
        body=None,
        server_message=None,
    )
    expected = {
        DeleteOutcome.DELETED: "a: deleted",
        DeleteOutcome.NOT_DELETABLE: "a: not deletable (status processing)",
        DeleteOutcome.NOT_FOUND: "a: not found",
        DeleteOutcome.GONE: "a: gone",
        DeleteOutcome.UNKNOWN: "a: unknown (DELETE /v1/encoder/jobs/a: server error (HTTP 503))",
        DeleteOutcome.FAILED: "a: failed (DELETE /v1/encoder/jobs/a: server error (HTTP 503))",
        DeleteOutcome.NOT_ATTEMPTED: "a: not attempted (DELETE /v1/encoder/jobs/a: server "
        "error (HTTP 503))",
        DeleteOutcome.INVALID: "a: invalid (DELETE /v1/encoder/jobs/a: server error (HTTP 503))",
        DeleteOutcome.WOULD_DELETE: "a: would delete",
    }
    assert set(expected) == set(DeleteOutcome)
    for outcome, line in expected.items():
        result = DeleteResult("a", outcome, job_status="processing", error=error)
        assert result.describe() == line
    assert DeleteResult("a", DeleteOutcome.NOT_DELETABLE).describe() == "a: not deletable"
    assert DeleteResult("a", DeleteOutcome.FAILED).describe() == "a: failed"
    assert str(DeleteOutcome.NOT_ATTEMPTED) == "not_attempted"


def test_ok_needs_a_complete_unstopped_report_with_every_id_settled() -> None:
    report = DeleteReport()
    assert not report.ok  # not complete yet
    report.complete = True
    assert report.ok and report.summary() == "0 jobs: nothing to do"
    report._record(DeleteResult("a", DeleteOutcome.GONE))
    report._record(DeleteResult("b", DeleteOutcome.NOT_FOUND))
    assert report.ok
    report._claim("c")
    assert not report.ok  # one still in flight
    report._record(DeleteResult("c", DeleteOutcome.UNKNOWN))
    assert not report.ok
    assert report.summary() == "3 jobs: 1 not found, 1 gone, 1 unknown"
    report.results.pop("c")
    report.stopped = "the credentials were refused"
    assert not report.ok
    assert (
        report.summary()
        == "2 jobs: 1 not found, 1 gone; stopped early: the credentials were refused"
    )
    report.complete = False
    assert report.summary().endswith("; interrupted with 0 in flight")
    assert repr(report).startswith("DeleteReport(2 jobs:")
    assert len(report) == 2 and report["a"].outcome is DeleteOutcome.GONE
    assert [r.job_id for r in report] == ["a", "b"]
    assert report.failed == [] and report.deleted == []
    assert report.counts[DeleteOutcome.GONE] == 1 and report.counts[DeleteOutcome.DELETED] == 0


def _refusing(api: FakeJobsAPI, refused: set[str]) -> None:
    """Answer 401 (the token refused) to a delete of any id in ``refused``."""
    real = api.answer

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.rsplit("/", 1)[-1] in refused:
            return httpx.Response(401, json={"message": "Token expired"})
        return real(request)

    api.answer = answer  # type: ignore[method-assign]


def test_refused_credentials_stop_the_batch_and_the_rest_is_not_attempted() -> None:
    api = FakeJobsAPI(["queued"] * 3)
    a, b, c = api.jobs
    _refusing(api, {a})

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many([a, "bad/id", b, b, c, 7], concurrency=1)

    report = anyio.run(scenario)
    assert [(r.job_id, r.outcome) for r in report] == [
        (a, DeleteOutcome.FAILED),
        ("bad/id", DeleteOutcome.INVALID),
        (b, DeleteOutcome.NOT_ATTEMPTED),
        (c, DeleteOutcome.NOT_ATTEMPTED),
        ("<int 7>", DeleteOutcome.INVALID),
    ]
    assert api.deletes == []
    assert report.stopped is not None
    assert report.stopped.startswith("the credentials were refused: DELETE /v1/encoder/jobs/")
    assert report.complete and not report.ok
    assert report.duplicates == 1


def test_a_stopped_batch_over_an_async_input_closes_it_and_drains_nothing() -> None:
    api = FakeJobsAPI(["queued"] * 3)
    a, b, c = api.jobs
    _refusing(api, {a})
    closed: list[bool] = []

    async def ids() -> AsyncIterator[str]:
        try:
            for job_id in (a, b, c):
                yield job_id
        finally:
            closed.append(True)

    async def scenario() -> tuple[DeleteReport, list[bool]]:
        async with _client(api, FakeClock()) as client:
            report = await client.jobs.delete_many(ids(), concurrency=1)
            return report, list(closed)  # closed by the batch, not later by the collector

    report, closed_then = anyio.run(scenario)
    assert closed_then == [True]
    assert list(report.results) == [a]  # an async input is not drained: that could mean I/O
    assert report.stopped is not None and report.complete


def test_a_batch_without_duplicates_counts_none_and_without_a_callback_runs() -> None:
    api = FakeJobsAPI(["queued"] * 3)

    async def scenario() -> DeleteReport:
        async with _client(api, FakeClock()) as client:
            return await client.jobs.delete_many(list(api.jobs))

    report = anyio.run(scenario)
    assert report.duplicates == 0
    assert report.ok and len(report.deleted) == 3


def test_an_exception_from_on_progress_during_the_recheck_is_raised_as_itself() -> None:
    api = FakeJobsAPI(["queued"])
    (job_id,) = api.jobs
    api.flaky[job_id] = [500, 500, 500]  # unknown at first; the re-check deletes it

    class TheirBug(Exception):
        pass

    def on_progress(result: DeleteResult) -> None:
        if result.outcome is DeleteOutcome.DELETED:
            raise TheirBug("seen in the re-check")

    report = DeleteReport()

    async def scenario() -> None:
        async with _client(api, FakeClock()) as client:
            await client.jobs.delete_many([job_id], on_progress=on_progress, report=report)

    with pytest.raises(TheirBug):
        anyio.run(scenario)
    assert report[job_id].outcome is DeleteOutcome.DELETED
    assert report.stopped == "on_progress raised TheirBug" and not report.complete
