"""POST batches: the 201 body, rejected[], validation errors; GET batches and batches/{id}."""

from __future__ import annotations

import msgspec
import pytest

from emulator import Emulator

from .conftest import A2P, RC, SENDER, check_schema


def test_create_batch_body_matches_the_spec(rc: RC) -> None:
    response = rc.post(
        "/batches",
        json={
            "from": SENDER,
            "text": "Hello Team",
            "messages": [{"to": ["+14155550100"]}, {"to": ["+12125550100"]}],
        },
    )
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    check_schema("MessageBatchResponse", body)
    assert list(body) == [
        "id",
        "from",
        "batchSize",
        "processedCount",
        "status",
        "creationTime",
        "lastModifiedTime",
        "rejected",
    ]
    assert body["from"] == SENDER
    assert body["batchSize"] == 2
    assert body["processedCount"] == 0
    assert body["status"] == "Processing"
    assert body["creationTime"] == body["lastModifiedTime"] == "2026-01-01T00:00:00.000000Z"
    assert body["rejected"] == []
    assert "cost" not in body


def test_invalid_recipients_are_rejected_with_1_based_index(rc: RC) -> None:
    response = rc.post(
        "/batches",
        json={
            "from": SENDER,
            "text": "Hi",
            "messages": [
                {"to": ["+14155550100"]},
                {"to": ["+4088070206"]},
                {"to": ["12125550100"]},
                {"to": ["not-a-number"]},
            ],
        },
    )
    body = response.json()
    check_schema("MessageBatchResponse", body)
    assert body["batchSize"] == 2
    assert body["rejected"] == [
        {
            "index": 2,
            "to": ["+4088070206"],
            "errorCode": "SMS-RC-410",
            "description": "The recipient number is invalid",
        },
        {
            "index": 4,
            "to": ["not-a-number"],
            "errorCode": "SMS-RC-410",
            "description": "The recipient number is invalid",
        },
    ]
    sent_to = sorted(m["to"] for m in rc.emu.messages(provider="ringcentral"))
    assert sent_to == ["+12125550100", "+14155550100"]
    again = rc.get(f"/batches/{body['id']}").json()
    assert again["rejected"] == []


def test_spaces_around_a_recipient_are_read_as_around_the_sender(rc: RC) -> None:
    """``from`` is trimmed; so is ``to``, with or without its ``+``; inner spaces are not."""
    given = [" +14155550100 ", "\t14155550101\n", "+14155550102 ", "+1 4155550103"]
    body = rc.post(
        "/batches",
        json={"from": f" {SENDER}\n", "text": "Hi", "messages": [{"to": [n]} for n in given]},
    ).json()
    assert body["batchSize"] == 3
    assert [(r["index"], r["to"]) for r in body["rejected"]] == [(4, ["+1 4155550103"])]
    sent = sorted((m["from"], m["to"]) for m in rc.emu.messages(provider="ringcentral"))
    assert sent == [(SENDER, "+14155550100"), (SENDER, "+14155550101"), (SENDER, "+14155550102")]


@pytest.mark.parametrize(
    "to", [["+4088070206"], ["+14155550100", "+14155550101"]], ids=["invalid", "two numbers"]
)
def test_a_batch_with_every_recipient_rejected_is_created_processing(rc: RC, to: list) -> None:
    """The 201 is the batch as created, even with nothing accepted; a read completes it."""
    response = rc.post("/batches", json={"from": SENDER, "text": "Hi", "messages": [{"to": to}]})
    assert response.status_code == 201
    body = response.json()
    check_schema("MessageBatchResponse", body)
    assert (body["batchSize"], body["processedCount"], body["status"]) == (0, 0, "Processing")
    assert "cost" not in body
    assert [r["index"] for r in body["rejected"]] == [1]
    again = rc.get(f"/batches/{body['id']}").json()
    assert (again["status"], again["processedCount"], again["cost"]) == ("Completed", 0, 0.0)


