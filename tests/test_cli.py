"""The ``sms-emulator`` command line, run as users run it (subprocesses)."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from loopback import ipv6_loopback

from emulator import __version__

CLI = [sys.executable, "-m", "emulator"]
DEADLINE = 30.0


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def assert_one_error_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("sms-emulator")
    assert "error" in lines[0]
    for needle in needles:
        assert needle in lines[0]


class Server:
    """``sms-emulator serve`` in a subprocess; reads the banner for the URL."""

    def __init__(self, *args: str, command: list[str] = CLI) -> None:
        self.proc = subprocess.Popen(
            [*command, "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.banner: list[str] = []
        deadline = time.monotonic() + DEADLINE
        while not self.banner or "inspector" not in self.banner[-1]:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                pytest.fail(f"no banner within {DEADLINE}s: {self.banner}")
            if line is None:
                error = self.stderr()
                self.close()
                pytest.fail(f"server exited: {error}")
            self.banner.append(line)
        match = re.search(r"listening on (https?://\S+)", self.banner[0])
        assert match, self.banner
        self.url = match.group(1)
        self.wait_healthy(deadline)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        self.proc.wait(timeout=DEADLINE)
        return self.proc.stderr.read()

    def rest_of_stdout(self) -> str:
        self.reader.join(timeout=DEADLINE)
        rest = []
        while (line := self.lines.get_nowait()) is not None:
            rest.append(line)
        return "\n".join(rest)

    def wait_healthy(self, deadline: float) -> None:
        while True:
            try:
                if httpx.get(self.url + "/_emulator/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.close()  # no one else knows of it yet: it must not outlive the test
                pytest.fail("server never answered /_emulator/health")
            time.sleep(0.05)  # real-time ok

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.proc.send_signal(signum)
        err = self.stderr()
        return self.proc.returncode, self.rest_of_stdout(), err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEADLINE)

    def close(self) -> None:
        """Kill the process if it still runs, and close its pipes."""
        self.kill()
        self.reader.join(timeout=DEADLINE)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def serve() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.close()


def start(started: list[Server], *args: str) -> Server:
    server = Server(*args)
    started.append(server)
    return server


start_server = start


# one error line, exit code 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "--bogus"], "--bogus"),
        (["serve", "--port", "abc"], "--port"),
        (["serve", "--port", "70000"], "--port"),
        (["serve", "--port", "-1"], "--port"),
        (["serve", "--port", "65536"], "--port 65536 is not a TCP port"),
        (["serve", "--host", ""], "--host"),
        (["serve", "--host", " "], "--host"),
        (["serve", "--clock", "fast"], "--clock"),
        (["serve", "--seed", "x"], "--seed"),
        (["serve", "--clock", "virtual", "--start", "soon"], "--start"),
        (["serve", "--clock", "virtual", "--start", "nan"], "--start"),
        (["serve", "--clock", "virtual", "--start", "\u0661\u0667\u0669\u0665"], "--start"),
        (["serve", "--clock", "virtual", "--start", "10000-01-01T00:00:00Z"], "--start"),
        (["serve", "--start", "now"], "--clock virtual"),
        (["serve", "--seed", "99999999999999999999"], "more than 64 bits"),
        (["serve", "extra"], "extra"),
        ([], "command"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_flags(args: list[str], needle: str) -> None:
    assert_one_error_line(run(*args), needle)


def test_bad_scenarios(tmp_path: Path) -> None:
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("name: x\nrules:\n  - outcome: teleported\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n")
    wrong_type = tmp_path / "wrong.yaml"
    wrong_type.write_text("rules: 5\n")
    cases = [
        ("no-such-scenario", "no-such-scenario"),
        (str(tmp_path / "missing.yaml"), "missing.yaml"),
        (str(invalid), "teleported"),
        (str(broken), "broken.yaml"),
        (str(wrong_type), "rules"),
    ]
    for scenario, needle in cases:
        assert_one_error_line(run("serve", "--scenario", scenario), "--scenario", needle)


def test_the_highest_tcp_port_is_taken() -> None:
    """65535 is a port: the serve goes on past it, here to refuse its scenario."""
    assert_one_error_line(
        run("serve", "--port", "65535", "--scenario", "no-such-scenario"),
        "--scenario",
        "no-such-scenario",
    )


def test_unreadable_db(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an SQLite database, not even close" * 20)
    missing = tmp_path / "no" / "such"
    cases = [
        (str(missing / "dir.db"), f"directory {missing} does not exist"),
        (str(tmp_path), f"{tmp_path} is a directory"),
        (f"file:{tmp_path}?mode=rwc", f"{tmp_path} is a directory"),
        (str(garbage), "not a database"),
    ]
    for db, reason in cases:
        assert_one_error_line(run("serve", "--db", db), "--db", reason)


def test_port_in_use() -> None:
    from emulator.testing.server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    sock.listen()
    try:
        port = str(sock.getsockname()[1])
        assert_one_error_line(run("serve", "--port", port), port)
    finally:
        sock.close()


def test_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "check-scenario", "scenarios"):
        assert command in result.stdout
    serve_help = run("serve", "--help")
    assert serve_help.returncode == 0
    for flag in ("--host", "--port", "--scenario", "--db", "--clock", "--seed"):
        assert flag in serve_help.stdout


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sms-emulator {__version__}"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "sms-emulator"
    if not script.exists():
        pytest.skip("console script not on this interpreter's bin path")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == f"sms-emulator {__version__}"


# serving


def test_banner_health_and_sigterm(serve: list[Server]) -> None:
    server = start(serve, "--clock", "virtual", "--seed", "3")
    banner = "\n".join(server.banner)
    assert server.url.startswith("http://127.0.0.1:")
    assert f"{server.url}/restapi" in banner
    assert f"{server.url}/v2/" in banner
    assert f"{server.url}/api/services/" in banner
    assert f"  admin API: {server.url}/_emulator/  (health, " in banner
    assert f"  inspector: {server.url}/_emulator/ui" in banner
    assert "seed 3" in banner and "clock: virtual" in banner and "store: memory" in banner
    health = httpx.get(server.url + "/_emulator/health").json()
    assert health == {"status": "ok", "version": __version__, "instance": health["instance"]}
    assert httpx.get(server.url + "/_emulator/clock").json()["kind"] == "virtual"
    code, out, err = server.stop()
    assert code == 0, err
    assert "Traceback" not in err
    assert "warning" not in err  # on 127.0.0.1 the admin API is this machine's alone
    assert "stopped" in out


@pytest.mark.parametrize(
    ("address", "everywhere"),
    [
        (("0.0.0.0", 8787), True),
        (("::", 8787, 0, 0), True),
        (("127.0.0.1", 8787), False),
        (("::1", 8787, 0, 0), False),
        (("192.0.2.10", 8787), False),
        (("fe80::1%eth0", 8787, 0, 2), False),
    ],
)
def test_listening_on_every_interface_is_warned_of(
    address: tuple[object, ...], everywhere: bool
) -> None:
    # Tests bind 127.0.0.1 only, so the check is driven with the address a socket reports.
    from emulator.cli import _listens_everywhere

    class Bound:
        def getsockname(self) -> tuple[object, ...]:
            return address

    assert _listens_everywhere(Bound()) is everywhere


def test_a_server_listening_on_every_interface_warns_on_standard_error(
    serve: list[Server],
) -> None:
    """Said once it listens; driven on 127.0.0.1 with the socket taken for a wildcard one
    (tests bind 127.0.0.1 only)."""
    command = [
        sys.executable,
        "-c",
        "import sys\n"
        "from emulator import cli\n"
        "cli._listens_everywhere = lambda sock: True\n"
        "sys.exit(cli.main())\n",
    ]
    server = Server(command=command)
    serve.append(server)
    code, _, err = server.stop()
    assert code == 0, err
    assert "warning: listening on every interface (127.0.0.1)" in err
    assert "admin API" in err and "no authentication" in err


def test_serve_help_gives_each_default() -> None:
    # at the width of a terminal of 80 columns: argparse fits help to COLUMNS, and in a
    # narrow one breaks "happy-path" after its hyphen
    result = subprocess.run(
        [*CLI, "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for default in (
        "(default: 127.0.0.1)",
        "(default: 8787",
        "(default: happy-path)",
        "(default: in memory)",
        "(default: real)",
        "(default: the scenario's, else 0)",
        "(default: 2026-01-01T00:00:00Z)",
        "(default: none)",
    ):
        assert default in text
    # and what is applied is what the help (and the README's 127.0.0.1:8787) says
    from emulator.cli import _parser

    args = _parser().parse_args(["serve"])
    assert (args.host, args.port, args.scenario, args.db) == ("127.0.0.1", 8787, None, None)
    assert (args.clock, args.start, args.seed) == ("real", None, None)


def test_serve_allowed_host_is_answered_at_that_name(serve: list[Server]) -> None:
    """A reverse proxy in front of ``serve`` that passes its own name on reaches the
    inspector once that name is allowed; any other name stays refused."""
    server = start_server(serve, "--allowed-host", "sms.proxy.test", "--allowed-host", "b.test")
    for name, status in (("sms.proxy.test", 200), ("b.test", 200), ("c.test", 403)):
        answer = httpx.get(f"{server.url}/_emulator/ui", headers={"Host": name})
        assert answer.status_code == status, (name, answer.text)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-11-26T09:00:00Z", "2026-11-26T09:00:00.000000Z"),
        ("1795683600", "2026-11-26T09:00:00.000000Z"),  # epoch seconds
    ],
)
def test_serve_start_sets_where_the_virtual_clock_starts_and_resets_to(
    serve: list[Server], start: str, expected: str
) -> None:
    """A client driving the standalone server over HTTP only (another language's test
    suite) has no ``sms_clock`` marker: ``--start`` puts the virtual clock where the
    code under test, reading the wall clock, expects it, and a reset goes back there."""
    server = start_server(serve, "--clock", "virtual", "--start", start)
    assert httpx.get(f"{server.url}/_emulator/clock").json()["now"] == expected
    moved = httpx.post(f"{server.url}/_emulator/clock", json={"advance": "1h"})
    assert moved.json()["now"] != expected
    httpx.post(f"{server.url}/_emulator/reset")
    assert httpx.get(f"{server.url}/_emulator/clock").json()["now"] == expected


def test_serve_start_now_is_the_wall_clock(serve: list[Server]) -> None:
    before = time.time()
    server = start_server(serve, "--clock", "virtual", "--start", "now")
    clock = httpx.get(f"{server.url}/_emulator/clock").json()
    assert before - 1 <= clock["timestamp"] <= time.time()
    assert clock["kind"] == "virtual"


def test_sigint_also_stops_cleanly(serve: list[Server]) -> None:
    server = start(serve)
    code, out, err = server.stop(signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in err
    assert "stopped" in out


def test_messages_survive_a_restart_with_db(serve: list[Server], tmp_path: Path) -> None:
    db = str(tmp_path / "emu.db")
    first = start(serve, "--db", db, "--clock", "virtual")
    sent = httpx.post(
        first.url + "/_emulator/inbound",
        json={
            "provider": "ringcentral",
            "from": "+14155550100",
            "to": "+16505550100",
            "text": "hi",
        },
    )
    assert sent.status_code == 201, sent.text
    record = sent.json()["message"]
    httpx.post(first.url + "/_emulator/clock", json={"advance": "1h"})
    clock_before = httpx.get(first.url + "/_emulator/clock").json()["timestamp"]
    assert first.stop()[0] == 0

    second = start(serve, "--db", db, "--clock", "virtual")
    listed = httpx.get(second.url + "/_emulator/messages").json()["messages"]
    assert [(m["id"], m["text"], m["from"], m["to"]) for m in listed] == [
        (record["id"], "hi", "+14155550100", "+16505550100")
    ]
    assert httpx.get(second.url + "/_emulator/clock").json()["timestamp"] >= clock_before
    again = httpx.post(
        second.url + "/_emulator/inbound",
        json={"provider": "ringcentral", "from": "+14155550100", "to": "+16505550100", "text": "2"},
    ).json()["message"]
    assert again["id"] != record["id"]
    assert second.stop()[0] == 0


def test_a_kill_9_loses_no_accepted_message_and_repeats_no_id(
    serve: list[Server], tmp_path: Path
) -> None:
    """With --db, whatever was answered 2xx before a SIGKILL is there after it (pending
    receipts included), and the restarted server's new message ids, batch ids and tokens
    are new."""
    db = str(tmp_path / "emu.db")
    fd_auth = ("AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS", "secret-token")
    receipt = "http://127.0.0.1:9/dr"  # never due: the clock is virtual and stands still
    fd_batch = {
        "Messages": [
            {"To": f"+6148802355{i}", "Text": "hi", "DeliveryReceiptWebhookUri": receipt}
            for i in range(3)
        ]
    }
    rc_batch = {
        "from": "+16505550100",
        "messages": [{"to": ["+14155550100"], "text": "a"}, {"to": ["+14155550101"]}],
        "text": "b",
    }

    def login(client: httpx.Client) -> str:
        token = client.post(
            "/restapi/oauth/token",
            auth=("client-id", "client-secret"),
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
        )
        assert token.status_code == 200, token.text
        return token.json()["access_token"]

    def send(server: Server) -> tuple[list[str], str, list[str]]:
        """Fone Dynamics message sids, a RingCentral batch id and two access tokens
        (the second drawn last: nothing else is saved after it)."""
        with httpx.Client(base_url=server.url) as client:
            access = login(client)
            batch = client.post(
                "/restapi/v1.0/account/~/a2p-sms/batches",
                json=rc_batch,
                headers={"Authorization": f"Bearer {access}"},
            )
            assert batch.status_code == 201, batch.text
            sent = client.post(
                "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/BatchMessages",
                json=fd_batch,
                auth=fd_auth,
            )
            assert sent.status_code == 200, sent.text
            sids = [m["MessageSid"] for m in sent.json()]
            return sids, batch.json()["id"], [access, login(client)]

    first = start(serve, "--db", db, "--clock", "virtual")
    before = [send(first) for _ in range(3)]
    first.proc.kill()  # SIGKILL: no shutdown, no final save
    first.proc.wait(timeout=DEADLINE)

    second = start(serve, "--db", db, "--clock", "virtual")
    pending = httpx.get(second.url + "/_emulator/webhooks").json()["pending"]
    assert sorted(job["message_id"] for job in pending) == sorted(
        sid for sids, _, _ in before for sid in sids
    )  # every receipt still to send
    after = [send(second) for _ in range(3)]
    listed = [m["id"] for m in httpx.get(second.url + "/_emulator/messages").json()["messages"]]
    assert len(listed) == len(set(listed)) == 6 * (3 + 2)  # every accepted one, once
    sids = [sid for sids, _, _ in before + after for sid in sids]
    assert set(sids) <= set(listed)
    assert len({b for _, b, _ in before + after}) == 6
    assert len({t for _, _, tokens in before + after for t in tokens}) == 12
    assert second.stop()[0] == 0


def test_a_second_server_on_the_same_db_file_is_refused(
    serve: list[Server], tmp_path: Path
) -> None:
    """Two processes on one file would each count ids from what they read at start."""
    db = str(tmp_path / "emu.db")
    first = start(serve, "--db", db)
    result = run("serve", "--port", "0", "--db", db, timeout=DEADLINE)
    assert_one_error_line(result, "--db", "in use by another sms-emulator process")
    assert httpx.get(first.url + "/_emulator/health").status_code == 200
    assert first.stop()[0] == 0
    again = start(serve, "--db", db)  # free once the first has stopped
    assert again.stop()[0] == 0


#: ``sms-emulator`` whose final save on stopping fails, as on a disk that filled up.
_FINAL_SAVE_FAILS = [
    sys.executable,
    "-c",
    "import sqlite3, sys\n"
    "from emulator import cli, emulator\n"
    "persist = emulator.Emulator._persist\n"
    "def failing(self):\n"
    "    if self.closed:\n"
    "        raise sqlite3.OperationalError('database or disk is full')\n"
    "    persist(self)\n"
    "emulator.Emulator._persist = failing\n"
    "sys.exit(cli.main())\n",
]


def test_a_final_save_failing_on_stopping_is_one_error_line_and_keeps_what_was_answered(
    serve: list[Server], tmp_path: Path
) -> None:
    """It was a traceback (exit 1, the cause at its end). Now one line saying what failed
    and that what was answered is stored; the file is let go, and a restart has it all."""
    db = str(tmp_path / "emu.db")
    first = Server("--db", db, command=_FINAL_SAVE_FAILS)
    serve.append(first)
    sent = httpx.post(
        first.url + "/api/services/sendsms",
        json={"partnerID": "1", "apikey": "k", "shortcode": "S", "mobile": "0712345678"}
        | {"message": "kept"},
    )
    assert sent.json()["responses"][0]["response-code"] == 200
    code, _, err = first.stop()
    lines = err.strip().splitlines()
    assert (code, len(lines), "Traceback" in err) == (1, 1, False), err
    assert lines[0] == (
        f"sms-emulator: error: --db {db}: the final save on stopping failed (database or disk"
        " is full); what was answered before is stored"
    )
    again = start(serve, "--db", db)
    texts = [m["text"] for m in httpx.get(again.url + "/_emulator/messages").json()["messages"]]
    assert texts == ["kept"]
    assert again.stop()[0] == 0


def test_a_final_save_failing_after_a_failed_start_is_said_too(tmp_path: Path) -> None:
    """The port taken (exit 2, said) on a full disk: the final save's failure is said as
    well; it was lost when the start's own error returned first."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = str(tmp_path / "emu.db")
        done = subprocess.run(
            [*_FINAL_SAVE_FAILS, "serve", "--db", db, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[0].startswith(f"sms-emulator: error: cannot listen on 127.0.0.1:{port}")
    assert lines[1].startswith(f"sms-emulator: error: --db {db}: the final save on stopping")
    assert len(lines) == 2 and "Traceback" not in done.stderr


def _spawn(*args: str) -> tuple[subprocess.Popen[str], str]:
    """``serve`` started, and its URL as soon as the banner's first line is out."""
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    match = re.search(r"listening on (http://\S+)", proc.stdout.readline())
    assert match, proc.stderr.read() if proc.stderr else ""
    return proc, match.group(1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_the_banner_means_ready_and_a_signal_right_after_it_stops_cleanly(
    tmp_path: Path, signum: int
) -> None:
    proc, url = _spawn("--db", str(tmp_path / "emu.db"))
    try:
        # no retry: the socket listens before the banner is printed
        assert httpx.get(url + "/_emulator/health", timeout=DEADLINE).status_code == 200
    finally:
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=DEADLINE)
    assert (proc.returncode, "Traceback" in err) == (0, False), err
    assert "sms-emulator stopped" in out

    proc, _ = _spawn("--db", str(tmp_path / "emu.db"))
    proc.send_signal(signum)  # at once: the server may not be serving yet
    out, err = proc.communicate(timeout=DEADLINE)
    assert (proc.returncode, err) == (0, "")
    assert "sms-emulator stopped" in out


def test_a_client_holding_a_request_half_sent_does_not_keep_a_stopped_server_running(
    serve: list[Server],
) -> None:
    server = start(serve)
    host, port = re.match(r"http://([^:]+):(\d+)", server.url).groups()  # type: ignore[union-attr]
    with socket.create_connection((host, int(port))) as stalled:
        stalled.sendall(
            b"POST /api/services/sendsms HTTP/1.1\r\nHost: x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pa'
        )
        time.sleep(0.2)  # real-time ok: the server reads the head, then waits for the body
        started = time.monotonic()
        code, out, err = server.stop()
    assert time.monotonic() - started < 15  # uvicorn's default waited for ever
    assert (code, "Traceback" in err) == (0, False), err
    assert "stopped" in out


def test_a_second_signal_while_a_webhook_is_in_flight_still_stops_cleanly(
    serve: list[Server], tmp_path: Path
) -> None:
    """Shutdown waits for a delivery in flight (to record it as sent); a second Ctrl-C
    or SIGTERM meanwhile neither cuts the final save short nor prints a traceback."""
    answered = threading.Event()
    received: list[str] = []
    receiver = _slow_receiver(received, lambda: answered.wait(3))  # once both signals went
    try:
        db = str(tmp_path / "emu.db")
        server = start(serve, "--db", db, "--clock", "virtual")
        uri = f"http://127.0.0.1:{receiver.server_address[1]}/dr"
        sent = httpx.post(
            server.url + "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/Messages",
            json={"To": "+61488023555", "Text": "hi", "DeliveryReceiptWebhookUri": uri},
            auth=("AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS", "secret-token"),
        )
        assert sent.status_code == 200, sent.text
        httpx.post(server.url + "/_emulator/clock", json={"advance": "1m"})
        deadline = time.monotonic() + DEADLINE
        while not received and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok: polls, with a deadline, for the worker to send
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # real-time ok: the second signal must land mid-shutdown
        server.proc.send_signal(signal.SIGINT)
        answered.set()
        code, out, err = (
            server.proc.wait(timeout=DEADLINE),
            server.rest_of_stdout(),
            server.stderr(),
        )
        assert (code, "Traceback" in err) == (0, False), err
        assert "stopped" in out
        again = start(serve, "--db", db, "--clock", "virtual")
        assert httpx.get(again.url + "/_emulator/webhooks").json()["pending"] == []  # sent
        assert again.stop()[0] == 0
        assert received == ["/dr"]
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_a_stop_answers_an_admin_call_waiting_for_webhooks(
    serve: list[Server], tmp_path: Path
) -> None:
    """``POST /_emulator/clock?wait=true`` waiting on slow receivers as SIGTERM lands: the
    worker stops first (its delivery in flight finished), so the wait ends and the call is
    answered, as a LiveServer's stop() does; not held until the graceful shutdown runs out
    and cut with a 500."""
    received: list[str] = []
    receiver = _slow_receiver(received, lambda: time.sleep(2))  # real-time ok: 3 outlast 5 s
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/dlr"
        scenario = tmp_path / "scenario.json"
        scenario.write_text(json.dumps({"providers": {"sendbulk": {"dlr_callback_url": url}}}))
        server = start(serve, "--clock", "virtual", "--scenario", str(scenario))
        item = {
            "partnerID": "1",
            "apikey": "k",
            "pass_type": "plain",
            "mobile": "0722000001",
            "message": "hi",
            "shortcode": "SHOP",
        }
        smslist = [{**item, "clientsmsid": i} for i in range(3)]
        sent = httpx.post(
            server.url + "/api/services/sendbulk", json={"count": 3, "smslist": smslist}
        )
        assert sent.status_code == 200, sent.text
        answers: list[httpx.Response] = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                httpx.post(
                    server.url + "/_emulator/clock?wait=true",
                    json={"advance": "1m"},
                    timeout=DEADLINE,
                )
            )
        )
        waiting.start()
        deadline = time.monotonic() + DEADLINE
        while not received and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok: polls, with a deadline, for the first receipt
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        waiting.join(DEADLINE)
        code = server.proc.wait(timeout=DEADLINE)
        err = server.stderr()
        assert answers and answers[0].status_code == 200, answers and answers[0].text
        assert "webhooks_due" in answers[0].json()
        assert time.monotonic() - started < 4.5  # not GRACEFUL_SHUTDOWN (5 s) and a cut
        assert (code, "graceful shutdown exceeded" in err) == (0, False), err
    finally:
        receiver.shutdown()
        receiver.server_close()


