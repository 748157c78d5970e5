"""The Markdown writer: results and the run's environment in, ``docs/benchmarks.md`` out.

It measures nothing and reads nothing but the result dicts, so the page can be rewritten from
saved results (``--json``) and the measurements can change without touching the layout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import MIB, Result

Lines = list[str]


# -- formatting ------------------------------------------------------------------------------


def _value(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f}×"
    if unit.strip() == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g}{unit}"


def verdict(t: Mapping[str, Any]) -> str:
    """``met``/``missed`` and by how much, e.g. ``missed by 0.59× (47% over the limit)``."""
    unit, margin, pct = t["unit"], t["margin"], t["margin_pct"]
    over = abs(margin)
    share = f" ({abs(pct):.0f}% {'over' if margin > 0 else 'under'} the limit)" if pct else ""
    if t["met"]:
        if over == 0:
            return "**met** (exactly at the limit)" if pct is not None else "**met**"
        return f"**met** with {_value(over, unit)} to spare{share}"
    return f"**missed** by {_value(over, unit)}{share}"


def target_line(t: Mapping[str, Any]) -> str:
    """The one line under a section that states its target and outcome."""
    sign = "<" if t["comparison"] == "<" else "≤"
    return (
        f"**Target:** {t['label']}: {verdict(t)}; measured {_value(t['measured'], t['unit'])} "
        f"(limit {sign} {_value(t['limit'], t['unit'])})."
    )


def _table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Lines:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f}"


def _mib(size: float) -> str:
    return f"{size / MIB:,.1f}"


def _ratio(r: Mapping[str, float] | None) -> str:
    if r is None:
        return "baseline"
    return f"{r['median']:.2f}× ({r['q1']:.2f}–{r['q3']:.2f})"


def _rate(run: Mapping[str, Any]) -> str:
    low, high = run.get("jobs_per_second_range") or (None, None)
    spread = f" ({low:,.0f}–{high:,.0f})" if run.get("rounds", 1) > 1 else ""
    return f"{run['jobs_per_second']:,.0f}{spread}"


def _errors(errors: Mapping[str, int]) -> str:
    return ", ".join(f"{name} × {count:,}" for name, count in errors.items()) or "none"


# -- one renderer per benchmark --------------------------------------------------------------


def _call_overhead(f: Mapping[str, Any]) -> Lines:
    per_call, ratios = f["seconds_per_call"], f["ratios"]
    rows = [
        [
            name,
            _us(s["median"]),
            f"{_us(s['q1'])}–{_us(s['q3'])}",
            _ratio(ratios.get(name)),
            ratios[name]["baseline"] if name in ratios else "",
        ]
        for name, s in per_call.items()
    ]
    sdk = per_call["SDK jobs.get"]["median"] - per_call[f["baseline"]]["median"]
    return [
        *_table(["variant", "µs/call (median)", "IQR", "ratio (median, IQR)", "ratio to"], rows),
        "",
        f"The SDK adds {_us(sdk)} µs per call over bare httpx + `json.loads`.",
    ]


def _page_parsing(f: Mapping[str, Any]) -> Lines:
    per_page, ratios = f["seconds_per_page"], f["ratios"]
    rows = [
        [name, _us(s["median"]), f"{_us(s['q1'])}–{_us(s['q3'])}", _ratio(ratios.get(name))]
        for name, s in per_page.items()
    ]
    return _table(
        ["variant", "µs/page (median)", "IQR", f"ratio to {f['baseline']} (median, IQR)"], rows
    )


def _import_time(f: Mapping[str, Any]) -> Lines:
    seconds, ratios = f["seconds"], f["ratios"]
    rows = [
        [f"`{name}`", _ms(s["median"]), f"{_ms(s['q1'])}–{_ms(s['q3'])}", _ratio(ratios.get(name))]
        for name, s in seconds.items()
    ]
    lines = _table(
        ["statement", "ms (median)", "IQR", f"ratio to `{f['baseline']}` (median, IQR)"], rows
    )
    if f["added_modules"]:
        lines += [
            "",
            "Modules `import videosdk_async` loads beyond the baseline, by self time "
            "(one `-X importtime` run):",
            "",
            *_table(
                ["module", "self ms"],
                [[f"`{m['module']}`", f"{m['self_us'] / 1000:.1f}"] for m in f["added_modules"]],
            ),
        ]
    return lines


def _batch_deletes(f: Mapping[str, Any]) -> Lines:
    runs = [
        [
            r["label"],
            r["rounds"],
            f"{r['completed']:,} / {r['jobs']:,}",
            _errors(r["errors"]),
            _rate(r),
            f"{r['elapsed']:.2f}",
            _mib(r["peak_rss"]),
            f"{r['server_deleted']:,}",
        ]
        for r in f["runs"]
    ]
    sweep = [
        [
            r["level"],
            r["label"],
            r["rounds"],
            _rate(r),
            f"{r['completed']:,} / {r['jobs']:,}",
            _errors(r["errors"]),
            _mib(r["peak_rss"]),
        ]
        for r in f["sweep"]
    ]
    return [
        # Markers other pages include this table by (docs/batch.md), hidden in the page itself.
        "<!-- --8<-- [start:batch-deletes] -->",
        *_table(
            [
                "variant",
                "rounds",
                "completed",
                "failed, by error type",
                "jobs/s (median, range)",
                "seconds (median)",
                "peak RSS MiB",
                "deleted on the server",
            ],
            runs,
        ),
        "<!-- --8<-- [end:batch-deletes] -->",
        "",
        "Against concurrency:",
        "",
        *_table(
            [
                "level",
                "variant",
                "rounds",
                "jobs/s (median, range)",
                "completed",
                "failed, by error type",
                "peak RSS MiB",
            ],
            sweep,
        ),
    ]


def _iterate_memory(f: Mapping[str, Any]) -> Lines:
    return _table(
        [
            "jobs walked",
            "seconds",
            "jobs/s",
            "RSS after page 1 (MiB)",
            "RSS at the end (MiB)",
            "growth (MiB)",
            "peak RSS (MiB)",
        ],
        [
            [
                f"{f['jobs_seen']:,}",
                f"{f['elapsed']:.1f}",
                f"{f['jobs_per_second']:,.0f}",
                _mib(f["first_page_rss"]),
                _mib(f["end_rss"]),
                f"{f['growth_mib']:.1f}",
                _mib(f["peak_rss"]),
            ]
        ],
    )


def _retry_amplification(f: Mapping[str, Any]) -> Lines:
    rows = [[name, f"{value:.3f}"] for name, value in f["attempts_per_call"].items()]
    return _table(["retry policy", "requests sent per call"], rows)


def _generic(f: Mapping[str, Any]) -> Lines:
    return ["```json", json.dumps(f, indent=2), "```"]


def _upload_memory(f: Mapping[str, Any]) -> Lines:
    return _table(
        ["source", "seconds", "MiB/s", "peak RSS growth (MiB)"],
        [
            [name, f"{u['seconds']:.2f}", f"{u['mb_per_s']:,.0f}", f"{u['peak_rss_growth_mb']:.1f}"]
            for name, u in f["uploads"].items()
        ],
    )


RENDERERS: dict[str, Callable[[Mapping[str, Any]], Lines]] = {
    "call_overhead": _call_overhead,
    "page_parsing": _page_parsing,
    "import_time": _import_time,
    "batch_deletes": _batch_deletes,
    "iterate_memory": _iterate_memory,
    "upload_memory": _upload_memory,
    "retry_amplification": _retry_amplification,
}


# -- the page --------------------------------------------------------------------------------


def _params(params: Mapping[str, Any]) -> str:
    return "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in params.items())


def render(
    results: Sequence[Result],
    env: Mapping[str, Any],
    charts: Mapping[str, Sequence[Path]],
    *,
    page_dir: Path,
    command: str,
) -> str:
    """The whole page as Markdown; chart links are relative to ``page_dir``."""
    lines: Lines = [
        "# Benchmarks",
        "",
        f"<!-- Generated by `{command}`; do not edit by hand, run it again. -->",
        "",
        "What the SDK costs beside bare httpx, measured on one machine in one run. Speed goals "
        "are ratios measured side by side: the variants alternate round by round (A B, B A, "
        "...) and each figure is the median of its rounds, so machine noise hits every variant "
        "alike. Absolute figures depend on the machine; compare ratios.",
        "",
        "## The run",
        "",
        *_table(
            ["", ""],
            [
                ["date", env["date"]],
                ["size", env["size"]],
                ["Python", env["python"]],
                ["OS", env["os"]],
                ["CPU", f"{env['cpu']}, {env['cores']} cores"],
                [
                    "load average (1 min)",
                    f"{env.get('load_start')} at the start, {env.get('load_end')} at the end "
                    "(other work on the machine shows here; ratios measured side by side "
                    "absorb most of it, absolute figures do not)",
                ],
                ["commit", env["commit"]],
                [
                    "packages",
                    ", ".join(f"{name} {version}" for name, version in env["packages"].items()),
                ],
            ],
        ),
        "",
        "## Targets",
        "",
        *_table(
            ["target", "measured", "outcome"],
            [
                [t["label"], _value(t["measured"], t["unit"]), verdict(t)]
                for result in results
                for t in result["targets"]
            ],
        ),
        "",
    ]
    for number, result in enumerate(results, start=1):
        lines += [f"## {number}. {result['title']}", "", result["about"], ""]
        if result["params"]:
            lines += [f"Parameters: {_params(result['params'])}.", ""]
        lines += [*RENDERERS.get(result["name"], _generic)(result["figures"]), ""]
        for chart in charts.get(result["name"], ()):
            link = Path(os.path.relpath(chart, page_dir)).as_posix()
            lines += [f"![{result['title']}: {chart.stem}]({link})", ""]
        for t in result["targets"]:
            lines += [target_line(t), ""]
        for note in result["notes"]:
            lines += [f"Note: {note}", ""]
    lines += [
        "## Reproduce",
        "",
        "```sh",
        "nox -s bench        # installs the bench extra, runs everything at full size,",
        "                    # rewrites this page and its charts",
        "python -m benchmarks --size tiny --out /tmp/bench.md   # a quick check that all runs",
        "python -m benchmarks.call_overhead --size full --human  # one benchmark alone",
        "```",
        "",
    ]
    return "\n".join(lines)


def write(
    results: Sequence[Result],
    env: Mapping[str, Any],
    charts: Mapping[str, Sequence[Path]],
    out: Path,
    *,
    command: str,
) -> Path:
    """Write the page to ``out``; return it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        render(results, env, charts, page_dir=out.parent.resolve(), command=command),
        encoding="utf-8",
    )
    return out
