"""The webhook queue: when jobs go out, and what a JobLog is told (a real receiver)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from emulator import Emulator
from emulator.core import webhooks
from emulator.core.journal import BODY_LIMIT
from emulator.core.webhooks import WebhookJob, WebhookQueue


class _Receiver:
    """Answers every request with ``status``; ``on_request`` runs first (in its thread)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        #: (path, headers with their names as sent, body) of each request
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 200
        self.on_request: Any = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append((self.path, dict(self.headers.items()), body))
                if receiver.on_request is not None:
                    receiver.on_request(self.path)
                receiver.hits.append(self.path)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


class _Log:
    """A JobLog in memory: what a persistent store would hold."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.finished: list[str] = []
        self.lock = threading.RLock()

    def holding(self) -> threading.RLock:
        return self.lock

    def saved(self, jobs: Sequence[WebhookJob]) -> None:
        for job in jobs:
            self.rows[job.key] = job.record()

    def done(self, jobs: Sequence[WebhookJob]) -> None:
        for job in jobs:
            self.finished.append(job.key)
            self.rows.pop(job.key, None)

    def kept(self, jobs: Sequence[WebhookJob]) -> list[WebhookJob]:
        return [job for job in jobs if job.key in self.rows]


def _queue(now: list[float], log: _Log | None = None) -> WebhookQueue:
    return WebhookQueue(lambda: now[0], timeout=2.0, log=log)


def test_a_job_stays_in_the_log_until_its_last_attempt_is_over(receiver: _Receiver) -> None:
    now, log = [0.0], _Log()
    queue = _queue(now, log)
    seen_during_the_request: list[list[str]] = []
    receiver.on_request = lambda path: seen_during_the_request.append(list(log.rows))
    receiver.status = 503
    job = queue.schedule(10.0, method="post", url=receiver.url + "/r", provider="p")
    assert list(log.rows) == [job.key] and log.rows[job.key]["due"] == 10.0
    now[0] = 10.0
    queue.notify()  # fails: saved again for its retry, 5 s later
    assert seen_during_the_request == [[job.key]]  # still written down while being sent
    assert log.rows[job.key]["attempt"] == 1 and log.rows[job.key]["due"] == 15.0
    receiver.status = 200
    now[0] = 15.0
    queue.notify()
    assert log.rows == {} and log.finished == [job.key]


def test_a_job_no_longer_wanted_when_due_is_dropped_unsent_and_unrecorded(
    receiver: _Receiver,
) -> None:
    now, log = [0.0], _Log()
    queue = _queue(now, log)
    queue.wanted = lambda job: job.url.endswith("/keep")
    kept = queue.schedule(5.0, method="post", url=receiver.url + "/keep", provider="p")
    dropped = queue.schedule(5.0, method="post", url=receiver.url + "/drop", provider="p")
    now[0] = 5.0
    queue.notify()
    assert receiver.hits == ["/keep"]
    assert [a["url"] for a in queue.attempts] == [kept.url]
    assert queue.pending() == [] and log.rows == {}
    assert sorted(log.finished) == sorted([kept.key, dropped.key])


def test_a_wanted_check_that_fails_does_not_hold_back_the_jobs_after_it(
    receiver: _Receiver,
) -> None:
    now = [0.0]
    queue = _queue(now)

    def broken(job: WebhookJob) -> bool:
        raise RuntimeError("the store is gone")

    queue.wanted = broken
    for name in ("first", "second"):
        queue.schedule(5.0, method="post", url=f"{receiver.url}/{name}", provider="p")
    now[0] = 5.0
    queue.notify()
    assert receiver.hits == ["/first", "/second"]  # sent: when in doubt, a job is owed


def test_nothing_is_sent_while_held_and_due_jobs_go_out_when_the_hold_ends(
    receiver: _Receiver,
) -> None:
    queue = _queue([0.0])
    with queue.held():
        queue.schedule(0.0, method="post", url=receiver.url + "/now", provider="p")
        queue.notify()
        assert receiver.hits == []
    assert receiver.hits == ["/now"]


def test_a_deferred_scope_sends_nothing_until_its_send_and_only_for_its_own_queue(
    receiver: _Receiver,
) -> None:
    queue, other = _queue([0.0]), _queue([0.0])
    with queue.deferred() as deferral:
        queue.schedule(0.0, method="post", url=receiver.url + "/deferred", provider="p")
        other.schedule(0.0, method="post", url=receiver.url + "/other", provider="p")
        assert receiver.hits == ["/other"]  # another queue is not deferred
        assert deferral.due
    assert receiver.hits == ["/other"]  # leaving the scope sends nothing either
    deferral.send()
    assert receiver.hits == ["/other", "/deferred"]
    assert not deferral.due


@pytest.mark.parametrize("clock_moved_inside", [False, True])
def test_a_deferred_scope_waits_only_on_its_own_jobs_unless_it_moved_the_clock(
    receiver: _Receiver, clock_moved_inside: bool
) -> None:
    """On a real clock what came due as time passed is the helper thread's to send: a
    request must not wait on an unrelated slow receiver for it (an advance must)."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(10.0, method="post", url=receiver.url + "/earlier", provider="p")
    now[0] = 10.0  # time passed: due, not yet sent
    with queue.deferred() as deferral:
        queue.schedule(10.0, method="post", url=receiver.url + "/mine", provider="p")
        if clock_moved_inside:
            queue.notify()
    deferral.send()
    assert receiver.hits == (["/mine", "/earlier"] if clock_moved_inside else ["/mine"])
    queue.notify()
    assert sorted(receiver.hits) == ["/earlier", "/mine"]


