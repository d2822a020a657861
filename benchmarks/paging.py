"""Paging through 1,000,000 stored messages: the first, middle and last page of 1,000.

Two levels, both backends:

* store: ``query_messages_before`` with the query RingCentral's list uses
  (provider, tenant, date window), newest first, 1,001 rows per call;
* endpoint: ``GET /restapi/.../a2p-sms/messages?perPage=1000`` in-process, the
  middle and last page reached with the ``pageToken`` a client following
  ``nextPageToken`` would hold there.

Ratio: the slower of middle/last page over the first page (target ≤ 1.5).
``python benchmarks/paging.py [--messages 1000000] [--backend memory|sqlite|both]``
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RC_A2P, RC_SENDER, rc_token, result

from emulator import Emulator
from emulator.core.store import MessageQuery
from emulator.providers.ringcentral.auth import DEFAULT_ACCOUNT_ID
from emulator.providers.ringcentral.paging import NEXT, Cursor, decode_cursor, encode_cursor

PER_PAGE = 1000
CHUNK = 500_000  # recipients per POSTed batch (under the 50 MiB body limit)


def fill(emu: Emulator, count: int) -> str:
    """Store ``count`` RingCentral messages through the real batch endpoint; the token."""
    client = emu.client(timeout=600)
    token = rc_token(client)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        body = msgspec.json.encode(
            {
                "from": RC_SENDER,
                "text": "Your code is 123456",
                "messages": [{"to": [f"+1{2_120_000_000 + done + i}"]} for i in range(size)],
            }
        )
        response = client.post(f"{RC_A2P}/batches", content=body, headers=headers)
        assert response.status_code == 201, response.text[:300]
        done += size
    return token


def timed(repeat: int, action: Callable[[], Any]) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def report(level: str, backend: str, first: float, middle: float, last: float) -> None:
    ratio = max(middle, last) / first
    result(
        f"paging.{level}.{backend}",
        ratio,
        "<= 1.5x first page",
        ratio <= 1.5,
        f"first {first * 1000:.2f} ms, middle {middle * 1000:.2f} ms, "
        f"last {last * 1000:.2f} ms per page of {PER_PAGE:,} "
        f"(middle/first {middle / first:.2f}, last/first {last / first:.2f})",
        first_s=first,
        middle_s=middle,
        last_s=last,
    )


def bench(backend: str, count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "paging.sqlite3" if backend == "sqlite" else None
        emu = Emulator(clock="virtual", db=db)
        started = time.perf_counter()
        token = fill(emu, count)
        gc.collect()
        print(f"{backend}: {count:,} messages stored in {time.perf_counter() - started:.1f} s")
        store, now = emu.store, emu.time()
        query = MessageQuery(
            provider="ringcentral",
            tenant=DEFAULT_ACCOUNT_ID,
            created_from=now - 86_400,
            created_to=now + 1,
        )
        # seqs are shared with batches: take the real seq above the 1,000 oldest messages
        oldest = store.query_messages(query, limit=PER_PAGE + 1)
        positions = {"first": 2**62, "middle": count // 2, "last": oldest[-1].seq}
        store_times = {
            name: timed(
                repeat,
                lambda before=before: store.query_messages_before(
                    query, before_seq=before, limit=PER_PAGE + 1
                ),
            )
            for name, before in positions.items()
        }
        report("store", backend, store_times["first"], store_times["middle"], store_times["last"])

        client = emu.client()
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{RC_A2P}/messages"
        first_page = client.get(url, params={"perPage": PER_PAGE}, headers=headers).json()
        start = decode_cursor(first_page["paging"]["pageToken"], "m")

        def token_at(seq: int) -> str:
            return encode_cursor(Cursor("m", NEXT, seq, start.window))

        tokens = {
            "first": None,
            "middle": token_at(positions["middle"]),
            "last": token_at(positions["last"]),
        }

        def get(page_token: str | None) -> None:
            params: dict[str, Any] = {"perPage": PER_PAGE}
            if page_token:
                params["pageToken"] = page_token
            response = client.get(url, params=params, headers=headers)
            assert response.status_code == 200 and len(response.json()["records"]) == PER_PAGE

        endpoint_times = {name: timed(repeat, lambda t=t: get(t)) for name, t in tokens.items()}
        report(
            "endpoint",
            backend,
            endpoint_times["first"],
            endpoint_times["middle"],
            endpoint_times["last"],
        )
        client.close()
        emu.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("memory", "sqlite", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    backends = ("memory", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        bench(backend, args.messages, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
