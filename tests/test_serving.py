"""The live server's HTTP layer: one write per response, the same bytes on the wire."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from logging.handlers import BufferingHandler
from pathlib import Path
from typing import Any

import h11
import httpx
import pytest
from loopback import ipv6_loopback
from uvicorn.server import ServerState

from emulator import Emulator, __version__, serving
from emulator.serving import OneWriteHttpToolsProtocol, _OneWriteTransport, uvicorn_config
from emulator.testing.server import LiveServer


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closed and not self.aborted, "written after close"
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1234)}.get(name, default)


async def _one_step() -> None:
    await asyncio.sleep(0)


def test_writes_of_one_loop_step_leave_in_one_write_in_order() -> None:
    async def run() -> RecordingTransport:
        real = RecordingTransport()
        transport = _OneWriteTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert real.writes == []  # held until the step ends
        await _one_step()
        transport.write(b"next")
        await _one_step()
        await _one_step()  # nothing more pending: no empty write
        return real

    assert asyncio.run(run()).writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]


@pytest.mark.parametrize("end", ["close", "abort"])
def test_close_and_abort_send_what_was_written_first(end: str) -> None:
    async def run() -> RecordingTransport:
        real = RecordingTransport()
        transport = _OneWriteTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"head")
        transport.write(b"tail")
        getattr(transport, end)()
        await _one_step()  # the scheduled flush finds nothing left
        return real

    real = asyncio.run(run())
    assert real.writes == [b"headtail"]
    assert real.closed if end == "close" else real.aborted


def test_writes_after_the_connection_closed_are_dropped_and_the_rest_is_delegated() -> None:
    async def run() -> RecordingTransport:
        real = RecordingTransport()
        transport = _OneWriteTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        assert transport.get_extra_info("peername") == ("127.0.0.1", 1234)
        transport.write(b"late")
        real.closed = True  # the peer went away before the step ended
        await _one_step()
        assert transport.is_closing()
        return real

    assert asyncio.run(run()).writes == []


def test_config_uses_the_one_write_protocol_and_the_quiet_defaults() -> None:
    config = uvicorn_config(Emulator().app, timeout_keep_alive=30)
    assert config.http is OneWriteHttpToolsProtocol
    assert (config.lifespan, config.access_log, config.timeout_keep_alive) == ("off", False, 30)
    # a stop gives open requests 5 s (README: "up to 5 s"), not uvicorn's wait for ever;
    # no WebSocket, and neither uvicorn's wall-clock Date nor its Server header
    assert config.timeout_graceful_shutdown == 5
    assert (config.ws, config.date_header, config.server_header) == ("none", False, False)
    assert config.log_level == "warning"


def test_the_traceback_of_a_request_a_bounded_shutdown_cut_is_not_logged() -> None:
    """Cut once the graceful shutdown ran out, a request's CancelledError is expected (its
    own line says so); any other application error is still logged."""
    uvicorn_config(Emulator().app)
    handler = BufferingHandler(10)
    errors = logging.getLogger("uvicorn.error")
    errors.addHandler(handler)
    try:
        for error in (asyncio.CancelledError(), RuntimeError("bug")):
            errors.error("Exception in ASGI application", exc_info=error)
    finally:
        errors.removeHandler(handler)
    assert [type(r.exc_info[1]) for r in handler.buffer if r.exc_info] == [RuntimeError]


def test_a_live_server_s_answers_carry_no_server_header_of_uvicorn_s(server: LiveServer) -> None:
    response = httpx.get(f"{server.url}/_emulator/health")
    assert response.status_code == 200
    assert "server" not in response.headers


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer(Emulator()) as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _responses(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """``count`` complete responses read with h11: (status, body) pairs."""
    conn = h11.Connection(h11.CLIENT)
    found: list[tuple[int, bytes]] = []
    status, body = 0, b""
    while len(found) < count:
        if conn.our_state is h11.IDLE:  # h11 reads a response only after its request
            conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
            conn.send(h11.EndOfMessage())
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = sock.recv(65536)
            assert data, "the server closed the connection early"
            conn.receive_data(data)
        elif isinstance(event, h11.Response):
            status, body = event.status_code, b""
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            found.append((status, body))
            conn.start_next_cycle()
    return found


HEALTH = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _protocol_writes(emu: Emulator, *reads: bytes) -> list[bytes]:
    """What uvicorn's protocol, as the emulator serves it, writes for ``reads``."""

    async def run() -> RecordingTransport:
        config = uvicorn_config(emu.app)
        config.load()
        protocol = OneWriteHttpToolsProtocol(config, ServerState(), {})
        real = RecordingTransport()
        protocol.connection_made(real)  # type: ignore[arg-type]
        for data in reads:
            protocol.data_received(data)
        for _ in range(20):  # the app's task, then the flush at the end of its step
            await _one_step()
        protocol.connection_lost(None)
        return real

    return asyncio.run(run()).writes


