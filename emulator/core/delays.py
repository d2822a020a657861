"""Wall-clock waits (a scenario fault's ``delay``) that a reset or a stopping server ends early.

A delayed request belongs to the state it arrived in: when the emulator is
reset (the live-server fixture resets before each test) or its server stops,
waiting out the rest of the delay would only hold the next test, or the
shutdown, for nothing.  Waits run on a server's event loop; ``interrupt`` may
be called from any thread.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["Delays"]


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Delays:
    """The waits in progress, so that all of them can be ended at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    async def wait(self, seconds: float) -> bool:
        """Wait ``seconds`` of real time: True if they passed, False if interrupted."""
        loop = asyncio.get_running_loop()
        entry = (loop, loop.create_future())
        with self._lock:
            self._waiting.add(entry)
        try:
            done, _ = await asyncio.wait({entry[1]}, timeout=seconds)
            return not done
        finally:
            with self._lock:
                self._waiting.discard(entry)

    def interrupt(self) -> None:
        """End every wait in progress (each one's ``wait`` returns False)."""
        with self._lock:
            waiting = list(self._waiting)
        for loop, waiter in waiting:
            try:
                loop.call_soon_threadsafe(_wake, waiter)
            except RuntimeError:  # its loop has closed: nothing is waiting there any more
                pass
