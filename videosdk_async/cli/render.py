"""Everything the CLI shows: JSON documents, Rich tables, and the batch progress bar.

Human output goes through Rich on stdout; ``--json`` writes exactly one JSON document on
stdout and nothing else there (no colour, no progress bar). The progress bar is drawn only
when stdout is a terminal: in a pipe or a log it would only be noise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .._text import one_line
from ..batch import DeleteOutcome, DeleteReport, DeleteResult, ProgressCallback
from ..models import EncodingJob, JobStatus, Preset, Thumbnail

_STATUS_STYLE = {
    JobStatus.QUEUED: "yellow",
    JobStatus.PROCESSING: "cyan",
    JobStatus.COMPLETED: "green",
    JobStatus.FAILED: "red",
}
_OUTCOME_STYLE = {
    DeleteOutcome.DELETED: "green",
    DeleteOutcome.WOULD_DELETE: "green",
    DeleteOutcome.GONE: "green",
    DeleteOutcome.NOT_DELETABLE: "yellow",
    DeleteOutcome.NOT_FOUND: "yellow",
    DeleteOutcome.FAILED: "red",
}
MAX_PROBLEM_ROWS = 20  # a summary stays readable; --json has every result


class Output:
    """Where a command writes: JSON mode or human mode, stdout or stderr."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        # Built per command, so a replaced sys.stdout (tests, redirection) is honoured.
        self.console = Console(highlight=False, soft_wrap=False)

    @property
    def live(self) -> bool:
        """True when progress bars and other live displays make sense."""
        return not self.json_mode and self.console.is_terminal

    def json(self, document: Any) -> None:
        """Write one JSON document on stdout."""
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def print(self, *items: Any) -> None:
        """Print human output (nothing in JSON mode)."""
        if not self.json_mode:
            self.console.print(*items)


# -- jobs ------------------------------------------------------------------------------------


def job_json(job: EncodingJob) -> dict[str, Any]:
    """A job as the API's camelCase JSON (unknown fields kept)."""
    return job.model_dump(mode="json", by_alias=True, exclude_none=True)


def status_text(status: JobStatus | str | None) -> Text:
    """A job status, coloured."""
    if status is None:
        return Text("-", style="dim")
    style = _STATUS_STYLE.get(status, "magenta") if isinstance(status, JobStatus) else "magenta"
    return Text(str(status), style=style)


def when(moment: datetime | None) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM:SSZ`` (UTC), or ``-``."""
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment is not None else "-"


def presets_text(presets: Sequence[Preset]) -> str:
    """Presets in the CLI's own flag syntax, e.g. ``360,720:hls 1080:mp4``."""
    return " ".join(f"{','.join(map(str, p.resolutions))}:{p.format or '?'}" for p in presets)


def thumbnails_text(thumbnails: Sequence[Thumbnail]) -> str:
    """Thumbnails in the CLI's flag syntax, e.g. ``00:00:03@360:jpg,webp:blur``."""
    parts = []
    for t in thumbnails:
        text = f"{t.timestamp}@{','.join(map(str, t.resolutions))}:{','.join(map(str, t.formats))}"
        if t.filters:
            text += ":" + ",".join(map(str, t.filters))
        parts.append(text)
    return " ".join(parts)


def jobs_table(jobs: Sequence[EncodingJob], *, title: str | None = None) -> Table:
    """One row per job: id, status, created, presets (fits 80 columns)."""
    table = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("presets", overflow="fold")
    for job in jobs:
        table.add_row(
            job.id, status_text(job.status), when(job.created_at), presets_text(job.presets)
        )
    return table


