"""An upload's body: ``multipart/form-data`` with one ``file`` part, streamed from its source.

Memory holds one chunk at a time, never the file: the body is an async byte stream (the
boundary and part headers, the file's chunks, the closing boundary), sent with a
``Content-Length`` when the size is known and chunked otherwise.

Sources: a path, bytes, a binary file object, or an async iterable of bytes. A path, bytes or
a seekable file can be read again from the start, so a second attempt (a retry after a connect
failure, or the request sent again after a token renewal) sends the whole file again. A
one-shot source (an async iterable, a file that cannot seek) is read once; an attempt that
would need it again fails with `UploadSourceError` instead of sending half a file.
"""

from __future__ import annotations

import inspect
import io
import mimetypes
import os
import re
import secrets
import stat
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import anyio
import anyio.to_thread
import httpx

from ._constants import UPLOAD_CHUNK_SIZE
from ._text import one_line
from .batch import notify
from .errors import InvalidRequestError, UploadSourceError

__all__ = ["BinaryReader", "MultipartUpload", "UploadProgress", "UploadSource"]

FILE_FIELD = "file"
DEFAULT_FILENAME = "upload"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# type/subtype with optional parameters; no control characters (no header injection).
_CONTENT_TYPE = re.compile(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;[ -~]*)?", re.ASCII)
# How a quoted form parameter is escaped (WHATWG HTML's multipart/form-data rule, as httpx and
# browsers do): quotes and control characters percent-encoded, backslashes doubled.
_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}


@runtime_checkable
class BinaryReader(Protocol):
    """A binary file object: ``read(n)`` returns up to ``n`` bytes, ``b""`` at the end."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes."""
        ...


UploadSource = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryReader | AsyncIterable[bytes]
)
"""What ``files.upload`` accepts: a path, bytes, a binary file object, an async iterable of
bytes."""

UploadProgress = Callable[[int, int | None], Awaitable[None] | None]
"""``on_progress(sent_bytes, total_bytes_or_None)``, sync or async."""


class _SourceProblem(Exception):
    """The source failed or misbehaved; the body turns this into an UploadSourceError."""


class _Source(Protocol):
    size: int | None
    repeatable: bool
    what: str  # how messages name it: "file /tmp/a.mp4", "the stream"

    def chunks(self) -> AsyncIterator[bytes]: ...


class _PathSource:
    repeatable = True

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size: int | None = size
        self.what = f"file {path}"

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            handle = await anyio.open_file(self.path, "rb")
        except OSError as exc:
            raise _SourceProblem(f"cannot open {self.path}: {exc.strerror or exc}") from exc
        try:
            left = self.size or 0
            while left > 0:  # never past the size announced: a growing file is cut there
                try:
                    data = await handle.read(min(UPLOAD_CHUNK_SIZE, left))
                except OSError as exc:
                    raise _SourceProblem(f"reading {self.path} failed: {exc}") from exc
                if not data:
                    return  # it shrank: the body reports the shortfall
                left -= len(data)
                yield data
        finally:
            # Closed here and now: a read-only file has nothing to flush, and anyio's aclose
            # (a thread hop) can itself be cancelled before it runs when the upload is.
            handle.wrapped.close()


class _BytesSource:
    repeatable = True
    what = "the bytes"

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self.data: memoryview | None = memoryview(data).cast("B")
        self.size: int | None = self.data.nbytes

    async def chunks(self) -> AsyncIterator[bytes]:
        data = self.data
        if data is None:
            raise _SourceProblem("the upload is over; its bytes were released")
        for start in range(0, data.nbytes, UPLOAD_CHUNK_SIZE):
            yield bytes(data[start : start + UPLOAD_CHUNK_SIZE])


class _FileSource:
    def __init__(self, file: BinaryReader, size: int | None) -> None:
        self.file = file
        self.what = "the file object"
        self.start: int | None = None
        self.size = size
        seekable = getattr(file, "seekable", None)
        if callable(seekable) and seekable():
            start = file.tell()  # type: ignore[attr-defined]
            end = file.seek(0, io.SEEK_END)  # type: ignore[attr-defined]
            file.seek(start)  # type: ignore[attr-defined]
            self.start, self.size = start, end - start
        self.repeatable = self.start is not None
        # In-memory files are read in place; anything else in a worker thread (a disk read
        # must not block the event loop).
        self.threaded = not isinstance(file, io.BytesIO)

    async def chunks(self) -> AsyncIterator[bytes]:
        file = self.file
        if self.start is not None:
            file.seek(self.start)  # type: ignore[attr-defined]
        left = self.size
        while left is None or left > 0:
            want = UPLOAD_CHUNK_SIZE if left is None else min(UPLOAD_CHUNK_SIZE, left)
            data = (
                await anyio.to_thread.run_sync(file.read, want)
                if self.threaded
                else file.read(want)
            )
            if not isinstance(data, bytes | bytearray | memoryview):
                raise _SourceProblem(
                    f"read() returned {type(data).__name__}, not bytes: open the file in "
                    "binary mode ('rb')"
                )
            if not data:
                return
            if left is not None:
                left -= len(data)
            yield bytes(data)


