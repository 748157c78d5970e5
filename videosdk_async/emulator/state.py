"""Jobs and files in memory, and the job lifecycle on the emulator clock.

Not thread-safe by itself: `EmulatorCore`
holds a lock around every call. Everything is O(1) or O(log n) per operation
except listing, which walks the insertion-ordered dict (oldest first) only up
to the requested page.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from .clock import iso_ms
from .ids import IdFactory
from .validation import JobSpec

JobStatus = Literal["queued", "processing", "completed", "failed"]
JOB_STATUSES: tuple[str, ...] = ("queued", "processing", "completed", "failed")
# Frame size (width, height) per resolution name, landscape 16:9.
FRAME_SIZES: dict[str, tuple[int, int]] = {
    "240": (426, 240),
    "360": (640, 360),
    "480": (854, 480),
    "720": (1280, 720),
    "1080": (1920, 1080),
    "4k": (3840, 2160),
}
_DONE = "done"  # heap target meaning "finish: completed or failed, decided then"


@dataclass(frozen=True)
class Upload:
    """What is kept of an uploaded file: its name, type, size and SHA-256 (never the bytes)."""

    filename: str | None
    content_type: str | None
    size: int
    sha256: str


@dataclass
class StoredFile:
    """An uploaded source file (``sha256`` is ``None`` for files registered from Python)."""

    id: str
    file_path: str
    file_url: str
    size: int
    type: str
    created_ms: int
    name: str | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The file object as the storage API returns it."""
        return {
            "id": self.id,
            "jobId": None,
            "filePath": self.file_path,
            "fileUrl": self.file_url,
            "size": self.size,
            "type": self.type,
            "name": self.name,
            "createdAt": iso_ms(self.created_ms),
            "updatedAt": iso_ms(self.created_ms),
        }


@dataclass
class Job:
    """One encoding job."""

    id: str
    status: JobStatus
    video_id: str | None
    video_url: str
    presets: list[dict[str, Any]]
    thumbnails: list[dict[str, Any]]
    webhook_url: str | None
    user_data: dict[str, Any] | None
    user: dict[str, str]
    created_ms: int
    updated_ms: int
    started_ms: int | None = None
    finished_ms: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    # Bumped when the job is forced, so transitions scheduled before are ignored.
    generation: int = 0

    def to_json(self) -> dict[str, Any]:
        """The job object as the API returns it (camelCase, ISO timestamps)."""
        data: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.video_id is not None:
            data["videoId"] = self.video_id
        data["videoUrl"] = self.video_url
        data["presets"] = [dict(p) for p in self.presets]
        data["thumbnails"] = [dict(t) for t in self.thumbnails]
        if self.webhook_url is not None:
            data["webhookUrl"] = self.webhook_url
        if self.user_data is not None:
            data["userData"] = self.user_data
        data["user"] = dict(self.user)
        data["files"] = [dict(f) for f in self.files]
        data["createdAt"] = iso_ms(self.created_ms)
        data["updatedAt"] = iso_ms(self.updated_ms)
        if self.started_ms is not None:
            data["startedAt"] = iso_ms(self.started_ms)
        if self.finished_ms is not None:
            data["finishedAt"] = iso_ms(self.finished_ms)
        if self.error is not None:
            data["error"] = dict(self.error)
        return data


@dataclass
class Transition:
    """A job changed status: what to tell its webhook."""

    job_id: str
    status: str
    webhook_url: str | None
    payload: dict[str, Any]
    at_ms: int


@dataclass
class Lifecycle:
    """How jobs move on: seconds in each status (``None``: never by itself)."""

    queued_seconds: float | None
    processing_seconds: float | None
    fail_ratio: float
    video_duration: float


