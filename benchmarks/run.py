"""Run the suite and publish it: ``python -m benchmarks --size full --out docs/benchmarks.md``.

Each benchmark runs in its own subprocess (``python -m benchmarks.<name> --size ...``), so
none inherits another's imports, heap or threads; the runner collects their result dicts, then
hands them to the chart and Markdown writers. ``--size tiny`` runs everything in seconds to
prove it works (its figures mean nothing); ``--size full`` is what ``nox -s bench`` publishes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks import charts, environment, report
from benchmarks._common import REPO_ROOT, SIZES, Result, run_child

BENCHMARKS = (
    "call_overhead",
    "batch_deletes",
    "iterate_memory",
    "upload_memory",
    "page_parsing",
    "import_time",
    "retry_amplification",
)
"""In the page's order. Each is a module of this package with ``run(size) -> dict``."""

TIMEOUT = {"tiny": 120.0, "full": 3600.0}


def run_benchmark(name: str, size: str) -> Result:
    """Run one benchmark in a fresh interpreter and return its result dict."""
    return run_child(["-m", f"benchmarks.{name}", "--size", size], timeout=TIMEOUT[size])


def main(argv: list[str] | None = None) -> None:
    """Command line: run the benchmarks, write the page, the charts and optionally JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md", help="the Markdown page"
    )
    parser.add_argument(
        "--charts", type=Path, default=None, help="where SVGs go (default: img/ beside --out)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also save the raw results")
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)"
    )
    args = parser.parse_args(argv)
    chart_dir = args.charts if args.charts is not None else args.out.parent / "img"
    selected = args.only or list(BENCHMARKS)

    env = environment.describe(REPO_ROOT, args.size)
    results: list[Result] = []
    for name in selected:
        started = time.perf_counter()
        print(f"[bench] {name} ({args.size}) ...", file=sys.stderr, flush=True)
        results.append(run_benchmark(name, args.size))
        print(
            f"[bench] {name} done in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
            flush=True,
        )
    env["load_end"] = environment.load_average()
    drawn = charts.write(results, chart_dir)
    command = (
        "nox -s bench"
        if args.size == "full" and not args.only
        else f"python -m benchmarks --size {args.size}"
    )
    page = report.write(results, env, drawn, args.out, command=command)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"environment": env, "results": results}, indent=2))
    for result in results:
        for t in result["targets"]:
            plain = report.verdict(t).replace("**", "")
            print(f"[bench] target: {t['label']}: {plain}", file=sys.stderr)
    print(f"[bench] wrote {page} and {sum(len(p) for p in drawn.values())} charts in {chart_dir}")


if __name__ == "__main__":
    main()
