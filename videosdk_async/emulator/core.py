"""The emulator without its HTTP face: state, clock, lifecycle, faults, ledger, webhooks, metrics.

`EmulatorCore` holds everything the API does; the ASGI app
(`build_app`) is built on top of it and
`Emulator` adds the two together. Nothing here
imports the app (nor Starlette), so the emulator's imports have no cycle.

Every public method is thread-safe: the HTTP app may run in a server thread
while a test drives the clock from its own thread or event loop.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from .auth import Authenticator
from .clock import Clock, iso_ms, to_ms
from .config import EmulatorConfig
from .errors import ApiError, file_not_found, job_not_found
from .faults import FaultInjector, FaultRule
from .ids import IdFactory
from .ledger import Ledger, LedgerOp
from .metrics import RequestMetrics, RequestRecord
from .paging import page_json, page_of
from .state import JOB_STATUSES, Lifecycle, Store, Transition, Upload
from .validation import validate_create
from .webhooks import WebhookDelivery, WebhookDispatcher

_Self = TypeVar("_Self", bound="EmulatorCore")
_LIFECYCLE_FIELDS = ("queued_seconds", "processing_seconds", "fail_ratio", "video_duration")


class EmulatorCore:
    """A stateful, in-memory VideoSDK encoding-jobs API, without HTTP.

    Use `Emulator`, which adds the ASGI app.
    Keyword overrides replace fields of ``config``.
    """

    # Declared here for type checkers (and pyright --verifytypes); set in __init__.
    config: EmulatorConfig
    auth: Authenticator
    webhooks: WebhookDispatcher
    clock: Clock
    lifecycle: Lifecycle
    store: Store
    ledger: Ledger
    metrics: RequestMetrics
    faults: FaultInjector

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        base = config if config is not None else EmulatorConfig()
        self.config = base.with_changes(**overrides) if overrides else base
        self.base_url: str | None = None
        """Set to ``http://host:port`` by the server helpers while served."""
        self._lock = threading.RLock()
        self.auth = Authenticator(self.config.api_key, self.config.secret, self.config.token)
        self.webhooks = WebhookDispatcher(
            timeout=self.config.webhook_timeout,
            allow_remote=self.config.allow_remote_webhooks,
        )
        self._init_state()

    def _init_state(self) -> None:
        cfg = self.config
        start = to_ms(cfg.start_time) if cfg.start_time is not None else int(time.time() * 1000)
        self.clock = Clock(start, cfg.time_scale)
        self.lifecycle = Lifecycle(
            queued_seconds=cfg.queued_seconds,
            processing_seconds=cfg.processing_seconds,
            fail_ratio=cfg.fail_ratio,
            video_duration=cfg.video_duration,
        )
        self.store = Store(
            ids=IdFactory(random.Random(f"ids:{cfg.seed}")),  # noqa: S311 - seeded on purpose
            rng=random.Random(cfg.seed),  # noqa: S311 - seeded on purpose
            lifecycle=self.lifecycle,
            user={"id": cfg.user_id, "name": cfg.user_name, "email": cfg.user_email},
            cdn_base_url=cfg.cdn_base_url,
        )
        self.ledger = Ledger()
        self.metrics = RequestMetrics(cfg.request_log_size)
        fault_seed = cfg.fault_seed if cfg.fault_seed is not None else cfg.seed
        self.faults = FaultInjector(fault_seed, list(cfg.faults))
        self.webhooks.clear()

    # -- credentials and app --

    @property
    def api_key(self) -> str:
        """The API key JWTs must carry as ``apikey``."""
        return self.config.api_key

    @property
    def secret(self) -> str:
        """The HS256 secret JWTs must be signed with."""
        return self.config.secret

    @property
    def token(self) -> str:
        """A fixed opaque token the emulator always accepts."""
        return self.config.token

    def mint_token(
        self, *, expires_in: float | None = 600.0, apikey: str | None = None, **claims: Any
    ) -> str:
        """A JWT signed with the secret (``expires_in`` seconds of real time; ``None``: no exp)."""
        return self.auth.mint(expires_in=expires_in, apikey=apikey, **claims)

    # -- clock and lifecycle --

    def now(self) -> datetime:
        """The emulated time."""
        return self.clock.now()

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward and apply every job transition now due."""
        with self._lock:
            self.clock.advance(seconds)
            self._catch_up()
        return self.clock.now()

    def tick(self) -> None:
        """Apply transitions due at the current time (the server calls this periodically)."""
        with self._lock:
            self._catch_up()

    def configure(self, **changes: Any) -> None:
        """Change the job lifecycle's timings or failure ratio from now on.

        The settings: ``queued_seconds``, ``processing_seconds``, ``fail_ratio`` or
        ``video_duration``; they hold until `reset`.
        """
        unknown = sorted(set(changes) - set(_LIFECYCLE_FIELDS))
        if unknown:
            raise TypeError(f"configure() got unknown setting(s): {', '.join(unknown)}")
        with self._lock:
            if "fail_ratio" in changes and not 0.0 <= float(changes["fail_ratio"]) <= 1.0:
                raise ValueError("fail_ratio must be between 0 and 1")
            for name, value in changes.items():
                setattr(self.lifecycle, name, value)

    def force_status(self, job_id: str, status: str, *, hold: bool = False) -> dict[str, Any]:
        """Set a job's status now (webhook included) and return the job.

        The lifecycle continues from the new status (a job forced to
        ``processing`` finishes ``processing_seconds`` later) unless ``hold``.
        Raises ``KeyError`` for an unknown job, ``ValueError`` for a bad status.
        """
        if status not in JOB_STATUSES:
            raise ValueError(f"status must be one of {', '.join(JOB_STATUSES)}")
        with self._lock:
            self._catch_up()
            job = self.store.jobs.get(job_id)
            if job is None:
                raise KeyError(job_id)
            event = self.store.force(job, status, self.clock.now_ms(), hold=hold)  # type: ignore[arg-type]
            self._dispatch([event])
            return job.to_json()

    def _catch_up(self) -> None:
        self._dispatch(self.store.catch_up(self.clock.now_ms()))

    def _dispatch(self, events: list[Transition]) -> None:
        if not events:
            return
        at = iso_ms(self.clock.now_ms())
        for ev in events:
            if ev.webhook_url:
                self.webhooks.submit(ev.job_id, ev.status, ev.webhook_url, ev.payload, at)

    # -- data, from Python (not recorded in the ledger) --

    def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a job directly (validated like the API); not recorded in the ledger."""
        return self.api_create_job(body)

    def upload_file(
        self, name: str = "video.mp4", size: int = 1024, content_type: str = "video/mp4"
    ) -> dict[str, Any]:
        """Register an uploaded file directly (no content, no hash); not recorded in the ledger."""
        with self._lock:
            stored = self.store.add_file(name, size, content_type, self.clock.now_ms(), None)
            return stored.to_json()

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """A job's JSON, or ``None``."""
        with self._lock:
            self._catch_up()
            job = self.store.jobs.get(job_id)
            return job.to_json() if job else None

    def jobs(self) -> list[dict[str, Any]]:
        """Every job's JSON, oldest first."""
        with self._lock:
            self._catch_up()
            return [j.to_json() for j in self.store.jobs.values()]

    def files(self) -> list[dict[str, Any]]:
        """Every uploaded file's JSON, oldest first."""
        with self._lock:
            return [f.to_json() for f in self.store.files.values()]

    # -- faults --

    def set_faults(
        self, rules: Iterable[FaultRule | dict[str, Any]], seed: int | None = None
    ) -> None:
        """Replace all fault rules (re-seeding the fault generator)."""
        parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
        self.faults.set_rules(parsed, seed)

    def add_fault(self, rule: FaultRule | None = None, **fields: Any) -> FaultRule:
        """Append one rule, given as a `FaultRule` or its fields."""
        if rule is None:
            rule = FaultRule.from_dict(fields)
        self.faults.add_rule(rule)
        return rule

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.set_rules([])

    # -- observations --

    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook attempt so far (copies), in order."""
        return self.webhooks.deliveries()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Block until no webhook delivery is in flight; ``False`` on timeout."""
        return self.webhooks.wait_idle(timeout)

    async def wait_for_webhooks_async(self, timeout: float = 10.0) -> bool:
        """Await until no webhook delivery is in flight; ``False`` on timeout."""
        return await self.webhooks.wait_idle_async(timeout)

    def requests(self) -> list[RequestRecord]:
        """The most recent API requests (bounded log), oldest first."""
        return self.metrics.log()

    def request_counts(self) -> dict[str, int]:
        """API requests received per ``"METHOD /route/{template}"``."""
        return self.metrics.counts()

    def request_count(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        route: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> int:
        """How many logged API requests match every filter.

        For example, ``request_count("GET", "/v1/encoder/jobs", params={"page": 3})``.
        """
        str_params = None if params is None else {k: str(v) for k, v in params.items()}
        return self.metrics.count(method, path, route, str_params)

    # -- lifecycle of the emulator itself --

    def reset(self) -> None:
        """Forget all state: jobs, files, ledger, metrics, deliveries, faults, clock."""
        with self._lock:
            self._init_state()

    def close(self) -> None:
        """Stop the webhook delivery thread."""
        self.webhooks.close()

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- operations behind the HTTP routes (raise ApiError) --
    #
    # ``origin`` is the API request that asked (its log record): a mutation with an
    # origin is written to the ledger, tied to that request and to the fault that hit
    # its response, if any. Python seeding passes none and is not recorded.

    def _record(
        self,
        op: LedgerOp,
        item_id: str,
        now: int,
        origin: RequestRecord | None,
        upload: Upload | None = None,
    ) -> None:
        if origin is None:
            return
        entry = self.ledger.record(
            op,
            item_id,
            iso_ms(now),
            origin.idempotency_key,
            size=upload.size if upload else None,
            sha256=upload.sha256 if upload else None,
            request=origin.seq,
            fault=origin.fault,
        )
        origin.ledger_seq = entry.seq

    def _video_known(self, video_id: str) -> bool:
        # Until the first upload any videoId goes (tests that never upload keep working);
        # from then on only ids that were uploaded (even if deleted since) do.
        return not self.store.uploaded or video_id in self.store.uploaded

    def api_create_job(self, body: Any, *, origin: RequestRecord | None = None) -> dict[str, Any]:
        """Validate and create a job; raises ``ValidationError``."""
        with self._lock:
            self._catch_up()
            spec = validate_create(body, self._video_known)
            now = self.clock.now_ms()
            job = self.store.create_job(spec, now)
            self._record("create_job", job.id, now, origin)
            return job.to_json()

    def api_list_jobs(self, page: int, per_page: int, user_id: str | None) -> dict[str, Any]:
        """One page of jobs, oldest first."""
        with self._lock:
            self._catch_up()
            jobs = self.store.jobs
            if user_id is not None and user_id != self.config.user_id:
                jobs = {}
            items, last = page_of(jobs, page, per_page)
            return page_json([j.to_json() for j in items], page, per_page, last)

    def api_get_job(self, job_id: str) -> dict[str, Any]:
        """One job, or 404."""
        job = self.get_job(job_id)
        if job is None:
            raise job_not_found(job_id)
        return job

    def api_delete_job(self, job_id: str, *, origin: RequestRecord | None = None) -> dict[str, Any]:
        """Delete a queued job and return it; 404 unknown, 409 not queued."""
        with self._lock:
            self._catch_up()
            job = self.store.jobs.get(job_id)
            if job is None:
                raise job_not_found(job_id)
            if job.status != "queued":
                raise ApiError(
                    409,
                    f"Only queued jobs can be deleted; job {job_id} is {job.status}",
                    status=job.status,
                )
            del self.store.jobs[job_id]
            self._record("delete_job", job_id, self.clock.now_ms(), origin)
            return job.to_json()

    def api_upload_file(
        self, upload: Upload, *, origin: RequestRecord | None = None
    ) -> dict[str, Any]:
        """Store what is kept of an uploaded file (size and hash, not the bytes)."""
        with self._lock:
            now = self.clock.now_ms()
            stored = self.store.add_file(
                upload.filename, upload.size, upload.content_type, now, upload.sha256
            )
            self._record("upload_file", stored.id, now, origin, upload)
            return stored.to_json()

    def api_list_files(self, page: int, per_page: int) -> dict[str, Any]:
        """One page of uploaded files, oldest first."""
        with self._lock:
            items, last = page_of(self.store.files, page, per_page)
            return page_json([f.to_json() for f in items], page, per_page, last)

    def api_get_file(self, file_id: str) -> dict[str, Any]:
        """One uploaded file, or 404."""
        with self._lock:
            stored = self.store.files.get(file_id)
            if stored is None:
                raise file_not_found(file_id)
            return stored.to_json()

    def api_delete_file(
        self, file_id: str, *, origin: RequestRecord | None = None
    ) -> dict[str, Any]:
        """Delete an uploaded file and return it, or 404."""
        with self._lock:
            stored = self.store.files.pop(file_id, None)
            if stored is None:
                raise file_not_found(file_id)
            self._record("delete_file", file_id, self.clock.now_ms(), origin)
            return stored.to_json()