def test_what_a_hold_put_off_goes_out_when_a_deferred_scope_ends_the_hold(
    receiver: _Receiver,
) -> None:
    """An advance in another thread while a request holds the queue is put off "until the
    hold ends"; the request ending it sends all that is due then, not only its own."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(5.0, method="post", url=receiver.url + "/first", provider="p")
    with queue.deferred() as deferral, queue.held():
        now[0] = 10.0
        advance = threading.Thread(target=queue.notify)  # no deferral of its own
        advance.start()
        advance.join()
        queue.schedule(10.0, method="post", url=receiver.url + "/mine", provider="p")
    assert receiver.hits == []
    deferral.send()
    assert receiver.hits == ["/mine", "/first"]


def test_an_inbound_message_sends_its_own_webhook_not_what_came_due_meanwhile(
    receiver: _Receiver,
) -> None:
    """As time passes on a real clock the helper thread sends what comes due: a request
    (here an inbound message) does not wait on an unrelated receiver for it."""
    account = {"partnerID": "1", "apikey": "k", "inbound_url": receiver.url + "/in"}
    dlr = {**account, "partnerID": "2", "dlr_callback_url": receiver.url + "/dlr"}
    emu = Emulator({"accounts": {"sendbulk": [account, dlr]}})
    with emu.client() as client:
        sent = {"partnerID": "2", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
        client.post("/api/services/sendsms", json={**sent, "message": "hi"})
        emu.clock.advance(3600)  # time passed (no advance() to send what came due)
        inbound = {"provider": "sendbulk", "from": "0712345678", "to": "40404", "text": "HI"}
        assert client.post("/_emulator/inbound", json=inbound).status_code == 201
        assert receiver.hits == ["/in"]
    emu.advance(0)
    assert receiver.hits == ["/in", "/dlr"]
    emu.close()


def test_a_job_is_sent_once_whether_its_scope_or_another_sender_gets_it_first(
    receiver: _Receiver,
) -> None:
    queue = _queue([0.0])
    with queue.deferred() as first:
        queue.schedule(0.0, method="post", url=receiver.url + "/first", provider="p")
    queue.notify()  # another sender, outside the scope, sends it first
    first.send()
    with queue.deferred() as second:
        queue.schedule(0.0, method="post", url=receiver.url + "/second", provider="p")
    second.send()  # the scope sends its own
    assert queue.pending() == []  # what the scope took out is not shown as pending
    queue.notify()  # and is not sent again by the next sender
    assert receiver.hits == ["/first", "/second"]


def test_a_job_its_scope_sent_and_that_failed_is_retried_without_holding_back_others(
    receiver: _Receiver,
) -> None:
    """The retry changed the due time of the entry still in the heap: the heap was out
    of order, a job due at 1 s waited for the retry at 5 s, and the retry was listed
    twice as pending."""
    now = [0.0]
    queue = _queue(now)
    receiver.status = 500
    with queue.deferred() as scope:
        queue.schedule(0.0, method="post", url=receiver.url + "/fails", provider="p")
        queue.schedule(1.0, method="post", url=receiver.url + "/later", provider="p")
    scope.send()
    assert [(job.url, job.due) for job in queue.pending()] == [
        (receiver.url + "/later", 1.0),
        (receiver.url + "/fails", 5.0),
    ]
    receiver.status = 200
    now[0] = 1.0
    queue.notify()
    assert receiver.hits == ["/fails", "/later"]
    now[0] = 5.0
    queue.notify()
    assert receiver.hits == ["/fails", "/later", "/fails"]
    assert queue.pending() == []


def test_a_deferred_scope_reaches_into_the_threads_it_hands_work_to(receiver: _Receiver) -> None:
    """Work handed to a thread pool (as Starlette's ``run_in_threadpool`` does) runs in a
    copy of the context, so webhooks coming due there are deferred too."""
    queue = _queue([0.0])
    with queue.deferred() as deferral:
        context = contextvars.copy_context()
        worker = threading.Thread(
            target=context.run,
            args=(queue.schedule, 0.0),
            kwargs={"method": "post", "url": receiver.url + "/pool", "provider": "p"},
        )
        worker.start()
        worker.join()
        assert receiver.hits == [] and deferral.due
    deferral.send()
    assert receiver.hits == ["/pool"]


def test_scheduling_does_not_wait_for_another_threads_sending(receiver: _Receiver) -> None:
    """A receiver whose handler makes the emulator schedule a due webhook (a reply to a
    receipt) gets its answer at once; the thread already sending sends that one too."""
    now = [0.0]
    queue = _queue(now)
    waited: list[float] = []

    def schedule_another(path: str) -> None:
        if path == "/first":
            started = time.perf_counter()
            worker = threading.Thread(
                target=queue.schedule,
                args=(now[0],),
                kwargs={"method": "post", "url": receiver.url + "/second", "provider": "p"},
            )
            worker.start()
            worker.join()
            waited.append(time.perf_counter() - started)

    receiver.on_request = schedule_another
    queue.schedule(1.0, method="post", url=receiver.url + "/first", provider="p")
    now[0] = 1.0
    assert queue.deliver_due() == 2
    assert receiver.hits == ["/first", "/second"]
    assert waited[0] < 1.0  # not the 2 s timeout


def test_a_job_being_sent_when_the_queue_is_cleared_is_not_retried(receiver: _Receiver) -> None:
    now = [1.0]
    queue = _queue(now)
    receiver.status = 503
    receiver.on_request = lambda path: queue.clear()  # a reset while it is in flight
    queue.schedule(1.0, method="post", url=receiver.url + "/r", provider="p")
    assert queue.pending() == [] and not queue.attempts
    now[0] = 100.0
    queue.notify()
    assert receiver.hits == ["/r"]


@pytest.mark.parametrize("logged", [True, False])
def test_jobs_scheduled_in_a_hold_that_fails_are_dropped_when_they_were_written_down(
    receiver: _Receiver, logged: bool
) -> None:
    """With a log (a store whose transaction was undone) the jobs go; without one (the
    memory store keeps what was written) they stay. Other holds are not affected."""
    log = _Log() if logged else None
    queue = _queue([0.0], log)
    with pytest.raises(RuntimeError), queue.held():
        with queue.held():  # nested: the outermost decides
            job = queue.schedule(0.0, method="post", url=receiver.url + "/undone", provider="p")
        if log is not None:
            del log.rows[job.key]  # what the failed commit undid
        raise RuntimeError("the commit failed")
    with queue.held():
        queue.schedule(0.0, method="post", url=receiver.url + "/kept", provider="p")
    assert receiver.hits == (["/kept"] if logged else ["/undone", "/kept"])


def test_stopping_the_worker_lets_the_delivery_in_flight_finish_and_be_written_down(
    receiver: _Receiver,
) -> None:
    now, log = [0.0], _Log()
    queue = _queue(now, log)
    answering = threading.Event()

    def answer_once_stop_was_called(path: str) -> None:
        answering.set()
        queue._stop.wait(5)

    receiver.on_request = answer_once_stop_was_called
    queue.start(interval=0.01)
    first = queue.schedule(0.0, method="post", url=receiver.url + "/first", provider="p")
    second = queue.schedule(0.0, method="post", url=receiver.url + "/second", provider="p")
    assert answering.wait(5)
    queue.stop()
    assert log.finished == [first.key]  # delivered, so no longer written down
    assert list(log.rows) == [second.key]  # not sent: still pending, in the queue and the log
    assert [job.key for job in queue.pending()] == [second.key]
    assert receiver.hits == ["/first"]


def test_starting_a_started_queue_keeps_its_one_worker() -> None:
    def workers() -> int:
        return sum(t.name == "sms-emulator-webhooks" for t in threading.enumerate())

    queue = _queue([0.0])
    before = workers()
    queue.start(interval=0.01)
    queue.start(interval=0.01)
    try:
        assert workers() == before + 1 and queue.mode == "background"
    finally:
        queue.stop()
    assert workers() == before  # the one worker the stop ended: none left running


def test_jobs_queued_when_one_of_two_holds_ends_go_out_when_the_other_ends(
    receiver: _Receiver,
) -> None:
    queue = _queue([0.0])
    first_in, second_out = threading.Event(), threading.Event()

    def hold_in_another_thread() -> None:
        with queue.held():
            first_in.set()
            second_out.wait(5)

    other = threading.Thread(target=hold_in_another_thread)
    other.start()
    assert first_in.wait(5)
    with queue.held():
        queue.schedule(0.0, method="post", url=receiver.url + "/due", provider="p")
    assert receiver.hits == []  # the other thread still holds
    second_out.set()
    other.join(5)
    assert receiver.hits == ["/due"]


def test_a_job_that_cannot_even_be_sent_is_a_failed_attempt_not_the_end_of_the_round(
    receiver: _Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host httpx cannot encode (``a..b``) raised out of the sending loop: every other
    job due in the same round was lost, unsent and unrecorded."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)  # a proxy would take the host as it is
    now = [0.0]
    queue = _queue(now)
    queue.schedule(1.0, method="post", url="http://a..b/receipt", provider="p")
    queue.schedule(1.0, method="post", url=receiver.url + "/good", provider="p")
    now[0] = 1.0
    queue.notify()
    assert receiver.hits == ["/good"]
    bad, good = queue.attempts
    assert (bad["ok"], bad["status"], good["ok"]) == (False, None, True)
    # the codec's error, whose class depends on the Python version
    assert bad["error"].split(":")[0] in ("UnicodeError", "UnicodeEncodeError")
    assert [job.url for job in queue.pending()] == ["http://a..b/receipt"]  # retried later
    assert good["request_url"] == receiver.url + "/good"


@pytest.mark.parametrize(
    ("payload", "body", "content_type"),
    [
        ({"json": {"status": "délivré", "n": 1}}, '{"status":"délivré","n":1}', "application/json"),
        ({"data": {"status": "DELIVRD", "to": "+254 7"}}, "status=DELIVRD&to=%2B254+7", None),
    ],
)
def test_an_attempt_lists_the_request_exactly_as_the_receiver_got_it(
    receiver: _Receiver, payload: dict[str, Any], body: str, content_type: str | None
) -> None:
    """A receiver refusing a receipt is debugged from what was sent: the URL with its
    query, every header (names as sent) and the body."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(
        1.0,
        method="post",
        url=receiver.url + "/hook?a=1",
        provider="p",
        params={"b": "x y"},
        headers={"X-Signature": "s1"},
        **payload,
    )
    receiver.status = 400
    now[0] = 1.0
    queue.notify()
    [(path, headers, sent)] = receiver.received
    [attempt] = queue.attempts
    assert attempt["request_url"] == receiver.url + path == receiver.url + "/hook?a=1&b=x+y"
    assert attempt["request_headers"] == headers
    assert headers["X-Signature"] == "s1"
    assert attempt["request_body"] == sent.decode() == body
    if content_type is not None:
        assert headers["Content-Type"] == content_type
    assert (attempt["ok"], attempt["error"]) == (False, "HTTP 400")


