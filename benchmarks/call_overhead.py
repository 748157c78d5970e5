"""Per-call CPU cost of ``client.jobs.get(id)`` beside bare httpx, with no network in the way.

Run alone: ``python -m benchmarks.call_overhead --size full --human``.

Every variant GETs the same realistic completed job from its own ``httpx.MockTransport``
answering the same prepared bytes, so the figures differ only by what each stack does per
call: bare httpx + ``json.loads``; bare httpx + ``EncodingJob.model_validate_json``; the SDK
with its default chain (deadline, retry, auth, logging off) and in-flight slot. When
``openai`` (1.x) is installed, its ``models.retrieve`` on a MockTransport is measured too,
beside bare httpx on its own payload, as a peer SDK's ratio.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from benchmarks._common import (
    Result,
    alternate_async,
    module_main,
    paired_ratio,
    settle_gc,
    stats,
    target,
)
from benchmarks.payloads import as_bytes, completed_job

SIZES = {
    "tiny": {"calls_per_round": 50, "rounds": 2, "warmup": 20},
    "full": {"calls_per_round": 3000, "rounds": 15, "warmup": 1000},
}
TARGET_RATIO = 1.25

BASE_URL = "https://api.videosdk.live"
TOKEN = "benchmark-token"
JOB = completed_job(0)
JOB_BYTES = as_bytes(JOB)
JOB_PATH = f"/v1/encoder/jobs/{JOB['id']}"

PEER_BASE_URL = "https://api.openai.example/v1"
PEER_MODEL = {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"}
PEER_BYTES = as_bytes(PEER_MODEL)

Loop = Callable[[int], Awaitable[float]]


def _transport(body: bytes) -> httpx.MockTransport:
    headers = {"content-type": "application/json", "content-length": str(len(body))}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=headers)

    return httpx.MockTransport(answer)


def _bare_loop(http: httpx.AsyncClient, path: str, parse: Callable[[bytes], object]) -> Loop:
    async def loop(calls: int) -> float:
        get = http.get
        headers = {"Authorization": TOKEN}
        started = time.perf_counter()
        for _ in range(calls):
            response = await get(path, headers=headers)
            parse(response.content)
        return (time.perf_counter() - started) / calls

    return loop


def _sdk_loop(client: Any) -> Loop:
    async def loop(calls: int) -> float:
        get = client.jobs.get
        job_id = JOB["id"]
        started = time.perf_counter()
        for _ in range(calls):
            await get(job_id)
        return (time.perf_counter() - started) / calls

    return loop


def _peer_loop(client: Any) -> Loop:
    async def loop(calls: int) -> float:
        retrieve = client.models.retrieve
        started = time.perf_counter()
        for _ in range(calls):
            await retrieve(PEER_MODEL["id"])
        return (time.perf_counter() - started) / calls

    return loop


def _peer_client() -> tuple[Any, str] | None:
    """An ``AsyncOpenAI`` on a MockTransport, or None when openai 1.x is not installed."""
    try:
        import openai
    except ImportError:
        return None
    if not openai.__version__.startswith("1."):  # later majors moved off httpx
        return None
    http = httpx.AsyncClient(transport=_transport(PEER_BYTES))
    client = openai.AsyncOpenAI(api_key="sk-benchmark", base_url=PEER_BASE_URL, http_client=http)
    return client, openai.__version__


async def _measure(size: str) -> Result:
    from videosdk_async import AsyncEncoderClient, EncodingJob

    params = SIZES[size]
    raw_http = httpx.AsyncClient(transport=_transport(JOB_BYTES), base_url=BASE_URL)
    sdk_http = httpx.AsyncClient(transport=_transport(JOB_BYTES))
    client = AsyncEncoderClient(token=TOKEN, base_url=BASE_URL, http_client=sdk_http)
    variants: dict[str, Loop] = {
        "httpx + json.loads": _bare_loop(raw_http, JOB_PATH, json.loads),
        "httpx + model_validate_json": _bare_loop(
            raw_http, JOB_PATH, EncodingJob.model_validate_json
        ),
        "SDK jobs.get": _sdk_loop(client),
    }
    peer = _peer_client()
    peer_http = httpx.AsyncClient(transport=_transport(PEER_BYTES), base_url=PEER_BASE_URL)
    if peer is not None:
        variants["openai models.retrieve"] = _peer_loop(peer[0])
        variants["httpx + json.loads (openai payload)"] = _bare_loop(
            peer_http, f"/models/{PEER_MODEL['id']}", json.loads
        )
    async with client:
        for loop in variants.values():  # warm every path: caches, schemas, pools
            await loop(params["warmup"])
        settle_gc()
        samples = await alternate_async(
            variants, rounds=params["rounds"], per_round=params["calls_per_round"]
        )
    await raw_http.aclose()
    await sdk_http.aclose()
    await peer_http.aclose()
    if peer is not None:
        await peer[0].close()

    baseline = "httpx + json.loads"
    peer_baseline = "httpx + json.loads (openai payload)"
    ratios = {
        "httpx + model_validate_json": (samples["httpx + model_validate_json"], baseline),
        "SDK jobs.get": (samples["SDK jobs.get"], baseline),
    }
    if peer is not None:
        ratios["openai models.retrieve"] = (samples["openai models.retrieve"], peer_baseline)
    notes = []
    if peer is None:
        notes.append("openai 1.x is not installed: the peer SDK was not measured.")
    sdk_ratio = paired_ratio(samples["SDK jobs.get"], samples[baseline])
    return {
        "name": "call_overhead",
        "title": "Per-call overhead",
        "about": (
            "One `client.jobs.get(id)` through the SDK's default chain (default policies, "
            "logging off) on an `httpx.MockTransport`, against the same GET made with a bare "
            "`httpx.AsyncClient` on the same kind of transport followed by `json.loads`, or by "
            "`EncodingJob.model_validate_json`. No sockets: this is the CPU the client spends "
            "per call. The payload is one completed job (2 presets, 1 thumbnail request, the "
            "user, 6 output files). Ratios are the median over rounds of each round's time "
            "divided by its baseline's time in the same cycle; openai's is against bare httpx "
            "on the openai payload."
        ),
        "params": {
            **params,
            "payload_bytes": len(JOB_BYTES),
            "order": "alternating rounds (A B C ..., then ... C B A)",
            "gc": "collected before every round; setup objects frozen; enabled while timing",
            "peer": f"openai {peer[1]}" if peer else "not installed",
        },
        "figures": {
            "baseline": baseline,
            "seconds_per_call": {name: stats(s) for name, s in samples.items()},
            "ratios": {
                name: {**paired_ratio(s, samples[base]), "baseline": base}
                for name, (s, base) in ratios.items()
            },
        },
        "targets": [
            target(
                label="SDK `jobs.get` ≤ 1.25× bare httpx + `json.loads` per call",
                measured=sdk_ratio["median"],
                limit=TARGET_RATIO,
                unit="×",
            )
        ],
        "notes": notes,
    }


def run(size: str) -> Result:
    """Measure per-call cost at ``size``; see the module docstring."""
    return asyncio.run(_measure(size))


if __name__ == "__main__":
    module_main(run, __doc__.splitlines()[0])
