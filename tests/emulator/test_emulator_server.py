"""Run modes: serve() in the loop, ServerThread, the CLI, the pytest fixtures; load sanity."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import anyio
import httpx
import pytest

from videosdk_async.emulator import Emulator, FaultRule, ServerThread, serve
from videosdk_async.emulator import command as cli

BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/in.mp4",
    "presets": [{"resolutions": ["360"], "format": "mp4"}],
}


async def test_serve_in_loop_and_clean_shutdown(emu: Emulator) -> None:
    client = httpx.AsyncClient(headers={"Authorization": emu.token})
    with anyio.fail_after(20):  # shutdown must not hang on the open keep-alive connection
        async with serve(emu, port=0) as server:
            assert server.base_url.startswith("http://127.0.0.1:")
            assert server.port > 0
            assert emu.base_url == server.base_url
            health = await client.get(f"{server.base_url}/_emulator/health")
            assert health.json()["status"] == "ok"
            created = await client.post(f"{server.base_url}/v1/encoder/jobs", json=BODY)
            assert created.status_code == 200
            asked = await client.post(f"{server.base_url}/v1/files")
            assert asked.json() == {"url": f"{server.base_url}/storage/v1/files"}
    with pytest.raises(httpx.TransportError):
        await client.get(f"{server.base_url}/_emulator/health")
    await client.aclose()


async def test_refuses_non_loopback_host(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        async with serve(emu, host="0.0.0.0"):
            pass
    with pytest.raises(ValueError, match="non-loopback"):
        ServerThread(emu, host="192.168.1.1")


def test_serve_under_trio_says_to_use_a_thread(emu: Emulator) -> None:
    async def under_trio() -> None:
        async with serve(emu):
            pass  # pragma: no cover - refused before it serves

    with pytest.raises(RuntimeError) as refused:
        anyio.run(under_trio, backend="trio")
    assert str(refused.value) == (
        "serve() runs on an asyncio event loop; under trio (or from sync code) start the "
        "emulator in a thread of its own: ServerThread(emulator).start()"
    )


def test_server_thread_sync_use(emu: Emulator) -> None:
    with ServerThread(emu) as server:
        assert server.base_url == emu.base_url
        with httpx.Client(base_url=server.base_url, headers={"Authorization": emu.token}) as c:
            job = c.post("/v1/encoder/jobs", json=BODY).json()
            emu.advance(5)
            assert c.get(f"/v1/encoder/jobs/{job['id']}").json()["status"] == "processing"
            assert c.post("/_emulator/reset").json()["status"] == "reset"
            assert c.get("/v1/encoder/jobs").json()["data"] == []
            ledger = c.get("/_emulator/ledger").json()
            assert ledger == {"counts": {}, "log": []}
    assert server._thread is None


async def test_ledger_endpoint(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = (await api.post("/v1/encoder/jobs", json=BODY, headers={"Idempotency-Key": "k1"})).json()
    await api.delete(f"/v1/encoder/jobs/{job['id']}")
    ledger = (await api.get("/_emulator/ledger")).json()
    assert ledger["counts"] == {job["id"]: {"creates": 1, "deletes": 1}}
    assert [(e["seq"], e["op"], e["id"]) for e in ledger["log"]] == [
        (1, "create_job", job["id"]),
        (2, "delete_job", job["id"]),
    ]
    assert ledger["log"][0]["idempotencyKey"] == "k1"
    assert emu.ledger.duplicates() == {}
    health = (await api.get("/_emulator/health")).json()
    assert health == {"status": "ok", "now": "2021-03-18T08:50:57.438Z", "jobs": 0, "files": 0}


# -- CLI --


def test_cli_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    async def fake_serve(emulator: Emulator, host: str, port: int, level: str, out: Any) -> None:
        seen.update(emulator=emulator, host=host, port=port, level=level)

    monkeypatch.setattr(cli, "serve_until_stopped", fake_serve)
    for name in (
        "VIDEOSDK_EMULATOR_TIME_SCALE",
        "VIDEOSDK_EMULATOR_PORT",
        "VIDEOSDK_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    faults = json.dumps([{"kind": "status", "route": "GET /storage/v1/files", "status": 500}])
    code = cli.main(
        [
            "--port", "0", "--api-key", "k", "--secret", "s" * 32, "--token", "t",
            "--seed", "3", "--time-scale", "0", "--queued-seconds", "1",
            "--processing-seconds", "2", "--fail-ratio", "0.25", "--faults", faults,
            "--allow-remote-webhooks", "--log-level", "warning",
        ]
    )  # fmt: skip
    assert code == 0
    emulator: Emulator = seen["emulator"]
    assert (seen["host"], seen["port"], seen["level"]) == ("127.0.0.1", 0, "warning")
    cfg = emulator.config
    assert (cfg.api_key, cfg.secret, cfg.token, cfg.seed) == ("k", "s" * 32, "t", 3)
    assert emulator.clock.manual
    assert (cfg.queued_seconds, cfg.processing_seconds, cfg.fail_ratio) == (1, 2, 0.25)
    assert cfg.faults == [FaultRule(kind="status", route="GET /storage/v1/files", status=500)]
    assert cfg.allow_remote_webhooks is True

    seen.clear()
    assert cli.main([]) == 0
    defaults: Emulator = seen["emulator"]
    assert seen["port"] == 8787 and seen["host"] == "127.0.0.1"
    assert defaults.clock.time_scale == 1.0  # served: real time by default
    assert len(defaults.api_key) == 36 and len(defaults.secret) == 64  # generated


def test_cli_rejects_bad_input(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(cli, "serve_until_stopped", lambda *a: pytest.fail("must not serve"))
    for argv in (
        ["--host", "0.0.0.0"],
        ["--port", "70000"],
        ["--fail-ratio", "2"],
        ["--faults", "{not json"],
        ["--faults", '[{"kind": "nope"}]'],
        ["--faults", "@/nonexistent/faults.json"],
        ["--seed", "x"],
        ["--log-level", "loud"],
        ["--no-such-flag"],
    ):
        assert cli.main(argv, environ={}) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: "), err
        assert "(try 'videosdk-emulator --help')" in err
        if argv[0] == "--host":
            assert "non-loopback" in err


def test_cli_faults_file_and_banner(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"seed": 5, "rules": [{"kind": "rate_limit"}]}))
    args = cli.build_parser().parse_args(["--faults", f"@{path}"])
    config = cli.config_from_args(args, {})
    assert config.fault_seed == 5 and config.faults[0].kind == "rate_limit"
    with Emulator(config) as emulator:
        text = cli.banner(emulator, "http://127.0.0.1:8787")
    assert "export VIDEOSDK_BASE_URL=http://127.0.0.1:8787" in text
    assert f"export VIDEOSDK_API_KEY={config.api_key}" in text
    assert f"export VIDEOSDK_SECRET_KEY={config.secret}" in text
    assert config.token in text


async def test_cli_serves_on_ephemeral_port(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = asyncio.Event()

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            printed.set()
            return super().write(text)

    out = Out()
    with Emulator(time_scale=0) as emulator:
        task = asyncio.create_task(
            cli.serve_until_stopped(emulator, "127.0.0.1", 0, "warning", out)
        )
        with anyio.fail_after(10):
            await printed.wait()
        assert f"export VIDEOSDK_BASE_URL={emulator.base_url}" in out.getvalue()
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{emulator.base_url}/_emulator/health")
            assert health.status_code == 200
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# -- pytest plugin fixtures --


def test_fixture_serves_fresh_state(videosdk_emulator: Emulator) -> None:
    base = videosdk_emulator.base_url
    assert base is not None and base.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=base, headers={"Authorization": videosdk_emulator.token}) as c:
        assert c.get("/v1/encoder/jobs").json()["data"] == []
        job = c.post("/v1/encoder/jobs", json=BODY).json()
        videosdk_emulator.advance(5)
        assert c.get(f"/v1/encoder/jobs/{job['id']}").json()["status"] == "processing"
    assert videosdk_emulator.ledger.creates(job["id"]) == 1


def test_fixture_state_is_reset_between_tests(pytester: pytest.Pytester) -> None:
    """Two tests in a session of their own, in a fixed order: what the first leaves behind
    (jobs, ledger entries, faults, settings) is gone when the second starts."""
    pytester.makepyfile(
        """
        import httpx

        BODY = {"videoUrl": "https://example.com/a.mp4",
                "presets": [{"resolutions": ["360"], "format": "hls"}]}

        def test_first_leaves_a_mess(videosdk_emulator):
            httpx.post(videosdk_emulator.base_url + "/v1/encoder/jobs", json=BODY,
                       headers={"Authorization": videosdk_emulator.token})
            videosdk_emulator.configure(queued_seconds=1)
            videosdk_emulator.set_faults([{"kind": "status", "status": 503}])
            assert videosdk_emulator.ledger.total() == 1

        def test_second_starts_clean(videosdk_emulator):
            assert videosdk_emulator.jobs() == []
            assert videosdk_emulator.ledger.total() == 0
            assert videosdk_emulator.lifecycle.queued_seconds != 1
            assert videosdk_emulator.create_job(BODY)["status"] == "queued"  # no 503 rule left
        """
    )
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


@pytest.mark.videosdk_emulator(
    queued_seconds=1, faults=[{"kind": "status", "route": "GET /storage/v1/files", "times": 1}]
)
async def test_fixture_marker(videosdk_emulator: Emulator) -> None:
    assert videosdk_emulator.lifecycle.queued_seconds == 1
    token = videosdk_emulator.mint_token()
    async with httpx.AsyncClient(
        base_url=videosdk_emulator.base_url or "", headers={"Authorization": token}
    ) as client:
        assert (await client.get("/storage/v1/files")).status_code == 503
        assert (await client.get("/storage/v1/files")).status_code == 200


async def test_videosdk_client_fixture(videosdk_client: Any, videosdk_emulator: Emulator) -> None:
    """The SDK client fixture talks to the fixture's emulator (smoke test of the wiring)."""
    created = await videosdk_client.jobs.create(BODY)
    assert videosdk_emulator.ledger.creates(created.id) == 1
    page = await videosdk_client.jobs.list()
    assert [job.id for job in page.data] == [created.id]
    deleted = await videosdk_client.jobs.delete(created.id)
    assert deleted.id == created.id
    assert videosdk_emulator.jobs() == []