def _slow_receiver(
    received: list[str], before_answering: Callable[[], object]
) -> ThreadingHTTPServer:
    """A webhook receiver on 127.0.0.1 that notes each POST's path in ``received`` and
    answers 200 after ``before_answering()``; serving until shut down."""

    class SlowReceiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(self.path)
            before_answering()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), SlowReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


def test_scenarios_command_lists_shipped_scenarios() -> None:
    result = run("scenarios")
    assert result.returncode == 0
    assert "happy-path" in result.stdout


def test_check_scenario(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: good\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nrules:\n  - outcome: teleported\n")
    assert run("check-scenario", str(good)).returncode == 0
    result = run("check-scenario", str(good), str(bad))
    assert result.returncode != 0
    assert "bad.yaml" in result.stderr and "Traceback" not in result.stderr
    # a directory is not taken for a mistyped shipped name
    result = run("check-scenario", str(tmp_path))
    assert result.returncode == 1
    assert "is a directory, not a scenario file" in result.stderr
    assert "unknown scenario" not in result.stderr
    assert_one_error_line(run("serve", "--scenario", str(tmp_path)), "is a directory")


def test_no_machine_paths_leak_into_env() -> None:
    # The CLI must not depend on the working directory to find shipped scenarios.
    result = subprocess.run(
        [*CLI, "scenarios"], capture_output=True, text=True, timeout=60, cwd=os.sep
    )
    assert "happy-path" in result.stdout


def _reserved_port() -> int:
    """A port for ``serve`` to listen on that no other socket is given meanwhile: a port
    merely found free (bound, then let go) can be taken by another test's server or
    receiver before ``serve`` has started. A connection closed from the listening side
    holds it in TIME_WAIT for a minute, which the system's free-port picking and other
    sockets' binding respect, while ``serve`` (SO_REUSEADDR) may still listen there."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port: int = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()  # closed first: this end of the connection waits in TIME_WAIT
            client.recv(1)  # its end of the connection seen: the close goes through
    return port


def test_serve_with_no_one_reading_its_output_stops_quietly() -> None:
    """`serve | true`: the banner meets a closed pipe; it stops with 0 and says nothing
    (it is no "cannot write to standard output" failure, as a full disk is)."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [*CLI, "serve", "--port", "0"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


def test_serve_with_standard_output_closed_or_full() -> None:
    """`serve >&-` serves (its output goes nowhere); `serve > /dev/full` cannot show
    its banner: one error line, no traceback."""
    port = _reserved_port()  # no banner to read the port from: the test picks it
    closed = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
    )
    try:
        # Signalled once it serves: a SIGTERM still in the interpreter's start-up, before
        # serve has a handler (a while on a busy machine), ends it as SIGTERM does (-15).
        deadline = time.monotonic() + DEADLINE
        while True:
            assert closed.poll() is None, closed.communicate()[1]
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "never answered /_emulator/health"
            time.sleep(0.05)  # real-time ok: polls, with a deadline, for it to serve
    finally:
        closed.send_signal(signal.SIGTERM)
        _, err = closed.communicate(timeout=DEADLINE)
    assert (closed.returncode, err) == (0, "")

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*CLI, "serve", "--port", "0"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            # nor the socket it listened on, left open (shown under -X dev)
            env={**os.environ, "PYTHONWARNINGS": "default::ResourceWarning"},
        )
    assert_one_error_line(result, "standard output")


