"""Body strategies for a scenario that declares its accounts: given the account's
credentials, shortcodes or sender numbers, valid bodies stay valid (made-up ones were
refused with sendbulk 1006 or RingCentral CMN-101 ``[from]``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from emulator.testing.strategies import (
    ringcentral_batch_bodies,
    sendbulk_balance_bodies,
    sendbulk_bulk_bodies,
    sendbulk_hashed_otp_bodies,
    sendbulk_sms_bodies,
)

from ._clients import RC_BATCHES, fresh, ringcentral_headers

ACCOUNT = {"partnerID": "1234", "apikey": "test-key"}
SHORTCODES = ["SHOP"]
SENDERS = ["+18445550100", "+16505550100"]
DECLARED = {
    "accounts": {
        "sendbulk": [{**ACCOUNT, "balance": 10**9, "shortcodes": SHORTCODES}],
        "ringcentral": [{"numbers": SENDERS}],
    }
}
FEW = settings(max_examples=15, deadline=None, database=None)


@FEW
@given(ringcentral_batch_bodies(senders=SENDERS))
def test_ringcentral_bodies_from_the_declared_numbers_are_accepted(body: dict[str, Any]) -> None:
    _, client = fresh(DECLARED)
    response = client.post(RC_BATCHES, json=body, headers=ringcentral_headers(client))
    assert response.status_code == 201, response.text
    assert body["from"] in SENDERS


@FEW
@given(sendbulk_bulk_bodies(credentials=ACCOUNT, shortcodes=SHORTCODES))
def test_sendbulk_bulk_bodies_of_a_declared_account_are_accepted(body: dict[str, Any]) -> None:
    _, client = fresh(DECLARED)
    rows = client.post("/api/services/sendbulk", json=body).json()["responses"]
    assert [row["response-code"] for row in rows] == [200] * len(body["smslist"])


@FEW
@given(
    sendbulk_sms_bodies(credentials=ACCOUNT, shortcodes=SHORTCODES),
    sendbulk_hashed_otp_bodies(credentials=ACCOUNT, shortcodes=SHORTCODES),
    sendbulk_balance_bodies(credentials=ACCOUNT),
)
def test_the_other_sendbulk_bodies_of_a_declared_account_are_accepted(
    sms: dict[str, Any], otp: dict[str, Any], balance: dict[str, Any]
) -> None:
    _, client = fresh(DECLARED)
    for path, body in (("sendsms", sms), ("sendotp", otp)):
        rows = client.post(f"/api/services/{path}", json=body).json()["responses"]
        assert {row["response-code"] for row in rows} == {200}, rows
    assert client.post("/api/services/getbalance", json=balance).json()["response-code"] == 200


@pytest.mark.parametrize(
    ("factory", "options", "words"),
    [
        (
            sendbulk_bulk_bodies,
            {"credentials": {"partnerID": "1"}},
            "need a partnerID and an apikey",
        ),
        (sendbulk_sms_bodies, {"shortcodes": "SHOP"}, "e.g. ('SHOP',)"),
        (sendbulk_hashed_otp_bodies, {"shortcodes": []}, "non-empty sequence"),
        (ringcentral_batch_bodies, {"senders": [""]}, "non-empty strings"),
    ],
)
def test_account_options_are_checked_when_called(factory: Any, options: dict, words: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        factory(**options)
    assert words in str(info.value)
