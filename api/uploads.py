"""Reading uploads: only after authentication, never past the size limit, off the event loop.

:class:`BodySizeLimit` counts the bytes of every request body as they arrive, chunked or
not, and stops reading as soon as the total passes the limit. Upload routes declare no
file parameters (FastAPI would read those before any guard ran); they call
:func:`read_upload_form` once the guard has let the caller through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RULE_TOO_LARGE = "file.too_large"


class BodyTooLarge(HTTPException):
    """413: the body passed the limit while it was being read; nothing was stored."""

    def __init__(self, limit_mb: float, what: str = "The upload"):
        super().__init__(
            status_code=413,
            detail=f"{what} is larger than the {limit_mb:g} MB limit; nothing was stored. "
            "Split it, or ask for the limit to be raised.",
        )
        self.limit_mb = limit_mb


class BodySizeLimit:
    """ASGI middleware: refuse a request body once it passes ``limit_bytes``.

    A declared ``Content-Length`` over the limit is refused on the first read, before any
    byte is taken; a chunked body is counted as it arrives. Nothing is read until a route
    (or FastAPI, for a form or JSON body) asks for it, so an upload route's guard answers
    an unauthenticated caller before the body is touched.
    """

    def __init__(self, app: ASGIApp, limit_bytes: int) -> None:
        self.app = app
        self.limit_bytes = limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_bytes
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit / 1048576, "The request")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit / 1048576, "The request")
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


@dataclass(frozen=True)
class ReceivedFile:
    """One uploaded file, read whole (it is within the limit)."""

    data: bytes
    file_name: str


@dataclass(frozen=True)
class UploadForm:
    files: dict[str, ReceivedFile]
    fields: dict[str, str]


async def read_upload_form(
    request: Request,
    *,
    file_fields: tuple[str, ...],
    text_fields: tuple[str, ...] = (),
    limit_mb: float,
) -> UploadForm:
    """Return the upload's files and fields, refusing any file over ``limit_mb``.

    Call it only after the caller has been authenticated and authorised. Spooled parts
    are written to disk off the event loop by Starlette; each file is read back the same way.
    """
    limit = int(limit_mb * 1024 * 1024)
    form = await request.form(
        max_files=len(file_fields), max_fields=len(text_fields) + 2, max_part_size=64 * 1024
    )
    try:
        files: dict[str, ReceivedFile] = {}
        fields: dict[str, str] = {}
        for name in file_fields:
            part: Any = form.get(name)
            if isinstance(part, UploadFile) and (part.filename or part.size):
                if part.size is not None and part.size > limit:
                    raise BodyTooLarge(limit_mb, f"The file {part.filename or name!r}")
                data = await part.read(limit + 1)
                if len(data) > limit:
                    raise BodyTooLarge(limit_mb, f"The file {part.filename or name!r}")
                files[name] = ReceivedFile(data, part.filename or name)
        for name in text_fields:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                fields[name] = value.strip()
        return UploadForm(files, fields)
    finally:
        await form.close()
