"""Everything the CLI shows: JSON documents, Rich tables and lines, and the batch progress bar.

Human output goes through Rich on stdout; ``--json`` writes exactly one JSON document on
stdout and nothing else there (no colour, no progress bar). The progress bar is drawn only
when stdout is a terminal: in a pipe or a log it would only be noise.

Text that came from a server or a user (ids, statuses, URLs, user data, error messages) is
never read as Rich markup or emoji codes: every such value becomes a `rich.text.Text`
through `plain`, and the console itself has markup and emoji off, so a ``[/x]`` in a
job's user data is shown, not parsed. Ids, URLs and words are never cut or folded mid-way:
tables are given the width that keeps them whole, and one-value-per-line output is printed
with soft wrapping (the terminal wraps a long URL; a pipe gets it on one line).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
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
from .words import plural, printable

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
_NOT_DELETED = (DeleteOutcome.FAILED, DeleteOutcome.NOT_FOUND, DeleteOutcome.NOT_DELETABLE)
MAX_PROBLEM_ROWS = 20  # a summary stays readable; --json has every result


def plain(value: object, style: str = "") -> Text:
    """Outside text as a Rich ``Text``: shown verbatim, never parsed as markup or emoji.

    Control characters are shown as escapes, so a terminal sequence in server data is not obeyed.
    """
    return Text(printable(str(value)), style=style)


class _Whole:
    """A table rendered at least as wide as its columns' minimums, so nothing in it is cut.

    Rich squeezes a table into the terminal by folding or cropping cells; a table built with
    `add_rows` states how narrow each column may get, and this renders it no narrower
    (on a narrow terminal its lines are longer than the screen, and the terminal wraps them).
    """

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.update_width(max(options.max_width, 10_000))
        needed = Measurement.get(console, wide, self.table).minimum
        yield from console.render(self.table, options.update_width(max(options.max_width, needed)))


class Output:
    """Where a command writes: JSON mode or human mode, stdout or stderr."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        # Built per command, so a replaced sys.stdout (tests, redirection) is honoured. No
        # markup, emoji or highlighting: whatever is printed is shown as it is.
        self.console: Console = Console(highlight=False, soft_wrap=False, markup=False, emoji=False)

    @property
    def live(self) -> bool:
        """True when progress bars and other live displays make sense."""
        return not self.json_mode and self.console.is_terminal

    def json(self, document: Any) -> None:
        """Write one JSON document on stdout."""
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def print(self, *items: RenderableType) -> None:
        """Print human output (nothing in JSON mode).

        Tables are drawn at the width that keeps their cells whole; anything else is printed
        soft-wrapped: never wrapped or cropped by Rich, so a long URL stays one line.
        """
        if self.json_mode:
            return
        for item in items:
            if isinstance(item, Table):
                self.console.print(_Whole(item), crop=False)
            else:
                self.console.print(item, soft_wrap=True)


def add_rows(table: Table, rows: Iterable[Sequence[Text]]) -> Table:
    """Add ``rows`` to ``table``, and set each column's narrowest width from what it holds.

    A ``no_wrap`` column (ids, statuses, times) keeps each cell on one line, whole; any other
    column may wrap between words but never inside one, so an id or URL in it stays whole.
    The title and caption likewise wrap between words only.
    """
    rows = [list(row) for row in rows]
    for index, column in enumerate(table.columns):
        cells = [row[index] for row in rows]
        if isinstance(column.header, Text):
            cells.append(column.header)
        elif isinstance(column.header, str):
            cells.append(Text(column.header))
        lines = [line for cell in cells for line in cell.plain.splitlines()]
        pieces = lines if column.no_wrap else [word for line in lines for word in line.split()]
        needed = max((cell_len(piece) for piece in pieces), default=1)
        column.min_width = max(column.min_width or 0, needed)
    for extra in (table.title, table.caption):  # drawn as wide as the table, so it too
        if extra is not None:
            words = str(extra).split()
            table.min_width = max([table.min_width or 0, *(cell_len(w) for w in words)])
    for row in rows:
        table.add_row(*row)
    return table


# -- jobs ------------------------------------------------------------------------------------


def job_json(job: EncodingJob) -> dict[str, Any]:
    """A job as the API's camelCase JSON (unknown fields kept)."""
    return job.model_dump(mode="json", by_alias=True, exclude_none=True)


def status_text(status: JobStatus | str | None) -> Text:
    """A job status, coloured."""
    if status is None:
        return Text("-", style="dim")
    style = _STATUS_STYLE.get(status, "magenta") if isinstance(status, JobStatus) else "magenta"
    return plain(status, style)


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


def failure_reason(job: EncodingJob) -> str | None:
    """Why a job failed, as one line, when the server said anything (``job.error``)."""
    error = job.error
    return None if error is None or error.is_empty else one_line(str(error))


