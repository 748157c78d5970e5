"""What every benchmark shares: sizes, alternating rounds, medians, memory, targets, child I/O."""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

SIZES = ("tiny", "full")
"""``tiny`` proves the code runs (seconds, figures meaningless); ``full`` is what we publish."""

RESULT_PREFIX = "BENCHMARK-RESULT "
"""Marks the one stdout line of a benchmark subprocess that carries its result as JSON."""

REPO_ROOT = Path(__file__).resolve().parent.parent

Result = dict[str, Any]
"""A benchmark's outcome: ``name``, ``title``, ``about``, ``params``, ``tables``, ``targets``,
``data`` (numbers for the charts) and ``notes``; plain JSON types only."""


# -- rounds and statistics -------------------------------------------------------------------


def stats(samples: list[float]) -> dict[str, float]:
    """Median, quartiles and range of a list of round figures."""
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return {
        "median": statistics.median(ordered),
        "q1": q1,
        "q3": q3,
        "min": ordered[0],
        "max": ordered[-1],
        "rounds": len(ordered),
    }


def paired_ratio(numerator: list[float], denominator: list[float]) -> dict[str, float]:
    """Stats of round-by-round ratios: each round of A over the B measured beside it.

    Pairing within a cycle cancels slow drifts of the machine (another process starting,
    frequency changes) that a ratio of two overall medians would absorb.
    """
    return stats([a / b for a, b in zip(numerator, denominator, strict=True)])


async def alternate_async(
    variants: Mapping[str, Callable[[int], Awaitable[float]]], *, rounds: int, per_round: int
) -> dict[str, list[float]]:
    """Seconds per operation of each variant, measured in alternating rounds.

    Each variant's callable performs ``per_round`` operations and returns seconds per
    operation. Round ``i`` runs the variants in order (A B C), round ``i + 1`` reversed
    (C B A), so none always runs first or right after the same neighbour. A full collection
    before every round gives each the same garbage-collector state to start from; the
    collector stays enabled during the round, since allocation cost is part of the cost.
    """
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            gc.collect()
            samples[name].append(await variants[name](per_round))
    return samples


def alternate_sync(
    variants: Mapping[str, Callable[[int], float]], *, rounds: int, per_round: int
) -> dict[str, list[float]]:
    """:func:`alternate_async` for plain functions."""
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            gc.collect()
            samples[name].append(variants[name](per_round))
    return samples


def settle_gc() -> None:
    """Collect, then freeze what survived setup (imports, fixtures).

    Frozen objects are never scanned again, so a generation-2 collection during a round costs
    the same for every variant instead of scaling with everything imported so far.
    """
    gc.collect()
    gc.freeze()


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Seconds per call of ``fn`` over ``repeat`` calls."""
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


# -- memory ----------------------------------------------------------------------------------


def rss_bytes() -> int:
    """Resident set size of this process now."""
    import psutil

    return int(psutil.Process().memory_info().rss)


def peak_rss_bytes() -> int:
    """Largest resident set size this process has had.

    On Linux this is ``VmHWM`` from /proc/self/status: ``getrusage``'s ``ru_maxrss`` keeps
    the high-water mark of the process that spawned us across ``exec``, so a child of a
    300 MB emulator would report 300 MB however little it used itself.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # reported in kB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes, else KiB


MIB = 1024 * 1024


# -- targets ---------------------------------------------------------------------------------


def target(
    *, label: str, measured: float, limit: float, unit: str, strict: bool = False
) -> dict[str, Any]:
    """A goal of the form ``measured <= limit`` (``<`` when ``strict``) and how it went.

    ``margin`` is ``measured - limit`` (negative: room to spare) and ``margin_pct`` the same
    relative to the limit, so the page can say by how much a target is met or missed.
    """
    met = measured < limit if strict else measured <= limit
    return {
        "label": label,
        "measured": measured,
        "limit": limit,
        "unit": unit,
        "comparison": "<" if strict else "<=",
        "met": met,
        "margin": measured - limit,
        "margin_pct": (measured - limit) / limit * 100 if limit else None,
    }


# -- subprocesses ----------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment for benchmark subprocesses: SDK logging off, the repo importable."""
    env = dict(os.environ)
    env.pop("VIDEOSDK_LOG", None)  # logging off: the default chain, not a logging benchmark
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # imports read cached bytecode, as users' do
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(args: list[str], *, timeout: float, stdin: str | None = None) -> Result:
    """Run ``python <args>`` and return the JSON result it printed (see :func:`emit`)."""
    completed = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        cwd=REPO_ROOT,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return dict(json.loads(line[len(RESULT_PREFIX) :]))
    raise RuntimeError(
        f"{' '.join(args)} exited {completed.returncode} without a result; "
        f"stderr: {completed.stderr.strip()[-2000:]}"
    )


def emit(result: Mapping[str, Any], *, human: bool = False) -> None:
    """Print ``result`` as the one marked line :func:`run_child` reads (indented for a human)."""
    if human:
        print(json.dumps(result, indent=2))
    else:
        print(RESULT_PREFIX + json.dumps(result), flush=True)


def module_main(run: Callable[[str], Result], description: str) -> None:
    """Command line of a benchmark module: ``python -m benchmarks.<name> --size tiny|full``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--human", action="store_true", help="print indented JSON")
    args = parser.parse_args()
    emit(run(args.size), human=args.human)
