"""The RingCentral example client, tested in-process, against a live server, and with Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.testing.invariants import check_emulator_state, check_recipients_accounted
from emulator.testing.strategies import e164_numbers, invalid_e164_numbers, sms_texts

from .ringcentral_client import RingCentralError, RingCentralSms

SENDER = "+16505550100"


def make_client(sms_emulator_or_server) -> RingCentralSms:
    http = sms_emulator_or_server.client()  # in-process httpx, or a real socket client
    return RingCentralSms("unused", "client-id", "client-secret", "any-jwt", http=http)


# 1. in-process fixture: no sockets, virtual clock
def test_batch_is_delivered_and_bad_numbers_rejected(sms_emulator) -> None:
    client = make_client(sms_emulator)
    result = client.send_batch(SENDER, ["+14155550100", "+4088070206", "+14155550101"], "Hi")

    assert result.accepted == 2
    assert result.rejected == [(2, "+4088070206", "SMS-RC-410")]  # 1-based index
    assert client.batch_status(result.id) == "Processing"

    sms_emulator.advance("1m")
    assert client.batch_status(result.id) == "Completed"
    assert client.delivery_report(result.id) == {
        "+14155550100": "Delivered",
        "+14155550101": "Delivered",
    }
    assert [m["to"] for m in sms_emulator.sent_messages()] == ["+14155550100", "+14155550101"]


def test_token_expiry_is_handled_by_logging_in_again(sms_emulator) -> None:
    client = make_client(sms_emulator)
    first = client.send_batch(SENDER, ["+14155550100"], "one")
    sms_emulator.advance("2h")  # the access token (1 h) has expired
    second = client.send_batch(SENDER, ["+14155550100"], "two")
    assert first.id != second.id
    assert client.batch_status(second.id) == "Processing"


# 2. live server: the same client over a real socket, with a scenario
@pytest.mark.sms_scenario(
    {"rules": [{"when": {"to": "+1500555*"}, "outcome": "undeliverable"}], "seed": 1}
)
def test_carrier_failures_show_in_the_report(sms_emulator_server) -> None:
    client = make_client(sms_emulator_server)
    result = client.send_batch(SENDER, ["+14155550100", "+15005550006"], "Your order shipped")
    sms_emulator_server.advance("1m")
    assert client.delivery_report(result.id) == {
        "+14155550100": "Delivered",
        "+15005550006": "DeliveryFailed",
    }
    assert sms_emulator_server.wait_for_message(to="+15005550006", status="failed", timeout=1)


@pytest.mark.sms_scenario(
    {"faults": [{"when": {"endpoint": "create_batch"}, "calls": [1], "respond": {"status": 503}}]}
)
def test_an_outage_reaches_the_caller_as_an_error(sms_emulator_server) -> None:
    client = make_client(sms_emulator_server)
    with pytest.raises(RingCentralError) as error:
        client.send_batch(SENDER, ["+14155550100"], "hello")
    assert error.value.status == 503
    assert client.send_batch(SENDER, ["+14155550100"], "hello").accepted == 1  # 2nd call works


# 3. Hypothesis: any mix of good and bad recipients and any text
@settings(max_examples=25, deadline=None)
@given(
    recipients=st.lists(st.one_of(e164_numbers(), invalid_e164_numbers()), min_size=1, max_size=8),
    text=sms_texts(),
)
def test_every_recipient_is_accepted_or_rejected(recipients: list[str], text: str) -> None:
    emu = Emulator()  # fresh per example: cheap, and no state leaks between examples
    client = RingCentralSms("unused", "id", "secret", "jwt", http=emu.client())
    result = client.send_batch(SENDER, recipients, text)
    emu.advance("1m")
    delivered = [m["to"][0] for m in client.messages(result.id)]
    check_recipients_accounted(recipients, delivered, [(i, to) for i, to, _ in result.rejected])
    check_emulator_state(emu)