@pytest.mark.sms_scenario({"timing": {"processing": "0s"}})
def test_a_batch_that_takes_no_time_is_still_created_processing(rc: RC) -> None:
    body = rc.send(["+14155550100"])
    assert (body["status"], body["processedCount"]) == ("Processing", 0)
    assert "cost" not in body
    again = rc.get(f"/batches/{body['id']}").json()
    assert (again["status"], again["processedCount"], again["cost"]) == ("Completed", 1, 0.007)


def test_more_than_one_number_in_to_is_rejected(rc: RC) -> None:
    response = rc.post(
        "/batches",
        json={"from": SENDER, "text": "x", "messages": [{"to": ["+14155550100", "+14155550101"]}]},
    )
    rejected = response.json()["rejected"]
    assert rejected[0]["index"] == 1
    assert rejected[0]["to"] == ["+14155550100", "+14155550101"]
    assert rejected[0]["errorCode"] == "CMN-101"


@pytest.mark.sms_scenario(
    {"rules": [{"when": {"to": "+15005550001"}, "outcome": "invalid_number"}]}
)
def test_scenario_invalid_number_is_rejected(rc: RC) -> None:
    body = rc.send(["+14155550100", "+15005550001"])
    assert body["batchSize"] == 1
    assert body["rejected"][0]["index"] == 2
    assert body["rejected"][0]["errorCode"] == "SMS-RC-410"


def test_batch_lifecycle_on_the_clock(rc: RC) -> None:
    numbers = [f"+1415555{i:04d}" for i in range(10)]
    batch = rc.send(numbers)
    rc.emu.advance("1s")  # half of the default 2 s processing
    middle = rc.get(f"/batches/{batch['id']}").json()
    assert middle["status"] == "Processing"
    assert 0 < middle["processedCount"] < 10
    assert "cost" not in middle
    rc.emu.advance("1s")
    done = rc.get(f"/batches/{batch['id']}")
    assert done.status_code == 200
    body = done.json()
    check_schema("MessageBatchResponse", body)
    assert body["status"] == "Completed"
    assert body["processedCount"] == body["batchSize"] == 10
    assert body["cost"] == 0.07
    assert body["lastModifiedTime"] == "2026-01-01T00:00:02.000000Z"


@pytest.mark.sms_scenario({"providers": {"ringcentral": {"cost_per_segment": 0.0119}}})
def test_cost_rate_is_configurable(rc: RC) -> None:
    batch = rc.send(["+14155550100"], text="x" * 161)  # two GSM-7 segments
    rc.emu.advance("10s")
    assert rc.get(f"/batches/{batch['id']}").json()["cost"] == 0.0238
    (record,) = rc.messages()
    assert record["segmentCount"] == 2
    assert record["cost"] == 0.0238


def test_per_message_text_overrides_the_default(rc: RC) -> None:
    response = rc.post(
        "/batches",
        json={
            "from": SENDER,
            "text": "Hello Friend",
            "messages": [
                {"to": ["+14155550100"], "text": "Hello Alice"},
                {"to": ["+16505550199"]},
            ],
        },
    )
    assert response.status_code == 201
    texts = {m["to"]: m["text"] for m in rc.emu.messages()}
    assert texts == {"+14155550100": "Hello Alice", "+16505550199": "Hello Friend"}


