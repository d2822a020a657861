"""GET messages, messages/{id} and statuses: fields, lifecycle, outcomes, filters."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from emulator import Emulator

from .conftest import A2P, RC, SENDER, check_schema

CARRIER = {
    "rules": [
        {"when": {"to": "*01"}, "outcome": "undeliverable"},
        {"when": {"to": "*02"}, "outcome": "send_failed"},
        {"when": {"to": "*03"}, "outcome": "no_receipt"},
        {"when": {"to": "*04"}, "outcome": "undeliverable", "error_code": "SMS-CAR-432"},
    ]
}


def test_message_moves_queued_sent_delivered(rc: RC) -> None:
    rc.send(["+14155550100"])
    (queued,) = rc.messages()
    assert queued["messageStatus"] == "Queued"
    rc.emu.advance("2s")  # dispatched at the end of processing; sent 1 s later
    assert rc.messages()[0]["messageStatus"] == "Queued"
    rc.emu.advance("1s")
    sent = rc.messages()[0]
    assert sent["messageStatus"] == "Sent"
    assert sent["lastModifiedTime"] == "2026-01-01T00:00:03.000000Z"
    rc.emu.advance("5s")
    delivered = rc.messages()[0]
    assert delivered["messageStatus"] == "Delivered"
    assert delivered["lastModifiedTime"] == "2026-01-01T00:00:08.000000Z"


def test_list_record_fields_and_types(rc: RC) -> None:
    batch = rc.send(["+14155550100"], text="Hello Team")
    rc.emu.advance("10s")
    response = rc.get("/messages")
    assert response.status_code == 200
    body = response.json()
    check_schema("MessageListResponse", body)
    (record,) = body["records"]
    assert isinstance(record["id"], int)
    assert record["batchId"] == batch["id"]
    assert record["from"] == SENDER
    assert record["to"] == ["+14155550100"]
    assert record["direction"] == "Outbound"
    assert record["segmentCount"] == 1
    assert record["cost"] == 0.007
    assert "text" not in record
    assert "errorCode" not in record
    detailed = rc.messages(view="Detailed")[0]
    assert detailed["text"] == "Hello Team"


def test_single_message_has_string_id_and_text(rc: RC) -> None:
    rc.send(["+14155550100"], text="Hello Team")
    record = rc.messages()[0]
    response = rc.get(f"/messages/{record['id']}")
    assert response.status_code == 200
    body = response.json()
    check_schema("MessageDetailsResponse", body)
    assert body["id"] == str(record["id"])
    assert body["text"] == "Hello Team"
    assert "createdAt" not in body and "creationTime" in body


def test_unknown_message_is_404(rc: RC) -> None:
    response = rc.get("/messages/999")
    assert response.status_code == 404
    assert response.json()["errors"][0]["parameterName"] == "messageId"
    assert response.json()["errorCode"] == "CMN-102"


@pytest.mark.sms_scenario(CARRIER)
def test_outcomes_map_to_ringcentral_statuses_and_codes(rc: RC) -> None:
    numbers = ["+14155550100", "+14155550101", "+14155550102", "+14155550103", "+14155550104"]
    rc.send(numbers)
    rc.emu.advance("1m")
    records = {r["to"][0]: r for r in rc.messages()}
    for record in records.values():
        check_schema("MessageListMessageResponse", record)
    assert records["+14155550100"]["messageStatus"] == "Delivered"
    failed = records["+14155550101"]
    assert (failed["messageStatus"], failed["errorCode"]) == ("DeliveryFailed", "SMS-CAR-104")
    assert failed["cost"] == 0.007 and failed["segmentCount"] == 1
    sending = records["+14155550102"]
    assert (sending["messageStatus"], sending["errorCode"]) == ("SendingFailed", "SMS-UP-500")
    assert "cost" not in sending and "segmentCount" not in sending
    assert records["+14155550103"]["messageStatus"] == "Sent"
    assert records["+14155550104"]["errorCode"] == "SMS-CAR-432"
    neutral = {m["to"]: m for m in rc.emu.messages()}
    assert neutral["+14155550101"]["provider_status"] == "DeliveryFailed"
    assert neutral["+14155550101"]["error_code"] == "SMS-CAR-104"


@pytest.mark.sms_scenario(CARRIER)
def test_statuses_aggregate(rc: RC) -> None:
    numbers = ["+14155550100", "+14155550101", "+14155550102", "+14155550103", "+14155550104"]
    batch = rc.send(numbers)
    queued = rc.get("/statuses", params={"batchId": batch["id"]}).json()
    assert queued["queued"] == {"count": 5, "cost": 0.035}
    rc.emu.advance("1m")
    response = rc.get("/statuses", params={"batchId": batch["id"]})
    assert response.status_code == 200
    body = response.json()
    check_schema("MessageStatusesResponse", body)
    # in the order of the guide's sample answer and of the spec's MessageStatusesResponse
    assert list(body) == ["queued", "delivered", "deliveryFailed", "sent", "sendingFailed"]
    assert [list(counts) for counts in body.values()] == [["count", "cost"]] * 2 + [
        ["count", "cost", "errorCodeCounts"],
        ["count", "cost"],
        ["count", "cost", "errorCodeCounts"],
    ]
    assert body["queued"] == {"count": 0, "cost": 0.0}
    assert body["sent"] == {"count": 1, "cost": 0.007}
    assert body["delivered"] == {"count": 1, "cost": 0.007}
    assert body["deliveryFailed"] == {
        "count": 2,
        "cost": 0.014,
        "errorCodeCounts": {"SMS-CAR-104": 1, "SMS-CAR-432": 1},
    }
    assert body["sendingFailed"] == {
        "count": 1,
        "cost": 0.0,
        "errorCodeCounts": {"SMS-UP-500": 1},
    }
    assert "errorCodeCounts" not in body["delivered"]


def test_statuses_for_unknown_batch_is_404(rc: RC) -> None:
    response = rc.get("/statuses", params={"batchId": "nope"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["parameterName"] == "batchId"


def test_phone_number_filter_tolerates_raw_plus_and_missing_plus(rc: RC) -> None:
    rc.send(["+14155550100", "+12125550100"])
    raw = rc.http.get(A2P + "/messages?phoneNumber=+14155550100", headers=rc.headers)
    assert [r["to"] for r in raw.json()["records"]] == [["+14155550100"]]
    bare = rc.messages(phoneNumber="12125550100")
    assert [r["to"] for r in bare] == [["+12125550100"]]
    both = rc.get("/messages", params=[("phoneNumber", "+14155550100"), ("phoneNumber", SENDER)])
    assert len(both.json()["records"]) == 2
    fifteen = [("phoneNumber", f"+1415555{i:04d}") for i in range(100, 115)]  # the most
    assert len(rc.get("/messages", params=fifteen).json()["records"]) == 1
    too_many = [("phoneNumber", f"+1415555{i:04d}") for i in range(16)]
    refused = rc.get("/messages", params=too_many)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["parameterName"] == "phoneNumber"


def test_an_inbound_message_costs_per_segment_as_an_outbound_one(rc: RC) -> None:
    """RingCentral's inbound message event shows ``"cost": 0.007`` for one segment."""
    rc.emu.inbound("ringcentral", "+14155550100", SENDER, "x" * 200)  # two segments
    [record] = rc.messages(direction="Inbound")
    assert (record["segmentCount"], record["cost"]) == (2, 0.014)
    statuses = rc.get("/statuses", params={"direction": "Inbound"}).json()
    assert statuses["delivered"] == {"count": 1, "cost": 0.014}


