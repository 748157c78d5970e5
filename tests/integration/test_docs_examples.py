"""The conventions pages run as written: every Python line of ``docs/coming-from-openai.md``
and of the README's "Coming from openai / stripe" section is executed against the emulator,
and a line tracer checks that each statement actually ran.

The blocks of a page run in order in one namespace, with top-level ``await`` (as in
``python -m asyncio``). The client is configured the way the page says: from
``VIDEOSDK_API_KEY`` / ``VIDEOSDK_SECRET_KEY`` / ``VIDEOSDK_BASE_URL``, here pointing at an
emulator behind a gateway that stamps an ``X-Request-Id`` on every answer (the API does not
document one; gateways commonly add it).
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import pytest
from support import seed_jobs

from videosdk_async import JobStatus
from videosdk_async.emulator import Emulator, ServerThread

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.integration


def python_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a markdown text, in order."""
    return [m.group(1) for m in FENCE.finditer(markdown)]


def readme_section() -> str:
    """The README's "Coming from openai / stripe" section."""
    text = (ROOT / "README.md").read_text()
    start = text.index("## Coming from openai")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def statement_lines(code: str) -> set[int]:
    """Line numbers of every simple statement (what must run for the block to have run)."""
    compound = (ast.Try, ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)
    return {
        node.lineno
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.stmt) and not isinstance(node, compound)
    }


class LineTracer:
    """Records the lines run in code compiled under one of ``filenames``."""

    def __init__(self) -> None:
        self.ran: dict[str, set[int]] = {}

    def __call__(self, frame: FrameType, event: str, arg: object) -> Any:
        name = frame.f_code.co_filename
        if name not in self.ran:
            return None
        if event == "line":
            self.ran[name].add(frame.f_lineno)
        return self

    def watch(self, filename: str) -> None:
        self.ran[filename] = set()


async def run_blocks(
    blocks: list[str], label: str, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run ``blocks`` in order in one namespace; fail unless every statement ran."""
    namespace: dict[str, Any] = {"__name__": f"docs:{label}"}
    tracer = LineTracer()
    hooks = before or {}
    for number, block in enumerate(blocks, 1):
        filename = f"<{label} block {number}>"
        for marker, hook in hooks.items():
            if marker in block:
                hook()
        code: CodeType = compile(block, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        tracer.watch(filename)
        previous = sys.gettrace()
        sys.settrace(tracer)
        try:
            result = eval(code, namespace)
            if result is not None:
                await result
        finally:
            sys.settrace(previous)
        missing = statement_lines(block) - tracer.ran[filename]
        lines = block.splitlines()
        assert not missing, f"{filename}: never ran: " + "; ".join(
            lines[n - 1].strip() for n in sorted(missing)
        )
    return namespace


def _gateway(app: Any) -> Any:
    """ASGI middleware stamping ``X-Request-Id: req-<n>`` on every answer."""
    counter = itertools.count(1)

    async def with_request_id(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = f"req-{next(counter)}".encode()

        async def stamped(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [*message["headers"], (b"x-request-id", request_id)]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, stamped)

    return with_request_id


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator behind the request-id gateway, named by the environment as the docs say."""
    emulator = Emulator()
    server = ServerThread(_gateway(emulator.app)).start()
    for name in ("VIDEOSDK_TOKEN", "VIDEOSDK_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOSDK_API_KEY", emulator.api_key)
    monkeypatch.setenv("VIDEOSDK_SECRET_KEY", emulator.secret)
    monkeypatch.setenv("VIDEOSDK_BASE_URL", server.base_url)
    try:
        yield emulator
    finally:
        server.stop()
        emulator.close()


async def test_every_line_of_coming_from_openai_runs(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("httpx2")  # the page shows an httpx2 client
    seed_jobs(emulator, 45)  # three pages of 20, so the page walk has somewhere to go
    blocks = python_blocks((ROOT / "docs" / "coming-from-openai.md").read_text())
    assert len(blocks) >= 8
    ns = await run_blocks(
        blocks,
        "coming-from-openai.md",
        # The emulator's clock is manual: a job finishes only when it is moved on.
        before={"jobs.wait(": lambda: emulator.advance(60)},
    )
    assert ns["response"].request_id is not None and ns["response"].status_code == 200
    printed = capsys.readouterr().out
    # The error example printed its status, request id and one-line message.
    assert re.search(
        r"^404 req-\d+ 404 http://127\.0\.0\.1:\d+/v1/encoder/jobs/0123", printed, re.M
    )
    assert re.search(r"^GET .* was not found .* \[request id: req-\d+\]$", printed, re.M)
    assert ns["numbers"] == [2, 3] and len(ns["ids"]) == 46  # the 45 seeded, the one created
    assert len(ns["deleted"]) == 46  # the 45 seeded and the one created above, all queued
    assert "videoUrl" in ns["api_shape"] and "video_url" in ns["python_shape"]
    assert ns["same"].video_url == "https://example.com/talk.mp4"
    assert ns["done"].status is JobStatus.COMPLETED
    assert ns["report"].summary() == "1 job: 1 not deletable"
    assert ns["client"].is_closed


async def test_every_line_of_the_readme_conventions_runs(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_jobs(emulator, 60)  # two pages of 50
    blocks = python_blocks(readme_section())
    assert blocks, "the README's conventions section has no python block"
    ns = await run_blocks(blocks, "README.md")
    assert ns["job"].request_id is not None and len(ns["ids"]) == 61
    assert re.search(r"^404 req-\d+ Headers\(", capsys.readouterr().out, re.M)
