"""Every API endpoint in process: exact shapes, status codes, validation, paging, bad input."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from videosdk_async.emulator import Emulator

HEX24 = re.compile(r"^[0-9a-f]{24}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
PRESETS = [{"resolutions": ["240", "360", "480"], "format": "hls"}]


def job_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"videoUrl": "https://example.com/source.mp4", "presets": PRESETS}
    body.update(extra)
    return body


async def create(api: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    response = await api.post("/v1/encoder/jobs", json=job_body(**extra))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_job_shape(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = await create(
        api,
        thumbnails=[
            {
                "timestamp": "00:00:03",
                "resolutions": ["4K"],
                "formats": ["jpg", "webp"],
                "filters": ["none", "blur"],
            }
        ],
        webhookUrl="http://127.0.0.1:9/hook",
        userData={"k": [1, 2]},
    )
    assert HEX24.match(job["id"])
    assert job["status"] == "queued"
    assert job["videoUrl"] == "https://example.com/source.mp4"
    assert "videoId" not in job
    assert [p["resolutions"] for p in job["presets"]] == [["240", "360", "480"]]
    assert job["presets"][0]["format"] == "hls"
    assert HEX24.match(job["presets"][0]["id"])
    thumb = job["thumbnails"][0]
    assert HEX24.match(thumb["id"])
    assert thumb["resolutions"] == ["4k"]  # accepted in any case, stored lowercased
    assert thumb["formats"] == ["jpg", "webp"]
    assert thumb["filters"] == ["none", "blur"]
    assert thumb["timestamp"] == "00:00:03"
    assert job["webhookUrl"] == "http://127.0.0.1:9/hook"
    assert job["userData"] == {"k": [1, 2]}
    assert job["user"] == {
        "id": emu.config.user_id,
        "name": emu.config.user_name,
        "email": emu.config.user_email,
    }
    assert job["files"] == []
    assert job["createdAt"] == job["updatedAt"] == "2021-03-18T08:50:57.438Z"
    assert ISO.match(job["createdAt"])
    assert "startedAt" not in job and "finishedAt" not in job
    ids = {job["id"], job["presets"][0]["id"], thumb["id"]}
    assert len(ids) == 3


async def test_get_and_delete_job(api: httpx.AsyncClient, emu: Emulator) -> None:
    job = await create(api)
    got = await api.get(f"/v1/encoder/jobs/{job['id']}")
    assert got.status_code == 200
    assert got.json() == job
    deleted = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == job
    again = await api.get(f"/v1/encoder/jobs/{job['id']}")
    assert again.status_code == 404
    assert again.json() == {"message": f"Job {job['id']} not found"}
    gone = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    assert gone.status_code == 404
    assert gone.json() == {"message": f"Job {job['id']} not found"}
    assert emu.ledger.creates(job["id"]) == 1
    assert emu.ledger.deletes(job["id"]) == 1


@pytest.mark.parametrize("status", ["processing", "completed", "failed"])
async def test_delete_refused_unless_queued(
    api: httpx.AsyncClient, emu: Emulator, status: str
) -> None:
    job = await create(api)
    emu.force_status(job["id"], status)
    response = await api.delete(f"/v1/encoder/jobs/{job['id']}")
    assert response.status_code == 409
    assert response.json() == {
        "message": f"Only queued jobs can be deleted; job {job['id']} is {status}",
        "status": status,
    }
    assert emu.ledger.deletes(job["id"]) == 0
    assert emu.get_job(job["id"]) is not None


async def test_unknown_id_404(api: httpx.AsyncClient) -> None:
    for path in ("/v1/encoder/jobs/000000000000000000000000", "/v1/encoder/jobs/not-an-id"):
        response = await api.get(path)
        assert response.status_code == 404
        assert response.json()["message"].startswith("Job ")


async def test_pagination(api: httpx.AsyncClient) -> None:
    ids = [(await create(api))["id"] for _ in range(45)]
    assert ids == sorted(ids)  # ids grow with creation order
    first = (await api.get("/v1/encoder/jobs")).json()
    assert first["pageInfo"] == {"currentPage": 1, "perPage": 20, "lastPage": 3}
    assert [j["id"] for j in first["data"]] == ids[:20]
    third = (await api.get("/v1/encoder/jobs", params={"page": 3, "perPage": 20})).json()
    assert third["pageInfo"] == {"currentPage": 3, "perPage": 20, "lastPage": 3}
    assert [j["id"] for j in third["data"]] == ids[40:]
    beyond = (await api.get("/v1/encoder/jobs", params={"page": 9})).json()
    assert beyond == {"pageInfo": {"currentPage": 9, "perPage": 20, "lastPage": 3}, "data": []}
    exact = (await api.get("/v1/encoder/jobs", params={"perPage": 15})).json()
    assert exact["pageInfo"]["lastPage"] == 3
    big = (await api.get("/v1/encoder/jobs", params={"perPage": 100})).json()
    assert big["pageInfo"]["lastPage"] == 1
    assert len(big["data"]) == 45
    # new jobs append at the end
    newest = await create(api)
    last = (await api.get("/v1/encoder/jobs", params={"page": 3})).json()
    assert last["data"][-1]["id"] == newest["id"]


async def test_pagination_empty_and_user_filter(api: httpx.AsyncClient, emu: Emulator) -> None:
    empty = (await api.get("/v1/encoder/jobs")).json()
    assert empty == {"pageInfo": {"currentPage": 1, "perPage": 20, "lastPage": 1}, "data": []}
    job = await create(api)
    mine = await api.get("/v1/encoder/jobs", params={"userId": emu.config.user_id})
    assert [j["id"] for j in mine.json()["data"]] == [job["id"]]
    other = await api.get("/v1/encoder/jobs", params={"userId": "0" * 24})
    assert other.json()["data"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"perPage": "0"}, "perPage"),
        ({"perPage": "101"}, "perPage"),
        ({"perPage": ""}, "perPage"),
    ],
)
async def test_pagination_bad_params(
    api: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    for path in ("/v1/encoder/jobs", "/storage/v1/files"):
        response = await api.get(path, params=params)
        assert response.status_code == 400
        assert response.json()["field"] == field
        assert response.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"presets": PRESETS}, "videoId"),
        ({"videoId": "x", "videoUrl": "https://e.com/v.mp4", "presets": PRESETS}, "videoUrl"),
        ({"videoId": "0" * 24, "presets": PRESETS}, "videoId"),
        ({"videoId": 5, "presets": PRESETS}, "videoId"),
        ({"videoUrl": "ftp://e.com/v.mp4", "presets": PRESETS}, "videoUrl"),
        ({"videoUrl": "https://e.com/v.mp4"}, "presets"),
        ({"videoUrl": "https://e.com/v.mp4", "presets": []}, "presets"),
        ({"videoUrl": "https://e.com/v.mp4", "presets": {}}, "presets"),
        ({"videoUrl": "https://e.com/v.mp4", "presets": ["hls"]}, "presets[0]"),
        (
            {"videoUrl": "https://e.com/v.mp4", "presets": [{"resolutions": [], "format": "hls"}]},
            "presets[0].resolutions",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": [PRESETS[0], {"resolutions": ["240", "999"], "format": "hls"}],
            },
            "presets[1].resolutions[1]",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": [{"resolutions": [240], "format": "hls"}],
            },
            "presets[0].resolutions[0]",
        ),
        (
            {"videoUrl": "https://e.com/v.mp4", "presets": [{"resolutions": ["240"]}]},
            "presets[0].format",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": [{"resolutions": ["240"], "format": "avi"}],
            },
            "presets[0].format",
        ),
        (
            {"videoUrl": "https://e.com/v.mp4", "presets": PRESETS, "thumbnails": {}},
            "thumbnails",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": PRESETS,
                "thumbnails": [{"timestamp": "3s", "resolutions": ["240"], "formats": ["jpg"]}],
            },
            "thumbnails[0].timestamp",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": PRESETS,
                "thumbnails": [
                    {"timestamp": "00:00:03", "resolutions": ["240"], "formats": ["gif"]}
                ],
            },
            "thumbnails[0].formats[0]",
        ),
        (
            {
                "videoUrl": "https://e.com/v.mp4",
                "presets": PRESETS,
                "thumbnails": [
                    {
                        "timestamp": "00:00:03",
                        "resolutions": ["240"],
                        "formats": ["jpg"],
                        "filters": ["blue"],
                    }
                ],
            },
            "thumbnails[0].filters[0]",
        ),
        (
            {"videoUrl": "https://e.com/v.mp4", "presets": PRESETS, "webhookUrl": 3},
            "webhookUrl",
        ),
        (
            {"videoUrl": "https://e.com/v.mp4", "presets": PRESETS, "userData": [1]},
            "userData",
        ),
    ],
)
async def test_validation_names_field(
    api: httpx.AsyncClient, emu: Emulator, body: dict[str, Any], field: str
) -> None:
    emu.upload_file()  # once a file was uploaded, a videoId must name an upload
    response = await api.post("/v1/encoder/jobs", json=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["field"] == field
    assert isinstance(payload["message"], str) and payload["message"]
    assert emu.jobs() == []
    assert emu.ledger.total() == 0


async def test_bad_bodies(api: httpx.AsyncClient, emu: Emulator) -> None:
    invalid = await api.post(
        "/v1/encoder/jobs", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert invalid.status_code == 400
    assert invalid.json()["message"].startswith("Invalid JSON body")
    for raw in (b"[1, 2]", b'"text"', b"null", b"", b"\xff\xfe"):
        response = await api.post(
            "/v1/encoder/jobs", content=raw, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, raw
        assert "message" in response.json()
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await api.post(
        "/v1/encoder/jobs", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code in (400, 413)
    wrong_type = await api.post(
        "/v1/encoder/jobs", content=b"a=b", headers={"content-type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    assert "message" in wrong_type.json()
    huge = b'{"x": "' + b"a" * (emu.config.max_json_bytes + 10) + b'"}'
    too_big = await api.post(
        "/v1/encoder/jobs", content=huge, headers={"content-type": "application/json"}
    )
    assert too_big.status_code == 413
    assert "message" in too_big.json()

    async def chunks() -> Any:  # no Content-Length: the limit still holds while streaming
        for _ in range(20):
            yield b"a" * 100_000

    streamed = await api.post(
        "/v1/encoder/jobs", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert emu.ledger.total() == 0


async def test_unknown_route_and_method(api: httpx.AsyncClient) -> None:
    missing = await api.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Route GET /v1/nothing not found"}
    slash = await api.get("/v1/encoder/jobs/")
    assert slash.status_code == 404
    wrong = await api.put("/v1/encoder/jobs")
    assert wrong.status_code == 405
    assert wrong.json() == {"message": "Method PUT not allowed for /v1/encoder/jobs"}
    assert set(wrong.headers["allow"].split(", ")) >= {"GET", "POST"}
    head = await api.head("/v1/encoder/jobs")
    assert head.status_code == 200


async def test_python_seeding_not_in_ledger(api: httpx.AsyncClient, emu: Emulator) -> None:
    file = emu.upload_file("a.mov", 10)
    job = emu.create_job({"videoId": file["id"], "presets": PRESETS})
    assert (await api.get(f"/v1/encoder/jobs/{job['id']}")).json()["videoId"] == file["id"]
    assert emu.ledger.total() == 0


async def test_request_metrics(api: httpx.AsyncClient, emu: Emulator) -> None:
    for page in (1, 2, 3, 3):
        await api.get("/v1/encoder/jobs", params={"page": page})
    await api.get("/v1/encoder/jobs/abc")
    counts = emu.request_counts()
    assert counts["GET /v1/encoder/jobs"] == 4
    assert counts["GET /v1/encoder/jobs/{jobId}"] == 1
    assert emu.request_count("GET", "/v1/encoder/jobs", params={"page": 3}) == 2
    assert emu.request_count("GET", "/v1/encoder/jobs", params={"page": 1}) == 1
    assert emu.request_count(route="/v1/encoder/jobs/{jobId}") == 1
    log = emu.requests()
    assert [r.status for r in log] == [200, 200, 200, 200, 404]
    assert log[0].query == "page=1"
    admin = (await api.get("/_emulator/requests")).json()
    assert admin["counts"] == counts
    assert len(admin["log"]) == 5  # admin requests are not API requests


async def test_request_log_is_bounded() -> None:
    with Emulator(request_log_size=3) as emulator:
        async with emulator.client() as api:
            for _ in range(5):
                await api.get("/storage/v1/files")
        assert len(emulator.requests()) == 3
        assert emulator.request_counts()["GET /storage/v1/files"] == 5