# -- load sanity --


async def test_thousands_of_concurrent_deletes_over_socket(emu: Emulator) -> None:
    ids = [emu.create_job(BODY)["id"] for _ in range(1000)]
    # Bound in-flight requests by the pool size, as the SDK does: httpx's pool is slow
    # with many waiters, and the point here is the server.
    connections = 20
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    gate = asyncio.Semaphore(connections)
    async with (
        serve(emu) as server,
        httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": emu.mint_token()}, limits=limits
        ) as client,
    ):

        async def delete(job_id: str) -> int:
            async with gate:
                return (await client.delete(f"/v1/encoder/jobs/{job_id}")).status_code

        statuses = await asyncio.gather(*(delete(i) for i in ids))
    assert set(statuses) == {200}
    assert emu.ledger.total("delete_job") == 1000
    assert emu.ledger.duplicates() == {}
    assert emu.request_counts()["DELETE /v1/encoder/jobs/{jobId}"] == 1000


async def test_many_in_process_deletes_stay_linear(emu: Emulator) -> None:
    ids = [emu.create_job(BODY)["id"] for _ in range(5000)]
    async with emu.client() as api:
        gate = asyncio.Semaphore(500)

        async def delete(job_id: str) -> int:
            async with gate:
                return (await api.delete(f"/v1/encoder/jobs/{job_id}")).status_code

        statuses = await asyncio.gather(*(delete(i) for i in ids))
        assert set(statuses) == {200}
        page = await api.get("/v1/encoder/jobs")
        assert page.json()["data"] == []
    assert emu.ledger.total("delete_job") == 5000
    assert emu.ledger.duplicates() == {}


def test_store_operations_are_cheap_at_scale() -> None:
    """Catch-up and paging never rescan everything: 20k jobs, then the last page."""
    with Emulator() as emulator:
        for _ in range(20_000):
            emulator.create_job(BODY)
        emulator.advance(6)  # 20k transitions popped off the heap, once
        store = emulator.store
        from videosdk_async.emulator.paging import page_of

        items, last = page_of(store.jobs, 200, 100)
        assert last == 200 and len(items) == 100
        assert all(j.status == "processing" for j in items)
        assert len(store._heap) == 20_000  # one pending completion each, nothing stale
