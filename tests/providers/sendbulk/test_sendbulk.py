"""POST /api/services/sendbulk: rows per item, per-item refusals, flat request refusals."""

from __future__ import annotations

import msgspec
import pytest

from ._helpers import APIKEY, BASE, PARTNER, SHORTCODE, body, bulk, bulk_item, creds, post


def test_success_rows_follow_the_documented_shape(client):
    items = [bulk_item("254712345678", clientsmsid=1234), bulk_item("0733123456", clientsmsid=5)]
    response = post(client, "sendbulk", bulk(items))
    data = body(response)
    assert list(data) == ["responses"]
    first, second = data["responses"]
    assert first == {
        "response-code": 200,
        "response-description": "Success",
        "mobile": "254712345678",
        "messageid": "8290842",
        "clientsmsid": 1234,
        "networkid": 1,
    }
    assert list(first) == [
        "response-code",
        "response-description",
        "mobile",
        "messageid",
        "clientsmsid",
        "networkid",
    ]
    assert second["mobile"] == "254733123456"
    assert second["networkid"] == 2
    assert second["messageid"] == "8290843"


@pytest.mark.parametrize("path", ["/sendbulk", "/sendbulk/"])
def test_served_with_and_without_trailing_slash(client, path):
    response = client.post(BASE + path, json=bulk([bulk_item("254712345678")]))
    assert response.status_code == 200
    assert body(response)["responses"][0]["response-code"] == 200


def test_clientsmsid_is_echoed_in_the_json_type_sent(client):
    items = [
        bulk_item("254712345678", clientsmsid=7),
        bulk_item("254712345679", clientsmsid="abc-8"),
        bulk_item("254712345670", clientsmsid=0),
    ]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["clientsmsid"] for r in rows] == [7, "abc-8", 0]


def test_item_without_clientsmsid_has_no_clientsmsid_in_its_row(client):
    item = bulk_item("254712345678")
    del item["clientsmsid"]
    (row,) = body(post(client, "sendbulk", bulk([item])))["responses"]
    assert "clientsmsid" not in row
    assert row["response-code"] == 200


def test_one_row_per_item_in_order_with_per_item_refusals(client):
    items = [
        bulk_item("254712345678", clientsmsid=1),
        bulk_item("12345", clientsmsid=2),
        bulk_item("+447700900123", clientsmsid=3),
        bulk_item("0110123456", clientsmsid=4),
    ]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["clientsmsid"] for r in rows] == [1, 2, 3, 4]
    assert [r["response-code"] for r in rows] == [200, 1003, 1002, 200]
    assert rows[1] == {
        "response-code": 1003,
        "response-description": "Invalid mobile number",
        "mobile": "12345",
        "clientsmsid": 2,
    }
    assert rows[2]["response-description"] == "Network not allowed"
    assert "messageid" not in rows[2] and "networkid" not in rows[2]
    # refused items do not use up message ids
    assert rows[3]["messageid"] == "8290843"


def test_first_items_credentials_and_sender_are_used_for_all(client, emu):
    emu.load_scenario(
        {
            "accounts": {
                "sendbulk": [
                    {"partnerID": PARTNER, "apikey": APIKEY, "shortcodes": [SHORTCODE]},
                ]
            }
        }
    )
    later = bulk_item("254712345679", partnerID="999", apikey="wrong", shortcode="OTHER")
    rows = body(post(client, "sendbulk", bulk([bulk_item("254712345678"), later])))["responses"]
    assert [r["response-code"] for r in rows] == [200, 200]
    assert {m["from"] for m in emu.messages(provider="sendbulk")} == {SHORTCODE}
    assert {m["tenant"] for m in emu.messages(provider="sendbulk")} == {PARTNER}


def test_bad_first_item_credentials_refuse_the_whole_list(client, emu):
    emu.load_scenario({"accounts": {"sendbulk": [{"partnerID": PARTNER, "apikey": APIKEY}]}})
    first = bulk_item("254712345678", apikey="wrong")
    data = body(post(client, "sendbulk", bulk([first, bulk_item("254712345679")])))
    assert data == {"response-code": 1006, "response-description": "Invalid credentials"}
    assert emu.messages(provider="sendbulk") == []


def test_unassigned_first_shortcode_refuses_every_row_even_if_later_ones_are_right(client, emu):
    emu.load_scenario(
        {
            "accounts": {
                "sendbulk": [{"partnerID": PARTNER, "apikey": APIKEY, "shortcodes": ["SHOP"]}]
            }
        }
    )
    items = [bulk_item("254712345678", shortcode="NOPE"), bulk_item("254712345679")]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [(r["response-code"], r["response-description"]) for r in rows] == [
        (1001, "Invalid sender id"),
        (1001, "Invalid sender id"),
    ]


