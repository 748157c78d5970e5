"""Reading an upload as it streams in: the ``file`` part is counted and hashed, never kept.

python-multipart's streaming parser is fed chunk by chunk from the request; the bytes
of the ``file`` part go through a SHA-256 and a counter and are dropped, so memory
stays flat whatever the size of the upload. Other parts are skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from .errors import ApiError
from .httpio import media_type
from .state import Upload

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"


class TooLarge(Exception):
    """The body went over the limit."""


def _field_error(message: str) -> ApiError:
    return ApiError(400, message, field=FILE_FIELD)


class _FilePartReader:
    """python-multipart callbacks that hash the ``file`` part and skip the rest."""

    def __init__(self) -> None:
        self.ended = False
        self.found = False
        self.filename: str | None = None
        self.content_type: str | None = None
        self.size = 0
        self._hash = hashlib.sha256()
        self._in_file = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._part_type: bytes | None = None

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._part_type = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        name = bytes(self._header_name).strip().lower()
        if name == b"content-disposition":
            self._disposition = bytes(self._header_value)
        elif name == b"content-type":
            self._part_type = bytes(self._header_value).strip()
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if options.get(b"name") != FILE_FIELD.encode():
            return  # another field: its data is skipped
        if self.found:
            raise _field_error("send one 'file' part per upload, not several")
        if b"filename" not in options:
            raise _field_error("multipart field 'file' must be a file (with a filename)")
        self.found = self._in_file = True
        self.filename = options[b"filename"].decode("utf-8", "replace") or None
        if self._part_type:
            self.content_type = self._part_type.decode("latin-1")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._hash.update(memoryview(data)[start:end])
            self.size += end - start

    def on_part_end(self) -> None:
        self._in_file = False

    def on_end(self) -> None:
        self.ended = True

    def result(self) -> Upload:
        if not self.ended:
            raise ApiError(400, "Invalid multipart body: it ends before its closing boundary")
        if not self.found:
            raise _field_error("multipart field 'file' is required")
        if self.size == 0:
            raise _field_error("the uploaded file is empty")
        return Upload(self.filename, self.content_type, self.size, self._hash.hexdigest())


def _parser(content_type: str | None, reader: _FilePartReader) -> MultipartParser:
    if media_type(content_type) != "multipart/form-data":
        shown = content_type or "none"
        raise ApiError(
            415,
            f"Uploads take multipart/form-data with a '{FILE_FIELD}' field; "
            f"Content-Type is {shown}",
        )
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, "Invalid multipart body: Content-Type has no boundary")
    callbacks: MultipartCallbacks = {
        "on_part_begin": reader.on_part_begin,
        "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end,
        "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value,
        "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished,
        "on_end": reader.on_end,
    }
    try:
        return MultipartParser(boundary, callbacks)
    except FormParserError as exc:
        raise ApiError(400, f"Invalid multipart body: {exc}") from exc


async def read_upload(content_type: str | None, chunks: AsyncIterator[bytes], limit: int) -> Upload:
    """Parse a multipart upload as it arrives and keep only what `Upload` holds.

    Raises a 415 `ApiError` for a body that is not multipart, a 400 one for a
    malformed body, a missing, non-file or empty ``file`` part, and `TooLarge`
    once more than ``limit`` bytes came in.
    """
    reader = _FilePartReader()
    parser = _parser(content_type, reader)
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:
            raise TooLarge
        try:
            parser.write(chunk)
        except FormParserError as exc:
            raise ApiError(400, f"Invalid multipart body: {exc}") from exc
    return reader.result()
