"""Webhook subscriptions: the validation handshake, SubscriptionInfo, and A2P notifications."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import Emulator
from emulator.providers.ringcentral import notifications as rc_notifications
from emulator.providers.ringcentral import subscriptions

from ..receiver import Receiver
from .conftest import RC, SENDER, bearer

SUBSCRIPTION = "/restapi/v1.0/subscription"
BATCHES = "/restapi/v1.0/account/~/a2p-sms/batches"
MESSAGES = "/restapi/v1.0/account/~/a2p-sms/messages"
OPT_OUTS = "/restapi/v1.0/account/~/a2p-sms/opt-outs"
HANDSET = "+14155550101"


@pytest.fixture
def receiver(webhook_receiver: Receiver) -> Receiver:
    return webhook_receiver


def subscribe(rc: RC, receiver: Receiver, filters: list[str], **extra: Any) -> dict[str, Any]:
    mode = {"transportType": "WebHook", "address": f"{receiver.url}/hook", **extra.pop("mode", {})}
    body = {"eventFilters": filters, "deliveryMode": mode, **extra}
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 200, response.text
    return response.json()


def shown(rc: RC, *filters: str) -> list[str]:
    """``filters`` as RingCentral shows them back: ``~`` replaced by the caller's ids."""
    account = rc.http.get("/restapi/v1.0/account/~", headers=rc.headers).json()["id"]
    extension = rc.http.get("/restapi/v1.0/account/~/extension/~", headers=rc.headers).json()["id"]
    return [
        f.replace("/account/~", f"/account/{account}").replace(
            "/extension/~", f"/extension/{extension}"
        )
        for f in filters
    ]


def notifications(receiver: Receiver) -> list[dict[str, Any]]:
    """The notifications received so far (the validation requests left out)."""
    return [json.loads(r.body) for r in receiver.requests if "validation-token" not in r.headers]


def subscribe_with_one_answer(
    rc: RC, headers: str, body: bytes, *, status: str = "200 OK", echo: str | None = ""
) -> httpx.Response:
    """Subscribe an address whose validation answer is ``status`` with the token echoed
    (``echo``: that value instead; None: no header), then ``headers`` (CRLF-ended lines)
    and ``body`` exactly as given."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def answer() -> None:
            connection, _ = server.accept()
            with connection:
                request = connection.recv(65536).decode("latin-1")
                token = next(
                    line.split(":", 1)[1].strip()
                    for line in request.split("\r\n")
                    if line.lower().startswith("validation-token:")
                )
                echoed = "" if echo is None else f"Validation-Token: {echo or token}\r\n"
                head = f"HTTP/1.1 {status}\r\n{echoed}{headers}"
                connection.sendall(f"{head}Connection: close\r\n\r\n".encode() + body)

        worker = threading.Thread(target=answer, daemon=True)
        worker.start()
        mode = {"transportType": "WebHook", "address": f"http://127.0.0.1:{port}/"}
        response = rc.http.post(
            SUBSCRIPTION, json={"eventFilters": [BATCHES], "deliveryMode": mode}, headers=rc.headers
        )
        worker.join(timeout=5)
    return response


def test_creating_a_subscription_validates_the_address_and_answers_subscription_info(
    rc: RC, receiver: Receiver
) -> None:
    response = rc.http.post(
        SUBSCRIPTION,
        json={
            "eventFilters": [BATCHES],
            "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
        },
        headers=rc.headers,
    )
    assert response.status_code == 200
    assert response.headers["X-Rate-Limit-Group"] == "medium"
    assert response.headers["X-Rate-Limit-Limit"] == "40"
    [validation] = receiver.requests
    assert (validation.method, validation.path, validation.body) == ("POST", "/hook", b"")
    assert validation.headers["validation-token"]
    assert validation.headers["user-agent"].startswith("RingCentral-Webhook/")
    info = response.json()
    assert list(info) == [
        "uri",
        "id",
        "creationTime",
        "status",
        "eventFilters",
        "expirationTime",
        "expiresIn",
        "deliveryMode",
    ]
    assert info["uri"].endswith(f"{SUBSCRIPTION}/{info['id']}")
    assert info["status"] == "Active"
    assert (
        info["eventFilters"]
        == shown(rc, BATCHES)
        == ["/restapi/v1.0/account/37439510/a2p-sms/batches"]
    )
    assert info["expiresIn"] == 604_800  # RingCentral's default lifetime
    assert info["creationTime"] == "2026-01-01T00:00:00.000Z"
    assert info["expirationTime"] == "2026-01-08T00:00:00.000Z"
    assert info["deliveryMode"] == {
        "transportType": "WebHook",
        "address": f"{receiver.url}/hook",
        "encryption": False,
    }
    listed = rc.http.get(SUBSCRIPTION, headers=rc.headers).json()
    assert listed["records"] == [info]
    assert rc.http.get(f"{SUBSCRIPTION}/{info['id']}", headers=rc.headers).json() == info


@pytest.mark.parametrize("answer", ["no echo", "unreachable"])
def test_an_address_that_fails_validation_is_refused_with_sub_521(
    rc: RC, receiver: Receiver, answer: str
) -> None:
    address = f"{receiver.url}/hook"
    if answer == "no echo":
        receiver.echo_validation_token = False
    else:
        address = "http://127.0.0.1:1/hook"  # nothing listens there
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": address},
    }
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "SUB-521",
        "message": "WebHook is not reachable",
        "errors": [{"errorCode": "SUB-521", "message": "WebHook is not reachable"}],
    }
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == []


@pytest.mark.parametrize("status", [500, 404, 204])
def test_a_validation_answered_with_another_status_is_refused_with_sub_522(
    rc: RC, receiver: Receiver, status: int
) -> None:
    """RingCentral's API Reference (createSubscription error codes): "400 SUB-522
    WebHook responds with incorrect HTTP status. HTTP status is 500"."""
    receiver.statuses = [status]
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
    }
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 400
    message = f"WebHook responds with incorrect HTTP status. HTTP status is {status}"
    assert response.json() == {
        "errorCode": "SUB-522",
        "message": message,
        "errors": [{"errorCode": "SUB-522", "message": message}],
    }
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == []


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"deliveryMode": {"transportType": "WebHook", "address": "x"}}, "eventFilters"),
        ({"eventFilters": [], "deliveryMode": {}}, "eventFilters"),
        ({"eventFilters": ["a2p-sms/batches"]}, "eventFilters"),
        ({"eventFilters": [f"{MESSAGES}?direction=Sideways"]}, "eventFilters"),
        ({"eventFilters": [BATCHES]}, "deliveryMode"),
        ({"eventFilters": [BATCHES], "deliveryMode": {"transportType": "PubNub"}}, None),
        ({"eventFilters": [BATCHES], "expiresIn": 0, "deliveryMode": {}}, "expiresIn"),
        ({"eventFilters": "nope"}, "eventFilters"),
    ],
)
def test_a_bad_subscription_request_is_refused_with_cmn_101(
    rc: RC, receiver: Receiver, body: dict[str, Any], parameter: str | None
) -> None:
    mode = body.get("deliveryMode")
    if mode is not None and "transportType" not in mode:
        body["deliveryMode"] = {"transportType": "WebHook", "address": f"{receiver.url}/h"}
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["errorCode"] == "CMN-101"
    assert error["errors"][0]["parameterName"] == (parameter or "deliveryMode.transportType")
    assert receiver.requests == []  # refused before any validation request


