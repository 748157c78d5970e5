"""Importing the SDK beside ``import httpx, pydantic``, each in a fresh interpreter.

Run alone: ``python -m benchmarks.import_time --size full --human``.

Each sample is a new ``python -c`` process that times its own import with
``time.perf_counter`` (interpreter start-up excluded), the two statements alternating. A first
run of each, not counted, leaves the bytecode caches written.

The SDK loads its public names on first use (as openai's does), so ``import videosdk_async``
alone loads almost nothing. The target is therefore held on what a program really writes,
``from videosdk_async import AsyncEncoderClient``; for context (no target) the page also
shows ``import videosdk_async``, everything loaded (the client and the pydantic models its
first call needs), ``import httpx`` plus ``from pydantic import BaseModel`` (pydantic imports
lazily, so ``import pydantic`` alone does not load its models), and the modules the client
adds, by self time, from one ``-X importtime`` run.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks._common import Result, child_env, module_main, paired_ratio, stats, target

SIZES = {"tiny": {"rounds": 2}, "full": {"rounds": 21}}
TARGET_RATIO = 1.15

SDK = "from videosdk_async import AsyncEncoderClient"
BASELINE = "import httpx, pydantic"
STATEMENTS = {
    SDK: SDK,
    BASELINE: BASELINE,
    "import videosdk_async": "import videosdk_async",
    "the client and its first call's models": (
        "from videosdk_async import AsyncEncoderClient; "
        "AsyncEncoderClient(token='t').jobs; import videosdk_async.models"
    ),
    "import httpx + pydantic.BaseModel": "import httpx; from pydantic import BaseModel",
}

_TIMER = "import time; _t = time.perf_counter(); {stmt}; print(repr(time.perf_counter() - _t))"


def _import_seconds(statement: str) -> float:
    completed = subprocess.run(
        [sys.executable, "-c", _TIMER.format(stmt=statement)],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    return float(completed.stdout.strip().splitlines()[-1])


def _importtime_self_us(statement: str) -> dict[str, int]:
    """Self time in µs of each module an ``-X importtime`` run of ``statement`` imports."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    times: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|", 2)
        times[name.strip()] = int(self_us)
    return times


def _added_modules(top: int) -> list[dict[str, object]]:
    """The modules the client's import loads beyond the baseline, slowest first."""
    ours = _importtime_self_us(SDK)
    theirs = _importtime_self_us(BASELINE)
    added = [(us, name) for name, us in ours.items() if name not in theirs]
    added.sort(reverse=True)
    return [{"module": name, "self_us": us} for us, name in added[:top]]


def run(size: str) -> Result:
    """Measure import times at ``size``; see the module docstring."""
    rounds = SIZES[size]["rounds"]
    for statement in STATEMENTS.values():  # bytecode caches written, files in the page cache
        _import_seconds(statement)
    names = list(STATEMENTS)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else names[::-1]:
            samples[name].append(_import_seconds(STATEMENTS[name]))
    ratio = paired_ratio(samples[SDK], samples[BASELINE])
    added = _added_modules(top=8)
    return {
        "name": "import_time",
        "title": "Import time",
        "about": (
            "`from videosdk_async import AsyncEncoderClient` (what a program writes) against "
            "`import httpx, pydantic`, each timed inside a fresh interpreter (start-up "
            "excluded), alternating, after one uncounted run of each. The ratio is the median "
            "of per-round ratios. The SDK loads its names on first use, as openai's does: "
            "`import videosdk_async` alone loads almost nothing, and the pydantic models load "
            "with the first call (the 'first call's models' row: that cost moves, it does not "
            "vanish). `pydantic` imports lazily too, so `import httpx, pydantic` does not load "
            "pydantic's model machinery; the `pydantic.BaseModel` row shows that cost."
        ),
        "params": {"rounds": rounds, "python": sys.executable},
        "figures": {
            "baseline": BASELINE,
            "seconds": {name: stats(s) for name, s in samples.items()},
            "ratios": {
                name: {**paired_ratio(s, samples[BASELINE]), "baseline": BASELINE}
                for name, s in samples.items()
                if name != BASELINE
            },
            "added_modules": added,
        },
        "targets": [
            target(
                label="`from videosdk_async import AsyncEncoderClient` ≤ 1.15× "
                "`import httpx, pydantic`",
                measured=ratio["median"],
                limit=TARGET_RATIO,
                unit="×",
            )
        ],
        "notes": [],
    }


if __name__ == "__main__":
    module_main(run, __doc__.splitlines()[0])
