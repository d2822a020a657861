"""sendotp: string messageids, and hashed recipients (SHA-256 over 254…)."""

from __future__ import annotations

import hashlib

from emulator import Emulator

from ._helpers import PARTNER, SHORTCODE, body, creds, dlr, get, post, send


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


def hashed_otp_recipient(client, emu, msisdn):
    """The neutral ``to`` of a hashed OTP to ``msisdn``: ``+254…`` if resolved, else the hash."""
    (row,) = otp(client, sha(msisdn), hashed=True)["responses"]
    assert row["response-code"] == 200
    return emu.messages(provider="sendbulk")[-1]["to"]


def test_numbers_sent_to_later_are_resolved_too(client, emu):
    send(client, "254733123456")
    assert hashed_otp_recipient(client, emu, "254733123456") == "+254733123456"
    assert hashed_otp_recipient(client, emu, "254712000222") == sha("254712000222")
    send(client, "254712000222")
    assert hashed_otp_recipient(client, emu, "254712000222") == "+254712000222"


def test_an_inbound_senders_number_is_resolved(client, emu):
    emu.inbound("sendbulk", "+254722000333", SHORTCODE, "STOP")
    assert hashed_otp_recipient(client, emu, "254722000333") == "+254722000333"


def test_numbers_are_forgotten_after_a_reset(client, emu):
    send(client, "254733123456")
    assert hashed_otp_recipient(client, emu, "254733123456") == "+254733123456"
    emu.reset()
    assert hashed_otp_recipient(client, emu, "254733123456") == sha("254733123456")


def test_numbers_are_still_known_after_a_restart(tmp_path):
    db = tmp_path / "sendbulk.db"
    emu = Emulator(db=db)
    with emu.client() as client:
        send(client, "254733123456")
        assert hashed_otp_recipient(client, emu, "254733123456") == "+254733123456"
        send(client, "254712000222")
    emu.close()
    again = Emulator(db=db)
    with again.client() as client:
        assert hashed_otp_recipient(client, again, "254712000222") == "+254712000222"
        assert hashed_otp_recipient(client, again, "254733123456") == "+254733123456"
    again.close()


def test_a_hashed_otp_reads_only_the_messages_stored_since_the_last(client, emu):
    for i in range(300):
        send(client, f"2547120{i:05d}")
    assert hashed_otp_recipient(client, emu, "254712000299") == "+254712000299"
    read = []
    query_messages = emu.store.query_messages

    def counted(query, **kwargs):
        found = query_messages(query, **kwargs)
        read.append(len(found))
        return found

    send(client, "254799000111")
    emu.store.query_messages = counted
    (row,) = otp(client, sha("254799000111"), hashed=True)["responses"]
    del emu.store.query_messages
    assert row["response-code"] == 200
    assert emu.messages(provider="sendbulk")[-1]["to"] == "+254799000111"
    assert sum(read) <= 2  # the two messages sent since (and no more), not all 302 again


def test_unknown_hash_is_refused_like_a_safaricom_number_when_the_account_lacks_safaricom(
    client, emu
):
    emu.load_scenario(
        {"accounts": {"sendbulk": [{"partnerID": PARTNER, "apikey": "test-key", "networks": [2]}]}}
    )
    plain = otp(client, "0712345678")["responses"][0]
    digest = sha("254722000000")  # a hash the emulator cannot resolve
    (row,) = otp(client, digest, hashed=True)["responses"]
    assert plain["response-code"] == 1002
    assert row == {
        "response-code": 1002,
        "response-description": "Network not allowed",
        "mobile": digest,
    }
    assert (
        body(post(client, "getbalance", {"partnerID": PARTNER, "apikey": "test-key"}))["credit"]
        == "10000.00"
    )
    record = emu.messages(provider="sendbulk")[-1]
    assert (record["to"], record["status"], record["error_code"]) == (digest, "rejected", "1002")


def test_unknown_hash_is_sent_when_the_account_may_use_safaricom(client, emu):
    emu.load_scenario(
        {"accounts": {"sendbulk": [{"partnerID": PARTNER, "apikey": "test-key", "networks": [1]}]}}
    )
    (row,) = otp(client, sha("254722000000"), hashed=True)["responses"]
    assert (row["response-code"], row["networkid"]) == (200, 1)
