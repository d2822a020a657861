"""Builds the ASGI app: path normalising, the journal, ``/_emulator`` and one mount per provider."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .admin.routes import build_admin_app
from .core.journal import BODY_LIMIT, CLIENT_LEFT, FAULT, SERVER_REFUSED
from .emulator import REQUEST_ARRIVED_IN
from .providers import PROVIDERS
from .providers.base import DropConnection
from .providers.routing import declared_length, whole_path_routes

if TYPE_CHECKING:
    from .emulator import Emulator

__all__ = ["build_app"]

_SLASHES = re.compile(r"/{2,}")
#: Scope key: (resets, the newest message's seq) when the request arrived (see ``_seqs``).
_SEQ_AT_START = "sms_emulator.seq_at_start"


def normalize_path(path: str, mounts: frozenset[str]) -> str:
    """Collapse ``//`` and drop a trailing ``/`` before routing.

    SDKs don't follow redirects on POST, so ``//restapi/...`` (a base URL
    ending in ``/``) and ``/api/services/sendbulk/`` must route directly.
    A bare mount prefix (``/v2``) becomes ``/v2/`` so the provider itself
    answers it, in its own error shape.
    """
    path = _SLASHES.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if path in mounts:
        path += "/"
    return path


def split_root(path: str, root: str) -> tuple[str, str]:
    """``path`` as the ``root`` it starts with and the path inside it.

    Mounted under a prefix of another app, ``path`` is the whole path the client
    sent and ``root`` (the ASGI ``root_path``) the prefix; what is inside is read as
    Starlette's router reads it, and ``path`` not under ``root`` is taken whole.
    """
    if path.startswith(root):
        inside = path[len(root) :]
        if not inside:
            return root, "/"
        if inside[0] == "/":
            return root, inside
    return "", path


def _silenced(send: Send) -> Send:
    """``send``, except while a ``DropConnection`` is being handled.

    Starlette's error middleware answers any exception (``DropConnection``
    included) with the app's 500 handler before re-raising it; a dropped
    connection must send nothing at all.
    """

    async def send_unless_dropping(message: Message) -> None:
        if not isinstance(sys.exc_info()[1], DropConnection | ClientDisconnect):
            await send(message)

    return send_unless_dropping


async def _dropped(send: Send) -> bool:
    """Abort the socket of a live server (False in-process: the error must surface).

    In-process, ``DropConnection`` reaches the client as the
    ``httpx.RemoteProtocolError`` a real dropped connection gives.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        return False
    transport.abort()
    await asyncio.sleep(0)  # let the server see the disconnect before we return
    return True


class _HttpDate:
    """The ``Date`` header for an emulator time, formatted once per second.

    It follows the emulator's clock, virtual or real, in every mode: uvicorn's
    own (the wall clock) is turned off, and in-process there is none at all.
    """

    __slots__ = ("_second", "_value")

    def __init__(self) -> None:
        self._second = -1
        self._value = b""

    def __call__(self, now: float) -> bytes:
        second = int(now)
        if second != self._second:
            self._value = formatdate(second, usegmt=True).encode("ascii")
            self._second = second
        return self._value


def _dated(headers: list[tuple[bytes, bytes]], date: bytes) -> list[tuple[bytes, bytes]]:
    """``headers`` plus ``Date`` (a copy: a response's own list is left alone)."""
    for name, _ in headers:
        if name == b"date":  # a scenario fault's own
            return headers
    return [*headers, (b"date", date)]