@pytest.mark.parametrize(
    "event_filter",
    [
        "/restapi/v1.0/account/999/a2p-sms/batches",
        "/restapi/v1.0/account/999/extension/~/message-store",
        "/restapi/v1.0/account/999",
    ],
)
def test_a_filter_for_another_account_is_refused_with_sub_406(
    rc: RC, receiver: Receiver, event_filter: str
) -> None:
    """RingCentral's API Reference, createSubscription: "403 SUB-406 Not allowed
    subscribe for events to extensions of other account"; refused before validation."""
    message = "Not allowed subscribe for events to extensions of other account"
    expected = {
        "errorCode": "SUB-406",
        "message": message,
        "errors": [{"errorCode": "SUB-406", "message": message}],
    }
    mode = {"transportType": "WebHook", "address": f"{receiver.url}/hook"}
    body = {"eventFilters": [BATCHES, event_filter], "deliveryMode": mode}
    refused = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert (refused.status_code, refused.json()) == (403, expected)
    assert receiver.requests == []  # no validation request for it
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == []
    # a PUT naming it is refused alike, and the subscription keeps its filters
    made = subscribe(rc, receiver, [BATCHES])
    path = f"{SUBSCRIPTION}/{made['id']}"
    changed = rc.http.put(path, json={"eventFilters": [event_filter]}, headers=rc.headers)
    assert (changed.status_code, changed.json()) == (403, expected)
    assert rc.http.get(path, headers=rc.headers).json()["eventFilters"] == shown(rc, BATCHES)
    # the caller's own account, by its id, is not another's
    account = rc.http.get("/restapi/v1.0/account/~", headers=rc.headers).json()["id"]
    own = event_filter.replace("/account/999", f"/account/{account}")
    assert subscribe(rc, receiver, [own])["eventFilters"] == shown(rc, own)


def test_subscriptions_need_a_valid_token(rc: RC) -> None:
    response = rc.http.get(SUBSCRIPTION)
    assert (response.status_code, response.json()["errorCode"]) == (401, "AGW-401")


