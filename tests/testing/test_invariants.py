"""The invariants pass on consistent data and fail with a message naming the problem."""

from __future__ import annotations

import pytest

from emulator.testing.helpers import InProcessEmulator
from emulator.testing.invariants import (
    check_emulator_state,
    check_fonedynamics_batch,
    check_pages,
    check_recipients_accounted,
    check_ringcentral_batch,
    check_sendbulk_responses,
    check_status_counts,
    check_statuses_forward,
    check_totals,
)

from ._messages import store_message

SENT = ["+14155550100", "+14155550101", "+4088070206", "+14155550102"]


def test_recipients_accounted() -> None:
    check_recipients_accounted(
        SENT, ["14155550102", "+14155550100", "+14155550101"], [(3, SENT[2])]
    )
    check_recipients_accounted(SENT, SENT[:2] + SENT[3:], [{"index": 3, "to": [SENT[2]]}])
    check_recipients_accounted(["+1", "+1"], ["+1", "+1"], [])


def test_recipients_that_are_no_number_are_compared_as_they_are() -> None:
    """A missing ``to`` (None) is accepted as None, and no other value stands in for it."""
    check_recipients_accounted([None, SENT[0]], [SENT[0], None], [])
    with pytest.raises(AssertionError, match="recipient None \\(index 1\\) was neither accepted"):
        check_recipients_accounted([None], [2.5], [])


@pytest.mark.parametrize(
    ("accepted", "rejected", "message"),
    [
        (SENT[:2] + SENT[3:], [(2, SENT[2])], "names '\\+4088070206' but recipient 2 was"),
        (SENT[:2] + SENT[3:], [(0, SENT[2])], "index 0 is outside 1..4"),
        (SENT[:2] + SENT[3:], [(5, SENT[2])], "index 5 is outside 1..4"),
        (SENT[:2], [(3, SENT[2])], "'14155550102' \\(index 4\\) was neither accepted nor rejected"),
        (SENT, [(3, SENT[2])], "'4088070206' was accepted but also rejected \\(index 3; off"),
        # rejections counted from 0 and given without their numbers
        (SENT[:2] + SENT[3:], [{"index": 2}], "'14155550101' was accepted but also rejected"),
        (SENT + SENT[:1], [], "'14155550100' was accepted 1 more time"),
        (SENT[:2] + SENT[3:], [(3, SENT[2]), (3, SENT[2])], "index 3 .* was rejected twice"),
        (SENT[:2] + SENT[3:], [("3", SENT[2])], "has no integer index"),
    ],
)
def test_recipients_not_accounted(accepted, rejected, message) -> None:
    with pytest.raises(AssertionError, match=message):
        check_recipients_accounted(SENT, accepted, rejected)


def test_pages() -> None:
    check_pages([[{"id": 1}, {"id": 2}], [{"id": 3}]], expected=[1, 2, 3])
    check_pages([["a"], ["b"]], key=lambda r: r)
    with pytest.raises(AssertionError, match="id 2 on page 2 was already on page 1"):
        check_pages([[{"id": 1}, {"id": 2}], [{"id": 2}]])
    with pytest.raises(AssertionError, match="1 id\\(s\\) on no page: \\[3\\]"):
        check_pages([[{"id": 1}, {"id": 2}]], expected=[1, 2, 3])
    with pytest.raises(AssertionError, match="unexpected id"):
        check_pages([[{"id": 1}, {"id": 9}]], expected=[1])
    # a count instead of the ids
    check_pages([[{"id": 1}, {"id": 2}], [{"id": 3}]], expected=3)
    with pytest.raises(AssertionError, match="2 distinct record\\(s\\), not 7"):
        check_pages([[{"id": 1}, {"id": 2}]], expected=7)
    with pytest.raises(AssertionError, match="3 distinct record\\(s\\), not 2"):
        check_pages([[{"id": 1}, {"id": 2}], [{"id": 3}]], expected=2)  # one too many
    with pytest.raises(AssertionError, match="already on page 1"):
        check_pages([[{"id": 1}], [{"id": 1}]], expected=1)
    # one id as a str would be read as its characters; True is no count
    for wrong in ("a", True):
        with pytest.raises(TypeError, match=r"the ids paged .* or their count"):
            check_pages([[{"id": "a"}]], expected=wrong)