def test_a_command_with_standard_output_closed_says_nothing_at_exit() -> None:
    """`sms-emulator scenarios >&-` writes its list nowhere, and nothing else: not the
    ResourceWarning of an unclosed file at exit, which -X dev or PYTHONWARNINGS shows."""
    result = subprocess.run(
        [*CLI, "scenarios"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
        env={**os.environ, "PYTHONWARNINGS": "default::ResourceWarning"},
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_serve_on_localhost_listens_on_both_loopback_addresses(serve: list[Server]) -> None:
    server = start(serve, "--host", "LocalHost")
    match = re.fullmatch(r"http://localhost:(\d+)", server.url)
    assert match, server.banner
    port = match.group(1)
    hosts = ["127.0.0.1"]
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        hosts.append("[::1]")
    except OSError:
        pass  # no IPv6 loopback on this machine
    for host in hosts:
        health = httpx.get(f"http://{host}:{port}/_emulator/health", timeout=5)
        assert health.status_code == 200, host
    code, out, err = server.stop()
    assert "stopped" in out
    assert code == 0 and "warning" not in err, err


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_serve_on_the_ipv6_loopback_shows_its_url_in_brackets(serve: list[Server]) -> None:
    server = start(serve, "--host", "::1")
    match = re.fullmatch(r"http://\[::1\]:(\d+)", server.url)
    assert match, server.banner
    assert httpx.get(f"{server.url}/_emulator/health", timeout=5).status_code == 200
    code, out, err = server.stop()
    assert "stopped" in out
    assert code == 0 and "warning" not in err, err


@pytest.fixture
def tls_files(tmp_path: Path) -> dict[str, Path]:
    """A CA and a certificate it issued for the loopback names and Fone Dynamics' host."""
    import trustme

    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost", "api.fonedynamics.com")
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "cert", "key", "both")}
    authority.cert_pem.write_to_path(str(files["ca"]))
    issued.cert_chain_pems[0].write_to_path(str(files["cert"]))
    issued.private_key_pem.write_to_path(str(files["key"]))
    issued.private_key_and_cert_chain_pem.write_to_path(str(files["both"]))
    return files


