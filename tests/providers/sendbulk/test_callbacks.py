"""Delivery-report callbacks and inbound shortcode messages, to a real HTTP receiver."""

from __future__ import annotations

import msgspec
import pytest

from ._helpers import APIKEY, PARTNER, body, bulk, bulk_item, post, send


def accounts(receiver, **extra):
    return {
        "accounts": {
            "sendbulk": [
                {
                    "partnerID": PARTNER,
                    "apikey": APIKEY,
                    "shortcodes": ["SHOP", "40404"],
                    "dlr_callback_url": receiver.url + "/dlr",
                    "inbound_url": receiver.url + "/inbound",
                    **extra,
                }
            ]
        }
    }


def test_delivery_report_is_posted_when_it_arrives(client, emu, receiver):
    emu.load_scenario(accounts(receiver))
    row = send(client, "254712345678")
    emu.advance("7s")
    assert receiver.requests == []  # the report is due 8s after sending
    emu.advance("1s")
    (request,) = receiver.requests
    assert (request["method"], request["path"]) == ("POST", "/dlr")
    assert request["headers"]["Content-Type"] == "application/json"
    report = {
        "description": "DeliveredToTerminal",
        "messageid": row["messageid"],
        "timeTaken": "6s",
        "timestamp": "2026-01-01 03:00:08",
    }
    assert request["body"] == msgspec.json.encode(report)  # compact, whatever httpx's version


def test_failed_reports_carry_the_failure_description(client, emu, receiver):
    scenario = accounts(receiver)
    scenario["rules"] = [{"when": {"to": "+254733*"}, "outcome": "undeliverable"}]
    emu.load_scenario(scenario)
    items = [bulk_item("254733123456"), bulk_item("254712345678")]
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    emu.advance("1m")
    reports = {r["messageid"]: r["description"] for r in map(_json, receiver.requests)}
    assert reports == {
        rows[0]["messageid"]: "Unknown",
        rows[1]["messageid"]: "DeliveredToTerminal",
    }


def test_no_callback_without_a_final_report_or_for_refused_items(client, emu, receiver):
    scenario = accounts(receiver)
    scenario["rules"] = [{"when": {"provider": "sendbulk"}, "outcome": "no_receipt"}]
    emu.load_scenario(scenario)
    send(client, "254712345678")
    send(client, "12")
    emu.advance("1h")
    assert receiver.requests == []


def test_open_credentials_use_the_scenario_wide_callback(client, emu, receiver):
    emu.load_scenario({"providers": {"sendbulk": {"dlr_callback_url": receiver.url + "/all"}}})
    send(client, "254712345678")
    emu.advance("10s")
    assert [r["path"] for r in receiver.requests] == ["/all"]


def test_attempts_are_listed_by_the_admin_api(client, emu, receiver):
    emu.load_scenario(accounts(receiver))
    send(client, "254712345678")
    emu.advance("10s")
    attempts = client.get("/_emulator/webhooks").json()["attempts"]
    assert [(a["provider"], a["event"], a["ok"]) for a in attempts] == [("sendbulk", "dlr", True)]


def test_a_report_is_filed_under_its_message(client, emu, receiver):
    """The message's detail (and the inspector's link) finds its callback by record id."""
    emu.load_scenario(accounts(receiver))
    send(client, "254712345678")
    (record,) = emu.messages(provider="sendbulk")
    due = client.get(f"/_emulator/messages/{record['id']}").json()["message"]["webhooks"]
    assert [job["event"] for job in due["pending"]] == ["dlr"]
    emu.advance("10s")
    (attempt,) = client.get("/_emulator/webhooks").json()["attempts"]
    assert attempt["message_id"] == record["id"]
    shown = client.get(f"/_emulator/messages/{record['id']}").json()["message"]["webhooks"]
    assert [(a["event"], a["status"]) for a in shown["attempts"]] == [("dlr", 200)]
    assert shown["pending"] == []


@pytest.mark.parametrize("sender", ["254712345678", "+254712345678", "0712345678"])
def test_inbound_message_is_posted_to_the_accounts_inbound_url(client, emu, receiver, sender):
    emu.load_scenario(accounts(receiver))
    response = client.post(
        "/_emulator/inbound",
        json={"provider": "sendbulk", "from": sender, "to": "40404", "text": "STOP"},
    )
    assert response.status_code == 201
    record = response.json()["message"]
    assert (record["direction"], record["from"], record["to"]) == (
        "inbound",
        "+254712345678",
        "40404",
    )
    assert record["tenant"] == PARTNER
    (request,) = receiver.requests
    assert (request["method"], request["path"]) == ("POST", "/inbound")
    assert _json(request) == {"shortcode": "40404", "mobile": "254712345678", "message": "STOP"}