def test_a_hold_ending_in_an_error_keeps_the_jobs_its_log_still_has(
    receiver: _Receiver,
) -> None:
    """Only jobs whose writing down was undone go: one written outside any transaction
    (or inside a caller's that carries on) is kept, in the log and the queue alike."""
    log = _Log()
    queue = _queue([0.0], log)
    with pytest.raises(RuntimeError), queue.held():
        kept = queue.schedule(0.0, method="post", url=receiver.url + "/kept", provider="p")
        undone = queue.schedule(0.0, method="post", url=receiver.url + "/undone", provider="p")
        del log.rows[undone.key]  # as a rolled-back transaction would
        raise RuntimeError
    assert receiver.hits == ["/kept"] and log.finished == [kept.key]


def _attempts_when(now: list[float], queue: WebhookQueue, steps: Sequence[float]) -> list[Any]:
    for step in steps:
        now[0] = step
        queue.notify()
    return [(a["url"].rsplit("/", 1)[1], a["time"], a["ok"]) for a in queue.attempts]


def test_on_a_virtual_clock_a_jump_makes_the_attempts_a_walk_would(receiver: _Receiver) -> None:
    """Retries count from the failed attempt, and go out in their place among the others:
    one jump of an hour sends what second-by-second steps send, at the same times."""
    receiver.on_request = lambda path: setattr(receiver, "status", 500 if "bad" in path else 200)
    runs = []
    for steps in ([3600.0], [*map(float, range(1, 200)), 3600.0]):
        now = [0.0]
        queue = WebhookQueue(lambda now=now: now[0], timeout=2.0, virtual_clock=True)
        for due, name in ((6.0, "bad"), (8.0, "b"), (20.0, "c"), (45.0, "d")):
            queue.schedule(due, method="post", url=f"{receiver.url}/{name}", provider="p")
        runs.append(_attempts_when(now, queue, steps))
        assert queue.pending() == []
    jump, walk = runs
    assert (
        jump
        == walk
        == [
            ("bad", 6.0, False),
            ("b", 8.0, True),
            ("bad", 11.0, False),
            ("c", 20.0, True),
            ("bad", 41.0, False),
            ("d", 45.0, True),
            ("bad", 161.0, False),
        ]
    )


