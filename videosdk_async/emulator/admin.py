"""The ``/_emulator`` admin routes: observe and steer the emulator (no auth, never faulted)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .clock import iso_ms
from .core import EmulatorCore
from .errors import ApiError
from .faults import FaultRule, parse_fault_config
from .httpio import Handler, json_response, parse_json, read_body


def admin_endpoint(emu: EmulatorCore, handlers: dict[str, Handler]) -> Any:
    """A Starlette endpoint dispatching on method to ``handlers``; errors become JSON."""

    async def endpoint(request: Request) -> Response:
        try:
            handler = handlers.get(request.method) or handlers["GET"]
            return await handler(emu, request)
        except ApiError as exc:
            return json_response(exc.status, exc.body)
        except (ValueError, TypeError) as exc:
            return json_response(400, {"message": str(exc)})

    return endpoint


async def _admin_json(request: Request, emu: EmulatorCore) -> Any:
    raw = await read_body(request, emu.config.max_json_bytes)
    if not raw.strip():
        return {}
    return parse_json(raw)


async def admin_health(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/health``: ``ok``, the emulator's time, and how many jobs and files."""
    with emu._lock:
        counts = {"jobs": len(emu.store.jobs), "files": len(emu.store.files)}
    return json_response(200, {"status": "ok", "now": iso_ms(emu.clock.now_ms()), **counts})


async def admin_get_faults(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/faults``: the fault rules (with how often each fired) and the seed."""
    return json_response(200, emu.faults.snapshot())


async def admin_put_faults(emu: EmulatorCore, request: Request) -> Response:
    """``PUT /_emulator/faults``: replace every fault rule and re-seed; answer the rules."""
    seed, rules = parse_fault_config(await _admin_json(request, emu))
    emu.set_faults(rules, seed)
    return json_response(200, emu.faults.snapshot())


async def admin_add_fault(emu: EmulatorCore, request: Request) -> Response:
    """``POST /_emulator/faults``: append one fault rule; answer all the rules."""
    emu.add_fault(FaultRule.from_dict(await _admin_json(request, emu)))
    return json_response(200, emu.faults.snapshot())


async def admin_clear_faults(emu: EmulatorCore, request: Request) -> Response:
    """``DELETE /_emulator/faults``: remove every fault rule."""
    emu.clear_faults()
    return json_response(200, emu.faults.snapshot())


async def admin_ledger(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/ledger``: every mutation the emulator applied."""
    return json_response(200, emu.ledger.to_json())


async def admin_webhooks(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/webhooks``: every webhook attempt so far, and how many are in flight."""
    deliveries = [d.to_json() for d in emu.webhook_deliveries()]
    return json_response(200, {"pending": emu.webhooks.pending, "deliveries": deliveries})


async def admin_clear_webhooks(emu: EmulatorCore, request: Request) -> Response:
    """``DELETE /_emulator/webhooks``: forget recorded webhook attempts."""
    emu.webhooks.clear()
    return json_response(200, {"pending": emu.webhooks.pending, "deliveries": []})


async def admin_requests(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/requests``: request counts per route, and the recent request log."""
    log = [r.to_json() for r in emu.requests()]
    return json_response(200, {"counts": emu.request_counts(), "log": log})


def _clock_json(emu: EmulatorCore) -> dict[str, Any]:
    return {
        "now": iso_ms(emu.clock.now_ms()),
        "manual": emu.clock.manual,
        "timeScale": emu.clock.time_scale,
    }


async def admin_clock(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/clock``: the emulator's time, whether it is manual, its time scale."""
    return json_response(200, _clock_json(emu))


async def admin_advance(emu: EmulatorCore, request: Request) -> Response:
    """``POST /_emulator/clock/advance`` ``{"seconds": n}``: move the clock, apply what is due."""
    body = await _admin_json(request, emu)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ApiError(400, 'body must be {"seconds": <non-negative number>}', field="seconds")
    emu.advance(float(seconds))
    return json_response(200, _clock_json(emu))


async def admin_force_status(emu: EmulatorCore, request: Request) -> Response:
    """``POST /_emulator/jobs/{jobId}/status``: set a job's status now; answer the job."""
    body = await _admin_json(request, emu)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        raise ApiError(400, 'body must be {"status": "queued|processing|completed|failed"}')
    job_id = request.path_params["jobId"]
    try:
        job = emu.force_status(job_id, body["status"], hold=bool(body.get("hold", False)))
    except KeyError:
        raise ApiError(404, f"Job {job_id} not found") from None
    return json_response(200, job)


def _lifecycle_json(emu: EmulatorCore) -> dict[str, Any]:
    lc = emu.lifecycle
    return {
        "queued_seconds": lc.queued_seconds,
        "processing_seconds": lc.processing_seconds,
        "fail_ratio": lc.fail_ratio,
        "video_duration": lc.video_duration,
    }


async def admin_get_lifecycle(emu: EmulatorCore, request: Request) -> Response:
    """``GET /_emulator/lifecycle``: the job lifecycle's timings and failure ratio."""
    return json_response(200, _lifecycle_json(emu))


async def admin_patch_lifecycle(emu: EmulatorCore, request: Request) -> Response:
    """``PATCH /_emulator/lifecycle``: change lifecycle settings; answer them all."""
    body = await _admin_json(request, emu)
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    emu.configure(**body)
    return json_response(200, _lifecycle_json(emu))


async def admin_reset(emu: EmulatorCore, request: Request) -> Response:
    """``POST /_emulator/reset``: forget all state (jobs, files, logs, faults, clock)."""
    emu.reset()
    return json_response(200, {"status": "reset", "now": iso_ms(emu.clock.now_ms())})


ADMIN_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/_emulator/health", admin_health),
    ("GET", "/_emulator/faults", admin_get_faults),
    ("PUT", "/_emulator/faults", admin_put_faults),
    ("POST", "/_emulator/faults", admin_add_fault),
    ("DELETE", "/_emulator/faults", admin_clear_faults),
    ("GET", "/_emulator/ledger", admin_ledger),
    ("GET", "/_emulator/webhooks", admin_webhooks),
    ("DELETE", "/_emulator/webhooks", admin_clear_webhooks),
    ("GET", "/_emulator/requests", admin_requests),
    ("GET", "/_emulator/clock", admin_clock),
    ("POST", "/_emulator/clock/advance", admin_advance),
    ("POST", "/_emulator/jobs/{jobId}/status", admin_force_status),
    ("GET", "/_emulator/lifecycle", admin_get_lifecycle),
    ("PATCH", "/_emulator/lifecycle", admin_patch_lifecycle),
    ("POST", "/_emulator/reset", admin_reset),
]
