"""Virtual clock: advancing over 1,000 vs 1,000,000 pending messages and reading statuses.

Statuses are computed from each message's plan on read, so an advance should
cost the same whatever is stored, and a read should cost per message read.
Each step advances the clock by 10 ms (the batch is still being dispatched,
so statuses really change between steps) and reads the status of the same
100 messages; the ratio is the cost of a step with 1,000,000 messages stored
over the cost with 1,000 (target ≈ 1, i.e. O(changed reads), not O(all)).

Measured in-process (``emu.advance`` + ``store.get_message`` + RingCentral's
status mapping) and through HTTP in-process (``POST /_emulator/clock`` and
``GET .../a2p-sms/messages/{id}``).

``python benchmarks/clock.py [--large 1000000] [--small 1000]``
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RC_A2P, RC_SENDER, rc_token, result

from emulator import Emulator
from emulator.core.models import Batch, Direction, Message
from emulator.providers.ringcentral.auth import DEFAULT_ACCOUNT_ID
from emulator.providers.ringcentral.mapping import status_name

SAMPLE = 100
STEPS = 200
HTTP_SAMPLE = 10
HTTP_STEPS = 30


def stored(count: int) -> tuple[Emulator, list[str]]:
    """An emulator holding one RingCentral batch of ``count`` queued messages."""
    emu = Emulator(clock="virtual")
    now = emu.time()
    plan = emu.plan("delivered")
    # dispatched over an hour: every step changes some statuses
    batch = Batch("bench-batch", "ringcentral", DEFAULT_ACCOUNT_ID, RC_SENDER, now, count, 3600.0)
    messages = [
        Message(
            str(25_000_000_001 + i),
            "ringcentral",
            DEFAULT_ACCOUNT_ID,
            RC_SENDER,
            f"+1{2_120_000_000 + i}",
            "Your code is 123456",
            1,
            now,
            batch.dispatch_time(i),
            plan,
            batch.id,
            Direction.OUTBOUND,
        )
        for i in range(count)
    ]
    emu.add_batch(batch, messages)
    stride = max(1, count // SAMPLE)
    return emu, [messages[i].id for i in range(0, count, stride)][:SAMPLE]


def step_cost(emu: Emulator, ids: list[str]) -> float:
    """Seconds per step: advance 10 ms, then read the sampled statuses (best of 3 rounds)."""
    store, best = emu.store, float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(STEPS):
            emu.advance(0.01)
            now = emu.time()
            for message_id in ids:
                message = store.get_message(message_id)
                assert message is not None
                status_name(message, now)
        best = min(best, (time.perf_counter() - started) / STEPS)
    return best


def http_step_cost(emu: Emulator, ids: list[str]) -> float:
    """Seconds per step through HTTP in-process (best of 3 rounds)."""
    best = float("inf")
    with emu.client() as client:
        headers = {"Authorization": f"Bearer {rc_token(client)}"}
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(HTTP_STEPS):
                client.post("/_emulator/clock", json={"advance": "10ms"}).raise_for_status()
                for message_id in ids[:HTTP_SAMPLE]:
                    response = client.get(f"{RC_A2P}/messages/{message_id}", headers=headers)
                    response.raise_for_status()
            best = min(best, (time.perf_counter() - started) / HTTP_STEPS)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    costs: dict[str, dict[int, float]] = {"direct": {}, "http": {}}
    stores = {count: stored(count) for count in (args.small, args.large)}
    gc.collect()
    # Rounds alternate between the sizes, so a burst of load from other
    # processes hits both, and each size keeps its best round.
    for _ in range(3):
        for count, (emu, ids) in stores.items():
            for level, measure in (("direct", step_cost), ("http", http_step_cost)):
                cost = measure(emu, ids)
                costs[level][count] = min(costs[level].get(count, cost), cost)
    for count, (emu, ids) in stores.items():
        print(
            f"{count:,} pending: {costs['direct'][count] * 1e6:.0f} µs per step "
            f"(advance + {len(ids)} reads), {costs['http'][count] * 1e3:.2f} ms per HTTP step "
            f"(advance + {HTTP_SAMPLE} GETs)"
        )
        emu.close()
    for level, reads in (("direct", SAMPLE), ("http", HTTP_SAMPLE)):
        small, large = costs[level][args.small], costs[level][args.large]
        ratio = large / small
        result(
            f"clock.{level}",
            ratio,
            "~1x (O(changed reads))",
            ratio <= 1.5,
            f"advance + {reads} status reads: {large * 1e6:.0f} µs with {args.large:,} pending "
            f"vs {small * 1e6:.0f} µs with {args.small:,}",
            large_s=large,
            small_s=small,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