def test_direction_and_batch_filters(rc: RC) -> None:
    batch = rc.send(["+14155550100"])
    rc.send(["+12125550100"])
    rc.emu.inbound("ringcentral", "+14155550100", SENDER, "Thanks!")
    inbound = rc.messages(direction="Inbound")
    assert [(r["direction"], r["from"]) for r in inbound] == [("Inbound", "+14155550100")]
    assert inbound[0]["messageStatus"] == "Delivered"
    assert "batchId" not in inbound[0]
    assert len(rc.messages(direction="Outbound")) == 2
    assert len(rc.messages()) == 3
    both = rc.get("/messages", params=[("direction", "Inbound"), ("direction", "Outbound")])
    assert len(both.json()["records"]) == 3  # repeated: either direction
    assert [r["to"] for r in rc.messages(batchId=batch["id"])] == [["+14155550100"]]
    bad = rc.get("/messages", params={"direction": "Sideways"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("sender", "to", "field"),
    [
        ("garbage", SENDER, "from"),
        ("", SENDER, "from"),
        ("+1415555010", SENDER, "from"),  # a US number one digit short
        ("+14155550100", "", "to"),
        ("+14155550100", "+4088070206", "to"),
        ("", "", "from"),
    ],
)
def test_admin_inbound_refuses_what_is_not_a_phone_number(
    rc: RC, sender: str, to: str, field: str
) -> None:
    body = {"provider": "ringcentral", "from": sender, "to": to, "text": "STOP"}
    response = rc.http.post("/_emulator/inbound", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    error = response.json()
    assert list(error) == ["error"]
    assert error["error"].startswith(f"ringcentral: {field!r} must be an E.164 number")
    assert rc.http.get("/_emulator/messages").json() == {"messages": []}
    assert rc.get("/opt-outs", params={"status": "all"}).json()["records"] == []


def test_admin_inbound_takes_numbers_without_plus(rc: RC) -> None:
    body = {"provider": "ringcentral", "from": "14155550100", "to": "16505550100", "text": "x"}
    response = rc.http.post("/_emulator/inbound", json=body)
    assert response.status_code == 201, response.text
    message = response.json()["message"]
    assert (message["from"], message["to"]) == ("+14155550100", SENDER)


def test_inbound_to_a_number_no_declared_account_has_is_refused() -> None:
    """When every declared account lists its numbers, a reply to another number reached
    no one (it was filed under the first account, opting out there); an account that
    lists none sends from any number, so it takes replies to any."""
    listing = {"accounts": {"ringcentral": [{"account_id": "1", "numbers": [SENDER]}]}}
    with Emulator(listing) as emu:
        with pytest.raises(ValueError, match=r"'to' \+18885550123 is no number of a declared"):
            emu.inbound("ringcentral", "+14155550100", "+18885550123", "STOP")
        assert emu.messages() == []
        assert emu.inbound("ringcentral", "+14155550100", SENDER, "hi")["tenant"] == "1"
    both = {"accounts": {"ringcentral": [*listing["accounts"]["ringcentral"], {"account_id": "2"}]}}
    with Emulator(both) as emu:
        reply = emu.inbound("ringcentral", "+14155550100", "+18885550123", "hi")
        assert reply["tenant"] == "2"
    # an account is one, whichever of its entries (apps) lists the numbers
    apps = [*listing["accounts"]["ringcentral"], {"account_id": "1", "client_id": "other-app"}]
    with (
        Emulator({"accounts": {"ringcentral": apps}}) as emu,
        pytest.raises(ValueError, match="is no number of a declared account"),
    ):
        emu.inbound("ringcentral", "+14155550100", "+18885550123", "hi")


def test_date_window_defaults_to_the_last_24_hours(rc: RC) -> None:
    batch = rc.send(["+14155550100"])
    rc.emu.advance("25h")
    rc.relogin()
    assert rc.messages() == []
    assert len(rc.messages(batchId=batch["id"])) == 1  # a batch id lifts the default window
    statuses = rc.get("/statuses", params={"batchId": batch["id"]}).json()
    assert statuses["delivered"]["count"] == 1  # for the statuses of that batch too
    spaced = rc.http.get(
        A2P + "/messages?dateFrom=2025-12-31T00:00:00.000+00:00", headers=rc.headers
    )
    assert len(spaced.json()["records"]) == 1
    assert len(rc.messages(dateFrom="2025-12-31T00:00:00Z", dateTo="2026-01-01T00:00:00Z")) == 0
    bad = rc.get("/messages", params={"dateFrom": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["parameterName"] == "dateFrom"


def test_a_date_without_an_offset_is_utc_whatever_the_machine_s_time_zone(
    rc: RC, monkeypatch: pytest.MonkeyPatch
) -> None:
    rc.send(["+14155550100"])  # at 2026-01-01T00:00:00Z
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        window = {"dateFrom": "2025-12-31T23:00:00", "dateTo": "2026-01-01T01:00:00"}
        assert len(rc.messages(**window)) == 1
        later = {"dateFrom": "2026-01-01T00:00:01", "dateTo": "2026-01-01T01:00:00"}
        assert rc.messages(**later) == []
    finally:
        monkeypatch.undo()
        time.tzset()


def test_date_from_defaults_to_24_hours_before_the_date_to_given(rc: RC) -> None:
    """The guide: ``dateFrom`` defaults to "dateTo minus 24 hours", not to now minus 24
    hours: a ``dateTo`` alone reads the day before it."""
    early = rc.send(["+14155550100"])
    rc.emu.advance("25h")
    rc.relogin()
    late = rc.send(["+14155550101"])
    until = "2026-01-01T01:00:00Z"  # an hour after the first batch, a day before the second
    assert early["creationTime"] < until < late["creationTime"]
    assert [m["batchId"] for m in rc.messages(dateTo=until)] == [early["id"]]
    batches = rc.get("/batches", params={"dateTo": until}).json()["records"]
    assert [b["id"] for b in batches] == [early["id"]]
    statuses = rc.get("/statuses", params={"dateTo": until}).json()
    assert statuses["delivered"]["count"] == 1


def test_date_filters_meet_the_creation_time_a_client_was_shown(rc: RC) -> None:
    """``dateFrom`` = a record's ``creationTime`` includes it and ``dateTo`` excludes it,
    however the clock got there (a client polling from the last time it saw)."""
    for _ in range(12):
        rc.emu.advance("100ms")
        batch = rc.send(["+14155550100"])
        shown = batch["creationTime"]
        since = rc.messages(batchId=batch["id"], dateFrom=shown)
        assert [m["creationTime"] for m in since] == [shown]
        assert rc.messages(batchId=batch["id"], dateTo=shown) == []
        batches = rc.get("/batches", params={"dateFrom": shown}).json()["records"]
        assert batch["id"] in [b["id"] for b in batches]
    assert shown.endswith("01.200000Z")  # twelve advances of 100 ms: exactly 1.2 s


def test_a_raw_plus_in_a_date_offset_is_still_a_plus(rc: RC) -> None:
    """The Python SDK sends query values unencoded: the ``+`` of ``+02:00`` arrives as a
    space, and the time is still two hours ahead of UTC, not behind."""
    batch = rc.send(["+14155550100"])
    shown = datetime.fromisoformat(batch["creationTime"].replace("Z", "+00:00"))
    local = shown.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert "+02:00" in local
    since = rc.http.get(f"{A2P}/messages?dateFrom={local}", headers=rc.headers)
    assert [m["creationTime"] for m in since.json()["records"]] == [batch["creationTime"]]
    until = rc.http.get(f"{A2P}/messages?dateTo={local}", headers=rc.headers)
    assert until.json()["records"] == []


@pytest.mark.parametrize(("name", "value"), [("view", "Full"), ("perPage", "0"), ("perPage", "x")])
def test_bad_query_values_are_cmn_101(rc: RC, name: str, value: str) -> None:
    response = rc.get("/messages", params={name: value})
    assert response.status_code == 400
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errors"][0]["parameterName"] == name


def test_ucs2_segments(rc: RC) -> None:
    rc.send(["+14155550100"], text="😀" * 36)  # 72 UTF-16 units: two UCS-2 segments
    assert rc.messages()[0]["segmentCount"] == 2


@pytest.mark.parametrize(
    ("path", "name"),
    [("/messages", "phoneNumber"), ("/batches", "from"), ("/opt-outs", "to")],
)
@pytest.mark.parametrize("value", ["garbage", "+1415", "%FF", "\x00"])
def test_a_number_filter_that_is_no_number_is_400_not_an_empty_list(
    rc: RC, path: str, name: str, value: str
) -> None:
    """The spec's number filters are E.164 numbers: one that is not (a typo, a variable
    never filled in) names itself in 400 CMN-101, as it was sent, rather than matching
    nothing and passing for "no messages"."""
    rc.send(["+14155550100"])
    # encoded here: httpx before 0.28 sends a "%" in params= as it is, not as %25
    response = rc.get(f"{path}?{urlencode({name: value})}")
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", name)
    assert error["parameterValue"] == value
