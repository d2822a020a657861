"""The admin API under /_emulator: every route, status codes, JSON shapes, bad input."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator import Emulator, __version__
from emulator.admin.routes import build_admin_app
from emulator.core.journal import Journal
from emulator.core.models import Message
from emulator.scenario.loader import shipped_scenarios

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
RECORD_KEYS = {
    "id",
    "provider",
    "tenant",
    "batch_id",
    "direction",
    "from",
    "to",
    "text",
    "segments",
    "encoding",
    "status",
    "provider_status",
    "error_code",
    "created_at",
    "updated_at",
}


@pytest.fixture
def emu() -> Iterator[Emulator]:
    instance = Emulator(clock="virtual")
    yield instance
    instance.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with emu.client() as c:
        yield c


def outbound(emu: Emulator, mid: str, to: str, outcome: str, text: str = "hi") -> Message:
    now = emu.time()
    return Message(
        id=mid,
        provider="ringcentral",
        tenant="acct",
        sender="+16505550100",
        to=to,
        text=text,
        segments=1,
        created_at=now,
        dispatch_at=now,
        plan=emu.plan(outcome, "E1" if outcome != "delivered" else None),
    )


def assert_error(response: httpx.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body


# health


def test_health(client: httpx.Client) -> None:
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {"status": "ok", "version": __version__, "instance": body["instance"]}
    assert isinstance(body["instance"], str) and len(body["instance"]) == 32
    with Emulator() as other:  # which emulator answers: two URLs of one server match
        assert other.client().get("/_emulator/health").json()["instance"] != body["instance"]


# messages


def test_the_admin_root_the_banner_links_to_lists_every_endpoint(
    emu: Emulator, client: httpx.Client
) -> None:
    for path in ("/_emulator/", "/_emulator"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["version"] == __version__
        for name, url in body["admin"].items():
            if "{" not in url:
                assert client.get(url).status_code in (200, 405), name  # 405: POST-only
        assert "/v2/Properties/{PropertySid}/BatchMessages" in body["providers"]["fonedynamics"]
        assert set(body["providers"]) == {"ringcentral", "fonedynamics", "sendbulk"}
        assert body["provider_views"] == {"fonedynamics": ["emails", "leases"]}
        for provider, views in body["provider_views"].items():
            for view in views:
                assert client.get(f"{path.rstrip('/')}/providers/{provider}/{view}").is_success
        listed = {url.removeprefix("/_emulator") for url in body["admin"].values()}
        served = {
            re.sub(
                r"\{(message|batch)_id\}",
                "{id}",
                route.path.replace("{entry_id:journal_id}", "{n}"),
            )
            for route in build_admin_app(emu).app.routes
            if route.path != "/" and not route.path.startswith("/ui/")
        }
        assert served <= listed  # every admin endpoint, not only the first ones written
        for name, paths in body["providers"].items():
            for path in paths:
                concrete = path.replace("{PropertySid}", "S1").replace("{MessageSid}", "M1")
                found = client.get(concrete)  # unauthenticated: refused, but routed
                assert b"No resource exists" not in found.content, (name, path)
                assert found.json().get("errorCode") != "AGW-404", (name, path)
        ringcentral = body["providers"]["ringcentral"]
        for path in ("/sms/consents", "/subscription", "/phone-number", "/extension/~"):
            assert any(p.endswith(path) for p in ringcentral), path


def test_messages_empty(client: httpx.Client) -> None:
    response = client.get("/_emulator/messages")
    assert response.status_code == 200
    assert response.json() == {"messages": []}


def test_messages_records_and_filters(emu: Emulator, client: httpx.Client) -> None:
    emu.add_messages(
        [
            outbound(emu, "m1", "+14155550101", "delivered", "héllo"),
            outbound(emu, "m2", "+14155550102", "invalid_number"),
        ]
    )
    emu.advance("1s")
    emu.add_messages([outbound(emu, "m3", "+14155550101", "undeliverable")])
    records = client.get("/_emulator/messages").json()["messages"]
    assert [r["id"] for r in records] == ["m1", "m2", "m3"]  # oldest first
    for record in records:
        assert set(record) == RECORD_KEYS
        assert ISO.match(record["created_at"]) and ISO.match(record["updated_at"])
        assert isinstance(record["provider_status"], str)
    first = records[0]
    assert first["provider"] == "ringcentral"
    assert (first["from"], first["to"], first["text"]) == ("+16505550100", "+14155550101", "héllo")
    assert (first["direction"], first["segments"], first["tenant"]) == ("outbound", 1, "acct")
    assert first["batch_id"] is None
    assert first["status"] == "sent"  # 1 s after dispatch, sent not yet delivered
    assert first["created_at"] == "2026-01-01T00:00:00.000000Z"
    assert first["updated_at"] == "2026-01-01T00:00:01.000000Z"
    assert records[1]["status"] == "rejected" and records[1]["error_code"] == "E1"
    assert records[2]["status"] == "queued" and records[2]["error_code"] is None

    def ids(query: str) -> list[str]:
        response = client.get(f"/_emulator/messages?{query}")
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["messages"]]

    assert ids("to=%2B14155550101") == ["m1", "m3"]
    assert ids("to=+14155550101") == ["m1", "m3"]  # a raw '+' is taken as a plus
    assert ids("status=rejected") == ["m2"]
    assert ids("status=sent") == ["m1"]
    assert ids("provider=ringcentral") == ["m1", "m2", "m3"]
    assert ids("provider=sendbulk") == []
    assert ids("provider=&to=&status=") == ["m1", "m2", "m3"]  # empty means no filter
    emu.advance("1h")
    assert ids("status=delivered") == ["m1"]
    assert ids("status=failed") == ["m3"]
    assert client.get("/_emulator/messages").json()["messages"][2]["error_code"] == "E1"


@pytest.mark.parametrize(
    "query", ["status=bogus", "status=Delivered", "provider=bogus", "provider=RingCentral"]
)
def test_messages_bad_filters(client: httpx.Client, query: str) -> None:
    body = assert_error(client.get(f"/_emulator/messages?{query}"))
    assert query.split("=")[1] in body["error"]


# reset


def test_reset_clears_messages_journal_and_clock_but_keeps_the_scenario(
    emu: Emulator, client: httpx.Client
) -> None:
    client.put("/_emulator/scenario", content=b"name: mine\nseed: 5\n")
    emu.add_messages([outbound(emu, "m1", "+14155550101", "delivered")])
    client.get("/not-a-provider")
    client.post("/_emulator/clock", json={"advance": "1h"})
    response = client.post("/_emulator/reset")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get("/_emulator/messages").json() == {"messages": []}
    assert client.get("/_emulator/requests").json() == {"requests": []}
    assert client.get("/_emulator/clock").json()["now"] == "2026-01-01T00:00:00.000000Z"
    scenario = client.get("/_emulator/scenario").json()
    assert (scenario["name"], scenario["seed"]) == ("mine", 5)


def test_reset_needs_post(client: httpx.Client) -> None:
    assert_error(client.get("/_emulator/reset"), 405)


# clock


def test_clock_get(client: httpx.Client) -> None:
    response = client.get("/_emulator/clock")
    assert response.status_code == 200
    assert response.json() == {
        "now": "2026-01-01T00:00:00.000000Z",
        "timestamp": 1_767_225_600.0,
        "kind": "virtual",
    }


@pytest.mark.parametrize(
    ("body", "now"),
    [
        ({"advance": "30s"}, "2026-01-01T00:00:30.000000Z"),
        ({"advance": "1h30m"}, "2026-01-01T01:30:00.000000Z"),
        ({"advance": "500ms"}, "2026-01-01T00:00:00.500000Z"),
        ({"advance": 90}, "2026-01-01T00:01:30.000000Z"),
        ({"advance": "2d"}, "2026-01-03T00:00:00.000000Z"),
        ({"seconds": 1.25}, "2026-01-01T00:00:01.250000Z"),
        ({"seconds": 0}, "2026-01-01T00:00:00.000000Z"),
        ({"set": "2026-02-01T00:00:00Z"}, "2026-02-01T00:00:00.000000Z"),
        ({"set": "2026-02-01T02:00:00+02:00"}, "2026-02-01T00:00:00.000000Z"),
        ({"set": 1_767_225_660}, "2026-01-01T00:01:00.000000Z"),
    ],
)
def test_clock_post(emu: Emulator, client: httpx.Client, body: dict, now: str) -> None:
    response = client.post("/_emulator/clock", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["now"] == now
    assert data["kind"] == "virtual"
    assert emu.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ") == now
    assert client.get("/_emulator/clock").json() == data


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{bad",
        b"[1]",
        b'"30s"',
        b"{}",
        b'{"advance": "30s", "seconds": 3}',
        b'{"wind": "30s"}',
        b'{"advance": "soon"}',
        b'{"advance": "-5s"}',
        b'{"advance": -5}',
        b'{"advance": null}',
        b'{"advance": true}',
        b'{"advance": [1]}',
        b'{"seconds": "x"}',
        b'{"seconds": 1e20}',
        b'{"seconds": 1' + b"0" * 400 + b"}",
        b'{"advance": "99999999999d"}',
        b'{"set": "2020-01-01T00:00:00Z"}',  # backwards
        b'{"set": "yesterday"}',
        b'{"set": [2026]}',
        b'{"set": 1e300}',
        b'{"set": 1' + b"0" * 400 + b"}",  # an int past any float
        b'{"set": null}',
        b'{"advance": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"advance": "\xff"}',
    ],
)
def test_clock_bad_input_is_400_and_leaves_the_clock(client: httpx.Client, body: bytes) -> None:
    assert_error(client.post("/_emulator/clock", content=body))
    assert client.get("/_emulator/clock").json()["now"] == "2026-01-01T00:00:00.000000Z"


def test_clock_refusals_name_the_field_that_is_wrong(client: httpx.Client) -> None:
    error = assert_error(client.post("/_emulator/clock", json={"advance": "1m", "wait": True}))
    assert error["error"].startswith("wait goes in the query string: POST /_emulator/clock?wait")
    error = assert_error(client.post("/_emulator/clock", json={"advnce": "1m"}))
    assert error["error"].startswith("unknown field 'advnce': give exactly one of")
    assert client.get("/_emulator/clock").json()["now"] == "2026-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b" \n", "request body must be a JSON object"),
        (b"[1]", "request body must be a JSON object"),
        (b"not json", "request body is not valid JSON: JSON is malformed"),
        (b"[" * 100_000 + b"]" * 100_000, "request body is not valid JSON: nested too deep"),
    ],
)
def test_a_clock_body_that_is_no_json_object_is_refused_saying_so(
    client: httpx.Client, body: bytes, error: str
) -> None:
    assert assert_error(client.post("/_emulator/clock", content=body))["error"].startswith(error)


@pytest.mark.parametrize("given", ["1795683600", "1795683600.0", " 1795683600 "])
def test_a_clock_set_to_epoch_seconds_as_text_is_read_as_a_number(
    client: httpx.Client, given: str
) -> None:
    """As ``serve --start`` takes them; the refusal said "or epoch seconds" to exactly this."""
    assert client.post("/_emulator/clock", json={"set": given}).status_code == 200
    assert client.get("/_emulator/clock").json()["now"] == "2026-11-26T09:00:00.000000Z"


def test_a_clock_set_in_epoch_milliseconds_is_named_so(client: httpx.Client) -> None:
    """JavaScript's ``Date.now()`` is in milliseconds: the refusal says what was meant."""
    error = assert_error(client.post("/_emulator/clock", json={"set": 1795683600000}))["error"]
    assert error.endswith("(epoch milliseconds? in seconds that is 1795683600.000)")
    far = assert_error(client.post("/_emulator/clock", json={"set": 1e300}))["error"]
    assert "milliseconds" not in far
    ahead = assert_error(client.post("/_emulator/clock", json={"seconds": 2.6e11}))["error"]
    assert "milliseconds" not in ahead  # an advance is no moment that was given


