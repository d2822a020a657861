"""The app around the providers: path normalising, JSON 404s, the request journal."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from testing._messages import store_message

from emulator import Emulator
from emulator.core.journal import BODY_LIMIT
from emulator.providers import base
from emulator.providers.base import DropConnection
from emulator.providers.ringcentral.routes import MAX_BODY
from emulator.testing.server import LiveServer


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Emulator()) as live:
        yield live


@pytest.fixture
def live(server: LiveServer) -> LiveServer:
    server.reset()
    return server


def raw_request(server: LiveServer, request_line: str, body: bytes = b"") -> tuple[int, dict]:
    """Send exactly ``request_line`` over a socket (no client rewrites the path)."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        head = (
            f"{request_line}\r\nHost: {server.host}\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    header_block, _, payload = data.partition(b"\r\n\r\n")
    status = int(header_block.split(b" ", 2)[1])
    headers = dict(
        line.decode("latin-1").lower().split(": ", 1) for line in header_block.split(b"\r\n")[1:]
    )
    assert headers["content-type"].startswith("application/json")
    return status, json.loads(payload)


@pytest.mark.parametrize(
    "path",
    [
        "/_emulator/health",
        "//_emulator/health",
        "/_emulator//health",
        "/_emulator/health/",
        "//_emulator//health//",
        "///_emulator///health///",
    ],
)
def test_paths_are_normalised_before_routing(live: LiveServer, path: str) -> None:
    status, body = raw_request(live, f"GET {path} HTTP/1.1")
    assert status == 200
    assert body["status"] == "ok"


def test_normalised_path_with_query_string(live: LiveServer) -> None:
    status, body = raw_request(live, "GET //_emulator//messages/?status=bogus HTTP/1.1")
    assert status == 400  # routed to /_emulator/messages, which read the query
    assert "bogus" in body["error"]


@pytest.mark.parametrize("path", ["/nope", "/", "//", "/nope/deeper/", "/_emulatorx/health"])
def test_unknown_top_level_path_is_a_json_404(live: LiveServer, path: str) -> None:
    status, body = raw_request(live, f"GET {path} HTTP/1.1")
    assert status == 404
    assert body["error"] == "not_found"


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/restapi", b'"errorCode":"AGW-404"'),
        ("/v2/", b'"ResponseStatus"'),
        ("/V2", b'"ResponseStatus"'),  # its mount matches in any case, bare too
        ("//api/services", b'"response-code":4093'),
    ],
)
def test_a_bare_provider_prefix_gets_that_providers_404(
    live: LiveServer, path: str, marker: bytes
) -> None:
    response = httpx.get(live.url + path)
    assert response.status_code == 404
    assert marker in response.content.replace(b" ", b"")


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_unknown_path_with_any_method_is_a_json_404(live: LiveServer, method: str) -> None:
    status, body = raw_request(live, f"{method} /nope HTTP/1.1", b'{"a": 1}')
    assert status == 404
    assert body == {"error": "not_found", "message": "No emulated API at /nope"}


@pytest.mark.parametrize("path", ["/V2x/y", "/RESTAPIx", "/restapix/v1.0"])
def test_a_path_only_starting_like_a_provider_s_is_a_404_for_the_path_sent(
    live: LiveServer, path: str
) -> None:
    """``/V2/...`` is Fone Dynamics' in any case; ``/V2x/...`` is no provider's, and its
    404 names the path as it was sent, not with a provider's prefix lower-cased."""
    status, body = raw_request(live, f"GET {path} HTTP/1.1")
    assert status == 404
    assert body == {"error": "not_found", "message": f"No emulated API at {path}"}


@pytest.mark.parametrize("path", ["/_emulator", "/_emulator/", "//_emulator//"])
def test_admin_root_answers_its_index_without_a_redirect_loop(live: LiveServer, path: str) -> None:
    status, body = raw_request(live, f"GET {path} HTTP/1.1")
    assert status == 200
    assert body["admin"]["health"] == "/_emulator/health"


