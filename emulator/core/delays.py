"""Wall-clock waits (a scenario fault's ``delay``) that a reset or a stopping server ends early.

A delayed request belongs to the state it arrived in: when the emulator is
reset (the live-server fixture resets before each test) or its server stops,
waiting out the rest of the delay would only hold the next test, or the
shutdown, for nothing.  Waits run on a server's event loop; ``interrupt`` may
be called from any thread.  A wait may say which request it holds (``stale``:
whether a reset has come since that request arrived), so that a reset ends the
waits of the requests that arrived before it, those that began after the reset
had cleared the state included, and no other (the next test's own requests).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

__all__ = ["Delays"]


_Entry = tuple[asyncio.AbstractEventLoop, asyncio.Future[None], Callable[[], bool] | None]


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Delays:
    """The waits in progress, so that all of them can be ended at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[_Entry] = set()
        self._stopped = False

    async def wait(self, seconds: float, stale: Callable[[], bool] | None = None) -> bool:
        """Wait ``seconds`` of real time: True if they passed, False if interrupted
        (or ``stale()`` already, checked once the wait is registered: a reset that came
        between the request's arrival and here ends it as one during it would)."""
        loop = asyncio.get_running_loop()
        entry = (loop, loop.create_future(), stale)
        with self._lock:
            self._waiting.add(entry)
            stopped = self._stopped
        try:
            if stopped or (stale is not None and stale()):
                return False
            done, _ = await asyncio.wait({entry[1]}, timeout=seconds)
            return not done
        finally:
            with self._lock:
                self._waiting.discard(entry)

    def interrupt(self, *, stale_only: bool = False) -> None:
        """End every wait in progress (each one's ``wait`` returns False); with
        ``stale_only`` (a reset), not those whose ``stale()`` says they are current."""
        with self._lock:
            waiting = list(self._waiting)
        for loop, waiter, stale in waiting:
            if stale_only and stale is not None and not stale():
                continue
            try:
                loop.call_soon_threadsafe(_wake, waiter)
            except RuntimeError:  # its loop has closed: nothing is waiting there any more
                pass

    def stop(self) -> None:
        """End every wait, and those begun from now on at once, until ``resume()`` (a
        server stopping: a request arriving before it notices must not hold it)."""
        with self._lock:
            self._stopped = True
        self.interrupt()

    def resume(self) -> None:
        """Let waits run their course again (the server has stopped; the emulator goes on)."""
        with self._lock:
            self._stopped = False
