"""The adversarial run at full size; writes the figures to docs/reliability.md.

Run: ``nox -s chaos`` (or ``python tools/chaos_report.py [--ops N] [--backend asyncio]...``)

Per backend (asyncio and trio): 10,000 mixed calls against the emulator (its own process,
over loopback) with a fifth of the requests faulted, the checks of ``tests/chaos`` (the same
harness), the load under total failure through one client and through ``with_options``
copies, and a secrets sweep over every SDK log record and error. The figures replace the
section between ``<!-- chaos:begin -->`` and ``<!-- chaos:end -->`` of docs/reliability.md,
and a histogram of deadline overruns is drawn to docs/reliability-overruns.svg (matplotlib,
from the ``bench`` extra; without it the chart is skipped, saying so). Exits 1 if any bound
is broken.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "chaos")]

from harness import (  # noqa: E402 - the test helpers live under tests/
    ChaosConfig,
    EmulatorProcess,
    Figures,
    overrun_histogram,
    percentile,
    run_chaos,
)
from secrets_watch import SecretsWatch  # noqa: E402

FULL = ChaosConfig(ops=10_000, total_failure_calls=5_000)
OVERRUN_BOUND_MS = 50.0
LOAD_BOUND = 1.2
BINS_MS = [0.5, 1, 2, 5, 10, 20, 50, 100, 1000]
BEGIN, END = "<!-- chaos:begin -->", "<!-- chaos:end -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=FULL.ops, help="calls per backend")
    parser.add_argument("--backend", action="append", choices=["asyncio", "trio"])
    parser.add_argument("--seed", type=int, default=FULL.seed)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--svg", type=Path, default=ROOT / "docs" / "reliability-overruns.svg")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    config = ChaosConfig(**{**vars(FULL), "ops": args.ops, "seed": args.seed})
    backends = args.backend or ["asyncio", "trio"]

    watch = SecretsWatch()  # every SDK log record at DEBUG, every SDK error, searched
    watch.install()
    results: list[Figures] = []
    started = time.perf_counter()
    try:
        with EmulatorProcess(seed=args.seed) as emulator:
            for backend in backends:
                watch.start_test()
                watch.found.clear()
                figures = run_chaos(emulator, backend, config, every_100_ops=watch.sweep)
                watch.sweep()
                figures.secrets_found += watch.found
                figures.secrets_checked = watch.checked_errors + watch.checked_records
                print(figures.summary(), flush=True)
                results.append(figures)
    finally:
        watch.uninstall()
    took = time.perf_counter() - started
    broken = bounds_broken(results)
    for line in broken:
        print(f"BROKEN: {line}")
    if not args.no_write:
        chart = draw(results, args.svg)
        write_section(args.doc, render(results, config, took, chart, args.svg))
        print(f"wrote {args.doc.relative_to(ROOT)}" + (f" and {chart}" if chart else ""))
    return 1 if broken else 0


def bounds_broken(results: list[Figures]) -> list[str]:
    broken: list[str] = []
    for f in results:
        checks = {
            f"worst overrun {f.worst_overrun * 1000:.1f} ms > {OVERRUN_BOUND_MS} ms": (
                f.worst_overrun * 1000 > OVERRUN_BOUND_MS
            ),
            f"{f.duplicate_creates} duplicate creates": f.duplicate_creates > 0,
            f"{f.double_deletes} double deletes": f.double_deletes > 0,
            f"{len(f.disagreements)} disagreements with the ledger": bool(f.disagreements),
            f"{len(f.non_sdk)} non-SDK exceptions": bool(f.non_sdk),
            f"{len(f.secrets_found)} secrets found": bool(f.secrets_found),
            f"load {f.load_same_client:.3f}x through one client": f.load_same_client > LOAD_BOUND,
            f"load {f.load_copies:.3f}x through copies": f.load_copies > LOAD_BOUND,
        }
        broken += [f"{f.backend}: {what}" for what, bad in checks.items() if bad]
        broken += [f"{f.backend}: {line}" for line in f.disagreements[:20] + f.non_sdk[:20]]
    return broken


def draw(results: list[Figures], path: Path) -> str | None:
    """The histogram of overruns, as SVG; None (and a message) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "matplotlib is not installed: the overrun chart is skipped "
            '(pip install -e ".[bench]", or run nox -s chaos, to draw it)'
        )
        return None
    matplotlib.rcParams["svg.hashsalt"] = "videosdk-async"  # the same figures, the same file
    labels = [f"≤{b:g}" for b in BINS_MS[:-1]] + [f">{BINS_MS[-2]:g}"]
    figure, axes = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / max(1, len(results))
    for i, f in enumerate(results):
        counts = overrun_histogram(f.overruns, BINS_MS)
        positions = [x + i * width for x in range(len(BINS_MS))]
        axes.bar(positions, counts, width=width, label=f"{f.backend} ({len(f.overruns):,} calls)")
    axes.set_xticks([x + width * (len(results) - 1) / 2 for x in range(len(BINS_MS))], labels)
    axes.set_xlabel("time past the call's deadline (ms)")
    axes.set_ylabel("calls")
    axes.set_title("Deadline overruns of calls that reached their deadline")
    bound = BINS_MS.index(OVERRUN_BOUND_MS) + 0.7  # after the "≤50" group of bars
    axes.axvline(bound, color="grey", linestyle="--", linewidth=1, label="the 50 ms bound")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
    return str(path.relative_to(ROOT))