def test_in_process_normalises_too() -> None:
    emu = Emulator()
    with emu.client() as client:
        # httpx would read "//x" as a host, so give the raw path explicitly.
        url = httpx.URL("http://sms-emulator.test/_emulator//health/")
        assert client.get(url).json()["status"] == "ok"
        assert client.get("/_emulator/health/").status_code == 200
        response = client.get("/definitely/not/here")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
    emu.close()


@pytest.mark.parametrize(
    ("method", "path", "body", "marker"),
    [
        (
            "POST",
            "/restapi/v1.0/account/~/a2p-sms/batches%0A",
            b'{"from":"+16505550100","text":"hi","messages":[{"to":["+14155550100"]}]}',
            b'"errorCode":"AGW-404"',
        ),
        (
            "POST",
            "/v2/Properties/P1/Messages%0A",
            b'{"From":"+61400000000","To":"+61400000001","Text":"hi"}',
            b'"ErrorCode":"NOT_FOUND"',
        ),
        (
            "POST",
            "/api/services/sendsms%0A",
            b'{"apikey":"k","partnerID":"1","shortcode":"S","mobile":"0712345678","message":"hi"}',
            b'"response-code":4093',
        ),
        ("GET", "/_emulator/health%0A", b"", b'"see":"/_emulator/"'),
        ("GET", "/_emulator/messages/x%0A", b"", b"no message 'x\\\\n'"),
    ],
)
def test_a_path_ending_in_an_encoded_line_feed_is_not_the_path_without_it(
    sms_emulator: Emulator, method: str, path: str, body: bytes, marker: bytes
) -> None:
    """Python's ``$`` matches before a final line feed: ``/batches%0A`` was ``/batches``."""
    bearer = _rc_bearer(sms_emulator)
    headers = {"Authorization": bearer, "Content-Type": "application/json"}
    if path.startswith("/v2"):
        headers["Authorization"] = "Basic QUM6dG9r"  # AC:tok
    with sms_emulator.client() as client:
        response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == 404
    assert marker in response.content
    assert sms_emulator.messages() == []


def _rc_bearer(emu: Emulator) -> str:
    with emu.client() as client:
        response = client.post(
            "/restapi/oauth/token",
            auth=("id", "secret"),
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "j"},
        )
    return f"Bearer {response.json()['access_token']}"