def test_the_protocol_sends_a_whole_response_in_one_write() -> None:
    """uvicorn's own protocol, fed a request: its answer reaches the socket in one write."""
    emu = Emulator()
    writes = _protocol_writes(emu, HEALTH)
    assert len(writes) == 1
    head, _, body = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(body) == {"status": "ok", "version": __version__, "instance": emu.instance}
    assert b" " not in body  # msgspec's compact encoding, as written


def test_pipelined_requests_are_answered_in_order(server: LiveServer) -> None:
    missing = b"GET /_emulator/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(HEALTH + missing + HEALTH)
        answers = _responses(sock, 3)
    assert [status for status, _ in answers] == [200, 404, 200]
    assert answers[0][1] == answers[2][1] and b'"status":"ok"' in answers[0][1]


def _until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


SENDSMS_JSON = (
    b'{"partnerID":"1","apikey":"k","shortcode":"S","mobile":"0712345678","message":"%s"}'
)


def test_requests_before_bytes_that_do_not_parse_get_their_answers_first(
    server: LiveServer,
) -> None:
    """Three accepted messages, then garbage: three answers, then the 400 and the close."""
    body = SENDSMS_JSON % b"pipelined"
    one = _post(b"/api/services/sendsms", body)
    with _connect(server) as sock:
        sock.sendall(one * 3 + b"BAD REQUEST\r\n\r\n")
        received = _until_closed(sock)
    assert received.count(b"HTTP/1.1 200 OK") == 3
    assert received.count(b'"response-code":200') == 3
    assert received.endswith(b"Invalid HTTP request received.")
    assert len(server.sent_messages(contains="pipelined")) == 3
    assert [e["status"] for e in server.requests()] == [200, 200, 200]


def test_bytes_that_do_not_parse_as_a_connection_s_first_request_get_the_400_alone(
    server: LiveServer,
) -> None:
    """Nothing owed, no request the app saw: the 400 and the close, nothing journaled."""
    with _connect(server) as sock:
        sock.sendall(b"BAD REQUEST\r\n\r\n")
        received = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 400 Bad Request")
    assert received.count(b"HTTP/1.1") == 1
    assert received.endswith(b"Invalid HTTP request received.")
    assert server.requests() == [] and server.messages() == []


def test_a_content_length_counted_in_characters_still_gets_its_answer(
    server: LiveServer,
) -> None:
    """JavaScript's body.length counts ’ as one: the answer to the short body comes, then
    the 400 to the two bytes left over."""
    body = SENDSMS_JSON % "Asante sana’".encode()
    short = _post(b"/api/services/sendsms", body)
    counted = b"Content-Length: %d" % (len(body) - 2)  # two bytes short
    short = short.replace(b"Content-Length: %d" % len(body), counted)
    with _connect(server) as sock:
        sock.sendall(short)
        received = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert b'"response-code":1009' in received  # the cut JSON, answered as the gateway does
    assert received.endswith(b"Invalid HTTP request received.")


def test_an_admin_write_pipelined_behind_a_provider_request_and_a_reset_is_answered(
    server: LiveServer,
) -> None:
    """uvicorn starts a pipelined request from the one before it, context and all: the
    admin inbound must not take the provider request's arrival for its own."""
    inbound = (
        b'{"provider": "ringcentral", "from": "+14155550100", "to": "+16505550100", "text": "hi"}'
    )
    provider = b"GET /restapi/v1.0/account/~/a2p-sms/batches HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(
            provider + _post(b"/_emulator/reset", b"{}") + _post(b"/_emulator/inbound", inbound)
        )
        answers = _responses(sock, 3)
    assert [status for status, _ in answers] == [401, 200, 201]
    assert [m["text"] for m in server.messages()] == ["hi"]