def test_statuses_forward() -> None:
    check_statuses_forward(
        [{"a": "Queued", "b": "Queued"}, {"a": "Sent", "b": "SendingFailed"}, {"a": "Delivered"}]
    )
    check_statuses_forward([{"m": "queued"}, {"m": "queued"}, {"m": "failed"}, {"m": "failed"}])
    with pytest.raises(
        AssertionError, match="'a' went back from 'Sent' to 'Queued' \\(snapshot 2\\)"
    ):
        check_statuses_forward([{"a": "Sent"}, {"a": "Queued"}])
    with pytest.raises(AssertionError, match="to 'Sent' \\(snapshot 3\\)"):
        check_statuses_forward([{"a": "Sent"}, {"a": "Delivered"}, {"a": "Sent"}])
    with pytest.raises(AssertionError, match="changed final status 'Delivered' to 'Failed'"):
        check_statuses_forward([{"a": "Delivered"}, {"a": "Failed"}])
    with pytest.raises(AssertionError, match="unknown status 'Lost'"):
        check_statuses_forward([{"a": "Lost"}])
    check_statuses_forward([{"a": "Lost"}, {"a": "Found"}], ranks={"Lost": 0, "Found": 2})
    # a RingCentral batch: Queued, Processing, Completed; a Fone Dynamics message after it
    check_statuses_forward([{"b": "Queued"}, {"b": "Processing"}, {"b": "Completed"}])
    check_statuses_forward([{"m": "Processing"}, {"m": "Submitted"}, {"m": "Delivered"}])
    with pytest.raises(AssertionError, match="'b' went back from 'Processing' to 'Queued'"):
        check_statuses_forward([{"b": "Processing"}, {"b": "Queued"}])


EVERY_OUTCOME = {
    "rules": [
        {"when": {"to": f"*{digit}"}, "outcome": outcome}
        for digit, outcome in enumerate(
            ["invalid_number", "opted_out", "undeliverable", "send_failed", "no_receipt"], 1
        )
    ]
}


def test_statuses_forward_knows_every_word_the_emulator_records() -> None:
    """Including a sendbulk refusal's description ('Invalid mobile number', ...)."""
    emu = InProcessEmulator(EVERY_OUTCOME)
    client = emu.client()
    login = {"grant_type": "password", "username": "u", "password": "p"}
    token = client.post("/restapi/oauth/token", auth=("a", "b"), data=login).json()
    client.post(
        "/restapi/v1.0/account/~/a2p-sms/batches",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        json={
            "from": "+16505550100",
            "text": "x",
            "messages": [{"to": [f"+1415555010{i}"]} for i in range(6)],
        },
    )
    fd = [{"From": "+61400000000", "To": f"+6141234567{i}", "Text": "x"} for i in range(6)]
    client.post("/v2/Properties/P/BatchMessages", auth=("A", "t"), json={"Messages": fd})
    for i in range(6):
        sendbulk = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "x"}
        client.post("/api/services/sendsms", json={**sendbulk, "mobile": f"25471234567{i}"})
    snapshots = []
    for _ in range(4):
        snapshots.append({m["id"]: m["provider_status"] for m in emu.messages()})
        emu.advance("1h")
    refused = {(m["provider"], m["provider_status"]) for m in emu.messages(status="rejected")}
    assert ("sendbulk", "Invalid mobile number") in refused
    assert {m["status"] for m in emu.messages()} == {"rejected", "delivered", "failed", "sent"}
    check_statuses_forward(snapshots)
    check_statuses_forward([{m["id"]: m["status"] for m in emu.messages()}])


