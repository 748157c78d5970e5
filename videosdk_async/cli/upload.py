"""``videosdk-jobs upload PATH``: send a video to storage, with a progress bar.

Optionally create a job from it (``--create --preset ...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from ..client import AsyncEncoderClient
from ..models import EncodingJob, PresetSpec, StoredFile, ThumbnailSpec
from ..uploads import UploadProgress
from . import parsing
from .errors import UsageProblem
from .render import Output, job_details, job_json
from .settings import Settings, run

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document, nothing else.")]


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def _parsed(parse: Any, raw: str) -> Any:
    try:
        return parse(raw)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None


def file_json(stored: StoredFile) -> dict[str, Any]:
    """A stored file as the API's camelCase JSON (unknown fields kept)."""
    return stored.model_dump(mode="json", by_alias=True, exclude_none=True)


def file_details(stored: StoredFile) -> Table:
    """One stored file, field by field (server text as plain text, never markup)."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    size = f"{stored.size:,} B" if stored.size is not None else "-"
    stored_name = (stored.model_extra or {}).get("name")  # not documented; shown when sent
    for name, value in (
        ("file id", stored.id),
        ("name", stored_name if isinstance(stored_name, str) else "-"),
        ("type", stored.type or "-"),
        ("size", size),
        ("path", stored.file_path or "-"),
        ("url", stored.file_url or "-"),
    ):
        table.add_row(name, Text(value))
    return table


@contextmanager
def upload_progress(out: Output, description: str) -> Iterator[UploadProgress]:
    """A bytes progress bar (size, rate, ETA) on a terminal; yields the SDK's ``on_progress``."""
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=out.console, disable=not out.live) as progress:
        task = progress.add_task(description, total=None)

        def on_progress(sent: int, total: int | None) -> None:
            progress.update(task, completed=sent, total=total)

        yield on_progress


def upload_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="The video file to upload.", show_default=False),
    ],
    create: Annotated[
        bool, typer.Option("--create", help="Then create an encoding job from it.")
    ] = False,
    presets: Annotated[
        list[str] | None,
        typer.Option(
            "--preset",
            show_default=False,
            metavar="RES[,RES...]:FORMAT",
            help="With --create: an output preset, e.g. 360,720:hls; repeat for more.",
        ),
    ] = None,
    thumbnails: Annotated[
        list[str] | None,
        typer.Option(
            "--thumbnail",
            show_default=False,
            metavar="HH:MM:SS@RES:FORMATS[:FILTERS]",
            help="With --create: thumbnails to take, e.g. 00:00:03@360:jpg.",
        ),
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option("--webhook-url", show_default=False, help="With --create: called on change."),
    ] = None,
    user_data: Annotated[
        str | None,
        typer.Option("--user-data", show_default=False, help="With --create: a JSON object."),
    ] = None,
    filename: Annotated[
        str | None,
        typer.Option("--filename", show_default=False, help="Name to store (default: PATH's)."),
    ] = None,
    content_type: Annotated[
        str | None,
        typer.Option(
            "--content-type", show_default=False, help="Media type (default: from the name)."
        ),
    ] = None,
    json_mode: JsonFlag = False,
) -> None:
    """Upload a video to storage (streamed, with a progress bar); --create makes a job of it."""
    job_flags = [
        flag
        for flag, value in (
            ("--preset", presets),
            ("--thumbnail", thumbnails),
            ("--webhook-url", webhook_url),
            ("--user-data", user_data),
        )
        if value
    ]
    if job_flags and not create:
        verb = "needs" if len(job_flags) == 1 else "need"
        raise UsageProblem(f"{', '.join(job_flags)} {verb} --create")
    if create and not presets:
        raise UsageProblem("--create needs at least one --preset, e.g. --preset 360,720:hls")
    preset_specs: list[PresetSpec] = [_parsed(parsing.parse_preset, p) for p in presets or ()]
    thumb_specs: list[ThumbnailSpec] | None = (
        [_parsed(parsing.parse_thumbnail, t) for t in thumbnails] if thumbnails else None
    )
    data = _parsed(parsing.parse_user_data, user_data) if user_data is not None else None
    out = Output(json_mode=json_mode)

    async def work(client: AsyncEncoderClient) -> tuple[StoredFile, EncodingJob | None]:
        with upload_progress(out, f"uploading {path.name}") as on_progress:
            stored = await client.files.upload(
                path, filename=filename, content_type=content_type, on_progress=on_progress
            )
        if not create:
            return stored, None
        job = await client.jobs.create(
            video_id=stored.id,
            presets=preset_specs,
            thumbnails=thumb_specs,
            webhook_url=webhook_url,
            user_data=data,
        )
        return stored, job

    stored, job = run(_settings(ctx), work)
    if out.json_mode:
        document: dict[str, Any] = {"file": file_json(stored)}
        if job is not None:
            document["job"] = job_json(job)
        out.json(document)
        return
    out.print(Text.assemble("uploaded file ", (stored.id, "bold")))
    out.print(file_details(stored))
    if job is not None:
        out.print(Text.assemble("created job ", (job.id, "bold")))
        out.print(job_details(job))