def test_an_inbound_message_the_url_refuses_is_not_posted_again(client, emu, receiver):
    """The gateway calls the customer's URL once (15 s timeout, then failed): a receiver
    that failed, or answered too late, does not get the same message again."""
    emu.load_scenario(accounts(receiver))
    receiver.statuses[:] = [500]
    emu.inbound("sendbulk", "0712345678", "40404", "STOP")
    emu.advance("1h")
    assert [r["path"] for r in receiver.requests] == ["/inbound"]
    (attempt,) = client.get("/_emulator/webhooks").json()["attempts"]
    assert (attempt["event"], attempt["status"], attempt["ok"]) == ("inbound", 500, False)
    assert client.get("/_emulator/webhooks").json()["pending"] == []


def test_an_inbound_message_is_given_the_gateways_15_s_to_be_answered(
    client, emu, receiver, monkeypatch
):
    """15 s (not the queue's usual 5 s) before the attempt counts as failed, no retry."""
    emu.load_scenario(accounts(receiver))
    scheduled = []
    schedule = emu.webhooks.schedule
    monkeypatch.setattr(
        emu.webhooks, "schedule", lambda *a, **k: scheduled.append(schedule(*a, **k))
    )
    emu.inbound("sendbulk", "0712345678", "40404", "STOP")
    assert [(job.event, job.timeout, job.retry) for job in scheduled] == [("inbound", 15.0, False)]
    assert [r["path"] for r in receiver.requests] == ["/inbound"]


def test_interactive_inbound_shape(client, emu, receiver):
    emu.load_scenario(accounts(receiver, inbound_interactive=True))
    emu.inbound("sendbulk", "0733123456", "40404", "1")
    assert _json(receiver.requests[0]) == {
        "shortcode": "40404",
        "msisdn": "254733123456",
        "message": "1",
        "partnerId": PARTNER,
    }


def test_inbound_by_get(client, emu, receiver):
    emu.load_scenario(accounts(receiver, inbound_method="GET"))
    emu.inbound("sendbulk", "254712345678", "SHOP", "hi there")
    (request,) = receiver.requests
    assert request["method"] == "GET"
    assert request["path"] == "/inbound?shortcode=SHOP&mobile=254712345678&message=hi+there"


def test_inbound_to_a_shortcode_no_account_owns_is_stored_but_not_posted(client, emu, receiver):
    emu.load_scenario(accounts(receiver))
    emu.inbound("sendbulk", "254712345678", "99999", "hello")
    assert receiver.requests == []
    assert emu.messages(provider="sendbulk")[0]["provider_status"] == "Received"


def test_inbound_to_an_account_that_lists_no_shortcodes_is_posted_to_it(emu, receiver):
    """It may send from any shortcode ("omit: any"), so it gets what comes to one,
    unless another account has the shortcode assigned."""
    assigned = {**accounts(receiver)["accounts"]["sendbulk"][0], "partnerID": "99"}
    assigned["inbound_url"] = receiver.url + "/assigned"
    anyone = {"partnerID": PARTNER, "apikey": APIKEY, "inbound_url": receiver.url + "/any"}
    emu.load_scenario({"accounts": {"sendbulk": [anyone, assigned]}})
    emu.inbound("sendbulk", "0712345678", "77777", "STOP")
    emu.inbound("sendbulk", "0712345678", "40404", "START")
    assert [r["path"] for r in receiver.requests] == ["/any", "/assigned"]
    tenants = [m["tenant"] for m in emu.messages(provider="sendbulk")]
    assert tenants == [PARTNER, "99"]


def test_inbound_from_an_invalid_number_is_a_clear_admin_error(client):
    response = client.post(
        "/_emulator/inbound",
        json={"provider": "sendbulk", "from": "hello", "to": "40404", "text": "x"},
    )
    assert response.status_code == 400
    assert "not a mobile number" in response.json()["error"]


def test_every_report_of_a_jittered_scenario_carries_a_final_description(client, emu, receiver):
    """With ``mixed-delivery``'s jitter about half the reports said ``Scheduled`` or
    ``SentToNetwork``: the status was read a rounding error before the final one."""
    scenario = accounts(receiver)
    scenario.update({"timing": {"jitter": "3s"}, "seed": 3})
    scenario["rules"] = [{"outcome": {"delivered": 3, "undeliverable": 1, "send_failed": 1}}]
    emu.load_scenario(scenario)
    items = [bulk_item(f"2547123456{i:02d}") for i in range(40)]
    assert len(body(post(client, "sendbulk", bulk(items)))["responses"]) == 40
    emu.advance("1h")
    descriptions = {_json(r)["description"] for r in receiver.requests}
    assert len(receiver.requests) == 40
    assert descriptions and descriptions.isdisjoint({"Scheduled", "SentToNetwork"})


def _json(request):
    return msgspec.json.decode(request["body"])