def test_surrogate_pair_escapes_and_raw_utf8_give_the_same_text(rc: RC) -> None:
    escaped = (
        b'{"from":"+16505550100","text":"caf\\u00e9 \\ud83d\\ude00",'
        b'"messages":[{"to":["+14155550100"]}]}'
    )
    raw = '{"from":"+16505550100","text":"café 😀","messages":[{"to":["+14155550101"]}]}'.encode()
    for body in (escaped, raw):
        response = rc.post("/batches", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 201, response.text
    first, second = rc.emu.messages()
    assert first["text"] == second["text"] == "café 😀"
    assert first["segments"] == second["segments"] == 1
    assert first["encoding"] == "UCS-2"


@pytest.mark.parametrize(
    ("body", "code", "parameter"),
    [
        ({"text": "x", "messages": [{"to": ["+14155550100"]}]}, "CMN-101", "from"),
        ({"from": SENDER, "text": "x", "messages": []}, "CMN-101", "messages"),
        ({"from": SENDER, "text": "x"}, "CMN-101", "messages"),
        ({"from": SENDER, "messages": [{"to": ["+14155550100"]}]}, "CMN-101", "text"),
        ({"from": "+1234", "text": "x", "messages": [{"to": ["+14155550100"]}]}, "CMN-101", "from"),
        ({"from": SENDER, "text": "x", "messages": [{"text": "y"}]}, "CMN-101", "messages[0].to"),
        ({"from": SENDER, "text": "x", "messages": [{"to": [5]}]}, "CMN-101", "messages[0].to[0]"),
        (
            {"from": SENDER, "text": "x" * 1001, "messages": [{"to": ["+14155550100"]}]},
            "CMN-101",
            "text",
        ),
        ({"from": 42, "text": "x", "messages": []}, "CMN-101", "from"),
    ],
)
def test_whole_request_validation_errors(rc: RC, body: dict, code: str, parameter: str) -> None:
    response = rc.post("/batches", json=body)
    assert response.status_code == 400
    error = response.json()
    check_schema("ASGErrorResponse", error)
    assert error["errorCode"] == code
    assert error["errors"][0]["errorCode"] == code
    assert error["errors"][0]["parameterName"] == parameter
    assert error["message"] == f"Parameter [{parameter}] value is invalid."
    assert rc.emu.messages() == []


@pytest.mark.sms_scenario(
    {"accounts": {"ringcentral": [{"numbers": ["+1 (844) 555-0100", "16505550100"]}]}}
)
def test_an_account_with_declared_numbers_sends_only_from_them(rc: RC) -> None:
    # the spec: "Only phone number with the `A2PSmsSender` feature can be used as a sender"
    listed = rc.http.get(
        "/restapi/v1.0/account/~/extension/~/phone-number", headers=rc.headers
    ).json()["records"]
    assert [r["phoneNumber"] for r in listed] == ["+18445550100", "+16505550100"]
    for sender in ("+18445550100", "18445550100", "+16505550100"):
        body = {"from": sender, "text": "x", "messages": [{"to": ["+14155550100"]}]}
        assert rc.post("/batches", json=body).status_code == 201, sender
    stranger = {"from": "+16505550199", "text": "x", "messages": [{"to": ["+14155550100"]}]}
    response = rc.post("/batches", json=stranger)
    assert response.status_code == 400
    error = response.json()
    check_schema("ASGErrorResponse", error)
    assert error["errorCode"] == "CMN-101"
    assert error["errors"][0]["parameterName"] == "from"
    assert error["errors"][0]["parameterValue"] == "+16505550199"
    assert len(rc.emu.messages()) == 3  # nothing of the refused batch is stored


def test_an_account_without_declared_numbers_sends_from_any_number(rc: RC) -> None:
    body = {"from": "+16505550199", "text": "x", "messages": [{"to": ["+14155550100"]}]}
    assert rc.post("/batches", json=body).status_code == 201


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b'"text"', b"\xff\xfe"])
def test_unparsable_bodies_are_cmn_104(rc: RC, raw: bytes) -> None:
    response = rc.post("/batches", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "CMN-104"


def test_wrong_content_type_is_415(rc: RC) -> None:
    response = rc.post(
        "/batches", content=b"from=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == "CMN-415"


def test_missing_content_type_is_cmn_110(rc: RC) -> None:
    response = rc.post("/batches", content=b'{"from": "+16505550100"}')
    assert response.status_code == 400
    assert response.json()["errorCode"] == "CMN-110"
    assert response.json()["errors"][0]["parameterName"] == "Content-Type"


def test_body_over_50_mb_is_413(rc: RC) -> None:
    huge = b'{"from":"+16505550100","text":"' + b"x" * (50 * 1024 * 1024) + b'","messages":[]}'
    response = rc.post("/batches", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    body = response.json()
    assert body["errorCode"] == "AGW-413"
    assert body["errors"] == []


def test_numeric_account_id_works_like_tilde(rc: RC) -> None:
    account = "/restapi/v1.0/account/37439510/a2p-sms/batches"
    body = {"from": SENDER, "text": "x", "messages": [{"to": ["+14155550100"]}]}
    response = rc.http.post(account, headers=rc.headers, json=body)
    assert response.status_code == 201


def test_unknown_batch_is_404_cmn_102(rc: RC) -> None:
    response = rc.get("/batches/nope")
    assert response.status_code == 404
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == "CMN-102"
    # with its full stop, as the spec's examples show it (the guide's tables drop every
    # message's, CMN-101's too, whose captured answers have it)
    assert body["message"] == "Resource for parameter [batchId] is not found."
    assert body["errors"][0]["parameterName"] == "batchId"


def test_list_batches_filters_and_schema(rc: RC) -> None:
    rc.send(["+14155550100"])
    other = {"from": "+16505550111", "text": "x", "messages": [{"to": ["+14155550100"]}]}
    assert rc.post("/batches", json=other).status_code == 201
    listed = rc.get("/batches")
    assert listed.status_code == 200
    check_schema("BatchListResponse", listed.json())
    assert len(listed.json()["records"]) == 2
    by_sender = rc.get("/batches", params={"from": "+16505550111"}).json()["records"]
    assert [b["from"] for b in by_sender] == ["+16505550111"]
    raw_plus = rc.http.get(A2P + "/batches?from=+16505550111", headers=rc.headers).json()
    assert [b["from"] for b in raw_plus["records"]] == ["+16505550111"]
    assert rc.get("/batches", params={"status": "Completed"}).json()["records"] == []
    rc.emu.advance("5s")
    completed = rc.get("/batches", params=[("status", "Completed"), ("status", "Queued")])
    assert len(completed.json()["records"]) == 2
    bad = rc.get("/batches", params={"status": "Done"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["parameterName"] == "status"


def test_list_batches_default_window_is_24_hours(rc: RC) -> None:
    rc.send(["+14155550100"])
    rc.emu.advance("25h")
    rc.relogin()  # the first access token expired meanwhile
    assert rc.get("/batches").json()["records"] == []
    old = rc.get("/batches", params={"dateFrom": "2025-12-31T00:00:00Z"}).json()["records"]
    assert len(old) == 1


def test_large_batch_is_accepted_with_right_counts(sms_emulator: Emulator, rc: RC) -> None:
    count = 20_000
    messages = [{"to": [f"+1415{i:07d}"]} for i in range(count)]
    messages[99] = {"to": ["+4088070206"]}
    body = msgspec.json.encode({"from": SENDER, "text": "Bulk hello", "messages": messages})
    response = rc.post("/batches", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    created = response.json()
    assert created["batchSize"] == count - 1
    assert [r["index"] for r in created["rejected"]] == [100]
    sms_emulator.advance("1m")
    done = rc.get(f"/batches/{created['id']}").json()
    assert done["status"] == "Completed"
    assert done["processedCount"] == count - 1
    assert done["cost"] == round(0.007 * (count - 1), 8)


def test_the_201_shows_the_batch_as_created_on_a_real_clock() -> None:
    """Storing 5,000 recipients takes real time: the answer still says nothing was
    processed yet, with ``lastModifiedTime`` equal to ``creationTime``."""
    emu = Emulator(clock="real")
    try:
        rc = RC(emu)
        messages = [{"to": [f"+1415{i:07d}"]} for i in range(5000)]
        body = msgspec.json.encode({"from": SENDER, "text": "Bulk hello", "messages": messages})
        created = rc.post("/batches", content=body, headers={"Content-Type": "application/json"})
        assert created.status_code == 201
        data = created.json()
        assert (data["status"], data["processedCount"]) == ("Processing", 0)
        assert data["lastModifiedTime"] == data["creationTime"]
    finally:
        emu.close()
