"""A fault's delay ends early when the emulator is reset or its server stops."""

from __future__ import annotations

import asyncio
import threading

from emulator.core.delays import Delays


def test_a_wait_that_runs_its_course_says_so() -> None:
    assert asyncio.run(Delays().wait(0.001)) is True


def test_interrupt_from_another_thread_ends_a_long_wait() -> None:
    delays = Delays()

    async def main() -> bool:
        waiting = asyncio.create_task(delays.wait(1000))
        await asyncio.sleep(0)  # the wait is registered
        threading.Thread(target=delays.interrupt).start()
        return await asyncio.wait_for(waiting, 30)  # not the 1000 s

    assert asyncio.run(main()) is False


def test_an_interrupt_ends_only_the_waits_in_progress() -> None:
    delays = Delays()
    delays.interrupt()
    assert asyncio.run(delays.wait(0.001)) is True  # began after it: waits its course


def test_a_wait_on_a_loop_that_has_closed_does_not_break_the_interrupt() -> None:
    delays = Delays()
    loop = asyncio.new_event_loop()
    task = loop.create_task(delays.wait(1000))
    loop.run_until_complete(asyncio.sleep(0))  # registered, then its loop goes away
    loop.close()
    delays.interrupt()  # no RuntimeError from the closed loop
    assert not task.done()
