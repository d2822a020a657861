"""Small-request throughput with wrk (16 connections) against ``sms-emulator serve``.

For each provider request below, a bare Starlette+uvicorn endpoint returning a
fixed JSON body (``bare_app.py``) is loaded with the same request first, then
the emulator, back to back; the ratio is emulator requests/s over bare
requests/s (target ≥ 0.7). Each request gets ``--rounds`` such pairs (3) and the
line shows the median one, with every round's ratio: on a shared machine one
5-second window can be much busier than the next.  p99 latency is reported for
both, and on Linux each server's CPU time per request (wrk shares the CPUs; this
does not).

* RingCentral: ``POST .../a2p-sms/batches`` with 2 recipients;
* sendbulk: ``POST /api/services/sendbulk`` with 10 items;
* Fone Dynamics: ``POST /v2/Properties/{sid}/BatchMessages`` with 10 messages.

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install -y wrk``; macOS: ``brew install wrk``).
``python benchmarks/throughput.py [--duration 5] [--connections 16] [--rounds 3]
[--bare-one-write] [--db]``: ``--bare-one-write`` serves the bare endpoint exactly
as the emulator is served (one socket write per response) instead of with stock
uvicorn; ``--db`` runs the emulator on the SQLite backend (a commit per request).
Both are for reference: the target is set for the default memory store against
stock uvicorn.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    FD_AUTH,
    FD_PROPERTY,
    RC_A2P,
    RC_SENDER,
    bare_server,
    cpu_seconds,
    emulator_server,
    rc_token,
    result,
)

# wrk's done() hook prints one JSON line we can parse.
_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}
done = function(summary, latency, requests)
  io.write(string.format(
    'WRK {{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

# sendbulk accounts start with 10,000 units by default: enough for a second of load.
SCENARIO = """\
name: throughput
description: happy path with a sendbulk balance that lasts the whole benchmark
version: 1
providers:
  sendbulk: {default_balance: 1000000000000}
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def lua_script(directory: Path, name: str, body: bytes, headers: dict[str, str]) -> Path:
    lines = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
    )
    path = directory / f"{name}.lua"
    path.write_text(_LUA.format(body=_lua_string(body.decode()), headers=lines))
    return path


def run_wrk(
    url: str, script: Path, duration: float, connections: int, threads: int, pid: int | None = None
) -> dict[str, Any]:
    """wrk's summary; with ``pid`` (Linux), also the server's CPU time per request."""
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60, check=True)
    cpu = cpu_seconds(pid) - cpu_before if pid is not None else None
    for line in out.stdout.splitlines():
        if line.startswith("WRK "):
            stats = json.loads(line[4:])
            stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
            if cpu is not None:
                stats["cpu_us"] = cpu * 1e6 / max(stats["requests"], 1)
            return stats
    raise RuntimeError(f"no summary from wrk:\n{out.stdout}\n{out.stderr}")


