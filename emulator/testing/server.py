"""LiveServer: the emulator on a real loopback port, in a background thread."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import uvicorn
from starlette.concurrency import run_in_threadpool

from ..core.webhooks import WAIT_LIMIT
from ..emulator import Emulator
from ..serving import GRACEFUL_SHUTDOWN, uvicorn_config
from .helpers import MessageHelpers, SocketClients, may_wait_for_webhooks, warn_if_still_due

__all__ = ["LiveServer", "base_url", "bind_socket", "bind_sockets"]

_T = TypeVar("_T")


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port).

    It listens from here on: a client connecting before the server loop runs
    waits in the backlog instead of being refused.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's backlog
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def base_url(host: str, port: int, scheme: str = "http") -> str:
    """``scheme://host:port``: an IPv6 address in brackets, ``localhost`` however it
    was written as ``localhost`` (see ``bind_sockets``)."""
    host = "localhost" if host.lower() == "localhost" else host
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def bind_sockets(host: str = "127.0.0.1", port: int = 0) -> list[socket.socket]:
    """``bind_socket``, except that ``localhost`` listens on both loopback addresses
    (127.0.0.1 and, where the system has IPv6, ::1) on one port: clients resolve
    that name to either (Node 17 and later try ::1 first)."""
    if host.lower() != "localhost":
        return [bind_socket(host, port)]
    for _ in range(50):
        first = bind_socket("127.0.0.1", port)
        try:
            return [first, bind_socket("::1", first.getsockname()[1])]
        except OSError as exc:
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):  # no IPv6 loopback
                return [first]
            first.close()
            if not (port == 0 and exc.errno == errno.EADDRINUSE):
                raise
            # the free port IPv4 gave is taken on ::1: try another
    raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")


class LiveServer(SocketClients, MessageHelpers):
    """Serve an ``Emulator`` over HTTP on ``127.0.0.1`` (free port) from a daemon thread;
    ``host="localhost"`` listens on ::1 too (see ``bind_sockets``).

    Attribute access falls through to the emulator, so a live server has the
    same methods (``advance``, ``messages``, ``reset``...) plus ``url`` and the
    ``MessageHelpers`` (``sent_messages``, ``wait_for_message``, ``last_code``);
    its ``client()`` goes over the socket, not in-process.

    >>> with LiveServer(Emulator()) as server:
    ...     httpx.get(server.url + "/_emulator/health")
    """

    def __init__(
        self, emulator: Emulator | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.emulator = emulator if emulator is not None else Emulator()
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return base_url(self.host, self.port)

    def start(self, timeout: float = 10.0) -> LiveServer:
        sockets = bind_sockets(self.host, self.port)
        self.port = sockets[0].getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(self.emulator.app, timeout_keep_alive=30))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": sockets},
            name="sms-emulator-server",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator's live server did not start")
            time.sleep(0.005)
        self.emulator.webhooks.start()
        return self

    def stop(self) -> None:
        """Stop serving: open requests get ``GRACEFUL_SHUTDOWN`` seconds, then are cut
        (one waiting out a fault's delay is dropped at once)."""
        self.emulator.webhooks.stop()
        self.emulator.delays.stop()  # until it has stopped: not the emulator's other users
        try:
            server, thread = self._server, self._thread
            if server is not None:
                server.should_exit = True
            if thread is not None:
                thread.join(timeout=GRACEFUL_SHUTDOWN + 5)
                if thread.is_alive() and server is not None:
                    server.force_exit = True  # a client still holding a request open
                    thread.join(timeout=5)
                if thread.is_alive():
                    raise RuntimeError("the emulator's live server did not stop")
            self._server = self._thread = None
        finally:
            if not self.emulator.closed:
                self.emulator.delays.resume()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def advance(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """``Emulator.advance``, returning once the webhooks it made due were attempted
        (the server's worker sends them) as in-process; from a coroutine it does not wait
        (use ``advance_async``): the event loop may serve the receiver."""
        now, due = self._waited(self.emulator.advance, duration, seconds=seconds)
        warn_if_still_due(due)
        return now

    async def advance_async(
        self, duration: str | float | None = None, *, seconds: float | None = None
    ) -> datetime:
        """``advance()`` from a coroutine: it waits in a worker thread, the loop running on
        (and warns here: the caller's line, not the thread's)."""
        now, due = await run_in_threadpool(
            self._waited, self.emulator.advance, duration, seconds=seconds
        )
        warn_if_still_due(due)
        return now

    def inbound(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """``Emulator.inbound``, returning once its webhook was attempted (as ``advance``)."""
        record, due = self._waited(self.emulator.inbound, provider, sender, to, text)
        warn_if_still_due(due)
        return record

    async def inbound_async(self, provider: str, sender: str, to: str, text: str) -> dict[str, Any]:
        """``inbound()`` from a coroutine: it waits in a worker thread, the loop running on."""
        record, due = await run_in_threadpool(
            self._waited, self.emulator.inbound, provider, sender, to, text
        )
        warn_if_still_due(due)
        return record

    def _waited(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> tuple[_T, int]:
        """``call``'s result, once the webhooks it made due were attempted (not from a
        coroutine), and how many were still due when the wait ran out."""
        if not may_wait_for_webhooks():
            return call(*args, **kwargs), 0
        webhooks = self.emulator.webhooks
        # The attempts under way whose receiver may be the caller (an auto-responder
        # calling from the thread that handles one, see ``wait_sent``): none from the
        # main thread, where a test runs, as a receiver handles requests in threads of
        # its own. Taken before the call: after it, they could include one of its own.
        on_main = threading.current_thread() is threading.main_thread()
        under_way = frozenset() if on_main else webhooks.attempts_under_way()
        result = call(*args, **kwargs)
        return result, webhooks.wait_sent(WAIT_LIMIT, under_way)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.emulator, name)
