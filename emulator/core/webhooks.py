"""Outgoing webhooks: a due-event queue on the emulator clock, with retries.

Providers schedule a request for a moment in emulator time; it is sent once
the clock reaches it.  In-process (``mode="sync"``) due webhooks go out when
the clock is advanced or an event is due now; a live server runs a
background worker instead (``mode="background"``) so request handling never
waits on a receiver.  Failed attempts are retried with backoff and every
attempt is recorded.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["RETRY_DELAYS", "WebhookJob", "WebhookQueue"]

#: Seconds (emulator time) before each retry of a failed delivery.
RETRY_DELAYS = (5.0, 30.0, 120.0)


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


class WebhookQueue:
    """Scheduled webhooks, sent when due; attempts are kept for inspection."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        timeout: float = 5.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self._now = now
        self._heap: list[WebhookJob] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._timeout = timeout
        self._retry_delays = retry_delays
        self.attempts: list[dict[str, Any]] = []
        self.mode = "sync"
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._stopping = False

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
    ) -> WebhookJob:
        job = WebhookJob(
            due,
            next(self._order),
            method.upper(),
            url,
            provider,
            event,
            message_id,
            params,
            data,
            json,
            headers,
        )
        with self._lock:
            heapq.heappush(self._heap, job)
        self.notify()
        return job

    def export(self) -> list[dict[str, Any]]:
        """Pending jobs as JSON-ready dicts, soonest first (to persist across a restart)."""
        return [dataclasses.asdict(job) for job in self.pending()]

    def restore(self, jobs: list[dict[str, Any]]) -> None:
        """Queue jobs saved by ``export`` (their due times and attempts are kept)."""
        with self._lock:
            for data in jobs:
                fields = {k: v for k, v in data.items() if k != "order"}
                heapq.heappush(self._heap, WebhookJob(order=next(self._order), **fields))

    def pending(self) -> list[WebhookJob]:
        with self._lock:
            return sorted(self._heap)

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()
            self.attempts.clear()

    def notify(self) -> None:
        """Tell the queue the clock moved or work arrived."""
        if self.mode == "sync":
            self.deliver_due()
        else:
            self._wake.set()

    def _pop_due(self, now: float) -> list[WebhookJob]:
        due = []
        with self._lock:
            while self._heap and self._heap[0].due <= now:
                due.append(heapq.heappop(self._heap))
        return due

    def deliver_due(self) -> int:
        """Send every webhook due by now; return how many attempts were made."""
        with self._send_lock:
            jobs = self._pop_due(self._now())
            if not jobs:
                return 0
            with httpx.Client(timeout=self._timeout) as client:
                for job in jobs:
                    self._attempt(client, job)
            return len(jobs)

    def _attempt(self, client: httpx.Client, job: WebhookJob) -> None:
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            # Merge, not replace: a webhook URL often carries its own query string.
            url = httpx.URL(job.url)
            if job.params:
                url = url.copy_merge_params(job.params)
            response = client.request(
                job.method,
                url,
                data=job.data,
                json=job.json,
                headers=job.headers,
            )
            status = response.status_code
            ok = 200 <= status < 300
            if not ok:
                error = f"HTTP {status}"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"
        job.attempt += 1
        record = {
            "time": job.due if job.attempt == 1 else self._now(),
            "provider": job.provider,
            "event": job.event,
            "message_id": job.message_id,
            "method": job.method,
            "url": job.url,
            "attempt": job.attempt,
            "status": status,
            "ok": ok,
            "error": error,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        with self._lock:
            self.attempts.append(record)
            if not ok and job.attempt <= len(self._retry_delays):
                job.due = self._now() + self._retry_delays[job.attempt - 1]
                heapq.heappush(self._heap, job)

    # background mode
    def start(self, interval: float = 0.05) -> None:
        """Deliver from a daemon thread from now on."""
        if self._worker is not None:
            return
        self.mode = "background"
        self._stopping = False

        def run() -> None:
            while not self._stopping:
                self._wake.wait(interval)
                self._wake.clear()
                try:
                    self.deliver_due()
                except Exception:  # never let the worker die
                    pass

        self._worker = threading.Thread(target=run, name="sms-emulator-webhooks", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=2)
        self._worker = None
        self.mode = "sync"
