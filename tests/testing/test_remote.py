"""RemoteEmulator: the admin API client used for ``--sms-emulator-url``."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from emulator import Emulator
from emulator.scenario.loader import ScenarioError, load_scenario
from emulator.testing.helpers import InProcessEmulator
from emulator.testing.remote import RemoteEmulator, RemoteEmulatorError
from emulator.testing.server import LiveServer, bind_socket

from ._messages import store_message


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer(InProcessEmulator()) as server:
        yield server


@pytest.fixture
def remote(live: LiveServer) -> Iterator[RemoteEmulator]:
    live.reset()
    live.load_scenario(None)
    with RemoteEmulator(live.url + "/") as remote:
        yield remote


def test_url_has_no_trailing_slash(remote: RemoteEmulator, live: LiveServer) -> None:
    assert remote.url == live.url
    assert repr(remote) == f"RemoteEmulator({live.url!r})"


def test_health(remote: RemoteEmulator) -> None:
    assert remote.health()["status"] == "ok"


def test_clock_now_and_advance(remote: RemoteEmulator, live: LiveServer) -> None:
    start = remote.now
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    assert remote.advance("1h30m") == datetime(2026, 1, 1, 1, 30, tzinfo=UTC)
    assert remote.advance(seconds=30).second == 30
    assert live.now == remote.now
    assert remote.time() == live.time()


def test_async_advance_and_inbound_as_in_process(remote: RemoteEmulator) -> None:
    """The same coroutine-friendly calls as ``Emulator``, so one async test runs on both."""

    async def main() -> tuple[datetime, dict]:
        moved = await remote.advance_async("90s")
        reply = await remote.inbound_async("ringcentral", "+14155550100", "+16505550100", "hi")
        return moved, reply

    moved, reply = asyncio.run(main())
    assert moved == remote.now == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)
    assert reply["text"] == "hi"
    assert [m["id"] for m in remote.messages()] == [reply["id"]]


def test_advance_needs_exactly_one_amount(remote: RemoteEmulator) -> None:
    with pytest.raises(TypeError):
        remote.advance()
    with pytest.raises(TypeError):
        remote.advance("1s", seconds=1)


def test_bad_duration_is_the_servers_error(remote: RemoteEmulator) -> None:
    with pytest.raises(RemoteEmulatorError, match=r"400.*invalid duration") as info:
        remote.advance("soon")
    assert info.value.status == 400
    assert "invalid duration" in info.value.body["error"]


def test_messages_filters_and_reset(remote: RemoteEmulator, live: LiveServer) -> None:
    store_message(live.emulator, "+14155550100", "one", provider="ringcentral")
    store_message(live.emulator, "+14155550101", "two", provider="sendbulk")
    assert [m["text"] for m in remote.messages()] == ["one", "two"]
    assert [m["text"] for m in remote.messages(provider="sendbulk")] == ["two"]
    assert [m["text"] for m in remote.messages(to="+14155550100")] == ["one"]
    assert remote.messages(status="delivered") == []
    remote.advance("1m")
    assert len(remote.messages(status="delivered")) == 2
    remote.reset()
    assert remote.messages() == []
    assert remote.now == datetime(2026, 1, 1, tzinfo=UTC)


def test_helpers_work_remotely(remote: RemoteEmulator, live: LiveServer) -> None:
    store_message(live.emulator, "+14155550100", "Your code is 734512")
    assert remote.last_code("14155550100") == "734512"
    assert remote.wait_for_message(to="+14155550100", timeout=1)["text"].endswith("734512")
    assert [m["to"] for m in remote.sent_messages()] == ["+14155550100"]


def test_load_scenario_by_name_dict_text_and_file(
    remote: RemoteEmulator, live: LiveServer, tmp_path
) -> None:
    assert remote.load_scenario({"name": "from-dict", "seed": 11})["seed"] == 11
    assert live.scenario.name == "from-dict"
    assert remote.load_scenario("name: from-text\nseed: 12\n")["name"] == "from-text"
    path = tmp_path / "mine.yaml"
    path.write_text("name: from-file\nseed: 13\n")
    assert remote.load_scenario(path)["seed"] == 13
    assert remote.load_scenario(str(path))["name"] == "from-file"
    assert remote.load_scenario("happy-path")["name"] == "happy-path"
    assert remote.scenario()["name"] == "happy-path"


def test_load_scenario_none_restores_the_servers_own(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    live.load_scenario({"name": "started-with", "seed": 5})
    with RemoteEmulator(remote.url) as fresh:
        fresh.load_scenario({"name": "for-one-test"})
        assert live.scenario.name == "for-one-test"
        fresh.load_scenario(None)
        assert live.scenario.name == "started-with"
        assert live.scenario.seed == 5


def test_a_run_killed_mid_test_leaves_the_servers_own_scenario_for_the_next(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    live.load_scenario({"name": "started-with"})
    killed = RemoteEmulator(remote.url)
    killed.load_scenario({"name": "one-tests-marker"})  # and the run dies: nothing restored
    killed.close()
    assert live.scenario.name == "one-tests-marker"
    with RemoteEmulator(remote.url) as next_run:
        assert next_run.scenario()["own"]["name"] == "started-with"
        next_run.load_scenario(None)  # an unmarked test
        assert live.scenario.name == "started-with"


def test_a_preparing_script_can_make_a_scenario_the_servers_own(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    live.load_scenario({"name": "started-with"})
    with RemoteEmulator(remote.url) as script:
        state = script.load_scenario({"name": "prepared"}, temporary=False)
        assert (state["name"], state["own"]["name"]) == ("prepared", "prepared")
    with RemoteEmulator(remote.url) as test_run:
        test_run.load_scenario({"name": "one-test"})
        test_run.load_scenario(None)  # what the plugin does after the run
        assert live.scenario.name == "prepared"


def test_invalid_scenario_is_refused_with_the_field(remote: RemoteEmulator) -> None:
    with pytest.raises(RemoteEmulatorError, match="rules\\[0\\]") as info:
        remote.load_scenario({"rules": [{"outcome": "exploded"}]})
    assert info.value.body["field"].startswith("rules[0]")
    assert remote.scenario()["name"] == "happy-path"  # the old one stays active
    # a dict is sent as one line of JSON the caller never wrote: the field alone, as
    # the in-process loader says it
    with pytest.raises(ScenarioError) as in_process:
        load_scenario({"rulez": []})
    with pytest.raises(RemoteEmulatorError) as remotely:
        remote.load_scenario({"rulez": []})
    assert str(remotely.value) == str(in_process.value)


def test_a_scenario_file_of_any_name_is_read_locally_and_errors_name_it(
    remote: RemoteEmulator, live: LiveServer, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a bare name, as a marker gives it
    (tmp_path / "flaky.scn").write_text("name: no-suffix\nseed: 14\n")
    assert remote.load_scenario("flaky.scn")["name"] == "no-suffix"
    (tmp_path / "bad.yaml").write_text("name: bad\nrules:\n  - outcom: delivered\n")
    with pytest.raises(RemoteEmulatorError) as info:
        remote.load_scenario("bad.yaml")
    assert str(info.value).startswith("bad.yaml:3: rules[0].outcom: unknown key")  # as in-process


def test_a_long_one_line_scenario_is_text_not_a_file_name(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    """Too long to name a file (ENAMETOOLONG): still sent as the document it is."""
    document = json.dumps({"name": "long-" + "x" * 400, "seed": 7})
    assert remote.load_scenario(document)["seed"] == 7
    assert live.scenario.name.startswith("long-")
    assert Emulator(scenario=document).seed == 7  # and in-process


def test_missing_scenario_file(remote: RemoteEmulator, live: LiveServer, tmp_path) -> None:
    with pytest.raises(RemoteEmulatorError, match="cannot read scenario"):
        remote.load_scenario(str(tmp_path / "nope.yaml"))
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: café\n".encode("latin-1"))
    not_utf8 = re.escape(f"{latin1}:1: a scenario file must be UTF-8 YAML or JSON: byte 0xe9")
    for target in (live, remote):  # a ValueError either way, as in-process
        for path, words in ((tmp_path / "nope.yaml", "cannot read scenario"), (latin1, not_utf8)):
            with pytest.raises(ValueError, match=words):
                target.load_scenario(str(path))


def test_requests_journal(remote: RemoteEmulator) -> None:
    with remote.client() as client:
        client.get("/restapi/v1.0/nothing-here")
    entries = remote.requests()
    assert [(e["method"], e["path"]) for e in entries] == [("GET", "/restapi/v1.0/nothing-here")]
    assert remote.requests(after=entries[-1]["id"]) == []


def test_client_is_a_real_socket_client(remote: RemoteEmulator) -> None:
    with remote.client() as client:
        assert isinstance(client, httpx.Client)
        assert client.get("/_emulator/health").json()["status"] == "ok"


def test_an_admin_error_names_the_server(remote: RemoteEmulator) -> None:
    with pytest.raises(RemoteEmulatorError) as info:
        remote.advance("soon")
    assert str(info.value).startswith(f"POST {remote.url}/_emulator/clock → 400")


def test_moving_a_live_servers_clock_over_http_leaves_sending_to_its_worker(
    live: LiveServer,
) -> None:
    """Without ``?wait=true`` the admin call returns at once, even with a receiver that
    never answers; the worker sends what became due (and a stop does not wait for the
    rest).  (``RemoteEmulator.advance`` asks to wait: test_waiting_for_webhooks.py.)"""
    received: list[str] = []
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(8)  # accepts, never answers

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        live.reset()
        url = f"http://127.0.0.1:{receiver.server_address[1]}"
        for i in range(3):
            live.webhooks.schedule(live.time() + 60, method="POST", url=f"{url}/{i}", provider="p")
        started = time.monotonic()
        moved = httpx.post(live.url + "/_emulator/clock", json={"advance": "1m"})
        assert moved.status_code == 200 and "webhooks_due" not in moved.json()
        assert time.monotonic() - started < 2
        deadline = time.monotonic() + 10
        while len(received) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok: polls, with a deadline, for the worker to send
        assert sorted(received) == ["/0", "/1", "/2"]
        hung_url = f"http://127.0.0.1:{hung.getsockname()[1]}"
        live.webhooks.schedule(live.time() + 60, method="POST", url=hung_url, provider="p")
        started = time.monotonic()
        httpx.post(live.url + "/_emulator/clock", json={"advance": "1m"})
        assert time.monotonic() - started < 2  # not the receiver's 5 s timeout
    finally:
        receiver.shutdown()
        receiver.server_close()
        hung.close()


def test_unreachable_server() -> None:
    sock = bind_socket()  # listening, never answering: the request times out
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with (
            RemoteEmulator(url, timeout=2) as remote,
            pytest.raises(RemoteEmulatorError, match="cannot reach the sms-emulator"),
        ):
            remote.health()
    finally:
        sock.close()


def test_an_answer_that_is_no_json_is_reported_as_its_text_and_is_no_refusal() -> None:
    """A URL that is no sms-emulator (here a proxy whose upstream is down) says what it
    answered, not that its body failed to decode; it refused no argument (a 400)."""

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "GET" and self.path == "/_emulator/scenario":  # cached
                self.answer(200, "application/json", b'{"scenario": {"name": "happy-path"}}')
            else:
                self.answer(502, "text/plain", b"upstream down")

        do_PUT = do_GET

        def answer(self, status: int, kind: str, text: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        with RemoteEmulator(url) as remote:
            with pytest.raises(RemoteEmulatorError) as info:
                remote.health()
            # a server's failure, not a refusal of the arguments (a ValueError in-process)
            with pytest.raises(RemoteEmulatorError) as view:
                remote.provider_view("fonedynamics", "leases")
            with pytest.raises(RemoteEmulatorError) as scenario:
                remote.load_scenario("name: mine\nseed: 2\n")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert str(info.value) == f"GET {url}/_emulator/health → 502: upstream down"
    assert (info.value.status, info.value.body) == (502, "upstream down")
    for refused in (view.value, scenario.value):
        assert not isinstance(refused, ValueError)
        assert (refused.status, refused.body) == (502, "upstream down")


def test_inbound(remote: RemoteEmulator, live: LiveServer) -> None:
    record = remote.inbound("ringcentral", "+14155550100", "+16505550100", "STOP")
    assert (record["direction"], record["from"], record["text"]) == (
        "inbound",
        "+14155550100",
        "STOP",
    )
    assert [m["id"] for m in live.messages()] == [record["id"]]
    assert remote.sent_messages() == []  # a reply is not something the client sent


def test_inbound_text_with_a_lone_surrogate_reads_as_in_process(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    """The same test against an external server: U+FFFD, not an encoding error."""
    record = remote.inbound("ringcentral", "+14155550100", "+16505550100", "a\ud800b")
    assert record["text"] == "a\ufffdb"
    assert (
        record["text"]
        == Emulator().inbound("ringcentral", "+14155550100", "+16505550100", "a\ud800b")["text"]
    )
    with pytest.raises(RemoteEmulatorError, match="unknown provider 'twilio'"):
        remote.inbound("twilio", "+1", "+2", "hi")


@pytest.mark.parametrize("call", ["messages", "requests", "inbound", "load_scenario", "view"])
def test_refused_arguments_are_a_value_error_as_in_process(
    remote: RemoteEmulator, live: LiveServer, call: str
) -> None:
    """A test expecting the in-process ValueError runs unchanged against a remote server."""
    calls = {
        "messages": lambda target: target.messages(provider="ringcentrall"),
        "requests": lambda target: target.requests(provider="ringcentrall"),
        "inbound": lambda target: target.inbound("twilio", "+1", "+2", "hi"),
        "load_scenario": lambda target: target.load_scenario({"rules": [{"outcome": "x"}]}),
        "view": lambda target: target.provider_view("fonedynamics", "mails"),
    }
    for target in (live, remote):
        with pytest.raises(ValueError):
            calls[call](target)
    with pytest.raises(RemoteEmulatorError):
        calls[call](remote)


@pytest.mark.parametrize(
    ("options", "found"),
    [({"provider": ""}, ValueError), ({"status": ""}, ValueError), ({"to": ""}, [])],
)
def test_empty_filters_read_as_in_process(
    remote: RemoteEmulator, live: LiveServer, options: dict, found: object
) -> None:
    """The admin API reads an empty parameter as none given; the method must not."""
    in_process = Emulator()
    for target in (in_process, live):
        target.inbound("ringcentral", "+14155550100", "+16505550100", "hi")
    for target in (in_process, live, remote):
        if found is ValueError:
            with pytest.raises(ValueError, match="unknown"):
                target.messages(**options)
        else:
            assert target.messages(**options) == found


def test_provider_views_read_as_in_process(remote: RemoteEmulator, live: LiveServer) -> None:
    with live.client() as client:
        sent = client.post(
            "/v2/Properties/PR1/Messages",
            json={"From": "", "To": "+61488023555", "Text": "Reply YES"},
            auth=("AC1", "token"),
        )
    assert sent.status_code == 200, sent.text
    leases = live.provider_view("fonedynamics", "leases")
    assert [lease["Number"] for lease in leases] == [sent.json()["Message"]["From"]]
    assert remote.provider_view("fonedynamics", "leases") == leases
    assert remote.provider_view("fonedynamics", "emails") == []
    with pytest.raises(ValueError, match="known: emails, leases"):
        remote.provider_view("fonedynamics", "lease")
    with pytest.raises(ValueError, match="ringcentral has no view 'x' \\(known: none\\)"):
        remote.provider_view("ringcentral", "x")
    # names sent escaped in the path: not cut short at a "#" or "?"
    for name in ("emails#1", "emails?after=1"):
        with pytest.raises(ValueError, match=f"fonedynamics has no view '{re.escape(name)}'"):
            remote.provider_view("fonedynamics", name)
        with pytest.raises(ValueError, match=f"unknown provider '{re.escape(name)}'"):
            remote.provider_view(name, "leases")


def test_webhook_report(remote: RemoteEmulator) -> None:
    assert remote.webhook_report() == {"pending": [], "attempts": []}


def test_webhook_report_after_a_number_lists_only_newer_attempts(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    """A test polling for receipts asks for the attempts it has not seen, as it polls
    the journal with ``after``, instead of reading the newest 10,000 each time."""
    queue = live.emulator.webhooks
    for n in range(3):  # refused before any request is made: no receiver needed
        queue.schedule(
            live.emulator.time(), method="POST", url=f"http://x.test/_emulator/{n}", provider="p"
        )
    queue.notify()
    assert queue.wait_sent(10.0) == 0  # the live server sends from its worker thread
    assert [a["number"] for a in remote.webhook_report()["attempts"]] == [1, 2, 3]
    newer = remote.webhook_report(after=2)["attempts"]
    assert [(a["number"], a["url"]) for a in newer] == [(3, "http://x.test/_emulator/2")]
    assert remote.webhook_report(after=3)["attempts"] == []
    assert (
        live.emulator.webhook_report(after=1)["attempts"]
        == remote.webhook_report(after=1)["attempts"]
    )
    with httpx.Client(base_url=live.url) as client:
        refused = client.get("/_emulator/webhooks", params={"after": "x"})
    assert (refused.status_code, refused.json()) == (400, {"error": "'after' must be an integer"})


@pytest.mark.parametrize("empty", ["", "\n  \n", "# no rules yet"])
def test_an_empty_scenario_file_or_text_is_no_rules_as_in_process(
    remote: RemoteEmulator, live: LiveServer, tmp_path: Path, empty: str
) -> None:
    """A file of one comment, without a newline, too: the server refuses that body
    (what curl -d makes of a file), so the file's content is not sent as it is."""
    file = tmp_path / "empty.yaml"
    file.write_text(empty)
    # "" alone names no file or text; one word in-process is a name
    for spec in (file, empty) if "\n" in empty else (file,):
        in_process = Emulator()
        in_process.load_scenario(spec)
        loaded = remote.load_scenario(spec)
        assert loaded["scenario"] == {} and in_process.scenario.rules == ()
        assert live.emulator.scenario.rules == ()


def test_scenario_dicts_with_emoji_survive_the_trip(
    remote: RemoteEmulator, live: LiveServer
) -> None:
    remote.load_scenario(
        {"name": "emoji 😀", "rules": [{"when": {"text": "*👍*"}, "outcome": "send_failed"}]}
    )
    assert live.scenario.name == "emoji 😀"
    assert live.scenario.rules[0].when.text == "*👍*"


def test_a_loaded_scenario_object_with_a_yaml_date_in_a_note_loads_remotely(
    remote: RemoteEmulator, live: LiveServer, tmp_path
) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text("x-created: 2026-01-01\nx-log: {2026-01-02: made}\nname: dated\nseed: 4\n")
    assert remote.load_scenario(load_scenario(path))["name"] == "dated"
    assert live.scenario.seed == 4
    assert remote.load_scenario(load_scenario(path).source)["name"] == "dated"  # the dict


def test_live_server_client_goes_over_the_socket(live: LiveServer) -> None:
    with live.client() as client:
        assert str(client.base_url).rstrip("/") == live.url
        assert client.get("/_emulator/health").json()["status"] == "ok"
