"""The webhook receiver, fed the emulator's real deliveries.

The emulator POSTs each job change to the job's ``webhookUrl`` when it is a loopback
address. Here the receiver is served by uvicorn on a loopback port (in this process, and
once as a process of its own, started the way the recipe page says), jobs are created with
its URL, and the emulator's clock is moved on: every change arrives, parses into the job the
API returns, and a finished job's work runs once.

Needs: pytest, pytest-asyncio, fastapi, uvicorn, cryptography, ``videosdk-async[emulator]``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI
from webhook_app import HOOK_PATH, PUBLIC_KEY_FILE, JobBoard, create_app, verifier_from_env

from videosdk_async import AsyncEncoderClient, EncodingJob, JobStatus, RSASignatureVerifier
from videosdk_async.emulator import Emulator, serve

HERE = Path(__file__).parent
PRESET = {"resolutions": ["360"], "format": "hls"}
VIDEO = "https://example.com/talk.mp4"


class Finished:
    """The ``on_finished`` work, recorded; a test can await the first ``n`` of them."""

    def __init__(self) -> None:
        self.jobs: list[EncodingJob] = []
        self._changed = anyio.Event()

    async def __call__(self, job: EncodingJob) -> None:
        self.jobs.append(job)
        self._changed.set()

    async def wait_for(self, n: int) -> list[EncodingJob]:
        with anyio.fail_after(10):
            while len(self.jobs) < n:
                self._changed = anyio.Event()
                await self._changed.wait()
        return self.jobs


# --8<-- [start:served]
@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The receiver on uvicorn, on an ephemeral loopback port; yields its base URL."""
    async with serve(app, port=0) as server:
        yield server.base_url


# --8<-- [end:served]


# --8<-- [start:deliveries]
@pytest.mark.asyncio
async def test_every_change_arrives_and_each_finished_job_is_handled_once(
    videosdk_client: AsyncEncoderClient, videosdk_emulator: Emulator
) -> None:
    finished = Finished()
    board = JobBoard()
    async with served(create_app(on_finished=finished, board=board)) as receiver:
        jobs = [
            await videosdk_client.jobs.create(
                video_url=VIDEO, presets=[PRESET], webhook_url=receiver + HOOK_PATH
            )
            for _ in range(3)
        ]
        videosdk_emulator.advance(40)  # queued → processing → completed, for all three
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        handled = await finished.wait_for(3)

        deliveries = videosdk_emulator.webhook_deliveries()
        assert [d.response_status for d in deliveries] == [204] * 6  # two changes per job
        for job in jobs:
            latest = await videosdk_client.jobs.get(job.id)
            assert board.get(job.id) == latest  # the delivered job is the job the API returns
            assert latest.status is JobStatus.COMPLETED and latest.files
        assert sorted(j.id for j in handled) == sorted(j.id for j in jobs)


# --8<-- [end:deliveries]


@pytest.mark.asyncio
@pytest.mark.videosdk_emulator(fail_ratio=1.0)
async def test_a_failure_arrives_with_its_reason(
    videosdk_client: AsyncEncoderClient, videosdk_emulator: Emulator
) -> None:
    finished = Finished()
    async with served(create_app(on_finished=finished)) as receiver:
        job = await videosdk_client.jobs.create(
            video_url=VIDEO, presets=[PRESET], webhook_url=receiver + HOOK_PATH
        )
        videosdk_emulator.advance(40)
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        [failed] = await finished.wait_for(1)
    assert failed.id == job.id and failed.status is JobStatus.FAILED
    assert failed.failure_reason == "ENCODING_FAILED: Emulated encoding failure"


@pytest.mark.asyncio
async def test_a_late_or_repeated_delivery_changes_nothing(
    videosdk_client: AsyncEncoderClient, videosdk_emulator: Emulator
) -> None:
    finished = Finished()
    board = JobBoard()
    async with served(create_app(on_finished=finished, board=board)) as receiver:
        hook = receiver + HOOK_PATH
        job = await videosdk_client.jobs.create(video_url=VIDEO, presets=[PRESET], webhook_url=hook)
        processing = videosdk_emulator.force_status(job.id, "processing")  # the job, as sent
        videosdk_emulator.advance(31)
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        [done] = await finished.wait_for(1)

        completed = board.get(job.id)
        assert completed is not None and completed.status is JobStatus.COMPLETED
        async with httpx.AsyncClient(trust_env=False) as http:
            late = await http.post(hook, content=json.dumps(processing))
            again = await http.post(hook, content=completed.to_json())
        assert (late.status_code, again.status_code) == (204, 204)  # acknowledged...
        assert board.get(job.id) == completed  # ...and nothing moved back
        assert finished.jobs == [done]  # the finished work ran once