def test_on_a_real_clock_an_attempt_is_logged_when_it_is_made(receiver: _Receiver) -> None:
    now = [0.0]
    queue = _queue(now)
    receiver.status = 500
    queue.schedule(6.0, method="post", url=receiver.url + "/r", provider="p")
    now[0] = 50.0  # the sender got to it late (a slow receiver before it, a restart)
    queue.notify()
    assert [a["time"] for a in queue.attempts] == [50.0]
    assert [job.due for job in queue.pending()] == [55.0]


def test_jobs_being_sent_are_still_listed_as_pending(receiver: _Receiver) -> None:
    """The one at its receiver and those due after it in the same round alike."""
    now = [1.0]
    queue = _queue(now)
    seen: list[list[str]] = []
    receiver.on_request = lambda path: seen.append([j.url[-2:] for j in queue.pending()])
    for name in ("e0", "e1", "e2"):
        queue.schedule(2.0, method="post", url=f"{receiver.url}/{name}", provider="p")
    now[0] = 2.0
    queue.notify()
    assert seen == [["e0", "e1", "e2"], ["e1", "e2"], ["e2"]]
    assert queue.pending() == [] and len(queue.attempts) == 3


def test_jobs_due_after_a_reset_in_the_same_round_are_not_sent(receiver: _Receiver) -> None:
    now = [1.0]
    queue = _queue(now)
    receiver.on_request = lambda path: queue.clear()  # a reset while e0 is at its receiver
    for name in ("e0", "e1", "e2"):
        queue.schedule(2.0, method="post", url=f"{receiver.url}/{name}", provider="p")
    now[0] = 2.0
    queue.notify()
    assert receiver.hits == ["/e0"]
    assert queue.pending() == [] and not queue.attempts


