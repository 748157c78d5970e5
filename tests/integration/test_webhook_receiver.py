"""A FastAPI webhook receiver, served by uvicorn on a loopback port, fed the emulator's real
deliveries: every state change arrives, parses into the job the API returns, in order."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI, Request, Response
from support import PRESET

from videosdk_async import (
    AsyncEncoderClient,
    EncodingJob,
    JobStatus,
    RSASignatureVerifier,
    WebhookError,
    WebhookSignatureError,
    parse_webhook,
)
from videosdk_async.emulator import Emulator, serve
from videosdk_async.webhooks import WebhookVerifier

pytestmark = pytest.mark.integration

MakeClient = Callable[..., AsyncEncoderClient]


def receiver(verify: WebhookVerifier | None = None) -> tuple[FastAPI, list[EncodingJob]]:
    """The receiver a user would write: parse, refuse what is not a genuine job, answer 204."""
    app = FastAPI()
    received: list[EncodingJob] = []

    @app.post("/hooks/encoding")
    async def hook(request: Request) -> Response:
        try:
            job = parse_webhook(await request.body(), headers=request.headers, verify=verify)
        except WebhookSignatureError:
            return Response(status_code=401)
        except WebhookError:
            return Response(status_code=400)
        received.append(job)
        return Response(status_code=204)

    return app, received


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app on uvicorn, on an ephemeral loopback port; yields the hook's URL."""
    async with serve(app, port=0) as server:
        yield f"{server.base_url}/hooks/encoding"


async def test_every_state_change_arrives_as_the_job(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    app, received = receiver()
    async with served(app) as hook_url, make_client() as client:
        jobs = [
            await client.jobs.create(
                video_url="https://example.com/in.mp4",
                presets=[PRESET],
                webhook_url=hook_url,
                user_data={"n": n},
            )
            for n in range(3)
        ]
        videosdk_emulator.advance(40)  # queued → processing → completed for all three
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        final = {job.id: await client.jobs.get(job.id) for job in jobs}
    deliveries = videosdk_emulator.webhook_deliveries()
    assert len(deliveries) == 6 and all(d.response_status == 204 for d in deliveries)
    for job in jobs:
        mine = [j for j in received if j.id == job.id]
        assert [j.status for j in mine] == [JobStatus.PROCESSING, JobStatus.COMPLETED]
        assert mine[-1] == final[job.id]  # the delivered job is the job the API returns
        assert mine[-1].files and mine[-1].user_data == job.user_data


@pytest.mark.videosdk_emulator(fail_ratio=1.0)
async def test_a_failure_arrives_with_its_reason(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    app, received = receiver()
    async with served(app) as hook_url, make_client() as client:
        job = await client.jobs.create(
            video_url="https://example.com/in.mp4", presets=[PRESET], webhook_url=hook_url
        )
        videosdk_emulator.force_status(job.id, "processing")
        videosdk_emulator.advance(31)
        assert await videosdk_emulator.wait_for_webhooks_async(10)
    assert [j.status for j in received] == [JobStatus.PROCESSING, JobStatus.FAILED]
    assert received[-1].failure_reason == "ENCODING_FAILED: Emulated encoding failure"


async def test_a_signing_deployment_refuses_what_it_did_not_sign() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app, received = receiver(verify=RSASignatureVerifier(pem))
    body = b'{"id": "60531471e32e8e4eaea094fe", "status": "completed", "newField": 1}'
    signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    async with served(app) as hook_url, httpx.AsyncClient(trust_env=False) as http:
        signed = await http.post(hook_url, content=body, headers={"videosdk-signature": signature})
        unsigned = await http.post(hook_url, content=body)
        tampered = await http.post(
            hook_url,
            content=body.replace(b"completed", b"failed"),
            headers={"videosdk-signature": signature},
        )
        garbage = await http.post(
            hook_url,
            content=b"<html/>",
            headers={
                "videosdk-signature": base64.b64encode(
                    key.sign(b"<html/>", padding.PKCS1v15(), hashes.SHA256())
                ).decode()
            },
        )
    assert [r.status_code for r in (signed, unsigned, tampered, garbage)] == [204, 401, 401, 400]
    assert [(j.id, j.status, j.model_extra) for j in received] == [
        ("60531471e32e8e4eaea094fe", JobStatus.COMPLETED, {"newField": 1})
    ]
