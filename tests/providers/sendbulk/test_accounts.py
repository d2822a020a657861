"""Credentials: open by default; declared accounts, pass_type, sender ids, networks."""

from __future__ import annotations

import base64

import pytest

from ._helpers import APIKEY, PARTNER, body, bulk, bulk_item, creds, get, post, send

DECLARED = {
    "accounts": {
        "sendbulk": [
            {
                "partnerID": 1234,
                "apikey": APIKEY,
                "shortcodes": ["SHOP", "Shop2"],
                "networks": [1],
            }
        ]
    }
}


def test_any_non_empty_credentials_work_by_default(client):
    params = {"apikey": "anything", "partnerID": "42", "shortcode": "ANY", "mobile": "0712345678"}
    data = body(get(client, "sendsms", {**params, "message": "hi"}))
    assert data["responses"][0]["response-code"] == 200


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"apikey": APIKEY},
            {"response-code": 4091, "response-description": "No Partner ID is Set"},
        ),
        (
            {"partnerID": PARTNER},
            {"response-code": 4092, "response-description": "No API KEY Provided"},
        ),
        ({}, {"response-code": 4091, "response-description": "No Partner ID is Set"}),
    ],
)
@pytest.mark.parametrize("endpoint", ["sendsms", "sendotp", "getdlr", "getbalance", "credit"])
def test_missing_credentials_are_flat_refusals(client, endpoint, fields, expected):
    payload = {**fields, "mobile": "254712345678", "message": "hi", "shortcode": "SHOP"}
    assert body(post(client, endpoint, payload)) == expected


@pytest.mark.parametrize("endpoint", ["sendsms", "sendotp", "getdlr", "getbalance"])
def test_wrong_key_for_a_declared_account_is_1006(client, emu, endpoint):
    emu.load_scenario(DECLARED)
    payload = creds(apikey="wrong", mobile="254712345678", message="hi")
    assert body(post(client, endpoint, payload)) == {
        "response-code": 1006,
        "response-description": "Invalid credentials",
    }


def test_unknown_partner_is_1006_when_accounts_are_declared(client, emu):
    emu.load_scenario(DECLARED)
    data = body(post(client, "getbalance", {"apikey": APIKEY, "partnerID": "9"}))
    assert data["response-code"] == 1006


def test_declared_account_with_numeric_partner_id(client, emu):
    emu.load_scenario(DECLARED)
    data = body(post(client, "getbalance", {"apikey": APIKEY, "partnerID": 1234}))
    assert data["partner-id"] == "1234"


def test_bm5_pass_type_sends_the_key_base64_encoded(client, emu):
    emu.load_scenario(DECLARED)
    encoded = base64.b64encode(APIKEY.encode()).decode()
    assert send(client, "254712345678", apikey=encoded, pass_type="bm5")["response-code"] == 200
    plain_as_bm5 = body(
        post(client, "sendsms", creds(mobile="254712345678", message="x", pass_type="bm5"))
    )
    assert plain_as_bm5["response-code"] == 1006
    for not_base64 in ("\u00e9", "dGVzdC1rZXk\u00e9"):  # non-ASCII: invalid credentials too
        refused = body(post(client, "getbalance", creds(apikey=not_base64, pass_type="bm5")))
        assert refused == {"response-code": 1006, "response-description": "Invalid credentials"}


def test_a_bm5_key_that_decodes_to_blanks_is_invalid_even_with_open_credentials(client):
    """Open credentials take any key, but not one that is only blanks once decoded."""
    blanks = base64.b64encode(b"  ").decode()
    refused = body(post(client, "getbalance", creds(apikey=blanks, pass_type="bm5")))
    assert refused == {"response-code": 1006, "response-description": "Invalid credentials"}


@pytest.mark.parametrize(
    ("pass_type", "code"),
    [
        (None, 200),
        (False, 200),  # PHP's "": as if absent
        (" PLAIN ", 200),
        (True, 1006),  # PHP's "1"
        ([], 1006),  # "Array"
        (["plain"], 1006),
        ({}, 1006),
        (0, 1006),
    ],
)
def test_pass_type_is_read_as_php_casts_it(client, pass_type, code):
    data = body(post(client, "getbalance", creds(pass_type=pass_type)))
    assert data["response-code"] == code


def test_sender_id_is_case_sensitive_and_must_be_assigned(client, emu):
    emu.load_scenario(DECLARED)
    assert send(client, "254712345678", shortcode="Shop2")["response-code"] == 200
    row = send(client, "254712345678", shortcode="shop2")
    assert (row["response-code"], row["response-description"]) == (1001, "Invalid sender id")
    assert send(client, "254712345678", shortcode="")["response-code"] == 1001


def test_networks_not_enabled_on_the_account_are_1002(client, emu):
    emu.load_scenario(DECLARED)
    assert send(client, "254712345678")["response-code"] == 200
    assert send(client, "254733123456")["response-code"] == 1002


def test_sendbulk_with_declared_accounts(client, emu):
    emu.load_scenario(DECLARED)
    rows = body(post(client, "sendbulk", bulk([bulk_item("254712345678")])))["responses"]
    assert rows[0]["response-code"] == 200


def test_shipped_insufficient_balance_scenario(client, emu):
    emu.load_scenario("insufficient-balance")
    codes = [send(client, "254712345678")["response-code"] for _ in range(4)]
    assert codes == [200, 200, 200, 1004]
