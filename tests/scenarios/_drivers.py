"""Each provider's real endpoints behind one small interface, for the shipped-scenario tests.

A driver sends messages the way that provider's clients do, reads a message's
status back through the provider's own status endpoint, and makes a cheap
call for fault and rate-limit tests.  Everything goes over HTTP to the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

RC_A2P = "/restapi/v1.0/account/~/a2p-sms"
FD_PROPERTY = "PSCENARIOTESTS0000000000000000001"
FD_AUTH = ("ASCENARIOTESTS000000000000000001", "secret-token")
SB = "/api/services"
SB_CREDS = {"partnerID": "1234", "apikey": "test-key"}


@dataclass(frozen=True)
class Sent:
    """One recipient's answer at submission: an id if accepted, else the refusal code."""

    to: str
    id: str | None
    code: Any = None


class Driver:
    name: str
    #: calls ``setup`` makes (they count towards faults and rate limits)
    setup_calls = 0
    #: provider status words
    queued: str
    sent: str
    delivered: str
    failed: str

    def setup(self, client: httpx.Client) -> None:
        """Anything needed before sending (a token)."""

    def number(self, i: int, last: str = "") -> str:
        """A valid recipient number, distinct per ``i``, ending in ``last``."""
        raise NotImplementedError

    def send(self, client: httpx.Client, numbers: list[str], text: str = "Hello") -> list[Sent]:
        raise NotImplementedError

    def status(self, client: httpx.Client, sent: Sent) -> tuple[str, str | None]:
        """The provider's status word and failure code for a message."""
        raise NotImplementedError

    def ping(self, client: httpx.Client) -> httpx.Response:
        """A cheap, harmless call."""
        raise NotImplementedError

    def check_error(self, response: httpx.Response, status: int) -> None:
        """Assert ``response`` is this provider's own error answer for HTTP ``status``."""
        raise NotImplementedError


class RingCentral(Driver):
    name = "ringcentral"
    setup_calls = 1
    queued, sent, delivered = "Queued", "Sent", "Delivered"
    failed = "DeliveryFailed"

    def setup(self, client: httpx.Client) -> None:
        response = client.post(
            "/restapi/oauth/token",
            data={"grant_type": "password", "username": "+16505550100", "password": "pw"},
            auth=("client-id", "client-secret"),
        )
        assert response.status_code == 200, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def number(self, i: int, last: str = "") -> str:
        return f"+1650{i:07d}"[: 12 - len(last)] + last if last else f"+1650{i:07d}"

    def send(self, client: httpx.Client, numbers: list[str], text: str = "Hello") -> list[Sent]:
        body = {"from": "+16505550100", "text": text, "messages": [{"to": [n]} for n in numbers]}
        response = client.post(f"{RC_A2P}/batches", json=body)
        assert response.status_code == 201, response.text
        batch = response.json()
        refused = {r["index"]: r["errorCode"] for r in batch["rejected"]}
        records = []
        page: dict[str, Any] = {"batchId": batch["id"], "perPage": 1000}
        while True:
            listing = client.get(f"{RC_A2P}/messages", params=page)
            assert listing.status_code == 200, listing.text
            records += listing.json()["records"]
            token = listing.json()["paging"].get("nextPageToken")
            if not token:
                break
            page = {"pageToken": token}
        ids = {r["to"][0]: str(r["id"]) for r in records}
        return [
            Sent(n, None, refused[i]) if i in refused else Sent(n, ids[n])
            for i, n in enumerate(numbers, 1)
        ]

    def status(self, client: httpx.Client, sent: Sent) -> tuple[str, str | None]:
        response = client.get(f"{RC_A2P}/messages/{sent.id}")
        assert response.status_code == 200, response.text
        return response.json()["messageStatus"], response.json().get("errorCode")

    def ping(self, client: httpx.Client) -> httpx.Response:
        return client.get(f"{RC_A2P}/batches")

    def check_error(self, response: httpx.Response, status: int) -> None:
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert isinstance(body["errorCode"], str) and isinstance(body["message"], str)
        assert isinstance(body["errors"], list)
        if status == 429:
            assert body["errorCode"] == "CMN-301"
            assert int(response.headers["retry-after"]) >= 1
            assert response.headers["x-rate-limit-group"] in ("light", "auth")