def test_status_counts() -> None:
    messages = [
        {"messageStatus": "Delivered", "cost": 0.007},
        {"messageStatus": "Delivered", "cost": 0.014},
        {"messageStatus": "DeliveryFailed", "cost": 0.007},
    ]
    summary = {
        "queued": {"count": 0, "cost": 0.0},
        "delivered": {"count": 2, "cost": 0.021},
        "deliveryFailed": {"count": 1, "cost": 0.007, "errorCodeCounts": {}},
    }
    check_status_counts(summary, messages)
    check_status_counts({"delivered": 2, "deliveryFailed": 1}, messages)
    with pytest.raises(AssertionError, match="'delivered': summary says 3, 2 listed"):
        check_status_counts({"delivered": 3, "deliveryFailed": 1}, messages)
    with pytest.raises(AssertionError, match="1 message\\(s\\) are 'deliveryFailed': not in"):
        check_status_counts({"delivered": 2}, messages)
    with pytest.raises(AssertionError, match=r"'delivered': summary cost 0\.03"):
        check_status_counts(dict(summary, delivered={"count": 2, "cost": 0.03}), messages)
    # a listing without statuses (the wrong view?) is named, not counted as None
    with pytest.raises(AssertionError, match="record has no status field: \\{'id': 'm2'\\}"):
        check_status_counts({"delivered": 1}, [messages[0], {"id": "m2"}])


def test_totals() -> None:
    messages = [
        {"id": "1", "text": "a" * 161, "segmentCount": 2, "cost": 0.014},
        {"id": "2", "text": "é", "segmentCount": 1, "cost": 0.007},
        {"id": "3", "text": "queued", "cost": 0.0},
    ]
    check_totals(messages, segments=3, cost=0.021, cost_per_segment=0.007)
    with pytest.raises(AssertionError, match="'1': 1 segment\\(s\\) for a 161-unit GSM-7 text"):
        check_totals([{"id": "1", "text": "a" * 161, "segmentCount": 1}])
    with pytest.raises(AssertionError, match="segments add up to 3, expected 4"):
        check_totals(messages, segments=4)
    with pytest.raises(AssertionError, match=r"costs add up to 0\.021, expected 0\.02"):
        check_totals(messages, cost=0.02)
    with pytest.raises(AssertionError, match=r"'1': cost 0\.014 for 2 segment\(s\) at 0\.01"):
        check_totals(messages, cost_per_segment=0.01)


def test_totals_over_records_without_their_texts_say_nothing_was_checked() -> None:
    """RingCentral lists messages without their text unless asked (view=Detailed): over
    such records ``check_totals`` passed whatever segment counts a client reported."""
    simple = [{"id": 1, "segmentCount": 9, "cost": 0.007}, {"id": 2, "segmentCount": 1}]
    with pytest.raises(ValueError, match=r"none of the 2 record\(s\) .* view=Detailed"):
        check_totals(simple)
    with pytest.raises(AssertionError, match="segments add up to 10, expected 2"):
        check_totals(simple, segments=2)  # totals can still be checked
    check_totals([{"id": 1, "text": "hi"}])  # queued: no segment count yet, nothing to count
    check_totals([])


def test_emulator_state() -> None:
    emu = InProcessEmulator()
    store_message(emu, "+14155550100", "hello")
    emu.advance("1s")
    store_message(emu, "+14155550101", "😀" * 71)
    check_emulator_state(emu)
    records = emu.messages()
    check_emulator_state(records)
    with pytest.raises(AssertionError, match="is listed twice"):
        check_emulator_state(records + records[:1])
    broken = dict(records[1], segments=1)
    with pytest.raises(AssertionError, match="has 1 segments, expected 3"):
        check_emulator_state([records[0], broken])
    with pytest.raises(AssertionError, match="is listed after"):
        check_emulator_state(records[::-1])  # newest first
    with pytest.raises(AssertionError, match="unknown status 'Delivered'"):
        check_emulator_state([dict(records[0], status="Delivered")])
    went_back = dict(records[1], updated_at=records[0]["created_at"])
    with pytest.raises(AssertionError, match="updated_at is before created_at"):
        check_emulator_state([records[0], went_back])


