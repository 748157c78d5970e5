"""Webhooks: delivered in order to a loopback receiver, recorded, refused when not loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from videosdk_async.emulator import Emulator, is_loopback_url, serve

BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/in.mp4",
    "presets": [{"resolutions": ["360"], "format": "mp4"}],
}


class Receiver:
    """A tiny ASGI app recording POSTed JSON bodies and answering ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.received.append((scope["path"], json.loads(body), headers))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@asynccontextmanager
async def receiver(status: int = 200) -> AsyncIterator[tuple[Receiver, str]]:
    app = Receiver(status)
    async with serve(app) as server:
        yield app, server.base_url


async def test_deliveries_in_order(api: httpx.AsyncClient, emu: Emulator) -> None:
    async with receiver() as (app, url):
        created = await api.post("/v1/encoder/jobs", json={**BODY, "webhookUrl": f"{url}/hook"})
        job_id = created.json()["id"]
        emu.advance(40)  # queued -> processing -> completed in one catch-up
        assert await emu.wait_for_webhooks_async(10)
    assert [(path, payload["status"]) for path, payload, _ in app.received] == [
        ("/hook", "processing"),
        ("/hook", "completed"),
    ]
    final = app.received[-1][1]
    assert final == emu.get_job(job_id)
    assert len(final["files"]) == 1
    assert app.received[0][2]["content-type"] == "application/json"
    deliveries = emu.webhook_deliveries()
    assert [(d.job_id, d.status, d.response_status, d.ok, d.refused) for d in deliveries] == [
        (job_id, "processing", 200, True, False),
        (job_id, "completed", 200, True, False),
    ]
    assert deliveries[0].url == f"{url}/hook"
    assert deliveries[0].attempted_at == "2021-03-18T08:51:37.438Z"
    admin = (await api.get("/_emulator/webhooks")).json()
    assert admin["pending"] == 0
    assert [d["status"] for d in admin["deliveries"]] == ["processing", "completed"]
    assert admin["deliveries"][0]["responseStatus"] == 200
    assert (await api.delete("/_emulator/webhooks")).json()["deliveries"] == []
    assert emu.webhook_deliveries() == []


async def test_forced_status_and_error_answers(api: httpx.AsyncClient, emu: Emulator) -> None:
    async with receiver(status=500) as (app, url):
        job = emu.create_job({**BODY, "webhookUrl": f"{url}/x"})
        emu.force_status(job["id"], "failed")
        assert await emu.wait_for_webhooks_async(10)
    (delivery,) = emu.webhook_deliveries()
    assert delivery.status == "failed" and delivery.response_status == 500 and not delivery.ok
    assert app.received[0][1]["status"] == "failed"


async def test_unreachable_target_recorded(emu: Emulator) -> None:
    async with receiver() as (_, url):
        dead = url  # the port is closed once the receiver stops
    job = emu.create_job({**BODY, "webhookUrl": f"{dead}/hook"})
    emu.force_status(job["id"], "processing")
    assert await emu.wait_for_webhooks_async(10)
    (delivery,) = emu.webhook_deliveries()
    assert delivery.response_status is None
    assert delivery.error and "Connect" in delivery.error


async def test_non_loopback_refused(emu: Emulator) -> None:
    for url in ("http://example.com/hook", "https://10.0.0.1/hook", "http://8.8.8.8:80/"):
        job = emu.create_job({**BODY, "webhookUrl": url})
        emu.force_status(job["id"], "processing")
    assert emu.webhooks.pending == 0  # nothing was sent
    deliveries = emu.webhook_deliveries()
    assert len(deliveries) == 3
    assert all(d.refused and d.done and d.response_status is None for d in deliveries)
    assert all("loopback" in (d.error or "") for d in deliveries)


def test_remote_allowed_by_flag() -> None:
    with Emulator(allow_remote_webhooks=True, webhook_timeout=0.2) as emu:
        job = emu.create_job({**BODY, "webhookUrl": "http://192.0.2.1:9/hook"})  # TEST-NET
        emu.force_status(job["id"], "processing")
        assert emu.wait_for_webhooks(10)
        (delivery,) = emu.webhook_deliveries()
        assert not delivery.refused and delivery.error  # attempted, could not connect


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://127.9.9.9/x", True),
        ("http://[::1]:80/", True),
        ("http://localhost/x", True),
        ("http://LOCALHOST:1/x", True),
        ("http://api.localhost/x", True),
        ("http://localhost.example.com/x", False),
        ("http://128.0.0.1/", False),
        ("http://[::2]/", False),
        ("http://example.com/", False),
        ("not a url", False),
        ("http://[bad/", False),
    ],
)
def test_is_loopback_url(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
