"""Response models (lenient in) and request models (strict out)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from videosdk_async import (
    EncodingJob,
    ImageFormat,
    JobCreate,
    JobPage,
    JobStatus,
    PresetSpec,
    Resolution,
    StoredFile,
    ThumbnailFilter,
    ThumbnailSpec,
    VideoFormat,
)

# Verbatim from docs/api.md, "Example: a job as the delete call returns it".
DELETE_PAGE_EXAMPLE = """
{
  "status": "queued",
  "videoId": "6053115ebba24b4d700c8c49",
  "presets": [
    {"resolutions": ["240", "360", "480"], "id": "60531471e32e8e4eaea094ff", "format": "hls"},
    {"resolutions": ["360"], "id": "60531471e32e8e4eaea09500", "format": "mp4"}
  ],
  "webhookUrl": "https://example.com/hooks/encoding",
  "thumbnails": [
    {"resolutions": ["360"], "formats": ["jpg", "webp"], "filters": ["none", "blur"],
     "id": "60531471e32e8e4eaea09501", "timestamp": "00:00:03"}
  ],
  "createdAt": "2021-03-18T08:50:57.438Z",
  "updatedAt": "2021-03-18T08:50:57.438Z",
  "id": "60531471e32e8e4eaea094fe"
}
"""

# Verbatim from docs/api.md, "Example: a completed job's output file".
COMPLETED_FILE_EXAMPLE = """
{
  "meta": {"resolution": {"width": 480, "height": 854}, "format": "hls", "duration": 20.04},
  "jobId": "605311c86efd284e474c5c76",
  "filePath": "files/videos/605311d9bba24b4d700c8c4d",
  "size": 5755392,
  "type": "x-tar",
  "createdAt": "2021-03-18T08:39:53.446Z",
  "updatedAt": "2021-03-18T08:39:53.446Z",
  "fileUrl": "https://cdn.videosdk.live/files/videos/605311d9bba24b4d700c8c4d/index.m3u8",
  "id": "605311d9bba24b4d700c8c4e"
}
"""

CREATED = datetime(2021, 3, 18, 8, 50, 57, 438000, tzinfo=timezone.utc)


def _full_job() -> dict[str, Any]:
    """Every documented job field, including those only some pages show."""
    job = json.loads(DELETE_PAGE_EXAMPLE)
    job.update(
        status="completed",
        videoUrl="https://storage.videosdk.live/files/videos/6053115ebba24b4d700c8c49.mp4",
        userData={"orderId": 42, "tags": ["a", "b"], "nested": {"k": None}},
        user={"id": "u-1", "name": "Ada", "email": "ada@example.com"},
        files=[json.loads(COMPLETED_FILE_EXAMPLE)],
        startedAt="2021-03-18T08:51:00Z",
        finishedAt="2021-03-18T08:52:30.5+00:00",
    )
    return job


# -- response models: every documented field ---------------------------------------------------


def test_delete_page_example_parses_every_field() -> None:
    job = EncodingJob.model_validate_json(DELETE_PAGE_EXAMPLE)

    assert job.id == "60531471e32e8e4eaea094fe"
    assert job.status is JobStatus.QUEUED
    assert job.video_id == "6053115ebba24b4d700c8c49"
    assert job.webhook_url == "https://example.com/hooks/encoding"
    assert job.created_at == CREATED
    assert job.updated_at == CREATED
    assert job.video_url is None and job.user is None and job.user_data is None
    assert job.files == [] and job.started_at is None and job.finished_at is None
    assert job.model_extra == {}

    first, second = job.presets
    assert first.id == "60531471e32e8e4eaea094ff"
    assert first.resolutions == [Resolution.R240, Resolution.R360, Resolution.R480]
    assert first.format is VideoFormat.HLS
    assert second.id == "60531471e32e8e4eaea09500"
    assert second.resolutions == [Resolution.R360]
    assert second.format is VideoFormat.MP4

    (thumb,) = job.thumbnails
    assert thumb.id == "60531471e32e8e4eaea09501"
    assert thumb.timestamp == "00:00:03"
    assert thumb.resolutions == [Resolution.R360]
    assert thumb.formats == [ImageFormat.JPG, ImageFormat.WEBP]
    assert thumb.filters == [ThumbnailFilter.NONE, ThumbnailFilter.BLUR]


def test_completed_file_example_parses_every_field() -> None:
    file = StoredFile.model_validate_json(COMPLETED_FILE_EXAMPLE)

    assert file.id == "605311d9bba24b4d700c8c4e"
    assert file.job_id == "605311c86efd284e474c5c76"
    assert file.file_path == "files/videos/605311d9bba24b4d700c8c4d"
    assert file.file_url == (
        "https://cdn.videosdk.live/files/videos/605311d9bba24b4d700c8c4d/index.m3u8"
    )
    assert file.size == 5755392
    assert file.type == "x-tar"
    assert file.meta is not None
    assert file.meta.format == "hls"
    assert file.meta.duration == pytest.approx(20.04)
    assert file.meta.resolution is not None
    assert (file.meta.resolution.width, file.meta.resolution.height) == (480, 854)
    stamp = datetime(2021, 3, 18, 8, 39, 53, 446000, tzinfo=timezone.utc)
    assert file.created_at == stamp and file.updated_at == stamp


def test_uploaded_source_file_has_null_job_id() -> None:
    file = StoredFile.model_validate({"id": "f1", "jobId": None, "type": "video"})
    assert file.job_id is None
    assert file.meta is None


def test_job_with_every_documented_field() -> None:
    job = EncodingJob.model_validate(_full_job())

    assert job.status is JobStatus.COMPLETED
    assert job.video_url.endswith("6053115ebba24b4d700c8c49.mp4")  # type: ignore[union-attr]
    assert job.user_data == {"orderId": 42, "tags": ["a", "b"], "nested": {"k": None}}
    assert job.user is not None
    assert (job.user.id, job.user.name, job.user.email) == ("u-1", "Ada", "ada@example.com")
    (file,) = job.files
    assert file.file_url.endswith("index.m3u8")  # type: ignore[union-attr]
    assert job.started_at == datetime(2021, 3, 18, 8, 51, tzinfo=timezone.utc)
    assert job.finished_at == datetime(2021, 3, 18, 8, 52, 30, 500000, tzinfo=timezone.utc)


# -- names: snake_case in Python, camelCase on the wire -----------------------------------------


def test_to_dict_gives_the_api_names_and_round_trips() -> None:
    raw = _full_job()
    job = EncodingJob.model_validate(raw)
    dumped = job.to_dict(mode="json")

    for key in ("videoId", "videoUrl", "webhookUrl", "userData", "createdAt", "updatedAt"):
        assert key in dumped
    for key in ("startedAt", "finishedAt"):
        assert key in dumped
    assert "video_id" not in dumped and "created_at" not in dumped
    files = dumped["files"]
    assert isinstance(files, list) and set(files[0]) >= {"jobId", "filePath", "fileUrl"}
    assert EncodingJob.model_validate(dumped) == job
    assert EncodingJob.model_validate_json(job.to_json()) == job
    assert json.loads(job.to_json()) == dumped


def test_model_dump_gives_the_attribute_names_and_round_trips() -> None:
    job = EncodingJob.model_validate(_full_job())
    dumped = job.model_dump()
    for key in ("video_id", "video_url", "webhook_url", "user_data", "created_at", "finished_at"):
        assert key in dumped
    assert "videoId" not in dumped and "createdAt" not in dumped
    assert set(dumped["files"][0]) >= {"job_id", "file_path", "file_url", "created_at"}
    assert dumped["video_id"] == job.video_id
    assert EncodingJob.model_validate(dumped) == job
    assert EncodingJob.model_validate_json(job.model_dump_json()) == job


def test_to_dict_leaves_out_what_the_server_did_not_send() -> None:
    job = EncodingJob.model_validate({"id": "j1", "status": "queued", "videoId": "v1"})
    assert job.to_dict() == {"id": "j1", "status": "queued", "videoId": "v1"}
    assert job.to_dict(use_api_names=False) == {"id": "j1", "status": "queued", "video_id": "v1"}
    full = job.to_dict(exclude_unset=False)
    assert full["presets"] == [] and full["webhookUrl"] is None
    assert json.loads(job.to_json(indent=None, use_api_names=False))["video_id"] == "v1"


def test_snake_case_names_are_accepted_on_input() -> None:
    job = EncodingJob(id="j1", status="queued", video_id="v1", webhook_url="https://h/x")
    assert job.video_id == "v1"
    assert job.to_dict() == {
        "id": "j1",
        "status": "queued",
        "videoId": "v1",
        "webhookUrl": "https://h/x",
    }
    same = EncodingJob.model_validate({"id": "j1", "status": "queued", "videoId": "v1"})
    assert same.video_id == "v1"


# -- datetimes -------------------------------------------------------------------------------


def test_datetimes_are_timezone_aware_utc() -> None:
    job = EncodingJob.model_validate_json(DELETE_PAGE_EXAMPLE)
    assert job.created_at is not None
    assert job.created_at.tzinfo is not None
    assert job.created_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_read_as_utc_not_local() -> None:
    job = EncodingJob.model_validate(
        {"id": "j", "status": "queued", "createdAt": "2021-03-18T08:50:57"}
    )
    assert job.created_at == datetime(2021, 3, 18, 8, 50, 57, tzinfo=timezone.utc)
    assert job.created_at.utcoffset() == timedelta(0)  # type: ignore[union-attr]


def test_explicit_offset_is_kept() -> None:
    job = EncodingJob.model_validate(
        {"id": "j", "status": "queued", "updatedAt": "2021-03-18T10:50:57+02:00"}
    )
    assert job.updated_at is not None
    assert job.updated_at.utcoffset() == timedelta(hours=2)
    assert job.updated_at == datetime(2021, 3, 18, 8, 50, 57, tzinfo=timezone.utc)


# -- lenient in: unknown fields and values -------------------------------------------------------


def test_unknown_fields_are_kept_at_every_level() -> None:
    raw = json.loads(DELETE_PAGE_EXAMPLE)
    raw["priority"] = "high"
    raw["presets"][0]["codec"] = "h265"
    raw["thumbnails"][0]["quality"] = 90
    job = EncodingJob.model_validate(raw)

    assert job.model_extra == {"priority": "high"}
    assert job.presets[0].model_extra == {"codec": "h265"}
    assert job.thumbnails[0].model_extra == {"quality": 90}
    dumped = job.model_dump()
    assert dumped["priority"] == "high"
    assert dumped["presets"][0]["codec"] == "h265"


def test_unknown_status_is_tolerated_with_raw_value() -> None:
    job = EncodingJob.model_validate({"id": "j", "status": "Archived"})
    assert job.status.value == "Archived"
    assert job.status.is_known is False
    assert str(job.status) == "Archived"
    assert job.is_terminal is False
    assert job.is_deletable is False
    assert job.model_dump()["status"] == "Archived"


def test_unknown_format_and_resolution_are_tolerated() -> None:
    raw = {
        "id": "j",
        "status": "queued",
        "presets": [{"id": "p", "resolutions": ["8k", "360"], "format": "webm"}],
        "thumbnails": [{"resolutions": ["144"], "formats": ["avif"], "filters": ["sepia"]}],
    }
    job = EncodingJob.model_validate(raw)
    preset = job.presets[0]
    assert [r.value for r in preset.resolutions] == ["8k", "360"]
    assert [r.is_known for r in preset.resolutions] == [False, True]
    assert preset.format is not None
    assert preset.format.value == "webm" and preset.format.is_known is False
    thumb = job.thumbnails[0]
    assert thumb.resolutions[0].value == "144"
    assert thumb.formats[0].value == "avif" and not thumb.formats[0].is_known
    assert thumb.filters[0].value == "sepia" and not thumb.filters[0].is_known


@pytest.mark.parametrize("raw", ["4K", "4k"])
def test_4k_in_any_case_reads_as_4k(raw: str) -> None:
    job = EncodingJob.model_validate(
        {"id": "j", "status": "queued", "thumbnails": [{"resolutions": [raw]}]}
    )
    value = job.thumbnails[0].resolutions[0]
    assert value is Resolution.R4K
    assert value.value == "4k"
    assert value.is_known


def test_known_status_in_other_case_maps_to_member() -> None:
    assert JobStatus("QUEUED") is JobStatus.QUEUED
    assert EncodingJob.model_validate({"id": "j", "status": "Failed"}).status is JobStatus.FAILED


@pytest.mark.parametrize(
    ("status", "terminal", "deletable"),
    [
        ("queued", False, True),
        ("processing", False, False),
        ("completed", True, False),
        ("failed", True, False),
    ],
)
def test_is_terminal_and_is_deletable(status: str, terminal: bool, deletable: bool) -> None:
    job = EncodingJob.model_validate({"id": "j", "status": status})
    assert job.is_terminal is terminal
    assert job.is_deletable is deletable


@pytest.mark.parametrize(
    "raw",
    [
        {"status": "queued"},  # no id
        {"id": "j"},  # no status
        {"id": "j", "status": "queued", "presets": "hls"},
        {"id": "j", "status": "queued", "createdAt": "yesterday"},
    ],
)
def test_response_missing_required_or_malformed_fields_fails_validation(
    raw: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError):
        EncodingJob.model_validate(raw)


def test_job_page_parses_page_info_and_jobs() -> None:
    raw = {
        "pageInfo": {"currentPage": 2, "perPage": 1, "lastPage": 3},
        "data": [json.loads(DELETE_PAGE_EXAMPLE)],
        "total": 3,
    }
    page = JobPage.model_validate(raw)
    assert (page.page_info.current_page, page.page_info.per_page) == (2, 1)
    assert page.page_info.last_page == 3
    assert [j.id for j in page.data] == ["60531471e32e8e4eaea094fe"]
    assert isinstance(page.data[0], EncodingJob)
    assert page.model_extra == {"total": 3}
    assert page.has_next is True


@pytest.mark.parametrize(
    ("current", "last", "jobs", "has_next"),
    [(1, 3, 1, True), (3, 3, 1, False), (1, 0, 1, False), (1, 5, 0, False), (4, 3, 1, False)],
)
def test_page_has_next(current: int, last: int, jobs: int, has_next: bool) -> None:
    raw = {
        "pageInfo": {"currentPage": current, "perPage": 20, "lastPage": last},
        "data": [{"id": f"j{i}", "status": "queued"} for i in range(jobs)],
    }
    assert JobPage.model_validate(raw).has_next is has_next


def test_locally_built_model_has_no_raw_response() -> None:
    assert EncodingJob(id="j", status="queued").raw_response is None


# -- strict out: request models --------------------------------------------------------------

PRESET = {"resolutions": ["360", "720"], "format": "hls"}


def test_minimal_create_body_omits_every_unset_optional() -> None:
    request = JobCreate(video_id="vid-1", presets=[PRESET], webhook_url=None)
    assert json.loads(request.to_json_bytes()) == {
        "videoId": "vid-1",
        "presets": [{"resolutions": ["360", "720"], "format": "hls"}],
    }
    body = JobCreate(video_id="vid-1", presets=[PRESET]).to_dict(mode="json")
    assert body == {
        "videoId": "vid-1",
        "presets": [{"resolutions": ["360", "720"], "format": "hls"}],
    }


def test_full_create_body_is_camel_case() -> None:
    body = JobCreate(
        video_url="https://example.com/source.mp4",
        presets=[PresetSpec(resolutions=["4K", "1080"], format="MP4")],
        thumbnails=[
            ThumbnailSpec(timestamp="00:01:30", resolutions=["480"], formats=["webp"]),
            {
                "timestamp": "01:00:00",
                "resolutions": ["240"],
                "formats": ["jpg"],
                "filters": ["blur"],
            },
        ],
        webhook_url="https://example.com/hook",
        user_data={"orderId": 7, "note": None},
    ).to_dict(mode="json")
    assert body == {
        "videoUrl": "https://example.com/source.mp4",
        "presets": [{"resolutions": ["4k", "1080"], "format": "mp4"}],
        "thumbnails": [
            {"timestamp": "00:01:30", "resolutions": ["480"], "formats": ["webp"]},
            {
                "timestamp": "01:00:00",
                "resolutions": ["240"],
                "formats": ["jpg"],
                "filters": ["blur"],
            },
        ],
        "webhookUrl": "https://example.com/hook",
        "userData": {"orderId": 7, "note": None},
    }


def test_create_accepts_camel_case_dict() -> None:
    body = JobCreate.model_validate(
        {"videoId": "v", "presets": [PRESET], "webhookUrl": "https://h/x", "userData": {"a": 1}}
    )
    assert (body.video_id, body.webhook_url, body.user_data) == ("v", "https://h/x", {"a": 1})


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"video_id": "v", "presets": []}, "presets"),
        ({"video_id": "v"}, "presets"),
        ({"video_id": "v", "presets": [{"resolutions": [], "format": "hls"}]}, "resolutions"),
        ({"video_id": "v", "presets": [{"resolutions": ["1440"], "format": "hls"}]}, "1440"),
        ({"video_id": "v", "presets": [{"resolutions": ["360"], "format": "mkv"}]}, "mkv"),
        ({"video_id": "v", "presets": [{"resolutions": ["360"]}]}, "format"),
        ({"video_id": "v", "presets": [{"resolutions": ["360", "360"], "format": "hls"}]}, "dup"),
        ({"presets": [PRESET]}, "exactly one of video_id or video_url"),
        (
            {"video_id": "v", "video_url": "https://e.com/a.mp4", "presets": [PRESET]},
            "exactly one of video_id or video_url",
        ),
        ({"video_id": "", "presets": [PRESET]}, "video_id"),
        ({"video_url": "ftp://e.com/a.mp4", "presets": [PRESET]}, "http(s) URL"),
        ({"video_id": "v", "presets": [PRESET], "webhook_url": "hook"}, "http(s) URL"),
        ({"video_id": "v", "presets": [PRESET], "priority": 1}, "priority"),
    ],
)
def test_invalid_create_bodies_are_refused(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        JobCreate.model_validate(fields)
    assert fragment in str(info.value)


THUMB = {"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg"]}


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"timestamp": "3"}, "HH:MM:SS"),
        ({"timestamp": "00:60:00"}, "HH:MM:SS"),
        ({"timestamp": "0:00:03"}, "HH:MM:SS"),
        ({"resolutions": []}, "resolutions"),
        ({"resolutions": ["2160"]}, "2160"),
        ({"formats": ["png"]}, "png"),
        ({"formats": []}, "formats"),
        ({"filters": ["blue"]}, "blue"),
    ],
)
def test_invalid_thumbnails_are_refused(override: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        ThumbnailSpec.model_validate({**THUMB, **override})
    assert fragment in str(info.value)


def test_thumbnail_enums_accept_every_documented_value() -> None:
    spec = ThumbnailSpec.model_validate(
        {
            "timestamp": "23:59:59",
            "resolutions": ["240", "360", "480", "720", "1080", "4K"],
            "formats": ["jpg", "webp"],
            "filters": ["none", "blur"],
        }
    )
    assert [r.value for r in spec.resolutions] == ["240", "360", "480", "720", "1080", "4k"]


TIMESTAMP = re.compile(r"[0-9]{2}:[0-5][0-9]:[0-5][0-9]")


@settings(max_examples=200, deadline=None)
@given(st.from_regex(TIMESTAMP, fullmatch=True))
def test_every_hh_mm_ss_timestamp_is_accepted(timestamp: str) -> None:
    assert ThumbnailSpec.model_validate({**THUMB, "timestamp": timestamp}).timestamp == timestamp


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=12),
        st.from_regex(r"[0-9٠-٩]{1,3}:[0-9]{1,3}:[0-9]{1,3}", fullmatch=True),
    ).filter(lambda s: s == s.strip())
)
def test_timestamp_is_accepted_exactly_when_it_is_ascii_hh_mm_ss(timestamp: str) -> None:
    payload = {**THUMB, "timestamp": timestamp}
    if TIMESTAMP.fullmatch(timestamp):
        assert ThumbnailSpec.model_validate(payload).timestamp == timestamp
    else:
        with pytest.raises(ValidationError, match="HH:MM:SS"):
            ThumbnailSpec.model_validate(payload)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["240", "360", "480", "720", "1080", "4k", "4K"]), min_size=1),
    st.sampled_from(["hls", "mp4", "HLS", "Mp4"]),
)
def test_preset_accepts_any_set_of_documented_resolutions(resolutions: list[str], fmt: str) -> None:
    unique = list(dict.fromkeys(r.lower() for r in resolutions))
    spec = PresetSpec(resolutions=unique, format=fmt)
    assert spec.model_dump(mode="json") == {"resolutions": unique, "format": fmt.lower()}