def test_one_sending_round_uses_one_http_client(
    receiver: _Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building a client costs ~20 ms: jobs spread over time, sent in rounds of what is
    due before a retry could be, must not build one a round (300 jobs took 7 s)."""
    built: list[int] = []

    class Counted(httpx.Client):
        def __init__(self, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(**kwargs)

    monkeypatch.setattr(webhooks.httpx, "Client", Counted)
    now = [0.0]
    queue = WebhookQueue(lambda: now[0], timeout=2.0, virtual_clock=True)
    for i in range(20):
        queue.schedule(10.0 * i + 1, method="post", url=f"{receiver.url}/{i}", provider="p")
    now[0] = 1000.0
    queue.notify()
    assert len(queue.attempts) == 20 and len(built) == 1


def test_stopping_waits_for_a_job_with_a_longer_timeout_of_its_own(receiver: _Receiver) -> None:
    """A once-only call (sendbulk inbound, 15 s) still at its receiver when the server
    stops is finished and written down, not left in the log to be sent again."""
    log, now = _Log(), [1.0]
    queue = WebhookQueue(lambda: now[0], timeout=0.1, log=log)
    arrived = threading.Event()

    def slow(path: str) -> None:
        arrived.set()
        time.sleep(1.5)  # real-time ok: a receiver slower than the queue's 0.1 s + 1 s

    receiver.on_request = slow
    job = queue.schedule(2.0, method="post", url=receiver.url + "/in", provider="p", timeout=5.0)
    queue.start(interval=0.01)
    now[0] = 2.0
    queue.notify()
    assert arrived.wait(5)
    queue.stop()
    assert [a["ok"] for a in queue.attempts] == [True]
    assert log.rows == {} and log.finished == [job.key]


def test_a_record_leaves_out_default_timeout_and_retry() -> None:
    """An earlier version can still read a --db file holding ordinary jobs."""
    queue = WebhookQueue(lambda: 0.0)
    plain = queue.schedule(1.0, method="post", url="http://x/", provider="p")
    once = queue.schedule(1.0, method="post", url="http://x/", provider="p", retry=False)
    assert "timeout" not in plain.record() and "retry" not in plain.record()
    assert once.record()["retry"] is False and once.record()["timeout"] is None


@pytest.mark.parametrize("status", [302, 304, 404, 500])
def test_an_answer_other_than_2xx_is_a_failed_attempt_and_retried(
    receiver: _Receiver, status: int
) -> None:
    """A redirect too (docs/scenarios.md: other than 2xx fails; it is not followed)."""
    now = [10.0]
    queue = _queue(now)
    receiver.status = status
    queue.schedule(10.0, method="post", url=receiver.url + "/r", provider="p")
    queue.notify()
    (attempt,) = queue.attempts
    assert (attempt["status"], attempt["ok"], attempt["error"]) == (status, False, f"HTTP {status}")
    assert [job.due for job in queue.pending()] == [15.0]
    assert receiver.hits == ["/r"]


def test_a_job_can_have_its_own_timeout_and_no_retry(receiver: _Receiver) -> None:
    """A receiver slower than the queue's timeout but within the job's own is answered
    in time; a job that is not retried fails once and is over."""
    now = [1.0]
    queue = WebhookQueue(lambda: now[0], timeout=0.05)
    receiver.on_request = lambda path: time.sleep(0.3)  # real-time ok: a slow receiver
    queue.schedule(1.0, method="post", url=receiver.url + "/slow", provider="p", timeout=5.0)
    queue.notify()
    receiver.on_request = None
    receiver.status = 500
    queue.schedule(1.0, method="post", url=receiver.url + "/once", provider="p", retry=False)
    queue.notify()
    assert [(a["url"].rsplit("/", 1)[1], a["ok"]) for a in queue.attempts] == [
        ("slow", True),
        ("once", False),
    ]
    assert queue.pending() == []


def test_each_outcome_is_written_down_before_the_next_attempt(receiver: _Receiver) -> None:
    """After a crash only the attempt in flight is made again: a round of hundreds of
    webhooks written down at its end sent every one of them twice after a kill -9."""
    log, now = _Log(), [1.0]
    queue = _queue(now, log)
    finished_when_called: list[int] = []
    receiver.on_request = lambda path: finished_when_called.append(len(log.finished))
    for name in ("e0", "e1", "e2"):
        queue.schedule(2.0, method="post", url=f"{receiver.url}/{name}", provider="p")
    now[0] = 2.0
    queue.notify()
    assert finished_when_called == [0, 1, 2]
    assert log.rows == {} and len(log.finished) == 3


def test_a_store_failing_to_write_an_outcome_sends_the_rest_later(receiver: _Receiver) -> None:
    """The round's jobs not yet attempted go back to the queue, not stranded as 'being
    sent' for good (a full disk, once)."""

    class FailsOnce(_Log):
        failed = False

        def done(self, jobs: Sequence[WebhookJob]) -> None:
            if not self.failed:
                self.failed = True
                raise OSError("database or disk is full")
            super().done(jobs)

    log, now = FailsOnce(), [1.0]
    queue = _queue(now, log)
    for name in ("e0", "e1", "e2"):
        queue.schedule(2.0, method="post", url=f"{receiver.url}/{name}", provider="p")
    now[0] = 2.0
    with pytest.raises(OSError):
        queue.notify()
    assert [j.url[-2:] for j in queue.pending()] == ["e1", "e2"]
    queue.notify()
    assert receiver.hits == ["/e0", "/e1", "/e2"] and queue.pending() == []


# a clock that moves by itself (send_as_time_passes)


def _wall_queue(now: list[float]) -> WebhookQueue:
    return WebhookQueue(lambda: now[0], timeout=2.0, send_as_time_passes=True)


def _hold_at(receiver: _Receiver, path: str) -> tuple[threading.Event, threading.Event]:
    """The receiver keeps the request for ``path`` until released: (arrived, release)."""
    arrived, release = threading.Event(), threading.Event()

    def hold(requested: str) -> None:
        if requested == path:
            arrived.set()
            release.wait(10)

    receiver.on_request = hold
    return arrived, release


def _wait_for(hits: list[Any], count: int, timeout: float = 10.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while len(hits) < count and time.monotonic() < deadline:
        time.sleep(0.01)  # real-time ok: the waker is another thread on a real clock
    return hits


def test_what_comes_due_as_time_passes_is_sent_without_advance(receiver: _Receiver) -> None:
    now = [0.0]
    queue = _wall_queue(now)
    try:
        queue.schedule(10.0, method="post", url=receiver.url + "/later", provider="p")
        assert receiver.hits == []
        now[0] = 11.0  # time passing: nothing calls notify()
        assert _wait_for(receiver.hits, 1) == ["/later"]
        _wait_for(queue.attempts, 1)  # the attempt is over once the answer is read
        assert queue.pending() == [] and queue.mode == "sync"
    finally:
        queue.close()


def test_with_a_waker_sync_calls_still_send_before_they_return(receiver: _Receiver) -> None:
    """A job due at once, and one an advance reaches, go out inside the call (sync mode)."""
    now = [0.0]
    queue = _wall_queue(now)
    try:
        queue.schedule(0.0, method="post", url=receiver.url + "/now", provider="p")
        assert receiver.hits == ["/now"]
        queue.schedule(5.0, method="post", url=receiver.url + "/at-5", provider="p")
        now[0] = 5.0
        queue.notify()  # what Emulator.advance() does
        assert receiver.hits == ["/now", "/at-5"]
    finally:
        queue.close()


def test_a_waker_ends_with_its_queue_or_its_close(receiver: _Receiver) -> None:
    """An emulator dropped without close() is not kept alive, nor its thread."""
    now = [0.0]
    queue = _wall_queue(now)
    queue.schedule(3600.0, method="post", url=receiver.url + "/x", provider="p")
    waker = queue._waker
    assert waker is not None and waker.is_alive()
    del queue
    waker.join(timeout=5)
    assert not waker.is_alive()
    closed = _wall_queue(now)
    closed.schedule(3600.0, method="post", url=receiver.url + "/y", provider="p")
    waker = closed._waker
    closed.close()
    waker.join(timeout=5)
    assert not waker.is_alive()
    closed.schedule(3600.0, method="post", url=receiver.url + "/z", provider="p")
    assert closed._waker is waker  # closed: no new one


def test_after_the_worker_stops_the_waker_sends_what_it_left(receiver: _Receiver) -> None:
    """A live server on a real clock stopped: its emulator goes on in-process."""
    now = [0.0]
    queue = _wall_queue(now)
    try:
        queue.start()
        queue.schedule(60.0, method="post", url=receiver.url + "/left", provider="p")
        queue.stop()
        now[0] = 61.0
        assert _wait_for(receiver.hits, 1) == ["/left"]
    finally:
        queue.close()


def test_a_job_due_while_the_waker_sends_follows_it_in_order(receiver: _Receiver) -> None:
    """One at a time, in due order, as a live server's worker: a receiver handling
    requests at once never sees a message's later webhook before its earlier one."""
    now = [0.0]
    queue = _wall_queue(now)
    at_slow, release = _hold_at(receiver, "/slow")
    try:
        queue.schedule(1.0, method="post", url=receiver.url + "/slow", provider="p")
        now[0] = 10.0  # overdue: the waker sends it, and its receiver takes its time
        assert at_slow.wait(10)
        queue.schedule(10.0, method="post", url=receiver.url + "/after", provider="p")
        assert receiver.hits == []  # left to the waker, behind the one it is sending
        release.set()
        assert _wait_for(receiver.hits, 2) == ["/slow", "/after"]
    finally:
        release.set()
        queue.close()


def test_close_waits_for_the_wakers_delivery_and_sends_nothing_after(
    receiver: _Receiver,
) -> None:
    """Its outcome is written down (not sent again after a restart), the rest stay saved."""
    now, log = [0.0], _Log()
    queue = WebhookQueue(lambda: now[0], timeout=2.0, log=log, send_as_time_passes=True)
    at_first, release = _hold_at(receiver, "/0")
    for i in range(3):
        queue.schedule(1.0, method="post", url=f"{receiver.url}/{i}", provider="p")
    now[0] = 10.0
    assert at_first.wait(10)
    closing = threading.Thread(target=queue.close)
    closing.start()
    release.set()
    closing.join(10)
    assert not closing.is_alive() and not queue._waker.is_alive()
    assert receiver.hits == ["/0"]
    assert sorted(row["url"].split("/")[-1] for row in log.rows.values()) == ["1", "2"]
    assert len(log.finished) == 1  # the first, done: not sent again after a restart


def test_a_get_webhooks_parameters_merge_into_its_urls_own_query() -> None:
    """A name already there replaced in place, the rest kept, ``+`` for a space: the same
    bytes with every httpx version."""
    url = webhooks._with_params(
        "http://127.0.0.1/dr?Event=mine&appt=7&note=a%20b&debug",
        {"Event": "Message.DeliveryReceiptReceived", "Text": "hi there", "Ok": True},
    )
    assert str(url) == (
        "http://127.0.0.1/dr?Event=Message.DeliveryReceiptReceived&appt=7&note=a+b&debug="
        "&Text=hi+there&Ok=true"
    )


def test_an_attempt_reads_a_trickling_body_only_until_its_timeout() -> None:
    """A 200 whose body trickles in (each piece within the read timeout) ends the attempt
    about its timeout on, delivered: a stopping server or close() is not kept waiting."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    finished = threading.Event()

    def trickle() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n")
            try:
                for _ in range(40):  # 12 s in all
                    time.sleep(0.3)  # real-time ok: a receiver's pace, not a status change
                    conn.sendall(b"x")
            except OSError:
                pass  # the emulator stopped reading: as it should
            finished.set()

    threading.Thread(target=trickle, daemon=True).start()
    now = [1.0]
    queue = WebhookQueue(lambda: now[0], timeout=1.0)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/dr"
    try:
        queue.schedule(1.0, method="post", url=url, provider="p")
        (attempt,) = queue.attempts
        assert (attempt["status"], attempt["ok"]) == (200, True)
        assert not finished.is_set()  # ended while the body was still coming
    finally:
        listener.close()


def test_one_round_keeps_one_connection_to_a_receiver() -> None:
    """Bodies are read, so keep-alive holds: no new connection (nor a reset) per webhook."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    peers: list[tuple[str, int]] = []

    class KeepAlive(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            peers.append(self.client_address)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}).start()
    now = [0.0]
    queue = _queue(now)
    try:
        for i in range(3):
            url = f"http://127.0.0.1:{server.server_address[1]}/{i}"
            queue.schedule(1.0, method="post", url=url, provider="p")
        now[0] = 1.0
        queue.notify()
        assert len(peers) == 3 and len(set(peers)) == 1
        assert all(a["ok"] for a in queue.attempts)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "path",
    [
        "/_emulator/reset",
        "/_emulator",
        "//_emulator/reset",
        "/%5Femulator/reset",
        "/_emulator%2Freset",
        "/v2/../_emulator/reset",
        "/_EMULATOR/reset",
    ],
)
def test_a_job_addressed_to_an_emulators_admin_api_is_never_sent(
    receiver: _Receiver, path: str
) -> None:
    """A receipt to ``/_emulator/reset`` would wipe what the emulator accepted: the real
    provider could never reach it, so the attempt fails without a request."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(1.0, method="post", url=receiver.url + path, provider="p")
    queue.schedule(1.0, method="post", url=receiver.url + "/_emulatorx/ok", provider="p")
    now[0] = 1.0
    queue.notify()
    assert receiver.hits == ["/_emulatorx/ok"]
    refused, sent = queue.attempts
    assert (refused["ok"], refused["status"], refused["error"]) == (
        False,
        None,
        webhooks.ADMIN_REFUSAL,
    )
    assert sent["ok"] is True
    assert [job.url for job in queue.pending()] == [receiver.url + path]  # retried, refused again
    # nothing was sent: no request to show
    assert (refused["request_url"], refused["request_headers"], refused["request_body"]) == (
        None,
        None,
        None,
    )


def test_an_attempt_keeps_at_most_the_journal_s_body_limit_of_its_body(
    receiver: _Receiver,
) -> None:
    """10,000 attempts of a long inbound text each must not hold gigabytes: the body is
    kept as the journal keeps one, its size said; a cut inside a character ends before it."""
    now = [0.0]
    queue = _queue(now)
    text = "é" * 40_000  # two bytes each after the 7 of '{"tx":"': the cut falls inside one
    queue.schedule(1.0, method="post", url=receiver.url + "/in", provider="p", json={"tx": text})
    now[0] = 1.0
    queue.notify()
    [(_, _, sent)] = receiver.received
    [attempt] = queue.attempts
    assert attempt["request_size"] == len(sent) > BODY_LIMIT
    kept = attempt["request_body"]
    # the limit's bytes, less a character they end inside of (as here: é after 7 bytes)
    assert kept == sent[:BODY_LIMIT].decode("utf-8", "ignore") and "\ufffd" not in kept
    assert (len(kept.encode()) < BODY_LIMIT) == (sent[BODY_LIMIT] & 0xC0 == 0x80)


def test_attempts_are_numbered_as_made_and_again_after_a_clear(receiver: _Receiver) -> None:
    now = [0.0]
    queue = _queue(now)
    for path in ("/a", "/b"):
        queue.schedule(1.0, method="post", url=receiver.url + path, provider="p")
    queue.schedule(1.0, method="post", url="http://127.0.0.1:9/refused", provider="p")
    now[0] = 1.0
    queue.notify()
    assert sorted(a["number"] for a in queue.attempts) == [1, 2, 3]
    refused = next(a for a in queue.attempts if a["status"] is None)
    # the request was made, though no receiver took it
    assert refused["request_url"] == "http://127.0.0.1:9/refused"
    queue.clear()
    queue.schedule(2.0, method="post", url=receiver.url + "/c", provider="p")
    now[0] = 2.0
    queue.notify()
    assert [a["number"] for a in queue.attempts] == [1]


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_job_reading_an_admin_endpoint_is_sent(receiver: _Receiver, method: str) -> None:
    """Only a change is refused: a GET (or HEAD) receipt to ``/_emulator/health`` reads,
    as a test wanting a receiver that answers 200 may use it."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(1.0, method=method, url=receiver.url + "/_emulator/health", provider="p")
    now[0] = 1.0
    queue.notify()
    (attempt,) = queue.attempts
    # reached the receiver (which takes POST only)
    assert (attempt["error"], attempt["method"]) == ("HTTP 501", method.upper())


