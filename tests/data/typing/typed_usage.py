"""A user's test module, typed: ``tests/test_typed.py`` checks it with ``mypy --strict``
against the package as installed (through its ``py.typed``), as a user's mypy would."""

from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type

import httpx
import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

from emulator import Emulator, __version__
from emulator.testing.helpers import InProcessEmulator
from emulator.testing.invariants import check_pages, check_recipients_accounted
from emulator.testing.remote import RemoteEmulator, RemoteEmulatorRefusal
from emulator.testing.server import LiveServer
from emulator.testing.strategies import (
    BatchBody,
    InvalidBody,
    e164_numbers,
    ringcentral_batch_bodies,
    scenarios,
    sms_texts,
)


def send(client: httpx.Client, to: str, text: str) -> httpx.Response:
    return client.post(
        "/v2/Properties/PROP1/Messages",
        json={"To": to, "From": "+61400000000", "Text": text},
        auth=("ACCOUNT", "TOKEN"),
    )


@pytest.mark.sms_scenario("happy-path")
def test_in_process(sms_emulator: InProcessEmulator) -> None:
    with sms_emulator.client() as client:
        send(client, "+61412345678", "Your code is 482913")
    moved: datetime = sms_emulator.advance("30s")
    sms_emulator.advance(seconds=30)
    stamp: float = sms_emulator.time()
    records: list[dict[str, Any]] = sms_emulator.messages(
        provider="fonedynamics", to="+61412345678"
    )
    sent: list[dict[str, Any]] = sms_emulator.sent_messages("+61412345678", contains="code")
    code: str = sms_emulator.last_code("+61412345678")
    newest: dict[str, Any] = sms_emulator.last_message("+61412345678")
    reply: dict[str, Any] = sms_emulator.inbound(
        "fonedynamics", "+61412345678", "+61400000000", "hi"
    )
    journal: list[dict[str, Any]] = sms_emulator.requests()
    report = sms_emulator.webhook_report(after=0)
    sms_emulator.load_scenario("invalid-numbers")
    sms_emulator.load_scenario({"rules": []}, temporary=True)
    sms_emulator.reset()
    assert [moved, sms_emulator.now, stamp, records, sent, code, newest, reply, journal, report]


async def test_async(sms_emulator: InProcessEmulator) -> None:
    async with sms_emulator.async_client() as client:
        await client.get("/_emulator/health")
    when: datetime = await sms_emulator.advance_async("1m")
    assert when


def test_live(sms_emulator_server: LiveServer) -> None:
    url: str = sms_emulator_server.url
    with sms_emulator_server.client() as client:
        send(client, "+61412345678", "hello")
    sms_emulator_server.advance("1m")
    found: dict[str, Any] = sms_emulator_server.wait_for_message("+61412345678", timeout=1.0)
    numbers: list[dict[str, Any]] = sms_emulator_server.messages(to="+61412345678")
    assert [url, found, numbers]


def test_either_server(make_sms_emulator_server: LiveServer | RemoteEmulator) -> None:
    server = make_sms_emulator_server
    server.reset()
    if isinstance(server, RemoteEmulator):
        try:
            server.load_scenario("no-such-scenario")
        except RemoteEmulatorRefusal as refusal:
            problem: ValueError = refusal
            assert problem


def test_own_emulator() -> None:
    with LiveServer(Emulator(seed=7)) as server:
        assert server.url.startswith("http://")
    emu = InProcessEmulator("invalid-numbers")
    emu.close()
    assert __version__


@settings(max_examples=5, deadline=None)
@given(
    to=e164_numbers(country_codes=["1", "44"]), text=sms_texts(), body=ringcentral_batch_bodies()
)
def test_strategies(to: str, text: str, body: BatchBody) -> None:
    codes: tuple[str | int | None, ...] = body.item_codes
    check_recipients_accounted([to], [to], [])
    check_pages([[{"id": 1}]], expected=1)
    assert [text, codes]


@given(invalid=ringcentral_batch_bodies(valid=False), document=scenarios(max_rules=2))
def test_invalid(invalid: InvalidBody, document: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = invalid.request_kwargs({"Authorization": "Bearer x"})
    status: int = invalid.status
    assert [kwargs, status, document]


def test_types_are_not_any(sms_emulator: InProcessEmulator, server: LiveServer) -> None:
    # Precise where a mistake would otherwise pass unseen (a misspelt option is an error).
    assert_type(e164_numbers(country_codes=["1"]), SearchStrategy[str])
    assert_type(sms_texts(), SearchStrategy[str])
    assert_type(ringcentral_batch_bodies(max_messages=3), SearchStrategy[Any])
    assert_type(sms_emulator.messages(status="sent"), list[dict[str, Any]])
    assert_type(server.messages(status="sent"), list[dict[str, Any]])
    assert_type(server.advance("1m"), datetime)
    assert_type(server.url, str)
