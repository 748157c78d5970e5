"""Fault injection: every kind, in process and over real uvicorn sockets; seeding; config."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from videosdk_async.emulator import Emulator, EmulatorConfig, FaultRule, serve

BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/in.mp4",
    "presets": [{"resolutions": ["360"], "format": "mp4"}],
}
DELETE_ROUTE = "DELETE /v1/encoder/jobs/{jobId}"


async def test_status_fault_times(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = emu.create_job(BODY)
    emu.add_fault(kind="status", route=DELETE_ROUTE, status=503, times=2)
    first = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    second = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.json() == {"message": "Emulated fault: 503 Service Unavailable"}
    assert emu.ledger.deletes(job["id"]) == 0
    third = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    assert third.status_code == 200
    assert emu.ledger.deletes(job["id"]) == 1
    snapshot = emu.faults.snapshot()["rules"][0]
    assert snapshot["fired"] == 2 and snapshot["remaining"] == 0
    assert [r.fault for r in emu.requests()] == ["status", "status", None]


async def test_status_fault_other_routes_untouched(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="status", route=DELETE_ROUTE, status=500)
    assert (await api.get("/v1/encoder/jobs")).status_code == 200
    assert (await api.post("/v1/encoder/jobs", json=BODY)).status_code == 200
    assert (await api.delete("/v1/encoder/jobs/x")).status_code == 500
    assert (await api.get("/_emulator/health")).status_code == 200  # admin: never faulted


async def test_status_after_applies_operation(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="status", route="POST /v1/encoder/jobs", status=502, phase="after", times=1)
    response = await api.post("/v1/encoder/jobs", json=BODY)
    assert response.status_code == 502
    assert len(emu.jobs()) == 1
    assert emu.ledger.total("create_job") == 1


async def test_non_json_error_body_and_retry_after(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(
        kind="status",
        status=502,
        body="<html>Bad Gateway</html>",
        retry_after=3,
        times=1,
    )
    response = await api.get("/v1/encoder/jobs")
    assert response.status_code == 502
    assert response.text == "<html>Bad Gateway</html>"
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["retry-after"] == "3"


async def test_rate_limit(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="rate_limit", route="GET /v1/encoder/jobs", retry_after=2, times=1)
    limited = await api.get("/v1/encoder/jobs")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert limited.json()["message"] == "Emulated fault: 429 Too Many Requests"
    assert (await api.get("/v1/encoder/jobs")).status_code == 200
    emu.set_faults([FaultRule(kind="rate_limit", retry_after=0.2)])
    assert (await api.get("/v1/encoder/jobs")).headers["retry-after"] == "1"


async def test_latency(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(kind="latency", delay=0.001, delay_max=0.002)
    emu.add_fault(kind="status", status=500, times=1)
    assert (await api.get("/storage/v1/files")).status_code == 500
    assert (await api.get("/storage/v1/files")).status_code == 200
    assert [r.fault for r in emu.requests()] == ["status", "latency"]


async def test_skip_and_route_patterns(api: httpx.AsyncClient, emu: Emulator) -> None:
    emu.set_faults(
        [
            {"kind": "status", "route": "GET /v1/encoder/jobs?page=3*", "status": 500},
            {"kind": "status", "route": "/storage/v1/files*", "status": 503, "skip": 1, "times": 1},
        ]
    )
    assert (await api.get("/v1/encoder/jobs", params={"page": 2})).status_code == 200
    assert (await api.get("/v1/encoder/jobs", params={"page": 3})).status_code == 500
    assert (await api.get("/storage/v1/files")).status_code == 200  # skipped
    assert (await api.get("/storage/v1/files/abc")).status_code == 503  # any method, any files path
    assert (await api.get("/storage/v1/files")).status_code == 200  # used up


async def test_in_process_drops(api: httpx.AsyncClient, emu: Emulator) -> None:
    a, b = emu.create_job(BODY), emu.create_job(BODY)
    emu.add_fault(kind="drop_before", route=DELETE_ROUTE, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await api.delete(f"/v1/encoder/jobs/{a['id']}")
    assert emu.get_job(a["id"]) is not None
    assert emu.ledger.deletes(a["id"]) == 0
    emu.add_fault(kind="drop_after", route=DELETE_ROUTE, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await api.delete(f"/v1/encoder/jobs/{b['id']}")
    assert emu.get_job(b["id"]) is None
    assert emu.ledger.deletes(b["id"]) == 1
    assert (await api.delete(f"/v1/encoder/jobs/{b['id']}")).status_code == 404
    emu.add_fault(kind="truncate", route="POST /v1/encoder/jobs", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await api.post("/v1/encoder/jobs", json=BODY)
    assert emu.ledger.total("create_job") == 1
    assert [r.status for r in emu.requests()] == [None, None, 404, 200]


async def test_drops_over_real_sockets(emu: Emulator) -> None:
    a, b = emu.create_job(BODY), emu.create_job(BODY)
    async with (
        serve(emu) as server,
        httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": emu.token}) as client,
    ):
        assert (await client.get("/v1/encoder/jobs")).status_code == 200  # warm keep-alive
        emu.add_fault(kind="drop_before", route=DELETE_ROUTE, times=1)
        with pytest.raises(httpx.TransportError):
            await client.delete(f"/v1/encoder/jobs/{a['id']}")
        assert emu.get_job(a["id"]) is not None
        assert emu.ledger.deletes(a["id"]) == 0
        assert (await client.delete(f"/v1/encoder/jobs/{a['id']}")).status_code == 200
        assert emu.ledger.deletes(a["id"]) == 1

        emu.add_fault(kind="drop_after", route=DELETE_ROUTE, times=1)
        with pytest.raises(httpx.TransportError):
            await client.delete(f"/v1/encoder/jobs/{b['id']}")
        assert emu.get_job(b["id"]) is None
        assert emu.ledger.deletes(b["id"]) == 1
        retry = await client.delete(f"/v1/encoder/jobs/{b['id']}")
        assert retry.status_code == 404
        assert emu.ledger.deletes(b["id"]) == 1

        emu.add_fault(kind="truncate", route="POST /v1/encoder/jobs", times=1)
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message"):
            await client.post("/v1/encoder/jobs", json=BODY)
        assert emu.ledger.total("create_job") == 1

        emu.add_fault(kind="status", status=503, times=1)
        assert (await client.get("/storage/v1/files")).status_code == 503
        assert (await client.get("/storage/v1/files")).status_code == 200


async def test_truncate_over_socket_sends_part_of_body(emu: Emulator) -> None:
    emu.add_fault(kind="truncate", route="GET /v1/encoder/jobs", times=1)
    async with serve(emu) as server, httpx.AsyncClient(base_url=server.base_url) as client:
        headers = {"Authorization": emu.token}
        async with client.stream("GET", "/v1/encoder/jobs", headers=headers) as response:
            assert response.status_code == 200
            declared = int(response.headers["content-length"])
            received: list[bytes] = []

            async def read_all() -> None:
                async for chunk in response.aiter_raw():
                    received.append(chunk)

            with pytest.raises(httpx.RemoteProtocolError):
                await read_all()
            assert 0 < len(b"".join(received)) < declared


def outcomes(seed: int, n: int = 60) -> list[int]:
    with Emulator(fault_seed=seed, faults=[FaultRule(kind="status", probability=0.3)]) as emu:
        import asyncio

        async def run() -> list[int]:
            async with emu.client() as api:
                return [(await api.get("/storage/v1/files")).status_code for _ in range(n)]

        return asyncio.run(run())


def test_seeded_faults_reproducible() -> None:
    first = outcomes(11)
    assert first == outcomes(11)
    assert first != outcomes(12)
    assert 5 < first.count(503) < 35


async def test_set_faults_reseeds(api: httpx.AsyncClient, emu: Emulator) -> None:
    rules = [FaultRule(kind="status", probability=0.5)]
    emu.set_faults(rules, seed=1)
    first = [(await api.get("/storage/v1/files")).status_code for _ in range(30)]
    emu.set_faults(rules)  # same seed again
    assert [(await api.get("/storage/v1/files")).status_code for _ in range(30)] == first


async def test_admin_faults_endpoint(api: httpx.AsyncClient, emu: Emulator) -> None:
    put = await api.put(
        "/_emulator/faults",
        json={
            "seed": 9,
            "rules": [{"kind": "status", "route": DELETE_ROUTE, "status": 500, "times": 1}],
        },
    )
    assert put.status_code == 200
    assert put.json() == {
        "seed": 9,
        "rules": [
            {
                "kind": "status",
                "route": DELETE_ROUTE,
                "probability": 1.0,
                "times": 1,
                "skip": 0,
                "status": 500,
                "delay": 0.0,
                "phase": "before",
                "fired": 0,
                "remaining": 1,
            }
        ],
    }
    assert (await api.delete("/v1/encoder/jobs/x")).status_code == 500
    added = await api.post("/_emulator/faults", json={"kind": "rate_limit"})
    assert [r["kind"] for r in added.json()["rules"]] == ["status", "rate_limit"]
    got = (await api.get("/_emulator/faults")).json()
    assert got["rules"][0]["fired"] == 1 and got["rules"][0]["remaining"] == 0
    assert (await api.get("/storage/v1/files")).status_code == 429
    cleared = await api.delete("/_emulator/faults")
    assert cleared.json()["rules"] == []
    for bad in (
        {"kind": "explode"},
        {"kind": "status", "probability": 2},
        {"kind": "status", "x": 1},
        [1],
        {"rules": 3},
    ):
        response = await api.put("/_emulator/faults", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["message"]
    invalid = await api.put(
        "/_emulator/faults", content=b"{", headers={"content-type": "application/json"}
    )
    assert invalid.status_code == 400


def test_faults_from_env_and_config() -> None:
    env = {
        "VIDEOSDK_EMULATOR_FAULTS": json.dumps(
            {"seed": 4, "rules": [{"kind": "drop_after", "route": DELETE_ROUTE, "times": 3}]}
        ),
        "VIDEOSDK_EMULATOR_SEED": "8",
        "VIDEOSDK_EMULATOR_TIME_SCALE": "2.5",
        "VIDEOSDK_EMULATOR_QUEUED_SECONDS": "never",
        "VIDEOSDK_EMULATOR_ALLOW_REMOTE_WEBHOOKS": "yes",
        "VIDEOSDK_EMULATOR_API_KEY": "k",
    }
    config = EmulatorConfig.from_env(env)
    assert config.faults == [FaultRule(kind="drop_after", route=DELETE_ROUTE, times=3)]
    assert config.fault_seed == 4 and config.seed == 8
    assert config.time_scale == 2.5 and config.queued_seconds is None
    assert config.allow_remote_webhooks is True and config.api_key == "k"
    with Emulator(config) as emu:
        assert emu.faults.seed == 4
    single = EmulatorConfig.from_env(
        {"VIDEOSDK_EMULATOR_FAULTS": '{"kind": "latency", "delay": 1}'}
    )
    assert single.faults == [FaultRule(kind="latency", delay=1)]
    with pytest.raises(ValueError, match="FAULTS"):
        EmulatorConfig.from_env({"VIDEOSDK_EMULATOR_FAULTS": '[{"kind": "nope"}]'})
    with pytest.raises(ValueError, match="SEED"):
        EmulatorConfig.from_env({"VIDEOSDK_EMULATOR_SEED": "abc"})


def test_rule_validation() -> None:
    for bad in (
        {"kind": "status", "status": 200},
        {"kind": "status", "times": 0},
        {"kind": "latency", "delay": 2, "delay_max": 1},
        {"kind": "status", "phase": "during"},
        {"route": "*"},
        "status",
    ):
        with pytest.raises(ValueError, match=r"."):
            FaultRule.from_dict(bad)
