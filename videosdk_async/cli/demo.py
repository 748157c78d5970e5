"""``videosdk-jobs demo``: the SDK against an in-process emulator, start to finish in seconds.

The emulator runs in this event loop on an ephemeral loopback port with a manual clock, so
nothing waits on real time: the demo moves jobs along by forcing statuses and advancing the
emulated clock. Steps: upload a source video to storage (streamed, with progress); create
jobs from it concurrently; the "encoder" picks up every third job; the queued ones are
batch-deleted with ``delete_queued`` while the encoder picks up a few more (those are
reported as not deletable, never as errors); then one processing job is awaited with
``wait`` while the clock jumps ahead, and its output files are read.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import typer
from rich.table import Table
from rich.text import Text

from ..batch import DeleteOutcome, DeleteReport, DeleteResult
from ..client import AsyncEncoderClient
from ..models import EncodingJob, JobStatus, PresetParam, StoredFile, ThumbnailParam
from .errors import EXIT_FAILED
from .loop import run_loop
from .render import (
    Output,
    add_rows,
    count_progress,
    delete_progress,
    job_json,
    jobs_table,
    plain,
    report_json,
    status_text,
    summary_tables,
)
from .upload import file_json, upload_progress
from .words import plural

if TYPE_CHECKING:
    from ..emulator import Emulator

PROCESSING_SECONDS = 30.0  # emulated; the clock is advanced, never slept through
# Client and server share one event loop and CPU here: more in flight only adds connection-pool
# bookkeeping (measured: 8 in flight ~2 s for 300 jobs, 32 in flight ~5 s).
DEMO_CONCURRENCY = 8
RACE_AFTER = 5  # the encoder picks up more jobs once this many deletes are done
RACE_SIZE = 10
PRESETS: list[PresetParam] = [
    {"resolutions": ["360", "720"], "format": "hls"},
    {"resolutions": ["1080"], "format": "mp4"},
]
THUMBNAILS: list[ThumbnailParam] = [
    {"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg", "webp"]}
]
SOURCE_NAME = "demo.mp4"
SOURCE_SIZE = 5_755_392  # generated as it is sent, never held whole


@dataclass
class DemoRun:
    """What happened, for the final summary (human or JSON)."""

    base_url: str = ""
    storage_url: str = ""
    uploaded: StoredFile | None = None
    created: int = 0
    picked_up: Counter[str] = field(default_factory=Counter)
    raced: list[str] = field(default_factory=list)
    report: DeleteReport = field(default_factory=DeleteReport)
    waited: EncodingJob | None = None
    clock_advanced: float = 0.0
    final: Counter[str] = field(default_factory=Counter)
    ledger_creates: int = 0
    ledger_deletes: int = 0
    ledger_uploaded_bytes: int = 0
    elapsed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        delete = report_json(self.report)
        return {
            "baseUrl": self.base_url,
            "storageUrl": self.storage_url,
            "uploaded": file_json(self.uploaded) if self.uploaded is not None else None,
            "created": self.created,
            "pickedUp": dict(self.picked_up),
            "pickedUpDuringDelete": self.raced,
            "deleteQueued": {
                "summary": delete["summary"],
                "notDeleted": [r for r in delete["results"] if r["outcome"] != "deleted"],
            },
            "waited": job_json(self.waited) if self.waited is not None else None,
            "outputs": [file_json(f) for f in self.waited.files] if self.waited else [],
            "clockAdvancedSeconds": self.clock_advanced,
            "finalStatuses": dict(self.final),
            "serverLedger": {
                "creates": self.ledger_creates,
                "deletes": self.ledger_deletes,
                "uploadedBytes": self.ledger_uploaded_bytes,
            },
            "elapsedSeconds": round(self.elapsed, 3),
        }


async def _generated_video(size: int) -> AsyncIterator[bytes]:
    """Stand-in video bytes, made as they are sent (a camera, a pipe, a transcoder...)."""
    block = bytes(range(256)) * 256  # 64 KiB
    left = size
    while left > 0:
        piece = block[: min(len(block), left)]
        left -= len(piece)
        yield piece


def outputs_table(job: EncodingJob) -> Table:
    """The job's output files: kind, resolution, format, size, URL (plain text, URLs whole)."""
    table = Table(title=Text(f"outputs of {job.id}"), title_justify="left", header_style="bold")
    for column in ("type", "resolution", "format", "size"):
        table.add_column(column, no_wrap=True)
    table.add_column("url")
    rows: list[list[Text]] = []
    for output in job.files:
        meta = output.meta
        size = meta.resolution if meta is not None else None
        rows.append(
            [
                plain(output.type or "-"),
                Text(f"{size.width}x{size.height}" if size is not None else "-"),
                plain(meta.format or "-") if meta is not None else Text("-"),
                Text(f"{output.size:,} B" if output.size is not None else "-"),
                plain(output.file_url or output.id),
            ]
        )
    return add_rows(table, rows)


