"""A live or remote server's ``advance()`` and ``inbound()`` return once the webhooks they
made due were attempted, as in-process ones do: a test asserts on its receiver at once,
with no polling (the server's worker thread sends them); over HTTP, ``?wait=true``."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import types
from collections.abc import Iterator

import httpx
import pytest
from providers.receiver import Received, Receiver

from emulator import Emulator
from emulator.core.webhooks import WebhookQueue
from emulator.testing.remote import RemoteEmulator
from emulator.testing.server import LiveServer

ITEM = {
    "partnerID": "1",
    "apikey": "k",
    "pass_type": "plain",
    "mobile": "0722000001",
    "message": "Your order shipped",
    "shortcode": "SHOP",
}


@pytest.fixture
def receiver(webhook_receiver: Receiver) -> Receiver:
    return webhook_receiver


@pytest.fixture
def slow_receiver(receiver: Receiver) -> Receiver:
    """Takes 0.3 s over each request: a webhook is still on its way well after the
    worker took it."""

    def take_time(request: Received) -> None:
        time.sleep(0.3)  # real-time ok: a slow receiver, not a wait for a status

    receiver.on_request = take_time
    return receiver


@pytest.fixture
def release(receiver: Receiver) -> Iterator[threading.Event]:
    """The receiver keeps every request until this is set (at the latest, by the end)."""
    release = threading.Event()
    receiver.on_request = lambda request: release.wait(10) and None
    yield release
    release.set()


@pytest.fixture
def server(receiver: Receiver) -> Iterator[LiveServer]:
    scenario = {
        "providers": {
            "sendbulk": {
                "dlr_callback_url": receiver.url + "/dlr",
                "inbound_url": receiver.url + "/inbound",
            }
        }
    }
    with LiveServer(Emulator(scenario, clock="virtual")) as live:
        yield live
    live.emulator.close()


def send(server: LiveServer, count: int) -> None:
    smslist = [{**ITEM, "clientsmsid": i} for i in range(count)]
    answer = httpx.post(
        server.url + "/api/services/sendbulk", json={"count": count, "smslist": smslist}
    )
    assert [r["response-code"] for r in answer.json()["responses"]] == [200] * count


def attempts(server: LiveServer) -> list[tuple[int, bool]]:
    return [(a["attempt"], a["ok"]) for a in server.webhook_report()["attempts"]]


def test_a_live_servers_advance_returns_once_its_receipts_were_attempted(
    server: LiveServer, slow_receiver: Receiver
) -> None:
    send(server, 3)
    server.advance("1m")
    assert [r.path for r in slow_receiver.requests] == ["/dlr"] * 3
    assert attempts(server) == [(1, True)] * 3
    assert server.webhook_report()["pending"] == []


def test_retries_due_by_then_are_waited_for_too(server: LiveServer, receiver: Receiver) -> None:
    """After one long jump a failing receipt's retries are due at once (as in-process)."""
    receiver.statuses = [500, 500]
    send(server, 1)
    server.advance("1h")
    assert attempts(server) == [(1, False), (2, False), (3, True)]


def test_a_receipt_not_yet_due_is_not_waited_for(server: LiveServer, receiver: Receiver) -> None:
    send(server, 1)
    server.advance("1s")  # the receipt is due later
    assert receiver.requests == [] and len(server.webhook_report()["pending"]) == 1


def test_inbound_returns_once_its_webhook_was_attempted(
    server: LiveServer, slow_receiver: Receiver
) -> None:
    record = server.inbound("sendbulk", "0712345678", "40404", "STOP")
    assert [r.path for r in slow_receiver.requests] == ["/inbound"]
    assert b"STOP" in slow_receiver.requests[0].body and record["text"] == "STOP"
    assert attempts(server) == [(1, True)]


