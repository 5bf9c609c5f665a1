"""A file sent as ``multipart/form-data``, read from the request as it arrives, never whole in memory.

:func:`incoming_file` reads the body until the first part that carries a filename begins, so the
handler knows the filename; :meth:`IncomingFile.chunks` then yields that part's bytes as the
client sends them. The size cap is checked on ``Content-Length`` before anything is read, and on
the bytes themselves while they stream, so an upload over the cap is refused (413) early.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from renum.errors import InvalidInput, RenumError
from renum.i18n import N_

__all__ = ["IncomingFile", "UploadTooLarge", "incoming_file"]

# Room for the multipart boundaries, part headers and small fields beside the file.
FORM_OVERHEAD = 64 * 1024


class UploadTooLarge(RenumError):
    """The upload is larger than the server accepts."""

    status_code = 413
    code = "upload_too_large"
    default_message = N_("This file is larger than the {limit} MB this server accepts. Upload a shorter video.")


class IncomingFile:
    """The file part of a multipart request, read lazily."""

    def __init__(self, stream: AsyncIterator[bytes], boundary: bytes, max_bytes: int) -> None:
        self.filename: str | None = None
        self.content_type = ""
        self.max_bytes = max_bytes
        self._stream = stream
        self._pending: list[bytes] = []
        self._received = 0
        self._file_bytes = 0
        self._in_file = False
        self._file_done = False
        self._ended = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field_data,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    async def read_headers(self) -> None:
        """Read the body up to the start of the file's bytes, so that ``filename`` is known."""
        while self.filename is None:
            if not await self._feed_next():
                raise InvalidInput(N_("No file was sent. Send the video in a form field named 'file'."))

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive; :class:`UploadTooLarge` past the cap."""
        while True:
            if self._pending:
                data = b"".join(self._pending)
                self._pending.clear()
                yield data
            if self._file_done:
                return
            if not await self._feed_next():
                raise InvalidInput(N_("The upload stopped before the end of the file. Upload it again."))

    async def _feed_next(self) -> bool:
        if self._ended:
            return False
        chunk = await anext(self._stream, None)
        if not chunk:
            self._ended = True
            return False
        self._received += len(chunk)
        if self._received > self.max_bytes + FORM_OVERHEAD:
            raise self.too_large()
        self._parser.write(chunk)
        if self._file_bytes > self.max_bytes:
            raise self.too_large()
        return True

    def too_large(self) -> UploadTooLarge:
        """The error for this upload's cap."""
        return UploadTooLarge(limit=self.max_bytes // (1024 * 1024))

    # -- parser callbacks ---------------------------------------------------------------------

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if self.filename is None and b"filename" in options:
            self.filename = options[b"filename"].decode("utf-8", "replace")
            self.content_type = self._headers.get(b"content-type", b"").decode("latin-1")
            self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(data[start:end])
            self._file_bytes += end - start

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file, self._file_done = False, True


async def incoming_file(request: Any, *, max_bytes: int) -> IncomingFile:
    """The file in ``request``'s multipart body, its headers read and its bytes not yet.

    Raises :class:`InvalidInput` when the body is not multipart or holds no file, and
    :class:`UploadTooLarge` when ``Content-Length`` already says it is over ``max_bytes``.
    """
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise InvalidInput(N_("Send the video as multipart/form-data, in a field named 'file'."))

    upload = IncomingFile(request.stream(), boundary, max_bytes)
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + FORM_OVERHEAD:
        raise upload.too_large()
    await upload.read_headers()
    return upload