def jobs_table(jobs: Sequence[EncodingJob], *, title: str | None = None) -> Table:
    """One row per job: id, status, created, presets (ids never cut)."""
    table = Table(
        title=plain(title) if title is not None else None,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("presets")
    rows = [
        [
            plain(job.id),
            status_text(job.status),
            Text(when(job.created_at)),
            plain(presets_text(job.presets)),
        ]
        for job in jobs
    ]
    return add_rows(table, rows)


def _field_lines(fields: Sequence[tuple[str, Text]]) -> Group:
    """``label  value`` lines, labels aligned; each printed whole (soft-wrapped)."""
    width = max(len(label) for label, _ in fields)
    return Group(
        *(Text.assemble((label.ljust(width), "bold"), "  ", value) for label, value in fields)
    )


def job_details(job: EncodingJob) -> Group:
    """One job, field by field, with its output files and, when it failed, why."""
    fields: list[tuple[str, Text]] = [
        ("id", plain(job.id)),
        ("status", status_text(job.status)),
    ]
    reason = failure_reason(job)
    if reason is not None:
        fields.append(("error", plain(reason, "red")))
    fields += [
        ("video", plain(job.video_id or "-")),
        ("video url", plain(job.video_url or "-")),
        ("presets", plain(presets_text(job.presets) or "-")),
        ("thumbnails", plain(thumbnails_text(job.thumbnails) or "-")),
        ("webhook url", plain(job.webhook_url or "-")),
        (
            "user data",
            plain(json.dumps(job.user_data, ensure_ascii=False))
            if job.user_data is not None
            else Text("-"),
        ),
        ("created", Text(when(job.created_at))),
        ("updated", Text(when(job.updated_at))),
        ("started", Text(when(job.started_at))),
        ("finished", Text(when(job.finished_at))),
    ]
    for stored in job.files:
        size = f"{stored.size:,} B" if stored.size is not None else "?"
        fields.append(
            ("file", plain(f"{stored.type or '?'} {size} {stored.file_url or stored.id}"))
        )
    return _field_lines(fields)


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


def summary_line(report: DeleteReport) -> str:
    """One line: ``12 jobs: 10 deleted, 1 not deletable, 1 failed`` (plurals right)."""
    parts = [
        f"{n:,} {outcome.value.replace('_', ' ')}" for outcome, n in report.counts.items() if n
    ]
    tail = "" if report.complete else f"; interrupted with {len(report.in_flight):,} in flight"
    return f"{plural(len(report), 'job')}: {', '.join(parts) or 'nothing to do'}{tail}"


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


def _outcome_text(outcome: DeleteOutcome) -> Text:
    return Text(outcome.value.replace("_", " "), _OUTCOME_STYLE[outcome])


def summary_tables(report: DeleteReport, *, title: str) -> list[RenderableType]:
    """A title, outcome → count, then the ids not deleted, each with a one-line reason."""
    counts = Table(header_style="bold", box=box.SIMPLE_HEAD)
    counts.add_column("outcome", no_wrap=True)
    counts.add_column("jobs", justify="right", no_wrap=True)
    rows = [[_outcome_text(outcome), Text(f"{n:,}")] for outcome, n in report.counts.items() if n]
    rows.append([Text("total", style="bold"), Text(f"{len(report):,}")])
    add_rows(counts, rows)
    shown: list[RenderableType] = [plain(title, "bold"), counts]
    if not report.complete:
        in_flight = plural(len(report.in_flight), "delete")
        shown.append(Text(f"interrupted: {in_flight} in flight, outcome unknown", style="dim"))
    problems = [r for r in report if r.outcome in _NOT_DELETED]
    if problems:
        # Failures first: they are what a reader must act on. One line each, reason last, so
        # a long error message wraps on the terminal without cutting the id before it.
        problems.sort(key=lambda r: r.outcome is not DeleteOutcome.FAILED)
        listed = problems[:MAX_PROBLEM_ROWS]
        id_width = max(cell_len(printable(r.job_id)) for r in listed)
        shown.append(Text("not deleted", style="bold"))
        for r in listed:
            job_id, outcome = plain(r.job_id), _outcome_text(r.outcome)
            job_id.pad_right(id_width - job_id.cell_len)
            outcome.pad_right(len("not deletable") - outcome.cell_len)
            shown.append(Text.assemble("  ", job_id, "  ", outcome, "  ", plain(_reason(r))))
        more = len(problems) - len(listed)
        if more:
            shown.append(Text(f"… and {more:,} more (use --json for all)", style="dim"))
    return shown


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        """The task's current speed as ``N/s``."""
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def _progress(out: Output) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta", markup=False),
        TimeRemainingColumn(),
        TextColumn("{task.fields[problems]}", style="yellow", markup=False),
        console=out.console,
        disable=not out.live,
        transient=False,
    )


@contextmanager
def delete_progress(out: Output, description: str, total: int | None) -> Iterator[ProgressCallback]:
    """A progress bar for a batch delete; yields the SDK ``on_progress`` callback driving it."""
    with _progress(out) as progress:
        task = progress.add_task(printable(description), total=total, problems="")
        not_deleted = 0

        def on_progress(result: DeleteResult) -> None:
            nonlocal not_deleted
            if result.outcome in _NOT_DELETED:
                not_deleted += 1
            current = progress.tasks[0]
            # The listing may find more than the estimate; never show more than 100 %.
            grown = current.total is not None and current.completed + 1 > current.total
            progress.update(
                task,
                advance=1,
                total=current.completed + 1 if grown else current.total,
                problems=f"{not_deleted:,} not deleted" if not_deleted else "",
            )

        yield on_progress


@contextmanager
def count_progress(out: Output, description: str, total: int) -> Iterator[Progress]:
    """A plain progress bar (for creates); the caller advances task 0."""
    with _progress(out) as progress:
        progress.add_task(printable(description), total=total, problems="")
        yield progress