def test_count_is_not_checked_against_the_list(client):
    rows = body(post(client, "sendbulk", bulk([bulk_item("254712345678")], count=5)))["responses"]
    assert len(rows) == 1 and rows[0]["response-code"] == 200


def test_over_the_batch_limit_is_a_flat_1012(client):
    items = [bulk_item(f"2547123{i:05d}", clientsmsid=i) for i in range(1001)]
    data = body(post(client, "sendbulk", bulk(items)))
    assert data == {"response-code": 1012, "response-description": "Too Many messages on SMS LIST"}


def test_exactly_the_batch_limit_is_accepted(client):
    items = [bulk_item(f"2547123{i:05d}", clientsmsid=i) for i in range(1000)]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert len(rows) == 1000
    assert rows[-1]["clientsmsid"] == 999


@pytest.mark.parametrize(
    ("payload", "code", "description"),
    [
        ({"count": 1}, 1010, "Unsupported request type"),
        ({"count": 0, "smslist": []}, 1010, "Unsupported request type"),
        ({"smslist": "nope"}, 1010, "Unsupported request type"),
        ({"smslist": ["not an object"]}, 1009, "Unsupported data type"),
        ([1, 2], 1009, "Unsupported data type"),
    ],
)
def test_malformed_requests_are_flat_refusals(client, payload, code, description):
    data = body(post(client, "sendbulk", payload))
    assert data == {"response-code": code, "response-description": description}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"not json", "application/json"),
        (b"", "application/json"),
        (b"count=1&smslist=x", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "text/plain"),
    ],
)
def test_non_json_bodies_are_1009(client, content, content_type):
    response = client.post(
        f"{BASE}/sendbulk", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 200
    assert body(response) == {
        "response-code": 1009,
        "response-description": "Unsupported data type",
    }


def test_a_later_item_that_is_not_an_object_gets_a_1009_row(client):
    rows = body(post(client, "sendbulk", bulk([bulk_item("254712345678"), 42])))["responses"]
    assert [r["response-code"] for r in rows] == [200, 1009]


@pytest.mark.parametrize(
    ("change", "code", "description"),
    [
        ({"partnerID": ""}, 4091, "No Partner ID is Set"),
        ({"partnerID": None}, 4091, "No Partner ID is Set"),
        ({"apikey": ""}, 4092, "No API KEY Provided"),
        ({"pass_type": "md5"}, 1006, "Invalid credentials"),
    ],
)
def test_credential_refusals_are_flat(client, change, code, description):
    data = body(post(client, "sendbulk", bulk([bulk_item("254712345678", **change)])))
    assert data == {"response-code": code, "response-description": description}


def test_get_on_sendbulk_is_unsupported_request_type(client):
    response = client.get(f"{BASE}/sendbulk")
    assert response.status_code == 200
    assert body(response) == {
        "response-code": 1010,
        "response-description": "Unsupported request type",
    }


def test_numbers_sent_as_json_numbers_are_accepted(client):
    item = bulk_item(254712345678, partnerID=int(PARTNER))
    (row,) = body(post(client, "sendbulk", bulk([item])))["responses"]
    assert row["response-code"] == 200
    assert row["mobile"] == "254712345678"


def test_empty_message_is_refused_in_its_row(client):
    rows = body(post(client, "sendbulk", bulk([bulk_item("254712345678", message="")])))
    assert rows["responses"][0]["response-code"] == 1009


def test_accepted_and_refused_items_are_neutral_records(client, emu):
    post(client, "sendbulk", bulk([bulk_item("254712345678"), bulk_item("07")]))
    records = emu.messages(provider="sendbulk")
    assert [(r["to"], r["status"]) for r in records] == [
        ("+254712345678", "queued"),
        ("07", "rejected"),
    ]
    assert records[1]["error_code"] == "1003"
    assert records[0]["id"] == "sendbulk-8290842"
    assert records[0]["batch_id"] == records[1]["batch_id"]


def test_refused_items_are_listed_in_the_batch_by_their_one_based_index(client, emu):
    items = [
        bulk_item("123", clientsmsid=1),
        bulk_item("0712345678", clientsmsid=2),
        bulk_item("0733123456", message="", clientsmsid=3),
    ]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["response-code"] for r in rows] == [1003, 200, 1009]
    (batch,) = client.get("/_emulator/batches").json()["batches"]
    detail = client.get(f"/_emulator/batches/{batch['id']}").json()["batch"]
    assert detail["rejected"] == [{"index": 1, "code": 1003}, {"index": 3, "code": 1009}]