@pytest.mark.parametrize(
    ("url", "admin"),
    [
        ("http://h/_emulator/reset", True),
        (" http://h/_emulator ", True),
        ("https://h:1/_emulator/clock?x=1", True),
        ("http://h/_emulatorx", False),
        ("http://h/x/_emulator/reset", False),
        ("http://h/", False),
        ("not a url", False),
        ("http://a..b/_emulator/reset", True),
        ("http://h:port/_emulator/reset", False),  # no URL httpx can send to: never sent
    ],
)
def test_is_admin_url(url: str, admin: bool) -> None:
    assert webhooks.is_admin_url(url) is admin


@pytest.mark.parametrize(
    ("url", "sendable"),
    [
        ("http://h/hook", True),
        (" HTTPS://h:8443/hook ", True),
        ("ftp://h/hook", False),
        ("http:///hook", False),  # no host
        ("/hook", False),
        ("http://[::1/hook", False),  # an IPv6 address left open: no URL at all
    ],
)
def test_is_webhook_url_takes_only_absolute_http_urls(url: str, sendable: bool) -> None:
    assert webhooks.is_webhook_url(url) is sendable


def test_only_the_newest_attempts_are_kept() -> None:
    """A server sending receipts for days keeps a bounded list of attempts (as the
    journal keeps the newest requests), while a count of all of them goes on."""
    now = [0.0]
    queue = WebhookQueue(lambda: now[0], retry_delays=(), attempts_kept=5)
    for n in range(12):  # refused before any request is made: no receiver needed
        queue.schedule(0.0, method="POST", url=f"http://x.test/_emulator/{n}", provider="p")
    queue.notify()
    assert [a["url"].rsplit("/", 1)[1] for a in queue.attempts] == ["7", "8", "9", "10", "11"]
    assert queue.attempts_made == 12 and queue.pending() == []
    queue.clear()
    assert not queue.attempts and queue.attempts_made == 0


