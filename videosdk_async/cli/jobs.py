"""The job commands: list, get, create, delete, delete-queued, wait."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.text import Text

from .._ids import validate_id
from ..batch import DeleteOutcome, DeleteReport
from ..client import AsyncEncoderClient
from ..errors import InvalidRequestError
from ..models import EncodingJob, JobStatus, PresetSpec, ThumbnailSpec
from . import parsing
from .errors import EXIT_FAILED, CLIError, UsageProblem, report
from .render import (
    Output,
    delete_progress,
    job_details,
    job_json,
    jobs_table,
    plain,
    report_json,
    status_text,
    summary_line,
    summary_tables,
    when,
)
from .settings import Settings, run
from .words import plural, printable

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document, nothing else.")]
ConcurrencyOpt = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        min=1,
        metavar="N",
        show_default=False,
        help="Deletes in flight at once (default: the client limit, 32).",
    ),
]
_KNOWN_STATUSES = tuple(s.value for s in JobStatus)
# Outcomes after which a job the user named is not deleted; GONE most likely was.
_NOT_DONE = (DeleteOutcome.FAILED, DeleteOutcome.NOT_FOUND, DeleteOutcome.NOT_DELETABLE)


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def _job_id(raw: str) -> str:
    try:
        return validate_id(raw.strip())
    except InvalidRequestError as exc:
        raise UsageProblem(str(exc)) from None


def _parsed(parse: Any, raw: Any) -> Any:
    try:
        return parse(raw)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None


# -- list ------------------------------------------------------------------------------------


def list_jobs(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            show_default=False,
            help=f"Only jobs with this status ({', '.join(_KNOWN_STATUSES)}).",
        ),
    ] = None,
    per_page: Annotated[
        int,
        typer.Option(
            "--per-page", min=1, max=100, metavar="N", help="Jobs per page (at most 100)."
        ),
    ] = 20,
    page: Annotated[
        int, typer.Option("--page", min=1, metavar="N", help="Which page to show.")
    ] = 1,
    all_pages: Annotated[bool, typer.Option("--all", help="Every job, all pages.")] = False,
    json_mode: JsonFlag = False,
) -> None:
    """List jobs: one page, the first --per-page jobs with --status, or --all of them."""
    wanted = status.strip().lower() if status is not None else None
    if wanted is not None and wanted not in _KNOWN_STATUSES:
        raise UsageProblem(f"--status {status!r} is not one of {', '.join(_KNOWN_STATUSES)}")
    if page != 1 and (all_pages or wanted is not None):
        raise UsageProblem("--page cannot be combined with --all or --status")
    out = Output(json_mode=json_mode)

    async def work(client: AsyncEncoderClient) -> tuple[list[EncodingJob], str]:
        if all_pages or wanted is not None:
            found: list[EncodingJob] = []
            async for job in client.jobs.iterate(per_page=100, status=wanted):
                found.append(job)
                if not all_pages and len(found) >= per_page:
                    first = plural(per_page, f"{wanted} job")
                    return found, f"first {first} (use --all for every one)"
            return found, plural(len(found), f"{wanted} job" if wanted else "job")
        listing = await client.jobs.list(page, per_page)
        info = listing.page_info
        return listing.data, f"page {info.current_page} of {info.last_page}, {per_page} per page"

    jobs, note = run(_settings(ctx), work)
    if out.json_mode:
        out.json([job_json(job) for job in jobs])
        return
    out.print(jobs_table(jobs) if jobs else "no jobs")
    out.print(Text(note, style="dim"))


# -- get -------------------------------------------------------------------------------------


def get_job(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job id.", show_default=False)],
    json_mode: JsonFlag = False,
) -> None:
    """Show one job, with its output files once encoded."""
    job_id = _job_id(job_id)
    out = Output(json_mode=json_mode)
    job = run(_settings(ctx), lambda client: client.jobs.get(job_id))
    if out.json_mode:
        out.json(job_json(job))
    else:
        out.print(job_details(job))


# -- create ----------------------------------------------------------------------------------


def create_job(
    ctx: typer.Context,
    video_id: Annotated[
        str | None,
        typer.Option("--video-id", metavar="ID", show_default=False, help="An uploaded file's id."),
    ] = None,
    video_url: Annotated[
        str | None,
        typer.Option(
            "--video-url",
            metavar="URL",
            show_default=False,
            help="A URL to fetch the source from.",
        ),
    ] = None,
    presets: Annotated[
        list[str] | None,
        typer.Option(
            "--preset",
            show_default=False,
            metavar="RES[,RES]:FORMAT",
            help="An output preset, e.g. 360,720:hls or 1080:mp4; repeat for more.",
        ),
    ] = None,
    thumbnails: Annotated[
        list[str] | None,
        typer.Option(
            "--thumbnail",
            show_default=False,
            metavar="TIME@RES:FORMATS",
            help="Thumbnails to take at TIME (HH:MM:SS), with optional :FILTERS; see the "
            "examples above; repeat for more.",
        ),
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            "--webhook-url",
            metavar="URL",
            show_default=False,
            help="Called when the job changes.",
        ),
    ] = None,
    user_data: Annotated[
        str | None,
        typer.Option(
            "--user-data",
            metavar="JSON",
            show_default=False,
            help="A JSON object kept on the job.",
        ),
    ] = None,
    json_mode: JsonFlag = False,
) -> None:
    """Create an encoding job from an uploaded video or a URL.

    --preset 360,720:hls: resolutions, then a format (hls or mp4).

    --thumbnail 00:00:03@360,720:jpg,webp:blur: a time (HH:MM:SS), resolutions,
    image formats (jpg, webp) and, optionally, filters (none, blur).
    """
    if (video_id is None) == (video_url is None):
        raise UsageProblem("give exactly one of --video-id or --video-url")
    if not presets:
        raise UsageProblem("give at least one --preset, e.g. --preset 360,720:hls")
    preset_specs: list[PresetSpec] = [_parsed(parsing.parse_preset, p) for p in presets]
    thumb_specs: list[ThumbnailSpec] | None = (
        [_parsed(parsing.parse_thumbnail, t) for t in thumbnails] if thumbnails else None
    )
    data = _parsed(parsing.parse_user_data, user_data) if user_data is not None else None
    # Checked here as well as in the SDK, so a refusal names the flags, not the SDK's fields.
    request = _parsed(
        parsing.create_request,
        {
            "video_id": video_id,
            "video_url": video_url,
            "presets": preset_specs,
            "thumbnails": thumb_specs,
            "webhook_url": webhook_url,
            "user_data": data,
        },
    )
    out = Output(json_mode=json_mode)
    job = run(_settings(ctx), lambda client: client.jobs.create(request))
    if out.json_mode:
        out.json(job_json(job))
    else:
        out.print(Text.assemble("created job ", plain(job.id, "bold")))
        out.print(job_details(job))


# -- delete ----------------------------------------------------------------------------------


def _interrupted(out: Output, rep: DeleteReport, order: list[str] | None = None) -> None:
    """Show what a cancelled batch got done, then exit 130 like any interrupted command."""
    if out.json_mode:
        out.json(report_json(rep, order))
    else:
        for table in summary_tables(rep, title="interrupted"):
            out.print(table)
    report(f"interrupted; {summary_line(rep)}")
    raise typer.Exit(130)


def delete_jobs(
    ctx: typer.Context,
    job_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Job ids to delete.", show_default=False)
    ],
    concurrency: ConcurrencyOpt = None,
    json_mode: JsonFlag = False,
) -> None:
    """Delete jobs by id (only queued jobs can be deleted).

    Exits 1 unless every named job was deleted.
    """
    ids = list(dict.fromkeys(_job_id(raw) for raw in job_ids))
    out = Output(json_mode=json_mode)
    rep = DeleteReport()

    async def work(client: AsyncEncoderClient) -> DeleteReport:
        with delete_progress(out, "deleting", total=len(ids)) as on_progress:
            return await client.jobs.delete_many(
                ids, concurrency=concurrency, on_progress=on_progress, report=rep
            )

    try:
        run(_settings(ctx), work)
    except KeyboardInterrupt:
        _interrupted(out, rep, ids)
    if out.json_mode:
        out.json(report_json(rep, ids))
    else:
        for table in summary_tables(rep, title="delete"):
            out.print(table)
    if any(r.outcome in _NOT_DONE for r in rep):
        raise typer.Exit(EXIT_FAILED)


# -- delete-queued ---------------------------------------------------------------------------


def _stdin_is_interactive() -> bool:
    """True when a person can answer a prompt (split out so tests can pretend)."""
    return sys.stdin is not None and sys.stdin.isatty()


def delete_queued(
    ctx: typer.Context,
    concurrency: ConcurrencyOpt = None,
    created_before: Annotated[
        str | None,
        typer.Option(
            "--created-before",
            metavar="ISO",
            show_default=False,
            help="Only jobs created before this time, e.g. 2024-05-01T12:00:00Z (naive = UTC).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=0,
            metavar="N",
            show_default=False,
            help="Delete at most N: the first N selected jobs met while walking the listing "
            "from its last page back to its first (so neither the oldest nor the newest "
            "N, in general).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only report what would be deleted.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    json_mode: JsonFlag = False,
) -> None:
    """Delete every queued job (optionally only older ones, at most --limit).

    Asks for confirmation, naming the API's URL, unless --yes or --dry-run; refuses (exit 2)
    when it cannot ask. A job that starts processing during the batch is reported as not
    deletable, not failed.

    The listing is walked from its last page (100 jobs a page) back to page 1, each page in
    the API's order, so deletes never make it skip a job. --limit N takes the first N queued
    jobs met in that walk: with 300 jobs listed oldest first, --limit 5 takes the 201st to
    the 205th.
    """
    cutoff: datetime | None = (
        _parsed(parsing.parse_timestamp, created_before) if created_before is not None else None
    )
    if not (yes or dry_run) and not _stdin_is_interactive():
        raise UsageProblem(
            "refusing to delete without confirmation: stdin is not a terminal; pass --yes"
        )
    settings = _settings(ctx)
    out = Output(json_mode=json_mode)

    def scan() -> tuple[DeleteReport, str]:
        async def work(client: AsyncEncoderClient) -> tuple[DeleteReport, str]:
            found = await client.jobs.delete_queued(
                concurrency=concurrency, created_before=cutoff, limit=limit, dry_run=True
            )
            return found, client.base_url  # the URL the client resolved (flag, env, default)

        return run(settings, work)

    if dry_run:
        found, _ = scan()
        if out.json_mode:
            out.json(report_json(found))
        else:
            for table in summary_tables(found, title="dry run: nothing deleted"):
                out.print(table)
        return
    estimate: int | None = None
    base_url = ""
    if not yes or out.live:
        # Counting first gives the prompt its number and the progress bar its total and ETA.
        found, base_url = scan()
        estimate = len(found)
        if estimate == 0:
            if out.json_mode:
                out.json(report_json(_complete(DeleteReport())))
            else:
                out.print("no queued jobs to delete")
            return
    if not yes:
        question = f"Delete {plural(estimate or 0, 'queued job')} at {printable(base_url)}?"
        if not typer.confirm(question, err=True):
            report("not confirmed; nothing deleted")
            raise typer.Exit(EXIT_FAILED)
    rep = DeleteReport()

    async def work(client: AsyncEncoderClient) -> DeleteReport:
        with delete_progress(out, "deleting queued jobs", total=estimate) as on_progress:
            return await client.jobs.delete_queued(
                concurrency=concurrency,
                created_before=cutoff,
                limit=limit,
                on_progress=on_progress,
                report=rep,
            )

    try:
        run(settings, work)
    except KeyboardInterrupt:
        _interrupted(out, rep)
    if out.json_mode:
        out.json(report_json(rep))
    else:
        for table in summary_tables(rep, title="delete-queued"):
            out.print(table)
    if rep.failed:
        raise typer.Exit(EXIT_FAILED)


def _complete(rep: DeleteReport) -> DeleteReport:
    rep.complete = True
    return rep


# -- wait ------------------------------------------------------------------------------------


def wait_job(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job id.", show_default=False)],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.001, metavar="SECONDS", help="Give up after this many seconds."
        ),
    ] = 600.0,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval", min=0.001, metavar="SECONDS", help="First delay between polls."
        ),
    ] = 2.0,
    max_poll_interval: Annotated[
        float,
        typer.Option(
            "--max-poll-interval",
            min=0.001,
            metavar="SECONDS",
            help="Longest delay between polls.",
        ),
    ] = 30.0,
    json_mode: JsonFlag = False,
) -> None:
    """Wait until a job is completed or failed; exit 1 if it failed or the wait timed out.

    A failed job's reason is shown when the server gave one.
    """
    job_id = _job_id(job_id)
    out = Output(json_mode=json_mode)

    def show(job: EncodingJob) -> None:
        stamp = datetime.now().astimezone().strftime("%H:%M:%S")
        out.print(
            Text.assemble((stamp, "dim"), " job ", plain(job.id), " ", status_text(job.status))
        )

    job = run(
        _settings(ctx),
        lambda client: client.jobs.wait(
            job_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max(max_poll_interval, poll_interval),
            on_update=show,
        ),
    )
    if out.json_mode:
        out.json(job_json(job))
    else:
        out.print(job_details(job))
    if job.status is JobStatus.FAILED:
        raise CLIError(
            f"job {job.id} failed: {job.failure_reason} (finished {when(job.finished_at)})",
            EXIT_FAILED,
        )