class _StreamSource:
    repeatable = False
    what = "the stream"

    def __init__(self, stream: AsyncIterable[bytes], size: int | None) -> None:
        self.stream = stream
        self.size = size

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise _SourceProblem(f"the stream yielded {type(chunk).__name__}, not bytes")
            if chunk:
                yield bytes(chunk)


async def _read_all(reader: object) -> AsyncIterator[bytes]:
    """An async file object (``await read(n)``) as a stream of chunks."""
    read = reader.read  # type: ignore[attr-defined]
    while data := await read(UPLOAD_CHUNK_SIZE):
        yield data


def _check_size(size: object) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidRequestError(f"size must be an int >= 1 (bytes), got {size!r:.60}")
    return size


def _path_source(raw: str | os.PathLike[str]) -> _PathSource:
    path = Path(os.fspath(raw))
    if not str(path).strip():
        raise InvalidRequestError("the path to upload is empty")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidRequestError(f"cannot upload {path}: no such file") from None
    except OSError as exc:
        raise InvalidRequestError(f"cannot upload {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidRequestError(f"cannot upload {path}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidRequestError(
            f"cannot upload {path}: not a regular file (pass an open file or a stream instead)"
        )
    try:
        path.open("rb").close()  # readable now, before any request is sent
    except OSError as exc:
        raise InvalidRequestError(f"cannot upload {path}: {exc.strerror or exc}") from None
    if info.st_size == 0:
        raise InvalidRequestError(f"cannot upload {path}: the file is empty")
    return _PathSource(path, info.st_size)


def _source(source: object, size: int | None) -> tuple[_Source, str | None]:
    """The source behind ``source`` and its own name, if it has one; refused before any I/O."""
    if isinstance(source, str | os.PathLike):
        if isinstance(os.fspath(source), bytes):
            raise InvalidRequestError("give the path as a str or pathlib.Path, not bytes")
        found: _Source = _path_source(source)
        name: str | None = found.path.name  # type: ignore[attr-defined]
    elif isinstance(source, bytes | bytearray | memoryview):
        found = _BytesSource(source)
        if found.size == 0:
            raise InvalidRequestError("cannot upload empty bytes")
        name = None
    elif isinstance(source, io.TextIOBase):
        raise InvalidRequestError("the file is open in text mode: open it in binary mode ('rb')")
    elif inspect.iscoroutinefunction(getattr(source, "read", None)):  # anyio's, aiofiles'
        found = _StreamSource(_read_all(source), size)
        raw_name = getattr(source, "name", None)
        name = os.path.basename(raw_name) if isinstance(raw_name, str) else None
    elif isinstance(source, BinaryReader):
        if getattr(source, "closed", False):
            raise InvalidRequestError("the file object is closed")
        found = _FileSource(source, size)
        if found.repeatable and found.size == 0:
            raise InvalidRequestError("nothing to upload: the file object is empty or at its end")
        raw_name = getattr(source, "name", None)
        name = os.path.basename(raw_name) if isinstance(raw_name, str) else None
    elif isinstance(source, AsyncIterable):
        found = _StreamSource(source, size)
        name = None
    else:
        raise InvalidRequestError(
            "upload takes a path (str or PathLike), bytes, a binary file object or an async "
            f"iterable of bytes, got {type(source).__name__}"
        )
    if size is not None and found.repeatable and found.size != size:
        raise InvalidRequestError(
            f"size={size:,} but {found.what} holds {found.size:,} bytes (size= is for streams "
            "whose size cannot be known otherwise)"
        )
    return found, name


def _quoted(value: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in value)


def _check_filename(filename: object) -> str | None:
    if filename is None:
        return None
    if not isinstance(filename, str) or not filename.strip():
        raise InvalidRequestError(f"filename must be a non-empty string, got {filename!r:.60}")
    return filename


def _check_content_type(content_type: object) -> str | None:
    if content_type is None:
        return None
    if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type.strip()):
        raise InvalidRequestError(
            f"content_type must be a media type like video/mp4, got {content_type!r:.60}"
        )
    return content_type.strip()


