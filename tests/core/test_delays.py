"""A fault's delay ends early when the emulator is reset or its server stops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from emulator.core.delays import Delays


def test_a_wait_that_runs_its_course_says_so() -> None:
    assert asyncio.run(Delays().wait(0.001)) is True


@pytest.mark.parametrize("ending", ["interrupt", "stop"])
def test_interrupt_or_stop_from_another_thread_ends_a_wait_under_way(ending: str) -> None:
    """A stop too: a server stopping must not wait out the delay of a request it is
    still serving."""
    delays = Delays()

    async def main() -> bool:
        waiting = asyncio.create_task(delays.wait(1000))
        await asyncio.sleep(0)  # the wait is registered
        threading.Thread(target=getattr(delays, ending)).start()
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


def test_a_wait_for_a_request_a_reset_has_overtaken_ends_at_once() -> None:
    """A reset between the request's arrival and the start of its delay (it found
    nothing to interrupt then) must not leave it to wait the whole delay."""
    assert asyncio.run(Delays().wait(1000, stale=lambda: True)) is False


def test_a_reset_s_interrupt_spares_the_requests_that_arrived_after_it() -> None:
    """The next test's request, already waiting when the reset's interrupt runs, is
    not dropped; the one from before the reset is."""
    delays = Delays()

    async def main() -> tuple[bool, bool]:
        old = asyncio.create_task(delays.wait(1000, stale=lambda: True))
        new = asyncio.create_task(delays.wait(0.05, stale=lambda: False))
        await asyncio.sleep(0)  # both registered
        delays.interrupt(stale_only=True)
        return await asyncio.wait_for(old, 30), await asyncio.wait_for(new, 30)

    assert asyncio.run(main()) == (False, True)


def test_an_emulator_reset_ends_the_delay_of_a_request_from_before_it() -> None:
    """Through ``Emulator.arrival_check``: a request that arrived before a reset, its
    delay begun only after the reset, is dropped at once, while one arriving after it waits."""
    from emulator import Emulator
    from emulator.emulator import REQUEST_ARRIVED_IN

    with Emulator() as emu:

        async def request() -> bool:
            return await emu.delays.wait(0.05, emu.arrival_check())

        async def main() -> tuple[bool, bool]:
            token = REQUEST_ARRIVED_IN.set(emu.resets)
            try:
                emu.reset()  # on another thread in a live server: here, before the wait
                before = await request()
                REQUEST_ARRIVED_IN.set(emu.resets)  # a request arriving now
                return before, await request()
            finally:
                REQUEST_ARRIVED_IN.reset(token)

        assert asyncio.run(main()) == (False, True)


def test_after_a_stop_waits_end_at_once_until_resumed() -> None:
    """A request arriving while a server stops (before it notices) must not hold it."""
    delays = Delays()
    delays.stop()
    assert asyncio.run(delays.wait(1000)) is False
    delays.resume()
    assert asyncio.run(delays.wait(0.001)) is True