class EmulatorApp:
    """The emulator's ASGI entry point: one callable instead of a stack of wrappers.

    Per request it normalises the path (see ``normalize_path``), sends a
    provider's paths straight to that provider's own Starlette app (as the
    outer app's ``Mount`` would), journals every request outside
    ``/_emulator`` with its response, and turns ``DropConnection`` into an
    aborted socket that sent nothing.  Everything else goes to ``outer`` (the
    admin app and the JSON 404).  Mounted under a prefix of another app, all
    of that is done to the path inside the prefix.
    """

    def __init__(
        self,
        emu: Emulator,
        outer: ASGIApp,
        mounts: dict[str, tuple[str, ASGIApp]],
        mounts_ignoring_case: frozenset[str] = frozenset(),
        max_bodies: dict[str, int] | None = None,
    ):
        self.emu = emu
        self.outer = outer
        #: mount prefix -> (provider name, provider app)
        self.mounts = mounts
        self._mount_paths = frozenset(mounts)
        self._prefixes = tuple((m + "/", m, name, app) for m, (name, app) in mounts.items())
        self._folded = tuple((m.lower(), m) for m in mounts_ignoring_case)
        #: Paths starting so need no look for a mount in another case.
        self._as_declared = (*mounts, "/_emulator")
        self._date = _HttpDate()
        #: provider name -> the largest body its gateway takes (``Provider.max_body``)
        self._max_bodies = max_bodies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        webhooks = self.emu.webhooks
        if webhooks.mode != "sync":  # a live server: its worker sends
            await self._route(scope, receive, send)
            return
        # In-process: a webhook due now is sent before the caller gets its
        # answer, but from a worker thread, so that a receiver calling back
        # into the emulator finds this event loop free.
        deferral = webhooks.deferred()
        try:
            with deferral:
                await self._route(scope, receive, send)
        finally:
            if deferral.due:
                await run_in_threadpool(deferral.send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.outer(scope, receive, send)
            return
        if self.emu.closed:  # its store is closed: as a stopped server, no answer
            if not await _dropped(send):
                raise DropConnection()
            return
        path = received_path = scope["path"]  # journaled as it came
        root: str = scope.get("root_path", "")
        if root:  # mounted under a prefix: route the path inside it, as at the root
            root, path = split_root(path, root)
        if self._folded and not path.startswith(self._as_declared):
            cased = self._in_mount_case(path)
            if cased != path:
                scope = dict(scope, path=root + cased)
                path = cased
        if "//" in path or (len(path) > 1 and path[-1] == "/") or path in self._mount_paths:
            normalized = normalize_path(path, self._mount_paths)
            if normalized != path:
                scope = dict(scope, path=root + normalized)
                path = normalized
        if path == "/_emulator":
            scope = dict(scope, path=root + "/_emulator/")  # the admin API's index
            path = "/_emulator/"
        if path.startswith("/_emulator/"):
            # No provider request's: its task may have copied the context of one (uvicorn
            # starts a pipelined request from the one before it), whose writes check resets.
            admin = REQUEST_ARRIVED_IN.set(None)
            try:
                await self.outer(scope, receive, _silenced(self._dating(send)))
            except DropConnection:
                if not await _dropped(send):
                    raise
            except ClientDisconnect:
                pass  # left mid-body: no one to answer (and not a server error to log)
            finally:
                REQUEST_ARRIVED_IN.reset(admin)
            return
        provider: str | None = None
        app = self.outer
        for prefix, mount, name, provider_app in self._prefixes:
            if path.startswith(prefix):
                provider, app = name, provider_app
                # What the outer app's Mount would have put in the scope.
                scope["path_params"] = {"path": path[len(prefix) :]}
                scope["app_root_path"] = scope.get("app_root_path", root)
                scope["root_path"] = root + mount
                scope["endpoint"] = provider_app
                break
        # when it arrived: a reset since drops it (Emulator.drop_if_arrived_before_reset)
        arrival = REQUEST_ARRIVED_IN.set(self.emu.resets)
        try:
            await self._journaled(scope, receive, send, app, provider, received_path)
        finally:
            REQUEST_ARRIVED_IN.reset(arrival)

    def _in_mount_case(self, path: str) -> str:
        """``path`` with a mount that ignores case written as declared (``/V2/x`` → ``/v2/x``)."""
        lowered = _SLASHES.sub("/", path).lower()
        for folded, mount in self._folded:
            if lowered == folded or lowered.startswith(folded + "/"):
                path = _SLASHES.sub("/", path)
                return mount + path[len(mount) :]
        return path

    async def _journaled(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        app: ASGIApp,
        provider: str | None,
        path: str,
    ) -> None:
        started = time.perf_counter()
        scope[_SEQ_AT_START] = (self.emu.resets, self.emu.newest_seq)
        # Read the whole body first, so it is journaled even when the app
        # answers without reading it (a 404, a refused token), then replay it;
        # but never past the provider's limit, which its handler enforces.
        limit = self._max_bodies.get(provider) if provider is not None else None
        if limit is not None and (declared_length(scope) or 0) > limit:
            # refused on its Content-Length, as the provider's gateway does: not
            # read, not invited with ``100 Continue``, not waited for
            received: list[Message] = []
            request_body: bytes | bytearray = b""
            request_size = 0
        else:
            received, request_body, request_size = await _read_ahead(receive, limit)
        if received and received[-1]["type"] == "http.disconnect":
            # The client left before its request was whole (no one to answer), or the
            # server refused its body's framing and answered 400 itself (see serving.py).
            carrier = scope.get(CLIENT_LEFT)
            refused = getattr(carrier() if carrier is not None else None, SERVER_REFUSED, None)
            if refused is None:
                outcome: dict[str, Any] = {"error": "client disconnected"}
            else:
                status, headers, body = refused
                outcome = {
                    "status": status,
                    "response_headers": headers,
                    "response_body": body,
                    "error": "the server refused the body's HTTP framing and answered for itself",
                }
            self._journal(scope, path, provider, started, request_body, request_size, **outcome)
            return
        replay = iter(received)

        async def receive_and_keep() -> Message:
            return next(replay, None) or await receive()

        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        response_body: bytes | bytearray = b""
        bodiless = scope["method"] == "HEAD"  # the server sends none of what the app writes

        async def send_and_keep(message: Message) -> None:
            nonlocal status, response_headers, response_body
            if isinstance(sys.exc_info()[1], DropConnection):
                return
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                date = self._date(self.emu.time())
                response_headers = message["headers"] = _dated(message.get("headers", []), date)
            elif kind == "http.response.body" and len(response_body) < BODY_LIMIT and not bodiless:
                chunk = message.get("body", b"")
                if not response_body and len(chunk) <= BODY_LIMIT:
                    response_body = chunk
                else:
                    response_body = bytearray(response_body)
                    response_body.extend(chunk[: BODY_LIMIT - len(response_body)])
            await send(message)

        error: str | None = None
        try:
            await app(scope, receive_and_keep, send_and_keep)
        except DropConnection as exc:
            error = "connection dropped"
            unsent = exc.unsent
            if unsent is not None and status is None:  # processed, its answer never sent
                error = "connection dropped after the request was processed: answer not sent"
                status, response_headers = unsent.status_code, list(unsent.raw_headers)
                response_body = bytes(getattr(unsent, "body", b""))[:BODY_LIMIT]
            if not await _dropped(send):
                raise
        finally:
            carrier = scope.get(CLIENT_LEFT)
            carrier = carrier() if carrier is not None else None
            if error is None and carrier is not None and carrier.disconnected:
                error = "client disconnected before the answer: request processed, answer not sent"
            self._journal(
                scope,
                path,
                provider,
                started,
                request_body,
                request_size,
                status=status,
                response_headers=response_headers,
                response_body=response_body,
                error=error,
            )

    def _dating(self, send: Send) -> Send:
        async def send_dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = self._date(self.emu.time())
                message["headers"] = _dated(message.get("headers", []), date)
            await send(message)

        return send_dated

    def _journal(
        self,
        scope: Scope,
        path: str,
        provider: str | None,
        started: float,
        request_body: bytes | bytearray,
        request_size: int,
        *,
        status: int | None = None,
        response_headers: list[tuple[bytes, bytes]] | None = None,
        response_body: bytes | bytearray = b"",
        error: str | None = None,
    ) -> None:
        # Under the hold a reset takes (it clears the journal in it): one from another
        # thread falls wholly before this (the entry is not kept) or after it.
        with self.emu.store.atomic():
            if self.emu.arrived_before_reset():
                return  # arrived before a reset: the journal it belongs to is gone
            self.emu.journal.record_exchange(
                time=self.emu.time(),
                provider=provider,
                endpoint=scope.get("sms_emulator.endpoint"),
                method=scope["method"],
                path=path,
                query=scope.get("query_string", b""),
                request_headers=scope["headers"],
                request_body=request_body,
                request_size=request_size,
                status=status,
                response_headers=response_headers or [],
                response_body=response_body,
                duration=time.perf_counter() - started,
                error=error,
                seqs=self._seqs(scope),
                fault=scope.get(FAULT),
            )

    def _seqs(self, scope: Scope) -> tuple[int, int]:
        """The newest message's seq when the request arrived and now (see ``Journal``)."""
        resets, arrived = scope.get(_SEQ_AT_START, (self.emu.resets, 0))
        if resets != self.emu.resets:  # reset meanwhile: seqs started again from 1
            arrived = 0
        return arrived, self.emu.newest_seq


async def _read_ahead(
    receive: Receive, limit: int | None
) -> tuple[list[Message], bytes | bytearray, int]:
    """The request's messages up to its end (or once past ``limit``), the part of
    its body the journal keeps, and the body's size so far."""
    message = await receive()
    received = [message]
    if message["type"] != "http.request":
        return received, b"", 0
    if not message.get("more_body", False):
        body = message.get("body", b"")
        return received, body[:BODY_LIMIT] if len(body) > BODY_LIMIT else body, len(body)
    kept, size = bytearray(), 0
    while True:
        chunk = message.get("body", b"")
        size += len(chunk)
        if len(kept) < BODY_LIMIT:
            kept.extend(chunk[: BODY_LIMIT - len(kept)])
        if not message.get("more_body", False) or (limit is not None and size > limit):
            return received, kept, size  # past the limit: the handler reads on and refuses
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return received, kept, size


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    path = split_root(request.url.path, request.scope.get("root_path", ""))[1]  # as at the root
    return JSONResponse(
        {"error": "not_found", "message": f"No emulated API at {path}"}, status_code=404
    )


def build_app(emu: Emulator) -> ASGIApp:
    """The ASGI app for ``emu``: every provider at its real paths plus ``/_emulator``."""
    providers = {p.mount: (p.name, p.build_app(emu)) for p in PROVIDERS}
    routes = [Mount("/_emulator", app=build_admin_app(emu))]
    routes += [Mount(mount, app=app) for mount, (_, app) in providers.items()]
    whole_path_routes(routes)
    outer = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_found})
    # Paths are already normalised: a redirect to add the slash back would loop.
    outer.router.redirect_slashes = False
    ignoring_case = frozenset(p.mount for p in PROVIDERS if p.mount_ignores_case)
    max_bodies = {p.name: p.max_body for p in PROVIDERS if p.max_body is not None}
    return EmulatorApp(emu, outer, providers, ignoring_case, max_bodies)
