"""httpx transports that call an ASGI app in-process (no sockets)."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import weakref
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
import httpx
from starlette.types import ASGIApp

from .core.journal import CLIENT_LEFT

__all__ = ["AsyncInProcessTransport", "InProcessTransport"]


class InProcessTransport(httpx.BaseTransport):
    """Runs each request through ``app`` on a private event loop thread.

    Behaves as a socket would: a complete response is returned even if the
    app raises afterwards (Starlette re-raises errors it has already answered
    with a 500, for servers to log); a response cut off midway raises
    ``httpx.RemoteProtocolError``; an exception before any response
    propagates to the caller, so a dropped connection (``DropConnection``)
    arrives as the ``httpx.RemoteProtocolError`` a real one gives.  The
    request's read timeout holds too: an answer slower than it (a scenario's
    ``delay``) raises ``httpx.ReadTimeout`` while the app carries on, as a
    server would.  Webhooks sent before the caller gets its answer do not count.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.finish(request, self.start(request, request.read()))

    def finish(self, request: httpx.Request, exchange: _Exchange) -> httpx.Response:
        """Wait for ``exchange`` as a socket's client would (its read timeout), then
        give its answer."""
        # One wait as a rule: for the app to be done (its journal entry written).
        if not exchange.done.wait(_read_timeout(request)):
            self.timed_out(request, exchange)
            exchange.done.wait()  # answered in time; the app is finishing up
        return self.response(request, exchange)

    def start(
        self, request: httpx.Request, body: bytes, notify: Callable[[], object] | None = None
    ) -> _Exchange:
        """Start answering ``request`` on the emulator's loop thread; ``notify`` is
        called from there too when the app is done."""
        exchange = _Exchange(request.method == "HEAD")
        exchange.notify = notify
        # In a context of its own: not the caller's, whose async library (trio's mark,
        # say) would mislead the app's anyio on the emulator's asyncio loop.
        _loop().call_soon_threadsafe(
            _start, self._call(request, body, exchange), context=contextvars.Context()
        )
        return exchange

    @staticmethod
    def timed_out(request: httpx.Request, exchange: _Exchange) -> None:
        """The read timeout ran out: a ``ReadTimeout``, unless the whole answer came."""
        if not exchange.answered:
            exchange.disconnected = True
            raise httpx.ReadTimeout(
                "timed out waiting for the emulator's answer", request=request
            ) from None

    @staticmethod
    def response(request: httpx.Request, exchange: _Exchange) -> httpx.Response:
        """The answer ``exchange`` holds, or the error it ended with, raised."""
        if exchange.error is not None:
            raise exchange.error
        status, headers, content = exchange.result
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, request: httpx.Request, body: bytes, exchange: _Exchange) -> None:
        try:
            exchange.result = await self._answer(request, body, exchange)
        except asyncio.CancelledError:  # before answering: a connection cut, to the caller
            exchange.error = httpx.RemoteProtocolError("the emulator stopped before answering")
            raise
        except BaseException as exc:  # the caller's, as a socket would show it (a test's
            exchange.error = exc  # simulated crash included)
        finally:
            exchange.done.set()
            if exchange.notify is not None:
                exchange.notify()

    async def _answer(
        self, request: httpx.Request, body: bytes, exchange: _Exchange
    ) -> tuple[int, list[Any], bytes]:
        url = request.url
        raw_path = url.raw_path
        path, _, query = raw_path.partition(b"?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(path.decode("ascii")),
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": self.client,
            "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
            "extensions": {},
            CLIENT_LEFT: weakref.ref(exchange),
        }
        sent_body = False
        status = 500
        headers: list[Any] = []
        chunks: list[bytes] = []
        started = complete = False

        response_done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if sent_body:
                # Like a server: the client only "disconnects" once it has the
                # whole response, so streamed responses are not cut short.
                await response_done.wait()
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, headers, started, complete
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
                if complete:
                    response_done.set()
                    exchange.answered = True

        try:
            await self.app(scope, receive, send)
        except BaseException:  # after a whole answer, the caller has it whatever comes next
            if not started:
                raise
        if not started:  # what uvicorn answers when an app sends nothing
            return 500, [(b"content-type", b"text/plain; charset=utf-8")], b"Internal Server Error"
        if not complete:
            raise httpx.RemoteProtocolError("peer closed connection mid-response")
        if exchange.head:  # a server sends no body for HEAD
            return status, headers, b""
        return status, headers, b"".join(chunks)

    def close(self) -> None:
        pass


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """``InProcessTransport`` for an ``httpx.AsyncClient``, under asyncio or trio.

    Each request runs on the emulator's own event loop thread, as the synchronous
    transport's do, so it answers, drops and times out alike, and the caller's
    event loop goes on running meanwhile: a webhook receiver served by that loop
    gets its deliveries.  A cancelled caller stops waiting at once; the emulator
    answers anyway, as a server carries on after its client gave up.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._sync = InProcessTransport(app, client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        try:
            caller = asyncio.get_running_loop()
        except RuntimeError:  # trio: a worker thread waits as a synchronous caller does
            return await self._in_a_thread(request)
        # asyncio: told by the emulator's loop thread when the app is done, no thread
        done = caller.create_future()
        exchange = self._sync.start(request, request.content, partial(_tell, caller, done))
        try:
            await asyncio.wait_for(asyncio.shield(done), _read_timeout(request))
        except TimeoutError:
            self._sync.timed_out(request, exchange)
            await done  # answered in time; the app is finishing up
        except asyncio.CancelledError:  # the caller gave up (wait_for, a task group)
            exchange.disconnected = not exchange.answered
            raise
        return self._sync.response(request, exchange)

    async def _in_a_thread(self, request: httpx.Request) -> httpx.Response:
        exchange = self._sync.start(request, request.content)  # here: the note below needs it
        try:
            return await anyio.to_thread.run_sync(
                self._sync.finish, request, exchange, abandon_on_cancel=True
            )
        except anyio.get_cancelled_exc_class():  # the caller gave up
            exchange.disconnected = not exchange.answered
            raise


def _read_timeout(request: httpx.Request) -> float | None:
    return request.extensions.get("timeout", {}).get("read")


def _tell(caller: asyncio.AbstractEventLoop, done: asyncio.Future[None]) -> None:
    """From the emulator's loop thread: the app is done."""
    try:
        caller.call_soon_threadsafe(_finish, done)
    except RuntimeError:  # the caller's loop closed meanwhile (it gave up and ended)
        pass


