"""E1 POST /v2/Properties/{PropertySid}/Messages: one message → {"Message": {...}}."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pytest

from emulator import Emulator

from .conftest import ACCOUNT, MESSAGES, PROPERTY

TO = "+61488023555"


def send(client: httpx.Client, **fields: object) -> httpx.Response:
    body = {"From": "+61499009990", "To": TO, "Text": "You win again, gravity!"}
    body.update(fields)
    return client.post(MESSAGES, json={k: v for k, v in body.items() if v is not ...})


def error_of(response: httpx.Response) -> dict[str, object]:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()["ResponseStatus"]


def test_fresh_message_resource_field_by_field(emu: Emulator, client: httpx.Client) -> None:
    response = send(client, ExternalId="testid123")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["Message"]
    message = body["Message"]
    assert list(message) == [
        "MessageSid",
        "AccountSid",
        "PropertySid",
        "From",
        "To",
        "Text",
        "DeliveryReceipt",
        "NumSegments",
        "Status",
        "Direction",
        "Created",
        "ErrorCode",
        "ExternalId",
    ]
    sid = message["MessageSid"]
    assert isinstance(sid, str) and len(sid) == 32 and sid[0] == "M"
    assert sid == sid.upper() and sid.isalnum()
    assert message["AccountSid"] == ACCOUNT
    assert message["PropertySid"] == PROPERTY
    assert message["From"] == "+61499009990"
    assert message["To"] == TO
    assert message["Text"] == "You win again, gravity!"
    assert message["DeliveryReceipt"] is True
    assert message["NumSegments"] == 0
    assert message["Status"] == "Processing"
    assert message["Direction"] == "Transmit"
    assert message["Created"] == int(emu.time()) and isinstance(message["Created"], int)
    assert message["ErrorCode"] == ""
    assert message["ExternalId"] == "testid123"


def test_sids_are_deterministic_for_a_seed() -> None:
    def first_sid() -> str:
        emu = Emulator(seed=11)
        with emu.client(auth=("A", "t")) as c:
            return send(c).json()["Message"]["MessageSid"]

    assert first_sid() == first_sid()


def test_external_id_is_omitted_when_not_sent(client: httpx.Client) -> None:
    assert "ExternalId" not in send(client).json()["Message"]


@pytest.mark.parametrize("sender", ["MyShop", "A", "Shop 24 7", "ABCDEFGHIJK"])
def test_alphanumeric_sender_is_kept(client: httpx.Client, sender: str) -> None:
    response = send(client, From=sender)
    assert response.status_code == 200
    assert response.json()["Message"]["From"] == sender


@pytest.mark.parametrize(
    "sender", ["", "   ", None, ...], ids=["blank", "spaces", "null", "omitted"]
)
def test_blank_or_omitted_sender_sends_from_a_leased_number(
    client: httpx.Client, sender: object
) -> None:
    response = send(client, From=sender)
    assert response.status_code == 200
    assert response.json()["Message"]["From"] == "+61412345650"


def test_alphanumeric_sender_to_us_gets_a_leased_number(client: httpx.Client) -> None:
    message = send(client, From="MyShop", To="+14155550100").json()["Message"]
    assert message["From"].startswith("+1") and message["From"] != "+14155550100"


@pytest.mark.parametrize(
    ("sender", "code", "message"),
    [
        ("+614990", "INVALID_PHONENUMBER_FORMAT", "From parameter is not in E.164 format"),
        ("61499009990", "INVALID_PHONENUMBER_FORMAT", "From parameter is not in E.164 format"),
        ("ABCDEFGHIJKL", "INVALID_PARAMETER", None),
        ("Shop-24", "INVALID_PARAMETER", None),
    ],
    ids=["short-number", "no-plus", "12-chars", "dash"],
)
def test_invalid_sender_is_a_400(
    emu: Emulator, client: httpx.Client, sender: str, code: str, message: str | None
) -> None:
    response = send(client, From=sender)
    assert response.status_code == 400
    status = error_of(response)
    assert status["ErrorCode"] == code
    assert status["Errors"] == [{"FieldName": "From"}]
    if message:
        assert status["Message"] == message
    assert emu.messages() == []


@pytest.mark.parametrize("to", ["0488023555", "61488023555", "+614880", "+999123456", "abc"])
def test_invalid_recipient_is_invalid_phonenumber_format(client: httpx.Client, to: str) -> None:
    response = send(client, To=to)
    assert response.status_code == 400
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "INVALID_PHONENUMBER_FORMAT",
            "Message": "To parameter is not in E.164 format",
            "Errors": [{"FieldName": "To"}],
        }
    }


def test_missing_required_parameters_are_listed(client: httpx.Client) -> None:
    response = client.post(MESSAGES, json={"From": "+61499009990"})
    assert response.status_code == 400
    status = error_of(response)
    assert status["ErrorCode"] == "PARAMETER_REQUIRED"
    assert status["Errors"] == [{"FieldName": "To"}, {"FieldName": "Text"}]


def test_empty_text_is_required(client: httpx.Client) -> None:
    status = error_of(send(client, Text=""))
    assert status["ErrorCode"] == "PARAMETER_REQUIRED"
    assert status["Errors"] == [{"FieldName": "Text"}]


def test_empty_body_lists_every_required_parameter(client: httpx.Client) -> None:
    response = client.post(MESSAGES, content=b"")
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "PARAMETER_REQUIRED"


def test_unknown_keys_are_ignored_and_keys_match_case_insensitively(
    client: httpx.Client,
) -> None:
    response = client.post(
        MESSAGES,
        json={"from": "MyShop", "TO": TO, "text": "hi", "Colour": "blue", "Priority": 3},
    )
    assert response.status_code == 200
    message = response.json()["Message"]
    assert (message["From"], message["To"], message["Text"]) == ("MyShop", TO, "hi")


def test_numbers_for_string_fields_are_taken_as_text(client: httpx.Client) -> None:
    message = send(client, ExternalId=12345).json()["Message"]
    assert message["ExternalId"] == "12345"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Text", ["a"]),
        ("To", {"n": 1}),
        ("DeliveryReceipt", "maybe"),
        ("Schedule", "soon"),
        ("Schedule", "\uff11\uff17\uff16\uff17\uff12\uff12\uff15\uff17\uff10\uff10"),
        ("Schedule", "1_767_225_700"),
        ("DeliveryReceiptWebhookMethod", "PUT"),
        ("DeliveryReceiptWebhookUri", "not a uri"),
        ("DeliveryReceiptWebhookUri", "ftp://example.com/x"),
    ],
)
def test_invalid_values_are_invalid_parameter(
    client: httpx.Client, field: str, value: object
) -> None:
    response = send(client, **{field: value})
    assert response.status_code == 400
    status = error_of(response)
    assert status["ErrorCode"] == "INVALID_PARAMETER"
    assert status["Errors"] == [{"FieldName": field}]


@pytest.mark.parametrize("method", ["Post", "POST", "post", "Get", "GET"])
def test_webhook_methods_match_case_insensitively(client: httpx.Client, method: str) -> None:
    response = send(
        client,
        DeliveryReceiptWebhookUri="https://example.com/dr",
        DeliveryReceiptWebhookMethod=method,
    )
    assert response.status_code == 200


def test_delivery_receipt_false_is_echoed(client: httpx.Client) -> None:
    assert send(client, DeliveryReceipt=False).json()["Message"]["DeliveryReceipt"] is False
    assert send(client, DeliveryReceipt="false").json()["Message"]["DeliveryReceipt"] is False


def test_form_encoded_single_message(client: httpx.Client) -> None:
    response = client.post(
        MESSAGES, data={"From": "", "To": TO, "Text": "form body", "ExternalId": "f1"}
    )
    assert response.status_code == 200
    message = response.json()["Message"]
    assert (message["To"], message["Text"], message["ExternalId"]) == (TO, "form body", "f1")


def test_multipart_form_single_message(client: httpx.Client) -> None:
    """``curl -F To=... -F Text=...``: bound as the URL-encoded form is; a file part
    is no field, and a ``+`` arrives as sent."""
    fields = {"To": (None, TO), "Text": (None, "multipart +1 é"), "ExternalId": (None, "m1")}
    response = client.post(MESSAGES, files={**fields, "Extra": ("notes.txt", b"x")})
    assert response.status_code == 200
    message = response.json()["Message"]
    assert (message["To"], message["Text"], message["ExternalId"]) == (TO, "multipart +1 é", "m1")
    missing = client.post(MESSAGES, files={"To": (None, TO)})
    assert missing.status_code == 400
    assert missing.json()["ResponseStatus"]["Errors"] == [{"FieldName": "Text"}]
    unbounded = client.post(
        MESSAGES, content=b"To=x", headers={"content-type": "multipart/form-data"}
    )
    assert unbounded.json()["ResponseStatus"]["ErrorCode"] == "PARAMETER_REQUIRED"
    # a file part whose RFC 2231 name cannot be decoded is still only a file part
    odd_file = (
        b'--XX\r\nContent-Disposition: form-data; name="To"\r\n\r\n' + TO.encode() + b"\r\n"
        b'--XX\r\nContent-Disposition: form-data; name="Text"\r\n\r\nhi\r\n'
        b"--XX\r\nContent-Disposition: form-data; name=\"f\"; filename*=utf\x00''x\r\n\r\n"
        b"data\r\n--XX--\r\n"
    )
    multipart = {"content-type": "multipart/form-data; boundary=XX"}
    assert client.post(MESSAGES, content=odd_file, headers=multipart).status_code == 200


FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_form_body_keeps_a_leading_space_before_digits_in_text(
    emu: Emulator, client: httpx.Client
) -> None:
    """Only number fields get a raw ``+`` back: ``Text=+2+for+1`` is " 2 for 1"."""
    fields = {"From": "+61499009990", "To": TO, "Text": " 2 for 1 today", "ExternalId": " 42"}
    response = client.post(MESSAGES, content=urlencode(fields), headers=FORM)
    assert response.status_code == 200
    message = response.json()["Message"]
    assert message["Text"] == " 2 for 1 today"
    assert message["ExternalId"] == " 42"
    fetched = client.get(f"/v2/Messages/{message['MessageSid']}").json()["Message"]
    assert (fetched["Text"], fetched["ExternalId"]) == (" 2 for 1 today", " 42")
    assert emu.messages(provider="fonedynamics")[0]["text"] == " 2 for 1 today"


def test_form_body_keeps_an_alphanumeric_sender_starting_with_a_digit(
    client: httpx.Client,
) -> None:
    body = urlencode({"From": " 2GO", "To": TO, "Text": "hi"})
    response = client.post(MESSAGES, content=body, headers=FORM)
    assert response.status_code == 200
    assert response.json()["Message"]["From"] == " 2GO"


def test_form_body_number_fields_get_an_unencoded_plus_back(
    emu: Emulator, client: httpx.Client
) -> None:
    """A client that leaves ``+`` unencoded sends a space; number fields read it as ``+``."""
    body = "to=+61488023555&Text=hi&ForwardToSms=+61499333222&ForwardFromSms=+61499333111"
    response = client.post(MESSAGES, content=body, headers=FORM)
    assert response.status_code == 200
    assert response.json()["Message"]["To"] == TO
    (lease,) = emu.store.get_state("fonedynamics.leases", TO)
    assert lease["Options"] == {"ForwardToSms": "+61499333222", "ForwardFromSms": "+61499333111"}
    fixed = client.post(MESSAGES, content="From=+61499009990&To=+61488023555&Text=x", headers=FORM)
    assert fixed.json()["Message"]["From"] == "+61499009990"


def test_latin1_body_like_the_java_sdk(client: httpx.Client) -> None:
    raw = json.dumps({"From": "MyShop", "To": TO, "Text": "Café Ünïcödé"}, ensure_ascii=False)
    response = client.post(
        MESSAGES,
        content=raw.encode("latin-1"),
        headers={"Content-Type": "application/json", "AcceptEncoding": "utf-8"},
    )
    assert response.status_code == 200
    assert response.json()["Message"]["Text"] == "Café Ünïcödé"


def test_utf8_body_is_decoded_as_utf8(client: httpx.Client) -> None:
    response = send(client, Text="Привет 👋")
    assert response.json()["Message"]["Text"] == "Привет 👋"


@pytest.mark.parametrize("body", [b"{not json", b'{"From": "x",}', b"[1, 2"])
def test_malformed_json_is_a_serialization_exception(client: httpx.Client, body: bytes) -> None:
    response = client.post(MESSAGES, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    status = error_of(response)
    assert status["ErrorCode"] == "SerializationException"
    assert isinstance(status["Message"], str)


@pytest.mark.parametrize("path", [MESSAGES, MESSAGES.replace("/Messages", "/BatchMessages")])
@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"Text":' + b"[" * 50_000])
def test_deeply_nested_json_is_a_serialization_exception(
    client: httpx.Client, path: str, body: bytes
) -> None:
    """JSON nested past the parser's depth is malformed input (400), not a server error."""
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "SerializationException"


