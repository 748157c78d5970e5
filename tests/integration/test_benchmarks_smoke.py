"""The benchmark suite, end to end at tiny size, so it cannot rot between full runs.

Structure only: every benchmark reports its figures, the page has every section and target
line, the charts are written and linked. Tiny figures mean nothing, so no timing is asserted.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
NEEDED = ("aiohttp", "matplotlib", "psutil")
HANG_GUARD = 180.0  # seconds; a guard against a hung child, not a performance bound

CHARTS = {
    "benchmarks-call-overhead.svg",
    "benchmarks-batch-deletes.svg",
    "benchmarks-batch-deletes-concurrency.svg",
    "benchmarks-iterate-memory.svg",
    "benchmarks-page-parsing.svg",
    "benchmarks-import-time.svg",
}


def _check_figures(results: dict[str, dict[str, Any]]) -> None:
    calls = results["call_overhead"]["figures"]
    for name in ("httpx + json.loads", "httpx + model_validate_json", "SDK jobs.get"):
        assert calls["seconds_per_call"][name]["median"] > 0
        assert calls["seconds_per_call"][name]["rounds"] >= 1
    assert calls["ratios"]["SDK jobs.get"]["baseline"] == "httpx + json.loads"

    batch = results["batch_deletes"]
    runs = {r["label"]: r for r in batch["figures"]["runs"]}
    assert set(runs) == {
        "SDK delete_many",
        "SDK gather",
        "httpx + semaphore",
        "aiohttp + semaphore",
        "naive gather",
    }
    sweep = batch["figures"]["sweep"]
    assert {(r["label"], r["level"]) for r in sweep} == {
        (label, level)
        for label in ("SDK delete_many", "httpx + semaphore", "naive gather")
        for level in batch["params"]["levels"]
    }
    for run in [*runs.values(), *sweep]:
        assert run["completed"] + run["failed"] == run["jobs"]
        assert sum(run["errors"].values()) == run["failed"]
        assert run["peak_rss"] > 0
        assert run["jobs_per_second"] >= 0

    walk = results["iterate_memory"]
    assert walk["figures"]["jobs_seen"] == walk["params"]["jobs"]
    assert walk["figures"]["first_page_rss"] > 0
    assert walk["figures"]["points"][-1][0] == walk["params"]["jobs"]

    uploads = results["upload_memory"]["figures"]["uploads"]
    assert set(uploads) == {"from a path", "from an async generator"}
    for upload in uploads.values():
        assert upload["seconds"] > 0 and upload["peak_rss_growth_mb"] >= 0

    pages = results["page_parsing"]["figures"]["seconds_per_page"]
    assert set(pages) == {
        "json.loads",
        "JobPage.model_validate_json",
        "JobPage.model_validate(json.loads)",
        "SDK jobs.list(per_page=100)",
    }

    imports = results["import_time"]["figures"]["seconds"]
    assert set(imports) >= {"import videosdk_async", "import httpx, pydantic"}

    retries = results["retry_amplification"]["figures"]["attempts_per_call"]
    assert set(retries) == {"without budget", "with budget"}


def test_suite_runs_at_tiny_size_and_publishes(tmp_path: Path) -> None:
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(
            f"benchmark dependencies not installed ({', '.join(missing)}): "
            'pip install -e ".[bench]"'
        )
    page = tmp_path / "docs" / "benchmarks.md"
    saved = tmp_path / "results.json"
    command = ["-m", "benchmarks", "--size", "tiny", "--out", str(page), "--json", str(saved)]
    completed = subprocess.run(
        [sys.executable, *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]

    # Every benchmark produced its figures, and each target is a verdict on a number.
    results = {r["name"]: r for r in json.loads(saved.read_text())["results"]}
    assert list(results) == [
        "call_overhead",
        "batch_deletes",
        "iterate_memory",
        "upload_memory",
        "page_parsing",
        "import_time",
        "retry_amplification",
    ]
    _check_figures(results)
    targets = [t for r in results.values() for t in r["targets"]]
    assert len(targets) == 5
    for t in targets:
        assert isinstance(t["met"], bool)
        assert isinstance(t["measured"], float | int)

    # The page: the run, the targets table, a section per benchmark, a line per target.
    text = page.read_text()
    for heading in ("# Benchmarks", "## The run", "## Targets", "## Reproduce"):
        assert f"\n{heading}\n" in f"\n{text}"
    for row in ("| date |", "| Python |", "| CPU |", "| packages |", "| commit |"):
        assert row in text
    for number, result in enumerate(results.values(), start=1):
        assert f"\n## {number}. {result['title']}\n" in text
    for t in targets:
        assert text.count(t["label"]) == 2  # the targets table and the section's line
        line = next(li for li in text.splitlines() if li.startswith(f"**Target:** {t['label']}"))
        assert ("**met**" in line) is t["met"]
        assert ("**missed**" in line) is not t["met"]

    # The charts: written as SVG beside the page and linked from it.
    written = {p.name for p in (page.parent / "img").iterdir()}
    assert written == CHARTS
    for name in CHARTS:
        root = ET.parse(page.parent / "img" / name).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert f"](img/{name})" in text
