"""Leased sender ids: unique per recipient, 30 days, at most 5 per recipient."""

from __future__ import annotations

import httpx

from emulator import Emulator
from emulator.providers.fonedynamics.leases import NAMESPACE

from .conftest import BATCH, MESSAGES

TO = "+61488023555"


def lease_send(client: httpx.Client, **fields: object) -> httpx.Response:
    body: dict[str, object] = {"From": "", "To": TO, "Text": "Reply YES"}
    body.update(fields)
    return client.post(MESSAGES, json=body)


def test_leases_to_one_recipient_get_distinct_numbers(client: httpx.Client) -> None:
    numbers = [
        lease_send(client, WebhookUri=f"https://example.com/r/{i}").json()["Message"]["From"]
        for i in range(5)
    ]
    assert numbers == [f"+614123456{50 + i}" for i in range(5)]


def test_other_recipients_can_use_the_same_number(client: httpx.Client) -> None:
    first = lease_send(client).json()["Message"]["From"]
    second = lease_send(client, To="+61488023556").json()["Message"]["From"]
    assert first == second


def test_same_options_reuse_the_active_lease(emu: Emulator, client: httpx.Client) -> None:
    for _ in range(7):
        assert lease_send(client, WebhookUri="https://example.com/r").status_code == 200
    (leases,) = [v for k, v in emu.store.state_items(NAMESPACE) if k == TO]
    assert len(leases) == 1


def test_lease_state_is_kept_in_the_store(emu: Emulator, client: httpx.Client) -> None:
    sent = lease_send(client, WebhookUri="https://example.com/r", ForwardToSms="+61499333222")
    (lease,) = emu.store.get_state(NAMESPACE, TO)
    assert lease["Number"] == sent.json()["Message"]["From"]
    assert lease["Expires"] == emu.time() + 30 * 86400
    assert lease["Options"] == {
        "ForwardToSms": "+61499333222",
        "WebhookUri": "https://example.com/r",
        "WebhookMethod": "POST",
    }


def test_active_leases_are_a_provider_view(emu: Emulator, client: httpx.Client) -> None:
    first = lease_send(client).json()["Message"]["From"]
    emu.advance("1d")
    second = lease_send(client, To="+61488023556", WebhookUri="https://x.test/r")
    view = emu.provider_view("fonedynamics", "leases")
    assert [(lease["Recipient"], lease["Number"]) for lease in view] == [
        (TO, first),
        ("+61488023556", second.json()["Message"]["From"]),
    ]
    assert client.get("/_emulator/providers/fonedynamics/leases").json()["records"] == view
    emu.advance("29d")  # the first has expired, the second not yet
    assert [lease["Recipient"] for lease in emu.provider_view("fonedynamics", "leases")] == [
        "+61488023556"
    ]


def test_messages_without_options_share_one_lease(client: httpx.Client) -> None:
    numbers = {lease_send(client, ExternalId=str(i)).json()["Message"]["From"] for i in range(6)}
    assert numbers == {"+61412345650"}


def test_sixth_concurrent_lease_is_refused(emu: Emulator, client: httpx.Client) -> None:
    for i in range(5):
        assert lease_send(client, WebhookUri=f"https://x.test/{i}").status_code == 200
    response = lease_send(client, WebhookUri="https://x.test/6")
    assert response.status_code == 403
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "LEASE_LIMIT_REACHED",
            "Message": "There are already 5 active leased sender IDs to this recipient",
            "Errors": [{"FieldName": "From"}],
        }
    }
    assert len(emu.messages(provider="fonedynamics")) == 5


def test_sixth_lease_in_a_batch_is_an_item_error(client: httpx.Client) -> None:
    items = [{"To": TO, "Text": "x", "WebhookUri": f"https://x.test/{i}"} for i in range(6)]
    items.append({"From": "MyShop", "To": TO, "Text": "not leased"})
    body = client.post(BATCH, json={"Messages": items}).json()
    assert [item.get("ErrorCode") for item in body] == [""] * 5 + ["LEASE_LIMIT_REACHED", ""]
    assert body[6]["From"] == "MyShop"