def _step(number: int, *parts: str | Text) -> Text:
    """One numbered step of the story: ``2. creating 300 jobs, 8 at a time``."""
    return Text.assemble((f"{number}.", "bold"), " ", *parts)


def _counts(counts: Counter[str]) -> Text:
    """``10 completed, 50 processing`` (the statuses are the server's words)."""
    return plain(", ".join(f"{n:,} {status}" for status, n in sorted(counts.items())) or "-")


def _pickup_status(index: int) -> str | None:
    """What the encoder did with the index-th job: every third one was picked up."""
    if index % 3:
        return None
    nth = index // 3
    return "completed" if nth % 4 == 1 else "failed" if nth % 10 == 7 else "processing"


async def _create_all(
    client: AsyncEncoderClient, out: Output, video_id: str, count: int, concurrency: int
) -> list[EncodingJob]:
    created: list[EncodingJob | None] = [None] * count
    limiter = anyio.CapacityLimiter(concurrency)
    with count_progress(out, "creating jobs", count) as progress:

        async def create(index: int) -> None:
            async with limiter:
                created[index] = await client.jobs.create(
                    video_id=video_id,
                    presets=PRESETS,
                    thumbnails=THUMBNAILS,
                    user_data={"demo": True, "n": index},
                )
            progress.advance(progress.task_ids[0])

        async with anyio.create_task_group() as group:
            for index in range(count):
                group.start_soon(create, index)
    return [job for job in created if job is not None]


def _race(emulator: Emulator, run: DemoRun, report: DeleteReport, created: list[str]) -> None:
    """The encoder picks up a few queued jobs the batch has listed but not yet deleted.

    ``delete_queued`` lists page 1 (the oldest jobs) first and deletes it last, so the
    oldest queued jobs not yet claimed are certain to be deleted after they moved on.
    """
    for job_id in created:
        if len(run.raced) >= RACE_SIZE:
            return
        if job_id in report.results or job_id in report.in_flight:
            continue
        current = emulator.get_job(job_id)
        if current is not None and current["status"] == "queued":
            emulator.force_status(job_id, "processing")
            run.raced.append(job_id)


async def _statuses(client: AsyncEncoderClient) -> Counter[str]:
    counts: Counter[str] = Counter()
    async for job in client.jobs.iterate():
        counts[str(job.status)] += 1
    return counts


async def run_demo(out: Output, count: int, concurrency: int) -> DemoRun:
    """Serve an emulator, drive the SDK through the whole story, and return what happened."""
    from ..emulator import Emulator, serve

    run = DemoRun()
    started = time.perf_counter()
    # Manual clock: jobs stay queued until the demo moves them; processing takes 30 emulated s.
    emulator = Emulator(time_scale=None, queued_seconds=None, processing_seconds=PROCESSING_SECONDS)
    try:
        async with serve(emulator) as server:
            run.base_url = server.base_url
            out.print(_step(1, "emulator listening on ", plain(server.base_url), " (manual clock)"))
            async with AsyncEncoderClient(
                api_key=emulator.api_key, secret=emulator.secret, base_url=server.base_url
            ) as client:
                await _story(emulator, client, out, run, count, concurrency)
    finally:
        emulator.close()
    run.elapsed = time.perf_counter() - started
    return run