def test_an_admin_call_whose_store_write_fails_gets_its_500_and_keeps_the_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A --db write failing (a full disk) under an admin call: its JSON 500, and the
    connection kept for the next call, as after a provider's 500. Answered by Starlette's
    error middleware, the error went on to uvicorn, which closed the connection: a client's
    next call on it (pipelined here, kept alive in a client's pool) got no answer."""

    def disk_full(key: str, value: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with LiveServer(Emulator(db=tmp_path / "e.db")) as live:
        monkeypatch.setattr(live.emulator.store, "put_meta", disk_full)
        with _connect(live) as sock:
            sock.sendall(_post(b"/_emulator/clock", b'{"advance": "1s"}') + HEALTH)
            answers = _responses(sock, 2)
        monkeypatch.undo()
    assert [status for status, _ in answers] == [500, 200]
    assert json.loads(answers[0][1]) == {
        "error": "internal error: OperationalError: database or disk is full"
    }


@pytest.mark.parametrize(
    ("error", "traceback"),
    [
        (sqlite3.OperationalError("database or disk is full"), False),
        (sqlite3.ProgrammingError("Cannot operate on a closed database."), True),
    ],
)
def test_a_failed_store_write_is_logged_in_one_line_and_a_misuse_with_its_traceback(
    error: sqlite3.Error, traceback: bool, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A full disk is the store's failure: one line. A ``ProgrammingError`` is the
    emulator's own bug, whose traceback the log keeps."""
    emu = Emulator(db=tmp_path / "e.db")

    def failing(key: str, value: Any) -> None:
        raise error

    emu.store.put_meta = failing  # type: ignore[method-assign]
    with caplog.at_level("ERROR", logger="emulator.admin.routes"):
        answer = emu.client().post("/_emulator/clock", json={"advance": "1s"})
    assert answer.status_code == 500
    (record,) = [r for r in caplog.records if "the store failed" in r.getMessage()]
    assert bool(record.exc_info) is traceback
    del emu.store.put_meta
    emu.close()


def test_bytes_that_do_not_parse_in_a_body_still_end_the_request_at_once(
    server: LiveServer,
) -> None:
    """A chunked body whose framing breaks: the request itself is bad, nothing is owed."""
    head = b"POST /api/services/sendsms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(head + b"5\r\nhello\r\nzz\r\n")
        received = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 400 Bad Request")


def test_a_whole_request_before_one_whose_body_breaks_gets_its_answer_first(
    server: LiveServer,
) -> None:
    """The broken body's request is owed nothing, the whole one read before it is."""
    whole = _post(b"/api/services/sendsms", SENDSMS_JSON % b"before the break")
    head = b"POST /api/services/sendsms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(whole + head + b"5\r\nhello\r\nzz\r\n")
        received = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert received.count(b'"response-code":200') == 1
    assert received.endswith(b"Invalid HTTP request received.")
    assert len(server.sent_messages(contains="before the break")) == 1


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"Transfer-Encoding: chunked", b"5\r\nhello\r\nzz\r\n"),  # a chunk size not in hex
        (b"Transfer-Encoding: gzip", b'{"partnerID":"1"}'),  # not ending in chunked
    ],
)
def test_a_body_whose_framing_the_server_refuses_is_journaled_with_its_400(
    server: LiveServer, framing: bytes, body: bytes
) -> None:
    """The server answers 400 itself part-way through the body; the app only sees the
    connection end: the journal says what the client got, not that the client left."""
    head = b"POST /api/services/sendsms HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(head + body)
        received = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 400 Bad Request")
    deadline = time.monotonic() + 5
    while not (entries := server.requests()) and time.monotonic() < deadline:
        time.sleep(0.01)  # real-time ok: journaled once the app has seen the connection end
    [entry] = entries
    assert entry["status"] == 400
    assert entry["response_body"] == "Invalid HTTP request received."
    assert entry["response_headers"]["content-type"] == "text/plain; charset=utf-8"
    head_lines = received.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")[1:]
    sent = dict(line.lower().split(": ", 1) for line in head_lines)
    assert entry["response_headers"] == sent  # every header the client got, and only those
    assert "refused" in entry["error"] and "disconnected" not in entry["error"]
    assert server.messages() == []


