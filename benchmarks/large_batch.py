"""A 50 MB RingCentral batch (650,000 recipients) against ``sms-emulator serve``.

Measures, against a baseline taken in the same run:

* the POST round trip until ``201`` vs ``msgspec.json.decode`` alone on the same
  body (target ≤ 2×; with ``--db``, the SQLite backend, ≤ 4×);
* the server's peak-RSS growth (``VmHWM``) vs the body size (target ≤ 8×);
* then pages through ``GET /messages?batchId=`` (1,000 per page) and checks
  every recipient is listed exactly once.

``python benchmarks/large_batch.py [--db] [--recipients N]``
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    RC_A2P,
    RC_SENDER,
    best_of,
    cpu_seconds,
    emulator_server,
    mb,
    proc_status,
    rc_token,
    result,
)

LIMIT = 50 * 1024 * 1024


def numbers(count: int) -> list[str]:
    """Distinct, possible US numbers (+1 and ten digits)."""
    return [f"+1{2_120_000_000 + 7 * i}" for i in range(count)]


def make_body(count: int) -> tuple[bytes, list[str]]:
    """A batch with a personalised text per recipient, as bulk senders write them."""
    to = numbers(count)
    messages = [
        {"to": [n], "text": f"Order {i:06d} ships today. Reply STOP to end"}
        for i, n in enumerate(to)
    ]
    body = msgspec.json.encode({"from": RC_SENDER, "messages": messages})
    if len(body) > LIMIT:
        raise SystemExit(f"body of {len(body)} bytes is over the 50 MiB limit")
    return body, to


def page_all(client: httpx.Client, headers: dict[str, str], batch_id: str) -> list[str]:
    """Every recipient of the batch, following ``nextPageToken``."""
    seen: list[str] = []
    params: dict[str, str] = {"batchId": batch_id, "perPage": "1000"}
    while True:
        response = client.get(f"{RC_A2P}/messages", params=params, headers=headers)
        response.raise_for_status()
        page = msgspec.json.decode(response.content)
        seen.extend(r["to"][0] for r in page["records"])
        token = page["paging"].get("nextPageToken")
        if not token:
            return seen
        params = {"batchId": batch_id, "perPage": "1000", "pageToken": token}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", action="store_true", help="use the SQLite backend (--db FILE)")
    parser.add_argument("--recipients", type=int, default=650_000)
    args = parser.parse_args(argv)

    body, expected = make_body(args.recipients)
    gc.collect()
    parse = best_of(3, lambda: msgspec.json.decode(body))
    started_cpu = time.process_time()
    msgspec.json.decode(body)
    parse_cpu = time.process_time() - started_cpu
    gc.disable()
    parse_nogc = best_of(3, lambda: msgspec.json.decode(body))
    gc.enable()
    label = "sqlite" if args.db else "memory"
    print(
        f"body {mb(len(body))}, {len(expected):,} recipients; msgspec.json.decode "
        f"{parse:.3f} s (with the cyclic GC paused: {parse_nogc:.3f} s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        extra = ("--db", str(Path(tmp) / "bench.sqlite3")) if args.db else ()
        with (
            emulator_server(*extra) as server,
            httpx.Client(base_url=server.url, timeout=300) as client,
        ):
            headers = {"Authorization": f"Bearer {rc_token(client)}"}
            warm = {"from": RC_SENDER, "messages": [{"to": ["+12125550100"], "text": "warm"}]}
            client.post(f"{RC_A2P}/batches", json=warm, headers=headers).raise_for_status()
            before = proc_status(server.pid, "VmHWM")
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            response = client.post(
                f"{RC_A2P}/batches",
                content=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            took = time.perf_counter() - started
            cpu = cpu_seconds(server.pid) - cpu_before
            growth = proc_status(server.pid, "VmHWM") - before
            if response.status_code != 201:
                print(response.status_code, response.text[:500])
                return 1
            batch = response.json()
            assert batch["batchSize"] == len(expected), batch["batchSize"]
            print(
                f"POST 201 in {took:.3f} s; server peak RSS +{mb(growth)}; "
                f"batchSize {batch['batchSize']:,}, rejected {len(batch['rejected'])}"
            )
            started = time.perf_counter()
            listed = page_all(client, headers, batch["id"])
            paging = time.perf_counter() - started

    correct = len(listed) == len(expected) and set(listed) == set(expected)
    target = 4.0 if args.db else 2.0
    ratio = took / parse
    result(
        f"large_batch.{label}.time",
        ratio,
        f"<= {target:g}x decode",
        ratio <= target,
        f"POST {took:.3f} s vs msgspec.json.decode {parse:.3f} s on {mb(len(body))} "
        f"({took / parse_nogc:.2f}x decode with GC paused); CPU time {cpu:.2f} s vs "
        f"{parse_cpu:.2f} s = {cpu / parse_cpu:.2f}x (less sensitive to other load)",
        seconds=took,
        cpu_seconds=cpu,
        baseline_cpu=parse_cpu,
        baseline=parse,
        baseline_gc_paused=parse_nogc,
    )
    if not args.db:
        ratio = growth / len(body)
        result(
            "large_batch.memory.peak_rss",
            ratio,
            "<= 8x body",
            ratio <= 8,
            f"peak RSS +{mb(growth)} for a {mb(len(body))} body",
            bytes=growth,
            baseline=len(body),
        )
    result(
        f"large_batch.{label}.paging",
        1.0 if correct else 0.0,
        "all listed",
        correct,
        f"{len(listed):,} of {len(expected):,} recipients listed once each "
        f"in {paging:.1f} s ({-(-len(listed) // 1000)} pages)",
        seconds=paging,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