async def _story(
    emulator: Emulator,
    client: AsyncEncoderClient,
    out: Output,
    run: DemoRun,
    count: int,
    concurrency: int,
) -> None:
    run.storage_url = await client.files.storage_url()
    out.print(
        _step(
            2,
            f"uploading a {SOURCE_SIZE:,}-byte source to storage at ",
            plain(run.storage_url),
            " (streamed)",
        )
    )
    with upload_progress(out, f"uploading {SOURCE_NAME}") as show_upload:
        source = await client.files.upload(
            _generated_video(SOURCE_SIZE),
            filename=SOURCE_NAME,
            size=SOURCE_SIZE,
            on_progress=show_upload,
        )
    run.uploaded = source
    out.print(Text.assemble("   stored as file ", (source.id, "bold"), ": its id is a video_id"))
    out.print(_step(3, f"creating {plural(count, 'job')} from it, {concurrency:,} at a time"))
    jobs = await _create_all(client, out, source.id, count, concurrency)
    run.created = len(jobs)
    ids = [job.id for job in jobs]
    shown = jobs[:5]
    out.print(jobs_table(shown, title=f"first {len(shown):,} of {plural(len(jobs), 'job')}"))

    for index, job_id in enumerate(ids):
        status = _pickup_status(index)
        if status is not None:
            emulator.force_status(job_id, status)
            run.picked_up[status] += 1
    statuses = await _statuses(client)
    out.print(_step(4, "the encoder picked up every third job: ", _counts(statuses)))

    queued = statuses.get(JobStatus.QUEUED.value, 0)
    out.print(_step(5, f"delete_queued: deleting the {plural(queued, 'queued job')}"))
    report = run.report

    with delete_progress(out, "deleting queued jobs", total=queued) as advance:

        def on_progress(result: DeleteResult) -> None:
            advance(result)
            if len(report) == RACE_AFTER:
                _race(emulator, run, report, ids)

        await client.jobs.delete_queued(
            concurrency=concurrency, on_progress=on_progress, report=report
        )
    for renderable in summary_tables(report, title="delete_queued summary"):
        out.print(renderable)
    if run.raced:
        out.print(
            Text(
                f"{plural(len(run.raced), 'job')} started processing after being listed: "
                "reported as not deletable, not as failures",
                style="dim",
            )
        )

    target = next(j for i, j in enumerate(ids) if _pickup_status(i) == "processing")
    out.print(_step(6, "wait(", plain(target), ") while the emulator clock jumps ahead"))

    def on_update(job: EncodingJob) -> None:
        out.print(Text.assemble("   job ", plain(job.id), " is ", status_text(job.status)))
        if job.status is JobStatus.PROCESSING and not run.clock_advanced:
            emulator.advance(PROCESSING_SECONDS)  # instead of sleeping 30 s
            run.clock_advanced = PROCESSING_SECONDS

    run.waited = await client.jobs.wait(
        target, timeout=10, poll_interval=0.02, max_poll_interval=0.1, on_update=on_update
    )
    files = run.waited.files
    out.print(_step(7, f"reading the {plural(len(files), 'output file')} of ", plain(target)))
    out.print(outputs_table(run.waited))
    run.final = await _statuses(client)
    run.ledger_uploaded_bytes = emulator.ledger.uploaded_bytes()
    run.ledger_creates = emulator.ledger.total("create_job")
    run.ledger_deletes = emulator.ledger.total("delete_job")


def final_summary(run: DemoRun) -> Table:
    """Everything that happened, one row per step."""
    counts = run.report.counts
    table = Table(title=Text("what happened"), title_justify="left", show_header=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows: list[tuple[str, Text]] = []
    if run.uploaded is not None:
        rows.append(
            (
                "uploaded",
                Text.assemble(
                    f"{run.uploaded.size or 0:,} bytes, streamed, as file ", plain(run.uploaded.id)
                ),
            )
        )
    rows += [
        ("created", Text(f"{plural(run.created, 'job')} (concurrently, bounded)")),
        ("picked up", _counts(run.picked_up)),
        (
            "delete_queued",
            Text(
                f"{counts[DeleteOutcome.DELETED]:,} deleted, "
                f"{counts[DeleteOutcome.NOT_DELETABLE]:,} not deletable (picked up mid-batch), "
                f"{counts[DeleteOutcome.FAILED]:,} failed"
            ),
        ),
    ]
    if run.waited is not None:
        rows.append(
            (
                "wait",
                Text.assemble(
                    plain(run.waited.id),
                    " ended ",
                    status_text(run.waited.status),
                    f" after {run.clock_advanced:g} emulated seconds, "
                    f"{plural(len(run.waited.files), 'output file')}",
                ),
            )
        )
    rows += [
        ("now", _counts(run.final)),
        (
            "server ledger",
            Text(
                f"{run.ledger_uploaded_bytes:,} bytes uploaded, "
                f"{plural(run.ledger_creates, 'create')}, "
                f"{plural(run.ledger_deletes, 'delete')} recorded"
            ),
        ),
        ("took", Text(f"{run.elapsed:.2f} s")),
    ]
    return add_rows(table, [(Text(label), value) for label, value in rows])


def demo_command(
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, max=5000, help="How many jobs to create.")
    ] = 300,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", min=1, max=32, help="Requests in flight (creates, deletes)."),
    ] = DEMO_CONCURRENCY,
    json_mode: Annotated[
        bool, typer.Option("--json", help="Print one JSON summary, nothing else.")
    ] = False,
) -> None:
    """Try the SDK on a local emulator: upload, create, batch-delete, wait, read the outputs."""
    out = Output(json_mode=json_mode)
    run = run_loop(run_demo, out, jobs, concurrency)
    if out.json_mode:
        out.json(run.to_json())
    else:
        out.print(final_summary(run))
    if (
        run.report.failed
        or run.uploaded is None
        or run.waited is None
        or run.waited.status is not JobStatus.COMPLETED
        or not run.waited.files
    ):
        raise typer.Exit(EXIT_FAILED)