def test_connection_close_gets_the_whole_response_then_the_close(server: LiveServer) -> None:
    with _connect(server) as sock:
        sock.sendall(
            b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"connection: close" in head.lower()
    assert body and body.endswith(b"}")


def test_only_bytes_are_taken_and_a_buffer_is_sent_as_it_was_written() -> None:
    async def run() -> RecordingTransport:
        real = RecordingTransport()
        transport = _OneWriteTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            transport.write("text")  # type: ignore[arg-type]
        buffer = bytearray(b"abc")
        transport.write(buffer)
        transport.write(memoryview(b"def"))
        buffer[:] = b"xyz"  # the caller reuses its buffer before the step ends
        await _one_step()
        return real

    assert asyncio.run(run()).writes == [b"abcdef"]


class FailingTransport(RecordingTransport):
    def write(self, data: bytes) -> None:
        raise OSError("socket gone")


def test_a_failed_write_aborts_the_connection_and_is_reported() -> None:
    reported: list[BaseException] = []

    async def run() -> FailingTransport:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reported.append(context["exception"]))
        real = FailingTransport()
        _OneWriteTransport(real, loop).write(b"HTTP/1.1 200 OK\r\n\r\n")  # type: ignore[arg-type]
        await _one_step()
        return real

    assert asyncio.run(run()).aborted
    assert [type(e) for e in reported] == [OSError]


SENDSMS = "/api/services/sendsms?partnerID=1&apikey=k&shortcode=SHOP&mobile=254712345678&message="


def _request(target: bytes, headers: bytes = b"") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"


@pytest.mark.parametrize("before", [b"", b"\r\n", b"\r\n\r\n"])
def test_raw_utf8_in_a_query_is_read_as_the_provider_s_server_would(
    server: LiveServer, before: bytes
) -> None:
    """curl and PHP send an unencoded URL as given; the gateway's web server takes it,
    httptools alone answered a plain-text 400 the client would never see.  Empty lines
    before the request line are skipped (RFC 9112), here too."""
    with _connect(server) as sock:
        sock.sendall(before + _request((SENDSMS + "Asante’").encode()))
        ((status, body),) = _responses(sock, 1)
    assert status == 200
    assert b'"response-code":200' in body
    assert [m["text"] for m in server.messages()] == ["Asante’"]


def test_raw_utf8_in_a_path_gets_the_answer_its_percent_encoded_form_gets(
    server: LiveServer,
) -> None:
    answers = []
    for path in ("/v2/Messages/Mé".encode(), b"/v2/Messages/M%C3%A9"):
        with _connect(server) as sock:
            sock.sendall(_request(path, b"Authorization: Basic QUM6dG9r\r\n"))
            answers += _responses(sock, 1)
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert b'"ErrorCode":"MESSAGE_NOT_FOUND"' in answers[0][1]


def test_only_request_lines_are_escaped_on_a_kept_alive_connection(server: LiveServer) -> None:
    """A header's UTF-8 value stays as sent; the next request's line is escaped again."""
    with _connect(server) as sock:
        sock.sendall(_request((SENDSMS + "one").encode(), "X-Note: José\r\n".encode()))
        answers = _responses(sock, 1)
        sock.sendall(_request((SENDSMS + "två").encode()))
        answers += _responses(sock, 1)
    assert [status for status, _ in answers] == [200, 200]
    assert [m["text"] for m in server.messages()] == ["one", "två"]
    note = server.requests()[0]["request_headers"]["x-note"]
    assert note.encode("latin-1") == "José".encode()


