"""Status Processing → Submitted → Delivered | Failed on the emulator clock; Schedule."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator

from .conftest import MESSAGES

TO = "+61488023555"


def send(client: httpx.Client, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {"From": "MyShop", "To": TO, "Text": "hello"}
    body.update(fields)
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 200, response.text
    return response.json()["Message"]


def fetch(client: httpx.Client, sid: object) -> dict[str, object]:
    response = client.get(f"/v2/Messages/{sid}")
    assert response.status_code == 200, response.text
    return response.json()["Message"]


def test_delivered_timeline(emu: Emulator, client: httpx.Client) -> None:
    sent = send(client, Text="x" * 200)  # two GSM-7 segments
    created = sent["Created"]
    emu.advance("1s")
    submitted = fetch(client, sent["MessageSid"])
    assert submitted["Status"] == "Submitted"
    assert submitted["Submitted"] == created + 1
    assert submitted["NumSegments"] == 2
    assert "Delivered" not in submitted
    emu.advance("5s")
    delivered = fetch(client, sent["MessageSid"])
    assert delivered["Status"] == "Delivered"
    assert delivered["Delivered"] == created + 6
    assert delivered["ErrorCode"] == ""
    assert all(isinstance(delivered[k], int) for k in ("Created", "Submitted", "Delivered"))
    assert "Scheduled" not in delivered and "Received" not in delivered


def test_created_is_the_second_the_clock_reached(emu: Emulator, client: httpx.Client) -> None:
    """Ten advances of 100 ms are a whole second: ``Created`` and the ``Date_From``
    filter on it agree with the clock, not one second early."""
    start = int(emu.time())
    for _ in range(10):
        emu.advance("100ms")
    sent = send(client)
    assert sent["Created"] == start + 1
    listed = client.get(MESSAGES, params={"Date_From": start + 1}).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [sent["MessageSid"]]


def test_ucs2_segments(emu: Emulator, client: httpx.Client) -> None:
    sent = send(client, Text="ü" * 60 + "Ж" * 20)  # 80 UCS-2 characters
    emu.advance("1s")
    assert fetch(client, sent["MessageSid"])["NumSegments"] == 2


def test_neutral_record_uses_the_fone_status_word(emu: Emulator, client: httpx.Client) -> None:
    send(client)
    emu.advance("10s")
    (record,) = emu.messages(provider="fonedynamics")
    assert (record["status"], record["provider_status"]) == ("delivered", "Delivered")


@pytest.mark.sms_scenario({"rules": [{"when": {"to": TO}, "outcome": "undeliverable"}]})
def test_undeliverable_fails_after_submission(emu: Emulator, client: httpx.Client) -> None:
    sid = send(client)["MessageSid"]
    emu.advance("1s")
    assert fetch(client, sid)["Status"] == "Submitted"
    emu.advance("5s")
    failed = fetch(client, sid)
    assert failed["Status"] == "Failed"
    assert failed["ErrorCode"] == "DELIVERY_FAILED"
    assert "Submitted" in failed and "Delivered" not in failed


@pytest.mark.sms_scenario({"rules": [{"when": {"to": TO}, "outcome": "send_failed"}]})
def test_send_failed_goes_from_processing_to_failed(emu: Emulator, client: httpx.Client) -> None:
    sid = send(client)["MessageSid"]
    emu.advance("1s")
    failed = fetch(client, sid)
    assert failed["Status"] == "Failed"
    assert failed["ErrorCode"] == "SUBMISSION_FAILED"
    assert "Submitted" not in failed
    assert failed["NumSegments"] == 1


@pytest.mark.sms_scenario(
    {"rules": [{"when": {"to": TO}, "outcome": "opted_out", "error_code": "BLOCKED"}]}
)
def test_scenario_error_code_replaces_the_message_error_code(
    emu: Emulator, client: httpx.Client
) -> None:
    sid = send(client)["MessageSid"]
    emu.advance("1m")
    assert fetch(client, sid)["ErrorCode"] == "BLOCKED"


@pytest.mark.sms_scenario({"rules": [{"when": {"to": TO}, "outcome": "no_receipt"}]})
def test_no_receipt_stays_submitted(emu: Emulator, client: httpx.Client) -> None:
    sid = send(client)["MessageSid"]
    emu.advance("1h")
    assert fetch(client, sid)["Status"] == "Submitted"


@pytest.mark.sms_scenario({"rules": [{"when": {"to": TO}, "outcome": "invalid_number"}]})
def test_scenario_invalid_number_rejects_a_single_message(
    emu: Emulator, client: httpx.Client
) -> None:
    response = client.post(MESSAGES, json={"From": "MyShop", "To": TO, "Text": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "INVALID_PHONENUMBER_FORMAT",
            "Message": "To parameter is not a valid phone number",
            "Errors": [{"FieldName": "To"}],
        }
    }


def test_without_delivery_receipt_the_outcome_is_never_learnt(
    emu: Emulator, client: httpx.Client
) -> None:
    sid = send(client, DeliveryReceipt=False)["MessageSid"]
    emu.advance("1h")
    message = fetch(client, sid)
    assert message["Status"] == "Submitted"
    assert message["DeliveryReceipt"] is False
    assert "Delivered" not in message


def test_scheduled_message_stays_processing_until_its_time(
    emu: Emulator, client: httpx.Client
) -> None:
    at = int(emu.time()) + 3600
    sent = send(client, Schedule=at)
    assert sent["Status"] == "Processing"
    assert sent["Scheduled"] == at
    assert list(sent).index("Scheduled") == list(sent).index("Created") - 1
    emu.advance("59m59s")
    waiting = fetch(client, sent["MessageSid"])
    assert waiting["Status"] == "Processing" and waiting["NumSegments"] == 0
    emu.advance("2s")
    submitted = fetch(client, sent["MessageSid"])
    assert submitted["Status"] == "Submitted"
    assert submitted["Submitted"] == at + 1
    assert submitted["Scheduled"] == at


def test_schedule_up_to_14_days_ahead_is_accepted(emu: Emulator, client: httpx.Client) -> None:
    at = int(emu.time()) + 14 * 86400
    assert send(client, Schedule=at)["Scheduled"] == at
    assert send(client, Schedule=str(at))["Scheduled"] == at


def test_schedule_beyond_14_days_fails(emu: Emulator, client: httpx.Client) -> None:
    body = {"To": TO, "Text": "x", "Schedule": int(emu.time()) + 14 * 86400 + 1}
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 400
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "INVALID_PARAMETER"
    assert status["Errors"] == [{"FieldName": "Schedule"}]


def test_schedule_less_than_an_hour_ago_sends_now(emu: Emulator, client: httpx.Client) -> None:
    at = int(emu.time()) - 3599
    sent = send(client, Schedule=at)
    assert sent["Scheduled"] == at
    emu.advance("1s")
    assert fetch(client, sent["MessageSid"])["Status"] == "Submitted"


def test_schedule_an_hour_or_more_ago_fails(emu: Emulator, client: httpx.Client) -> None:
    body = {"To": TO, "Text": "x", "Schedule": int(emu.time()) - 3600}
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["Errors"] == [{"FieldName": "Schedule"}]
    assert response.json()["ResponseStatus"]["Message"] == (
        "Schedule parameter is 1 hour or more in the past"  # exactly an hour ago too
    )
    assert emu.messages() == []


@pytest.mark.parametrize("digits", [20, 5000])
def test_schedule_as_an_overlong_digit_string_is_invalid(
    emu: Emulator, client: httpx.Client, digits: int
) -> None:
    """A number no 64-bit Schedule can hold is an INVALID_PARAMETER, never a 500."""
    body = {"To": TO, "Text": "x", "Schedule": "9" * digits}
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 400
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "INVALID_PARAMETER"
    assert status["Errors"] == [{"FieldName": "Schedule"}]
    form = client.post(MESSAGES, data={"To": TO, "Text": "x", "Schedule": "9" * digits})
    assert (form.status_code, form.json()) == (400, response.json())
    assert emu.messages() == []
