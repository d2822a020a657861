"""E2 POST /v2/Properties/{PropertySid}/BatchMessages: 200 with one element per input, in order."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator
from emulator.core.store import BatchQuery

from .conftest import BATCH, PROPERTY

SEED_BATCH = {
    "Messages": [
        {"From": "+61499009990", "To": "+61488023555", "Text": "You win again, gravity!"},
        {"From": "+61499009991", "To": "+61488023556", "Text": "You call that an antenna?"},
    ]
}


def test_seed_batch_is_accepted_in_order(client: httpx.Client) -> None:
    response = client.post(BATCH, json=SEED_BATCH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body, list) and len(body) == 2
    assert [m["To"] for m in body] == ["+61488023555", "+61488023556"]
    assert [m["Text"] for m in body] == [m["Text"] for m in SEED_BATCH["Messages"]]
    assert all(m["Status"] == "Processing" and m["PropertySid"] == PROPERTY for m in body)
    assert len({m["MessageSid"] for m in body}) == 2


def test_rejected_item_is_an_error_object_in_its_place(emu: Emulator, client: httpx.Client) -> None:
    messages = [
        {"From": "", "To": "+61488023555", "Text": "first", "ExternalId": "test123"},
        {"From": "", "To": "0488023556", "Text": "bad number"},
        {"From": "", "To": "+61488023557", "Text": "third"},
    ]
    body = client.post(BATCH, json={"Messages": messages}).json()
    assert body[1] == {
        "ErrorCode": "INVALID_PHONENUMBER_FORMAT",
        "Message": "To parameter is not in E.164 format",
        "Errors": [{"FieldName": "To"}],
    }
    assert body[0]["ExternalId"] == "test123" and body[0]["MessageSid"].startswith("M")
    assert body[2]["To"] == "+61488023557"
    assert "ResponseStatus" not in body[1] and "MessageSid" not in body[1]
    assert [r["to"] for r in emu.messages(provider="fonedynamics")] == [
        "+61488023555",
        "+61488023557",
    ]
    # The inspector shows rejected items with the 1-based index used everywhere else.
    (batch,) = emu.store.query_batches(BatchQuery(provider="fonedynamics"))
    assert [r["index"] for r in batch.rejected] == [2]


def test_every_item_failing_is_still_200(client: httpx.Client) -> None:
    response = client.post(BATCH, json={"Messages": [{"To": "+61488023555"}, {"Text": "x"}]})
    assert response.status_code == 200
    assert response.json() == [
        {
            "ErrorCode": "PARAMETER_REQUIRED",
            "Message": "Required parameter missing: Text",
            "Errors": [{"FieldName": "Text"}],
        },
        {
            "ErrorCode": "PARAMETER_REQUIRED",
            "Message": "Required parameter missing: To",
            "Errors": [{"FieldName": "To"}],
        },
    ]


def test_a_missing_field_is_reported_before_a_malformed_one(client: httpx.Client) -> None:
    """As docs/providers/fonedynamics.md says: To and Text present first, then their form."""
    items = [{"To": "bad"}, {"From": "!!!", "Text": "x"}, {"To": "bad", "From": "!!!", "Text": "x"}]
    body = client.post(BATCH, json={"Messages": items}).json()
    assert [(e["ErrorCode"], e["Errors"]) for e in body] == [
        ("PARAMETER_REQUIRED", [{"FieldName": "Text"}]),
        ("PARAMETER_REQUIRED", [{"FieldName": "To"}]),
        ("INVALID_PHONENUMBER_FORMAT", [{"FieldName": "To"}]),
    ]


def test_non_object_item_is_an_item_error(client: httpx.Client) -> None:
    body = client.post(BATCH, json={"Messages": ["+61488023555", SEED_BATCH["Messages"][0]]}).json()
    assert body[0] == {  # the shape of every item error, Errors included
        "ErrorCode": "INVALID_PARAMETER",
        "Message": "Each message must be a JSON object",
        "Errors": [{"FieldName": "Messages"}],
    }
    assert body[1]["Status"] == "Processing"


def test_messages_key_matches_case_insensitively(client: httpx.Client) -> None:
    response = client.post(BATCH, json={"messages": SEED_BATCH["Messages"]})
    assert response.status_code == 200 and len(response.json()) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"messages": None, "Messages": SEED_BATCH["Messages"]},
        {"Messages": SEED_BATCH["Messages"], "MESSAGES": None},
        {"messages": [SEED_BATCH["Messages"][0]], "Messages": SEED_BATCH["Messages"]},
    ],
)
def test_messages_spelled_twice_reads_as_a_message_field_does(
    client: httpx.Client, body: dict[str, object]
) -> None:
    """The last non-null value in any case, as every field of a message is read."""
    response = client.post(BATCH, json=body)
    assert response.status_code == 200 and len(response.json()) == 2


@pytest.mark.parametrize("body", [{}, {"Messages": []}, {"Messages": None}])
def test_missing_or_empty_messages_is_parameter_required(
    client: httpx.Client, body: dict[str, object]
) -> None:
    response = client.post(BATCH, json=body)
    assert response.status_code == 400
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "PARAMETER_REQUIRED",
            "Message": "Required parameter missing: Messages",
            "Errors": [{"FieldName": "Messages"}],
        }
    }


@pytest.mark.parametrize("body", [{"Messages": {"To": "+61488023555"}}, [1, 2], "x"])
def test_wrong_shape_is_a_serialization_exception(client: httpx.Client, body: object) -> None:
    response = client.post(BATCH, json=body)
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "SerializationException"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_a_lone_surrogate_escape_is_a_replacement_character_not_a_lost_batch(
    client: httpx.Client, content_type: str
) -> None:
    """JSON allows ``"\\ud83d"`` (an emoji cut in half by a UTF-16 client); .NET reads it."""
    raw = (
        b'{"Messages":[{"To":"+61488023555","Text":"ok"},'
        b'{"To":"+61488023556","Text":"cut \\ud83d \\ud83d\\ude00"}]}'
    )
    response = client.post(BATCH, content=raw, headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert [m["Text"] for m in response.json()] == ["ok", "cut \ufffd \U0001f600"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"Messages":[{"To":"+61488023555","Text":"\\ud83d","From":1e400}]}',
        b'{"Messages":[{"To":"+61488023555","Text":"\\ud83d","N":NaN}]}',
    ],
)
def test_a_lone_surrogate_escape_does_not_excuse_the_rest_of_the_body(
    client: httpx.Client, raw: bytes
) -> None:
    response = client.post(BATCH, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "SerializationException"


def test_form_body_is_refused_because_batches_take_json_only(client: httpx.Client) -> None:
    response = client.post(BATCH, data={"To": "+61488023555", "Text": "x"})
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "SerializationException"


@pytest.mark.sms_scenario(
    {"rules": [{"when": {"to": "+61400000001"}, "outcome": "invalid_number"}]}
)
def test_scenario_invalid_number_rejects_only_that_item(
    emu: Emulator, client: httpx.Client
) -> None:
    messages = [
        {"From": "MyShop", "To": "+61488023555", "Text": "ok"},
        {"From": "MyShop", "To": "+61400000001", "Text": "rejected"},
    ]
    body = client.post(BATCH, json={"Messages": messages}).json()
    assert body[0]["Status"] == "Processing"
    assert body[1] == {
        "ErrorCode": "INVALID_PHONENUMBER_FORMAT",
        "Message": "To parameter is not a valid phone number",
        "Errors": [{"FieldName": "To"}],
    }
    statuses = {r["to"]: r["status"] for r in emu.messages(provider="fonedynamics")}
    assert statuses == {"+61488023555": "queued", "+61400000001": "rejected"}


@pytest.mark.sms_scenario(
    {
        "rules": [
            {
                "when": {"to": "+61400000001"},
                "outcome": "invalid_number",
                "error_code": "COUNTRY_UNAVAILABLE",
            }
        ]
    }
)
def test_scenario_error_code_overrides_the_item_code(client: httpx.Client) -> None:
    item = {"From": "MyShop", "To": "+61400000001", "Text": "x"}
    body = client.post(BATCH, json={"Messages": [item]}).json()
    assert body[0]["ErrorCode"] == "COUNTRY_UNAVAILABLE"


def test_batch_messages_leave_the_queue_over_the_processing_time(
    emu: Emulator, client: httpx.Client
) -> None:
    # happy-path timing: processing 2s, sent 1s, delivered 5s
    body = client.post(BATCH, json=SEED_BATCH).json()
    emu.advance("2s")
    first = client.get(f"/v2/Messages/{body[0]['MessageSid']}").json()["Message"]
    second = client.get(f"/v2/Messages/{body[1]['MessageSid']}").json()["Message"]
    assert first["Status"] == "Submitted" and first["Submitted"] == first["Created"] + 2
    assert second["Status"] == "Processing" and "Submitted" not in second


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"From": "++bad", "To": "0412345678", "Text": "hi"}, "To"),
        ({"From": "+1", "To": "+61488023555", "Text": True}, "Text"),
        ({"From": "TOOLONGSENDERID", "To": "+61488023555", "Text": ["x"]}, "Text"),
        ({"From": "++bad", "To": "+61488023555", "Text": "hi"}, "From"),
    ],
)
def test_the_first_failing_field_is_reported_in_the_documented_order(
    client: httpx.Client, item: dict, field: str
) -> None:
    """To, then Text, then From (docs/providers/fonedynamics.md): From was checked first."""
    (element,) = client.post(BATCH, json={"Messages": [item]}).json()
    assert element["Errors"] == [{"FieldName": field}]