def test_leases_expire_after_30_days(emu: Emulator, client: httpx.Client) -> None:
    for i in range(5):
        lease_send(client, WebhookUri=f"https://x.test/{i}")
    emu.advance("29d23h")
    assert lease_send(client, WebhookUri="https://x.test/early").status_code == 403
    emu.advance("1h")
    response = lease_send(client, WebhookUri="https://x.test/late")
    assert response.status_code == 200
    assert response.json()["Message"]["From"] == "+61412345650"


def test_each_account_has_its_own_limit(emu: Emulator, client: httpx.Client) -> None:
    for i in range(5):
        lease_send(client, WebhookUri=f"https://x.test/{i}")
    with emu.client(auth=("AOTHER", "t")) as other:
        response = lease_send(other)
    assert response.status_code == 200
    assert response.json()["Message"]["From"] == "+61412345655"  # numbers stay unique


def test_other_accounts_leases_never_refuse_an_accounts_first_lease(emu: Emulator) -> None:
    """The limit is per account: numbers to a recipient never run out before an account does."""
    numbers = []
    for account in ("ACA", "ACB", "ACC"):
        with emu.client(auth=(account, "t")) as c:
            for i in range(5):
                response = lease_send(c, WebhookUri=f"https://x.test/{account}/{i}")
                assert response.status_code == 200, response.text
                numbers.append(response.json()["Message"]["From"])
            refused = lease_send(c, WebhookUri=f"https://x.test/{account}/6")
        assert refused.json()["ResponseStatus"]["ErrorCode"] == "LEASE_LIMIT_REACHED"
    assert numbers == [f"+61412345{650 + i}" for i in range(15)]  # unique, in order


def test_a_reply_to_a_number_past_the_tenth_reaches_its_account(emu: Emulator) -> None:
    for account in ("ACA", "ACB"):
        with emu.client(auth=(account, "t")) as c:
            for i in range(5):
                lease_send(c, WebhookUri=f"https://x.test/{account}/{i}")
    with emu.client(auth=("ACC", "t")) as c:
        sent = lease_send(c).json()["Message"]
        reply = emu.inbound("fonedynamics", TO, sent["From"], "YES")
        listed = c.get(MESSAGES).json()["Messages"]
    assert sent["From"] == "+61412345660"
    assert reply["tenant"] == "ACC"
    assert [(m["MessageSid"], m["Direction"]) for m in listed] == [
        (sent["MessageSid"], "Transmit"),
        (reply["id"], "Receive"),
    ]


def test_lease_options_are_validated_only_for_leases(client: httpx.Client) -> None:
    response = lease_send(client, ForwardToSms="0499333222")
    assert response.status_code == 400
    status = response.json()["ResponseStatus"]
    assert (status["ErrorCode"], status["Errors"]) == (
        "INVALID_PHONENUMBER_FORMAT",
        [{"FieldName": "ForwardToSms"}],
    )
    assert lease_send(client, ForwardToEmail="nobody").status_code == 400
    assert (
        lease_send(client, WebhookMethod="PATCH", WebhookUri="https://x.test/").status_code == 400
    )
    assert lease_send(client, WebhookMethod="PUT").status_code == 400  # with no WebhookUri too
    ignored = lease_send(client, From="MyShop", ForwardToSms="0499333222")
    assert ignored.status_code == 200


def test_alphanumeric_sender_is_kept_for_other_plus_one_countries(client: httpx.Client) -> None:
    """The docs exclude "US and Canada" from alphanumeric sender ids, not every +1
    country: a Jamaican recipient keeps the alphanumeric sender."""
    jamaica = client.post(MESSAGES, json={"To": "+18765551234", "Text": "x", "From": "MyBrand"})
    assert jamaica.status_code == 200
    assert jamaica.json()["Message"]["From"] == "MyBrand"
    for to in ("+12025550123", "+14165550123", "+17875550123"):  # US, Canada, Puerto Rico
        leased = client.post(MESSAGES, json={"To": to, "Text": "x", "From": "MyBrand"})
        assert leased.status_code == 200
        assert leased.json()["Message"]["From"].startswith("+1")
