"""The Fone Dynamics example client: in-process, against a live server, and with Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.testing.invariants import check_recipients_accounted
from emulator.testing.strategies import e164_numbers, invalid_e164_numbers

from .fonedynamics_client import FoneDynamicsError, FoneDynamicsSms

PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"


def make_client(sms_emulator_or_server) -> FoneDynamicsSms:
    return FoneDynamicsSms(
        "AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS", "token", PROPERTY, http=sms_emulator_or_server.client()
    )


# 1. in-process fixture
def test_the_code_the_user_receives_is_the_one_the_app_sent(sms_emulator) -> None:
    client = make_client(sms_emulator)
    code = client.send_code("+61412345678")
    assert sms_emulator.last_code("+61412345678") == code


def test_status_moves_to_delivered(sms_emulator) -> None:
    client = make_client(sms_emulator)
    sid = client.send("+61412345678", "Hello", sender="+61400000000")
    assert client.status(sid) == "Processing"
    sms_emulator.advance("1m")
    assert client.status(sid) == "Delivered"


def test_a_bad_number_is_refused_with_the_providers_code(sms_emulator) -> None:
    client = make_client(sms_emulator)
    with pytest.raises(FoneDynamicsError) as error:
        client.send("0412345678", "Hello", sender="+61400000000")
    assert (error.value.status, error.value.code) == (400, "INVALID_PHONENUMBER_FORMAT")
    assert sms_emulator.sent_messages() == []


# 2. live server, with the shipped invalid-numbers scenario
@pytest.mark.sms_scenario("invalid-numbers")
def test_batch_results_line_up_with_the_input(sms_emulator_server) -> None:
    client = make_client(sms_emulator_server)
    results = client.send_many(
        [("+61412345678", "a"), ("+61412345000", "b"), ("+61412345679", "c")],
        sender="+61400000000",
    )
    assert [r.error for r in results] == [None, "INVALID_PHONENUMBER_FORMAT", None]
    assert results[1].sid is None
    assert [r.to for r in results if r.sid] == ["+61412345678", "+61412345679"]
    assert len(sms_emulator_server.sent_messages(status="queued")) == 2


# 3. Hypothesis
@settings(max_examples=25, deadline=None)
@given(
    recipients=st.lists(
        st.one_of(e164_numbers(country_codes=["61", "64"]), invalid_e164_numbers()),
        min_size=1,
        max_size=6,
    )
)
def test_every_message_gets_a_sid_or_an_error(recipients: list[str]) -> None:
    emu = Emulator()
    client = FoneDynamicsSms("AC1", "token", PROPERTY, http=emu.client())
    results = client.send_many([(to, "Hi") for to in recipients], sender="+61400000000")
    assert all((r.sid is None) != (r.error is None) for r in results)
    check_recipients_accounted(
        recipients,
        [m["to"] for m in emu.messages(provider="fonedynamics", status="queued")],
        [(i, r.to) for i, r in enumerate(results, 1) if r.sid is None],
    )
