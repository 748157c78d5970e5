"""``client.files`` and uploads against the emulator over a loopback socket.

Upload → create → wait → read the outputs, end to end; what the storage service received
(size and SHA-256 in the emulator's ledger); one question for many first uploads; failures
that say how much was sent; a token renewal mid-upload; why a job failed.
"""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import pytest
from support import PRESET

from videosdk_async import (
    APIConnectionError,
    APIStatusError,
    AsyncEncoderClient,
    EncodingJob,
    JobFailedError,
    JobStatus,
    StoredFileNotFoundError,
    UploadSourceError,
)
from videosdk_async.emulator import Emulator, serve
from videosdk_async.uploads import UploadSource

pytestmark = pytest.mark.integration

MakeClient = Callable[..., AsyncEncoderClient]
MIB = 1024 * 1024


def uploads(emulator: Emulator) -> list[tuple[int | None, str | None]]:
    """(size, sha256) of every upload the emulator's storage applied, in order."""
    return [(e.size, e.sha256) for e in emulator.ledger.entries if e.op == "upload_file"]


async def test_upload_create_wait_and_read_the_outputs(
    videosdk_emulator: Emulator, make_client: MakeClient, tmp_path: Path
) -> None:
    source = tmp_path / "talk.mp4"
    data = os.urandom(3 * MIB + 11)
    source.write_bytes(data)
    progress: list[tuple[int, int | None]] = []
    async with make_client() as client:
        stored = await client.files.upload(source, on_progress=lambda s, t: progress.append((s, t)))
        assert (stored.size, stored.job_id, stored.type) == (len(data), None, "video")
        assert progress[0] == (0, len(data)) and progress[-1] == (len(data), len(data))
        job = await client.jobs.create(
            video_id=stored.id,
            presets=[PRESET, {"resolutions": ["1080"], "format": "mp4"}],
            thumbnails=[{"timestamp": "00:00:03", "resolutions": ["360"], "formats": ["jpg"]}],
        )
        assert job.video_id == stored.id and job.video_url == stored.file_url

        def on_update(seen: EncodingJob) -> None:
            videosdk_emulator.advance(40)  # queued → processing → completed, no real waiting

        done = await client.jobs.wait(job.id, timeout=30, poll_interval=0.01, on_update=on_update)
        assert done.status is JobStatus.COMPLETED
        outputs = {(f.type, f.meta.format if f.meta else None) for f in done.files}
        assert outputs == {("x-tar", "hls"), ("video", "mp4"), ("image", None)}
        assert len(done.files) == 4  # 360 + 720 HLS, 1080 MP4, one jpg
        assert all(f.job_id == job.id and f.file_url for f in done.files)
        assert done.files[0].file_url.endswith("/index.m3u8")  # type: ignore[union-attr]
    assert uploads(videosdk_emulator) == [(len(data), hashlib.sha256(data).hexdigest())]


async def test_every_kind_of_source_arrives_byte_for_byte(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    data = os.urandom(MIB + 7)

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 100_000):
            yield data[start : start + 100_000]

    async with make_client() as client:
        from_bytes = await client.files.upload(data, filename="a.mp4")
        from_file = await client.files.upload(io.BytesIO(data), filename="b.mp4")
        chunked = await client.files.upload(stream(), filename="c.mp4")
        sized = await client.files.upload(stream(), filename="d.mp4", size=len(data))
    digest = hashlib.sha256(data).hexdigest()
    assert uploads(videosdk_emulator) == [(len(data), digest)] * 4
    assert {f.size for f in (from_bytes, from_file, chunked, sized)} == {len(data)}
    assert [f.file_path.rsplit(".", 1)[1] for f in (from_bytes, chunked)] == ["mp4", "mp4"]  # type: ignore[union-attr]


