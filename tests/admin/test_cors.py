"""The admin API answers browsers on this machine across origins (a test page on a local
dev server calling it), and nobody else: it reads every message and changes state."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator


@pytest.fixture
def client() -> httpx.Client:
    return Emulator().client()


@pytest.mark.parametrize(
    ("asked", "reason"),
    [
        ({"Access-Control-Request-Method": "PATCH"}, "Disallowed CORS method"),
        (
            {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-key"},
            "Disallowed CORS headers",
        ),
    ],
)
def test_a_preflight_the_admin_api_refuses_is_answered_in_its_json_shape(
    client: httpx.Client, asked: dict[str, str], reason: str
) -> None:
    origin = "http://localhost:5173"
    refused = client.options("/_emulator/clock", headers={"Origin": origin, **asked})
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/json"
    assert refused.json() == {"error": reason}
    assert refused.headers["access-control-allow-origin"] == origin  # what a browser reads
    # framed once, as its own body (not also as Starlette's plain-text reason was)
    assert refused.headers.get_list("content-length") == [str(len(refused.content))]
    assert refused.headers.get_list("content-type") == ["application/json"]


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "http://localhost",
        "https://127.0.0.1:8443",
        "http://127.0.0.2:3000",
        "http://[::1]:8080",
        "http://app.localhost:3000",  # browsers resolve *.localhost to loopback themselves
        "https://a-b.dev.localhost",
    ],
)
def test_a_page_on_this_machine_may_call_the_admin_api(client: httpx.Client, origin: str) -> None:
    preflight = client.options(
        "/_emulator/clock",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["access-control-max-age"] == "3600"  # not asked before each call
    moved = client.post("/_emulator/clock", json={"seconds": 1}, headers={"Origin": origin})
    assert moved.status_code == 200 and moved.json()["timestamp"] > 0
    assert moved.headers["access-control-allow-origin"] == origin
    listed = client.get("/_emulator/messages", headers={"Origin": origin})
    assert listed.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",
        "http://localhost.example.com",
        "http://evillocalhost",
        "http://-x.localhost",
        "http://app.localhost.evil.test",
        "http://127.0.0.1.nip.io",
        "http://evil.test/http://localhost",
        "null",
    ],
)
def test_a_page_from_elsewhere_gets_no_cors_answer(client: httpx.Client, origin: str) -> None:
    """Answered as without CORS: the browser keeps the answer from the page."""
    preflight = client.options(
        "/_emulator/reset",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 405
    assert preflight.headers["content-type"] == "application/json"
    assert "access-control-allow-origin" not in preflight.headers
    listed = client.get("/_emulator/messages", headers={"Origin": origin})
    assert listed.status_code == 200
    assert "access-control-allow-origin" not in listed.headers
    looked = client.head("/_emulator/messages", headers={"Origin": origin})
    assert looked.status_code == 200  # reads, as GET: not refused as a change


def test_provider_paths_keep_their_own_cors(client: httpx.Client) -> None:
    """RingCentral's API answers any origin (its JS SDK runs in browsers), as before."""
    preflight = client.options(
        "/restapi/oauth/token",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/_emulator/reset", b""),
        ("POST", "/_emulator/clock", b'{"seconds": 60}'),
        ("PUT", "/_emulator/scenario", b"carrier-failures"),
    ],
)
def test_a_page_from_elsewhere_cannot_change_the_emulator(
    method: str, path: str, content: bytes
) -> None:
    """A page may have a browser POST a form or text/plain anywhere without asking
    first: such a request is refused whole, not only its answer hidden."""
    emu = Emulator(clock="virtual")
    emu.inbound("sendbulk", "0712345678", "40404", "hi")
    before = (emu.time(), emu.scenario.name, len(emu.messages()))
    with emu.client() as client:
        refused = client.request(
            method,
            path,
            content=content,
            headers={"Origin": "https://example.com", "Content-Type": "text/plain"},
        )
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "a request from a page of https://example.com may not change the emulator"
    }
    assert (emu.time(), emu.scenario.name, len(emu.messages())) == before


