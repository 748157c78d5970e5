"""Every Python example in the README and the docs runs against the emulator.

How a block is run is described in ``doc_examples.py``; a failing example names its file and
line. Examples that are deliberately partial carry a ``skip`` directive with the reason, and
there must be few of them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from doc_examples import ROOT, Example, all_examples

from videosdk_async import AsyncEncoderClient
from videosdk_async.emulator import Emulator

EXAMPLES = all_examples()
MAX_SKIPPED = 6
PRESET = {"resolutions": ["360"], "format": "hls"}


def test_examples_are_found_and_few_are_skipped() -> None:
    assert len(EXAMPLES) >= 3
    skipped = [e.name for e in EXAMPLES if e.skip is not None]
    assert len(skipped) <= MAX_SKIPPED, skipped
    for example in EXAMPLES:
        assert example.skip != "", f"{example.name}: a skipped example says why"


@pytest.fixture
def emulator_env(
    videosdk_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """The process environment a reader sets after starting the emulator, and an emulated
    clock that runs 25 times faster than real time (a job queued 20 s, processing 15 s, ends
    in about 1.4 s), so examples that wait for a job stay quick."""
    assert videosdk_emulator.base_url is not None
    for name in ("VIDEOSDK_TOKEN", "VIDEOSDK_LOG", "VIDEOSDK_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOSDK_BASE_URL", videosdk_emulator.base_url)
    monkeypatch.setenv("VIDEOSDK_API_KEY", videosdk_emulator.api_key)
    monkeypatch.setenv("VIDEOSDK_SECRET_KEY", videosdk_emulator.secret)
    # A job stays queued 20 emulated seconds (0.8 s here), so an example can delete the job it
    # just created however busy the machine is, and processes 15 (0.6 s).
    videosdk_emulator.configure(queued_seconds=20, processing_seconds=15)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.02):
            videosdk_emulator.advance(0.5)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield videosdk_emulator
    finally:
        stop.set()
        ticker.join()


def _run_in_fresh_thread(target: Any) -> None:
    """Run ``target()`` in a thread of its own (no event loop running there); re-raise."""
    failure: list[BaseException] = []

    def body() -> None:
        try:
            target()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the example did not finish within 120 s"
    if failure:
        raise failure[0]


async def _prelude(
    example: Example, client: AsyncEncoderClient, emulator: Emulator
) -> dict[str, Any]:
    names: dict[str, Any] = {"__name__": "__example__", "emulator": emulator, "client": client}
    if example.needs & {"job", "job_id"}:
        job = await client.jobs.create(video_url="https://example.com/in.mp4", presets=[PRESET])
        names.update(job=job, job_id=job.id)
    if "job_ids" in example.needs:
        jobs = [
            await client.jobs.create(video_url="https://example.com/in.mp4", presets=[PRESET])
            for _ in range(3)
        ]
        names["job_ids"] = [j.id for j in jobs]
    if "token" in example.needs:
        names["token"] = emulator.mint_token()
    return names


def _run_awaiting(example: Example, emulator: Emulator) -> None:
    code = compile(example.code, example.name, "exec", flags=_top_level_await_flag())

    async def main() -> None:
        async with AsyncEncoderClient() as client:
            names = await _prelude(example, client, emulator)
            result = eval(code, names)
            if result is not None:
                await result

    _run_in_fresh_thread(lambda: anyio.run(main))


def _top_level_await_flag() -> int:
    import ast

    return ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _run_program(example: Example) -> None:
    code = compile(example.code, example.name, "exec")
    _run_in_fresh_thread(lambda: exec(code, {"__name__": "__main__"}))


def _module_name(example: Example) -> str:
    """The test module an example is written to: ``test_quickstart_105``."""
    return "test_" + re.sub(r"\W", "_", f"{example.path.stem}_{example.line}")


@pytest.fixture(scope="session")
def pytest_example_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    """Run every ``pytest`` example as a module of its own, in one pytest process per
    asyncio mode (a process costs a second or so: one per module would add up), with no
    ``VIDEOSDK_*`` variable set. Maps each module to None (its tests passed) or what went
    wrong."""
    runnable = [e for e in EXAMPLES if e.pytest and e.skip is None and e.tested_by is None]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOSDK_")}
    outcomes: dict[str, str | None] = {}
    for mode in sorted({e.asyncio_mode for e in runnable}):
        folder = tmp_path_factory.mktemp(f"pytest-examples-{mode}")
        modules = [_module_name(e) for e in runnable if e.asyncio_mode == mode]
        for example in runnable:
            if example.asyncio_mode == mode:
                (folder / f"{_module_name(example)}.py").write_text(example.code, "utf-8")
        (folder / "pytest.ini").write_text(
            f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
        )
        report = folder / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command.append("--continue-on-collection-errors")  # one broken module fails alone
        result = subprocess.run(
            [*command, "--junitxml", str(report), *(f"{m}.py" for m in modules)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        ran = _outcomes_in(report) if report.exists() else {}
        for module in modules:
            if module not in ran:
                outcomes[module] = f"no test ran:\n{result.stdout}\n{result.stderr}"
            else:
                outcomes[module] = ran[module]
    return outcomes


def _outcomes_in(report: Path) -> dict[str, str | None]:
    """Per module of a JUnit report: None if its tests passed, else their failures."""
    found: dict[str, str | None] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module = (case.get("classname") or case.get("name") or "").split(".")[0]
        problems = [
            f"{case.get('name')}: {child.get('message')}\n{child.text or ''}"
            for child in case
            if child.tag in ("failure", "error")
        ]
        known = found.get(module)
        if problems:
            found[module] = "\n".join([*([known] if known else []), *problems])
        else:
            found.setdefault(module, None)
    return found


def test_handed_over_examples_have_a_test_that_names_their_page() -> None:
    for example in EXAMPLES:
        if example.tested_by is not None:
            runner = ROOT / example.tested_by
            assert runner.is_file(), f"{example.name}: {example.tested_by} does not exist"
            if "--8<--" not in example.code:  # a handed-over page: its test names it
                assert example.path.name in runner.read_text(encoding="utf-8"), example.name


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.tested_by is None], ids=lambda e: e.name
)
def test_example_runs(example: Example, request: pytest.FixtureRequest) -> None:
    if example.skip is not None:
        pytest.skip(example.skip)
    for module in sorted(example.requires):
        pytest.importorskip(module, reason=f"{example.name} imports {module}, not installed here")
    if example.pytest:
        outcomes: dict[str, str | None] = request.getfixturevalue("pytest_example_outcomes")
        problem = outcomes[_module_name(example)]
        assert problem is None, f"{example.name}:\n{problem}"
        return
    emulator_env: Emulator = request.getfixturevalue("emulator_env")
    if example.awaits_at_top_level or example.needs:
        _run_awaiting(example, emulator_env)
    else:
        _run_program(example)


def test_the_collector_reads_directives(tmp_path: Path) -> None:
    from doc_examples import examples_in

    page = tmp_path / "page.md"
    page.write_text(
        'text\n<!-- example: skip="a fragment" -->\n```python\nx = 1\n```\n\n'
        "<!-- example: needs=client,job_id requires=httpx2 -->\n"
        "```python\nawait client.jobs.get(job_id)\n```\n"
        "```console\n$ ls\n```\n"
        "<!-- example: pytest asyncio-mode=strict -->\n```python\ndef test_x(): pass\n```\n",
        encoding="utf-8",
    )
    first, second, third = examples_in(page)
    assert (third.pytest, third.asyncio_mode, second.asyncio_mode) == (True, "strict", "auto")
    assert (first.skip, first.needs, first.awaits_at_top_level) == (
        "a fragment",
        frozenset(),
        False,
    )
    assert second.needs == {"client", "job_id"} and second.awaits_at_top_level
    assert (second.requires, first.requires) == ({"httpx2"}, frozenset())
    assert ROOT.is_dir()