def render(
    results: list[Figures], config: ChaosConfig, took: float, chart: str | None, svg: Path
) -> str:
    rows = [
        "| figure | " + " | ".join(f.backend for f in results) + " |",
        "| --- |" + " --- |" * len(results),
    ]

    def row(name: str, values: list[str]) -> None:
        rows.append(f"| {name} | " + " | ".join(values) + " |")

    row("operations", [f"{sum(f.operations.values()):,}" for f in results])
    row("requests the emulator saw", [f"{f.requests:,}" for f in results])
    row("faults fired", [f"{sum(f.faults.values()):,}" for f in results])
    row("retries (attempts past the first)", [f"{f.retries:,}" for f in results])
    row("calls that reached their deadline", [f"{len(f.overruns):,}" for f in results])
    row("worst deadline overrun", [f"{f.worst_overrun * 1000:.1f} ms" for f in results])
    row(
        "p99 overrun of those calls",
        [f"{percentile(f.overruns, 0.99) * 1000:.1f} ms" for f in results],
    )
    row("duplicate creates", [str(f.duplicate_creates) for f in results])
    row("double deletes", [str(f.double_deletes) for f in results])
    row("outcomes that disagree with the ledger", [str(len(f.disagreements)) for f in results])
    row("non-SDK exceptions", [str(len(f.non_sdk)) for f in results])
    row("secrets found", [str(len(f.secrets_found)) for f in results])
    row("load under total failure, one client", [f"{f.load_same_client:.3f}×" for f in results])
    row("load under total failure, a copy per call", [f"{f.load_copies:.3f}×" for f in results])
    lost_keys = sorted({k for f in results for k in f.lost})
    lost = [
        f"| {k} | " + " | ".join(str(f.lost.get(k, 0)) for f in results) + " |" for k in lost_keys
    ]
    kinds = sorted({k for f in results for k in f.faults})
    faults = ", ".join(f"{k} {sum(f.faults.get(k, 0) for f in results):,}" for k in kinds)
    ops = ", ".join(
        f"{k} {sum(f.operations.get(k, 0) for f in results):,}"
        for k in ("create", "get", "list", "delete", "delete_many", "cancelled")
    )
    chart_line = (
        f"![Deadline overruns]({svg.name})"
        if chart
        else "(The overrun chart needs matplotlib: `nox -s chaos` installs it.)"
    )
    return "\n".join(
        [
            BEGIN,
            "## The adversarial run",
            "",
            f"Written by `nox -s chaos` (`python tools/chaos_report.py`) on "
            f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, in {took:.0f} s. "
            f"Per backend: {config.ops:,} calls ({config.workers} callers at once) against the "
            f"emulator in its own process over loopback, with {config.fault_rate:.0%} of the "
            f"requests faulted in ten even kinds; call deadline {config.deadline:g} s "
            f"({config.copy_deadline:g} s through `with_options` copies), attempt timeouts "
            f"{config.attempt_timeout:g} s, hangs of {config.hang:g} s, slow bodies over "
            f"{config.slow_body:g} s. Total failure: {config.total_failure_calls:,} calls "
            "against answers that are all 503, default retry policy and budget.",
            "",
            *rows,
            "",
            f"Calls, both backends: {ops}. Faults, both backends: {faults}.",
            "",
            'What the SDK could not know, and said so ("lost outcomes"):',
            "",
            "| lost outcome | " + " | ".join(f.backend for f in results) + " |",
            "| --- |" + " --- |" * len(results),
            *lost,
            "",
            chart_line,
            END,
        ]
    )


def write_section(doc: Path, section: str) -> None:
    text = doc.read_text() if doc.exists() else "# Reliability\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in text:
        text = text.rstrip() + "\n\n" + BEGIN + "\n" + END + "\n"
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    doc.write_text(pattern.sub(lambda _: section, text, count=1))


if __name__ == "__main__":
    sys.exit(main())
