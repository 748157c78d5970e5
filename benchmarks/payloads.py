"""Realistic response bodies, shaped like the API's documented examples.

A completed job carries two presets (HLS at 240/360/480 and MP4 at 360), one thumbnail request
(360, jpg and webp), webhook URL, user data, the owner, and six output files: one HLS bundle
per HLS resolution, one MP4 video and two images, each with the metadata the API documents.
"""

from __future__ import annotations

import json
from typing import Any

_STAMP = "2021-03-18T08:50:57.438Z"
_USER = {"id": "5f7b1c2d3e4f5a6b7c8d9e0f", "name": "Ada Lovelace", "email": "ada@example.com"}
_PIXELS = {"240": (426, 240), "360": (640, 360), "480": (854, 480)}


def _oid(prefix: int, index: int) -> str:
    """A 24-hex-digit object id, distinct for each (prefix, index)."""
    return f"{prefix:08x}{index:016x}"


def _file(job_id: str, file_id: str, kind: str, resolution: str, fmt: str) -> dict[str, Any]:
    width, height = _PIXELS[resolution]
    if kind == "x-tar":
        path, url_tail = f"files/videos/{file_id}", f"files/videos/{file_id}/index.m3u8"
    elif kind == "video":
        path = url_tail = f"files/videos/{file_id}.mp4"
    else:
        path = url_tail = f"files/images/{file_id}.{fmt}"
    entry: dict[str, Any] = {
        "id": file_id,
        "jobId": job_id,
        "filePath": path,
        "fileUrl": f"https://cdn.videosdk.live/{url_tail}",
        "size": 5755392 if kind != "image" else 48211,
        "type": kind,
        "createdAt": "2021-03-18T08:52:11.120Z",
        "updatedAt": "2021-03-18T08:52:11.120Z",
    }
    if kind != "image":
        entry["meta"] = {
            "resolution": {"width": width, "height": height},
            "format": "hls" if kind == "x-tar" else "mov,mp4,m4a,3gp,3g2,mj2",
            "duration": 20.04,
        }
    return entry


def completed_job(index: int = 0) -> dict[str, Any]:
    """A completed job with presets, thumbnails, user and six output files."""
    job_id = _oid(0x60531471, index * 16)
    ids = [_oid(0x60531471, index * 16 + k) for k in range(1, 10)]
    return {
        "id": job_id,
        "status": "completed",
        "videoId": _oid(0x6053115E, index),
        "videoUrl": f"https://cdn.videosdk.live/files/videos/{_oid(0x6053115E, index)}.mp4",
        "presets": [
            {"id": ids[0], "resolutions": ["240", "360", "480"], "format": "hls"},
            {"id": ids[1], "resolutions": ["360"], "format": "mp4"},
        ],
        "thumbnails": [
            {
                "id": ids[2],
                "timestamp": "00:00:03",
                "resolutions": ["360"],
                "formats": ["jpg", "webp"],
                "filters": ["none", "blur"],
            }
        ],
        "webhookUrl": "https://example.com/hooks/encoding",
        "userData": {"customer": "acme", "order": 4711 + index},
        "user": _USER,
        "files": [
            _file(job_id, ids[3], "x-tar", "240", "hls"),
            _file(job_id, ids[4], "x-tar", "360", "hls"),
            _file(job_id, ids[5], "x-tar", "480", "hls"),
            _file(job_id, ids[6], "video", "360", "mp4"),
            _file(job_id, ids[7], "image", "360", "jpg"),
            _file(job_id, ids[8], "image", "360", "webp"),
        ],
        "createdAt": _STAMP,
        "updatedAt": "2021-03-18T08:52:11.120Z",
        "startedAt": "2021-03-18T08:51:02.004Z",
        "finishedAt": "2021-03-18T08:52:11.120Z",
    }


def job_page(count: int, *, page: int = 1, last_page: int = 1) -> dict[str, Any]:
    """A listing page of ``count`` distinct completed jobs."""
    return {
        "pageInfo": {"currentPage": page, "perPage": count, "lastPage": last_page},
        "data": [completed_job(i) for i in range(count)],
    }


def as_bytes(body: Any) -> bytes:
    """Compact JSON, as a server sends it."""
    return json.dumps(body, separators=(",", ":")).encode()


CREATE_BODY: dict[str, Any] = {
    "videoUrl": "https://example.com/source.mp4",
    "presets": [
        {"resolutions": ["240", "360", "480"], "format": "hls"},
        {"resolutions": ["360"], "format": "mp4"},
    ],
    "thumbnails": [
        {"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg", "webp"]},
    ],
    "userData": {"customer": "acme"},
}
"""What the emulator is seeded with: the same shape of job, still queued (no webhook URL, so
the emulator's webhook thread stays idle)."""
