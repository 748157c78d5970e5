"""The upload body: multipart framing, sources, sizes, progress, re-reads, and refusals.

No HTTP here: the body is iterated as httpx would iterate it, and parsed back with
python-multipart (the parser the emulator uses).
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_multipart.multipart import MultipartParser, parse_options_header

from videosdk_async import InvalidRequestError, UploadSourceError
from videosdk_async._constants import UPLOAD_CHUNK_SIZE
from videosdk_async.uploads import MultipartUpload

CHUNK = UPLOAD_CHUNK_SIZE


async def read_all(body: MultipartUpload) -> bytes:
    return b"".join([chunk async for chunk in body])


def parse(body: bytes, content_type: str) -> dict[str, Any]:
    """The parts of a multipart body: {name: {"filename", "type", "data"}}."""
    _, params = parse_options_header(content_type)
    parts: dict[str, Any] = {}
    current: dict[str, Any] = {}
    header = [bytearray(), bytearray()]
    ended: list[bool] = []

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        current[bytes(header[0]).lower().decode()] = bytes(header[1])
        header[0].clear()
        header[1].clear()

    def on_part_begin() -> None:
        current.clear()
        current["data"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current["data"] += data[start:end]

    def on_part_end() -> None:
        _, options = parse_options_header(current["content-disposition"])
        parts[options[b"name"].decode()] = {
            "filename": options[b"filename"].decode(),
            "type": current["content-type"].decode(),
            "data": bytes(current["data"]),
        }

    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_end": lambda: ended.append(True),
        },
    )
    parser.write(body)
    assert ended == [True], "the body must end with its closing boundary"
    return parts


async def stream_of(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


class Unseekable(io.RawIOBase):
    """A pipe-like binary file: read() works, seek() does not."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1, /) -> bytes:
        return self._data.read(size)


# -- what goes on the wire ---------------------------------------------------------------------


async def test_bytes_body_is_one_file_part_with_a_content_length() -> None:
    data = os.urandom(CHUNK * 2 + 17)
    body = MultipartUpload.open(data, filename="clip.mp4")
    raw = await read_all(body)
    headers = body.headers
    assert int(headers["Content-Length"]) == len(raw)
    assert "Transfer-Encoding" not in headers
    part = parse(raw, headers["Content-Type"])["file"]
    assert part == {"filename": "clip.mp4", "type": "video/mp4", "data": data}
    assert (body.sent, body.total) == (len(data), len(data))


async def test_a_path_is_read_in_chunks_and_named_after_the_file(tmp_path: Path) -> None:
    data = os.urandom(CHUNK * 3 + 5)
    source = tmp_path / "talk.webm"
    source.write_bytes(data)
    body = MultipartUpload.open(source)
    chunks = [chunk async for chunk in body]
    assert max(len(c) for c in chunks) <= CHUNK  # one chunk in memory at a time, never the file
    part = parse(b"".join(chunks), body.headers["Content-Type"])["file"]
    assert part == {"filename": "talk.webm", "type": "video/webm", "data": data}
    assert MultipartUpload.open(str(source)).total == len(data)  # a str path too


async def test_a_stream_is_sent_chunked_unless_its_size_is_given() -> None:
    body = MultipartUpload.open(stream_of(b"ab", b"", bytearray(b"cd"), memoryview(b"e")))
    assert body.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in body.headers
    raw = await read_all(body)
    part = parse(raw, body.headers["Content-Type"])["file"]
    assert part == {"filename": "upload", "type": "application/octet-stream", "data": b"abcde"}
    assert (body.sent, body.total) == (5, None)

    sized = MultipartUpload.open(stream_of(b"abc", b"de"), size=5)
    assert "Transfer-Encoding" not in sized.headers
    assert int(sized.headers["Content-Length"]) == len(await read_all(sized))


async def test_file_objects_seekable_from_where_they_stand_and_unseekable(tmp_path: Path) -> None:
    handle = io.BytesIO(b"skip:" + b"payload")
    handle.seek(5)
    body = MultipartUpload.open(handle, filename="a.mp4")
    assert body.total == 7 and body.repeatable
    assert parse(await read_all(body), body.headers["Content-Type"])["file"]["data"] == b"payload"

    source = tmp_path / "disk.mov"
    source.write_bytes(b"x" * (CHUNK + 1))
    with source.open("rb") as disk:
        body = MultipartUpload.open(disk)
        part = parse(await read_all(body), body.headers["Content-Type"])["file"]
    assert (part["filename"], part["type"], len(part["data"])) == (
        "disk.mov",
        "video/quicktime",
        CHUNK + 1,
    )

    pipe = MultipartUpload.open(Unseekable(b"streamed"))
    assert not pipe.repeatable and pipe.total is None
    assert parse(await read_all(pipe), pipe.headers["Content-Type"])["file"]["data"] == b"streamed"


