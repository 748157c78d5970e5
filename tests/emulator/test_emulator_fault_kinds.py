"""Faults for adversarial runs: hangs, garbage 2xx bodies, slow bodies; a truthful ledger."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from videosdk_async.emulator import Emulator, EmulatorConfig, FaultRule, even_mix, serve
from videosdk_async.emulator.faults import GARBAGE_SIZE, parse_fault_config

BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/in.mp4",
    "presets": [{"resolutions": ["360"], "format": "mp4"}],
}
CREATE = "POST /v1/encoder/jobs"
DELETE = "DELETE /v1/encoder/jobs/{jobId}"


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a real loopback socket (no retries, generous timeouts)."""
    async with (
        serve(emu) as server,
        httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": emu.token}, timeout=30
        ) as client,
    ):
        yield client


# -- hang --


async def test_hang_past_the_client_timeout_applies_nothing(
    http: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(kind="hang", route=CREATE, delay=60, times=1)
    with pytest.raises(httpx.ReadTimeout):
        await http.post("/v1/encoder/jobs", json=BODY, timeout=httpx.Timeout(30, read=0.2))
    assert emu.jobs() == [] and emu.ledger.total() == 0
    assert (await http.get("/v1/encoder/jobs")).status_code == 200  # the server goes on
    hung = emu.requests()[0]
    assert (hung.fault, hung.status, hung.ledger_seq) == ("hang", None, None)


async def test_a_hang_ends_by_closing_the_connection(
    http: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(kind="hang", route=CREATE, delay=0.05, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/v1/encoder/jobs", json=BODY)
    assert emu.ledger.total() == 0


async def test_hang_after_applies_then_holds(http: httpx.AsyncClient, emu: Emulator) -> None:
    job = emu.create_job(BODY)
    emu.add_fault(kind="hang", route=DELETE, delay=60, phase="after", times=1)
    with pytest.raises(httpx.ReadTimeout):
        await http.delete(f"/v1/encoder/jobs/{job['id']}", timeout=httpx.Timeout(30, read=0.2))
    assert emu.get_job(job["id"]) is None
    (entry,) = emu.ledger.entries
    assert (entry.op, entry.id, entry.fault) == ("delete_job", job["id"], "hang")
    assert emu.requests()[0].ledger_seq == entry.seq


async def test_hang_in_process_fails_like_a_drop(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="hang", delay=0.01, times=1)  # no socket: no client timeout applies
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("/v1/encoder/jobs")
    assert (await api.get("/v1/encoder/jobs")).status_code == 200


# -- garbage 2xx bodies --


async def test_garbage_proxy_page_before_the_operation(
    http: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(kind="garbage", route=CREATE, times=1)
    response = await http.post("/v1/encoder/jobs", json=BODY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    assert emu.jobs() == [] and emu.ledger.total() == 0  # a 2xx that applied nothing


@pytest.mark.parametrize(
    ("fields", "content_type", "check"),
    [
        ({"body_format": "bytes"}, "application/json", lambda b: len(b) == GARBAGE_SIZE),
        ({"body_format": "json"}, "application/json", lambda b: "id" not in json.loads(b)),
        ({"body_format": "empty"}, "application/json", lambda b: b == b""),
        ({"body": "OK", "content_type": "text/plain", "status": 202}, "text/plain", None),
    ],
)
async def test_garbage_formats_after_the_operation(
    http: httpx.AsyncClient, emu: Emulator, fields: dict[str, Any], content_type: str, check: Any
) -> None:
    emu.add_fault(kind="garbage", route=CREATE, phase="after", times=1, **fields)
    response = await http.post("/v1/encoder/jobs", json=BODY)
    assert response.status_code == fields.get("status", 200)
    assert response.headers["content-type"].startswith(content_type)
    if check is not None:
        assert check(response.content)
    else:
        assert response.text == "OK"
    (job,) = emu.jobs()
    (entry,) = emu.ledger.entries
    assert (entry.id, entry.fault) == (job["id"], "garbage")


def _noise(seed: int) -> bytes:
    async def run() -> bytes:
        with Emulator(fault_seed=seed) as emulator:
            emulator.add_fault(kind="garbage", body_format="bytes")
            async with emulator.client() as api:
                return (await api.get("/v1/encoder/jobs")).content

    return asyncio.run(run())


def test_garbage_bytes_follow_the_seed() -> None:
    assert _noise(3) == _noise(3)
    assert _noise(3) != _noise(4)
    with pytest.raises(ValueError, match=r"decode|Expecting|Extra data"):
        json.loads(_noise(3))


# -- slow bodies --


async def test_slow_body_trickles_the_real_answer(http: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="slow_body", route=CREATE, delay=1.0, chunks=4, times=1)
    async with http.stream("POST", "/v1/encoder/jobs", json=BODY) as response:
        assert response.status_code == 200
        declared = int(response.headers["content-length"])
        chunks = [chunk async for chunk in response.aiter_raw()]
    body = b"".join(chunks)
    assert len(body) == declared
    assert len(chunks[0]) < declared  # the headers came before the whole body
    job = json.loads(body)
    (entry,) = emu.ledger.entries
    assert (entry.id, entry.fault) == (job["id"], "slow_body")
    assert emu.requests()[0].status == 200


async def test_slow_body_in_process_arrives_whole(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="slow_body", delay=0.01, chunks=50, times=1)
    response = await api.get("/v1/encoder/jobs")
    assert response.json()["pageInfo"]["currentPage"] == 1


# -- rules: validation, every way in --


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"kind": "hang"}, "delay"),
        ({"kind": "slow_body", "delay": 0}, "delay"),
        ({"kind": "garbage", "status": 503}, "success status"),
        ({"kind": "garbage", "body_format": "xml"}, "body_format"),
        ({"kind": "status", "body_format": "html"}, "garbage"),
        ({"kind": "slow_body", "delay": 1, "chunks": 0}, "chunks"),
        ({"kind": "hang", "delay": 1, "chunks": 2}, "slow_body"),
        ({"kind": "drop_before", "phase": "after"}, "phase"),
        ({"kind": "slow_body", "delay": 1, "phase": "after"}, "phase"),
    ],
)
def test_new_rule_fields_are_checked(rule: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        FaultRule.from_dict(rule)


async def test_new_kinds_through_env_admin_and_python(
    api: httpx.AsyncClient, emu: Emulator
) -> None:
    rules = [
        {"kind": "hang", "delay": 5, "phase": "after", "route": DELETE},
        {"kind": "garbage", "body_format": "json", "status": 201},
        {"kind": "slow_body", "delay": 2, "delay_max": 3, "chunks": 7},
    ]
    config = EmulatorConfig.from_env({"VIDEOSDK_EMULATOR_FAULTS": json.dumps(rules)})
    assert config.faults == [FaultRule.from_dict(r) for r in rules]
    put = await api.put("/_emulator/faults", json={"seed": 2, "rules": rules})
    assert put.status_code == 200
    assert [r["kind"] for r in put.json()["rules"]] == ["hang", "garbage", "slow_body"]
    assert put.json()["rules"][2]["chunks"] == 7
    emu.set_faults(rules)
    assert [r.kind for r in emu.faults.rules] == ["hang", "garbage", "slow_body"]


# -- a mixed run: what the client saw against what the ledger says --

MIXED_KINDS = [
    {"kind": "status", "status": 503},
    {"kind": "rate_limit", "retry_after": 1},
    {"kind": "hang", "delay": 0.001},
    {"kind": "hang", "delay": 0.001, "phase": "after"},
    {"kind": "drop_before"},
    {"kind": "drop_after"},
    {"kind": "truncate"},
    {"kind": "garbage", "body_format": "bytes"},
    {"kind": "garbage", "phase": "after"},
    {"kind": "slow_body", "delay": 0.001},
]
NEVER_APPLIED = {"status", "rate_limit", "drop_before"}
ALWAYS_APPLIED = {"drop_after", "truncate", "slow_body"}  # hang and garbage: by phase


def test_even_mix_shares_the_total() -> None:
    rules = even_mix(0.2, MIXED_KINDS)
    left, shares = 1.0, []
    for rule in rules:
        shares.append(left * rule.probability)
        left -= shares[-1]
    assert shares == pytest.approx([0.02] * len(MIXED_KINDS))
    with pytest.raises(ValueError, match="total"):
        even_mix(1.5, MIXED_KINDS)
    with pytest.raises(ValueError, match="latency"):
        even_mix(0.1, [{"kind": "latency", "delay": 1}])


async def _mixed_run(emulator: Emulator, creates: int) -> list[tuple[str, str | None]]:
    """Create jobs under 20% faults; what each request's client saw."""
    seen: list[tuple[str, str | None]] = []
    async with emulator.client() as api:
        for n in range(creates):
            try:
                response = await api.post(
                    "/v1/encoder/jobs", json=BODY, headers={"Idempotency-Key": f"k{n}"}
                )
            except httpx.TransportError as exc:
                seen.append((f"{type(exc).__name__}", None))
                continue
            try:
                job_id = response.json().get("id")
            except (ValueError, AttributeError):
                job_id = None
            seen.append((str(response.status_code), job_id))
    return seen


async def test_the_ledger_tells_what_each_faulted_request_applied() -> None:
    with Emulator(fault_seed=5, faults=even_mix(0.2, MIXED_KINDS)) as emulator:
        seen = await _mixed_run(emulator, 400)
        requests = emulator.requests()
        entries = {e.seq: e for e in emulator.ledger.entries}
        assert len(requests) == len(seen) == 400
        for record, (outcome, job_id) in zip(requests, seen, strict=True):
            if record.fault in NEVER_APPLIED:
                assert record.ledger_seq is None, record
            elif record.fault in ALWAYS_APPLIED or record.fault is None:
                assert record.ledger_seq is not None, record
            if record.ledger_seq is None:
                continue
            entry = entries[record.ledger_seq]
            assert (entry.request, entry.fault) == (record.seq, record.fault)
            assert entry.idempotency_key == record.idempotency_key
            if outcome == "200" and job_id is not None:
                assert entry.id == job_id  # what the client saw is what the ledger holds
        faulted = [r for r in requests if r.fault is not None]
        assert 50 < len(faulted) < 110  # about 20% of 400
        assert {r.fault for r in faulted} == {k["kind"] for k in MIXED_KINDS}
        assert emulator.ledger.faulted() == [e for e in entries.values() if e.fault]
        assert len(emulator.jobs()) == emulator.ledger.total("create_job")
        assert all(o == "200" for r, (o, _) in zip(requests, seen, strict=True) if r.fault is None)


def test_a_mixed_run_is_reproducible() -> None:
    def run(seed: int) -> list[Any]:
        with Emulator(fault_seed=seed, faults=even_mix(0.2, MIXED_KINDS)) as emulator:
            seen = asyncio.run(_mixed_run(emulator, 120))
            return [
                (r.fault, r.status, o) for r, (o, _) in zip(emulator.requests(), seen, strict=True)
            ]

    assert run(9) == run(9)
    assert run(9) != run(10)


def test_even_mix_parses_like_any_rule_list() -> None:
    seed, rules = parse_fault_config(
        {"seed": 1, "rules": [r.to_dict() for r in even_mix(0.1, MIXED_KINDS)]}
    )
    assert seed == 1 and len(rules) == len(MIXED_KINDS)