def requests_for(token: str) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(name, path, body, headers) per provider request."""
    rc = {
        "from": RC_SENDER,
        "text": "Your code is 123456",
        "messages": [{"to": ["+14155550101"]}, {"to": ["+14155550102"]}],
    }
    item = {
        "partnerID": "1234",
        "apikey": "test-key",
        "pass_type": "plain",
        "shortcode": "SHOP",
        "message": "Your code is 123456",
    }
    sendbulk = {
        "count": 10,
        "smslist": [{**item, "clientsmsid": i, "mobile": f"2547123456{i:02d}"} for i in range(10)],
    }
    fd = {
        "Messages": [
            {"From": "+61499009990", "To": f"+614880235{i:02d}", "Text": "Your code is 123456"}
            for i in range(10)
        ]
    }
    return [
        (
            "ringcentral_2",
            f"{RC_A2P}/batches",
            json.dumps(rc).encode(),
            {"Authorization": f"Bearer {token}"},
        ),
        ("sendbulk_10", "/api/services/sendbulk", json.dumps(sendbulk).encode(), {}),
        (
            "fonedynamics_10",
            f"/v2/Properties/{FD_PROPERTY}/BatchMessages",
            json.dumps(fd).encode(),
            {"Authorization": f"Basic {FD_AUTH}", "Accept": "application/json"},
        ),
    ]


def check_once(url: str, body: bytes, headers: dict[str, str]) -> None:
    """One request by hand: a benchmark of refusals would prove nothing.

    sendbulk refuses with HTTP 200, so every row's ``response-code`` is checked
    too; RingCentral's ``rejected`` must be empty.
    """
    headers = {**headers, "Content-Type": "application/json"}
    response = httpx.post(url, content=body, headers=headers)
    data = response.json() if response.status_code < 300 else None
    refused = (
        data is None
        or (isinstance(data, dict) and data.get("rejected"))
        or (
            isinstance(data, dict)
            and any(r["response-code"] != 200 for r in data.get("responses", ()))
        )
    )
    if refused:
        raise SystemExit(f"{url}: {response.status_code} {response.text[:300]}")


def report(
    name: str,
    rounds: list[tuple[dict[str, Any], dict[str, Any]]],
    bare: str = "bare",
    variant: str = "",
) -> None:
    """Print one ratio line (emulator vs bare): the median round, with p50/p99 latencies.

    ``rounds`` holds (emulator, bare) wrk summaries, each pair taken back to back;
    ``variant`` (``.sqlite``...) names a reference run, which has no target.
    """
    ratios = sorted(got["rps"] / base["rps"] for got, base in rounds)
    got, base = sorted(rounds, key=lambda pair: pair[0]["rps"] / pair[1]["rps"])[len(rounds) // 2]
    errors = sum(g["status_errors"] + g["socket_errors"] for g, _ in rounds)
    ratio = got["rps"] / base["rps"]
    spread = (
        f"; {len(ratios)} rounds: " + ", ".join(f"{r:.2f}" for r in ratios)
        if len(ratios) > 1
        else ""
    )
    result(
        f"throughput.{name}{variant}",
        ratio,
        "none: for reference" if variant else ">= 0.7x bare",
        (ratio >= 0.7 or bool(variant)) and errors == 0,
        f"{got['rps']:,.0f} req/s (p50 {got['p50_us'] / 1000:.2f} ms, "
        f"p99 {got['p99_us'] / 1000:.2f} ms) vs {bare} {base['rps']:,.0f} req/s "
        f"(p99 {base['p99_us'] / 1000:.2f} ms); {errors} errors{_cpu(got, base)}{spread}",
        round_ratios=ratios,
        rps=got["rps"],
        baseline=base["rps"],
        p99_ms=got["p99_us"] / 1000,
        baseline_p99_ms=base["p99_us"] / 1000,
        cpu_us=got.get("cpu_us"),
        baseline_cpu_us=base.get("cpu_us"),
    )


def _cpu(got: dict[str, Any], base: dict[str, Any]) -> str:
    """Server CPU time per request: what the ratio comes from, with wrk's share taken out."""
    if got.get("cpu_us") is None or base.get("cpu_us") is None:
        return ""
    return f"; server CPU {got['cpu_us']:.0f} vs {base['cpu_us']:.0f} us/request"


def _linux_pid(pid: int) -> int | None:
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare/emulator pairs per request (median kept)"
    )
    parser.add_argument(
        "--bare-one-write",
        action="store_true",
        help="serve the bare endpoint as the emulator is served (one write per response)",
    )
    parser.add_argument("--db", action="store_true", help="the SQLite backend (--db FILE)")
    args = parser.parse_args(argv)
    variant = (".one_write_bare" if args.bare_one_write else "") + (".sqlite" if args.db else "")
    if shutil.which("wrk") is None:
        print(
            "throughput: wrk not found; install it (Debian/Ubuntu: apt-get install -y wrk, "
            "macOS: brew install wrk) and run again",
            file=sys.stderr,
        )
        return 2

    def run(
        url: str, script: Path, duration: float = args.duration, pid: int | None = None
    ) -> dict[str, Any]:
        return run_wrk(url, script, duration, args.connections, args.threads, pid)

    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "throughput.yaml"
        scenario.write_text(SCENARIO)
        db = ("--db", str(Path(tmp) / "throughput.sqlite3")) if args.db else ()
        with (
            bare_server(one_write=args.bare_one_write) as bare,
            emulator_server("--scenario", str(scenario), *db) as emu,
            httpx.Client(base_url=emu.url) as client,
        ):
            token = rc_token(client)
            for name, path, body, headers in requests_for(token):
                script = lua_script(Path(tmp), name, body, headers)
                check_once(emu.url + path, body, headers)
                run(bare.url + "/", script, 1)  # warm-ups, discarded
                run(emu.url + path, script, 1)
                rounds = []
                for _ in range(max(1, args.rounds)):
                    base = run(bare.url + "/", script, pid=_linux_pid(bare.pid))
                    got = run(emu.url + path, script, pid=_linux_pid(emu.pid))
                    rounds.append((got, base))
                check_once(emu.url + path, body, headers)  # still accepted at the end
                bare_name = "bare (one write)" if args.bare_one_write else "bare"
                report(name, rounds, bare_name, variant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