def test_clock_without_a_duration_says_it_is_missing(emu: Emulator, client: httpx.Client) -> None:
    for body in ({"advance": None}, {"seconds": None}, {"set": None}):
        error = assert_error(client.post("/_emulator/clock", json=body))["error"]
        assert error == 'give exactly one of {"advance": "30s"}, {"seconds": 30}, {"set": ISO time}'
    with pytest.raises(TypeError, match=r"give a duration \('30s'\) or seconds="):
        emu.advance()


def test_times_past_the_year_9999_are_shown_as_its_last_instant(
    emu: Emulator, client: httpx.Client
) -> None:
    """A batch sent at the end of time completes after it: the admin views list it
    (they answered 500, ``year 10000 is out of range``)."""
    emu.clock.set("9999-12-31T23:59:58Z")
    with emu.client() as rc:
        token = rc.post(
            "/restapi/oauth/token",
            data={"grant_type": "password", "username": "u", "password": "p"},
            auth=("id", "secret"),
        ).json()["access_token"]
        created = rc.post(
            "/restapi/v1.0/account/~/a2p-sms/batches",
            json={"from": "+16505550100", "text": "hi", "messages": [{"to": ["+14155550100"]}]},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert created.status_code == 201, created.text
    emu.advance("1s")
    for path in ("/_emulator/batches", "/_emulator/messages", "/_emulator/clock", "/_emulator/ui"):
        assert client.get(path).status_code == 200, path
    (batch,) = client.get("/_emulator/batches").json()["batches"]
    assert batch["completes_at"].startswith("9999-12-31T23:59:59.")  # 2 s after it was sent


def test_clock_backwards_says_so(client: httpx.Client) -> None:
    client.post("/_emulator/clock", json={"advance": "1h"})
    body = assert_error(client.post("/_emulator/clock", json={"set": "2026-01-01T00:00:00Z"}))
    assert "backwards" in body["error"]


@pytest.mark.parametrize("moment", ["yesterday", [2026]])
def test_clock_set_to_no_time_says_what_a_time_is(client: httpx.Client, moment: object) -> None:
    body = assert_error(client.post("/_emulator/clock", json={"set": moment}))
    assert body["error"] == (
        f"invalid time {moment!r}: use an ISO 8601 time"
        + (" (2026-01-01T09:30:00Z)" if isinstance(moment, str) else "")
        + " or epoch seconds"
    )


def test_clock_set_to_a_date_that_is_none_says_what_is_wrong(client: httpx.Client) -> None:
    body = assert_error(client.post("/_emulator/clock", json={"set": "2026-13-01"}))
    assert body["error"].startswith("invalid time '2026-13-01' (month must be in 1..12): ")


def test_clock_real_kind() -> None:
    emu = Emulator(clock="real")
    with emu.client() as client:
        before = client.get("/_emulator/clock").json()
        assert before["kind"] == "real"
        after = client.post("/_emulator/clock", json={"advance": "1d"}).json()
        assert after["timestamp"] - before["timestamp"] >= 86_400
    emu.close()


# scenario


def test_scenario_get(client: httpx.Client) -> None:
    response = client.get("/_emulator/scenario")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "happy-path"
    assert isinstance(body["description"], str)
    assert (body["seed"], body["version"]) == (0, 1)
    assert body["scenario"]["name"] == "happy-path"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"name: from-yaml\nseed: 9\ntiming: {sent: 2s}\n", "application/yaml"),
        (b'{"name": "from-yaml", "seed": 9, "timing": {"sent": "2s"}}', "application/json"),
    ],
)
def test_scenario_put_yaml_or_json(
    emu: Emulator, client: httpx.Client, content: bytes, content_type: str
) -> None:
    response = client.put(
        "/_emulator/scenario", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["seed"]) == ("from-yaml", 9)
    assert body["scenario"]["timing"] == {"sent": "2s"}
    assert emu.scenario.name == "from-yaml"
    assert emu.timing.sent == 2.0
    assert client.get("/_emulator/scenario").json() == body