def _finish(done: asyncio.Future[None]) -> None:
    if not done.done():  # not cancelled: the caller still waits
        done.set_result(None)


class _Exchange:
    """One request's answer, handed from the emulator's loop thread to the caller."""

    __slots__ = (
        "__weakref__",
        "answered",
        "disconnected",
        "done",
        "error",
        "head",
        "notify",
        "result",
    )

    def __init__(self, head: bool) -> None:
        self.head = head
        self.answered = False  # the whole response was sent
        self.disconnected = False  # the caller gave up before that (see CLIENT_LEFT)
        self.done = threading.Event()  # the app returned (or raised)
        self.notify: Callable[[], object] | None = None  # told then too (an async caller)
        self.error: BaseException | None = None
        self.result: tuple[int, list[Any], bytes] = (500, [], b"")


#: Requests being answered: the loop keeps only weak references to its tasks.
_RUNNING: set[asyncio.Task[None]] = set()


def _start(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


_LOOP: asyncio.AbstractEventLoop | None = None
_LOOP_LOCK = threading.Lock()


def _forget_the_loop() -> None:
    """In a forked child: the loop thread was not copied, so a new one starts on use."""
    global _LOOP, _LOOP_LOCK
    _LOOP, _LOOP_LOCK = None, threading.Lock()
    _RUNNING.clear()


os.register_at_fork(after_in_child=_forget_the_loop)


def _loop() -> asyncio.AbstractEventLoop:
    """One event loop in a daemon thread, shared by every in-process client.

    A daemon thread never keeps the interpreter alive, even when a client is
    not closed.
    """
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="sms-emulator-asgi", daemon=True
            )
            thread.start()
            _LOOP = loop
        return _LOOP
