"""Shared helpers for the benchmarks: a server subprocess, memory readings, result lines.

Every server binds 127.0.0.1 on a free port and is stopped when its ``with``
block ends, whatever happens inside it.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
RC_SENDER = "+16505550100"
RC_A2P = "/restapi/v1.0/account/~/a2p-sms"
FD_PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
FD_AUTH = base64.b64encode(b"AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS:secret-token").decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_http(url: str, deadline: float) -> float:
    """Poll ``url`` until it answers 200; the ``perf_counter`` time it first did.

    Waits for the port with cheap connect attempts first, so the polling does
    not take CPU from the server that is starting.
    """
    parsed = httpx.URL(url)
    while True:
        try:
            with socket.create_connection((parsed.host, parsed.port), timeout=1.0):
                pass
            if httpx.get(url, timeout=5.0).status_code == 200:
                return time.perf_counter()
        except (OSError, httpx.TransportError):
            pass
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{url} did not answer in time")
        time.sleep(0.005)


class Server:
    """A server subprocess (``sms-emulator serve`` or any uvicorn command) on a free port."""

    def __init__(self, argv: Sequence[str], port: int, health: str) -> None:
        self.argv, self.port, self.health = list(argv), port, health
        self.url = f"http://{HOST}:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30.0) -> Server:
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_http(self.url + self.health, time.perf_counter() + timeout)
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def emulator_server(*extra: str) -> Server:
    """``sms-emulator serve`` exactly as a user runs it (uvicorn, httptools, uvloop)."""
    port = free_port()
    argv = [sys.executable, "-m", "emulator", "serve", "--host", HOST, "--port", str(port)]
    return Server([*argv, "--clock", "virtual", *extra], port, "/_emulator/health")


def bare_server(*, one_write: bool = False) -> Server:
    """The baseline: a bare Starlette endpoint returning a fixed JSON body, stock uvicorn.

    ``one_write``: served like the emulator instead (``emulator.serving``), for reference.
    """
    port = free_port()
    argv = [sys.executable, str(ROOT / "benchmarks" / "bare_app.py"), str(port)]
    return Server([*argv, "--one-write"] if one_write else argv, port, "/")


def proc_status(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` field in bytes (``VmHWM`` peak RSS, ``VmRSS``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rc_token(client: httpx.Client) -> str:
    """A RingCentral access token from the emulator (any JWT is accepted by default)."""
    response = client.post(
        "/restapi/oauth/token",
        auth=("client-id", "client-secret"),
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "jwt"},
    )
    response.raise_for_status()
    return response.json()["access_token"]


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    """The fastest of ``repeat`` timed runs of ``action`` (seconds)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def result(
    name: str,
    ratio: float,
    target: str,
    ok: bool,
    detail: str,
    **values: Any,
) -> dict[str, Any]:
    """Print one measurement as a human line plus a machine line for ``run_all.py``."""
    mark = "ok" if ok else "MISSED"
    load = os.getloadavg()[0]  # other processes on the machine skew every timing
    detail = f"{detail} [load {load:.2f}]"
    print(f"{name}: ratio {ratio:.3g} (target {target}) {mark} - {detail}", flush=True)
    record = {"name": name, "ratio": ratio, "target": target, "ok": ok, "detail": detail, **values}
    print("RESULT " + json.dumps(record), flush=True)
    return record


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"
