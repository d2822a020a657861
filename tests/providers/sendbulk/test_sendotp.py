"""sendotp: string messageids, and hashed recipients (SHA-256 over 254…)."""

from __future__ import annotations

import hashlib

from ._helpers import PARTNER, body, creds, dlr, get, post, send


def sha(msisdn: str) -> str:
    return hashlib.sha256(msisdn.encode()).hexdigest()


def otp(client, mobile, **extra):
    return body(post(client, "sendotp", creds(mobile=mobile, message="Code 1234", **extra)))


def test_messageid_is_a_string(client):
    (row,) = otp(client, "254712345678")["responses"]
    assert row == {
        "response-code": 200,
        "response-description": "Success",
        "mobile": 254712345678,
        "messageid": "8290842",
        "networkid": 1,
    }


def test_get_works_too(client):
    data = body(get(client, "sendotp/", creds(mobile="0712345678", message="Code 1")))
    assert data["responses"][0]["messageid"] == "8290842"


def test_hashed_number_the_emulator_has_seen_is_resolved(client, emu):
    send(client, "254733123456")  # the emulator now knows this (Airtel) number
    (row,) = otp(client, sha("254733123456"), hashed=True)["responses"]
    assert row["response-code"] == 200
    assert row["mobile"] == sha("254733123456")  # echoed as sent
    assert row["networkid"] == 2
    assert emu.messages(provider="sendbulk")[-1]["to"] == "+254733123456"


def test_hashed_number_declared_on_the_account_is_resolved(client, emu):
    emu.load_scenario(
        {
            "accounts": {
                "sendbulk": [
                    {
                        "partnerID": PARTNER,
                        "apikey": "test-key",
                        "msisdns": ["0712000111"],
                    }
                ]
            }
        }
    )
    (row,) = otp(client, sha("254712000111").upper(), hashed="true")["responses"]
    assert row["response-code"] == 200
    assert emu.messages(provider="sendbulk")[-1]["to"] == "+254712000111"


def test_unknown_hash_is_accepted_as_a_safaricom_recipient(client, emu):
    digest = sha("254799999999")
    (row,) = otp(client, digest, hashed=True)["responses"]
    assert (row["response-code"], row["networkid"], row["mobile"]) == (200, 1, digest)
    assert emu.messages(provider="sendbulk")[-1]["to"] == digest
    emu.advance("10s")
    assert dlr(client, row["messageid"])["delivery-description"] == "DeliveredToTerminal"


def test_hashed_value_that_is_not_a_sha256_is_1003(client):
    (row,) = otp(client, "254712345678", hashed=True)["responses"]
    assert row["response-code"] == 1003


def test_hashed_flag_is_ignored_on_sendsms(client):
    row = send(client, "254712345678", hashed=True)
    assert row["mobile"] == 254712345678
