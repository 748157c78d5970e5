"""Storage: asked for on the API, served at its own location, uploads parsed as they stream."""

from __future__ import annotations

import hashlib
import re
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from videosdk_async.emulator import Emulator, serve

STORAGE = "http://emulator.local/storage/v1/files"
PRESETS = [{"resolutions": ["360"], "format": "hls"}]
HEX24 = re.compile(r"^[0-9a-f]{24}$")
BOUNDARY = "emulator-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, str | None, bytes], close: bool = True) -> bytes:
    """A multipart body from ``(field name, filename or None, content)`` parts."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += (
            (
                f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
                "Content-Type: video/mp4\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return out + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


async def upload_url(api: httpx.AsyncClient) -> str:
    asked = await api.post("/v1/files")
    assert asked.status_code == 200
    return str(asked.json()["url"])


async def test_ask_then_upload_get_list_delete(api: httpx.AsyncClient, emu: Emulator) -> None:
    for kwargs in ({}, {"json": {}}):
        asked = await api.post("/v1/files", **kwargs)  # type: ignore[arg-type]
        assert asked.status_code == 200
        assert asked.json() == {"url": STORAGE}
    content = b"x" * 1234
    uploaded = await api.post(STORAGE, files={"file": ("clip.MP4", content, "video/mp4")})
    assert uploaded.status_code == 200, uploaded.text
    file = uploaded.json()
    assert HEX24.match(file["id"])
    assert file["jobId"] is None
    assert (file["size"], file["type"], file["name"]) == (1234, "video", "clip.MP4")
    assert file["filePath"] == f"files/videos/{file['id']}.mp4"
    assert file["fileUrl"] == f"https://cdn.videosdk.live/files/videos/{file['id']}.mp4"
    assert file["updatedAt"] == file["createdAt"]
    assert "sha256" not in file  # the API's file object, nothing more

    got = await api.get(f"{STORAGE}/{file['id']}")
    assert got.json() == file
    listed = (await api.get(STORAGE)).json()
    assert listed == {"pageInfo": {"currentPage": 1, "perPage": 20, "lastPage": 1}, "data": [file]}
    job = await api.post("/v1/encoder/jobs", json={"videoId": file["id"], "presets": PRESETS})
    assert job.status_code == 200
    assert (job.json()["videoId"], job.json()["videoUrl"]) == (file["id"], file["fileUrl"])

    deleted = await api.delete(f"{STORAGE}/{file['id']}")
    assert (deleted.status_code, deleted.json()) == (200, file)
    missing = await api.get(f"{STORAGE}/{file['id']}")
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": f"File {file['id']} not found"},
    )
    assert (await api.delete(f"{STORAGE}/{file['id']}")).status_code == 404

    assert emu.ledger.counts(file["id"]).creates == 1
    assert emu.ledger.counts(file["id"]).deletes == 1
    (upload,) = [e for e in emu.ledger.entries if e.op == "upload_file"]
    assert (upload.size, upload.sha256) == (1234, hashlib.sha256(content).hexdigest())
    assert emu.store.files == {}
    assert emu.ledger.uploaded_bytes() == 1234


async def test_storage_paging_like_jobs(api: httpx.AsyncClient) -> None:
    ids = []
    for n in range(5):
        response = await api.post(STORAGE, files={"file": (f"{n}.mp4", b"v" * (n + 1))})
        ids.append(response.json()["id"])
    page = (await api.get(STORAGE, params={"page": 2, "perPage": 2})).json()
    assert page["pageInfo"] == {"currentPage": 2, "perPage": 2, "lastPage": 3}
    assert [f["id"] for f in page["data"]] == ids[2:4]
    assert (await api.get(STORAGE, params={"perPage": 101})).status_code == 400


async def test_a_client_that_ignores_the_url_fails(api: httpx.AsyncClient, emu: Emulator) -> None:
    upload = await api.post("/v1/files", files={"file": ("a.mp4", b"x", "video/mp4")})
    assert upload.status_code == 415
    assert STORAGE in upload.json()["message"]
    listing = await api.get("/v1/files")
    assert listing.status_code == 405
    assert "/storage/v1/files" in listing.json()["message"]
    for method in ("GET", "DELETE"):
        one = await api.request(method, "/v1/files/0123456789abcdef01234567")
        assert one.status_code == 404
        assert "/storage/v1/files" in one.json()["message"]
    assert emu.files() == [] and emu.ledger.total() == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status", "fragment"),
    [
        (multipart(("other", "a.mp4", b"x")), MULTIPART, 400, "'file' is required"),
        (multipart(("file", None, b"text")), MULTIPART, 400, "must be a file"),
        (multipart(("file", "a.mp4", b"")), MULTIPART, 400, "empty"),
        (multipart(("file", "a", b"1"), ("file", "b", b"2")), MULTIPART, 400, "one 'file'"),
        (multipart(("file", "a.mp4", b"x" * 10), close=False), MULTIPART, 400, "closing boundary"),
        (b"garbage", MULTIPART, 400, "Invalid multipart body"),
        (b"garbage", "multipart/form-data", 400, "boundary"),
        (b"raw", "video/mp4", 415, "multipart/form-data"),
        (b'{"a": 1}', "application/json", 415, "multipart/form-data"),
        (b"raw", None, 415, "multipart/form-data"),
    ],
)
async def test_upload_refusals(
    api: httpx.AsyncClient,
    emu: Emulator,
    content: bytes,
    content_type: str | None,
    status: int,
    fragment: str,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await api.post(STORAGE, content=content, headers=headers)
    assert response.status_code == status, response.text
    body = response.json()
    assert fragment in body["message"] and "\n" not in body["message"]
    if status == 400 and "multipart" not in fragment and "boundary" not in fragment:
        assert body["field"] == "file"
    assert emu.files() == []
    assert emu.ledger.total() == 0


async def test_upload_limit_declared_and_streamed() -> None:
    with Emulator(max_upload_bytes=1000) as small:
        async with small.client() as api:
            ok = await api.post(STORAGE, files={"file": ("a.mp4", b"x" * 500, "video/mp4")})
            assert ok.status_code == 200
            big = await api.post(STORAGE, files={"file": ("a.mp4", b"x" * 5000, "video/mp4")})
            assert (big.status_code, big.json()["limit"]) == (413, 1000)

            async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
                body = multipart(("file", "a.mp4", b"y" * 5000))
                for i in range(0, len(body), 700):
                    yield body[i : i + 700]

            streamed = await api.post(
                STORAGE, content=chunks(), headers={"content-type": MULTIPART}
            )
            assert streamed.status_code == 413
        assert len(small.files()) == 1
        assert small.ledger.uploaded_bytes() == 500


async def test_upload_is_counted_and_hashed_not_kept() -> None:
    """32 MiB streamed through the parser: memory stays far below the upload's size."""
    size, piece = 32 * 1024 * 1024, b"\x5a" * 65536
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n'
    )
    tail = f"\r\n--{BOUNDARY}--\r\n"

    async def body() -> AsyncIterator[bytes]:
        yield head.encode()
        for _ in range(size // len(piece)):
            yield piece
        yield tail.encode()

    expected = hashlib.sha256()
    for _ in range(size // len(piece)):
        expected.update(piece)
    with Emulator(max_upload_bytes=64 * 1024 * 1024) as emulator:
        async with emulator.client() as api:
            await api.get(STORAGE)  # build the app and warm up before measuring
            tracemalloc.start()
            try:
                response = await api.post(
                    STORAGE, content=body(), headers={"content-type": MULTIPART}
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert response.status_code == 200, response.text
        assert response.json()["size"] == size
        assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while uploading {size}"
        (entry,) = emulator.ledger.entries
        assert (entry.size, entry.sha256) == (size, expected.hexdigest())


async def test_public_base_url_for_upload() -> None:
    with Emulator(public_base_url="http://files.local:1234/") as emulator:
        async with emulator.client() as api:
            asked = await api.post("/v1/files")
            assert asked.json() == {"url": "http://files.local:1234/storage/v1/files"}


async def test_storage_needs_auth(emu: Emulator) -> None:
    async with emu.client(token="wrong") as anon:
        response = await anon.post(STORAGE, files={"file": ("a.mp4", b"x")})
        assert response.status_code == 401
    assert emu.files() == []


# -- which videoId a job may name --


async def test_any_video_id_until_the_first_upload(api: httpx.AsyncClient, emu: Emulator) -> None:
    arbitrary = "0123456789abcdef01234567"
    early = await api.post("/v1/encoder/jobs", json={"videoId": arbitrary, "presets": PRESETS})
    assert early.status_code == 200
    assert early.json()["videoUrl"].endswith(f"/files/videos/{arbitrary}")

    file = (await api.post(STORAGE, files={"file": ("a.mp4", b"data")})).json()
    refused = await api.post("/v1/encoder/jobs", json={"videoId": arbitrary, "presets": PRESETS})
    assert refused.status_code == 400
    assert refused.json()["field"] == "videoId"
    assert arbitrary in refused.json()["message"]

    await api.delete(f"{STORAGE}/{file['id']}")  # once uploaded, an id stays usable
    again = await api.post("/v1/encoder/jobs", json={"videoId": file["id"], "presets": PRESETS})
    assert again.status_code == 200 and again.json()["videoUrl"] == file["fileUrl"]
    by_url = {"videoUrl": "https://example.com/elsewhere.mp4", "presets": PRESETS}
    assert (await api.post("/v1/encoder/jobs", json=by_url)).status_code == 200
    assert emu.ledger.total("create_job") == 3


def test_python_uploads_count_and_reset_forgets(emu: Emulator) -> None:
    emu.upload_file("seed.mp4")
    with pytest.raises(Exception, match="never uploaded"):
        emu.create_job({"videoId": "f" * 24, "presets": PRESETS})
    emu.reset()
    assert emu.create_job({"videoId": "f" * 24, "presets": PRESETS})["videoId"] == "f" * 24


# -- the ledger ties uploads to requests --


async def test_ledger_counts_stay_consistent(api: httpx.AsyncClient, emu: Emulator) -> None:
    sizes = [3, 5, 7]
    files = []
    for n, size in enumerate(sizes):
        headers = {"Idempotency-Key": f"up-{n}"}
        response = await api.post(STORAGE, files={"file": ("a", b"z" * size)}, headers=headers)
        files.append(response.json())
    await api.delete(f"{STORAGE}/{files[0]['id']}")
    ledger = emu.ledger
    assert ledger.total("upload_file") == 3 and ledger.total("delete_file") == 1
    assert ledger.uploaded_bytes() == sum(sizes)
    assert ledger.duplicates() == {}
    assert [ledger.creates(f["id"]) for f in files] == [1, 1, 1]
    assert [ledger.deletes(f["id"]) for f in files] == [1, 0, 0]
    log = (await api.get("/_emulator/ledger")).json()["log"]
    first = log[0]
    assert first["op"] == "upload_file" and first["size"] == 3
    assert first["sha256"] == hashlib.sha256(b"zzz").hexdigest()
    assert first["idempotencyKey"] == "up-0"
    requests = {r.seq: r for r in emu.requests()}
    assert requests[first["request"]].ledger_seq == first["seq"]
    assert requests[first["request"]].idempotency_key == "up-0"
    assert "fault" not in first


async def test_upload_over_a_real_socket_follows_the_returned_url(emu: Emulator) -> None:
    async with (
        serve(emu) as server,
        httpx.AsyncClient(base_url=server.base_url, headers={"Authorization": emu.token}) as c,
    ):
        url = (await c.post("/v1/files")).json()["url"]
        assert url == f"{server.base_url}/storage/v1/files"
        content: Any = b"\x00\x01" * 50_000
        uploaded = await c.post(url, files={"file": ("talk.mp4", content, "video/mp4")})
        assert uploaded.status_code == 200
        assert uploaded.json()["size"] == len(content)
        assert (await c.post("/v1/files", files={"file": ("a", b"x")})).status_code == 415
    assert emu.ledger.uploaded_bytes() == len(content)
