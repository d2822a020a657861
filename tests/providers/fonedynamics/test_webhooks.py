"""Webhooks to a real HTTP receiver on 127.0.0.1, sent when the emulator clock reaches them."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from emulator import Emulator
from emulator.providers.fonedynamics.inbound import EMAILS

from ..receiver import Received, Receiver
from .conftest import ACCOUNT, MESSAGES, PROPERTY, TOKEN

TO = "+61488023555"


def send(client: httpx.Client, **fields: object) -> dict[str, object]:
    body: dict[str, object] = {"From": "MyShop", "To": TO, "Text": "Your order shipped"}
    body.update(fields)
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 200, response.text
    return response.json()["Message"]


def test_delivery_receipt_is_posted_as_a_form_at_delivery_time(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    message = send(
        client,
        ExternalId="order-7",
        DeliveryReceiptWebhookUri=receiver.url + "/dr?appt=7",
        DeliveryReceiptWebhookMethod="Post",
    )
    emu.advance("5s")
    assert receiver.requests == []
    emu.advance("1s")
    (request,) = receiver.requests
    assert request.method == "POST"
    assert request.path == "/dr"
    assert request.query == {"appt": "7"}
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "Action": "Webhook",
        "Event": "Message.DeliveryReceiptReceived",
        "Account.Sid": ACCOUNT,
        "Property.Sid": PROPERTY,
        "Message.Sid": message["MessageSid"],
        "Message.From": "MyShop",
        "Message.To": TO,
        "Message.Text": "Your order shipped",
        "Message.Status": "Delivered",
        "Message.Delivered": str(message["Created"] + 6),
        "Message.ExternalId": "order-7",
    }


def test_get_receipt_puts_the_parameters_in_the_query_string(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    send(
        client,
        DeliveryReceiptWebhookUri=receiver.url + "/dr?appt=7",
        DeliveryReceiptWebhookMethod="GET",
    )
    emu.advance("1m")
    (request,) = receiver.requests
    assert request.method == "GET" and request.body == b""
    assert request.query["appt"] == "7"
    assert request.query["Event"] == "Message.DeliveryReceiptReceived"
    assert request.query["Message.To"] == TO


@pytest.mark.sms_scenario({"rules": [{"when": {"to": TO}, "outcome": "undeliverable"}]})
def test_failed_receipt_carries_status_and_error_code(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    emu.advance("1m")
    form = receiver.requests[0].form
    assert (form["Message.Status"], form["Message.ErrorCode"]) == ("Failed", "DELIVERY_FAILED")
    assert "Message.Delivered" not in form


@pytest.mark.sms_scenario(
    {
        "rules": [
            {"when": {"text": "no receipt"}, "outcome": "no_receipt"},
            {"when": {"text": "never sent"}, "outcome": "send_failed"},
        ]
    }
)
@pytest.mark.parametrize(
    "fields",
    [{"DeliveryReceipt": False}, {"Text": "no receipt"}, {"Text": "never sent"}],
    ids=["receipt-off", "no-receipt", "never-submitted"],
)
def test_no_receipt_no_webhook(
    emu: Emulator, client: httpx.Client, receiver: Receiver, fields: dict[str, object]
) -> None:
    send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr", **fields)
    emu.advance("1h")
    assert receiver.requests == []
    assert emu.webhooks.pending() == []


def test_scheduled_message_receipt_comes_after_its_schedule(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    at = int(emu.time()) + 600
    send(client, Schedule=at, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    emu.advance("10m5s")
    assert receiver.requests == []
    emu.advance("1s")
    assert receiver.requests[0].form["Message.Delivered"] == str(at + 6)


def test_failed_deliveries_are_retried_and_journalled(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    message = send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    emu.advance("6s")
    assert len(receiver.requests) == 1
    emu.advance("5s")
    assert len(receiver.requests) == 2
    attempts = client.get("/_emulator/webhooks").json()["attempts"]
    assert [(a["attempt"], a["status"], a["ok"]) for a in attempts] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert {a["event"] for a in attempts} == {"Message.DeliveryReceiptReceived"}
    assert {a["message_id"] for a in attempts} == {message["MessageSid"]}


def test_a_scenario_can_make_one_attempt_only_as_the_provider_may(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """Fone Dynamics documents no retries: with ``retries: []`` a failed receipt is lost."""
    put = client.put("/_emulator/scenario", content="webhooks: {retries: []}")
    assert put.status_code == 200, put.text
    receiver.statuses = [500]
    send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    emu.advance("6s")
    emu.advance("1h")
    assert len(receiver.requests) == 1
    attempts = client.get("/_emulator/webhooks").json()
    assert [(a["attempt"], a["ok"]) for a in attempts["attempts"]] == [(1, False)]
    assert attempts["pending"] == []


def test_a_scenario_chooses_the_waits_between_retries(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    emu.load_scenario({"webhooks": {"retries": ["1s", "1m"]}})
    receiver.statuses = [500, 503, 500]
    send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    emu.advance("6s")
    emu.advance("1s")
    assert len(receiver.requests) == 2
    emu.advance("59s")
    assert len(receiver.requests) == 2
    emu.advance("1s")
    emu.advance("1h")
    assert len(receiver.requests) == 3  # the last retry failed too: nothing more
    attempts = client.get("/_emulator/webhooks").json()["attempts"]
    assert [(a["attempt"], a["status"]) for a in attempts] == [(1, 500), (2, 503), (3, 500)]


def lease_then_reply(
    emu: Emulator, client: httpx.Client, text: str = "YES", **fields: object
) -> tuple[dict[str, object], httpx.Response]:
    sent = send(client, From="", Text="Reply YES to confirm", **fields)
    emu.advance("10s")
    reply = client.post(
        "/_emulator/inbound",
        json={"provider": "fonedynamics", "from": TO, "to": sent["From"], "text": text},
    )
    return sent, reply


def test_reply_to_a_lease_is_recorded_and_posted_to_its_webhook(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    sent, reply = lease_then_reply(
        emu, client, WebhookUri=receiver.url + "/replies", WebhookMethod="POST"
    )
    assert reply.status_code == 201
    record = reply.json()["message"]
    assert (record["direction"], record["provider_status"]) == ("inbound", "Received")
    (request,) = receiver.requests
    assert request.method == "POST" and request.path == "/replies"
    assert request.form == {
        "Action": "Webhook",
        "Event": "Message.Received",
        "Account.Sid": ACCOUNT,
        "Property.Sid": PROPERTY,
        "Message.Sid": record["id"],
        "Message.From": TO,
        "Message.To": sent["From"],
        "Message.Text": "YES",
        "Message.Received": str(int(emu.time())),
    }
    message = client.get(f"/v2/Messages/{record['id']}").json()["Message"]
    assert message == {
        "MessageSid": record["id"],
        "AccountSid": ACCOUNT,
        "PropertySid": PROPERTY,
        "From": TO,
        "To": sent["From"],
        "Text": "YES",
        "DeliveryReceipt": False,
        "NumSegments": 1,
        "Status": "Received",
        "Direction": "Receive",
        "Created": int(emu.time()),
        "Received": int(emu.time()),
        "ErrorCode": "",
    }


def test_reply_webhook_by_get(emu: Emulator, client: httpx.Client, receiver: Receiver) -> None:
    lease_then_reply(emu, client, WebhookUri=receiver.url + "/replies?k=1", WebhookMethod="Get")
    (request,) = receiver.requests
    assert request.method == "GET"
    assert request.query["k"] == "1" and request.query["Message.Text"] == "YES"


def test_reply_is_routed_by_the_lease_it_answers(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    first = send(client, From="", WebhookUri=receiver.url + "/first")
    second = send(client, From="", WebhookUri=receiver.url + "/second")
    emu.inbound("fonedynamics", TO, second["From"], "for the second")
    emu.inbound("fonedynamics", TO, first["From"], "for the first")
    assert [(r.path, r.form["Message.Text"]) for r in receiver.requests] == [
        ("/second", "for the second"),
        ("/first", "for the first"),
    ]


def test_reply_is_forwarded_by_sms_and_email(emu: Emulator, client: httpx.Client) -> None:
    _, reply = lease_then_reply(
        emu,
        client,
        ForwardToSms="+61499333222",
        ForwardToEmail="inbox@example.com",
        ForwardFromEmail="sms@example.com",
    )
    reply_sid = reply.json()["message"]["id"]
    forwarded = emu.messages(to="+61499333222")
    assert [(m["from"], m["text"], m["direction"]) for m in forwarded] == [(TO, "YES", "outbound")]
    email = {
        "To": "inbox@example.com",
        "From": "sms@example.com",
        "Subject": f"SMS reply from {TO}",
        "Text": "YES",
        "MessageSid": reply_sid,
        "Received": int(emu.time()),
    }
    assert emu.store.get_state(EMAILS, reply_sid) == email
    # readable without the store: in Python and over the admin API (any language)
    assert emu.provider_view("fonedynamics", "emails") == [email]
    view = client.get("/_emulator/providers/fonedynamics/emails")
    assert view.json() == {"provider": "fonedynamics", "view": "emails", "records": [email]}


def test_forwarded_email_comes_from_a_no_reply_address_by_default(
    emu: Emulator, client: httpx.Client
) -> None:
    """``ForwardFromEmail`` defaults to a no-reply address (the BatchMessages page)."""
    _, reply = lease_then_reply(emu, client, ForwardToEmail="inbox@example.com")
    (email,) = emu.provider_view("fonedynamics", "emails")
    assert (email["To"], email["From"], email["MessageSid"]) == (
        "inbox@example.com",
        "no-reply@fonedynamics.com",
        reply.json()["message"]["id"],
    )


def test_forwarded_sms_uses_forward_from_sms(emu: Emulator, client: httpx.Client) -> None:
    lease_then_reply(emu, client, ForwardToSms="+61499333222", ForwardFromSms="Support")
    assert [m["from"] for m in emu.messages(to="+61499333222")] == ["Support"]


@pytest.mark.sms_scenario(
    {"rules": [{"when": {"endpoint": "forward_sms"}, "outcome": "undeliverable"}]}
)
def test_a_rule_on_forward_sms_decides_the_forwarded_copys_fate(
    emu: Emulator, client: httpx.Client
) -> None:
    """``forward_sms`` is a documented endpoint name: the scenario loads and its
    rule applies to the forwarded SMS alone."""
    lease_then_reply(emu, client, ForwardToSms="+61499333222")
    emu.advance("1h")
    assert [m["status"] for m in emu.messages(to=TO)] == ["delivered"]
    assert [m["status"] for m in emu.messages(to="+61499333222")] == ["failed"]


@pytest.mark.sms_scenario(
    {"rules": [{"when": {"endpoint": "forward_sms"}, "outcome": "send_failed"}]}
)
def test_a_forwarded_sms_that_fails_carries_the_outcomes_code_as_a_send_does(
    emu: Emulator, client: httpx.Client
) -> None:
    lease_then_reply(emu, client, ForwardToSms="+61499333222")
    emu.advance("1h")
    [forwarded] = emu.messages(to="+61499333222")
    assert (forwarded["status"], forwarded["error_code"]) == ("failed", "SUBMISSION_FAILED")
    shown = client.get(f"/v2/Messages/{forwarded['id']}").json()["Message"]
    assert (shown["Status"], shown["ErrorCode"]) == ("Failed", "SUBMISSION_FAILED")


def test_reply_without_any_lease_is_refused(client: httpx.Client) -> None:
    response = client.post(
        "/_emulator/inbound",
        json={"provider": "fonedynamics", "from": TO, "to": "+61412345650", "text": "hi"},
    )
    assert response.status_code == 400
    assert "lease" in response.json()["error"]


def test_reply_after_the_lease_expired_is_recorded_without_webhook(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    sent = send(client, From="", WebhookUri=receiver.url + "/replies")
    emu.advance("31d")
    record = emu.inbound("fonedynamics", TO, sent["From"], "late")
    assert record["provider_status"] == "Received"
    assert receiver.requests == []


def test_reply_to_a_dedicated_number_is_recorded(emu: Emulator, client: httpx.Client) -> None:
    send(client, From="+61499009990")
    record = emu.inbound("fonedynamics", TO, "+61499009990", "hello back")
    listed = client.get(MESSAGES).json()["Messages"]
    assert listed[-1]["MessageSid"] == record["id"]
    assert listed[-1]["Direction"] == "Receive"


def test_a_reply_webhook_whose_receiver_answers_through_the_emulator_is_sent_once(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """An auto-responder answering the reply webhook through the emulator gets its
    answer at once: the webhook is not sent while the reply is being saved."""
    leased = send(client, From="", WebhookUri=receiver.url + "/reply")["From"]
    answers: list[int] = []

    def auto_respond(request: object) -> None:
        with emu.client(auth=(ACCOUNT, TOKEN)) as other:
            answers.append(other.post(MESSAGES, json={"To": TO, "Text": "thanks"}).status_code)

    receiver.on_request = auto_respond
    emu.inbound("fonedynamics", TO, str(leased), "yes please")
    assert answers == [200]
    assert [a["ok"] for a in emu.webhooks.attempts] == [True]
    emu.advance("1m")
    assert len(receiver.requests) == 1  # no retry of a webhook that timed out


def test_a_receiver_moving_the_clock_through_the_admin_api_is_answered_at_once(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """The admin call does not wait for the sending that is waiting for its receiver."""
    send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    answers: list[int] = []

    def move_the_clock(request: object) -> None:
        with emu.client() as admin:
            answers.append(admin.post("/_emulator/clock", json={"advance": "1s"}).status_code)

    receiver.on_request = move_the_clock
    emu.advance("1m")
    assert answers == [200]
    assert [a["ok"] for a in emu.webhooks.attempts] == [True]
    receiver.on_request = None
    emu.advance("1h")
    assert len(receiver.requests) == 1


@pytest.mark.sms_scenario({"timing": {"processing": "0s", "sent": "0s", "delivered": "0s"}})
def test_a_receipt_due_at_once_is_sent_before_the_answer_and_its_receiver_can_call_back(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """In-process, a receipt due when the message is accepted goes out before the
    POST returns, and a receiver that looks the message up through the emulator is
    answered at once: before, it waited out the 5 s webhook timeout (the request
    held the event loop) and the receipt was retried."""
    looked_up: list[str] = []

    def look_up(received: Received) -> None:
        with emu.client(auth=(ACCOUNT, TOKEN)) as other:
            found = other.get(f"/v2/Messages/{received.form['Message.Sid']}")
            looked_up.append(found.json()["Message"]["Status"])

    receiver.on_request = look_up
    message = send(client, DeliveryReceiptWebhookUri=receiver.url + "/receipt")
    assert looked_up == ["Delivered"]  # before the POST returned
    (attempt,) = emu.webhooks.attempts
    assert (attempt["message_id"], attempt["ok"], attempt["status"]) == (
        message["MessageSid"],
        True,
        200,
    )
    assert emu.webhooks.pending() == []  # nothing left to retry


@pytest.mark.sms_scenario({"timing": {"processing": "0s", "sent": "0s", "delivered": "0s"}})
def test_a_request_answers_after_its_own_receipt_while_another_thread_is_sending(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """Thread A's receipt is stuck at a slow receiver; thread B's request still sends
    its own receipt before it answers (it was left to A's sending thread)."""
    in_flight, b_answered = threading.Event(), threading.Event()

    def hold(request: Received) -> None:
        in_flight.set()
        b_answered.wait(5)  # real-time ok: released as soon as B has its answer

    slow = Receiver().start()
    slow.on_request = hold
    try:
        with emu.client(auth=(ACCOUNT, TOKEN)) as other:
            a = threading.Thread(
                target=send, args=(other,), kwargs={"DeliveryReceiptWebhookUri": slow.url}
            )
            a.start()
            assert in_flight.wait(5)  # real-time ok: A's receipt is at the slow receiver
            send(client, DeliveryReceiptWebhookUri=receiver.url + "/b")
            received_by_then = len(receiver.requests)
            b_answered.set()
            a.join()
    finally:
        b_answered.set()
        slow.stop()
    assert received_by_then == 1
    assert sorted(a["ok"] for a in emu.webhooks.attempts) == [True, True]


@pytest.mark.sms_scenario(
    {"rules": [{"outcome": {"sequence": [{"after": "3s", "status": "delivered"}]}}]}
)
def test_a_sequence_straight_to_delivered_was_submitted_and_gets_its_receipt(
    emu: Emulator, client: httpx.Client, receiver: Receiver
) -> None:
    """Without a ``sent`` step the message showed Delivered with no Submitted time, no
    receipt was ever sent, and ``DeliveryReceipt: false`` still showed Delivered."""
    with_receipt = send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
    without = send(client, DeliveryReceipt=False)
    emu.advance("3s")
    shown = client.get(f"/v2/Messages/{with_receipt['MessageSid']}").json()["Message"]
    assert (shown["Status"], shown["Submitted"], shown["Delivered"]) == (
        "Delivered",
        shown["Created"] + 3,
        shown["Created"] + 3,
    )
    (receipt,) = receiver.requests
    assert (receipt.form["Message.Status"], receipt.form["Message.Delivered"]) == (
        "Delivered",
        str(shown["Created"] + 3),
    )
    hidden = client.get(f"/v2/Messages/{without['MessageSid']}").json()["Message"]
    assert hidden["Status"] == "Submitted"
    assert "Delivered" not in hidden or hidden["Delivered"] is None


def test_on_a_real_clock_a_receipt_goes_out_without_advance(receiver: Receiver) -> None:
    """In-process on a real clock nothing calls ``advance()``: the time passing sends it."""
    emu = Emulator(clock="real")
    try:
        with emu.client(auth=(ACCOUNT, TOKEN)) as client:
            send(client, DeliveryReceiptWebhookUri=receiver.url + "/dr")
        assert receiver.requests == []  # due at delivery, 6 s on
        emu.clock.advance(6)  # the wall clock moving on: no advance() of the emulator
        (request,) = receiver.wait_for(1, timeout=10)
        assert request.form["Message.Status"] == "Delivered"
        deadline = time.monotonic() + 10  # pending until the receiver's answer is read
        while emu.webhooks.pending() and time.monotonic() < deadline:
            time.sleep(0.01)  # real-time ok: the waker is another thread on a real clock
        assert emu.webhooks.pending() == []
        assert [a["ok"] for a in emu.webhooks.attempts] == [True]
    finally:
        emu.close()