def _counts_agree(queue: WebhookQueue) -> list[str]:
    """``pending_count``, ``pending_head`` and ``pending_for`` say what ``pending()`` says
    (they count and pick without sorting every job); the pending jobs' names."""
    everything = queue.pending()
    assert queue.pending_count() == len(everything)
    for limit in (0, 1, 2, 10):
        assert queue.pending_head(limit) == (everything[:limit], len(everything))
    for message_id in ("m0", "m1", "none"):
        assert queue.pending_for(message_id) == [
            job for job in everything if job.message_id == message_id
        ]
    return [job.url.rsplit("/", 1)[1] for job in everything]


def test_pending_counts_follow_every_way_a_job_comes_and_goes(receiver: _Receiver) -> None:
    now = [1.0]
    queue = _queue(now)
    seen: list[list[str]] = []
    receiver.on_request = lambda path: seen.append(_counts_agree(queue))
    receiver.status = 500  # the first round fails: each job is queued again for its retry
    for i, due in enumerate((3.0, 2.0, 2.0, 9.0)):
        queue.schedule(
            due, method="post", url=f"{receiver.url}/e{i}", provider="p", message_id=f"m{i % 2}"
        )
    assert _counts_agree(queue) == ["e1", "e2", "e0", "e3"]
    now[0] = 2.0
    queue.notify()  # e1 and e2 sent (pending while at the receiver), then queued again
    assert seen == [["e1", "e2", "e0", "e3"], ["e2", "e0", "e1", "e3"]]
    assert sorted(_counts_agree(queue)) == ["e0", "e1", "e2", "e3"]
    receiver.status = 200
    with queue.deferred() as deferral:  # taken out by a Deferral: skipped in the heap
        queue.schedule(2.0, method="post", url=f"{receiver.url}/e4", provider="p")
    deferral.send()
    assert sorted(_counts_agree(queue)) == ["e0", "e1", "e2", "e3"]
    now[0] = 100.0
    queue.notify()
    assert _counts_agree(queue) == []
    queue.schedule(200.0, method="post", url=f"{receiver.url}/e5", provider="p")
    assert _counts_agree(queue) == ["e5"]
    queue.clear()
    assert _counts_agree(queue) == []


