"""The SVG writer: one chart or two per benchmark, drawn with matplotlib from the result dicts.

Output is made stable across runs with the same figures (fixed hash salt, no date, text kept
as text), so a regenerated chart shows up in a diff only when its numbers moved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import MIB, Result

SDK_COLOR = "#d1495b"
OTHER_COLOR = "#8d99ae"
PEER_COLOR = "#edae49"
TARGET_COLOR = "#2b2d42"
SERIES_COLORS = {
    "SDK delete_many": SDK_COLOR,
    "SDK gather": "#e07a5f",
    "httpx + semaphore": "#00798c",
    "aiohttp + semaphore": "#30638e",
    "naive gather": "#6c757d",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "videosdk-async-benchmarks",
            "svg.fonttype": "none",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    fig.clf()
    _pyplot().close(fig)
    return path


def _color(name: str) -> str:
    if name.startswith("SDK") or "videosdk" in name:
        return SDK_COLOR
    if name.startswith("openai"):
        return PEER_COLOR
    return OTHER_COLOR


def _hbars(
    ax: Any,
    names: Sequence[str],
    medians: Sequence[float],
    iqrs: Sequence[tuple[float, float]],
    labels: Sequence[str],
) -> None:
    y = list(range(len(names)))[::-1]
    err = [
        [m - lo for m, (lo, _) in zip(medians, iqrs, strict=True)],
        [hi - m for m, (_, hi) in zip(medians, iqrs, strict=True)],
    ]
    ax.barh(y, medians, xerr=err, color=[_color(n) for n in names], capsize=2, height=0.6)
    ax.set_yticks(y, names)
    for yi, (_, high), label in zip(y, iqrs, labels, strict=True):
        ax.text(high, yi, f"  {label}", va="center", fontsize=8)
    ax.margins(x=0.25)


def _target_line(ax: Any, x: float, label: str) -> None:
    """A dashed vertical line at the target, named just above the plot area."""
    ax.axvline(x, color=TARGET_COLOR, linestyle="--", linewidth=1)
    ax.text(
        x, 1.01, label, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8
    )


def _call_overhead(result: Result, out: Path) -> list[Path]:
    plt = _pyplot()
    f = result["figures"]
    per_call, ratios = f["seconds_per_call"], f["ratios"]
    names = list(per_call)
    medians = [per_call[n]["median"] * 1e6 for n in names]
    iqrs = [(per_call[n]["q1"] * 1e6, per_call[n]["q3"] * 1e6) for n in names]
    labels = [
        f"{m:.0f} µs" + (f"  ({ratios[n]['median']:.2f}×)" if n in ratios else "")
        for n, m in zip(names, medians, strict=True)
    ]
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) + 1.2))
    _hbars(ax, names, medians, iqrs, labels)
    for t in result["targets"]:
        limit = t["limit"] * per_call[f["baseline"]]["median"] * 1e6
        _target_line(ax, limit, f"target: {t['limit']:g}× {f['baseline']}")
    ax.set_xlabel("µs per call (median of rounds; bars: interquartile range)")
    ax.set_title("Per-call cost on an in-process transport", pad=16)
    return [_save(fig, out / "benchmarks-call-overhead.svg")]


def _page_parsing(result: Result, out: Path) -> list[Path]:
    plt = _pyplot()
    f = result["figures"]
    per_page, ratios = f["seconds_per_page"], f["ratios"]
    names = list(per_page)
    medians = [per_page[n]["median"] * 1e3 for n in names]
    iqrs = [(per_page[n]["q1"] * 1e3, per_page[n]["q3"] * 1e3) for n in names]
    labels = [
        f"{m:.2f} ms" + (f"  ({ratios[n]['median']:.2f}×)" if n in ratios else "")
        for n, m in zip(names, medians, strict=True)
    ]
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) + 1.2))
    _hbars(ax, names, medians, iqrs, labels)
    ax.set_xlabel("ms per 100-job page (median of rounds)")
    ax.set_title("Parsing a 100-job page")
    return [_save(fig, out / "benchmarks-page-parsing.svg")]


def _import_time(result: Result, out: Path) -> list[Path]:
    plt = _pyplot()
    f = result["figures"]
    seconds, ratios = f["seconds"], f["ratios"]
    names = list(seconds)
    medians = [seconds[n]["median"] * 1e3 for n in names]
    iqrs = [(seconds[n]["q1"] * 1e3, seconds[n]["q3"] * 1e3) for n in names]
    labels = [
        f"{m:.0f} ms" + (f"  ({ratios[n]['median']:.2f}×)" if n in ratios else "")
        for n, m in zip(names, medians, strict=True)
    ]
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) + 1.2))
    _hbars(ax, [n.replace("import ", "import\u00a0") for n in names], medians, iqrs, labels)
    for t in result["targets"]:
        limit = t["limit"] * seconds[f["baseline"]]["median"] * 1e3
        _target_line(ax, limit, f"target: {t['limit']:g}× {f['baseline']}")
    ax.set_xlabel("ms to import, in a fresh interpreter (median of rounds)")
    ax.set_title("Import time", pad=16)
    return [_save(fig, out / "benchmarks-import-time.svg")]


def _rates(
    runs: Sequence[Mapping[str, Any]],
) -> tuple[list[float], list[list[float]], list[float]]:
    """Median jobs/s of each run, its error bars (the range over rounds), and each top."""
    rates = [r["jobs_per_second"] for r in runs]
    spans = [
        r.get("jobs_per_second_range") or [rate, rate] for r, rate in zip(runs, rates, strict=True)
    ]
    err = [
        [rate - lo for rate, (lo, _) in zip(rates, spans, strict=True)],
        [hi - rate for rate, (_, hi) in zip(rates, spans, strict=True)],
    ]
    return rates, err, [hi for _, hi in spans]


def _batch_deletes(result: Result, out: Path) -> list[Path]:
    plt = _pyplot()
    f = result["figures"]
    runs = f["runs"]
    names = [r["label"] for r in runs]
    rates, err, highs = _rates(runs)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(names) + 1.2))
    y = list(range(len(names)))[::-1]
    colors = [SERIES_COLORS.get(n, OTHER_COLOR) for n in names]
    ax.barh(y, rates, xerr=err, capsize=2, color=colors, height=0.6)
    ax.set_yticks(y, names)
    for yi, r, high in zip(y, runs, highs, strict=True):
        failed = f", {r['failed']:,} failed" if r["failed"] else ""
        ax.text(
            high,
            yi,
            f"  {r['jobs_per_second']:,.0f}/s{failed}",
            va="center",
            fontsize=8,
        )
    ax.margins(x=0.35)
    per_run = runs[0]["jobs"] // runs[0].get("rounds", 1)
    ax.set_xlabel(
        f"jobs deleted per second ({per_run:,} queued jobs a run; median and range of rounds)"
    )
    ax.set_title("Batch deletes against the emulator")
    paths = [_save(fig, out / "benchmarks-batch-deletes.svg")]

    sweep = f["sweep"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.2))
    for label in dict.fromkeys(r["label"] for r in sweep):
        points = [r for r in sweep if r["label"] == label]
        levels = [r["level"] for r in points]
        color = SERIES_COLORS.get(label, OTHER_COLOR)
        rates, err, _ = _rates(points)
        left.errorbar(levels, rates, yerr=err, marker="o", color=color, label=label, capsize=2)
        failed_pct = [100 * r["failed"] / r["jobs"] for r in points]
        right.plot(levels, failed_pct, marker="o", color=color, label=label)
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xticks(
            sorted({r["level"] for r in sweep}),
            [str(v) for v in sorted({r["level"] for r in sweep})],
        )
        ax.set_xlabel("concurrency level")
    left.set_ylim(bottom=0)
    right.set_ylim(bottom=0, top=105)
    left.set_ylabel("jobs deleted per second (median, range)")
    right.set_ylabel("deletes failed (%)")
    left.legend(fontsize=8)
    left.set_title("Throughput")
    right.set_title("Failures")
    paths.append(_save(fig, out / "benchmarks-batch-deletes-concurrency.svg"))
    return paths


def _iterate_memory(result: Result, out: Path) -> list[Path]:
    plt = _pyplot()
    f = result["figures"]
    jobs = [p[0] for p in f["points"]]
    rss = [p[1] / MIB for p in f["points"]]
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    ax.plot(jobs, rss, color=SDK_COLOR, marker=".", label="RSS of the walking process")
    for t in result["targets"]:
        limit = f["first_page_rss"] / MIB + t["limit"]
        ax.axhline(
            limit,
            color=TARGET_COLOR,
            linestyle="--",
            linewidth=1,
            label=f"target: page 1 + {t['limit']:g} MiB",
        )
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    ax.set_xlabel("jobs walked")
    ax.set_ylabel("RSS (MiB)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Memory while iterating every job")
    return [_save(fig, out / "benchmarks-iterate-memory.svg")]


CHARTS: dict[str, Callable[[Result, Path], list[Path]]] = {
    "call_overhead": _call_overhead,
    "page_parsing": _page_parsing,
    "import_time": _import_time,
    "batch_deletes": _batch_deletes,
    "iterate_memory": _iterate_memory,
}


def write(results: Sequence[Result], out: Path) -> Mapping[str, list[Path]]:
    """Draw every chart the results have into ``out``; return the files by benchmark name."""
    return {r["name"]: CHARTS[r["name"]](r, out) for r in results if r["name"] in CHARTS}