def test_serve_over_https_for_a_client_whose_provider_host_is_fixed(
    serve: list[Server], tls_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files["ca"]))  # httpx trusts the test CA
    server = start(
        serve,
        "--ssl-certfile",
        str(tls_files["cert"]),
        "--ssl-keyfile",
        str(tls_files["key"]),
    )
    assert re.fullmatch(r"https://127\.0\.0\.1:\d+", server.url), server.banner
    assert f"{server.url}/v2/" in "\n".join(server.banner)
    with httpx.Client(base_url=server.url) as client:
        sent = client.post(
            "/v2/Properties/S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL/BatchMessages",
            json={"Messages": [{"To": "+61412345678", "Text": "over TLS"}]},
            auth=("AC1", "token"),
        )
        assert sent.status_code == 200, sent.text
        assert sent.json()[0]["Text"] == "over TLS"
        token = client.post(
            "/restapi/oauth/token",
            data={"grant_type": "password", "username": "u", "password": "p"},
            auth=("client-id", "client-secret"),
        )
        assert token.status_code == 200, token.text
        numbers = client.get(
            "/restapi/v1.0/account/~/extension/~/phone-number",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert numbers.status_code == 200, numbers.text
        assert numbers.json()["uri"].startswith(server.url + "/restapi/")  # links say https
    code, out, err = server.stop()
    assert code == 0 and "stopped" in out, err


def test_a_certificate_file_holding_its_key_is_enough(
    serve: list[Server], tls_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files["ca"]))
    server = start(serve, "--host", "localhost", "--ssl-certfile", str(tls_files["both"]))
    assert re.fullmatch(r"https://localhost:\d+", server.url), server.banner
    assert httpx.get(server.url + "/_emulator/health").status_code == 200


def test_tls_files_that_cannot_serve_are_refused_before_anything_starts(
    tls_files: dict[str, Path], tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.pem")
    cert, key, ca = (str(tls_files[name]) for name in ("cert", "key", "ca"))
    cases = [
        (["--ssl-keyfile", key], ["--ssl-keyfile needs --ssl-certfile"]),
        (["--ssl-certfile", missing], [missing, "No such file"]),
        (["--ssl-certfile", cert, "--ssl-keyfile", missing], ["--ssl-keyfile", missing]),
        (["--ssl-certfile", cert], ["cannot load the certificate and its key"]),  # no key
        (["--ssl-certfile", ca, "--ssl-keyfile", key], ["cannot load"]),  # not its key
    ]
    for flags, needles in cases:
        assert_one_error_line(run("serve", "--port", "0", *flags), *needles)