def test_a_request_line_split_across_reads_is_escaped_in_each_part() -> None:
    emu = Emulator()
    line = _request((SENDSMS + "Asante’ sana").encode().replace(b" ", b"%20"))
    cut = line.index(b"\x80")  # inside the ’: its first byte in one read, the rest in the next
    (written,) = _protocol_writes(emu, b"\r\n", line[:cut], line[cut:])
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert [m["text"] for m in emu.messages()] == ["Asante’ sana"]


def test_a_request_line_whose_crlf_comes_in_the_next_read_leaves_its_headers_alone() -> None:
    """The next read's CRLF ends the line: it is no empty line before another one."""
    emu = Emulator()
    line = b"GET " + (SENDSMS + "hi").encode() + " HTTP/1.1\r\nX-Note: café\r\n\r\n".encode()
    end = line.index(b"\r\n")
    (written,) = _protocol_writes(emu, line[:end], line[end:])
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    note = emu.requests()[0]["request_headers"]["x-note"]
    assert note.encode("latin-1") == "café".encode()


H2C = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAA\r\n"
BALANCE = b'{"apikey": "k", "partnerID": "1234"}'


def _post(path: bytes, body: bytes, headers: bytes = b"") -> bytes:
    return (
        b"POST "
        + path
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + headers
    ) + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_a_request_asking_to_upgrade_to_h2c_is_read_with_its_body(server: LiveServer) -> None:
    """Java's HttpClient asks every http:// request to upgrade to h2c: the upgrade is
    ignored (RFC 9110 lets a server) and the request read as the HTTP/1.1 one it is."""
    with _connect(server) as sock:
        sock.sendall(_post(b"/api/services/getbalance/", BALANCE, H2C))
        answers = _responses(sock, 1)
        sock.sendall(_post(b"/api/services/getbalance/", BALANCE, H2C))  # the same connection
        answers += _responses(sock, 1)
    for status, body in answers:
        assert status == 200
        assert b'"response-code":200' in body and b'"partner-id":"1234"' in body
    journaled = server.requests()[0]
    assert journaled["request_headers"]["upgrade"] == "h2c"
    assert journaled["request_body"] == BALANCE.decode()


def test_an_upgrade_request_s_chunked_body_is_read_across_reads() -> None:
    emu = Emulator()
    head = (
        b"POST /api/services/getbalance/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + H2C
        + b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BALANCE), BALANCE)
    (answer,) = _protocol_writes(emu, head, chunked[:7], chunked[7:])
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'"partner-id":"1234"}')
    assert emu.requests()[0]["request_body"] == BALANCE.decode()


def test_a_bodiless_upgrade_request_then_the_next_request_on_its_connection(
    server: LiveServer,
) -> None:
    health = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    with _connect(server) as sock:
        sock.sendall(health + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        answers = _responses(sock, 1)
        sock.sendall(_post(b"/api/services/getbalance/", BALANCE))
        answers += _responses(sock, 1)
    assert [status for status, _ in answers] == [200, 200]
    assert b'"partner-id":"1234"' in answers[1][1]


def test_hundreds_of_pipelined_upgrade_requests_in_one_read_are_all_answered(
    server: LiveServer,
) -> None:
    health = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + H2C + b"\r\n"
    with _connect(server) as sock:
        sock.sendall(health * 600)
        answers = _responses(sock, 600)
    assert {status for status, _ in answers} == {200}


def test_a_pipelined_request_s_body_arriving_later_is_not_taken_for_a_request_line(
    server: LiveServer,
) -> None:
    body = '{"apikey": "k", "partnerID": "1234", "note": "Asante’"}'.encode()
    second = _post(b"/api/services/getbalance/", body)
    head, _, _ = second.partition(b"\r\n\r\n")
    with _connect(server) as sock:
        sock.sendall(_post(b"/api/services/getbalance/", BALANCE) + head + b"\r\n\r\n")
        answers = _responses(sock, 1)
        sock.sendall(body)
        answers += _responses(sock, 1)
    assert [status for status, _ in answers] == [200, 200]
    assert server.requests()[1]["request_body"] == body.decode()


def test_an_upgrade_request_with_a_transfer_encoding_llhttp_refuses_is_not_carried_out(
    server: LiveServer,
) -> None:
    """As without the Upgrade header: a 400 and a closed connection, nothing sent."""
    sendsms = b"/api/services/sendsms/?apikey=k&partnerID=1&shortcode=X&mobile=254712345678"
    request = b"POST " + sendsms + b"&message=hi HTTP/1.1\r\nHost: x\r\n" + H2C
    with _connect(server) as sock:
        sock.sendall(request + b"Transfer-Encoding: gzip\r\n\r\nabc")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 400 ")
    assert server.messages() == []


@pytest.mark.parametrize("expect", [b"", b"Expect: 100-continue\r\n"])
def test_a_ringcentral_body_declared_over_50_mb_is_413_before_any_of_it_comes(
    server: LiveServer, expect: bytes
) -> None:
    """As RingCentral's gateway (``x-request-max-body-size: 50m``) does: refused on its
    Content-Length, without a ``100 Continue`` inviting the upload or a wait for it."""
    token = httpx.post(
        server.url + "/restapi/oauth/token",
        auth=("client-id", "client-secret"),
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "j"},
    ).json()["access_token"]
    head = (
        b"POST /restapi/v1.0/account/~/a2p-sms/batches HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\n" + expect + b"Content-Length: 62914560\r\n\r\n"
    )
    with _connect(server) as sock:
        sock.sendall(head)  # and not one byte of the body
        if expect:  # it sends none: closed, or the next request would be read as body
            answer = _until_closed(sock)
            assert b"\r\nconnection: close\r\n" in answer.lower()
        else:  # it would be sending it: left open for the server to skip it
            answer = b""
            while b"AGW-413" not in answer:
                data = sock.recv(65536)
                assert data, answer
                answer += data
            assert b"connection: close" not in answer.lower()
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"errorCode":"AGW-413"' in answer
    assert server.messages() == []