def test_batch_events_arrive_when_accepted_and_when_completed(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscription = subscribe(rc, receiver, [BATCHES])
    batch = rc.send(["+14155550101", "+14155550102"])
    sms_emulator.advance("1m")
    accepted, completed = notifications(receiver)
    for note in (accepted, completed):
        assert list(note) == ["uuid", "event", "subscriptionId", "ownerId", "timestamp", "body"]
        assert note["subscriptionId"] == subscription["id"]
        assert note["ownerId"] == rc.token["owner_id"]
        assert note["event"].startswith("/restapi/v1.0/account/")
        assert note["event"].endswith("/a2p-sms/batches") and "~" not in note["event"]
    assert accepted["uuid"] != completed["uuid"]
    assert accepted["body"] == {
        key: value for key, value in batch.items() if key != "rejected"
    }  # as the 201 showed it: Processing, nothing processed, no cost
    now = rc.get(f"/batches/{batch['id']}").json()
    assert completed["body"] == {key: value for key, value in now.items() if key != "rejected"}
    assert completed["body"]["status"] == "Completed" and "cost" in completed["body"]
    assert completed["timestamp"] == now["lastModifiedTime"][:23] + "Z"
    verification = [r for r in receiver.requests if "validation-token" not in r.headers]
    assert all(r.headers["content-type"].startswith("application/json") for r in verification)


def test_nothing_is_sent_before_the_clock_reaches_the_event(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscribe(rc, receiver, [f"{MESSAGES}?direction=Outbound"])
    rc.send([HANDSET])
    assert notifications(receiver) == []  # Queued is what the POST's answer already said
    sms_emulator.advance("1h")
    assert [n["body"]["messageStatus"] for n in notifications(receiver)] == ["Sent", "Delivered"]


def test_message_events_follow_each_status_an_outbound_message_reaches(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    sms_emulator.load_scenario({"rules": [{"when": {"to": "*02"}, "outcome": "undeliverable"}]})
    subscribe(rc, receiver, [f"{MESSAGES}?direction=Outbound&from={SENDER}"])
    rc.send(["+14155550101", "+14155550102"])
    sms_emulator.advance("30m")
    rc.relogin()
    seen = [(n["body"]["to"], n["body"]["messageStatus"]) for n in notifications(receiver)]
    assert sorted(seen) == [
        (["+14155550101"], "Delivered"),
        (["+14155550101"], "Sent"),
        (["+14155550102"], "DeliveryFailed"),
        (["+14155550102"], "Sent"),
    ]
    for note in notifications(receiver):
        body = note["body"]
        assert isinstance(body["id"], str)
        assert note["event"].endswith(f"/a2p-sms/messages?direction=Outbound&from={SENDER}")
        assert note["timestamp"] == body["lastModifiedTime"][:23] + "Z"
        if body["messageStatus"] == "DeliveryFailed":
            assert body["errorCode"] == "SMS-CAR-104"
        now = rc.get(f"/messages/{body['id']}").json()
        if body["messageStatus"] == now["messageStatus"]:
            assert body == now  # the final event is the message as GET shows it
    timestamps = [n["timestamp"] for n in notifications(receiver)]
    assert timestamps == sorted(timestamps)


@pytest.mark.parametrize(
    ("event_filter", "expected"),
    [
        (f"{MESSAGES}?direction=Inbound", 0),
        (f"{MESSAGES}?from=+19995550100", 0),
        (f"{MESSAGES}?batchId=not-this-one", 0),
        (f"{BATCHES}?from=+19995550100", 0),
        (f"{BATCHES}/not-this-one", 0),
        (f"{BATCHES}?from={SENDER}", 2),
        ("/restapi/v1.0/account/~/a2p-sms/batch?from=+19995550100", 0),
        (f"/restapi/v1.0/account/~/a2p-sms/batch?from={SENDER}", 2),  # RC's sample app's
        ("/restapi/v1.0/account/~/a2p-sms/batch", 2),
        (f"{MESSAGES}?from=%2B16505550100", 2),
    ],
)
def test_filter_parameters_select_what_is_notified(
    rc: RC, receiver: Receiver, sms_emulator: Emulator, event_filter: str, expected: int
) -> None:
    subscribe(rc, receiver, [event_filter])
    rc.send([HANDSET])
    sms_emulator.advance("30m")
    assert len(notifications(receiver)) == expected


def test_a_subscription_to_one_batch_made_after_sending_it_gets_what_is_left(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    batch = rc.send([HANDSET, "+14155550102"])
    sms_emulator.advance("1s")  # processing, nothing sent yet
    subscribe(rc, receiver, [f"{BATCHES}/{batch['id']}", f"{MESSAGES}?batchId={batch['id']}"])
    sms_emulator.advance("30m")
    seen = [n["body"].get("status") or n["body"]["messageStatus"] for n in notifications(receiver)]
    assert sorted(seen) == ["Completed", "Delivered", "Delivered", "Sent", "Sent"]
    assert all(batch["id"] in n["event"] for n in notifications(receiver))


def test_inbound_messages_and_opt_outs_are_notified_with_the_verification_token(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscribe(
        rc,
        receiver,
        [f"{MESSAGES}?direction=Inbound&to={SENDER}", OPT_OUTS],
        mode={"verificationToken": "my-secret"},
    )
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "Where is my order?")
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "STOP")
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "START")
    sent = [r for r in receiver.requests if "validation-token" not in r.headers]
    assert {r.headers["verification-token"] for r in sent} == {"my-secret"}
    bodies = [json.loads(r.body)["body"] for r in sent]
    texts = [b["text"] for b in bodies if "text" in b]
    assert texts == ["Where is my order?", "STOP", "START"]
    inbound = bodies[0]
    assert inbound["direction"] == "Inbound" and inbound["from"] == HANDSET
    assert inbound["to"] == [SENDER] and isinstance(inbound["id"], str)
    assert [b for b in bodies if "active" in b] == [
        {"from": SENDER, "to": HANDSET, "active": True},
        {"from": SENDER, "to": HANDSET, "active": False},
    ]


def test_a_messages_filter_with_to_gets_only_inbound_messages_written_to_that_number(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """``to`` selects the number an inbound message was written to: not another of the
    account's numbers, and no outbound message (whose ``to`` is a handset)."""
    subscribe(rc, receiver, [f"{MESSAGES}?to={SENDER}"])
    rc.send([HANDSET])
    sms_emulator.inbound("ringcentral", HANDSET, "+16505550111", "to the other number")
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "to this one")
    sms_emulator.advance("30m")
    got = notifications(receiver)
    assert [(n["body"]["direction"], n["body"]["text"]) for n in got] == [
        ("Inbound", "to this one")
    ]


def test_inbound_and_opt_out_events_go_only_to_filters_whose_parameters_they_match(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    other = "+14155550199"
    subscribe(
        rc,
        receiver,
        [
            f"{MESSAGES}?direction=Outbound",
            f"{MESSAGES}?direction=Inbound&from={other}",
            f"{OPT_OUTS}?to={other}",
            f"{OPT_OUTS}?from={SENDER}&to={HANDSET}",
        ],
    )
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "STOP")
    sms_emulator.advance("30m")
    got = notifications(receiver)
    assert [n["body"] for n in got] == [{"from": SENDER, "to": HANDSET, "active": True}]
    assert got[0]["event"] == shown(rc, f"{OPT_OUTS}?from={SENDER}&to={HANDSET}")[0]


def test_the_opt_out_filter_takes_the_parameters_its_event_page_lists(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """RingCentral's "Batch Message Opt-Out Event" page lists ``direction``, ``batchId``,
    ``from`` and ``to`` as the opt-out filter's query parameters: a filter with them is
    accepted, and (the page not saying what the first two select in an opt-out event,
    which has neither) they do not narrow what is notified."""
    sent = rc.send([HANDSET])
    event_filter = f"{OPT_OUTS}?direction=Inbound&batchId={sent['id']}&from={SENDER}"
    subscribe(rc, receiver, [event_filter])
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "STOP")
    got = notifications(receiver)
    assert [n["body"] for n in got] == [{"from": SENDER, "to": HANDSET, "active": True}]
    assert got[0]["event"] == shown(rc, event_filter)[0]


def test_a_deleted_subscription_gets_nothing_more(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscription = subscribe(rc, receiver, [BATCHES])
    rc.send([HANDSET])  # its Completed event is due later
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    deleted = rc.http.delete(path, headers=rc.headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    sms_emulator.advance("30m")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Processing"]
    assert sms_emulator.webhooks.pending() == []
    gone = rc.http.get(path, headers=rc.headers)
    assert gone.status_code == 404
    assert gone.json()["errors"][0] == {
        "errorCode": "CMN-102",
        "message": "Resource for parameter [subscriptionId] is not found.",
        "parameterName": "subscriptionId",
    }


@pytest.mark.parametrize("given", ["600", " 600", 600.0])
def test_expires_in_as_a_string_of_digits_or_a_whole_float_is_read_as_the_number(
    rc: RC, receiver: Receiver, given: object
) -> None:
    # RingCentral's own HV SMS app sends `expiresIn: process.env.WEBHOOK_EXPIRES_IN`,
    # a string whenever the variable is set.
    subscription = subscribe(rc, receiver, [BATCHES], expiresIn=given)
    assert subscription["expiresIn"] == 600
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    updated = rc.http.put(path, json={"expiresIn": "900"}, headers=rc.headers)
    assert updated.status_code == 200 and updated.json()["expiresIn"] == 900
    longest = rc.http.put(path, json={"expiresIn": "9" * 5000}, headers=rc.headers)
    assert longest.status_code == 200  # past int()'s 4,300 digits: the longest lifetime
    assert longest.json()["expiresIn"] == 315_360_000


@pytest.mark.parametrize("given", ["600s", "6e2", "", "0x10", "-", 600.5, True, [600], "0"])
def test_expires_in_that_is_no_whole_positive_number_is_refused(
    rc: RC, receiver: Receiver, given: object
) -> None:
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
        "expiresIn": given,
    }
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", "expiresIn")


def test_an_expired_subscription_gets_nothing_until_renewed(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscription = subscribe(rc, receiver, [BATCHES], expiresIn=60)
    assert subscription["expiresIn"] == 60
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    sms_emulator.advance("61s")
    rc.send([HANDSET])
    sms_emulator.advance("1m")
    assert notifications(receiver) == []
    assert rc.http.get(path, headers=rc.headers).json()["expiresIn"] == 0
    renewed = rc.http.post(f"{path}/renew", headers=rc.headers)
    assert renewed.status_code == 200
    assert (renewed.json()["status"], renewed.json()["expiresIn"]) == ("Active", 60)
    rc.send([HANDSET])
    sms_emulator.advance("10s")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Processing", "Completed"]


def test_put_replaces_the_filters_and_renews(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscription = subscribe(rc, receiver, [BATCHES], expiresIn=600)
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    sms_emulator.advance("5m")
    renewed = rc.http.put(path, headers=rc.headers)  # an empty PUT renews, for the default
    assert renewed.status_code == 200 and renewed.json()["expiresIn"] == 604_800
    updated = rc.http.put(
        path,
        json={
            "eventFilters": [OPT_OUTS],
            "expiresIn": 900,
            "deliveryMode": {"address": "http://127.0.0.1:1/elsewhere"},  # ignored
        },
        headers=rc.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["eventFilters"] == shown(rc, OPT_OUTS)
    assert updated.json()["expiresIn"] == 900
    assert updated.json()["deliveryMode"]["address"] == f"{receiver.url}/hook"
    rc.send([HANDSET])
    sms_emulator.inbound("ringcentral", HANDSET, SENDER, "stop")
    sms_emulator.advance("1m")
    assert [n["body"] for n in notifications(receiver)] == [
        {"from": SENDER, "to": HANDSET, "active": True}
    ]


@pytest.mark.parametrize("change", [None, {"eventFilters": [BATCHES, OPT_OUTS]}])
def test_a_put_that_keeps_a_filter_keeps_the_events_already_due_to_it(
    rc: RC, receiver: Receiver, sms_emulator: Emulator, change: dict[str, Any] | None
) -> None:
    """A renewing PUT (empty, or with the filter kept among others) drops nothing: the
    batch's Completed event, due after the PUT, still arrives."""
    subscription = subscribe(rc, receiver, [BATCHES])
    rc.send([HANDSET])  # Processing now, Completed once processed
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    assert rc.http.put(path, json=change, headers=rc.headers).status_code == 200
    sms_emulator.advance("1m")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Processing", "Completed"]


def test_another_accounts_subscription_is_not_found(rc: RC, receiver: Receiver) -> None:
    subscription = subscribe(rc, receiver, [BATCHES])
    emu = rc.emu
    emu.load_scenario(
        {
            "accounts": {
                "ringcentral": [
                    {"client_id": "client-id", "client_secret": "client-secret"},
                    {"client_id": "other", "client_secret": "s", "account_id": "555"},
                ]
            }
        }
    )
    other = bearer(rc.http, auth=("other", "s"))
    response = rc.http.get(f"{SUBSCRIPTION}/{subscription['id']}", headers=other)
    assert response.status_code == 404
    assert rc.http.get(SUBSCRIPTION, headers=other).json()["records"] == []


def test_notifications_survive_a_restart_with_a_database(tmp_path: Path) -> None:
    receiver = Receiver().start()
    try:
        first = Emulator(db=tmp_path / "state.sqlite3")
        rc = RC(first)
        subscribe(rc, receiver, [BATCHES])
        rc.send([HANDSET])
        first.close()
        again = Emulator(db=tmp_path / "state.sqlite3")
        again.advance("1m")
        assert [n["body"]["status"] for n in notifications(receiver)] == [
            "Processing",
            "Completed",
        ]
        listed = RC(again).http.get(SUBSCRIPTION, headers=RC(again).headers).json()["records"]
        assert len(listed) == 1
        again.close()
    finally:
        receiver.stop()


def test_renewal_reminders_count_down_and_follow_a_renewal(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    reminder = "/restapi/v1.0/subscription/~?threshold=300&interval=120"
    subscription = subscribe(rc, receiver, [BATCHES, reminder], expiresIn=600)
    sms_emulator.advance("400s")  # reminders at 300 s, then every 120 s until expiry
    assert [n["body"] for n in notifications(receiver)] == [{"expiresIn": 300}]
    assert notifications(receiver)[0]["event"] == reminder
    path = f"{SUBSCRIPTION}/{subscription['id']}/renew"
    assert rc.http.post(path, headers=rc.headers).status_code == 200  # expires at 1,000 s now
    sms_emulator.advance("600s")
    assert [n["body"]["expiresIn"] for n in notifications(receiver)] == [300, 300, 180, 60]
    stamps = [n["timestamp"][11:19] for n in notifications(receiver)]
    assert stamps == ["00:05:00", "00:11:40", "00:13:40", "00:15:40"]


@pytest.mark.parametrize(
    "query",
    [
        "threshold=300&interval=200",  # over half the threshold
        "threshold=400&interval=100",  # a threshold over half the lifetime
        "threshold=300",
        "interval=120",
        "threshold=x&interval=60",
        f"threshold={'9' * 5000}&interval=60",
    ],
)
def test_a_renewal_reminder_filter_needs_a_sane_threshold_and_interval(
    rc: RC, receiver: Receiver, query: str
) -> None:
    body = {
        "eventFilters": [f"/restapi/v1.0/subscription/~?{query}"],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/h"},
        "expiresIn": 600,
    }
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert (response.status_code, response.json()["errorCode"]) == (400, "CMN-101")


def test_a_subscription_of_renewal_reminders_alone_is_refused_with_sub_515(
    rc: RC, receiver: Receiver
) -> None:
    """RingCentral's API Reference (createSubscription error codes): "400 SUB-515
    Subscription containing only reminder filter is not allowed"."""
    reminder = "/restapi/v1.0/subscription/~?threshold=300&interval=120"
    mode = {"transportType": "WebHook", "address": f"{receiver.url}/h"}
    body = {"eventFilters": [reminder], "deliveryMode": mode, "expiresIn": 600}
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    message = "Subscription containing only reminder filter is not allowed"
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "SUB-515",
        "message": message,
        "errors": [{"errorCode": "SUB-515", "message": message}],
    }
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == []
    # nor may a PUT leave a subscription with reminders alone
    subscription = subscribe(rc, receiver, [BATCHES, reminder], expiresIn=600)
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    changed = rc.http.put(path, json={"eventFilters": [reminder]}, headers=rc.headers)
    assert (changed.status_code, changed.json()["errorCode"]) == (400, "SUB-515")
    assert rc.http.get(path, headers=rc.headers).json()["eventFilters"] == shown(
        rc, BATCHES, reminder
    )


def test_a_reminders_only_subscription_an_earlier_version_stored_may_still_change_lifetime(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """Stored before SUB-515 (a ``--db`` file): a PUT that leaves its filters alone is
    not refused for them; a PUT that sets reminders alone again is."""
    reminder = "/restapi/v1.0/subscription/~?threshold=300&interval=120"
    subscription = subscribe(rc, receiver, [BATCHES, reminder], expiresIn=600)
    stored = sms_emulator.store.get_state(subscriptions.NAMESPACE, subscription["id"])
    stored["eventFilters"] = [reminder]
    sms_emulator.store.put_state(subscriptions.NAMESPACE, subscription["id"], stored)
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    longer = rc.http.put(path, json={"expiresIn": 1200}, headers=rc.headers)
    assert longer.status_code == 200, longer.text
    assert longer.json()["eventFilters"] == [reminder] and longer.json()["expiresIn"] == 1200
    again = rc.http.put(path, json={"eventFilters": [reminder]}, headers=rc.headers)
    assert (again.status_code, again.json()["errorCode"]) == (400, "SUB-515")


def test_the_remaining_subscription_still_gets_everything_after_a_restart_and_a_delete(
    tmp_path: Path, webhook_receiver: Receiver
) -> None:
    first = Emulator(db=tmp_path / "state.sqlite3")
    rc = RC(first)
    keep = subscribe(rc, webhook_receiver, [BATCHES])
    drop = subscribe(rc, webhook_receiver, [OPT_OUTS])
    first.close()
    again = Emulator(db=tmp_path / "state.sqlite3")
    try:
        rc = RC(again)
        assert rc.http.delete(f"{SUBSCRIPTION}/{drop['id']}", headers=rc.headers).status_code == 204
        rc.send([HANDSET])
        again.advance("1m")
        got = [(n["subscriptionId"], n["body"]["status"]) for n in notifications(webhook_receiver)]
        assert got == [(keep["id"], "Processing"), (keep["id"], "Completed")]
    finally:
        again.close()


def test_validation_has_three_seconds_in_all_not_per_read(
    rc: RC, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receiver that trickles its answer never exceeds the per-read timeout."""
    monkeypatch.setattr(subscriptions, "VALIDATION_TIMEOUT", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def trickle() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nValidation-Token: x\r\n\r\n":
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        return  # the emulator gave up, as it should
                    time.sleep(0.1)  # real-time ok: under the per-read timeout each time

        worker = threading.Thread(target=trickle, daemon=True)
        worker.start()
        started = time.monotonic()
        body = {
            "eventFilters": [BATCHES],
            "deliveryMode": {"transportType": "WebHook", "address": f"http://127.0.0.1:{port}/"},
        }
        response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
        took = time.monotonic() - started
    assert response.json()["errorCode"] == "SUB-521"
    assert took < 2.0  # the trickle would take over 4 s


def test_a_notification_answered_after_three_seconds_has_failed_and_is_retried(
    rc: RC, receiver: Receiver, sms_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RingCentral's webhook URL "must respond within 3000 milliseconds", notifications
    as the validation request: a slower answer is a failure ("Read timed out"), not the
    queue's 5 s of other providers.  (The wait is shortened here; the value is checked.)"""
    subscribe(rc, receiver, [BATCHES])
    monkeypatch.setattr(rc_notifications, "RESPONSE_TIMEOUT", 0.3, raising=False)

    def slow(request: Any) -> None:
        if "validation-token" not in request.headers:
            time.sleep(0.6)  # real-time ok: longer than the (shortened) timeout

    receiver.on_request = slow
    rc.send([HANDSET])  # its Processing notification is due at once
    validation, attempt = sms_emulator.webhooks.attempts_kept()
    assert (validation["event"], validation["ok"]) == ("subscription validation", True)
    assert attempt["ok"] is False and "Timeout" in attempt["error"]
    assert len(sms_emulator.webhooks.pending()) == 2  # the retry, and Completed
    monkeypatch.undo()
    assert rc_notifications.RESPONSE_TIMEOUT == 3.0


def validation_attempts(emu: Emulator) -> list[dict[str, Any]]:
    attempts = emu.webhook_report()["attempts"]
    return [a for a in attempts if a["event"] == "subscription validation"]


def test_the_validation_request_is_listed_with_the_webhook_attempts(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    subscribe(rc, receiver, [BATCHES])
    [attempt] = validation_attempts(sms_emulator)
    assert attempt == {
        "time": "2026-01-01T00:00:00.000000Z",
        "provider": "ringcentral",
        "event": "subscription validation",
        "message_id": None,
        "method": "POST",
        "url": f"{receiver.url}/hook",
        "attempt": 1,
        "status": 200,
        "ok": True,
        "error": None,
        "duration_ms": attempt["duration_ms"],
        "request_url": f"{receiver.url}/hook",
        "request_headers": attempt["request_headers"],
        "request_body": "",
        "request_size": 0,
        "number": 1,
    }
    assert isinstance(attempt["duration_ms"], float)
    [validation] = receiver.requests  # what the receiver got, header names lower-cased
    assert {k.lower(): v for k, v in attempt["request_headers"].items()} == validation.headers
    assert attempt["request_headers"]["Validation-Token"] == validation.headers["validation-token"]


@pytest.mark.parametrize(
    ("answer", "code", "why"),
    [
        ({"echo": None}, "SUB-521", "answered 200 without the Validation-Token header echoed"),
        ({"echo": "other"}, "SUB-521", "answered 200 echoing Validation-Token 'other', not '"),
        ({"headers": "Content-Length: 1500\r\n"}, "SUB-525", "an answer of "),
        ({"status": "500 Oops"}, "SUB-522", "HTTP 500, not 200"),
    ],
)
def test_why_a_validation_failed_is_listed_though_ringcentral_s_answer_does_not_say(
    rc: RC, sms_emulator: Emulator, answer: dict[str, Any], code: str, why: str
) -> None:
    headers = answer.pop("headers", "")
    body = b"x" * 1500 if headers else b""
    response = subscribe_with_one_answer(rc, headers, body, **answer)
    assert response.status_code == 400 and response.json()["errorCode"] == code
    [attempt] = validation_attempts(sms_emulator)
    assert attempt["ok"] is False and attempt["status"] == (500 if "status" in answer else 200)
    assert attempt["error"].startswith(why) and attempt["error"].endswith(f": {code}")


def test_a_validation_request_a_reset_overtook_is_not_listed(
    rc: RC, sms_emulator: Emulator
) -> None:
    """The next test's list of attempts starts empty, as its messages do."""
    arrived, go = threading.Event(), threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer_late() -> None:
            connection, _ = server.accept()
            with connection:
                request = connection.recv(65536).decode("latin-1")
                token = request.split("alidation-Token: ", 1)[1].split("\r\n", 1)[0]
                arrived.set()
                go.wait(timeout=10)
                head = f"HTTP/1.1 200 OK\r\nValidation-Token: {token}\r\n"
                connection.sendall(f"{head}Content-Length: 0\r\n\r\n".encode())

        worker = threading.Thread(target=answer_late, daemon=True)
        worker.start()
        mode = {
            "transportType": "WebHook",
            "address": f"http://127.0.0.1:{server.getsockname()[1]}/",
        }
        body = {"eventFilters": [BATCHES], "deliveryMode": mode}
        seen: list[object] = []

        def subscribe_now() -> None:
            try:
                seen.append(rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers))
            except httpx.HTTPError as exc:  # a request a reset overtook: no answer
                seen.append(exc)

        subscriber = threading.Thread(target=subscribe_now, daemon=True)
        subscriber.start()
        assert arrived.wait(timeout=10)
        sms_emulator.reset()
        go.set()
        subscriber.join(timeout=10)
        worker.join(timeout=10)
    assert seen and not subscriber.is_alive()
    assert validation_attempts(sms_emulator) == []
    assert sms_emulator.webhooks.attempts_made == 0


def test_a_validation_request_that_reached_no_one_is_listed_as_failed(
    rc: RC, sms_emulator: Emulator
) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
    port = closed.getsockname()[1]
    mode = {"transportType": "WebHook", "address": f"http://127.0.0.1:{port}/hook"}
    body = {"eventFilters": [BATCHES], "deliveryMode": mode}
    try:
        refused = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    finally:
        closed.close()
    assert refused.json()["errorCode"] == "SUB-521"
    [attempt] = validation_attempts(sms_emulator)
    assert (attempt["status"], attempt["ok"]) == (None, False)
    assert attempt["error"].startswith("ConnectError") and attempt["error"].endswith(": SUB-521")


@pytest.mark.parametrize(("body_bytes", "created"), [(800, True), (1500, False)])
def test_a_validation_answer_over_1024_bytes_is_refused_with_sub_525(
    rc: RC, body_bytes: int, created: bool
) -> None:
    """RingCentral Developers, "Common Questions on RingCentral WebHooks": a webhook
    "should NOT respond with a response larger than 1024 bytes", else SUB-525 "WebHook
    server response is invalid" (headers and body counted)."""
    headers = f"Content-Length: {body_bytes}\r\n"
    response = subscribe_with_one_answer(rc, headers, b"x" * body_bytes)
    if created:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "SUB-525",
        "message": "WebHook server response is invalid",
        "errors": [{"errorCode": "SUB-525", "message": "WebHook server response is invalid"}],
    }
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == []


def test_a_batch_with_every_recipient_rejected_is_notified_completed_when_it_reads_so(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """Nothing to process: a read right after the POST shows it Completed, so the
    Completed notification is due then too, not after the scenario's processing time."""
    subscribe(rc, receiver, [BATCHES])
    batch = rc.send(["+4088070206"])  # the seed's invalid number: rejected
    assert batch["batchSize"] == 0
    sms_emulator.advance("1s")  # less than the 2 s of processing
    got = notifications(receiver)
    assert [n["body"]["status"] for n in got] == ["Processing", "Completed"]
    completed = got[1]
    read = rc.get(f"/batches/{batch['id']}").json()
    assert completed["body"]["lastModifiedTime"] == read["lastModifiedTime"]
    assert completed["timestamp"] == "2026-01-01T00:00:00.000Z"


def test_two_renewals_at_one_moment_leave_one_set_of_reminders(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    reminder = "/restapi/v1.0/subscription/~?threshold=300&interval=120"
    subscription = subscribe(rc, receiver, [BATCHES, reminder], expiresIn=600)
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    for _ in range(2):
        assert rc.http.post(f"{path}/renew", headers=rc.headers).status_code == 200
    assert rc.http.put(path, json={"expiresIn": 600}, headers=rc.headers).status_code == 200
    sms_emulator.advance("600s")
    assert [n["body"]["expiresIn"] for n in notifications(receiver)] == [300, 180, 60]


def test_a_filter_dropped_and_added_again_gets_each_event_once(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    batch = rc.send([HANDSET])
    named = f"{BATCHES}/{batch['id']}"
    subscription = subscribe(rc, receiver, [named])
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    for filters in ([OPT_OUTS], [OPT_OUTS, named]):
        response = rc.http.put(path, json={"eventFilters": filters}, headers=rc.headers)
        assert response.status_code == 200
    sms_emulator.advance("1m")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Completed"]


def test_a_subscription_made_as_a_reset_comes_draws_nothing_from_the_fresh_state(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    def reset_during_validation(request: Any) -> None:
        if "validation-token" in request.headers and receiver.on_request is not None:
            receiver.on_request = None
            sms_emulator.reset()

    receiver.on_request = reset_during_validation
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
    }
    with pytest.raises(httpx.RemoteProtocolError):  # dropped: it belongs to the state gone
        rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    rc.relogin()
    after_reset = subscribe(rc, receiver, [BATCHES])["id"]
    fresh = Emulator(sms_emulator.scenario)
    try:
        assert subscribe(RC(fresh), receiver, [BATCHES])["id"] == after_reset
    finally:
        fresh.close()


def test_head_reads_subscriptions_as_get_does(rc: RC, receiver: Receiver) -> None:
    subscription = subscribe(rc, receiver, [BATCHES])
    for path in (SUBSCRIPTION, f"{SUBSCRIPTION}/{subscription['id']}"):
        response = rc.http.head(path, headers=rc.headers)
        assert (response.status_code, response.content) == (200, b"")
    refused = rc.http.patch(SUBSCRIPTION, headers=rc.headers)
    assert refused.status_code == 405
    assert set(refused.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("token", ["two\r\nlines", "naïve", "tab\there"])
def test_a_verification_token_that_cannot_be_a_header_is_refused(
    rc: RC, receiver: Receiver, token: str
) -> None:
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {
            "transportType": "WebHook",
            "address": f"{receiver.url}/hook",
            "verificationToken": token,
        },
    }
    response = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameterName"] == "deliveryMode.verificationToken"


def test_renewing_is_in_the_light_group_and_changes_in_the_medium_one(
    rc: RC, receiver: Receiver
) -> None:
    path = f"{SUBSCRIPTION}/{subscribe(rc, receiver, [BATCHES])['id']}"
    groups = {
        "renew": rc.http.post(f"{path}/renew", headers=rc.headers),
        "put": rc.http.put(path, headers=rc.headers),
        "get": rc.http.get(path, headers=rc.headers),
        "list": rc.http.get(SUBSCRIPTION, headers=rc.headers),
        "delete": rc.http.delete(path, headers=rc.headers),
    }
    assert {k: r.headers["X-Rate-Limit-Group"] for k, r in groups.items()} == {
        "renew": "light",
        "put": "medium",
        "get": "light",
        "list": "light",
        "delete": "medium",
    }


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"client_id": "client-id", "client_secret": "client-secret"},
                {"client_id": "second-app", "client_secret": "s"},
            ]
        }
    }
)
def test_each_client_application_sees_only_its_own_subscriptions(
    rc: RC, receiver: Receiver
) -> None:
    """RingCentral lists "subscriptions created by the user for the current authorized
    client application"."""
    subscription = subscribe(rc, receiver, [BATCHES])
    other_app = bearer(rc.http, auth=("second-app", "s"))
    assert rc.http.get(SUBSCRIPTION, headers=other_app).json()["records"] == []
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    for method in ("GET", "PUT", "DELETE"):
        assert rc.http.request(method, path, headers=other_app).status_code == 404
    assert rc.http.get(path, headers=rc.headers).status_code == 200


def test_one_filter_written_with_the_account_id_and_with_a_tilde_notifies_once(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    account = rc.http.get("/restapi/v1.0/account/~", headers=rc.headers).json()["id"]
    subscribe(rc, receiver, [BATCHES, f"/restapi/v1.0/account/{account}/a2p-sms/batches"])
    rc.send([HANDSET])
    sms_emulator.advance("1m")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Processing", "Completed"]


def test_the_singular_batch_filter_gets_the_batch_events_under_its_own_name(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """``a2p-sms/batch``: an earlier revision of RingCentral's event list, and its High
    Volume SMS sample app (``a2p-sms/batch?from=``), spell the batch filter so."""
    legacy = "/restapi/v1.0/account/~/a2p-sms/batch"
    batch = rc.send([HANDSET])
    subscribe(rc, receiver, [f"{legacy}/{batch['id']}"])
    sms_emulator.advance("30m")
    (completed,) = notifications(receiver)
    assert completed["body"]["id"] == batch["id"] and completed["body"]["status"] == "Completed"
    assert completed["event"].endswith(f"/a2p-sms/batch/{batch['id']}")
    assert "~" not in completed["event"]


def test_a_receiver_failing_for_ten_minutes_gets_its_subscription_blacklisted(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """RingCentral: a WebHook URL failing "during 10 minutes" gets its subscription
    blacklisted: `status` "Blacklisted" with `blacklistedData`, and no more
    notifications (delete it and subscribe again). A success ends a run of failures."""
    info = subscribe(rc, receiver, [BATCHES])
    url = f"{SUBSCRIPTION}/{info['id']}"
    receiver.statuses = [500]  # 0:00 Processing fails; 0:02 Completed succeeds
    rc.send([HANDSET])
    sms_emulator.advance("15m")
    receiver.statuses = [500] * 100
    rc.send([HANDSET])  # 15:00 a run of failures starts (the one at 0:00 ended at 0:02)
    sms_emulator.advance("9m")
    rc.send([HANDSET])  # 24:00: nine minutes into it
    assert rc.http.get(url, headers=rc.headers).json()["status"] == "Active"
    sms_emulator.advance("3m")  # its next attempt, 26:35 (a retry), is past ten minutes
    body = rc.http.get(url, headers=rc.headers).json()
    assert body["status"] == "Blacklisted"
    assert body["blacklistedData"] == {
        "reason": "Webhook responses with code: [500], reason: [Internal Server Error]",
        "blacklistedAt": "2026-01-01T00:26:35.000Z",
    }
    assert rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"] == [body]
    # no more notifications, not even for a receiver that works again
    receiver.statuses = []
    sent = len(receiver.requests)
    rc.send([HANDSET])
    sms_emulator.advance("10m")
    assert len(receiver.requests) == sent
    renewed = rc.http.post(f"{url}/renew", headers=rc.headers).json()
    assert renewed["status"] == "Blacklisted"  # for good: delete it and subscribe again
    assert rc.http.delete(url, headers=rc.headers).status_code == 204
    again = subscribe(rc, receiver, [BATCHES])
    assert again["status"] == "Active" and "blacklistedData" not in again


def test_a_blacklisting_names_a_timeout_and_an_unreachable_receiver_as_ringcentral_does() -> None:
    reason = rc_notifications._reason
    assert reason({"status": 404, "error": "HTTP 404"}) == (
        "Webhook responses with code: [404], reason: [Not Found]"
    )
    timed_out = {"status": None, "error": "ReadTimeout: timed out"}
    assert reason(timed_out) == "I/O operation is failed. Details: [Read timed out]"
    refused = {"status": None, "error": "ConnectError: [Errno 111] Connection refused"}
    assert reason(refused) == "I/O operation is failed. Details: [Connection refused]"
    assert reason({"status": 599, "error": "HTTP 599"}) == (
        "Webhook responses with code: [599], reason: []"  # a status with no phrase
    )
    dropped = {"status": None, "error": "RemoteProtocolError: Server disconnected"}
    assert reason(dropped) == "I/O operation is failed. Details: [Server disconnected]"
    assert reason({"status": None}) == "I/O operation is failed. Details: [Connection failed]"


def test_a_blacklisted_subscription_has_nothing_queued_for_it(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """A blacklisted subscription gets no more notifications: they are not queued at all
    (as for an expired one) rather than queued, listed as pending, written down and
    dropped when due; nor are a renewal's reminders."""
    reminders = f"{SUBSCRIPTION}/~?threshold=3600&interval=1800"
    info = subscribe(rc, receiver, [BATCHES, reminders])
    url = f"{SUBSCRIPTION}/{info['id']}"
    receiver.statuses = [500] * 100
    rc.send([HANDSET])  # 0:00 the run of failures starts
    sms_emulator.advance("9m")
    rc.send([HANDSET])  # its last retry, 11:35, is past ten minutes
    sms_emulator.advance("3m")
    assert rc.http.get(url, headers=rc.headers).json()["status"] == "Blacklisted"

    def queued() -> list[str]:
        return [job.event for job in sms_emulator.webhooks.pending()]

    before = queued()  # the two reminders queued when it was made (dropped when due)
    assert len(before) == 2
    rc.send([HANDSET])
    assert queued() == before  # not its Completed event
    assert rc.http.post(f"{url}/renew", headers=rc.headers).status_code == 200
    assert queued() == before  # nor the renewal's reminders


def test_a_receiver_not_tried_for_over_ten_minutes_starts_a_new_run_of_failures(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """Failures an idle spell apart are not ten minutes of failing: one event failing
    all its attempts (0:00 to 2:37), then another 20 minutes later, is still Active."""
    info = subscribe(rc, receiver, [BATCHES])
    receiver.statuses = [503] * 100
    rc.send([HANDSET])
    sms_emulator.advance("20m")
    rc.send([HANDSET])  # 20:00, its Processing attempt fails: a new run
    sms_emulator.advance("3m")  # its retries, to 22:37: under ten minutes of this run
    body = rc.http.get(f"{SUBSCRIPTION}/{info['id']}", headers=rc.headers).json()
    assert body["status"] == "Active" and "blacklistedData" not in body


def test_the_validation_answer_is_measured_as_sent_a_compressed_body_compressed(
    rc: RC,
) -> None:
    """1024 bytes on the wire: a gzip body of 2,000 bytes unpacked but ~40 sent passes."""
    import gzip

    packed = gzip.compress(b"x" * 2000)
    headers = f"Content-Encoding: gzip\r\nContent-Length: {len(packed)}\r\n"
    response = subscribe_with_one_answer(rc, headers, packed)
    assert response.status_code == 200, response.text


def test_a_user_holds_thirty_subscriptions_through_one_app_and_the_next_gets_sub_505(
    rc: RC, receiver: Receiver
) -> None:
    """A client subscribing at every start-up without deleting the old one reaches
    RingCentral's cap: 403 SUB-505, before the address is asked to validate."""
    made = [subscribe(rc, receiver, [BATCHES]) for _ in range(30)]
    asked = len(receiver.requests)
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
    }
    refused = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/json"
    assert refused.json() == {
        "errorCode": "SUB-505",
        "message": "Subscriptions limit exceeded",
        "errors": [{"errorCode": "SUB-505", "message": "Subscriptions limit exceeded"}],
    }
    assert len(receiver.requests) == asked  # no validation request for it
    assert len(rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"]) == 30
    # another app of the same user has its own thirty
    other_app = bearer(rc.http, auth=("second-app", "s"))
    assert rc.http.post(SUBSCRIPTION, json=body, headers=other_app).status_code == 200
    # deleting one makes room
    gone = rc.http.delete(f"{SUBSCRIPTION}/{made[0]['id']}", headers=rc.headers)
    assert gone.status_code == 204
    assert rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers).status_code == 200
    assert rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers).status_code == 403


def test_expired_subscriptions_leave_room_and_a_scenario_sets_the_cap(
    sms_emulator: Emulator, receiver: Receiver
) -> None:
    sms_emulator.load_scenario({"providers": {"ringcentral": {"subscriptions_limit": 1}}})
    rc = RC(sms_emulator)
    body = {
        "eventFilters": [BATCHES],
        "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/hook"},
        "expiresIn": 3600,
    }
    assert rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers).status_code == 200
    assert rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers).status_code == 403
    sms_emulator.advance("1h")  # the first one has expired, and so has the access token
    rc.relogin()
    listed = rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"]
    assert [r["status"] for r in listed] == ["Suspended"]
    assert rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers).status_code == 200
    sms_emulator.load_scenario({"providers": {"ringcentral": {"subscriptions_limit": 0}}})
    rc.relogin()
    refused = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert (refused.status_code, refused.json()["errorCode"]) == (403, "SUB-505")


@pytest.mark.parametrize("limit", [-1, 2.5, True, "20", None])
def test_a_subscriptions_limit_that_is_no_whole_number_is_refused_at_load(limit: object) -> None:
    from emulator.scenario.loader import ScenarioError

    with pytest.raises(ScenarioError) as info:
        Emulator({"providers": {"ringcentral": {"subscriptions_limit": limit}}})
    assert info.value.field == "providers.ringcentral.subscriptions_limit"
    assert "whole number" in str(info.value)


def test_filters_come_back_with_the_callers_ids_and_no_verification_token(
    rc: RC, receiver: Receiver
) -> None:
    """As the API Reference's createSubscription example shows the answer: ``~`` is the
    account's and the extension's id there, and ``verificationToken`` is write-only."""
    presence = "/restapi/v1.0/account/~/extension/~/presence"
    made = subscribe(rc, receiver, [BATCHES, presence], mode={"verificationToken": "my-secret"})
    extension = rc.http.get("/restapi/v1.0/account/~/extension/~", headers=rc.headers).json()
    assert made["eventFilters"] == [
        "/restapi/v1.0/account/37439510/a2p-sms/batches",
        f"/restapi/v1.0/account/37439510/extension/{extension['id']}/presence",
    ]
    assert "verificationToken" not in made["deliveryMode"]
    listed = rc.http.get(SUBSCRIPTION, headers=rc.headers).json()["records"]
    assert listed == [made]
    rc.send([HANDSET])  # the token still goes out with each notification
    sent = [r for r in receiver.requests if "validation-token" not in r.headers]
    assert sent and {r.headers["verification-token"] for r in sent} == {"my-secret"}


@pytest.mark.parametrize(
    "event_filter",
    [
        "/restapi/v1.0/account/~/a2p-sms/message",
        "/restapi/v1.0/account/~/a2p-sms/optouts",
        "/restapi/v1.0/account/~/a2p-sms",
        "/restapi/v1.0/account/~/a2p-sms/batches?status=Completed",
        "/restapi/v1.0/account/~/a2p-sms/batches?to=%2B14155550101",
        "/restapi/v1.0/account/~/a2p-sms/opt-outs?status=OptOut",
        "/restapi/v1.0/account/~/a2p-sms/opt-outs?direction=Sideways",
    ],
)
def test_an_a2p_filter_high_volume_sms_has_not_is_refused(
    rc: RC, receiver: Receiver, event_filter: str
) -> None:
    """A typo under ``a2p-sms/`` was accepted and then never notified of anything."""
    mode = {"transportType": "WebHook", "address": f"{receiver.url}/hook"}
    body = {"eventFilters": [BATCHES, event_filter], "deliveryMode": mode}
    refused = rc.http.post(SUBSCRIPTION, json=body, headers=rc.headers)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["errorCode"] == "CMN-101"
    assert refused.json()["errors"][0]["parameterName"] == "eventFilters"
    assert receiver.requests == []


def test_a_filter_an_earlier_version_let_in_is_read_as_it_read_it(
    rc: RC, receiver: Receiver, sms_emulator: Emulator
) -> None:
    """A ``--db`` file's subscription with a filter now refused: its account's sends,
    renewals and PUTs must not fail for it (each answered CMN-101 ``[eventFilters]``),
    and it gets the events it got then (the unknown parameter ignored)."""
    subscription = subscribe(rc, receiver, [BATCHES])
    stored = sms_emulator.store.get_state(subscriptions.NAMESPACE, subscription["id"])
    stored["eventFilters"] = [f"{BATCHES}?status=Completed", "/restapi/v1.0/account/~/a2p-sms/x"]
    sms_emulator.store.put_state(subscriptions.NAMESPACE, subscription["id"], stored)
    assert rc.send([HANDSET])["status"] == "Processing"
    sms_emulator.advance("1m")
    assert [n["body"]["status"] for n in notifications(receiver)] == ["Processing", "Completed"]
    path = f"{SUBSCRIPTION}/{subscription['id']}"
    assert rc.http.post(f"{path}/renew", headers=rc.headers).status_code == 200
    assert rc.http.put(path, json={"expiresIn": 900}, headers=rc.headers).status_code == 200
