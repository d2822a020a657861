"""The sendbulk example client (requests): in-process, live server, and with Hypothesis."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.core.segments import count_segments
from emulator.testing.invariants import check_recipients_accounted
from emulator.testing.requests_adapter import mount_emulator
from emulator.testing.strategies import kenyan_msisdns, sms_texts

from .sendbulk_client import GatewayError, SendbulkSms


def in_process_client(emu, **kwargs) -> SendbulkSms:
    session = mount_emulator(requests.Session(), emu)  # requests, routed in-process
    return SendbulkSms("1234", "key", "SHOP", session=session, **kwargs)


# 1. in-process fixture (requests through an adapter: no sockets)
def test_bulk_send_is_charged_and_delivered(sms_emulator) -> None:
    client = in_process_client(sms_emulator)
    before = client.balance()
    outcomes = client.send_bulk([("0712345678", "Hello"), ("0712", "Hi"), ("254733123456", "Yo")])
    assert [o.code for o in outcomes] == [200, 1003, 200]
    assert client.balance() == before - 2
    assert client.delivery(outcomes[0].message_id) == "Scheduled"
    sms_emulator.advance("1m")
    assert client.delivery(outcomes[0].message_id) == "DeliveredToTerminal"


@pytest.mark.sms_scenario(
    {"accounts": {"sendbulk": [{"partnerID": "1234", "apikey": "right", "shortcodes": ["SHOP"]}]}}
)
def test_wrong_credentials_are_refused_as_a_whole(sms_emulator) -> None:
    session = mount_emulator(requests.Session(), sms_emulator)
    client = SendbulkSms("1234", "wrong", "SHOP", session=session)
    with pytest.raises(GatewayError) as error:
        client.send_bulk([("0712345678", "Hello")])
    assert error.value.code == 1006


# 2. live server: the client as it runs in production, only the base URL changes
def test_against_a_live_server(sms_emulator_server) -> None:
    client = SendbulkSms("1234", "key", "SHOP", base_url=sms_emulator_server.url)
    (outcome,) = client.send_bulk([("254712345678", "Your code is 5521")])
    assert outcome.code == 200
    assert sms_emulator_server.last_code("0712345678") == "5521"


# 3. Hypothesis
@settings(max_examples=25, deadline=None)
@given(
    messages=st.lists(
        st.tuples(st.one_of(kenyan_msisdns(), st.just("07123")), sms_texts()),
        min_size=1,
        max_size=6,
    )
)
def test_every_row_is_accounted_and_charged(messages: list[tuple[str, str]]) -> None:
    emu = Emulator()
    client = in_process_client(emu)
    before = client.balance()
    outcomes = client.send_bulk(messages)
    check_recipients_accounted(
        [m for m, _ in messages],
        [o.mobile for o in outcomes if o.code == 200],
        [(i, o.mobile) for i, o in enumerate(outcomes, 1) if o.code != 200],
    )
    sent = zip(messages, outcomes, strict=True)
    charged = sum(count_segments(text) for (_, text), o in sent if o.code == 200)
    assert before - client.balance() == charged
