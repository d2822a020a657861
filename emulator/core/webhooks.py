"""Outgoing webhooks: a due-event queue on the emulator clock, with retries.

Providers schedule a request for a moment in emulator time; it is sent once
the clock reaches it.  In-process (``mode="sync"``) due webhooks go out when
the clock is advanced (before ``advance()`` returns) or an event is due now;
a live server runs a background worker instead (``mode="background"``), so
its requests never wait on a receiver, nor its admin calls unless they ask to
(``wait_sent``).  Failed attempts are retried with backoff and every attempt
is recorded (the newest ``ATTEMPTS_KEPT`` are kept).  With a ``JobLog`` (the
emulator's ``--db`` store) every pending job is also written down until it is
done, so it outlives the process.
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import heapq
import itertools
import math
import re
import sys
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import msgspec

from . import http
from .journal import BODY_LIMIT, headers_by_name

__all__ = [
    "ADMIN_REFUSAL",
    "ATTEMPTS_KEPT",
    "RETRY_DELAYS",
    "SENDING_GRACE",
    "WAIT_LIMIT",
    "Deferral",
    "JobLog",
    "WebhookJob",
    "WebhookQueue",
    "attempt_record",
    "in_a_coroutine",
    "is_admin_url",
    "is_webhook_url",
]

_SLASHES = re.compile(r"/{2,}")

#: Seconds (emulator time) before each retry of a failed delivery.
RETRY_DELAYS = (5.0, 30.0, 120.0)

#: Delivery attempts kept for inspection, the newest (as many as the request journal
#: keeps requests): a server sending receipts for days must not grow without bound.
ATTEMPTS_KEPT = 10_000

#: Real seconds a wait for webhooks (``WebhookQueue.wait_sent``) lets an attempt that was
#: already under way as it began go on before it stops waiting: its receiver may be
#: the caller, waiting on the wait.
SENDING_GRACE = 0.5

#: Real seconds ``WebhookQueue.wait_sent`` is given by the admin API's ``?wait=true`` and
#: a live or remote server's ``advance()``: a receiver that never answers holds each
#: attempt for its timeout, and a wait must end.
WAIT_LIMIT = 30.0


def is_webhook_url(value: str) -> bool:
    """Whether the queue can send to ``value``: an absolute http or https URL."""
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


#: Why a webhook that would change an emulator through its admin API is not sent.
ADMIN_REFUSAL = (
    "not sent: a webhook may not change the emulator through its own admin API (/_emulator)"
)
#: Methods that read only: a webhook may still use an admin endpoint (``/health``) as a receiver.
_READ_ONLY = frozenset({"GET", "HEAD"})


def is_admin_url(value: str) -> bool:
    """Whether ``value`` points at an emulator's admin API (``/_emulator``, however
    written), which no webhook may change: a receipt POSTed to ``/_emulator/reset``
    would wipe everything the emulator had accepted, where the real provider could
    never have reached it."""
    try:
        path = httpx.URL(value.strip()).path  # percent-decoded, dot segments resolved
    except Exception:  # not a URL httpx can send to at all
        return False
    path = _SLASHES.sub("/", path).lower()  # as the emulator's router tidies it
    return path == "/_emulator" or path.startswith("/_emulator/")


def attempt_record(
    *,
    at: float,
    provider: str,
    event: str,
    message_id: str | None,
    method: str,
    url: str,
    attempt: int,
    status: int | None,
    error: str | None,
    started: float,
    sent: httpx.Request | None = None,
) -> dict[str, Any]:
    """One attempt as ``GET /_emulator/webhooks`` lists it (``ok``: no ``error``);
    ``started``: its ``time.perf_counter()`` at the start; ``sent``: the request made,
    whether or not the receiver was reached (None if none could be made: an address in
    the admin API, a URL httpx cannot build)."""
    return {
        "time": at,
        "provider": provider,
        "event": event,
        "message_id": message_id,
        "method": method,
        "url": url,
        "attempt": attempt,
        "status": status,
        "ok": error is None,
        "error": error,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        **_request_made(sent),
    }


def _request_made(sent: httpx.Request | None) -> dict[str, Any]:
    """What an attempt's record shows of its request: the body up to ``BODY_LIMIT``
    bytes, as the journal keeps one (10,000 attempts of a long inbound text each)."""
    if sent is None:
        return dict.fromkeys(("request_url", "request_headers", "request_body", "request_size"))
    body = sent.content
    return {
        "request_url": str(sent.url),
        "request_headers": headers_by_name(sent.headers.raw),
        # final=False: a body cut inside a character ends before it, unmarked
        "request_body": codecs.getincrementaldecoder("utf-8")("replace").decode(
            body[:BODY_LIMIT], final=len(body) <= BODY_LIMIT
        ),
        "request_size": len(body),
    }


@dataclass(order=True, slots=True)
class WebhookJob:
    due: float
    order: int
    method: str = field(compare=False)
    url: str = field(compare=False)
    provider: str = field(compare=False)
    event: str = field(compare=False, default="")
    message_id: str | None = field(compare=False, default=None)
    params: dict[str, Any] | None = field(compare=False, default=None)
    data: dict[str, Any] | None = field(compare=False, default=None)
    json: Any = field(compare=False, default=None)
    headers: dict[str, str] | None = field(compare=False, default=None)
    attempt: int = field(compare=False, default=0)
    #: Names the job in a ``JobLog``; kept across a restart.
    key: str = field(compare=False, default="")
    #: The queue's ``clear()`` count when scheduled: an older job is not retried.
    generation: int = field(compare=False, default=0)
    #: Waiting in the queue's heap; a job taken out to be sent by a ``Deferral``
    #: stays there, no longer queued, and is skipped.
    queued: bool = field(compare=False, default=False)
    #: Seconds to wait for the receiver (``None``: the queue's); whether a failed
    #: attempt is retried at all.
    timeout: float | None = field(compare=False, default=None)
    retry: bool = field(compare=False, default=True)
    #: The provider's own note on the job (kept across a restart), for its ``wanted`` check.
    tag: str = field(compare=False, default="")

    def record(self) -> dict[str, Any]:
        """The job as a JSON-ready dict (what a ``JobLog`` keeps, and ``restore`` takes)."""
        data = dataclasses.asdict(self)
        del data["order"], data["generation"], data["queued"]
        if data["timeout"] is None and data["retry"]:  # as an earlier version wrote it
            del data["timeout"], data["retry"]
        if not data["tag"]:
            del data["tag"]
        return data


class JobLog(Protocol):
    """Where pending jobs are written down so they outlive the process."""

    def holding(self) -> AbstractContextManager[Any]:
        """Hold the log (its store): what the queue writes inside is written together,
        and a reset that clears log and queue under the same hold falls before or after."""

    def saved(self, jobs: Sequence[WebhookJob]) -> None:
        """``jobs`` were scheduled, or rescheduled for a retry."""

    def done(self, jobs: Sequence[WebhookJob]) -> None:
        """``jobs`` were delivered, or will not be tried again."""

    def kept(self, jobs: Sequence[WebhookJob]) -> list[WebhookJob]:
        """Those of ``jobs`` still written down (a transaction undone took the others)."""


class WebhookQueue:
    """Scheduled webhooks, sent when due; attempts are kept for inspection."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        timeout: float = 5.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        log: JobLog | None = None,
        virtual_clock: bool = False,
        send_as_time_passes: bool = False,
        attempts_kept: int = ATTEMPTS_KEPT,
    ) -> None:
        self._now = now
        #: Asked before each attempt whether ``job`` is still owed (``None``: always);
        #: a job it refuses is dropped unsent and unrecorded.
        self.wanted: Callable[[WebhookJob], bool] | None = None
        #: Told of each attempt made (``job`` and its record), outside the queue's lock.
        self.attempted: Callable[[WebhookJob, dict[str, Any]], None] | None = None
        #: In sync mode, also send from a thread what comes due as time passes: on a
        #: real clock, which moves without the ``advance()`` that sends (see ``_arm``).
        self.send_as_time_passes = send_as_time_passes
        #: On a clock that only moves when told to, an attempt is made at its due
        #: time, and its retry is due counted from there: one jump of an hour sends
        #: what a second-by-second walk would, in the same order.
        self.virtual_clock = virtual_clock
        #: Jobs taken out of the heap and not yet attempted or put back, by ``id``.
        self._in_flight: dict[int, WebhookJob] = {}
        #: Jobs being attempted, by ``id``: their due time, generation and the attempt's
        #: serial number, until the outcome is told (``attempted``) and written down.
        self._finishing: dict[int, tuple[float, int, int]] = {}
        self._attempt_serial = itertools.count()
        self._heap: list[WebhookJob] = []
        #: How many jobs in ``_heap`` are ``queued`` (the others are skipped entries), so
        #: ``pending_count`` (the inspector polls it) does not walk the heap.
        self._queued = 0
        self._order = itertools.count()
        self._lock = threading.Lock()
        #: Told (under ``_lock``) whenever a job is done with: attempted and written
        #: down, put back, or cleared (``wait_sent`` waits on it).
        self._settled = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._waker: threading.Thread | None = None
        self._waker_event = threading.Event()
        self._waker_stop = threading.Event()  # set by close(): the rest of a round goes back
        self._closed = False
        self._log = log
        self._generation = 0
        self._holds = 0
        self._held_back = False  # a sending was put off by a hold
        self._put_off = False  # ... a sending of what came due (not only a hold's own jobs)
        self._held_here = _PerThread()
        self._more = False  # due work arrived while another thread was sending
        self._timeout = timeout
        #: The URL of the last attempt that timed out while a coroutine's event loop
        #: waited on it (``Emulator.advance`` warns: a receiver it serves cannot answer).
        self.timed_out_in_a_coroutine: str | None = None
        self._retry_delays = tuple(retry_delays)
        #: The newest ``attempts_kept`` delivery attempts, oldest first.
        self.attempts: deque[dict[str, Any]] = deque(maxlen=attempts_kept)
        #: Attempts recorded since the last ``clear()``, those no longer kept included.
        self.attempts_made = 0
        self.mode = "sync"
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()

    def schedule(
        self,
        due: float,
        *,
        method: str,
        url: str,
        provider: str,
        event: str = "",
        message_id: str | None = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        retry: bool = True,
        tag: str = "",
    ) -> WebhookJob:
        job = WebhookJob(
            due,
            0,  # order and generation: given when queued
            method.upper(),
            url,
            provider,
            event,
            message_id,
            params,
            data,
            json,
            headers,
            timeout=timeout,
            retry=retry,
            tag=tag,
        )
        if self._log is None:
            self._queue(job)
        else:
            job.key = uuid.uuid4().hex
            with self._log.holding():  # written down before it can be sent (and be done)
                self._queue(job)
                self._log.saved([job])
        deferral = _DEFERRAL.get()
        if deferral is not None and deferral.queue is self and due <= self._now():
            deferral.jobs.append(job)  # its own: sent by its send(), whoever else is sending
        self._poke()
        self._arm()
        return job

    def _queue(self, job: WebhookJob) -> None:
        with self._lock:
            job.order, job.generation = next(self._order), self._generation
            mine = self._held_here.jobs
            if mine is not None:
                mine.append(job)  # queued when this thread's hold ends
            else:
                self._push(job)

    def held(self) -> AbstractContextManager[None]:
        """Send nothing while inside (a transaction that may still be undone, a lock a
        receiver calling back would wait on); due jobs go out after.  (A ``Deferral``
        of another thread still sends the jobs its own request made, already saved.)

        Jobs this thread schedules inside are queued when the hold ends.  If it
        ends with an exception and the queue has a log, only those the log still
        has are queued: the others were written down in a transaction that was
        undone.  (Without a log, as with the memory store, the store keeps what
        was written before the exception, and the queue keeps its jobs.)
        """
        return _Hold(self)

    def restore(self, jobs: list[dict[str, Any]]) -> list[WebhookJob]:
        """Queue jobs a ``JobLog`` kept (``WebhookJob.record()``; due times and attempts kept)."""
        restored = []
        with self._lock:
            for data in jobs:
                fields = {
                    k: v for k, v in data.items() if k not in ("order", "generation", "queued")
                }
                fields.setdefault("key", uuid.uuid4().hex)
                job = WebhookJob(order=next(self._order), generation=self._generation, **fields)
                self._push(job)
                restored.append(job)
        if restored:
            self._arm()
        return restored

    def _arm(self) -> None:
        """With ``send_as_time_passes``: make sure the waker thread runs, and looks again.

        In sync mode jobs go out when the clock is advanced or when they are due at
        once (before the call or request that made them returns).  A real clock also
        moves by itself: the waker sends what comes due that way, ``_GRACE`` after it
        is due, so a job due at once is left to the call that made it.  It holds the
        queue only weakly and ends with it (or ``close()``); idle, it looks once a
        second.
        """
        if not self.send_as_time_passes or self._closed:
            return
        self._waker_event.set()
        with self._start_lock:
            if self._waker is None or not self._waker.is_alive():
                self._waker = threading.Thread(
                    target=_send_as_time_passes,
                    args=(weakref.ref(self), self._waker_event),
                    name="sms-emulator-webhook-waker",
                    daemon=True,
                )
                self._waker.start()

    def _next_due(self) -> float | None:
        """When the soonest queued job is due (None: none, or the worker sends them)."""
        if self.mode != "sync":
            return None
        with self._lock:
            heap = self._heap
            while heap and not heap[0].queued:  # taken out by a Deferral to be sent
                heapq.heappop(heap)
            return heap[0].due if heap else None

    def _push(self, job: WebhookJob) -> None:
        """Put ``job`` in the heap (under ``_lock``)."""
        job.queued = True
        self._queued += 1
        heapq.heappush(self._heap, job)

    def _sending(self) -> list[WebhookJob]:
        """(Under ``_lock``.)  Jobs being sent right now, since the latest ``clear()``."""
        return [j for j in self._in_flight.values() if j.generation == self._generation]

    def _pending_jobs(self, sending: list[WebhookJob]) -> Iterator[WebhookJob]:
        """(Under ``_lock``.)  Jobs not yet done, unordered: queued, then ``sending``."""
        return itertools.chain((job for job in self._heap if job.queued), sending)

    def pending(self) -> list[WebhookJob]:
        """Jobs not yet done: queued, or being sent right now, soonest first."""
        with self._lock:
            return sorted(self._pending_jobs(self._sending()))

    def pending_head(self, limit: int) -> tuple[list[WebhookJob], int]:
        """The first ``limit`` of ``pending()`` (without sorting them all) and how many
        there are, read together."""
        with self._lock:
            sending = self._sending()
            head = heapq.nsmallest(limit, self._pending_jobs(sending))
            return head, self._queued + len(sending)

    def pending_for(self, message_id: str) -> list[WebhookJob]:
        """``pending()``'s jobs about ``message_id``, soonest first (only those sorted)."""
        with self._lock:
            jobs = self._pending_jobs(self._sending())
            return sorted(job for job in jobs if job.message_id == message_id)

    def attempts_kept(self) -> list[dict[str, Any]]:
        """The delivery attempts kept (the newest), oldest first: a copy, taken under the
        queue's lock as a sender may be adding one."""
        with self._lock:
            return list(self.attempts)

    @property
    def generation(self) -> int:
        """Which ``clear()`` the queue is at: an exchange begun before the latest one
        belongs to nothing (see ``record_attempt``)."""
        return self._generation

    def record_attempt(self, record: dict[str, Any], generation: int) -> None:
        """List an exchange with a receiver made outside the queue (a RingCentral
        subscription's validation request, from ``attempt_record``) with the delivery
        attempts, unless the queue was cleared (a reset) since ``generation``."""
        with self._lock:
            if generation == self._generation:
                self._keep(record)

    def _keep(self, record: dict[str, Any]) -> None:
        """(Under ``_lock``.)  Keep an attempt, numbered as made from 1 (again after a
        ``clear()``): its number names it while newer ones arrive and older ones go."""
        self.attempts_made += 1
        record["number"] = self.attempts_made
        self.attempts.append(record)

    def pending_count(self) -> int:
        """``len(pending())``, without sorting them (the inspector polls it)."""
        with self._lock:
            return self._queued + len(self._sending())

    def clear(self) -> None:
        """Forget pending jobs and attempts; one being sent now is not retried or recorded."""
        with self._lock:
            self._heap.clear()
            self._queued = 0
            self.attempts.clear()
            self.attempts_made = 0
            self._generation += 1
            self._settled.notify_all()

    def notify(self) -> None:
        """Tell the queue the clock moved or work arrived.

        In sync mode the due jobs are sent before this returns, unless the
        queue is ``held()`` (they go when the hold ends) or another thread is
        sending right now: that thread sends them too before it stops.
        Waiting for it instead could wait for ever: it may be waiting for a
        receiver that called the emulator, which is what brought us here.
        In background mode the worker sends them, right after: an admin call
        that moves the clock, or a server stopping, does not wait on receivers
        (unless it asks to: ``wait_sent``).
        """
        _mark_moved(self)  # in a deferred scope, its send() sends all that is due
        self._poke()

    def deferred(self) -> Deferral:
        """A scope whose sync-mode sending is put off until its ``send()``.

        For an event loop serving in-process requests: a receiver that calls
        back into the emulator needs that loop, so the request must not wait
        on the receiver while it holds it.  Inside (the same context, threads
        it hands work to included) nothing is sent; ``send()``, called from
        a thread that may block, sends what came due meanwhile.
        """
        return Deferral(self)

    def _poke(self) -> None:
        if self.mode != "sync":
            self._wake.set()
            return
        deferral = _DEFERRAL.get()
        if deferral is not None and deferral.queue is self:
            deferral.due = True
            return
        self._send_now()

    def _send_now(self) -> None:
        self._more = True
        while self._more and self._send_lock.acquire(blocking=False):
            try:
                self._send_all_due()
            finally:
                self._send_lock.release()
            # else: the thread holding the lock sees _more and sends them

    @property
    def retry_delays(self) -> tuple[float, ...]:
        """Waits before each retry of a failed attempt; ``()`` makes one attempt only.

        A change applies to attempts that fail from then on.
        """
        return self._retry_delays

    @retry_delays.setter
    def retry_delays(self, delays: tuple[float, ...]) -> None:
        with self._lock:
            self._retry_delays = tuple(delays)

    def _pop_due(self, now: float) -> list[WebhookJob]:
        """Jobs due by ``now``, in due order, taken out of the queue.

        Only those due before a retry of the first could be: a retry is queued
        as its attempt fails, and must go out in its place among the rest.
        """
        due: list[WebhookJob] = []
        before = math.inf
        with self._lock:
            if self._holds:
                self._held_back = True  # sent once the hold ends
                self._put_off = True  # ... by whoever ends it, all that is due then
                return due
            heap = self._heap
            while heap and heap[0].due <= now and heap[0].due < before:
                job = heapq.heappop(heap)
                if job.queued:  # else a Deferral took it out to send it
                    job.queued = False
                    self._queued -= 1
                    due.append(job)
                    if len(due) == 1 and self._retry_delays:
                        before = job.due + min(self._retry_delays)
            self._in_flight.update((id(job), job) for job in due)  # pending until attempted
        return due

    def _take(self, jobs: list[WebhookJob]) -> list[WebhookJob]:
        """Those of ``jobs`` due and still queued, taken out of the queue to be sent.

        Their heap entries stay, skipped, and keep their keys: what is sent (and
        rescheduled for a retry, with a new ``due``) is a copy.
        """
        now = self._now()
        with self._lock:
            taken = [
                job
                for job in jobs
                if job.queued and job.due <= now and job.generation == self._generation
            ]
            for job in taken:
                job.queued = False
            self._queued -= len(taken)
            copies = [dataclasses.replace(job) for job in taken]
            self._in_flight.update((id(job), job) for job in copies)  # pending until attempted
        return copies

    def deliver_due(self, stop: threading.Event | None = None) -> int:
        """Send every webhook due by now; return how many jobs were taken (those no
        longer wanted included, which are dropped unsent).

        Once ``stop`` is set, the jobs not yet sent go back to the queue.
        """
        with self._send_lock:
            sent = self._send_all_due(stop)
        if self._more and (stop is None or not stop.is_set()):  # scheduled as the lock was let go
            self._poke()
        return sent

    def _send_all_due(self, stop: threading.Event | None = None) -> int:
        """Send due jobs until none is left, those other threads add meanwhile included."""
        sent = 0
        client: httpx.Client | None = None  # built at the first job: it costs ~20 ms
        try:
            while True:
                self._more = False
                jobs = self._pop_due(self._now())
                if jobs:
                    client = client or http.client(timeout=self._timeout)
                    sent += self._send_jobs(jobs, stop, client)  # then again: retries may be due
                if (stop is not None and stop.is_set()) or not (jobs or self._more):
                    return sent
        finally:
            if client is not None:
                client.close()

    def _send_jobs(
        self,
        jobs: list[WebhookJob],
        stop: threading.Event | None = None,
        client: httpx.Client | None = None,
    ) -> int:
        """Attempt ``jobs`` (taken out of the queue) in order; once ``stop`` is set,
        the rest go back.  How many were attempted.

        Each outcome is written down as soon as it is known: after a crash, only
        the attempt in flight is made again, not every one of a long round.
        """
        if client is None:
            with http.client(timeout=self._timeout) as own:
                return self._send_jobs(jobs, stop, own)
        for done, job in enumerate(jobs):
            if stop is not None and stop.is_set():
                self._requeue(jobs[done:])
                return done
            with self._lock:
                # until its outcome is told and written down (a retry changes its due)
                self._finishing[id(job)] = (job.due, job.generation, next(self._attempt_serial))
            try:
                retry = self._attempt(client, job)
                self._write_down([job], [retry])
            except Exception:
                self._requeue(jobs[done + 1 :])  # the store failed: the rest go back, unsent
                raise
            finally:
                with self._lock:
                    del self._finishing[id(job)]
                    self._settled.notify_all()
        return len(jobs)

    def _requeue(self, jobs: list[WebhookJob]) -> None:
        with self._lock:
            self._drop_in_flight(jobs)
            for job in jobs:
                if job.generation == self._generation:
                    self._push(job)
            self._settled.notify_all()

    def attempts_under_way(self) -> frozenset[int]:
        """The attempts being made now (their serial numbers): what a call that makes
        webhooks due takes before it does, for its ``wait_sent``."""
        with self._lock:
            return frozenset(self._attempts_under_way())

    def wait_sent(self, timeout: float, under_way: Collection[int] | None = None) -> int:
        """Wait until every job due now has been attempted and written down, retries
        due by now included (after a long jump on a virtual clock; not one that comes
        due later, as on a real clock, during the wait) (at most ``timeout`` real
        seconds); return how many are still due then (0: none; a worker stopped
        meanwhile leaves some).

        For a live server, whose worker sends them: in sync mode they went out before
        the call that made them due returned (or a thread sending now sends them), so
        there is nothing to wait for.  Nor is there when an attempt already under way
        before that call (``under_way``, taken by ``attempts_under_way()`` before it;
        else those under way as the wait begins) is still going ``SENDING_GRACE`` after
        the wait began: its receiver may be the caller (an auto-responder simulating a
        reply), which the attempt waits on; the worker sends the rest after it, as a
        sending thread does in sync mode.  (Taken as the wait begins, it would include
        an attempt the worker began of a job the call itself made due.)
        """
        if self.mode == "sync":
            return 0
        started = time.monotonic()
        deadline = started + timeout
        with self._settled:
            by = self._now()
            under_way = self._attempts_under_way() if under_way is None else set(under_way)
            while self.mode != "sync" and self._due_by(by, first=True):
                now = time.monotonic()
                if now - started >= SENDING_GRACE and under_way & self._attempts_under_way():
                    return 0
                if now >= deadline:
                    break
                # Told of every job done; the short wait also sees the worker stop.
                self._settled.wait(min(deadline - now, 0.1))
            # (a worker stopped meanwhile left these unsent: still due, not 0)
            return self._due_by(by)

    def _attempts_under_way(self) -> set[int]:
        """(Under ``_lock``.)  The serial numbers of the attempts being made now of jobs
        since the latest ``clear()``: one from before a reset (a session's server, a test
        that is over) is no reply's to this call, and the worker sends the rest after it."""
        current = self._generation
        return {
            serial for _, generation, serial in self._finishing.values() if generation == current
        }

    def _due_by(self, by: float, *, first: bool = False) -> int:
        """(Under ``_lock``.)  How many current jobs due by ``by`` are queued or being
        sent; with ``first``, stop at the first (1 or 0)."""
        current = self._generation
        sending = [(key, j.due, j.generation) for key, j in self._in_flight.items()]
        sending += [(key, due, generation) for key, (due, generation, _) in self._finishing.items()]
        found: set[int] = set()
        for key, due, generation in sending:
            if due <= by and generation == current:
                found.add(key)
                if first:
                    return 1
        heap, stack = self._heap, [0] if self._heap else []
        while stack:  # the heap's tree, pruned below a job due later than ``by``
            i = stack.pop()
            job = heap[i]
            if job.due > by:
                continue
            if job.queued and job.generation == current:
                found.add(id(job))
                if first:
                    return 1
            stack.extend(c for c in (2 * i + 1, 2 * i + 2) if c < len(heap))
        return len(found)

    def _drop_in_flight(self, jobs: Sequence[WebhookJob]) -> None:
        """(Under ``_lock``.)  ``jobs`` are no longer being sent."""
        for job in jobs:
            self._in_flight.pop(id(job), None)

    def _write_down(self, jobs: list[WebhookJob], retried: list[bool]) -> None:
        """Tell the log which jobs are rescheduled and which are done."""
        if self._log is None:
            return
        with self._log.holding():
            with self._lock:  # jobs cleared meanwhile belong to nothing now
                live = [
                    (j, r)
                    for j, r in zip(jobs, retried, strict=True)
                    if j.generation == self._generation
                ]
            again = [job for job, retry in live if retry]
            over = [job for job, retry in live if not retry]
            if again:
                self._log.saved(again)
            if over:
                self._log.done(over)

    def is_current(self, job: WebhookJob) -> bool:
        """Whether ``job`` belongs to the state since the latest ``clear()`` (a reset)."""
        with self._lock:
            return job.generation == self._generation

    def _still_wanted(self, job: WebhookJob) -> bool:
        if self.wanted is None:
            return True
        try:
            return self.wanted(job)
        except Exception:  # one job the check fails on must not take the others down
            return True

    def _attempt(self, client: httpx.Client, job: WebhookJob) -> bool:
        """Send ``job`` once; whether it is queued again for a retry."""
        at = job.due if self.virtual_clock else self._now()
        with self._lock:
            if job.generation != self._generation:  # cleared (a reset) before its turn
                self._drop_in_flight([job])
                return False
        if not self._still_wanted(job):
            with self._lock:
                self._drop_in_flight([job])
            return False  # e.g. its subscription was deleted meanwhile: owed to no one
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        request: httpx.Request | None = None
        try:
            if job.method.upper() not in _READ_ONLY and is_admin_url(job.url):
                raise _NotSent(ADMIN_REFUSAL)
            headers = dict(job.headers or {})
            content = None
            if job.json is not None:  # encoded here: httpx's JSON changed between versions
                content = msgspec.json.encode(job.json)
                headers.setdefault("Content-Type", "application/json")
            timeout = self._timeout if job.timeout is None else job.timeout
            request = client.build_request(
                job.method,
                _with_params(job.url, job.params),
                content=content,
                data=job.data,
                headers=headers,
                timeout=timeout,
            )
            deadline = time.monotonic() + timeout  # the attempt's, not only the body's
            response = client.send(request, stream=True)
            try:
                _read_until(response, deadline)
            finally:
                response.close()
            status = response.status_code
            ok = 200 <= status < 300
            if not ok:
                error = f"HTTP {status}"
        except Exception as exc:
            # Any: a host httpx cannot even encode (``a..b``) raises UnicodeError. One
            # unsendable job is a failed attempt; it must not take the others down.
            ok, error = (
                False,
                str(exc) if isinstance(exc, _NotSent) else f"{type(exc).__name__}: {exc}",
            )
            if isinstance(exc, httpx.TimeoutException) and in_a_coroutine():
                self.timed_out_in_a_coroutine = job.url  # refused is not the loop's doing
        job.attempt += 1
        record = attempt_record(
            at=at,
            provider=job.provider,
            event=job.event,
            message_id=job.message_id,
            method=job.method,
            url=job.url,
            attempt=job.attempt,
            status=status,
            error=error,  # None unless the attempt failed
            started=started,
            sent=request,
        )
        with self._lock:
            self._drop_in_flight([job])
            if job.generation != self._generation:
                return False  # cleared while it was being sent: it belongs to nothing now
            self._keep(record)
            retry = not ok and job.retry and job.attempt <= len(self._retry_delays)
            if retry:
                since = at if self.virtual_clock else self._now()
                job.due = since + self._retry_delays[job.attempt - 1]
                self._push(job)
        if self.attempted is not None:
            try:
                self.attempted(job, record)
            except Exception:  # one job the hook fails on must not take the others down
                pass
        if retry:
            self._arm()
        return retry

    # background mode
    def start(self, interval: float = 0.05) -> None:
        """Deliver from a daemon thread from now on."""
        if self._worker is not None:
            return
        self.mode = "background"
        stop = self._stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                self._wake.wait(interval)
                self._wake.clear()
                try:
                    self.deliver_due(stop)
                except Exception:  # never let the worker die
                    pass

        self._worker = threading.Thread(target=run, name="sms-emulator-webhooks", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Back to sync mode; a delivery in flight is finished (and written down) first,
        jobs due but not yet sent stay queued."""
        self._stop.set()
        self._wake.set()
        longest = self._longest_timeout()
        if self._worker is not None:
            self._worker.join(timeout=longest + 1)
        self._worker = None
        with self._lock:
            self.mode = "sync"
            self._settled.notify_all()  # a wait_sent() has no worker to wait for now
        self._arm()  # what the worker left, as time passes (a live server stopped)

    def close(self) -> None:
        """Stop sending for good: the worker and the waker end (a delivery in flight is
        finished and written down first), pending jobs stay queued."""
        self._closed = True
        self._waker_stop.set()
        self._waker_event.set()
        self.stop()
        waker = self._waker
        if waker is not None and waker is not threading.current_thread():
            waker.join(timeout=self._longest_timeout() + 1)

    def _longest_timeout(self) -> float:
        """The longest a job being sent may still take: httpx's timeout bounds each step
        (connecting, sending, the status) and a body read is let go on past the job's
        timeout only once (see ``_read_until``), so four timeouts.  (httpx times each
        read, so a receiver sending its very status line a byte at a time can go on
        longer; its webhook is then sent again after a restart, as after a crash.)"""
        with self._lock:
            longest = max([self._timeout, *(j.timeout or 0.0 for j in self._in_flight.values())])
        return 4 * longest

    def _send_overdue(self) -> None:
        """The waker's round: jobs due ``_GRACE`` ago or more, then any a sync call
        left to it (see ``notify``), one at a time and in due order, as the worker's.

        Jobs due later than ``_GRACE`` ago are left to the call that made them,
        which sends them before it returns unless this round is sending then.
        """
        stop = self._waker_stop
        with self._send_lock:
            try:
                jobs = self._pop_due(self._now() - _GRACE)
                if jobs:
                    self._send_jobs(jobs, stop)
            except Exception:  # never let the waker die (as the worker); the rest went back
                pass
        # What a call handed over while the lock was held (see notify), the lock let go
        # in between included: as _send_now does.
        while self._more and not stop.is_set() and self._send_lock.acquire(blocking=False):
            try:
                self._send_all_due(stop)
            except Exception:
                pass
            finally:
                self._send_lock.release()


class _NotSent(Exception):
    """An attempt refused before any request was made (its message is the error)."""


def _read_until(response: httpx.Response, deadline: float) -> None:
    """Read the answer's body (so its connection is kept alive) until ``deadline``,
    the attempt's start plus its timeout.

    The status is the answer: a body trickling in must not keep the attempt (and a
    stopping server or ``close()`` waiting on it) going on for ever; past the
    deadline only the read under way is finished (itself bounded by the timeout).
    """
    for _ in response.iter_raw():
        if time.monotonic() > deadline:
            return


def _query_value(value: Any) -> str:
    """A parameter as httpx writes one (``true``, ``""`` for None)."""
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def _with_params(url: str, params: dict[str, Any] | None) -> httpx.URL:
    """``url`` with ``params`` merged into its query as httpx 0.28 merges them (a name
    already there replaced in place, the query written again with ``+`` for spaces),
    whatever the httpx version installed (0.27 wrote ``%20``)."""
    parsed = httpx.URL(url)
    if not params:
        return parsed
    merged = parse_qs(parsed.query.decode("ascii"), keep_blank_values=True)
    merged.update({str(name): [_query_value(value)] for name, value in params.items()})
    query = urlencode([(name, value) for name, values in merged.items() for value in values])
    return parsed.copy_with(query=query.encode("ascii"))


#: Seconds the waker leaves a due job to the call that made it, and an idle one sleeps.
_GRACE = 0.5
_IDLE = 1.0


def _send_as_time_passes(queue_ref: weakref.ref[WebhookQueue], wake: threading.Event) -> None:
    """The waker's loop (see ``WebhookQueue._arm``)."""
    while True:
        queue = queue_ref()
        if queue is None or queue._closed:
            return
        wait = _IDLE
        due = queue._next_due()
        if due is not None:
            wait = due + _GRACE - queue._now()
            if wait <= 0:
                queue._send_overdue()
                wait = 0.05  # sent, or held: look again soon
        del queue  # not kept alive by a sleeping waker
        wake.wait(min(wait, _IDLE))
        wake.clear()


class Deferral:
    """``WebhookQueue.deferred()``: the scope, and whether anything came due in it."""

    __slots__ = ("_token", "due", "jobs", "moved", "queue")

    def __init__(self, queue: WebhookQueue) -> None:
        self.queue = queue
        #: Something was scheduled or came due inside: ``send()`` has work.
        self.due = False
        #: Jobs scheduled inside: ``send()`` sends those due itself.
        self.jobs: list[WebhookJob] = []
        #: ``notify()`` was called inside (the clock moved): all that is due is sent.
        self.moved = False

    def __enter__(self) -> Deferral:
        self._token = _DEFERRAL.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _DEFERRAL.reset(self._token)

    def send(self) -> None:
        """Send what came due inside (blocks on receivers: not on the serving loop).

        The jobs scheduled inside are sent here, even while another thread is
        sending (it may be waiting on a slow receiver): whoever made them gets
        its answer after them.  If the clock moved inside, anything else due
        goes as ``notify()`` sends it; otherwise it is not this request's to wait
        for (on a real clock the helper thread sends what comes due as time passes).
        """
        if not self.due:
            return
        self.due = False
        queue = self.queue
        mine = queue._take(self.jobs)
        self.jobs = []
        if mine:
            queue._send_jobs(mine)
        if self.moved:
            self.moved = False
            queue.notify()


_DEFERRAL: ContextVar[Deferral | None] = ContextVar("sms_emulator_deferral", default=None)


def in_a_coroutine() -> bool:
    """Whether this thread runs a coroutine of an event loop (which waits on us now); not
    a loop merely running here without one (Playwright's sync API keeps one).  asyncio's
    or trio's (anyio runs on either): trio's is no asyncio loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        if asyncio.current_task() is not None:
            return True
    trio = sys.modules.get("trio")  # imported by whoever runs it: never imported here
    # Still being imported by another thread (httpx imports httpcore, and so trio, at
    # its first client): no trio.run() can be running here yet.
    current_task = getattr(getattr(trio, "lowlevel", None), "current_task", None)
    if current_task is None:
        return False
    try:
        current_task()
    except RuntimeError:  # not in trio.run() (a worker thread of it included)
        return False
    return True


def _mark_moved(queue: WebhookQueue) -> None:
    """Within ``queue``'s deferred scope: its ``send()`` is to send all that is due."""
    deferral = _DEFERRAL.get()
    if deferral is not None and deferral.queue is queue:
        deferral.moved = True


class _PerThread(threading.local):
    #: Jobs this thread scheduled inside ``held()``, to queue when it ends.
    jobs: list[WebhookJob] | None = None  # a class default: no exception on a first read


class _Hold:
    """``WebhookQueue.held()``: a class, not a generator, as it wraps every send request."""

    __slots__ = ("mine", "outer", "queue")

    def __init__(self, queue: WebhookQueue) -> None:
        self.queue = queue

    def __enter__(self) -> None:
        queue = self.queue
        self.outer = queue._held_here.jobs
        self.mine: list[WebhookJob] = [] if self.outer is None else self.outer
        queue._held_here.jobs = self.mine
        with queue._lock:
            queue._holds += 1

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        queue = self.queue
        mine = self.mine
        if kind is not None and queue._log is not None and self.outer is None and mine:
            try:  # those written down by an undone transaction are gone
                mine = queue._log.kept(mine)
            except Exception:  # the store itself failed: its transaction is undone
                mine = []
        with queue._lock:
            if self.outer is None:
                queue._held_here.jobs = None
                for job in mine:
                    if job.generation == queue._generation:  # not cleared meanwhile
                        queue._push(job)
                        queue._held_back = True  # for whichever hold ends last
            queue._holds -= 1
            send = queue._holds == 0 and queue._held_back
            put_off = send and queue._put_off
            if send:
                queue._held_back = queue._put_off = False
        if send:
            if put_off:  # a deferred request ending the hold sends all that is due
                _mark_moved(queue)
            queue._poke()