def signer() -> tuple[bytes, rsa.RSAPrivateKey]:
    """A sender's key pair: the public half as PEM (what the receiver is given), the private."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, key


def signature(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


@pytest.mark.asyncio
async def test_a_signing_receiver_refuses_what_was_not_signed(
    videosdk_client: AsyncEncoderClient, videosdk_emulator: Emulator
) -> None:
    pem, key = signer()
    board = JobBoard()
    async with served(create_app(verify=RSASignatureVerifier(pem), board=board)) as receiver:
        hook = receiver + HOOK_PATH
        job = await videosdk_client.jobs.create(video_url=VIDEO, presets=[PRESET], webhook_url=hook)
        videosdk_emulator.advance(6)  # processing: one delivery, unsigned (the emulator's)
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        assert [d.response_status for d in videosdk_emulator.webhook_deliveries()] == [401]
        assert board.get(job.id) is None

        body = json.dumps({"id": job.id, "status": "completed", "newField": 1}).encode()
        async with httpx.AsyncClient(trust_env=False) as http:
            signed = await http.post(
                hook, content=body, headers={"videosdk-signature": signature(key, body)}
            )
            tampered = await http.post(
                hook,
                content=body.replace(b"completed", b"failed"),
                headers={"videosdk-signature": signature(key, body)},
            )
            not_a_job = await http.post(
                hook, content=b"<html/>", headers={"videosdk-signature": signature(key, b"<html/>")}
            )
    assert (signed.status_code, tampered.status_code, not_a_job.status_code) == (204, 401, 400)
    delivered = board.get(job.id)
    assert delivered is not None and delivered.status is JobStatus.COMPLETED
    assert delivered.model_extra == {"newField": 1}  # a field the SDK does not know is kept


def test_the_public_key_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PUBLIC_KEY_FILE, raising=False)
    assert verifier_from_env() is None
    pem, key = signer()
    (tmp_path / "sender.pem").write_bytes(pem)
    monkeypatch.setenv(PUBLIC_KEY_FILE, str(tmp_path / "sender.pem"))
    verify = verifier_from_env()
    assert isinstance(verify, RSASignatureVerifier)
    verify(b"{}", {"videosdk-signature": signature(key, b"{}")})  # raises if it does not match


# --8<-- [start:process]
@asynccontextmanager
async def receiver_process() -> AsyncIterator[str]:
    """``uvicorn webhook_app:app`` as its own process, as the recipe page runs it, on a free
    loopback port; yields its base URL (read from uvicorn's start-up line)."""
    env = {k: v for k, v in os.environ.items() if k != PUBLIC_KEY_FILE}
    command = [sys.executable, "-m", "uvicorn", "webhook_app:app", "--app-dir", str(HERE)]
    process: Process = await anyio.open_process(
        [*command, "--host", "127.0.0.1", "--port", "0"], env=env
    )
    try:
        assert process.stderr is not None
        log = BufferedByteReceiveStream(process.stderr)
        with anyio.fail_after(20):
            while True:
                line = (await log.receive_until(b"\n", 65536)).decode()
                started = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
                if started:
                    break
        yield started.group(1)
    finally:
        process.terminate()
        with anyio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()
        await process.aclose()


@pytest.mark.asyncio
async def test_the_receiver_runs_under_uvicorn_as_its_own_process(
    videosdk_client: AsyncEncoderClient, videosdk_emulator: Emulator
) -> None:
    async with receiver_process() as receiver, httpx.AsyncClient(trust_env=False) as http:
        job = await videosdk_client.jobs.create(
            video_url=VIDEO, presets=[PRESET], webhook_url=receiver + HOOK_PATH
        )
        videosdk_emulator.advance(40)
        assert await videosdk_emulator.wait_for_webhooks_async(10)
        known = await http.get(f"{receiver}/jobs/{job.id}")
        unknown = await http.get(f"{receiver}/jobs/0123456789abcdef01234567")
    assert [d.response_status for d in videosdk_emulator.webhook_deliveries()] == [204, 204]
    assert EncodingJob.model_validate(known.json()) == await videosdk_client.jobs.get(job.id)
    assert unknown.status_code == 404


# --8<-- [end:process]