async def test_fifty_first_uploads_at_once_ask_where_storage_is_once(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    async with make_client() as client:
        async with anyio.create_task_group() as group:
            for n in range(50):
                group.start_soon(client.files.upload, f"clip {n}".encode())
        async with client.with_options(timeout=10) as copy:
            await copy.files.list()
    assert videosdk_emulator.request_count("POST", "/v1/files") == 1
    assert videosdk_emulator.request_count("POST", "/storage/v1/files") == 50
    assert len(videosdk_emulator.files()) == 50


async def test_a_configured_storage_url_is_used_without_asking(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    storage = f"{videosdk_emulator.base_url}/storage/v1/files"
    async with make_client(storage_url=storage) as client:
        await client.files.upload(b"abc")
        assert await client.files.storage_url() == storage
    assert videosdk_emulator.request_count("POST", "/v1/files") == 0


async def test_list_iterate_get_delete_against_storage(
    videosdk_emulator: Emulator, make_client: MakeClient
) -> None:
    async with make_client() as client:
        ids = [(await client.files.upload(f"v{n}".encode())).id for n in range(7)]
        page = await client.files.list(page=2, per_page=3)
        assert [f.id for f in page.data] == ids[3:6] and page.page_info.last_page == 3
        walked = [f.id async for f in client.files.iterate(per_page=2)]
        assert sorted(walked) == sorted(ids)
        # Deleting what the walk yields leaves nothing behind.
        async for stored in client.files.iterate(per_page=2):
            await client.files.delete(stored.id)
        assert (await client.files.list()).data == []
        with pytest.raises(StoredFileNotFoundError) as caught:
            await client.files.get(ids[0])
        assert caught.value.file_id == ids[0]
        assert f"GET /storage/v1/files/{ids[0]}: file {ids[0]} was not found" in str(caught.value)
    assert videosdk_emulator.ledger.total("delete_file") == 7


async def test_jobs_create_from_a_path_uploads_first(
    videosdk_emulator: Emulator, make_client: MakeClient, tmp_path: Path
) -> None:
    source = tmp_path / "intro.mov"
    source.write_bytes(b"m" * 5000)
    async with make_client() as client:
        job = await client.jobs.create(video=source, presets=[PRESET])
    (stored,) = videosdk_emulator.files()
    assert job.video_id == stored["id"] and stored["name"] == "intro.mov"
    assert videosdk_emulator.ledger.total("create_job") == 1


async def test_a_refused_upload_says_how_much_was_sent(tmp_path: Path) -> None:
    emulator = Emulator(max_upload_bytes=MIB)
    source = tmp_path / "huge.mp4"
    source.write_bytes(b"h" * (4 * MIB))

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(16):
            yield b"s" * (MIB // 4)

    try:
        async with serve(emulator) as server:
            client = AsyncEncoderClient(token=emulator.token, base_url=server.base_url)
            async with client:
                with pytest.raises(APIStatusError) as declared:
                    await client.files.upload(source)  # refused from its Content-Length
                with pytest.raises(APIStatusError) as counted:
                    await client.files.upload(stream(), filename="live.mp4")  # chunked
    finally:
        emulator.close()
    # The emulator reads a refused body to its end before it answers: all of it went out.
    for caught, name, total in ((declared, "huge.mp4", "4,194,304"), (counted, "live.mp4", "?")):
        error = caught.value
        assert error.status_code == 413
        assert error.bytes_sent == 4 * MIB
        assert str(error).endswith(f"(upload of '{name}': 4,194,304 of {total} bytes sent)")
    assert emulator.files() == []


async def test_a_connection_dropped_mid_upload_says_how_much_was_sent(
    videosdk_emulator: Emulator, make_client: MakeClient, tmp_path: Path
) -> None:
    source = tmp_path / "dropped.mp4"
    size = 64 * MIB  # far more than loopback's socket buffers hold
    with source.open("wb") as handle:
        handle.truncate(size)  # sparse: nothing to write, nothing held
    videosdk_emulator.add_fault(kind="drop_before", route="POST /storage/v1/files", times=1)
    async with make_client() as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.files.upload(source)
    error = caught.value
    assert error.bytes_sent is not None and 0 <= error.bytes_sent < size
    assert f"{error.bytes_sent:,} of 67,108,864 bytes sent" in str(error)
    assert error.may_have_applied  # a POST whose bytes left: not retried
    assert videosdk_emulator.request_count("POST", "/storage/v1/files") == 1
    assert videosdk_emulator.files() == []


async def test_a_token_renewal_resends_a_path_whole_but_never_a_stream(
    videosdk_emulator: Emulator, make_client: MakeClient, tmp_path: Path
) -> None:
    source = tmp_path / "renewed.mp4"
    data = os.urandom(MIB)
    source.write_bytes(data)
    route = "POST /storage/v1/files"
    videosdk_emulator.add_fault(kind="status", status=401, route=route, times=1)
    async with make_client() as client:  # API key + secret: a 401 renews once
        stored = await client.files.upload(source)
        assert stored.size == len(data)

        async def once() -> AsyncIterator[bytes]:
            yield b"a one-shot stream"

        videosdk_emulator.add_fault(kind="status", status=401, route=route, times=1)
        with pytest.raises(UploadSourceError, match="can be read only once") as caught:
            await client.files.upload(once(), filename="once.ts")
    assert caught.value.bytes_sent == len(b"a one-shot stream")
    assert uploads(videosdk_emulator) == [(len(data), hashlib.sha256(data).hexdigest())]


@pytest.mark.videosdk_emulator(fail_ratio=1.0)
async def test_a_failed_job_says_why(videosdk_emulator: Emulator, make_client: MakeClient) -> None:
    async with make_client() as client:
        job = await client.jobs.create(video=b"broken source", presets=[PRESET])
        videosdk_emulator.advance(40)
        with pytest.raises(JobFailedError) as caught:
            await client.jobs.wait(job.id, timeout=10, poll_interval=0.01, raise_on_failure=True)
        failed = await client.jobs.get(job.id)
    error = caught.value
    assert (error.code, error.reason) == (
        "ENCODING_FAILED",
        "ENCODING_FAILED: Emulated encoding failure",
    )
    assert error.error is not None and error.error.message == "Emulated encoding failure"
    assert str(error) == f"job {job.id} failed: ENCODING_FAILED: Emulated encoding failure"
    assert error.job_id == job.id and error.job.status is JobStatus.FAILED
    assert failed.failure_reason == error.reason


async def test_a_large_upload_holds_one_chunk_not_the_file(
    videosdk_emulator: Emulator, make_client: MakeClient, tmp_path: Path
) -> None:
    size = 64 * MIB
    source = tmp_path / "sparse.bin"
    with source.open("wb") as handle:
        handle.truncate(size)  # sparse: nothing written, nothing cached
    async with make_client() as client:
        await client.files.upload(b"warm-up")
        tracemalloc.start()
        try:
            stored = await client.files.upload(source)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert stored.size == size
    # Client and emulator both live in this process: together they hold a few chunks.
    assert peak < 8 * MIB, f"peak {peak:,} bytes while uploading {size:,}"


def test_uploads_run_under_trio(videosdk_emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "trio.mp4"
    source.write_bytes(b"t" * (MIB + 1))

    async def stream() -> AsyncIterator[bytes]:
        yield b"from a trio stream"

    async def main() -> list[int]:
        sizes: list[int] = []
        async with (
            AsyncEncoderClient(
                token=videosdk_emulator.token, base_url=videosdk_emulator.base_url
            ) as client,
            anyio.create_task_group() as group,
        ):  # concurrent first calls, one ask

            async def upload(item: UploadSource) -> None:
                sizes.append((await client.files.upload(item)).size or 0)

            for item in (source, b"bytes", stream()):
                group.start_soon(upload, item)
        return sorted(sizes)

    assert anyio.run(main, backend="trio") == [5, 18, MIB + 1]
    assert videosdk_emulator.request_count("POST", "/v1/files") == 1


async def test_a_failed_or_cancelled_upload_closes_its_file(
    videosdk_emulator: Emulator,
    make_client: MakeClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "interrupted.mp4"
    with source.open("wb") as handle:
        handle.truncate(64 * MIB)
    opened: list[anyio.AsyncFile[bytes]] = []
    real_open = anyio.open_file

    async def recording_open(*args: object, **kwargs: object) -> anyio.AsyncFile[bytes]:
        handle = await real_open(*args, **kwargs)  # type: ignore[call-overload]
        opened.append(handle)
        return handle  # type: ignore[no-any-return]

    monkeypatch.setattr(anyio, "open_file", recording_open)
    async with make_client() as client:
        # The connection drops while the file is being sent: the failure happens in httpx,
        # outside the reader, which must still be closed by the time the error is raised.
        videosdk_emulator.add_fault(kind="drop_before", route="POST /storage/v1/files", times=1)
        with pytest.raises(APIConnectionError):
            await client.files.upload(source)
        assert len(opened) == 1 and opened[0].wrapped.closed

        with anyio.CancelScope() as scope:

            def cancel_after_a_chunk(sent: int, total: int | None) -> None:
                if sent > 0:
                    scope.cancel()

            await client.files.upload(source, on_progress=cancel_after_a_chunk)
        assert scope.cancelled_caught
        assert len(opened) == 2 and opened[1].wrapped.closed