class MultipartUpload(httpx.AsyncByteStream):
    """The body of one upload, iterated once per attempt.

    ``sent`` is how many bytes of the file the current (or last) attempt handed to the
    connection; ``total`` the file's size when known. Build it with `open`, which
    checks everything it can before any request is sent.
    """

    def __init__(
        self,
        source: _Source,
        *,
        filename: str,
        content_type: str,
        on_progress: UploadProgress | None,
    ) -> None:
        self._source = source
        self._on_progress = on_progress
        self.filename: str = filename
        self.content_type: str = content_type
        self.total: int | None = source.size
        self.sent: int = 0
        self.attempts: int = 0
        self.boundary: str = secrets.token_hex(16)
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{FILE_FIELD}"; '
            f'filename="{_quoted(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._reading: AsyncIterator[bytes] | None = None

    @classmethod
    def open(
        cls,
        source: UploadSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        size: int | None = None,
        on_progress: UploadProgress | None = None,
    ) -> MultipartUpload:
        """The body for ``source`` (no I/O but a ``stat`` and an ``open`` of a path).

        Raises `InvalidRequestError` for a missing or unreadable path, an empty file, or
        an argument of the wrong kind.
        """
        if on_progress is not None and not callable(on_progress):
            raise InvalidRequestError("on_progress must be a callable (sent, total)")
        name = _check_filename(filename)
        media = _check_content_type(content_type)
        found, own_name = _source(source, _check_size(size))
        name = name or own_name or DEFAULT_FILENAME
        media = media or mimetypes.guess_type(name)[0] or DEFAULT_CONTENT_TYPE
        return cls(found, filename=name, content_type=media, on_progress=on_progress)

    @property
    def repeatable(self) -> bool:
        """True when a second attempt can send the whole file again (not a one-shot stream)."""
        return self._source.repeatable

    @property
    def headers(self) -> dict[str, str]:
        """``Content-Type`` with the boundary, and ``Content-Length`` (or chunked)."""
        headers = {"Content-Type": f"multipart/form-data; boundary={self.boundary}"}
        if self.total is None:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(self._head) + self.total + len(self._tail))
        return headers

    def progress(self) -> str:
        """``1,048,576 of 5,000,000 bytes`` (or ``… of ? bytes``) of the file sent so far."""
        total = f"{self.total:,}" if self.total is not None else "?"
        return f"{self.sent:,} of {total} bytes"

    def _problem(self, message: str) -> UploadSourceError:
        return UploadSourceError(
            f"upload of {self.filename!r} stopped: {message} ({self.progress()} of the file sent)",
            bytes_sent=self.sent,
        )

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """The whole body, from the start; each chunk counted once it is handed on."""
        self.attempts += 1
        if self.attempts > 1 and not self._source.repeatable:
            raise self._problem(
                f"a second attempt was needed, but {self._source.what} can be read only once; "
                "upload a path, bytes or a seekable file to allow one"
            )
        await self.aclose()  # what an earlier attempt left open
        self.sent = 0
        await notify(self._on_progress, 0, self.total)
        yield self._head
        reading = self._reading = self._source.chunks()
        total = self.total
        while True:
            try:
                chunk = await reading.__anext__()
            except StopAsyncIteration:
                break
            except _SourceProblem as exc:
                raise self._problem(str(exc)) from exc.__cause__
            except Exception as exc:  # the user's stream or file failed: say where we were
                detail = one_line(f"{type(exc).__name__}: {exc}", 200)
                raise self._problem(f"{self._source.what} failed: {detail}") from exc
            if total is not None and self.sent + len(chunk) > total:
                raise self._problem(
                    f"{self._source.what} gave more than the {total:,} bytes expected"
                )
            yield chunk
            # Back here once the connection took the chunk: it is on its way.
            self.sent += len(chunk)
            await notify(self._on_progress, self.sent, total)
        if total is not None and self.sent < total:
            raise self._problem(
                f"{self._source.what} ended after {self.sent:,} of the {total:,} bytes expected"
            )
        yield self._tail

    async def aclose(self) -> None:
        """Close what the last attempt was reading (a file, the user's async generator)."""
        reading, self._reading = self._reading, None
        close = getattr(reading, "aclose", None)
        if close is not None:
            await close()

    def release(self) -> None:
        """Drop the reference to the source once the upload is over (the bytes, the file)."""
        if isinstance(self._source, _BytesSource):
            self._source.data = None