async def test_an_async_file_object_is_read_with_await() -> None:
    class AsyncReader:
        name = "/videos/async.mp4"

        def __init__(self) -> None:
            self._data = io.BytesIO(b"async-bytes")

        async def read(self, size: int = -1) -> bytes:
            return self._data.read(size)

    body = MultipartUpload.open(AsyncReader())
    part = parse(await read_all(body), body.headers["Content-Type"])["file"]
    assert (part["filename"], part["data"]) == ("async.mp4", b"async-bytes")


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ('say "hi".mp4', "say %22hi%22.mp4"),
        ("line\r\nX-Injected: 1.mp4", "line%0D%0AX-Injected: 1.mp4"),
        ("back\\slash.mp4", "back\\\\slash.mp4"),
        ("clé été.mp4", "clé été.mp4"),
    ],
)
async def test_filenames_are_escaped_never_break_the_headers(filename: str, shown: str) -> None:
    body = MultipartUpload.open(b"x", filename=filename)
    raw = await read_all(body)
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert f'filename="{shown}"' in head
    assert head.count("\r\n") == 2  # boundary, disposition, type: nothing injected


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=3 * CHUNK),
    pieces=st.lists(st.integers(min_value=1, max_value=CHUNK), max_size=8),
    filename=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and "\x1b" not in s),
    sized=st.booleans(),
)
async def test_any_stream_round_trips_through_a_multipart_parser(
    data: bytes, pieces: list[int], filename: str, sized: bool
) -> None:
    cuts = [0]
    for piece in pieces:
        cuts.append(min(cuts[-1] + piece, len(data)))
    cuts.append(len(data))
    chunks = [data[a:b] for a, b in itertools.pairwise(cuts)]
    body = MultipartUpload.open(
        stream_of(*chunks), filename=filename, size=len(data) if sized else None
    )
    raw = await read_all(body)
    if sized:
        assert int(body.headers["Content-Length"]) == len(raw)
    part = parse(raw, body.headers["Content-Type"])["file"]
    assert part["data"] == data


# -- progress ----------------------------------------------------------------------------------


async def test_progress_counts_each_chunk_once_handed_on_sync_and_async() -> None:
    seen: list[tuple[int, int | None]] = []
    size = CHUNK * 2 + 10
    body = MultipartUpload.open(b"v" * size, on_progress=lambda s, t: seen.append((s, t)))
    iterator = aiter(body)
    await anext(iterator)  # the part's headers
    assert seen == [(0, size)]
    await anext(iterator)  # the first chunk is being sent: not counted yet
    assert seen == [(0, size)]
    await anext(iterator)  # asked for more: the first chunk went out
    assert seen == [(0, size), (CHUNK, size)]
    async for _ in iterator:
        pass
    assert seen == [(0, size), (CHUNK, size), (2 * CHUNK, size), (size, size)]

    awaited: list[tuple[int, int | None]] = []

    async def on_progress(sent: int, total: int | None) -> None:
        awaited.append((sent, total))

    await read_all(MultipartUpload.open(stream_of(b"ab", b"c"), on_progress=on_progress))
    assert awaited == [(0, None), (2, None), (3, None)]


# -- a second attempt --------------------------------------------------------------------------


async def test_a_repeatable_source_is_sent_whole_again(tmp_path: Path) -> None:
    source = tmp_path / "again.mp4"
    source.write_bytes(os.urandom(CHUNK + 3))
    handle = io.BytesIO(b"head" + b"tail" * 1000)
    handle.seek(4)
    seen: list[tuple[int, int | None]] = []
    for upload in (b"bytes" * 1000, source, handle):
        body = MultipartUpload.open(upload, on_progress=lambda s, t: seen.append((s, t)))
        first = await read_all(body)
        seen.clear()
        assert await read_all(body) == first
        assert seen[0][0] == 0 and seen[-1][0] == body.total  # progress restarts from 0


async def test_a_one_shot_source_refuses_a_second_attempt() -> None:
    body = MultipartUpload.open(stream_of(b"abc"), filename="live.ts")
    await read_all(body)
    with pytest.raises(UploadSourceError) as caught:
        await read_all(body)
    assert "can be read only once" in str(caught.value)
    assert "live.ts" in str(caught.value)
    assert caught.value.bytes_sent == 3
    pipe = MultipartUpload.open(Unseekable(b"abc"))
    await read_all(pipe)
    with pytest.raises(UploadSourceError, match="read only once"):
        await read_all(pipe)


# -- a source that misbehaves while it is sent ---------------------------------------------------