class FoneDynamics(Driver):
    name = "fonedynamics"
    queued, sent, delivered, failed = "Processing", "Submitted", "Delivered", "Failed"

    def number(self, i: int, last: str = "") -> str:
        base = f"+614{i:08d}"
        return base[: len(base) - len(last)] + last if last else base

    def send(self, client: httpx.Client, numbers: list[str], text: str = "Hello") -> list[Sent]:
        messages = [{"From": "+61499009990", "To": n, "Text": text} for n in numbers]
        response = client.post(
            f"/v2/Properties/{FD_PROPERTY}/BatchMessages", json={"Messages": messages}, auth=FD_AUTH
        )
        assert response.status_code == 200, response.text
        return [
            Sent(n, item["MessageSid"])
            if "MessageSid" in item
            else Sent(n, None, item["ErrorCode"])
            for n, item in zip(numbers, response.json(), strict=True)
        ]

    def status(self, client: httpx.Client, sent: Sent) -> tuple[str, str | None]:
        response = client.get(f"/v2/Messages/{sent.id}", auth=FD_AUTH)
        assert response.status_code == 200, response.text
        message = response.json()["Message"]
        return message["Status"], message.get("ErrorCode") or None

    def ping(self, client: httpx.Client) -> httpx.Response:
        return client.get(f"/v2/Properties/{FD_PROPERTY}/Messages", auth=FD_AUTH)

    def check_error(self, response: httpx.Response, status: int) -> None:
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["ResponseStatus"]
        assert isinstance(error["ErrorCode"], str) and isinstance(error["Message"], str)
        if status == 429:
            assert int(response.headers["retry-after"]) >= 1


class Sendbulk(Driver):
    name = "sendbulk"
    queued, sent, delivered, failed = "Scheduled", "SentToNetwork", "DeliveredToTerminal", "Unknown"

    def number(self, i: int, last: str = "") -> str:
        base = f"2547{i:08d}"
        return base[: len(base) - len(last)] + last if last else base

    def send(self, client: httpx.Client, numbers: list[str], text: str = "Hello") -> list[Sent]:
        items = [
            {
                **SB_CREDS,
                "pass_type": "plain",
                "clientsmsid": i,
                "mobile": n,
                "message": text,
                "shortcode": "SHOP",
            }
            for i, n in enumerate(numbers)
        ]
        response = client.post(f"{SB}/sendbulk", json={"count": len(items), "smslist": items})
        assert response.status_code == 200, response.text
        rows = response.json()["responses"]
        return [
            Sent(n, row["messageid"])
            if row["response-code"] == 200
            else Sent(n, None, row["response-code"])
            for n, row in zip(numbers, rows, strict=True)
        ]

    def status(self, client: httpx.Client, sent: Sent) -> tuple[str, str | None]:
        response = client.post(f"{SB}/getdlr", json={**SB_CREDS, "messageID": sent.id})
        assert response.status_code == 200, response.text
        return response.json()["delivery-description"], None

    def ping(self, client: httpx.Client) -> httpx.Response:
        return client.post(f"{SB}/getbalance", json=SB_CREDS)

    def check_error(self, response: httpx.Response, status: int) -> None:
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert isinstance(body["response-code"], int) and body["response-code"] != 200
        assert isinstance(body["response-description"], str)
        assert "responses" not in body
        if status == 429:
            assert int(response.headers["retry-after"]) >= 1


DRIVERS = (RingCentral(), FoneDynamics(), Sendbulk())