def test_a_wait_that_runs_out_warns_and_the_webhook_still_goes(
    server: LiveServer, release: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("emulator.testing.server.WAIT_LIMIT", 0.2)
    send(server, 1)
    with pytest.warns(RuntimeWarning, match=r"1 webhook\(s\) still due") as caught:
        server.advance("1m")
    assert caught[0].filename == __file__  # pointed at the test's own line
    assert len(server.webhook_report()["pending"]) == 1  # being sent
    release.set()
    assert server.emulator.webhooks.wait_sent(10) == 0
    assert attempts(server) == [(1, True)]


def test_from_a_coroutine_advance_leaves_the_loop_free_and_advance_async_waits(
    server: LiveServer, receiver: Receiver, release: threading.Event
) -> None:
    """The receiver holds the receipt until released: a wait for it would have ended
    with the attempt timed out (5 s) and listed as failed."""
    send(server, 2)

    async def main() -> None:
        server.advance("30s")  # one receipt due: not waited for, the loop may serve it
        assert attempts(server) == [] and receiver.requests == []
        release.set()
        await server.advance_async("30s")  # the other, with the first one
        assert attempts(server) == [(1, True)] * 2

    asyncio.run(main())


def test_from_a_coroutine_a_remote_emulators_advance_leaves_the_loop_free(
    server: LiveServer, receiver: Receiver, release: threading.Event
) -> None:
    """As a live server's: the receipt it made due is held by the receiver, and not
    waited for (which would last the attempt's 5 s timeout)."""
    send(server, 1)

    async def main(remote: RemoteEmulator) -> None:
        moved = remote.advance("30s")
        # a wait would have ended with the attempt timed out and listed as failed
        assert attempts(server) == [] and len(server.webhook_report()["pending"]) == 1
        assert moved == server.now

    with RemoteEmulator(server.url) as remote:
        asyncio.run(main(remote))
    release.set()


def test_the_admin_api_waits_when_asked(server: LiveServer, slow_receiver: Receiver) -> None:
    send(server, 1)
    with httpx.Client(base_url=server.url + "/_emulator") as admin:
        answer = admin.post("/clock", params={"wait": "true"}, json={"advance": "1m"})
        assert answer.status_code == 200
        assert answer.json()["webhooks_due"] == 0
        assert len(slow_receiver.requests) == 1
        body = {"provider": "sendbulk", "from": "0712345678", "to": "40404", "text": "hi"}
        answer = admin.post("/inbound", params={"wait": "1"}, json=body)
        assert answer.status_code == 201 and answer.json()["webhooks_due"] == 0
        assert [r.path for r in slow_receiver.requests] == ["/dlr", "/inbound"]
        # a webhook already due: a clock moved by nothing is a wait for it
        server.emulator.webhooks.schedule(
            server.time(), method="post", url=slow_receiver.url + "/now", provider="p"
        )
        answer = admin.post("/clock", params={"wait": "true"}, json={"seconds": 0})
        assert answer.status_code == 200 and answer.json()["webhooks_due"] == 0
        assert [r.path for r in slow_receiver.requests] == ["/dlr", "/inbound", "/now"]
        # without it, the answer does not wait, and says nothing of webhooks
        answer = admin.post("/inbound", json=body)
        assert answer.status_code == 201 and "webhooks_due" not in answer.json()


def test_the_admin_api_says_how_many_were_still_due_when_its_wait_ran_out(
    server: LiveServer, release: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("emulator.admin.routes.WAIT_LIMIT", 0.2)
    send(server, 2)
    answer = httpx.post(server.url + "/_emulator/clock?wait=true", json={"advance": "1m"})
    assert answer.json()["webhooks_due"] == 2


@pytest.mark.parametrize("path", ["/clock", "/inbound"])
@pytest.mark.parametrize("flag", ["yes", "", "True "])
def test_a_wait_flag_other_than_true_or_false_is_refused_before_anything_changes(
    server: LiveServer, path: str, flag: str
) -> None:
    before = server.time()
    body = (
        {"advance": "1m"}
        if path == "/clock"
        else {"provider": "sendbulk", "from": "0712345678", "to": "40404", "text": "hi"}
    )
    answer = httpx.post(f"{server.url}/_emulator{path}", params={"wait": flag}, json=body)
    assert answer.status_code == 400
    assert answer.json() == {"error": f"wait must be true or false, not {flag.lower()!r}"}
    assert server.time() == before and server.messages() == []


def test_a_remote_emulators_advance_and_inbound_wait_too(
    server: LiveServer, slow_receiver: Receiver
) -> None:
    send(server, 1)
    with RemoteEmulator(server.url) as remote:
        remote.advance("1m")
        assert [r.path for r in slow_receiver.requests] == ["/dlr"]
        remote.inbound("sendbulk", "0712345678", "40404", "STOP")
        assert [r.path for r in slow_receiver.requests] == ["/dlr", "/inbound"]
    assert attempts(server) == [(1, True)] * 2


def test_a_remote_emulators_wait_is_not_cut_by_its_own_http_timeout(
    server: LiveServer, slow_receiver: Receiver
) -> None:
    """The server may wait up to ``WAIT_LIMIT`` for the webhooks: the client's read
    timeout (here shorter than the receiver takes) is lengthened by that much."""
    send(server, 1)
    with RemoteEmulator(server.url, timeout=0.1) as remote:
        remote.advance("1m")
        assert [r.path for r in slow_receiver.requests] == ["/dlr"]


def test_in_sync_mode_there_is_nothing_to_wait_for(receiver: Receiver) -> None:
    """In-process, due webhooks went out before the call that made them due returned."""
    now = [0.0]
    queue = WebhookQueue(lambda: now[0])
    queue.schedule(5.0, method="post", url=receiver.url + "/later", provider="p")
    assert queue.wait_sent(10) == 0  # not due: nothing to wait for
    now[0] = 5.0
    queue.notify()
    assert [r.path for r in receiver.requests] == ["/later"] and queue.wait_sent(10) == 0


def test_an_auto_responder_simulating_a_reply_is_not_held_by_its_own_receipt(
    server: LiveServer, receiver: Receiver
) -> None:
    """A receiver that calls ``inbound()`` while it handles a receipt: the wait would be
    on the very attempt waiting for the receiver's answer. It stops waiting after a
    short grace (``SENDING_GRACE``), the receipt is answered in time, and the reply's
    own webhook follows it, as in-process."""
    took: list[float] = []

    def reply_to_receipts(request: Received) -> None:
        if request.path == "/dlr":
            started = time.monotonic()
            server.inbound("sendbulk", "0722000001", "40404", "STOP")
            took.append(time.monotonic() - started)

    receiver.on_request = reply_to_receipts
    send(server, 1)
    server.advance("1m")
    assert [r.path for r in receiver.requests] == ["/dlr", "/inbound"]
    assert attempts(server) == [(1, True), (1, True)]
    assert took and took[0] < 3  # well inside the receipt's 5 s timeout


@pytest.mark.parametrize("through", ["live", "remote"])
def test_an_attempt_the_worker_began_before_the_wait_did_is_waited_for_when_it_is_the_calls_own(
    server: LiveServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, through: str
) -> None:
    """The worker may take a job the call made due before the wait begins (a busy event
    loop or thread pool between the two): that attempt was not under way before the
    call, so it is no auto-responder's, and the wait must not stop on it after
    ``SENDING_GRACE`` (0.5 s) with the receipts not yet attempted."""
    began = threading.Event()

    def slow(request: Received) -> None:
        began.set()
        time.sleep(0.8)  # real-time ok: a receiver slower than SENDING_GRACE

    receiver.on_request = slow
    queue = server.emulator.webhooks
    wait_sent = queue.wait_sent

    def late(*args: object, **kwargs: object) -> int:
        assert began.wait(10)  # the worker got there first
        return wait_sent(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queue, "wait_sent", late)
    send(server, 2)
    if through == "live":
        server.advance("1m")
    else:
        with RemoteEmulator(server.url) as remote:
            remote.advance("1m")
    assert [r.path for r in receiver.requests] == ["/dlr"] * 2
    assert attempts(server) == [(1, True)] * 2


def test_an_attempt_left_from_before_a_reset_is_waited_for_not_taken_for_an_auto_responder(
    server: LiveServer, receiver: Receiver
) -> None:
    """A session's server is reset between tests: the test before left an attempt in
    flight to its slow receiver (a webhook due at once, no wait asked). It cannot be
    this call's own, so the wait does not stop on it after ``SENDING_GRACE``: it ends
    once this test's receipt, sent after it, was attempted."""
    began = threading.Event()

    def first_slow(request: Received) -> None:
        if not began.is_set():
            began.set()
            time.sleep(1.5)  # real-time ok: past SENDING_GRACE, inside the 5 s timeout

    receiver.on_request = first_slow
    send(server, 1)
    httpx.post(server.url + "/_emulator/clock", json={"advance": "1m"})  # no wait: it ends
    assert began.wait(10)
    server.reset()  # the next test (the scenario stays)
    send(server, 1)
    server.advance("1m")
    assert [r.path for r in receiver.requests] == ["/dlr", "/dlr"]
    assert attempts(server) == [(1, True)]  # this test's: the one before it was forgotten


def test_from_a_trio_coroutine_advance_leaves_the_loop_free_too(server: LiveServer) -> None:
    """anyio runs tests on trio too, whose loop is no asyncio loop: a receiver it serves
    could not answer while ``advance()`` waited, each attempt timing out."""
    import trio  # a test dependency: the path a trio user takes must run here

    received: list[bytes] = []

    async def answer(stream: trio.SocketStream) -> None:  # a receiver on the trio loop
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = await stream.receive_some(4096)
            if not chunk:
                return
            data += chunk
        received.append(data.split(b" ")[1])
        await stream.send_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await stream.aclose()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(
                lambda task_status: trio.serve_tcp(
                    answer, 0, host="127.0.0.1", task_status=task_status
                )
            )
            port = listeners[0].socket.getsockname()[1]
            server.webhooks.schedule(
                server.time() + 60, method="post", url=f"http://127.0.0.1:{port}/a", provider="p"
            )
            started = time.monotonic()
            server.advance("1m")  # not waited for: the loop serves the receiver
            assert time.monotonic() - started < 1
            server.webhooks.schedule(
                server.time() + 60, method="post", url=f"http://127.0.0.1:{port}/b", provider="p"
            )
            await server.advance_async("1m")  # waits in a worker thread, the loop running on
            assert sorted(received) == [b"/a", b"/b"]
            nursery.cancel_scope.cancel()

    trio.run(main)
    assert attempts(server) == [(1, True)] * 2


def test_a_trio_another_thread_is_still_importing_does_not_trip_advance(
    server: LiveServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx imports httpcore, and so trio, at its first client: the code under test
    making one in a thread of its own leaves trio half imported in ``sys.modules`` for a
    moment. The test's ``advance()`` meanwhile must not fail on it (``trio.lowlevel``
    not there yet): no trio loop can be running, and it waits for its receipt as ever."""
    monkeypatch.setitem(sys.modules, "trio", types.ModuleType("trio"))  # as mid-import
    send(server, 1)
    server.advance("1m")
    assert [r.path for r in receiver.requests] == ["/dlr"]
    assert attempts(server) == [(1, True)]


@pytest.mark.parametrize("through", ["live", "remote"])
def test_a_wait_that_runs_out_in_a_coroutine_warns_at_the_callers_line(
    server: LiveServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, through: str
) -> None:
    """``advance_async``/``inbound_async`` wait in a worker thread; their warning names the
    coroutine's line, not anyio's (where every such warning would be one, shown once)."""
    release = threading.Event()
    receiver.on_request = lambda request: release.wait(10) and None
    monkeypatch.setattr("emulator.testing.server.WAIT_LIMIT", 0.2)
    monkeypatch.setattr("emulator.admin.routes.WAIT_LIMIT", 0.2)
    send(server, 1)

    async def main(emulator: LiveServer | RemoteEmulator) -> None:
        with pytest.warns(RuntimeWarning, match=r"still due") as caught:
            await emulator.advance_async("1m")
        assert caught[0].filename == __file__
        release.set()
        assert server.emulator.webhooks.wait_sent(10) == 0
        release.clear()
        with pytest.warns(RuntimeWarning, match=r"still due") as caught:
            await emulator.inbound_async("sendbulk", "0712345678", "40404", "STOP")
        assert caught[0].filename == __file__

    try:
        if through == "live":
            asyncio.run(main(server))
        else:
            with RemoteEmulator(server.url) as remote:
                asyncio.run(main(remote))
    finally:
        release.set()


def test_a_wait_a_stop_ends_says_how_many_were_left_unsent(
    server: LiveServer, receiver: Receiver
) -> None:
    """The server stops mid-wait: its worker finishes the receipt in flight and leaves
    the others queued, unsent; the answer must not say none is still due."""
    began = threading.Event()

    def slow(request: Received) -> None:
        began.set()
        time.sleep(0.5)  # real-time ok: the stop lands while this one is in flight

    receiver.on_request = slow
    send(server, 3)
    answers: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            httpx.post(server.url + "/_emulator/clock?wait=true", json={"advance": "1m"})
        )
    )
    waiting.start()
    assert began.wait(10)
    server.stop()
    waiting.join(10)
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["webhooks_due"] == 2
    assert len(server.webhook_report()["pending"]) == 2


def test_from_the_main_thread_a_slow_unrelated_delivery_is_waited_for_too(
    server: LiveServer, receiver: Receiver
) -> None:
    """A test (on the main thread) cannot be the receiver of a delivery under way: its
    advance() waits for that one past the half-second grace, then for its own."""
    assert threading.current_thread() is threading.main_thread()
    arrived = threading.Event()

    def slow(request: Received) -> None:
        if request.path == "/slow":
            arrived.set()
            time.sleep(1.0)  # real-time ok: a slow receiver, longer than the grace

    receiver.on_request = slow
    server.webhooks.schedule(server.time(), method="post", url=receiver.url + "/slow", provider="p")
    assert arrived.wait(10)  # under way before the call
    send(server, 1)
    server.advance("1m")
    assert [r.path for r in receiver.requests] == ["/slow", "/dlr"]
    assert attempts(server) == [(1, True)] * 2