def test_ringcentral_batch_adapter() -> None:
    body = {"from": "+1650", "messages": [{"to": ["+14155550100"]}, {"to": ["+4088070206"]}]}
    response = {"id": "b", "batchSize": 1, "rejected": [{"index": 2, "to": ["+4088070206"]}]}
    listed = [{"id": 1, "batchId": "b", "to": ["+14155550100"]}]
    check_ringcentral_batch(body, response, listed)
    with pytest.raises(AssertionError, match="batchSize 2 but 1 of 2"):
        check_ringcentral_batch(body, dict(response, batchSize=2), listed)
    off_by_one = dict(response, rejected=[{"index": 1, "to": ["+4088070206"]}])
    with pytest.raises(AssertionError, match="off by one"):
        check_ringcentral_batch(body, off_by_one, listed)


def test_fonedynamics_batch_adapter() -> None:
    body = {"Messages": [{"To": "+61400000001"}, {"To": "bad"}]}
    good = {"MessageSid": "M1", "To": "+61400000001"}
    bad = {"ErrorCode": "INVALID_PHONENUMBER_FORMAT", "Message": "To is not E.164"}
    check_fonedynamics_batch(body, [good, bad])
    with pytest.raises(AssertionError, match="2 messages sent but the answer has 1"):
        check_fonedynamics_batch(body, [good])
    with pytest.raises(AssertionError, match="element 2 is a message to '\\+61400000001'"):
        check_fonedynamics_batch(body, [bad, good])
    with pytest.raises(AssertionError, match="element 2 is neither"):
        check_fonedynamics_batch(body, [good, {}])
    # an error element carries both its ErrorCode and its Message
    for half in ({"ErrorCode": bad["ErrorCode"]}, {"Message": bad["Message"]}):
        with pytest.raises(AssertionError, match="element 2 is neither"):
            check_fonedynamics_batch(body, [good, half])


def test_sendbulk_adapter() -> None:
    ok = {"response-code": 200, "messageid": "8290842", "mobile": "254712345678"}
    refused = {"respose-code": 1003, "response-description": "Invalid mobile number"}
    check_sendbulk_responses(["0712345678", "07"], {"responses": [ok, refused]})
    with pytest.raises(AssertionError, match="whole request was refused"):
        check_sendbulk_responses(["0712345678"], {"response-code": 1006})
    with pytest.raises(AssertionError, match="succeeded without a messageid"):
        check_sendbulk_responses(["0712345678"], {"responses": [dict(ok, messageid="")]})
    with pytest.raises(AssertionError, match="2 numbers sent but 1 rows"):
        check_sendbulk_responses(["1", "2"], {"responses": [ok]})
    # a client that reordered its numbers: each row names the number it is for
    refused_07 = dict(refused, mobile="07")
    with pytest.raises(AssertionError, match="row 1 is for '254712345678' but number 1 sent"):
        check_sendbulk_responses(["07", "0712345678"], {"responses": [ok, refused_07]})
    # sendsms rows give the number as a number
    two = [ok, dict(ok, mobile=254733000001, messageid="8290843")]
    check_sendbulk_responses(["+254712345678", "0733000001"], {"responses": two})
    with pytest.raises(AssertionError, match="row 1 is for"):
        check_sendbulk_responses(["0733000001", "+254712345678"], {"responses": two})
    # a row with neither spelling of the code
    with pytest.raises(AssertionError, match=r"^row 2 has no response code: \{'mobile': '07'\}$"):
        check_sendbulk_responses(["0712345678", "07"], {"responses": [ok, {"mobile": "07"}]})


