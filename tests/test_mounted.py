"""``emu.app`` mounted under a prefix of one's own app answers as it does at a server's
root, seen from inside the prefix; its journal keeps the paths as the clients sent them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from testing._clients import FD_AUTH, FD_BATCH, FD_PROPERTY, RC_BATCHES

from emulator import Emulator

PREFIX = "/sms"
HOST = "http://testserver"

Exchange = Callable[[httpx.AsyncClient, str], Awaitable[Any]]


def through(app: Any, base_url: str, exchange: Exchange) -> Any:
    """What ``exchange`` returns, given a client of ``app`` (in-process) at ``base_url``
    and ``base_url`` itself (to write a path the client would otherwise tidy)."""

    async def main() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            return await exchange(client, base_url)

    return asyncio.run(main())


def mounted(emu: Emulator, exchange: Exchange) -> Any:
    """``exchange`` against ``emu.app`` mounted at ``PREFIX`` of a Starlette app, its
    client given the prefix in its base URL."""
    return through(Starlette(routes=[Mount(PREFIX, app=emu.app)]), HOST + PREFIX, exchange)


def at_root(emu: Emulator, exchange: Exchange) -> Any:
    return through(emu.app, HOST, exchange)


def journaled(emu: Emulator, **filters: Any) -> list[tuple[str | None, str | None, str]]:
    return [(e["provider"], e["endpoint"], e["path"]) for e in emu.requests(**filters)]


def test_each_providers_requests_are_journaled_with_their_provider_and_endpoint(
    emu: Emulator,
) -> None:
    async def send(client: httpx.AsyncClient, base: str) -> list[dict[str, Any]]:
        token = await client.post(
            "/restapi/oauth/token",
            auth=("client-id", "client-secret"),
            data={"grant_type": "password", "username": "u", "password": "p"},
        )
        rc = await client.post(
            RC_BATCHES,
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            json={"from": "+16505550100", "text": "hi", "messages": [{"to": ["+14155550101"]}]},
        )
        assert rc.status_code == 201, rc.text
        item = {"partnerID": "1", "apikey": "k", "pass_type": "plain", "shortcode": "SHOP"}
        smslist = [{**item, "message": "hi", "clientsmsid": 1, "mobile": "254712345601"}]
        sendbulk = await client.post(
            "/api/services/sendbulk", json={"count": 1, "smslist": smslist}
        )
        assert sendbulk.json()["responses"][0]["response-code"] == 200, sendbulk.text
        fd = await client.post(
            FD_BATCH,
            headers={**FD_AUTH, "Accept": "application/json"},
            json={"Messages": [{"From": "+61499009990", "To": "+61488023501", "Text": "hi"}]},
        )
        assert fd.status_code == 200, fd.text
        listed = await client.get("/_emulator/requests", params={"provider": "sendbulk"})
        return listed.json()["requests"]

    listed = mounted(emu, send)
    assert [(e["endpoint"], e["path"]) for e in listed] == [
        ("sendbulk", "/sms/api/services/sendbulk")
    ]
    assert journaled(emu) == [
        ("ringcentral", "token", "/sms/restapi/oauth/token"),
        ("ringcentral", "create_batch", PREFIX + RC_BATCHES),
        ("sendbulk", "sendbulk", "/sms/api/services/sendbulk"),
        ("fonedynamics", "send_batch", PREFIX + FD_BATCH),
    ]
    assert journaled(emu, provider="fonedynamics") == [
        ("fonedynamics", "send_batch", PREFIX + FD_BATCH)
    ]


def test_the_inspectors_provider_filter_finds_the_providers_requests(emu: Emulator) -> None:
    async def send(client: httpx.AsyncClient, base: str) -> httpx.Response:
        await client.get("/api/services/getbalance/", params={"partnerID": "1", "apikey": "k"})
        await client.get("/v2/nope")
        return await client.get("/_emulator/ui/requests", params={"provider": "sendbulk"})

    page = mounted(emu, send)
    assert page.status_code == 200
    assert "/sms/api/services/getbalance/" in page.text
    assert "/sms/v2/nope" not in page.text


@pytest.mark.parametrize(
    "path",
    ["/_emulator/health", "/_emulator", "/_emulator/", "/_emulator/requests", "/_emulator/ui"],
)
def test_the_admin_api_is_not_journaled(emu: Emulator, path: str) -> None:
    async def call(client: httpx.AsyncClient, base: str) -> httpx.Response:
        return await client.get(base + path)

    assert mounted(emu, call).status_code == 200
    assert emu.requests() == []


@pytest.mark.parametrize("path", ["/_emulator", "/_emulator/", "//_emulator//"])
def test_the_admin_index_answers_without_a_slash_too_and_lists_paths_under_the_prefix(
    emu: Emulator, path: str
) -> None:
    """As at the root, ``/_emulator`` is the index itself, not a redirect to it."""

    async def call(client: httpx.AsyncClient, base: str) -> httpx.Response:
        return await client.get(base + path)

    response = mounted(emu, call)
    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.json()["admin"]["health"] == "/sms/_emulator/health"


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/nope/",
        "//nope",
        "/V2x/y",
        "/restapix/v1.0",
        "/_emulatorx",
        "/v2",  # a bare provider prefix: that provider's own 404
        "/V2",
        "//api/services",
        "/restapi/",
        "/_emulator/nope",  # the admin API's own 404
    ],
)
def test_a_404_is_the_one_given_at_the_root(emu: Emulator, path: str) -> None:
    async def call(client: httpx.AsyncClient, base: str) -> httpx.Response:
        return await client.post(base + path, json={"a": 1})

    inside = mounted(emu, call)
    journaled_inside = journaled(emu)
    emu.reset()
    root = at_root(emu, call)
    assert inside.status_code == root.status_code == 404
    assert inside.headers["content-type"] == root.headers["content-type"]
    # the admin API's points to its index, which is under the prefix
    see = {"see": "/sms/_emulator/"} if "see" in root.json() else {}
    assert inside.json() == root.json() | see
    assert journaled_inside == [(p, e, PREFIX + sent) for p, e, sent in journaled(emu)]


def test_the_emulators_own_404_names_the_path_inside_the_prefix(emu: Emulator) -> None:
    async def call(client: httpx.AsyncClient, base: str) -> httpx.Response:
        return await client.get("/nope/")

    assert mounted(emu, call).json() == {
        "error": "not_found",
        "message": "No emulated API at /nope",
    }
    assert journaled(emu) == [(None, None, "/sms/nope/")]


@pytest.mark.parametrize(
    ("path", "provider", "endpoint"),
    [
        ("//api/services/getbalance/", "sendbulk", "getbalance"),
        ("/API/services/getbalance", None, None),  # only Fone Dynamics' mount ignores case
        (f"/V2/Properties/{FD_PROPERTY}/Messages", "fonedynamics", "list_messages"),
        (f"/v2//properties/{FD_PROPERTY}/messages/", "fonedynamics", "list_messages"),
        ("/restapi//v1.0/account/~/a2p-sms/batches/", "ringcentral", "list_batches"),
    ],
)
def test_paths_are_normalised_inside_the_prefix_as_at_the_root(
    emu: Emulator, path: str, provider: str | None, endpoint: str | None
) -> None:
    async def call(client: httpx.AsyncClient, base: str) -> httpx.Response:
        url = base + path
        return await client.get(url, params={"partnerID": "1", "apikey": "k"}, headers=FD_AUTH)

    inside = mounted(emu, call)
    assert journaled(emu) == [(provider, endpoint, PREFIX + path)]
    emu.reset()
    root = at_root(emu, call)
    assert journaled(emu) == [(provider, endpoint, path)]
    assert (inside.status_code, inside.json()) == (root.status_code, root.json())