def test_a_scenario_is_parsed_off_the_event_loop(
    emu: Emulator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large document takes a while to parse; the server goes on answering meanwhile."""
    from emulator.admin import routes

    loops: list[bool] = []
    parse = routes.load_scenario_body

    def watched(*args: object, **kwargs: object) -> object:
        try:
            asyncio.get_running_loop()
            loops.append(True)
        except RuntimeError:
            loops.append(False)
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(routes, "load_scenario_body", watched)
    assert client.put("/_emulator/scenario", content="seed: 9").status_code == 200
    assert loops == [False] and emu.scenario.seed == 9
    refused = client.put("/_emulator/scenario", content="seed: [")
    assert refused.status_code == 400 and refused.json()["line"] is not None


def test_a_temporary_scenario_leaves_the_servers_own(emu: Emulator, client: httpx.Client) -> None:
    assert client.get("/_emulator/scenario").json()["own"]["name"] == "happy-path"
    put = client.put("/_emulator/scenario?temporary=true", content=b"name: one-test\n").json()
    assert (put["name"], put["own"]["name"]) == ("one-test", "happy-path")
    assert emu.own_scenario.name == "happy-path"
    put = client.put("/_emulator/scenario", content=b"name: chosen\n").json()
    assert (put["name"], put["own"]["name"]) == ("chosen", "chosen")


def test_delete_puts_the_servers_own_scenario_back_with_fresh_counters(
    emu: Emulator, client: httpx.Client
) -> None:
    """How a client in another language ends a test's temporary scenario."""

    def login() -> int:
        token = client.post(
            "/restapi/oauth/token",
            data={"grant_type": "password", "username": "u", "password": "p"},
            auth=("id", "secret"),
        )
        return token.status_code

    own = b"name: mine\nfaults:\n  - calls: [1]\n    respond: {status: 503}\n"
    client.put("/_emulator/scenario", content=own)
    assert [login(), login()] == [503, 200]
    client.put("/_emulator/scenario?temporary=true", content=b"rate-limited")
    deleted = client.delete("/_emulator/scenario")
    assert deleted.status_code == 200
    assert (deleted.json()["name"], deleted.json()["own"]["name"]) == ("mine", "mine")
    assert emu.scenario is emu.own_scenario and emu.scenario.rate_limits == {}
    assert [login(), login()] == [503, 200]  # its fault counted from the first call again


def test_scenario_put_a_shipped_name(emu: Emulator, client: httpx.Client) -> None:
    client.put("/_emulator/scenario", content=b"name: other\n")
    response = client.put("/_emulator/scenario", content=b"happy-path")
    assert response.status_code == 200
    assert response.json()["name"] == "happy-path"


@pytest.mark.parametrize(
    ("content", "field", "line"),
    [
        (b"seed: 1\nrules:\n  - outcome: nope\n", "rules[0].outcome", 3),
        (b"seed: 1\ntiming:\n  sent: soon\n", "timing.sent", 3),
        (b"name: x\nsed: 1\n", "sed", 2),
        (b"seed: abc\n", "seed", 1),
        (b"rules: 5\n", "rules", 1),
        (b"rate_limits: [1]\n", "rate_limits", 1),
        # two such steps added up to infinity: message views failed with a 500
        (b"timing: {delivered: 1e308, sent: 1e308}\n", "timing.sent", 1),
    ],
)
def test_scenario_put_invalid_names_field_and_line(
    emu: Emulator, client: httpx.Client, content: bytes, field: str, line: int
) -> None:
    body = assert_error(client.put("/_emulator/scenario", content=content))
    assert body["field"] == field
    assert body["line"] == line
    assert field in body["error"]
    assert emu.scenario.name == "happy-path"  # the active scenario is unchanged


@pytest.mark.parametrize(
    "content",
    [
        b"a: [1",
        b"\xff\xfe\x00",
        b"no-such-scenario",
        b"5",
        b"- a\n- b\n",
        b"{",
        b"\t{}",
        b"name: x\nx: " + b"[" * 5000 + b"]" * 5000,
        b"a: &a [*a, *a]\nname: x\n",
        b"name: x\nseed: " + b"9" * 5000,
        b"seed: " + b"9" * 5000,  # one line: read as YAML, not taken for a name
        b"[" * 3000 + b"]" * 3000,
        b"{a: " * 3000 + b"1" + b"}" * 3000,
        b"name: x\nseed: 0x" + b"f" * 4000,  # no digit limit for hex: past 64 bits anyway
        b'{"name": "\\ud800"}',  # a lone surrogate: no text at all
    ],
)
def test_scenario_put_unusable_body(emu: Emulator, client: httpx.Client, content: bytes) -> None:
    body = assert_error(client.put("/_emulator/scenario", content=content))
    assert set(body) == {"error", "field", "line"}  # the documented shape, null when unknown
    assert emu.scenario.name == "happy-path"


def test_scenario_put_of_a_latin_1_file_says_where_as_a_file_load_does(
    emu: Emulator, client: httpx.Client
) -> None:
    """``curl --data-binary @file`` of a file saved as Latin-1: no line was given."""
    content = "name: x\ndescription: caf\u00e9\n".encode("latin-1")
    body = assert_error(client.put("/_emulator/scenario", content=content))
    assert body["line"] == 2
    assert "must be UTF-8 YAML or JSON: byte 0xe9 at column 17" in body["error"]
    assert emu.scenario.name == "happy-path"


def test_scenario_put_never_reads_a_path_on_the_server(
    emu: Emulator, client: httpx.Client, tmp_path: Path
) -> None:
    """The body is YAML, JSON or a shipped name: a server file is not the client's to load,
    nor to read back in an error."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: from-the-servers-disk\n")
    for body in (str(secret), "secret.yaml", str(tmp_path / "missing")):
        refused = assert_error(client.put("/_emulator/scenario", content=body.encode()))
        assert "from-the-servers-disk" not in refused["error"]
        assert "send its content" in refused["error"]
    assert emu.scenario.name == "happy-path"


@pytest.mark.parametrize("content", [b"", b" \n", b"\r\n\t"])
def test_scenario_put_with_no_body_is_refused(
    emu: Emulator, client: httpx.Client, content: bytes
) -> None:
    """No body at all is a mistake (curl sends one for a file it could not read), not
    a request for no rules: those are ``{}`` or an empty YAML document."""
    client.put("/_emulator/scenario", content=b"name: other\n")
    refused = assert_error(client.put("/_emulator/scenario", content=content))
    assert "scenario body is empty" in refused["error"]
    assert (refused["field"], refused["line"]) == (None, None)  # as every scenario refusal
    assert emu.scenario.name == "other"


@pytest.mark.parametrize("content", [b"---\n", b"~", b"null\n", b"# defaults for now\n", b"{}"])
def test_scenario_put_an_empty_document_is_the_defaults(
    emu: Emulator, client: httpx.Client, content: bytes
) -> None:
    """As ``check-scenario`` and ``serve --scenario`` take the same file."""
    client.put("/_emulator/scenario", content=b"name: other\n")
    response = client.put("/_emulator/scenario", content=content)
    assert response.status_code == 200, response.text
    assert emu.scenario.name == "custom" and emu.scenario.rules == ()


def test_scenario_put_of_a_file_curl_d_flattened_into_one_comment_is_refused(
    emu: Emulator, client: httpx.Client
) -> None:
    """``curl -d @scenarios/invalid-numbers.yaml`` strips the newlines: every shipped file
    opens with a comment, so the body was one comment, loaded as no rules with a 200."""
    client.put("/_emulator/scenario", content=b"name: other\n")
    text = shipped_scenarios()["invalid-numbers"].read_text(encoding="utf-8")
    flattened = text.replace("\r", "").replace("\n", "")
    refused = assert_error(client.put("/_emulator/scenario", content=flattened.encode()))
    assert "--data-binary" in refused["error"]
    assert emu.scenario.name == "other"
    response = client.put("/_emulator/scenario", content=text.encode())  # --data-binary
    assert response.status_code == 200 and emu.scenario.name == "invalid-numbers"


def test_scenario_put_json_with_exponent_numbers(emu: Emulator, client: httpx.Client) -> None:
    """``json.dumps(0.00001)`` is ``1e-05``: YAML 1.1 alone reads that as text."""
    scenario = {
        "name": "rare",
        "rules": [{"outcome": {"delivered": 0.99999, "undeliverable": 0.00001}}],
        "providers": {"ringcentral": {"cost_per_segment": 5e-05}},
    }
    text = json.dumps(scenario)
    assert "1e-05" in text and "5e-05" in text
    response = client.put("/_emulator/scenario", content=text.encode())
    assert response.status_code == 200, response.text
    assert emu.scenario.rules[0].outcomes == (("delivered", 0.99999), ("undeliverable", 1e-05))
    assert emu.scenario.provider_options("ringcentral")["cost_per_segment"] == 5e-05


def test_scenario_put_json_with_escaped_surrogate_pairs(
    emu: Emulator, client: httpx.Client
) -> None:
    """``json.dumps`` (ASCII by default) writes an emoji as two escapes; YAML alone would
    read two lone surrogates, and the scenario could not be shown or encoded."""
    scenario = {
        "name": "emoji",
        "rules": [{"when": {"text": "*\U0001f600*"}, "outcome": "undeliverable"}],
    }
    response = client.put("/_emulator/scenario", content=json.dumps(scenario).encode())
    assert response.status_code == 200, response.text
    assert response.json()["scenario"]["rules"][0]["when"]["text"] == "*\U0001f600*"
    assert client.get("/_emulator/scenario").json()["name"] == "emoji"
    literal = {"name": "backslash", "description": "\\ud83d\\ude00 stays as written"}
    response = client.put("/_emulator/scenario", content=json.dumps(literal).encode())
    assert response.json()["description"] == literal["description"]


def test_scenario_put_syntax_error_has_a_line(client: httpx.Client) -> None:
    body = assert_error(client.put("/_emulator/scenario", content=b"name: x\nrules: [\n"))
    assert isinstance(body.get("line"), int)


def test_scenario_rejects_other_methods(client: httpx.Client) -> None:
    assert_error(client.post("/_emulator/scenario", content=b"name: x"), 405)


# inbound


def test_inbound(emu: Emulator, client: httpx.Client) -> None:
    response = client.post(
        "/_emulator/inbound",
        json={
            "provider": "ringcentral",
            "from": "+14155550100",
            "to": "+16505550100",
            "text": "hi",
        },
    )
    assert response.status_code == 201, response.text
    record = response.json()["message"]
    assert set(record) == RECORD_KEYS
    assert record["direction"] == "inbound"
    assert (record["from"], record["to"], record["text"]) == ("+14155550100", "+16505550100", "hi")
    assert record["provider"] == "ringcentral"
    listed = client.get("/_emulator/messages").json()["messages"]
    assert [m["id"] for m in listed] == [record["id"]]
    assert emu.messages()[0]["id"] == record["id"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"{oops",
        b"{}",
        b'{"provider": "ringcentral", "from": "+14155550100", "to": "+16505550100"}',
        b'{"provider": "ringcentral", "from": 14155550100, "to": "+16505550100", "text": "x"}',
        b'{"provider": "nope", "from": "+14155550100", "to": "+16505550100", "text": "x"}',
        b'{"provider": null, "from": "+14155550100", "to": "+16505550100", "text": "x"}',
    ],
)
def test_inbound_bad_input(client: httpx.Client, body: bytes) -> None:
    assert_error(client.post("/_emulator/inbound", content=body))
    assert client.get("/_emulator/messages").json() == {"messages": []}


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (
            {"form": "+14155550100"},
            "unknown field 'form' (did you mean 'from'?): POST /_emulator/inbound takes"
            " provider, from, to, text",
        ),
        (
            {"media": "https://x/cat.png"},
            "unknown field 'media': POST /_emulator/inbound takes provider, from, to, text",
        ),
    ],
)
def test_inbound_names_a_field_it_does_not_read(
    client: httpx.Client, extra: dict[str, str], error: str
) -> None:
    """A typo said only that "from" was missing; an extra field was dropped unseen."""
    body = {"provider": "ringcentral", "from": "+14155550100", "to": "+16505550100", "text": "x"}
    if "form" in extra:
        del body["from"]
    response = client.post("/_emulator/inbound", json={**body, **extra})
    assert assert_error(response) == {"error": error}
    assert client.get("/_emulator/messages").json() == {"messages": []}


def test_inbound_unknown_provider_lists_known_ones(client: httpx.Client) -> None:
    body = assert_error(
        client.post(
            "/_emulator/inbound", json={"provider": "nope", "from": "+1", "to": "+2", "text": "x"}
        )
    )
    assert "ringcentral" in body["error"]


# requests journal


def test_requests_journal_and_filters(client: httpx.Client) -> None:
    client.get("/restapi/v1.0/nothing")
    client.get("/v2/nothing")
    client.get("/_emulator/health")
    all_entries = client.get("/_emulator/requests").json()["requests"]
    assert [e["provider"] for e in all_entries] == ["ringcentral", "fonedynamics"]
    first_id = all_entries[0]["id"]
    later = client.get(f"/_emulator/requests?after={first_id}").json()["requests"]
    assert [e["provider"] for e in later] == ["fonedynamics"]
    only = client.get("/_emulator/requests?provider=ringcentral").json()["requests"]
    assert [e["path"] for e in only] == ["/restapi/v1.0/nothing"]


@pytest.mark.parametrize("path", ["/_emulator/requests", "/_emulator/batches"])
def test_an_unknown_provider_filter_is_400_not_an_empty_list(
    client: httpx.Client, path: str
) -> None:
    body = assert_error(client.get(f"{path}?provider=ringcentrall"))
    assert "unknown provider 'ringcentrall'" in body["error"]


def test_a_message_no_request_made_is_not_given_the_next_request(
    emu: Emulator, client: httpx.Client
) -> None:
    """Stored through the core API (as a test seeds data), then a request on the same instant."""
    emu.add_messages([outbound(emu, "seeded-1", "+14155550100", "delivered")])
    client.get("/restapi/v1.0/account/~/a2p-sms/messages/nothing")  # a 401, recorded after
    shown = client.get("/_emulator/messages/seeded-1").json()["message"]
    assert shown.get("request") is None


def _id_of(emu: Emulator, text: str) -> str:
    (record,) = [m for m in emu.messages() if m["text"] == text]
    return record["id"]


def test_requests_of_messages_whose_request_the_journal_dropped_are_not_guessed(
    emu: Emulator, client: httpx.Client
) -> None:
    """Once the journal drops requests, a later one naming the same recipient is not the creator."""
    emu.journal = Journal(capacity=3)

    def send(text: str) -> str:
        body = {"apikey": "k", "partnerID": "1", "shortcode": "SHOP", "mobile": "254712345678"}
        client.post("/api/services/sendsms", json={**body, "message": text})
        (record,) = [m for m in emu.messages() if m["text"] == text]
        return record["id"]

    def creator(message_id: str) -> dict | None:
        return client.get(f"/_emulator/messages/{message_id}").json()["message"].get("request")

    first = send("m0")
    assert creator(first) is not None
    for i in range(1, 5):  # the journal holds 3: m0's and m1's requests are dropped
        send(f"m{i}")
    assert creator(first) is None
    # On the same (virtual) instant, a message whose request is kept still finds it.
    for text in ("m3", "m4"):
        found = creator(_id_of(emu, text))
        assert found is not None
        entry = client.get(f"/_emulator/requests/{found['id']}").json()["request"]
        assert f'"{text}"' in entry["request_body"]


@pytest.mark.parametrize(
    "query",
    ["after=x", "after=1.5", "after=", "after=1_0", "after=%D9%A1%D9%A0", "after=--" + "9" * 5000],
)
def test_requests_bad_after(client: httpx.Client, query: str) -> None:
    assert_error(client.get(f"/_emulator/requests?{query}"))


def test_an_after_too_long_for_int_is_still_a_number(client: httpx.Client) -> None:
    """Past 4,300 digits ``int()`` refuses it: its value (leading zeros aside), else past
    every entry or before them all."""
    client.get("/restapi/v1.0/nothing")  # one journal entry
    client.get("/restapi/v1.0/nothing")  # and a second
    cases = (("9" * 5000, 0), ("+" + "9" * 5000, 0), ("-" + "9" * 5000, 2), ("0" * 5000 + "1", 1))
    for after, count in cases:
        response = client.get(f"/_emulator/requests?after={after.replace('+', '%2B')}")
        assert response.status_code == 200, response.text
        assert len(response.json()["requests"]) == count


def test_an_after_too_long_for_int_with_several_significant_digits_is_their_value(
    emu: Emulator, client: httpx.Client
) -> None:
    for _ in range(101):
        client.get("/restapi/v1.0/nothing")
    response = client.get(f"/_emulator/requests?after={'0' * 5000}100")
    assert [entry["id"] for entry in response.json()["requests"]] == [101]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("batches/b-404", "no batch 'b-404'"),
        ("messages/m-404", "no message 'm-404'"),
        ("requests/7", "no request #7"),
        ("requests/0", "no request #0"),  # ids start at 1: the first entry is not it
    ],
)
def test_an_unknown_batch_message_or_journal_entry_is_a_404_naming_it(
    client: httpx.Client, path: str, error: str
) -> None:
    client.get("/restapi/v1.0/nothing")  # a journal entry, #1
    assert assert_error(client.get(f"/_emulator/{path}"), 404) == {"error": error}


def test_an_unknown_provider_view_is_a_404_naming_the_known_ones(client: httpx.Client) -> None:
    body = assert_error(client.get("/_emulator/providers/fonedynamics/mails"), 404)
    assert body["error"] == "fonedynamics has no view 'mails' (known: emails, leases)"
    body = assert_error(client.get("/_emulator/providers/twilio/emails"), 404)
    assert body["error"].startswith("unknown provider 'twilio' (known: ringcentral")


@pytest.mark.parametrize("digits", ["9" * 20, "9" * 5000, "1" + "0" * 4300])
def test_a_journal_id_no_entry_can_have_is_a_404_not_a_500(
    client: httpx.Client, digits: str
) -> None:
    """Past 4,300 digits ``int()`` refuses a number: the path matches no entry instead."""
    client.get("/_emulator/health")
    assert_error(client.get(f"/_emulator/requests/{digits}"), 404)
    page = client.get(f"/_emulator/ui/requests/{digits}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_a_journal_id_with_leading_zeros_is_still_its_number(client: httpx.Client) -> None:
    client.get("/restapi/v1.0/nothing")
    (entry,) = client.get("/_emulator/requests").json()["requests"]
    padded = "0" * 5000 + str(entry["id"])
    assert client.get(f"/_emulator/requests/{padded}").json()["request"]["id"] == entry["id"]
    assert client.get(f"/_emulator/ui/requests/{padded}").status_code == 200


# webhooks


def test_webhooks_pending_and_attempts(emu: Emulator, client: httpx.Client) -> None:
    assert client.get("/_emulator/webhooks").json() == {"pending": [], "attempts": []}
    emu.webhooks.schedule(
        emu.time() + 60,
        method="post",
        url="http://127.0.0.1:9/hook",
        provider="ringcentral",
        event="delivered",
        message_id="m1",
        json={"a": 1},
    )
    pending = client.get("/_emulator/webhooks").json()["pending"]
    assert pending == [
        {
            "due": "2026-01-01T00:01:00.000000Z",
            "provider": "ringcentral",
            "event": "delivered",
            "method": "POST",
            "url": "http://127.0.0.1:9/hook",
            "message_id": "m1",
            "attempt": 0,
        }
    ]


def test_webhooks_after_lists_only_the_attempts_numbered_above_it(
    emu: Emulator, client: httpx.Client
) -> None:
    for message_id in ("m1", "m2"):
        emu.webhooks.schedule(
            emu.time(),
            method="post",
            url="http://127.0.0.1:9/hook",
            provider="ringcentral",
            event="delivered",
            message_id=message_id,
            json={},
        )
    emu.advance(0)
    every = client.get("/_emulator/webhooks").json()["attempts"]
    assert sorted(a["number"] for a in every) == [1, 2]
    later = client.get("/_emulator/webhooks?after=1").json()["attempts"]
    assert [a["number"] for a in later] == [2]


# shape of errors for unknown admin routes


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/_emulator/nope", 404),
        ("POST", "/_emulator/health", 405),
        ("DELETE", "/_emulator/messages", 405),
        ("PUT", "/_emulator/clock", 405),
        ("DELETE", "/_emulator/reset", 405),
    ],
)
def test_unknown_admin_routes_answer_json(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert_error(response, status)
    if status == 405:  # which methods would do, as HTTP asks of a 405, in a fixed order
        allowed = [m.strip() for m in response.headers["allow"].split(",")]
        assert method not in allowed and set(allowed) & {"GET", "POST"}
        assert allowed == sorted(allowed)


def test_a_mistyped_admin_path_says_where_the_list_of_paths_is(client: httpx.Client) -> None:
    response = client.get("/_emulator/mesages")
    assert response.status_code == 404
    assert response.json()["see"] == "/_emulator/"
    assert "messages" in client.get(response.json()["see"]).json()["admin"]


@pytest.mark.parametrize("flag", ["yes", "on", "2", "tru", ""])
def test_an_unknown_temporary_flag_is_refused(
    emu: Emulator, client: httpx.Client, flag: str
) -> None:
    """Read as false, a typo made one test's scenario the server's own."""
    own = emu.own_scenario
    response = client.put(f"/_emulator/scenario?temporary={flag}", content=b"name: one-test\n")
    assert response.status_code == 400
    assert "temporary must be true or false" in response.json()["error"]
    # shaped as every scenario refusal is: no field or line to point at
    assert response.json()["field"] is None and response.json()["line"] is None
    assert emu.own_scenario is own and emu.scenario is own


@pytest.mark.parametrize(
    ("flag", "temporary"),
    [("true", True), ("1", True), ("0", False), ("FALSE", False), (None, False)],
)
def test_the_temporary_flag_s_spellings(
    emu: Emulator, client: httpx.Client, flag: str | None, temporary: bool
) -> None:
    query = "" if flag is None else f"?temporary={flag}"
    response = client.put(f"/_emulator/scenario{query}", content=b"name: t\n")
    assert response.status_code == 200
    assert (emu.own_scenario.name == "t") is not temporary


@pytest.mark.parametrize(
    ("method", "path", "body", "takes"),
    [
        ("POST", "/clock?wiat=true", {"advance": "1m"}, "takes wait"),
        ("POST", "/clock?wiat=true&also=1", {"advance": "1m"}, "takes wait"),  # the first
        ("GET", "/messages?tenant=acct", None, "takes provider, status, to"),
        ("GET", "/requests?endpoint=send_batch", None, "takes after, provider"),
        ("GET", "/webhooks?provider=ringcentral", None, "takes after"),
        ("POST", "/reset?wait=true", None, "takes no query parameters"),
        ("POST", "/inbound?wai=1", {"provider": "sendbulk"}, "takes wait"),
        ("GET", "/batches?status=Completed", None, "takes provider"),
        ("GET", "/clock?wait=true", None, "takes no query parameters"),  # POST waits
        ("GET", "/scenario?temporary=true", None, "takes no query parameters"),  # PUT's
        ("DELETE", "/scenario?temporary=false", None, "takes no query parameters"),
    ],
)
def test_a_query_parameter_an_endpoint_does_not_read_is_refused_before_it_acts(
    emu: Emulator, client: httpx.Client, method: str, path: str, body: object, takes: str
) -> None:
    emu.advance("1s")  # something a reset would undo
    before = emu.time()
    response = client.request(method, "/_emulator" + path, json=body)
    assert response.status_code == 400, response.text
    name = path.split("?")[1].split("=")[0]
    assert response.json()["error"] == (
        f"unknown query parameter {name!r}: {method} /_emulator{path.split('?')[0]} {takes}"
    )
    assert emu.time() == before  # the clock did not move, nor did a reset put it back


def test_a_scenario_put_with_a_mistyped_query_loads_nothing(client: httpx.Client) -> None:
    response = client.put("/_emulator/scenario?temprary=true", content="name: typo\n")
    assert response.status_code == 400
    assert response.json() == {
        "error": "unknown query parameter 'temprary': PUT /_emulator/scenario takes temporary",
        "field": None,
        "line": None,
    }
    assert client.get("/_emulator/scenario").json()["name"] == "happy-path"


def test_health_answers_whatever_its_query(client: httpx.Client) -> None:
    # a GET delivery receipt pointed at it carries its fields in the query
    response = client.get("/_emulator/health?MessageSid=M1&Status=Delivered")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_scenario_file_curl_d_ran_into_one_line_says_to_use_data_binary(
    emu: Emulator, client: httpx.Client
) -> None:
    text = "name: low\nrules:\n  - when: {to: '+2547*'}\n    outcome: undeliverable\n"
    flattened = text.replace("\n", "")
    refused = assert_error(client.put("/_emulator/scenario", content=flattened.encode()))
    assert refused["error"].startswith("PUT /_emulator/scenario:1: not valid YAML/JSON: ")
    assert refused["error"].endswith(
        "; the body has no line breaks: curl's -d strips a file's newlines,"
        " send a file with --data-binary @FILE"
    )
    broken = assert_error(client.put("/_emulator/scenario", content=text.replace("}", "")))
    assert "not valid YAML/JSON" in broken["error"]
    assert "--data-binary" not in broken["error"]  # a file with its lines: its own mistake
    json_typo = assert_error(client.put("/_emulator/scenario", content=b'{"name": "x"'))
    assert "not valid YAML/JSON" in json_typo["error"]
    assert "--data-binary" not in json_typo["error"]  # JSON on one line is as written
    assert emu.scenario.name == "happy-path"