def test_sendbulk_check_takes_the_request_body_as_the_other_providers_checks_do() -> None:
    """``check_ringcentral_batch`` and ``check_fonedynamics_batch`` take the body: passing
    a sendbulk body the same way checks its numbers, not the body's two keys."""
    ok = {"response-code": 200, "messageid": "8290842", "mobile": "254712345678"}
    refused = {"response-code": 1003, "response-description": "Invalid mobile number"}
    item = {"partnerID": "1", "apikey": "k", "message": "m", "shortcode": "SHOP"}
    bulk = {"count": 1, "smslist": [dict(item, clientsmsid=1, mobile="07123")]}
    check_sendbulk_responses(bulk, {"responses": [dict(refused, mobile="07123")]})
    sms = dict(item, mobile="0712345678, 07")
    check_sendbulk_responses(sms, {"responses": [ok, refused]})
    with pytest.raises(AssertionError, match="2 numbers sent but 1 rows"):
        check_sendbulk_responses(sms, {"responses": [ok]})
    with pytest.raises(ValueError, match=r"needs 'smslist' \(sendbulk\) or 'mobile'"):
        check_sendbulk_responses({"count": 1}, {"responses": [ok]})
    with pytest.raises(AssertionError, match=r"^'smslist' is not a list: 'none'$"):
        check_sendbulk_responses({"count": 1, "smslist": "none"}, {"responses": [ok]})


def test_sendbulk_check_reads_an_smslist_object_as_the_gateway_does() -> None:
    """``json_encode`` writes a list with a gap in its keys as an object; the gateway
    (and the emulator) reads it as the list of its values, so the check must too."""
    ok = {"response-code": 200, "messageid": "8290842", "mobile": "254712345678"}
    item = {"partnerID": "1", "apikey": "k", "message": "m", "shortcode": "SHOP"}
    bulk = {
        "count": 2,
        "smslist": {
            "0": dict(item, mobile="0712345678"),
            "2": dict(item, mobile="0712345679"),
        },
    }
    rows = [ok, dict(ok, mobile="254712345679", messageid="8290843")]
    check_sendbulk_responses(bulk, {"responses": rows})
    with pytest.raises(AssertionError, match="2 numbers sent but 1 rows"):
        check_sendbulk_responses(bulk, {"responses": rows[:1]})


def test_two_accepted_messages_with_one_id_are_caught() -> None:
    """A client that copied one item's id onto the next, or a provider answer it parsed
    wrongly: each accepted message has an id of its own."""
    ok = {"response-code": 200, "messageid": "8290842", "mobile": "254712345678"}
    rows = [ok, dict(ok, mobile="254712345679")]
    with pytest.raises(AssertionError, match="row 2 has the '8290842' of row 1"):
        check_sendbulk_responses(["0712345678", "0712345679"], {"responses": rows})
    body = {"Messages": [{"To": "+61412345678"}, {"To": "+61412345679"}]}
    sent = [{"MessageSid": "MA1", "To": m["To"]} for m in body["Messages"]]
    with pytest.raises(AssertionError, match="element 2 has the 'MA1' of element 1"):
        check_fonedynamics_batch(body, sent)
    check_fonedynamics_batch(body, [sent[0], dict(sent[1], MessageSid="MA2")])
    two = {"from": "+1650", "messages": [{"to": ["+14155550100"]}, {"to": ["+14155550101"]}]}
    listed = [{"id": 7, "batchId": "b", "to": item["to"]} for item in two["messages"]]
    with pytest.raises(AssertionError, match="message 2 has the 7 of message 1"):
        check_ringcentral_batch(two, {"id": "b", "batchSize": 2, "rejected": []}, listed)


@pytest.mark.parametrize("mobile", ["", None, " , "])
def test_sendbulk_check_counts_a_sendsms_with_no_number_as_the_one_row_it_gets(
    sms_emulator: InProcessEmulator, mobile: object
) -> None:
    """sendsms with an empty or null ``mobile`` is answered one 1003 row: the check must
    expect that row, not refuse the gateway's answer as "0 numbers sent but 1 rows"."""
    body = {"partnerID": "1", "apikey": "k", "message": "m", "shortcode": "SHOP"}
    body["mobile"] = mobile
    answer = sms_emulator.client().post("/api/services/sendsms", json=body).json()
    assert [row["response-code"] for row in answer["responses"]] == [1003]
    check_sendbulk_responses(body, answer)