class Store:
    """Jobs and uploaded files, plus a heap of scheduled status transitions."""

    def __init__(
        self,
        *,
        ids: IdFactory,
        rng: random.Random,
        lifecycle: Lifecycle,
        user: dict[str, str],
        cdn_base_url: str,
    ) -> None:
        self.ids = ids
        self.rng = rng
        self.lifecycle = lifecycle
        self.user = user
        self.cdn_base_url: str = cdn_base_url.rstrip("/")
        self.jobs: dict[str, Job] = {}
        self.files: dict[str, StoredFile] = {}
        # Every file id ever uploaded (deleted ones too) and its URL: what a videoId may name.
        self.uploaded: dict[str, str] = {}
        # (due_ms, seq, job_id, generation, target); stale entries are skipped when popped.
        self._heap: list[tuple[int, int, str, int, str]] = []
        self._seq = itertools.count()

    # -- files --

    def add_file(
        self, name: str | None, size: int, content_type: str | None, now: int, sha256: str | None
    ) -> StoredFile:
        """Store an uploaded file's metadata and return it."""
        fid = self.ids.new(now)
        ext = ""
        if name and "." in name:
            ext = "." + name.rsplit(".", 1)[1].lower()[:10]
        kind = "image" if (content_type or "").startswith("image/") else "video"
        folder = "images" if kind == "image" else "videos"
        path = f"files/{folder}/{fid}{ext}"
        stored = StoredFile(fid, path, f"{self.cdn_base_url}/{path}", size, kind, now, name, sha256)
        self.files[fid] = stored
        self.uploaded[fid] = stored.file_url
        return stored

    # -- jobs --

    def create_job(self, spec: JobSpec, now: int) -> Job:
        """Create a queued job from a validated spec and schedule its start."""
        job_id = self.ids.new(now)
        presets = [{"id": self.ids.new(now), **p} for p in spec.presets]
        thumbnails = [{"id": self.ids.new(now), **t} for t in spec.thumbnails]
        if spec.video_id is not None:
            fallback = f"{self.cdn_base_url}/files/videos/{spec.video_id}"
            video_url = self.uploaded.get(spec.video_id, fallback)
        else:
            assert spec.video_url is not None
            video_url = spec.video_url
        job = Job(
            id=job_id,
            status="queued",
            video_id=spec.video_id,
            video_url=video_url,
            presets=presets,
            thumbnails=thumbnails,
            webhook_url=spec.webhook_url,
            user_data=spec.user_data,
            user=dict(self.user),
            created_ms=now,
            updated_ms=now,
        )
        self.jobs[job_id] = job
        self._schedule_from(job, now)
        return job

    def catch_up(self, now: int) -> list[Transition]:
        """Apply every scheduled transition due by ``now``, in time order."""
        events: list[Transition] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _, job_id, generation, target = heapq.heappop(heap)
            job = self.jobs.get(job_id)
            if job is None or job.generation != generation:
                continue
            if target == _DONE:
                failed = self.rng.random() < self.lifecycle.fail_ratio
                target = "failed" if failed else "completed"
            events.append(self._apply(job, target, due, schedule=True))
        return events

    def force(self, job: Job, status: JobStatus, now: int, *, hold: bool) -> Transition:
        """Set a job's status now; unless ``hold``, its lifecycle goes on from there."""
        job.generation += 1
        return self._apply(job, status, now, schedule=not hold)

    def _apply(self, job: Job, status: str, now: int, *, schedule: bool) -> Transition:
        job.status = status  # type: ignore[assignment]  # always one of JOB_STATUSES
        job.updated_ms = now
        if status == "queued":
            job.started_ms = job.finished_ms = None
            job.files = []
            job.error = None
        elif status == "processing":
            job.started_ms = now
            job.finished_ms = None
            job.files = []
            job.error = None
        else:
            if job.started_ms is None:
                job.started_ms = now
            job.finished_ms = now
            if status == "completed":
                job.error = None
                job.files = self._outputs(job, now)
            else:
                job.files = []
                job.error = {"code": "ENCODING_FAILED", "message": "Emulated encoding failure"}
        if schedule:
            self._schedule_from(job, now)
        return Transition(job.id, status, job.webhook_url, job.to_json(), now)

    def _schedule_from(self, job: Job, now: int) -> None:
        if job.status == "queued":
            wait, target = self.lifecycle.queued_seconds, "processing"
        elif job.status == "processing":
            wait, target = self.lifecycle.processing_seconds, _DONE
        else:
            return
        if wait is None:
            return
        due = now + round(wait * 1000)
        heapq.heappush(self._heap, (due, next(self._seq), job.id, job.generation, target))

    def _outputs(self, job: Job, now: int) -> list[dict[str, Any]]:
        duration = self.lifecycle.video_duration
        stamp = iso_ms(now)
        outputs: list[dict[str, Any]] = []
        for preset in job.presets:
            for res in preset["resolutions"]:
                fid = self.ids.new(now)
                width, height = FRAME_SIZES[res]
                if preset["format"] == "hls":
                    kind, path = "x-tar", f"files/videos/{fid}"
                    url = f"{self.cdn_base_url}/{path}/index.m3u8"
                else:
                    kind, path = "video", f"files/videos/{fid}.mp4"
                    url = f"{self.cdn_base_url}/{path}"
                # Roughly 0.1 bytes per pixel per second, with some seeded jitter.
                size = int(width * height * duration * 0.1 * self.rng.uniform(0.8, 1.2))
                outputs.append(
                    {
                        "id": fid,
                        "jobId": job.id,
                        "filePath": path,
                        "fileUrl": url,
                        "size": size,
                        "type": kind,
                        "meta": {
                            "resolution": {"width": width, "height": height},
                            "format": preset["format"],
                            "duration": duration,
                        },
                        "createdAt": stamp,
                        "updatedAt": stamp,
                    }
                )
        for thumb in job.thumbnails:
            for res in thumb["resolutions"]:
                for fmt in thumb["formats"]:
                    fid = self.ids.new(now)
                    width, height = FRAME_SIZES[res]
                    path = f"files/images/{fid}.{fmt}"
                    outputs.append(
                        {
                            "id": fid,
                            "jobId": job.id,
                            "filePath": path,
                            "fileUrl": f"{self.cdn_base_url}/{path}",
                            "size": int(width * height * 0.15 * self.rng.uniform(0.8, 1.2)),
                            "type": "image",
                            "createdAt": stamp,
                            "updatedAt": stamp,
                        }
                    )
        return outputs