def test_the_emulators_own_pages_may_change_it_wherever_it_is_served() -> None:
    """The inspector, served on a LAN address (``serve --host 0.0.0.0``), posts to its
    own origin."""
    emu = Emulator(clock="virtual")
    before = emu.time()
    with emu.client(base_url="http://emulator.lan:8787") as client:
        moved = client.post(
            "/_emulator/clock",
            json={"seconds": 60},
            headers={"Origin": "http://emulator.lan:8787"},
        )
    assert moved.status_code == 200 and emu.time() == before + 60
    # its own origin, whatever the body: a form or text/plain too; served over its own
    # TLS, its pages' origin is https
    for origin, scenario in (
        ("http://emulator.lan:8787", "opt-outs"),
        ("https://emulator.lan:8443", "carrier-failures"),
    ):
        with emu.client(base_url=origin) as client:
            loaded = client.put(
                "/_emulator/scenario",
                content=scenario.encode(),
                headers={"Origin": origin, "Content-Type": "text/plain"},
            )
        assert loaded.status_code == 200 and emu.scenario.name == scenario


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type"),
    [
        ("POST", "/_emulator/clock", b'{"seconds": 60}', "application/json"),
        ("POST", "/_emulator/clock", b'{"seconds": 60}', "Application/JSON; charset=utf-8"),
        ("PUT", "/_emulator/scenario", b"name: from-the-ui\n", "application/yaml"),
    ],
)
def test_the_inspector_behind_a_proxy_that_writes_its_upstreams_host_may_change_it(
    method: str, path: str, content: bytes, content_type: str
) -> None:
    """nginx's ``proxy_pass`` sends the upstream's Host (and a TLS proxy the page's
    https): the inspector's origin is not the one the request names.  Its JSON and YAML
    requests are ones another origin's page could send only after a preflight, which it
    would not get past; its form or text/plain twin is still refused."""
    emu = Emulator(clock="virtual")
    before = (emu.time(), emu.scenario.name)
    origin = "https://sms.ci.example"
    with emu.client(base_url="http://emulator:8787") as client:
        changed = client.request(
            method, path, content=content, headers={"Origin": origin, "Content-Type": content_type}
        )
        assert changed.status_code == 200, changed.text
        assert (emu.time(), emu.scenario.name) != before
        # a form or text/plain, and what a browser posts anywhere itself (a ping, reports)
        for simple in (
            "text/plain;charset=UTF-8",
            " Text/Plain",
            "application/x-www-form-urlencoded",
            "text/ping",
            "application/csp-report",
            "application/reports+json",
        ):
            refused = client.request(
                method, path, content=content, headers={"Origin": origin, "Content-Type": simple}
            )
            assert refused.status_code == 403, simple


def test_a_page_on_this_machine_may_end_its_temporary_scenario(client: httpx.Client) -> None:
    origin = "http://localhost:5173"
    preflight = client.options(
        "/_emulator/scenario",
        headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 200
    assert "DELETE" in preflight.headers["access-control-allow-methods"]
    client.put(
        "/_emulator/scenario?temporary=true", content=b"opt-outs", headers={"Origin": origin}
    )
    deleted = client.delete("/_emulator/scenario", headers={"Origin": origin})
    assert deleted.status_code == 200 and deleted.json()["name"] == "happy-path"
    assert deleted.headers["access-control-allow-origin"] == origin


def test_a_page_from_elsewhere_cannot_delete_the_scenario(client: httpx.Client) -> None:
    client.put("/_emulator/scenario?temporary=true", content=b"opt-outs")
    refused = client.delete("/_emulator/scenario", headers={"Origin": "https://example.com"})
    assert refused.status_code == 403
    assert client.get("/_emulator/scenario").json()["name"] == "opt-outs"