@pytest.mark.parametrize("body", [[{"To": TO}], "text", 42])
def test_non_object_json_is_a_serialization_exception(client: httpx.Client, body: object) -> None:
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "SerializationException"


def test_query_string_fields_are_bound_as_servicestack_binds_them(
    emu: Emulator, client: httpx.Client
) -> None:
    """ServiceStack fills a request DTO from the query string on a POST too: over a
    JSON body (the query wins), under form fields (the form wins). A raw ``+`` in a
    number is read back as in a form."""
    only_query = client.post(MESSAGES, params={"To": TO, "Text": "from the query"})
    assert only_query.status_code == 200, only_query.text
    assert only_query.json()["Message"]["Text"] == "from the query"
    raw_plus = client.post(f"{MESSAGES}?to=+61488023555", json={"Text": "mixed"})
    assert raw_plus.status_code == 200, raw_plus.text
    assert raw_plus.json()["Message"]["To"] == "+61488023555"
    over_json = client.post(MESSAGES, params={"Text": "query"}, json={"To": TO, "Text": "body"})
    assert over_json.json()["Message"]["Text"] == "query"
    under_form = client.post(
        MESSAGES,
        params={"Text": "query"},
        content=urlencode({"To": TO, "Text": "form"}),
        headers=FORM,
    )
    assert under_form.json()["Message"]["Text"] == "form"
    assert [m["text"] for m in emu.messages(provider="fonedynamics")] == [
        "from the query",
        "mixed",
        "query",
        "form",
    ]
