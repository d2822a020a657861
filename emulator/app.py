"""Builds the ASGI app: path normalising, the journal, ``/_emulator`` and one mount per provider."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admin.routes import build_admin_app
from .core.journal import BODY_LIMIT
from .emulator import iso
from .providers import PROVIDERS
from .providers.base import DropConnection

if TYPE_CHECKING:
    from .emulator import Emulator

__all__ = ["build_app"]

_SLASHES = re.compile(r"/{2,}")


class NormalizePath:
    """Collapse ``//`` and drop a trailing ``/`` before routing.

    SDKs don't follow redirects on POST, so ``//restapi/...`` (a base URL
    ending in ``/``) and ``/api/services/sendbulk/`` must route directly.
    A bare mount prefix (``/v2``) becomes ``/v2/`` so the provider itself
    answers it, in its own error shape.
    """

    def __init__(self, app: ASGIApp, mounts: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.mounts = mounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = _SLASHES.sub("/", scope["path"])
            if len(path) > 1 and path.endswith("/"):
                path = path.rstrip("/") or "/"
            if path in self.mounts:
                path += "/"
            if path != scope["path"]:
                scope = dict(scope, path=path)
        await self.app(scope, receive, send)


class DropOnRequest:
    """Turns ``DropConnection`` into an aborted socket on a live server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except DropConnection:
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is None:
                raise  # in-process: surfaces as httpx.RemoteProtocolError
            transport.abort()
            await asyncio.sleep(0)  # let the server see the disconnect before we return


class SilenceDropped:
    """Swallows what is sent while a ``DropConnection`` is being handled.

    Starlette's error middleware answers any exception (``DropConnection``
    included) with the app's 500 handler before re-raising it; a dropped
    connection must send nothing at all.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_unless_dropping(message: Message) -> None:
            if not isinstance(sys.exc_info()[1], DropConnection):
                await send(message)

        await self.app(scope, receive, send_unless_dropping)


def _provider_for(path: str) -> str | None:
    for provider in PROVIDERS:
        if path == provider.mount or path.startswith(provider.mount + "/"):
            return provider.name
    return None


class RecordRequests:
    """Writes each provider request and its response to the journal."""

    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/_emulator" or path.startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body = bytearray()
        request_size = 0
        response_body = bytearray()
        response: dict[str, Any] = {"status": None, "headers": {}}

        # Read the whole body first, so it is journaled even when the app
        # answers without reading it (a 404, a refused token), then replay it.
        received: list[Message] = []
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            request_size += len(chunk)
            if len(request_body) < BODY_LIMIT:
                request_body.extend(chunk[: BODY_LIMIT - len(request_body)])
            if not message.get("more_body", False):
                break
        replay = iter(received)

        async def receive_and_keep() -> Message:
            return next(replay, None) or await receive()

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body" and len(response_body) < BODY_LIMIT:
                response_body.extend(message.get("body", b"")[: BODY_LIMIT - len(response_body)])
            await send(message)

        error: str | None = None
        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        except DropConnection:
            error = "connection dropped"
            raise
        finally:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            self.emu.journal.record(
                {
                    "time": iso(self.emu.time()),
                    "provider": _provider_for(scope["path"]),
                    "endpoint": scope.get("sms_emulator.endpoint"),
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": scope.get("query_string", b"").decode("latin-1"),
                    "request_headers": headers,
                    "request_body": request_body.decode("utf-8", "replace"),
                    "request_size": request_size,
                    "status": response["status"],
                    "response_headers": response["headers"],
                    "response_body": response_body.decode("utf-8", "replace"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "error": error,
                }
            )


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"error": "not_found", "message": f"No emulated API at {request.url.path}"}, status_code=404
    )


def build_app(emu: Emulator) -> ASGIApp:
    """The Starlette app for ``emu``: every provider at its real paths plus ``/_emulator``."""
    routes = [Mount("/_emulator", app=build_admin_app(emu))]
    routes += [Mount(p.mount, app=SilenceDropped(p.build_app(emu))) for p in PROVIDERS]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_found})
    # Paths are already normalised: a redirect to add the slash back would loop.
    app.router.redirect_slashes = False
    # The outer app's error middleware would answer a DropConnection with a 500 too.
    mounts = frozenset(p.mount for p in PROVIDERS)
    return NormalizePath(DropOnRequest(RecordRequests(SilenceDropped(app), emu)), mounts)
