"""How a simulated reply names its numbers: ``+`` optional, as for RingCentral, and a
``from`` that is no phone number refused for what it is, not as a missing lease."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator

from ..receiver import Receiver
from .conftest import MESSAGES

TO = "+61488023555"


def leased(client: httpx.Client, receiver: Receiver) -> str:
    body = {"From": "", "To": TO, "Text": "Reply YES", "WebhookUri": receiver.url + "/replies"}
    response = client.post(MESSAGES, json=body)
    assert response.status_code == 200, response.text
    return response.json()["Message"]["From"]


@pytest.mark.parametrize(
    ("sender", "to"),
    [(TO[1:], "{lease}"), (TO, "{lease_digits}"), (" " + TO[1:], "{lease}")],
    ids=["from-without-plus", "to-without-plus", "plus-decoded-as-space"],
)
def test_a_reply_may_leave_out_the_plus_as_for_ringcentral(
    emu: Emulator, client: httpx.Client, receiver: Receiver, sender: str, to: str
) -> None:
    lease = leased(client, receiver)
    record = emu.inbound(
        "fonedynamics", sender, to.format(lease=lease, lease_digits=lease[1:]), "YES"
    )
    assert (record["from"], record["to"]) == (TO, lease)
    (request,) = receiver.requests
    assert (request.form["Message.From"], request.form["Message.To"]) == (TO, lease)


def test_a_reply_from_no_phone_number_is_refused_as_such(
    client: httpx.Client, receiver: Receiver
) -> None:
    lease = leased(client, receiver)
    response = client.post(
        "/_emulator/inbound",
        json={"provider": "fonedynamics", "from": "MyBank", "to": lease, "text": "hi"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "'from'" in error and "E.164" in error and "lease" not in error
    assert receiver.requests == []