def test_a_client_sending_a_body_over_50_mb_reads_the_413_and_keeps_its_connection(
    server: LiveServer,
) -> None:
    """A client that sends the whole body before reading (most do) gets the 413, not a
    reset connection, and its next request on the same connection is answered."""
    body = b" " * (60 * 1024 * 1024)
    with _connect(server) as sock:
        sock.sendall(_post(b"/restapi/v1.0/account/~/a2p-sms/batches", body) + HEALTH)
        (refused, health) = _responses(sock, 2)
    assert refused[0] == 413 and b"AGW-413" in refused[1]
    assert health[0] == 200


DELAYED = {
    "faults": [{"when": {"provider": "sendbulk"}, "calls": [1], "respond": {"delay": "1000s"}}]
}
SMS_FIELDS = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "mobile": "254712345601"}


def _delayed_request(live: LiveServer) -> tuple[threading.Thread, list[BaseException]]:
    """A sendsms request held by a 1000 s delay fault, its client waiting for ever."""
    seen: list[BaseException] = []

    def send() -> None:
        try:
            httpx.post(
                f"{live.url}/api/services/sendsms",
                json={**SMS_FIELDS, "message": "old"},
                timeout=None,
            )
        except httpx.HTTPError as exc:
            seen.append(exc)

    sender = threading.Thread(target=send, daemon=True)  # never left holding the process
    sender.start()
    deadline = time.monotonic() + 30
    while not live.emulator.delays._waiting:  # real-time ok: until the request waits
        assert time.monotonic() < deadline and sender.is_alive(), f"never delayed: {seen}"
        time.sleep(0.01)  # real-time ok
    return sender, seen


def test_a_reset_drops_a_request_held_by_a_delay_at_once() -> None:
    """Not after the delay: the next test, for which the fixture reset, goes on."""
    with LiveServer(Emulator(DELAYED)) as live:
        sender, seen = _delayed_request(live)
        live.reset()
        sender.join(timeout=30)  # the delay is 1000 s
        assert not sender.is_alive()
        assert [type(e) for e in seen] == [httpx.RemoteProtocolError]  # closed, unanswered
        assert live.messages() == []


