"""Webhook delivery: POST the job JSON to its ``webhookUrl`` on every state change.

Deliveries run on a private event loop in a daemon thread, so they never block
the request (or the Python call) that caused the transition, whichever thread
or event loop (asyncio or trio) that ran on. Deliveries for one job are sent in
order; only loopback targets (see `.loopback`) are contacted unless remote ones are
allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from .loopback import is_loopback_url

USER_AGENT = "videosdk-emulator"


@dataclass
class WebhookDelivery:
    """One webhook attempt.

    ``response_status`` is set once the target answered; ``error`` when it
    could not be reached (or timed out); ``refused`` when the target was not
    loopback and remote webhooks are off (nothing was sent). While all three
    are unset the delivery is still in flight.
    """

    seq: int
    job_id: str
    status: str
    url: str
    attempted_at: str
    response_status: int | None = None
    error: str | None = None
    refused: bool = False

    @property
    def ok(self) -> bool:
        """Whether the target answered 2xx."""
        return self.response_status is not None and 200 <= self.response_status < 300

    @property
    def done(self) -> bool:
        """Whether the attempt is over (answered, failed or refused)."""
        return self.refused or self.response_status is not None or self.error is not None

    def to_json(self) -> dict[str, Any]:
        """The delivery attempt's JSON form, camelCase keys."""
        return {
            "seq": self.seq,
            "jobId": self.job_id,
            "status": self.status,
            "url": self.url,
            "attemptedAt": self.attempted_at,
            "responseStatus": self.response_status,
            "error": self.error,
            "refused": self.refused,
        }


class WebhookDispatcher:
    """Sends and records webhook deliveries (thread-safe)."""

    def __init__(self, *, timeout: float, allow_remote: bool) -> None:
        self.timeout = timeout
        self.allow_remote = allow_remote
        self._cond = threading.Condition()
        self._deliveries: list[WebhookDelivery] = []
        self._seq = 0
        self._pending = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._chains: dict[str, asyncio.Task[None]] = {}

    def submit(self, job_id: str, status: str, url: str, payload: dict[str, Any], at: str) -> None:
        """Record a delivery and send it in the background (or refuse it)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        with self._cond:
            self._seq += 1
            record = WebhookDelivery(self._seq, job_id, status, url, at)
            self._deliveries.append(record)
            if not (self.allow_remote or is_loopback_url(url)):
                record.refused = True
                record.error = "refused: target is not loopback and remote webhooks are off"
                return
            self._pending += 1
        loop = self._ensure_loop()
        loop.call_soon_threadsafe(self._schedule, record, body)

    def deliveries(self) -> list[WebhookDelivery]:
        """Copies of every delivery recorded so far, in order."""
        with self._cond:
            return [dataclasses.replace(d) for d in self._deliveries]

    def clear(self) -> None:
        """Forget recorded deliveries (ones in flight still complete)."""
        with self._cond:
            self._deliveries = []

    @property
    def pending(self) -> int:
        """Deliveries still in flight."""
        with self._cond:
            return self._pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no delivery is in flight; ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    async def wait_idle_async(self, timeout: float = 10.0) -> bool:
        """Like `wait_idle` without blocking the event loop (asyncio or trio)."""
        import anyio

        deadline = time.monotonic() + timeout
        while self.pending:
            if time.monotonic() >= deadline:
                return False
            await anyio.sleep(0.005)
        return True

    def close(self) -> None:
        """Stop the delivery thread (in-flight deliveries are abandoned)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None

        async def _shutdown() -> None:
            for task in list(self._chains.values()):
                task.cancel()
            if self._client is not None:
                await self._client.aclose()
                self._client = None

        with contextlib.suppress(Exception):  # best effort at shutdown
            asyncio.run_coroutine_threadsafe(_shutdown(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()

    # -- delivery loop (runs in the private thread) --

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._cond:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="videosdk-emulator-webhooks", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def _schedule(self, record: WebhookDelivery, body: bytes) -> None:
        loop = asyncio.get_running_loop()
        previous = self._chains.get(record.job_id)
        task = loop.create_task(self._deliver(record, body, previous))
        self._chains[record.job_id] = task

        def _forget(t: asyncio.Task[None], job_id: str = record.job_id) -> None:
            if self._chains.get(job_id) is t:
                del self._chains[job_id]

        task.add_done_callback(_forget)

    async def _deliver(
        self, record: WebhookDelivery, body: bytes, previous: asyncio.Task[None] | None
    ) -> None:
        try:
            if previous is not None:
                await asyncio.wait([previous])
            if self._client is None:
                self._client = httpx.AsyncClient(
                    timeout=self.timeout, trust_env=False, follow_redirects=False
                )
            headers = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "x-videosdk-emulator-delivery": str(record.seq),
            }
            response = await self._client.post(record.url, content=body, headers=headers)
            with self._cond:
                record.response_status = response.status_code
        except Exception as exc:  # any failure is recorded, never raised
            with self._cond:
                record.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()
