"""In-process requests: what one request through ``emu.client()`` costs a test.

The ``sms_emulator`` fixture's client sends each request through httpx to the
emulator's app, which runs on the emulator's own event loop thread (so a slow
answer can time out while the app carries on, as on a socket). Measured: the
same three small requests as ``throughput.py`` (a RingCentral 2-recipient
batch, sendbulk with 10 items, Fone Dynamics with 10 messages), CPU time per
request of the whole process, best of several rounds. Baseline, same run: an
``httpx.Client`` whose transport answers at once without any app, i.e. what
httpx itself costs a request. No target; for reference (see BENCHMARKS.md).

``python benchmarks/in_process.py [--requests 2000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import rc_token, result
from throughput import SCENARIO, requests_for

from emulator import Emulator


class _AnswersAtOnce(httpx.BaseTransport):
    """httpx's own cost: a transport that reads the request and answers a fixed body."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        headers = [(b"content-type", b"application/json")]
        return httpx.Response(200, headers=headers, content=b'{"ok": true}', request=request)


def cpu_per_call(action: Callable[[], object], calls: int, rounds: int) -> float:
    """The fastest round's CPU seconds per call (all threads of this process)."""
    for _ in range(min(calls, 200)):  # warm-up
        action()
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            action()
        best = min(best, (time.process_time() - started) / calls)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    emu = Emulator(SCENARIO, clock="virtual", seed=1)
    with (
        emu.client() as client,
        httpx.Client(transport=_AnswersAtOnce(), base_url="http://sms-emulator.test") as floor,
    ):
        for name, path, body, extra in requests_for(rc_token(client)):
            headers = {"Content-Type": "application/json", **extra}
            sent = client.post(path, content=body, headers=headers)
            if sent.status_code not in (200, 201):
                raise SystemExit(f"{name}: {sent.status_code} {sent.text[:300]}")

            def emulated(path: str = path, body: bytes = body, headers: dict = headers) -> None:
                client.post(path, content=body, headers=headers)

            def httpx_only(path: str = path, body: bytes = body, headers: dict = headers) -> None:
                floor.post(path, content=body, headers=headers)

            # alternate the two, so a busy spell on the machine touches both
            emulator_cost = floor_cost = float("inf")
            for _ in range(2):
                emulator_cost = min(emulator_cost, cpu_per_call(emulated, args.requests, 1))
                floor_cost = min(floor_cost, cpu_per_call(httpx_only, args.requests, 1))
            emulator_cost = min(emulator_cost, cpu_per_call(emulated, args.requests, args.rounds))
            floor_cost = min(floor_cost, cpu_per_call(httpx_only, args.requests, args.rounds))
            result(
                f"in_process.{name}",
                emulator_cost / floor_cost,
                "none: for reference",
                True,
                f"{emulator_cost * 1e6:.0f} us a request through emu.client() against"
                f" {floor_cost * 1e6:.0f} us for httpx alone",
                emulator_us=round(emulator_cost * 1e6, 1),
                httpx_us=round(floor_cost * 1e6, 1),
            )
    emu.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