def test_stopping_a_live_server_drops_a_request_held_by_a_delay_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A suite whose last test timed out on a delay does not end late waiting for it."""
    monkeypatch.setattr(serving, "GRACEFUL_SHUTDOWN", 1000)  # a wait would show as a hang
    live = LiveServer(Emulator(DELAYED)).start()
    server = live._server
    sender, seen = _delayed_request(live)
    live.stop()
    sender.join(timeout=30)
    assert server is not None and not server.force_exit  # it stopped without being cut
    assert [type(e) for e in seen] == [httpx.RemoteProtocolError]


def test_an_emulator_a_live_server_served_still_waits_out_delays_in_process() -> None:
    """A stop drops the requests held then; the emulator's later ones, in-process, wait."""
    emu = Emulator({"faults": [{"when": {"provider": "sendbulk"}, "respond": {"delay": "1ms"}}]})
    LiveServer(emu).start().stop()
    with emu.client() as client:  # real-time ok: a 1 ms delay
        response = client.post("/api/services/sendsms", json={**SMS_FIELDS, "message": "x"})
    assert response.status_code == 200
    assert [m["text"] for m in emu.messages()] == ["x"]
    emu.close()


def _health(host: str, port: int) -> int:
    return httpx.get(f"http://{host}:{port}/_emulator/health", timeout=5).status_code


def test_a_live_server_on_localhost_answers_on_both_loopback_addresses() -> None:
    # Node 17+ resolves localhost to ::1 first: an IPv4-only server refuses it.
    with LiveServer(Emulator(), host="localhost") as server:
        assert server.url == f"http://localhost:{server.port}"
        assert _health("127.0.0.1", server.port) == 200
        if ipv6_loopback():
            assert _health("[::1]", server.port) == 200


def _listening_on_ipv6_only() -> socket.socket:
    """A socket listening on ::1 at a port that nothing holds on 127.0.0.1. The system
    picks a free port for ::1 without a look at IPv4, where another socket may have it
    (a connection's end, or one closed and still in TIME_WAIT): the IPv4 half would be
    refused instead, and the port still taken there afterwards."""
    for _ in range(50):
        other = socket.socket(socket.AF_INET6)
        other.bind(("::1", 0))
        other.listen()
        with socket.socket(socket.AF_INET) as probe:
            try:
                probe.bind(("127.0.0.1", other.getsockname()[1]))  # and let go at once
            except OSError:
                other.close()
                continue
        return other
    raise OSError(errno.EADDRINUSE, "no port on ::1 that is free on 127.0.0.1 too")


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_localhost_whose_port_is_taken_on_one_address_is_refused_and_holds_neither() -> None:
    from emulator.testing.server import bind_sockets

    with _listening_on_ipv6_only() as other:
        port = other.getsockname()[1]
        with pytest.raises(OSError) as refused:
            bind_sockets("localhost", port)
        assert refused.value.errno == errno.EADDRINUSE
    with socket.socket(socket.AF_INET) as again:  # the IPv4 half was let go
        again.bind(("127.0.0.1", port))


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_a_live_server_on_an_ipv6_address_has_a_url_with_it_in_brackets() -> None:
    with LiveServer(Emulator(), host="::1") as server:
        assert server.url == f"http://[::1]:{server.port}"
        with server.client() as client:
            assert client.get("/_emulator/health").status_code == 200


def test_any_other_host_gets_one_socket_as_before() -> None:
    from emulator.testing.server import bind_sockets

    sockets = bind_sockets("127.0.0.1", 0)
    try:
        assert [sock.getsockname()[0] for sock in sockets] == ["127.0.0.1"]
    finally:
        for sock in sockets:
            sock.close()


def test_a_request_whose_client_timed_out_is_journaled_as_answered_to_no_one() -> None:
    """A delay fault held it past the client's timeout: processed (the message is kept,
    as the provider would), its answer sent to no one, and the journal says so."""
    delayed = {
        "faults": [{"when": {"provider": "sendbulk"}, "calls": [1], "respond": {"delay": "0.5s"}}]
    }
    with LiveServer(Emulator(delayed)) as live:
        url = f"{live.url}/api/services/sendsms"
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url, json={**SMS_FIELDS, "message": "gave up"}, timeout=0.1)
        deadline = time.monotonic() + 30
        while not live.requests():  # real-time ok: the delay is wall-clock time
            assert time.monotonic() < deadline, "the delayed request never finished"
            time.sleep(0.05)  # real-time ok
        [entry] = live.requests()
        assert entry["status"] == 200
        assert entry["error"] == (
            "client disconnected before the answer: request processed, answer not sent"
        )
        assert [m["text"] for m in live.messages()] == ["gave up"]
        # read to the end, then closed as asked: no one left early
        closing = {"Connection": "close"}
        sent = httpx.post(url, json={**SMS_FIELDS, "message": "read"}, headers=closing)
        assert sent.status_code == 200
        assert [e["error"] for e in live.requests()] == [entry["error"], None]