async def test_a_stream_must_yield_bytes_and_what_size_said() -> None:
    async def text() -> AsyncIterator[Any]:
        yield b"ok"
        yield "not bytes"

    with pytest.raises(UploadSourceError, match="yielded str, not bytes") as caught:
        await read_all(MultipartUpload.open(text()))
    assert caught.value.bytes_sent == 2

    with pytest.raises(UploadSourceError, match="more than the 3 bytes") as caught:
        await read_all(MultipartUpload.open(stream_of(b"ab", b"cd"), size=3))
    assert caught.value.bytes_sent == 2  # the excess chunk was never handed on

    with pytest.raises(UploadSourceError, match="ended after 4 of the 10 bytes") as caught:
        await read_all(MultipartUpload.open(stream_of(b"ab", b"cd"), size=10))
    assert caught.value.bytes_sent == 4
    assert "4 of 10 bytes of the file sent" in str(caught.value)


async def test_a_failing_stream_is_reported_with_what_was_sent() -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"12345"
        raise ConnectionResetError("the source went away")

    with pytest.raises(UploadSourceError) as caught:
        await read_all(MultipartUpload.open(broken(), filename="feed.mp4"))
    message = str(caught.value)
    assert "the stream failed: ConnectionResetError: the source went away" in message
    assert "5 of ? bytes" in message
    assert isinstance(caught.value.__cause__, ConnectionResetError)


async def test_a_file_that_shrinks_while_it_is_sent(tmp_path: Path) -> None:
    source = tmp_path / "shrinks.mp4"
    source.write_bytes(b"x" * (CHUNK * 2))
    body = MultipartUpload.open(source)
    iterator = aiter(body)
    await anext(iterator)
    await anext(iterator)
    source.write_bytes(b"x" * 10)  # truncated under our feet
    with pytest.raises(UploadSourceError, match=r"ended after 262,144 of the 524,288 bytes"):
        async for _ in iterator:
            pass


async def test_a_text_mode_read_is_refused_while_sending() -> None:
    class TextReader:
        def read(self, size: int = -1) -> Any:
            return "text"

    with pytest.raises(UploadSourceError, match=r"open the file in binary mode \('rb'\)"):
        await read_all(MultipartUpload.open(TextReader()))


# -- refused before any request ------------------------------------------------------------------


def test_bad_paths_are_refused_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidRequestError, match=r"cannot upload .*missing\.mp4: no such file"):
        MultipartUpload.open(tmp_path / "missing.mp4")
    with pytest.raises(InvalidRequestError, match="it is a directory"):
        MultipartUpload.open(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidRequestError, match="not a regular file"):
        MultipartUpload.open(fifo)
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(InvalidRequestError, match="the file is empty"):
        MultipartUpload.open(empty)
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(b"x")

    def refuse(self: Path, *args: object, **kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # root reads anything: simulate the refusal
    with pytest.raises(InvalidRequestError, match=r"locked\.mp4: Permission denied"):
        MultipartUpload.open(locked)


@pytest.mark.parametrize(
    ("source", "kwargs", "message"),
    [
        (b"", {}, "cannot upload empty bytes"),
        (io.BytesIO(b""), {}, "nothing to upload: the file object is empty or at its end"),
        (io.StringIO("text"), {}, r"text mode: open it in binary mode \('rb'\)"),
        (12, {}, "got int"),
        ([b"a", b"b"], {}, "got list"),
        (b"a".decode, {}, "got builtin_function_or_method"),
        (b"abc", {"size": 4}, "size=4 but the bytes holds 3 bytes"),
        (b"abc", {"size": 0}, "size must be an int >= 1"),
        (b"abc", {"filename": "  "}, "filename must be a non-empty string"),
        (b"abc", {"content_type": "video/mp4\r\nX: 1"}, "content_type must be a media type"),
        (b"abc", {"content_type": "nonsense"}, "content_type must be a media type"),
        (b"abc", {"on_progress": "print"}, "on_progress must be a callable"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(
    source: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message) as caught:
        MultipartUpload.open(source, **kwargs)
    assert "\n" not in str(caught.value)


def test_a_closed_file_and_a_bytes_path_are_refused() -> None:
    handle = io.BytesIO(b"x")
    handle.close()
    with pytest.raises(InvalidRequestError, match="closed"):
        MultipartUpload.open(handle)

    class BytesPath:
        def __fspath__(self) -> bytes:
            return b"/tmp/x.mp4"

    with pytest.raises(InvalidRequestError, match="not bytes"):
        MultipartUpload.open(BytesPath())  # type: ignore[arg-type]


async def test_release_drops_the_bytes_once_done() -> None:
    body = MultipartUpload.open(b"x" * 10)
    await read_all(body)
    body.release()
    with pytest.raises(UploadSourceError, match="released"):
        await read_all(body)
