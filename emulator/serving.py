"""The uvicorn set-up shared by ``sms-emulator serve`` and ``LiveServer``.

uvicorn's httptools protocol writes a response's status line and headers as
soon as the app sends ``http.response.start``, then the body in a second
write: two ``send`` calls, and on loopback two wake-ups of the client, per
response.  ``OneWriteHttpToolsProtocol`` holds what the app writes during one
event-loop step and sends it together at the end of that step, so a whole
response usually leaves in one ``send``.  Bytes and their order on the wire
are unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from .core.journal import CLIENT_LEFT, SERVER_REFUSED

__all__ = ["OneWriteHttpToolsProtocol", "uvicorn_config"]

try:
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is missing: uvicorn's pure-Python h11 protocol
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


class _OneWriteTransport:
    """A transport that writes what it was given during one loop step in one go.

    ``close`` and ``abort`` send what is held first.  Everything else is the
    real transport's, so flow control and connection details behave as before.
    """

    __slots__ = ("_flush_scheduled", "_loop", "_pending", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._flush_scheduled = False

    def write(self, data: bytes) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            # refused here, in the caller's send, as the transport itself would
            raise TypeError(f"data argument must be a bytes-like object, not {type(data)!r}")
        # held past the caller's return: a mutable buffer is copied, as a transport would
        self._pending.append(data if type(data) is bytes else bytes(data))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        failure = self._send_pending()
        if failure is not None:
            raise failure  # reported by the event loop, like any failed callback

    def _send_pending(self) -> Exception | None:
        pending = self._pending
        if not pending or self.transport.is_closing():
            self._pending = []
            return None
        self._pending = []
        try:
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        except Exception as exc:
            self.transport.abort()  # never leave the client waiting on half an answer
            return exc
        return None

    def close(self) -> None:
        self._send_pending()  # closing sends what was written first, as a transport does
        self.transport.close()

    def abort(self) -> None:
        # What was written before is tried first, as a direct write would have
        # been; only what the socket cannot take at once is lost.
        self._send_pending()
        self.transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _escape_high_bytes(line: bytes) -> bytes:
    """``line`` with every byte from 0x80 up percent-encoded (``’`` → ``%E2%80%99``)."""
    return b"".join(b"%%%02X" % byte if byte >= 0x80 else bytes((byte,)) for byte in line)


if HttpToolsProtocol is not None:

    class _UpgradeIgnoringParser(httptools.HttpRequestParser):  # type: ignore[misc]
        """httptools' parser, handing what follows an Upgrade it stopped at to its protocol.

        A request with ``Connection: Upgrade`` (Java's HttpClient asks for ``h2c`` on
        every ``http://`` URL) stops llhttp at the end of its head, and uvicorn would
        answer it with no body.  The server ignores the upgrade, as RFC 9110 lets it:
        the protocol reads the body and what follows as HTTP/1.1 (``read_on``).
        """

        def __init__(self, protocol: Any) -> None:
            super().__init__(protocol)
            self.protocol = protocol

        def feed_data(self, data: bytes) -> None:
            parser: httptools.HttpRequestParser = self
            while True:  # a loop, not recursion: pipelined upgrade requests come in hundreds
                try:
                    httptools.HttpRequestParser.feed_data(parser, data)
                    return
                except httptools.HttpParserUpgrade as upgrade:
                    if self.protocol._should_upgrade():  # a WebSocket uvicorn serves itself
                        raise
                    data = bytes(data[upgrade.args[0] :])
                parser = self.protocol.read_on()

    def _upgrade_ignoring_parser(callbacks: Any) -> _UpgradeIgnoringParser:
        parser = _UpgradeIgnoringParser(callbacks)
        try:  # as uvicorn sets its own parser (answering a pipelined request's first)
            parser.set_dangerous_leniencies(lenient_data_after_close=True)
        except AttributeError:  # pragma: no cover - httptools before 0.6.3
            pass
        return parser

    class _BodyOnly:
        """Callbacks of a parser fed a made-up head for an upgrade request's body: the
        head's own callbacks go nowhere; the body, and the requests after it, to the
        protocol.  (httptools takes a parser's callbacks once, when it is made.)"""

        def __init__(self, protocol: Any) -> None:
            self.protocol = protocol
            self.in_head = True

        def on_message_begin(self) -> None:
            if not self.in_head:
                self.protocol.on_message_begin()

        def on_url(self, url: bytes) -> None:
            if not self.in_head:
                self.protocol.on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            if not self.in_head:
                self.protocol.on_header(name, value)

        def on_headers_complete(self) -> None:
            if self.in_head:
                self.in_head = False
            else:
                self.protocol.on_headers_complete()

        def on_body(self, body: bytes) -> None:
            self.protocol.on_body(body)

        def on_message_complete(self) -> None:
            self.protocol.on_message_complete()

    class OneWriteHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        """uvicorn's httptools protocol, sending each response in one write.

        It also reads a request that asks to upgrade (``Upgrade: h2c``) as the
        HTTP/1.1 request it also is, body included (``_UpgradeIgnoringParser``).

        And it takes a request line with raw bytes from 0x80 up in its target
        (``GET /api/services/sendsms?message=Asante’``, as curl and PHP send an
        unencoded URL), which the providers' web servers take and httptools
        refuses with a plain-text 400 the client's code would never see from
        them: those bytes are percent-encoded before parsing, so the app reads
        the same text.  Only the line after a request's end is looked at, and
        only when its chunk is not plain ASCII; not a pipelined request's, which
        arrives behind the one before it (clients that send such URLs do not
        pipeline).

        Bytes after a whole request that do not parse (a Content-Length counted in
        characters leaves the body's last bytes over) still get the 400, but after
        the answers owed to the requests read before them, which uvicorn dropped.
        """

        _in_request_line = True
        _line_started = False  # a byte of the request line (not an empty line) came
        _refusal: str | None = None  # a 400 held until the answers before it are sent
        #: The request being answered when a pipelined one was read behind it: uvicorn
        #: then holds only the newer one, and marks only that one when the client leaves.
        _displaced: weakref.ref[Any] | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.parser = _upgrade_ignoring_parser(self)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.transport = _OneWriteTransport(transport, self.loop)  # type: ignore[assignment]

        def read_on(self) -> httptools.HttpRequestParser:
            """After an ignored upgrade: the parser for the request's body and the next
            requests, told the request's framing headers (so llhttp judges them as it
            would have: a Transfer-Encoding not ending in chunked is refused)."""
            framing = b"".join(
                name + b": " + value + b"\r\n"
                for name, value in self.headers
                if name in (b"content-length", b"transfer-encoding")
            )
            self.parser = parser = _upgrade_ignoring_parser(_BodyOnly(self))
            parser.protocol = self
            parser.feed_data(b"POST / HTTP/1.1\r\n" + framing + b"\r\n")
            return parser

        def data_received(self, data: bytes) -> None:
            if self._refusal is not None:
                return  # after bytes that did not parse: the connection ends with the 400
            if self._in_request_line:
                start = 0
                if not self._line_started:
                    # Empty lines before a request line are skipped, as RFC 9112 asks.
                    start = len(data) - len(data.lstrip(b"\r\n"))
                    self._line_started = start < len(data)
                end = data.find(b"\n", start)
                if end != -1:
                    self._in_request_line = False
                if not data.isascii():
                    line = data[start:] if end == -1 else data[start:end]
                    if not line.isascii():
                        data = data[:start] + _escape_high_bytes(line) + data[start + len(line) :]
            super().data_received(data)

        def send_400_response(self, msg: str) -> None:
            """After bytes that do not parse: the answers owed to the whole requests read
            before them go first (uvicorn closed the connection under them), then the 400."""
            if self._answers_owed():
                self._refusal = msg
                self.flow.pause_reading()  # nothing past the bad bytes is read
                return
            cycle = self.cycle
            if cycle is not None and cycle.more_body and not cycle.response_started:
                # Its body broke: the app reading it sees only a disconnect, so tell
                # the journal what the client got instead (what uvicorn writes below).
                text = msg.encode("ascii")
                headers = [
                    *self.server_state.default_headers,
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", b"%d" % len(text)),
                    (b"connection", b"close"),
                ]
                setattr(cycle, SERVER_REFUSED, (400, headers, text))
            super().send_400_response(msg)

        def _answers_owed(self) -> bool:
            cycle = self.cycle
            whole = cycle is not None and not cycle.more_body and not cycle.response_complete
            return whole or bool(self.pipeline)

        def on_response_complete(self) -> None:
            super().on_response_complete()  # starts the next pipelined request, if any
            if self._refusal is not None and not self._answers_owed():
                msg, self._refusal = self._refusal, None
                super().send_400_response(msg)
            elif self._refusal is not None:
                self.flow.pause_reading()  # resumed above: still nothing more is read

        def on_headers_complete(self) -> None:
            self._in_request_line = False  # what a pipelined request sends next is its body
            running = self.cycle
            super().on_headers_complete()
            cycle = self.cycle
            if running is not None and running is not cycle and not running.response_complete:
                self._displaced = weakref.ref(running)  # pipelined: see connection_lost
            if cycle is not None and cycle.scope is self.scope:  # not an ignored upgrade's
                self.scope[CLIENT_LEFT] = weakref.ref(cycle)  # its .disconnected

        def connection_lost(self, exc: Exception | None) -> None:
            """The client left: a request still being answered with a pipelined one
            behind it has left too (its answer goes nowhere, and the journal says so)."""
            running = self._displaced() if self._displaced is not None else None
            if running is not None and not running.response_complete:
                running.disconnected = True
                running.message_event.set()
            super().connection_lost(exc)

        def on_message_complete(self) -> None:
            if self.parser.should_upgrade() and not self._should_upgrade():
                return  # its body is still to come: see read_on
            self._in_request_line = True  # the next bytes begin the next request
            self._line_started = False
            super().on_message_complete()

else:  # pragma: no cover - uvicorn[standard] brings httptools wherever it has wheels
    OneWriteHttpToolsProtocol = None  # type: ignore[assignment,misc]


#: Seconds a shutdown waits for open requests; uvicorn's default waits for ever, and
#: a client that sent half a body would keep a stopped server running.
GRACEFUL_SHUTDOWN = 5.0


class _CutByShutdown(logging.Filter):
    """Drops uvicorn's traceback for a request the bounded shutdown cancelled.

    uvicorn logs "Exception in ASGI application" with the ``CancelledError``
    of every request still open when ``GRACEFUL_SHUTDOWN`` runs out (a client
    that never sent its whole body): expected, after its own line saying so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def uvicorn_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """uvicorn's ``Config`` for the emulator: quiet, no lifespan, no WebSocket, one write
    per response, a bounded graceful shutdown, no Date or Server header of its own."""
    options.setdefault("log_level", "warning")
    options.setdefault("lifespan", "off")
    options.setdefault("access_log", False)
    options.setdefault("timeout_graceful_shutdown", GRACEFUL_SHUTDOWN)
    # No provider speaks WebSocket: an Upgrade header on a provider path is an
    # ordinary request to answer in its shape (uvicorn would send an empty 403).
    options.setdefault("ws", "none")
    # The app sends Date by the emulator's clock (virtual or real), as in-process;
    # uvicorn's would be the wall clock, and its Server header is not a provider's.
    options.setdefault("date_header", False)
    options.setdefault("server_header", False)
    if OneWriteHttpToolsProtocol is not None:
        options.setdefault("http", OneWriteHttpToolsProtocol)
    config = uvicorn.Config(app, **options)
    errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _CutByShutdown) for f in errors.filters):
        errors.addFilter(_CutByShutdown())
    return config