def test_a_client_leaving_with_a_request_pipelined_behind_the_delayed_one_is_noted() -> None:
    """uvicorn marks only a connection's newest request as left: the one being answered,
    with another read behind it, was journaled as answered."""
    delayed = {
        "faults": [{"when": {"provider": "sendbulk"}, "calls": [1], "respond": {"delay": "0.5s"}}]
    }
    with LiveServer(Emulator(delayed)) as live:
        requests = b""
        for text in ("first", "second"):
            body = json.dumps({**SMS_FIELDS, "message": text}).encode()
            requests += (
                b"POST /api/services/sendsms HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
        with socket.create_connection((live.host, live.port)) as sock:
            sock.sendall(requests)
            time.sleep(0.2)  # real-time ok: both read, the first held by its delay
        deadline = time.monotonic() + 30
        while not live.requests():  # real-time ok: the delay is wall-clock time
            assert time.monotonic() < deadline, "the delayed request never finished"
            time.sleep(0.05)  # real-time ok
        first = live.requests()[0]
        assert (first["request_body"].count("first"), first["status"]) == (1, 200)
        assert first["error"] == (
            "client disconnected before the answer: request processed, answer not sent"
        )
        assert "first" in [m["text"] for m in live.messages()]  # processed, as the provider would


@pytest.mark.parametrize("missing", [errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT])
def test_localhost_without_ipv6_listens_on_127_0_0_1_alone(
    monkeypatch: pytest.MonkeyPatch, missing: int
) -> None:
    from emulator.testing import server as live_server

    bind = live_server.bind_socket

    def no_ipv6(host: str, port: int = 0) -> socket.socket:
        if host == "::1":
            raise OSError(missing, "no IPv6 here")
        return bind(host, port)

    monkeypatch.setattr(live_server, "bind_socket", no_ipv6)
    sockets = live_server.bind_sockets("localhost", 0)
    try:
        assert [sock.getsockname()[0] for sock in sockets] == ["127.0.0.1"]
        assert sockets[0].fileno() != -1  # the one kept is open and listening
    finally:
        for sock in sockets:
            sock.close()


def _post_raw(sock: socket.socket, path: str, body: bytes, headers: bytes = b"") -> bytes:
    """One keep-alive request over a raw socket (no client of ours in the count)."""
    head = b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" % path.encode()
    sock.sendall(head + headers + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head_bytes.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return head_bytes.split(b"\r\n")[0]


def test_a_live_server_s_requests_leave_nothing_for_the_cyclic_gc() -> None:
    """Each request's objects go when it ends: a reference cycle (a scope holding what
    holds the scope) would leave thousands to the collector, whose passes then stall
    the server (BENCHMARKS.md, third and twentieth passes)."""
    import base64
    import gc

    sendbulk = json.dumps({**SMS_FIELDS, "message": "x"}).encode()
    fone = json.dumps({"Messages": [{"To": "+61412345678", "Text": "x"}] * 3}).encode()
    auth = b"Authorization: Basic %s\r\n" % base64.b64encode(b"AC1:token")
    fone_path = "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/BatchMessages"
    with LiveServer(Emulator()) as live, socket.create_connection(("127.0.0.1", live.port)) as s:

        def both() -> None:
            assert _post_raw(s, "/api/services/sendsms", sendbulk).endswith(b" 200 OK")
            assert _post_raw(s, fone_path, fone, auth).endswith(b" 200 OK")

        for _ in range(20):  # warm: caches, lazily built tables
            both()
        gc.collect()
        gc.disable()
        try:
            for _ in range(200):
                both()
            assert gc.collect() == 0
        finally:
            gc.enable()