@pytest.mark.parametrize("time_to_send", [10**400, -(10**400)], ids=["huge", "-huge"])
def test_a_time_to_send_past_the_float_range_refuses_only_its_item(client, emu, time_to_send):
    items = [
        bulk_item("0712345678", clientsmsid=1),
        bulk_item("0733123456", clientsmsid=2, timeToSend=time_to_send),
    ]
    first, second = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert first == {
        "response-code": 200,
        "response-description": "Success",
        "mobile": "254712345678",
        "messageid": "8290842",
        "clientsmsid": 1,
        "networkid": 1,
    }
    assert second == {
        "response-code": 1009,
        "response-description": "Unsupported data type",
        "mobile": "254733123456",
        "clientsmsid": 2,
    }
    records = emu.messages(provider="sendbulk")
    assert [(r["to"], r["status"]) for r in records] == [
        ("+254712345678", "queued"),
        ("+254733123456", "rejected"),
    ]


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"1.5e999"])
def test_a_float_literal_past_the_double_range_refuses_only_its_item(client, emu, literal):
    """PHP's json_decode reads ``1e400`` as INF: the item's timeToSend is unreadable, no more."""
    items = [
        bulk_item("0712345678", clientsmsid=1),
        bulk_item("0733123456", clientsmsid=2, timeToSend="@@"),
    ]
    raw = msgspec.json.encode(bulk(items)).replace(b'"@@"', literal)
    response = client.post(
        f"{BASE}/sendbulk", content=raw, headers={"Content-Type": "application/json"}
    )
    first, second = body(response)["responses"]
    assert (first["response-code"], first["clientsmsid"]) == (200, 1)
    assert second == {
        "response-code": 1009,
        "response-description": "Unsupported data type",
        "mobile": "254733123456",
        "clientsmsid": 2,
    }
    assert len(emu.messages(provider="sendbulk")) == 2


def test_a_time_to_send_past_the_float_range_is_a_1009_row_on_sendsms(client):
    row = body(
        post(client, "sendsms", creds(mobile="0712345678", message="hi", timeToSend=10**400))
    )
    assert row == {
        "responses": [
            {
                "response-code": 1009,
                "response-description": "Unsupported data type",
                "mobile": 254712345678,
            }
        ]
    }


@pytest.mark.parametrize("given", [" 0712345678", " 0112345678", " 254712345678", "\t0712345678"])
def test_a_local_mobile_with_one_leading_space_is_accepted(client, given):
    """Outer whitespace is ignored: one space before ``07...`` was taken for a ``+`` a
    query string lost, giving ``+07...`` and 1003."""
    (row,) = body(post(client, "sendbulk", bulk([bulk_item(given)])))["responses"]
    assert row["response-code"] == 200
    assert str(row["mobile"]).startswith("254")


def test_a_failed_messages_neutral_error_code_is_its_delivery_description(client, emu):
    """As RingCentral's and Fone Dynamics' records carry theirs: it was None, so a
    provider-neutral check for an error code failed on sendbulk alone."""
    emu.load_scenario({"rules": [{"when": {"to": "+254733*"}, "outcome": "undeliverable"}]})
    items = [bulk_item("254712345678"), bulk_item("254733123456"), bulk_item("12")]
    body(post(client, "sendbulk", bulk(items)))
    emu.advance("1m")
    by_to = {m["to"]: (m["status"], m["error_code"]) for m in emu.messages()}
    assert by_to["+254712345678"] == ("delivered", None)
    assert by_to["+254733123456"] == ("failed", "Unknown")  # Airtel: the gateway's word
    assert [(s, c) for to, (s, c) in by_to.items() if s == "rejected"] == [("rejected", "1003")]


def test_an_smslist_json_encode_wrote_as_an_object_is_sent_as_a_list(client):
    # PHP's json_encode writes a list with a gap in its keys (after array_filter or
    # unset) as an object; the gateway's json_decode(..., true) makes it the same
    # PHP array again, and foreach sends each item in order.
    payload = {
        "count": 2,
        "smslist": {
            "0": bulk_item("0712345678", clientsmsid=1),
            "2": bulk_item("0733123456", clientsmsid=3),
        },
    }
    rows = body(post(client, "sendbulk", payload))["responses"]
    assert [(row["response-code"], row["mobile"], row["clientsmsid"]) for row in rows] == [
        (200, "254712345678", 1),
        (200, "254733123456", 3),
    ]


def test_an_empty_smslist_object_is_still_1010(client):
    data = body(post(client, "sendbulk", {"count": 0, "smslist": {}}))
    assert data == {"response-code": 1010, "response-description": "Unsupported request type"}
