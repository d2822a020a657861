"""A small Fone Dynamics REST v2 client (httpx), e.g. for sending one-time codes."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

API = "https://api.fonedynamics.com"


class FoneDynamicsError(Exception):
    """A refused request, with Fone Dynamics' ``ErrorCode``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code = status, code
        super().__init__(f"HTTP {status} {code}: {message}")


@dataclass
class Sent:
    to: str
    sid: str | None  # None when this message was refused
    error: str | None = None


class FoneDynamicsSms:
    def __init__(
        self,
        account_sid: str,
        token: str,
        property_sid: str,
        *,
        base_url: str = API,
        http: httpx.Client | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=30)
        self._auth = httpx.BasicAuth(account_sid, token)
        self._property = property_sid

    def _post(self, path: str, body: Any) -> Any:
        response = self._http.post(path, json=body, auth=self._auth)
        if response.status_code != 200:
            status = response.json()["ResponseStatus"]
            raise FoneDynamicsError(response.status_code, status["ErrorCode"], status["Message"])
        return response.json()

    def send(self, to: str, text: str, *, sender: str | None = None) -> str:
        """Send one SMS; its MessageSid."""
        body = {"To": to, "Text": text, "DeliveryReceipt": True}
        if sender:
            body["From"] = sender
        return self._post(f"/v2/Properties/{self._property}/Messages", body)["Message"][
            "MessageSid"
        ]

    def send_code(self, to: str, *, sender: str = "Verify") -> str:
        """Send a fresh 6-digit code and return it (the app would store a hash)."""
        code = f"{secrets.randbelow(10**6):06d}"
        self.send(to, f"Your verification code is {code}. It expires in 10 minutes.", sender=sender)
        return code

    def send_many(self, messages: Sequence[tuple[str, str]], *, sender: str) -> list[Sent]:
        """Send ``(to, text)`` pairs in one batch; one result per pair, in order."""
        body = {"Messages": [{"From": sender, "To": to, "Text": text} for to, text in messages]}
        answer = self._post(f"/v2/Properties/{self._property}/BatchMessages", body)
        # Accepted messages carry ``"ErrorCode": ""``: a refusal is an element without a sid.
        return [
            Sent(to, item["MessageSid"])
            if item.get("MessageSid")
            else Sent(to, None, item["ErrorCode"])
            for (to, _), item in zip(messages, answer, strict=True)
        ]

    def status(self, sid: str) -> str:
        """``Processing``, ``Submitted``, ``Delivered`` or ``Failed``."""
        response = self._http.get(f"/v2/Messages/{sid}", auth=self._auth)
        response.raise_for_status()
        return response.json()["Message"]["Status"]
