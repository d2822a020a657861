"""Run every benchmark, each in its own process with a time limit, and print a summary.

``python benchmarks/run_all.py [--quick] [--only NAME ...] [--json FILE]``

Each benchmark prints its measurements as ratios against a baseline taken in
the same run (see the module docstrings); this collects their ``RESULT``
lines into one table. ``--quick`` runs smaller sizes (a smoke test, not the
targets). Everything binds 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: name → (arguments, arguments with --quick, time limit in seconds)
BENCHMARKS: dict[str, tuple[list[str], list[str], int]] = {
    "large_batch": (["large_batch.py"], ["large_batch.py", "--recipients", "50000"], 900),
    "large_batch_sqlite": (
        ["large_batch.py", "--db"],
        ["large_batch.py", "--db", "--recipients", "50000"],
        900,
    ),
    "throughput": (["throughput.py"], ["throughput.py", "--duration", "2"], 600),
    "paging": (["paging.py"], ["paging.py", "--messages", "100000", "--repeat", "5"], 900),
    "clock": (["clock.py"], ["clock.py", "--large", "100000"], 600),
    "harness": (["harness.py"], ["harness.py", "--tests", "50"], 600),
    "in_process": (["in_process.py"], ["in_process.py", "--requests", "300"], 600),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start"
    )


def run(name: str, argv: list[str], limit: int) -> list[dict[str, Any]]:
    print(f"\n=== {name}: {' '.join(argv)}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, *argv],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        print(f"{name}: stopped after {limit} s")
        return [{"name": name, "ok": False, "detail": f"timed out after {limit} s"}]
    results = []
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            results.append(json.loads(line[7:]))
        else:
            print(line)
    if done.returncode != 0:
        print(done.stderr[-3000:])
        results.append({"name": name, "ok": False, "detail": f"exit status {done.returncode}"})
    for record in results:
        if "ratio" in record:
            mark = "ok" if record["ok"] else "MISSED"
            print(f"{record['name']}: ratio {record['ratio']:.3g} ({record['target']}) {mark}")
    print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)

    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}")
    results: list[dict[str, Any]] = []
    for name, (full, quick, limit) in BENCHMARKS.items():
        if args.only is None or name in args.only:
            results += run(name, quick if args.quick else full, limit)

    print("\n=== summary")
    width = max((len(r["name"]) for r in results), default=10)
    for r in results:
        ratio = f"{r['ratio']:.3g}" if "ratio" in r else "-"
        mark = "ok" if r["ok"] else "MISSED"
        print(f"{r['name']:<{width}}  {ratio:>7}  {mark:<6}  {r.get('target', '')}")
        print(f"{'':<{width}}  {r['detail']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
