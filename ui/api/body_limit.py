"""A cap on request body size, enforced before any route buffers the body.

A declared Content-Length over the limit is refused at once, without reading a byte. A chunked body
(no Content-Length) is counted as it arrives and refused as soon as it passes the limit, so a client
cannot make the server hold more than the limit in memory either way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.core.settings import Settings

log = logging.getLogger(__name__)

LimitFor = Callable[[Scope], int]

# Multipart framing around an uploaded file (boundaries, part headers) on top of the file itself.
MULTIPART_SLACK = 64 * 1024
UPLOAD_PATH = "/api/documents"


def too_large_detail(limit: int) -> str:
    return f"request body too large (limit {limit} bytes)"


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions from body parsing (anything else becomes
    a 400), so the route's exception handlers answer it as an ordinary 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=too_large_detail(limit))


def body_limit_for(settings: Settings) -> LimitFor:
    """Uploads may be as large as POLICYQA_MAX_UPLOAD_BYTES (plus multipart framing); nothing else may
    pass POLICYQA_MAX_BODY_BYTES."""
    upload_limit = settings.max_upload_bytes + MULTIPART_SLACK

    def limit_for(scope: Scope) -> int:
        if scope.get("method") == "POST" and scope.get("path") == UPLOAD_PATH:
            return upload_limit
        return settings.max_body_bytes

    return limit_for


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit)
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Only reached when no exception handler answered it (e.g. a mounted sub-app re-raised).
            if started:
                log.warning("body limit hit after the response started on %s", scope.get("path"))
                return
            await _send_413(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects malformed lengths before we ever see them
    return None


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps({"detail": too_large_detail(limit)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The unread rest of the body would otherwise be parsed as the next request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