def test_a_wait_in_sync_mode_has_nothing_to_wait_for(receiver: _Receiver) -> None:
    """In-process, due webhooks go out before the call that made them due returns, or
    when the hold that put them off ends: a wait finds none still due."""
    now = [0.0]
    queue = _queue(now)
    queue.schedule(1.0, method="post", url=receiver.url + "/r", provider="p")
    with queue.held():
        now[0] = 1.0
        queue.notify()  # put off until the hold ends
        assert queue.wait_sent(5.0) == 0
    assert receiver.hits == ["/r"]


def test_an_attempt_under_way_as_the_queue_is_cleared_is_neither_pending_nor_waited_for(
    receiver: _Receiver,
) -> None:
    """A live server's receiver resetting the emulator, then moving its clock with
    ``wait``: the attempt it is answering belongs to nothing now, is not listed as
    pending, and is not waited for."""
    now = [1.0]
    queue = WebhookQueue(lambda: now[0], timeout=10.0)  # the attempt outlasts the wait
    waited: list[Any] = []

    def reset_then_wait(path: str) -> None:
        queue.clear()
        waited.append((queue.pending(), queue.pending_count(), queue.pending_head(5)))
        waited.append(queue.wait_sent(2.0))

    receiver.on_request = reset_then_wait
    try:
        queue.start()
        queue.schedule(1.0, method="post", url=receiver.url + "/r", provider="p")
        assert _wait_for(waited, 2) == [([], 0, ([], 0)), 0]
    finally:
        queue.close()


def _stop_while_the_first_of_three_is_sent(
    queue: WebhookQueue, receiver: _Receiver, *, clear: bool
) -> None:
    """Start ``queue``'s worker on three due jobs, and stop it (after a ``clear()`` when
    asked) while the receiver holds the first; return once stopped."""
    at_first, release = _hold_at(receiver, "/0")
    try:
        queue.start()
        for i in range(3):
            queue.schedule(0.0, method="post", url=f"{receiver.url}/{i}", provider="p")
        assert at_first.wait(10)
        if clear:
            queue.clear()
        stopping = threading.Thread(target=queue.stop)
        stopping.start()
        deadline = time.monotonic() + 10
        while not queue._stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok: stop() runs on another thread
    finally:
        release.set()
    stopping.join(10)


def test_a_round_stopped_after_a_clear_puts_none_of_its_jobs_back(receiver: _Receiver) -> None:
    """A reset while the worker sends, then the server stops: the jobs of the round not
    yet sent belong to nothing now, and are not sent later in-process."""
    queue = _queue([0.0])
    try:
        _stop_while_the_first_of_three_is_sent(queue, receiver, clear=True)
        assert queue.pending() == []
        queue.notify()  # in-process again
        assert receiver.hits == ["/0"]
    finally:
        queue.close()


def test_jobs_scheduled_in_a_hold_are_dropped_by_a_clear_before_it_ends(
    receiver: _Receiver,
) -> None:
    """A reset while a request is being handled: what the request scheduled is forgotten,
    not listed as pending while another request still holds the queue."""
    queue = _queue([0.0])

    def request() -> None:
        with queue.held():
            queue.schedule(0.0, method="post", url=receiver.url + "/r", provider="p")
            queue.clear()

    with queue.held():  # another request, still being handled
        handling = threading.Thread(target=request)
        handling.start()
        handling.join()
        assert queue.pending() == [] and queue.pending_count() == 0
    assert queue.pending() == [] and receiver.hits == []


def test_a_round_stopped_midway_puts_the_rest_back_to_go_out_in_process(
    receiver: _Receiver,
) -> None:
    """A live server stopping while its worker sends: the jobs of the round not yet sent
    go back to the queue, every one, and an in-process emulator sends them."""
    queue = _queue([0.0])
    try:
        _stop_while_the_first_of_three_is_sent(queue, receiver, clear=False)
        assert receiver.hits == ["/0"]
        queue.notify()  # in-process again
        assert receiver.hits == ["/0", "/1", "/2"] and queue.pending() == []
    finally:
        queue.close()


def test_a_loop_merely_running_here_is_no_coroutine_waiting() -> None:
    """Playwright's sync API keeps an event loop running in the test's thread: a wait
    for webhooks made from a plain callback of it is not one its loop waits on."""
    seen: list[bool] = []

    async def task() -> None:
        seen.append(webhooks.in_a_coroutine())

    loop = asyncio.new_event_loop()
    try:
        loop.call_soon(lambda: seen.append(webhooks.in_a_coroutine()))
        loop.run_until_complete(task())
    finally:
        loop.close()
    assert seen == [False, True] and webhooks.in_a_coroutine() is False


def test_a_reset_between_an_attempt_and_its_writing_down_leaves_the_log_empty(
    receiver: _Receiver,
) -> None:
    """A failed attempt's retry is not written back to a store a reset has just emptied:
    after a restart it would be sent for a state that is gone."""
    now, log = [0.0], _Log()
    queue = _queue(now, log)
    receiver.status = 503

    def reset(job: WebhookJob, record: dict[str, Any]) -> None:
        with log.holding():  # as the emulator's reset: store and queue together
            log.rows.clear()
            queue.clear()

    queue.attempted = reset
    queue.schedule(1.0, method="post", url=receiver.url + "/r", provider="p")
    now[0] = 1.0
    queue.notify()
    assert receiver.hits == ["/r"]
    assert log.rows == {} and queue.pending() == []