def job_details(job: EncodingJob) -> Table:
    """One job, field by field, with its output files."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows: list[tuple[str, str | Text]] = [
        ("id", job.id),
        ("status", status_text(job.status)),
        ("video", job.video_id or "-"),
        ("video url", job.video_url or "-"),
        ("presets", presets_text(job.presets) or "-"),
        ("thumbnails", thumbnails_text(job.thumbnails) or "-"),
        ("webhook url", job.webhook_url or "-"),
        ("user data", json.dumps(job.user_data) if job.user_data is not None else "-"),
        ("created", when(job.created_at)),
        ("updated", when(job.updated_at)),
        ("started", when(job.started_at)),
        ("finished", when(job.finished_at)),
    ]
    if job.failure_reason is not None:  # the service's words: plain text, never markup
        rows.append(("failure", Text(job.failure_reason, style="red")))
    for stored in job.files:
        size = f"{stored.size:,} B" if stored.size is not None else "?"
        rows.append(("file", f"{stored.type or '?'} {size} {stored.file_url or stored.id}"))
    for name, value in rows:
        table.add_row(name, value)
    return table


# -- batch deletes ---------------------------------------------------------------------------


def result_json(result: DeleteResult) -> dict[str, Any]:
    """One batch result: ``jobId``, ``outcome``, ``jobStatus``, ``error``."""
    return {
        "jobId": result.job_id,
        "outcome": result.outcome.value,
        "jobStatus": result.job_status,
        "error": one_line(str(result.error)) if result.error is not None else None,
    }


def summary_counts(report: DeleteReport) -> dict[str, int]:
    """Counts per outcome (every outcome, zeros included) and ``total``."""
    counts = {outcome.value: n for outcome, n in report.counts.items()}
    counts["total"] = len(report)
    return counts


def report_json(report: DeleteReport, order: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``--json`` document of a batch delete; results in ``order`` when given."""
    results = list(report)
    if order is not None:
        rank = {job_id: i for i, job_id in enumerate(order)}
        results.sort(key=lambda r: rank.get(r.job_id, len(rank)))
    document: dict[str, Any] = {
        "summary": summary_counts(report),
        "results": [result_json(r) for r in results],
    }
    if not report.complete:
        document["interrupted"] = True
        document["inFlight"] = sorted(report.in_flight)
    return document


def _reason(result: DeleteResult) -> str:
    if result.outcome is DeleteOutcome.NOT_DELETABLE:
        return f"job is {result.job_status}" if result.job_status else "job is no longer queued"
    if result.outcome is DeleteOutcome.NOT_FOUND:
        return "no such job"
    return one_line(str(result.error)) if result.error is not None else ""


def summary_tables(report: DeleteReport, *, title: str) -> list[RenderableType]:
    """A title, outcome → count, then the ids not deleted with a one-line reason."""
    counts = Table(header_style="bold", box=box.SIMPLE_HEAD)
    counts.add_column("outcome")
    counts.add_column("jobs", justify="right")
    for outcome, n in report.counts.items():
        if n:
            counts.add_row(Text(outcome.value.replace("_", " "), _OUTCOME_STYLE[outcome]), str(n))
    counts.add_row(Text("total", style="bold"), str(len(report)))
    tables: list[RenderableType] = [Text(title, style="bold"), counts]
    problems = [
        r
        for r in report
        if r.outcome in (DeleteOutcome.FAILED, DeleteOutcome.NOT_FOUND, DeleteOutcome.NOT_DELETABLE)
    ]
    if problems:
        # Failures first: they are what a reader must act on.
        problems.sort(key=lambda r: r.outcome is not DeleteOutcome.FAILED)
        shown = problems[:MAX_PROBLEM_ROWS]
        more = len(problems) - len(shown)
        caption = f"… and {more} more (use --json for all)" if more else None
        detail = Table(header_style="bold", caption=caption, box=box.SIMPLE_HEAD)
        tables.append(Text("not deleted", style="bold"))
        detail.add_column("id", no_wrap=True)
        detail.add_column("outcome")
        detail.add_column("reason", overflow="fold")
        for r in shown:
            detail.add_row(
                r.job_id,
                Text(r.outcome.value.replace("_", " "), _OUTCOME_STYLE[r.outcome]),
                _reason(r),
            )
        tables.append(detail)
    if not report.complete:
        counts.caption = f"interrupted: {len(report.in_flight)} deletes in flight, outcome unknown"
    return tables


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        """The task's current speed as ``N/s``."""
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def _progress(out: Output) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[problems]}", style="yellow"),
        console=out.console,
        disable=not out.live,
        transient=False,
    )


@contextmanager
def delete_progress(out: Output, description: str, total: int | None) -> Iterator[ProgressCallback]:
    """A progress bar for a batch delete; yields the SDK ``on_progress`` callback driving it."""
    with _progress(out) as progress:
        task = progress.add_task(description, total=total, problems="")
        not_deleted = 0

        def on_progress(result: DeleteResult) -> None:
            nonlocal not_deleted
            if result.outcome not in (
                DeleteOutcome.DELETED,
                DeleteOutcome.WOULD_DELETE,
                DeleteOutcome.GONE,
            ):
                not_deleted += 1
            current = progress.tasks[0]
            # The listing may find more than the estimate; never show more than 100 %.
            grown = current.total is not None and current.completed + 1 > current.total
            progress.update(
                task,
                advance=1,
                total=current.completed + 1 if grown else current.total,
                problems=f"{not_deleted} not deleted" if not_deleted else "",
            )

        yield on_progress


@contextmanager
def count_progress(out: Output, description: str, total: int) -> Iterator[Progress]:
    """A plain progress bar (for creates); the caller advances task 0."""
    with _progress(out) as progress:
        progress.add_task(description, total=total, problems="")
        yield progress