def test_journal_records_provider_requests_but_not_admin_calls(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        client.get("/_emulator/health")
        client.post("/nope/x?a=1&to=+1", content=b"hello", headers={"X-Test": "1"})
        client.get("/_emulator/messages")
        client.get("/_emulator/requests")
        entries = client.get("/_emulator/requests").json()["requests"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["method"] == "POST"
    assert entry["path"] == "/nope/x"
    assert entry["query"] == "a=1&to=+1"
    assert entry["request_body"] == "hello"
    assert entry["request_size"] == 5
    assert entry["request_headers"]["x-test"] == "1"
    assert entry["status"] == 404
    assert json.loads(entry["response_body"])["error"] == "not_found"
    assert entry["response_headers"]["content-type"] == "application/json"
    assert entry["provider"] is None
    assert entry["error"] is None
    assert entry["time"] == "2026-01-01T00:00:00.000000Z"
    assert isinstance(entry["id"], int)


def test_journal_names_the_provider_whose_paths_were_called(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        client.get("/restapi/v1.0/nothing-here")
        client.get("/v2/nothing-here")
        client.get("/api/services/nothing-here")
        entries = client.get("/_emulator/requests").json()["requests"]
    assert [e["provider"] for e in entries] == ["ringcentral", "fonedynamics", "sendbulk"]
    # provider 404s stay inside the provider (their shape), never 500
    assert all(e["status"] == 404 for e in entries)


def test_journal_keeps_the_path_as_the_client_sent_it(live: LiveServer) -> None:
    """Routed normalised, journaled as received: a trailing slash is one client's habit."""
    sent = ["/api/services/getbalance/", "//restapi//v1.0/nothing", "/V2/Messages/MX"]
    with httpx.Client(base_url=live.url) as client:
        for path in sent:
            client.get(live.url + path)
        entries = client.get("/_emulator/requests").json()["requests"]
    assert [e["path"] for e in entries] == sent
    assert [e["provider"] for e in entries] == ["sendbulk", "ringcentral", "fonedynamics"]


def test_journal_keeps_large_bodies_truncated(live: LiveServer) -> None:
    body = b"x" * 200_000
    with httpx.Client(base_url=live.url) as client:
        client.post("/nope", content=body)
        entry = client.get("/_emulator/requests").json()["requests"][-1]
    assert entry["request_size"] == 200_000
    assert 0 < len(entry["request_body"]) < 200_000


def test_journal_cuts_bodies_that_came_in_one_piece_to_its_limit_too() -> None:
    """In-process a body arrives in one piece, and an answer leaves in one: each is
    kept up to the journal's 64 KiB, as one read from a socket in parts is."""
    emu = Emulator()
    long_path = "/nope/" + "%01" * 12_000  # echoed in the 404's message, \u0001 each
    with emu.client() as client:
        client.post("/nope", content=b"y" * 200_000)
        assert len(client.get(long_path).content) > BODY_LIMIT
    posted, answered = emu.requests()
    emu.close()
    assert (posted["request_size"], len(posted["request_body"])) == (200_000, BODY_LIMIT)
    assert len(answered["response_body"]) == BODY_LIMIT


def test_journal_keeps_no_answer_body_for_head_as_the_client_got_none(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        got = client.head("/nope/x")
        entry = client.get("/_emulator/requests").json()["requests"][-1]
    assert (got.status_code, got.content) == (404, b"")
    assert (entry["method"], entry["status"], entry["response_body"]) == ("HEAD", 404, "")
    # the headers as sent: the length a GET's body would have
    assert entry["response_headers"]["content-length"] == got.headers["content-length"] != "0"


def test_journal_keeps_the_first_of_a_repeated_request_header() -> None:
    """The one a request is read by (as Starlette's ``headers.get``)."""
    emu = Emulator()
    with emu.client() as client:
        client.get("/nope", headers=[("X-Twice", "first"), ("X-Twice", "second")])
    entry = emu.requests()[-1]
    emu.close()
    assert entry["request_headers"]["x-twice"] == "first"


def test_a_body_of_exactly_the_provider_limit_is_read_and_journaled() -> None:
    """RingCentral's gateway refuses a body over 50 MB unread; one of exactly 50 MB is
    a request like any other, journaled with its size."""
    emu = Emulator()
    with emu.client() as client:
        response = client.post("/restapi/v1.0/nothing", content=b"x" * MAX_BODY)
    entry = emu.requests()[-1]
    emu.close()
    assert response.status_code == 404  # not 413: routed, as a body under the limit is
    assert (entry["request_size"], len(entry["request_body"])) == (MAX_BODY, BODY_LIMIT)


@pytest.mark.parametrize(
    "path",
    [
        "/api/services/sendbulk",
        "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/BatchMessages",
        "/restapi/v1.0/account/~/a2p-sms/batches",
        "/_emulator/inbound",
    ],
)
def test_a_client_leaving_mid_body_is_journaled_as_such_and_logs_no_error(
    live: LiveServer, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """It was journaled as a 500 (or sendbulk's 1007 "emulator bug") that was never
    sent, with a traceback in the server's log."""
    caplog.set_level("ERROR")
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            'Content-Length: 1000\r\n\r\n{"messages": ['.encode()
        )
    with httpx.Client(base_url=live.url) as client:
        deadline = time.monotonic() + 10
        while True:  # real-time ok: the server sees the disconnect on its own loop
            entries = client.get("/_emulator/requests").json()["requests"]
            done = [e for e in entries if e["path"] == path]
            if done or path.startswith("/_emulator") or time.monotonic() > deadline:
                break
            time.sleep(0.02)  # real-time ok: polled with a deadline
        assert client.get("/_emulator/messages").json()["messages"] == []
    if not path.startswith("/_emulator"):  # the admin API is not journaled
        (entry,) = done
        assert (entry["status"], entry["error"]) == (None, "client disconnected")
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/v2/Messages/MNOPE", 401, "ResponseStatus"),
        ("/api/services/getbalance", 200, "response-code"),
        ("/restapi/v1.0/account/~/a2p-sms/batches", 401, "errorCode"),
    ],
)
def test_a_websocket_upgrade_is_answered_by_the_provider_and_journaled(
    live: LiveServer, path: str, status: int, field: str
) -> None:
    """No provider speaks WebSocket: uvicorn answered an empty 403 and nothing was journaled."""
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert int(head.split(b" ", 2)[1]) == status
    assert field in json.loads(payload)
    with httpx.Client(base_url=live.url) as client:
        journaled = [e["path"] for e in client.get("/_emulator/requests").json()["requests"]]
    assert path in journaled


@pytest.mark.parametrize("mode", ["in-process", "live"])
def test_every_answer_has_one_date_header_from_the_emulator_clock(mode: str) -> None:
    """The same Date in every mode: the virtual clock's, not the wall clock's, and no Server."""
    emu = Emulator(clock="virtual")
    with LiveServer(emu) as server:
        client = server.client() if mode == "live" else emu.client()
        with client:
            paths = [
                "/api/services/getbalance?apikey=x&partnerID=1",  # a provider
                "/_emulator/health",  # the admin API
                "/nowhere",  # the JSON 404
            ]
            for path in paths:
                response = client.get(path)
                assert response.headers.get_list("date") == ["Thu, 01 Jan 2026 00:00:00 GMT"]
                assert "server" not in response.headers
            emu.advance("36h")
            later = client.get(paths[0])
            assert later.headers["date"] == "Fri, 02 Jan 2026 12:00:00 GMT"
    emu.close()


def _call_in_two_parts(
    emu: Emulator, http_scope: Callable[..., dict], path: str, payload: bytes, between
) -> None:
    """Call the app directly; ``between()`` runs after the body's first part arrived."""
    parts = [payload[:10], payload[10:]]

    async def receive() -> dict:
        if len(parts) == 1:
            between()
        return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}

    async def send(message: dict) -> None:
        pass

    scope = http_scope(path, [(b"host", b"x"), (b"content-type", b"application/json")])
    asyncio.run(emu.app(scope, receive, send))


def _creator(emu: Emulator, message_id: str) -> dict | None:
    with emu.client() as client:
        return client.get(f"/_emulator/messages/{message_id}").json()["message"].get("request")


def test_a_request_whose_body_straddles_a_reset_is_dropped_not_stored(http_scope) -> None:
    """It belongs to the state it arrived in (the test before): nothing of it may land
    in the fresh one, where the next test would find a message it never sent."""
    emu = Emulator(clock="virtual")
    credentials = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP"}
    payload = json.dumps({**credentials, "mobile": "254712345601", "message": "old"}).encode()
    with pytest.raises(DropConnection):  # what the server turns into a closed connection
        _call_in_two_parts(emu, http_scope, "/api/services/sendsms", payload, emu.reset)
    assert emu.messages() == []
    assert emu.requests() == []
    with emu.client() as client:
        body = {**credentials, "mobile": "254712345602", "message": "new"}
        client.post("/api/services/sendsms", json=body)
    (message,) = emu.messages()
    fresh = Emulator(clock="virtual")
    fresh.client().post("/api/services/sendsms", json=body)
    assert message["id"] == fresh.messages()[0]["id"]  # ids start again, as in a fresh one
    assert _creator(emu, message["id"])["id"] == emu.requests()[0]["id"]
    emu.close()


@pytest.mark.parametrize("provider", ["ringcentral", "fonedynamics", "sendbulk"])
def test_a_reset_between_a_request_s_checks_and_its_writes_drops_it(
    monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    """Authorised (by a token, a balance) in the state before, it must not write into the
    one after: the writes check when the request arrived, under the store's hold."""
    emu = Emulator(clock="virtual")
    client = emu.client()
    headers: dict[str, str] = {}
    if provider == "ringcentral":
        login = {"grant_type": "password", "username": "u", "password": "p"}
        token = client.post("/restapi/oauth/token", auth=("a", "b"), data=login).json()
        headers["Authorization"] = f"Bearer {token['access_token']}"
    transaction, resets = emu.transaction, []

    def reset_first() -> Any:
        if not resets:  # another thread's reset, just before this request writes
            resets.append(threading.Thread(target=emu.reset))
            resets[0].start()
            resets[0].join()
        return transaction()

    monkeypatch.setattr(emu, "transaction", reset_first)
    path, body = {
        "ringcentral": (
            "/restapi/v1.0/account/~/a2p-sms/batches",
            {"from": "+16505550100", "text": "hi", "messages": [{"to": ["+14155550100"]}]},
        ),
        "fonedynamics": ("/v2/Properties/P1/Messages", {"To": "+61412345678", "Text": "hi"}),
        "sendbulk": (
            "/api/services/sendsms",
            {
                "partnerID": "1",
                "apikey": "k",
                "shortcode": "S",
                "mobile": "0712345678",
                "message": "hi",
            },
        ),
    }[provider]
    auth = ("AC1", "tok") if provider == "fonedynamics" else None
    with pytest.raises(DropConnection):
        client.post(path, json=body, headers=headers, auth=auth)
    assert resets and emu.messages() == [] and emu.requests() == []
    emu.close()


def _watch_the_store_hold(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set when another thread has to wait for the store's hold."""
    lock, waiting = emu.store._lock, threading.Event()

    class Watched:
        def __enter__(self) -> None:
            if not lock.acquire(blocking=False):
                waiting.set()
                lock.acquire()

        def __exit__(self, *exc: object) -> None:
            lock.release()

    monkeypatch.setattr(emu.store, "_lock", Watched())
    return waiting


@pytest.mark.parametrize(
    "scenario, then",
    [
        ({"rate_limits": {"sendbulk": {"requests": 1, "per": "60s"}}}, 200),
        (
            {
                "faults": [
                    {"when": {"provider": "sendbulk"}, "calls": [1], "respond": {"status": 503}}
                ]
            },
            503,
        ),
    ],
    ids=["rate-limit-token", "fault-call"],
)
def test_a_request_a_reset_overtakes_as_it_is_counted_counts_in_the_state_before(
    monkeypatch: pytest.MonkeyPatch, scenario: dict, then: int
) -> None:
    """A reset from another thread landing as a request takes its rate-limit token and
    its call is counted for the scenario's faults: neither may count in the fresh state,
    where the next test's first request would meet a bucket short of a token or a fault
    meant for it already spent."""
    emu = Emulator(scenario, clock="virtual")
    waiting = _watch_the_store_hold(emu, monkeypatch)
    take, resets = emu.rate_limit, []

    def reset_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not resets:  # the reset runs, or waits for the hold, before the token is taken
            resets.append(threading.Thread(target=lambda: (emu.reset(), waiting.set())))
            resets[0].start()
            assert waiting.wait(10)
        return take(*args, **kwargs)

    monkeypatch.setattr(emu, "rate_limit", reset_meanwhile)
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
    with emu.client() as client:
        try:  # answered before the reset, or dropped after it: the state before either way
            client.post("/api/services/sendsms", json={**body, "message": "a"})
        except DropConnection:
            pass
        resets[0].join(10)
        assert emu.messages() == []
        answer = client.post("/api/services/sendsms", json={**body, "message": "b"})
    assert answer.status_code == then
    emu.close()


def test_a_reset_as_a_request_is_journaled_leaves_no_entry_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answered in the state before a reset (another thread's, landing as its exchange is
    written down), a request must not show in the fresh journal, where it would also take
    the next test's first id: its check and its entry fall wholly before the reset."""
    emu = Emulator(clock="virtual")
    waiting = _watch_the_store_hold(emu, monkeypatch)
    record, resets = emu.journal.record_exchange, []

    def reset_meanwhile(**entry: Any) -> None:
        if not resets:  # the reset runs, or waits for the hold, before the entry is made
            resets.append(threading.Thread(target=lambda: (emu.reset(), waiting.set())))
            resets[0].start()
            assert waiting.wait(10)
        record(**entry)

    monkeypatch.setattr(emu.journal, "record_exchange", reset_meanwhile)
    body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
    with emu.client() as client:
        assert client.post("/api/services/sendsms", json={**body, "message": "a"}).is_success
        resets[0].join(10)
        assert emu.messages() == [] and emu.requests() == []
        client.post("/api/services/sendsms", json={**body, "message": "b"})
    assert [r["id"] for r in emu.requests()] == [1]  # numbered as on a fresh emulator
    emu.close()


def test_the_app_completes_an_asgi_servers_lifespan_handshake() -> None:
    """``emu.app`` served by an ASGI server of one's own (uvicorn's default lifespan
    "auto" sends these): started and stopped, not an error for a scope it has no route for."""
    emu = Emulator(clock="virtual")
    events = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return events.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    try:
        asyncio.run(emu.app(scope, receive, send))
    finally:
        emu.close()
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


def test_a_request_after_close_gets_no_answer_not_a_500(tmp_path) -> None:
    """A client thread still sending after ``close()`` meets a stopped server."""
    emu = Emulator(db=tmp_path / "closed.db")
    client = emu.client()
    emu.close()
    for method, path in [("POST", "/v2/Properties/P/Messages"), ("GET", "/_emulator/messages")]:
        with pytest.raises(httpx.RemoteProtocolError):
            client.request(method, path, auth=("A", "t"), json={"To": "+61412345678"})


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_emulator/clock", {"advance": "1h"}),
        ("POST", "/_emulator/clock", {"set": "2030-01-01T00:00:00Z"}),
        ("PUT", "/_emulator/scenario", {"name": "x"}),
        (
            "POST",
            "/_emulator/inbound",
            {"provider": "sendbulk", "from": "254712345678", "to": "SHOP", "text": "hi"},
        ),
    ],
)
def test_an_admin_request_closed_under_gets_no_answer_not_a_500(
    http_scope, method: str, path: str, body: dict
) -> None:
    """``close()`` landing while an admin request's body arrives (a client thread still
    running at teardown): it is dropped as one arriving after, and changes nothing."""
    emu = Emulator(clock="virtual")
    before = emu.time()
    parts = [json.dumps(body).encode()]
    sent: list[dict] = []

    async def receive() -> dict:
        emu.close()
        return {"type": "http.request", "body": parts.pop() if parts else b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = dict(http_scope(path, [(b"content-type", b"application/json")]), method=method)
    with pytest.raises(DropConnection):
        asyncio.run(emu.app(scope, receive, send))
    assert sent == []
    assert emu.time() == before
    assert emu.messages() == [] and emu.scenario.name != "x"


def test_an_admin_client_leaving_mid_body_gets_nothing_sent_and_changes_nothing(
    http_scope,
) -> None:
    """No one is left to answer: no 500 is written to the gone client, nothing is raised
    to the server (which would log it as an application error), and the scenario stays."""
    emu = Emulator(clock="virtual")
    parts = [{"type": "http.request", "body": b"name: half", "more_body": True}]
    sent: list[dict] = []

    async def receive() -> dict:
        return parts.pop() if parts else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = http_scope("/_emulator/scenario", [(b"content-type", b"application/yaml")])
    asyncio.run(emu.app(dict(scope, method="PUT"), receive, send))
    assert sent == []
    assert emu.scenario.name != "half"
    emu.close()


def test_a_client_leaving_mid_body_across_a_reset_is_not_journaled(http_scope) -> None:
    """Its client timed out in the test before: the fresh journal does not list it."""
    emu = Emulator(clock="virtual")
    parts = [{"type": "http.request", "body": b'{"partnerID": "1"', "more_body": True}]

    async def receive() -> dict:
        if parts:
            return parts.pop()
        emu.reset()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        raise AssertionError("no one to answer")

    scope = http_scope("/api/services/sendsms", [(b"content-type", b"application/json")])
    asyncio.run(emu.app(scope, receive, send))
    assert emu.requests() == []
    emu.close()


@pytest.mark.parametrize("reset_by", ["api", "admin"])
def test_a_request_held_by_a_delay_fault_across_a_reset_is_dropped(
    monkeypatch: pytest.MonkeyPatch, reset_by: str
) -> None:
    """A client that timed out on a ``delay`` leaves a request behind; the server fixture
    resets before the next test, and that request must not be processed into it."""
    fault = {"when": {"provider": "sendbulk"}, "calls": [1], "respond": {"delay": "1ms"}}
    emu = Emulator({"faults": [fault]}, clock="virtual")
    delaying, release = threading.Event(), threading.Event()
    apply_fault = base.apply_fault

    async def held(*args: Any, **kwargs: Any) -> Any:
        delaying.set()
        await asyncio.to_thread(release.wait, 10)
        return await apply_fault(*args, **kwargs)

    monkeypatch.setattr(base, "apply_fault", held)
    body = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "mobile": "254712345601"}
    errors: list[Exception] = []

    def send_old() -> None:
        try:
            emu.client().post("/api/services/sendsms", json={**body, "message": "old"})
        except httpx.RemoteProtocolError as exc:
            errors.append(exc)

    old = threading.Thread(target=send_old)
    old.start()
    assert delaying.wait(timeout=10)
    if reset_by == "api":
        emu.reset()
    else:
        assert emu.client().post("/_emulator/reset").status_code == 200
    release.set()
    old.join(timeout=10)
    assert len(errors) == 1  # dropped, as a closed connection
    assert emu.messages() == []
    assert emu.requests() == []
    new = emu.client().post("/api/services/sendsms", json={**body, "message": "new"}).json()
    assert [m["text"] for m in emu.messages()] == ["new"]
    assert [r["path"] for r in emu.requests()] == ["/api/services/sendsms"]
    assert new["responses"][0]["response-code"] == 200
    emu.close()


def test_close_drops_a_request_held_by_a_delay_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not after the delay (1000 s here): ``close()`` leaves no request waiting on it."""
    fault = {"when": {"provider": "sendbulk"}, "respond": {"delay": "1000s"}}
    emu = Emulator({"faults": [fault]})
    waiting = threading.Event()
    wait = emu.delays.wait

    async def noted(*args: Any, **kwargs: Any) -> bool:
        waiting.set()
        return await wait(*args, **kwargs)

    monkeypatch.setattr(emu.delays, "wait", noted)
    errors: list[Exception] = []

    def send() -> None:
        body = {"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "254712345601"}
        try:
            with emu.client(timeout=30) as client:
                client.post("/api/services/sendsms", json={**body, "message": "hi"})
        except httpx.HTTPError as exc:
            errors.append(exc)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    assert waiting.wait(timeout=10)
    emu.close()
    sender.join(timeout=10)
    (error,) = errors
    assert isinstance(error, httpx.RemoteProtocolError)  # dropped, unanswered


def test_a_refused_request_answered_meanwhile_is_no_creator(http_scope) -> None:
    """A message stored through the Python API while a 404 is being answered made by none."""
    emu = Emulator(clock="virtual")
    stored: list[str] = []

    def store_one() -> None:
        stored.append(store_message(emu, "+14155550100", "seeded").id)

    body = b'{"to": "+14155550100"}'
    _call_in_two_parts(emu, http_scope, "/restapi/v1.0/account/~/nowhere", body, store_one)
    assert emu.requests()[0]["status"] == 404
    assert _creator(emu, stored[0]) is None
    emu.close()
