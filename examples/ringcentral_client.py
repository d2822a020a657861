"""A small RingCentral High Volume SMS client, written with httpx as an app would.

Nothing here knows about the emulator: point ``server`` at
``https://platform.ringcentral.com`` in production, at the emulator in tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class RingCentralError(Exception):
    """An API error, with RingCentral's ``errorCode``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.code = body.get("errorCode") or body.get("error") or "unknown"
        super().__init__(f"HTTP {status} {self.code}: {body.get('message', body)}")


@dataclass
class BatchResult:
    id: str
    accepted: int
    #: ``(1-based index, number, errorCode)`` of each refused recipient.
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


class RingCentralSms:
    """Send A2P batches and read back their delivery status."""

    def __init__(
        self,
        server: str,
        client_id: str,
        client_secret: str,
        jwt: str,
        *,
        http: httpx.Client | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=server, timeout=30)
        self._auth = (client_id, client_secret)
        self._jwt = jwt
        self._token: str | None = None

    def _login(self) -> None:
        response = self._http.post(
            "/restapi/oauth/token",
            auth=self._auth,
            data={"grant_type": JWT_GRANT, "assertion": self._jwt},
        )
        if response.status_code != 200:
            raise RingCentralError(response.status_code, response.json())
        self._token = response.json()["access_token"]

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            if self._token is None:
                self._login()
            response = self._http.request(
                method,
                "/restapi/v1.0/account/~/a2p-sms" + path,
                headers={"Authorization": f"Bearer {self._token}"},
                **kwargs,
            )
            if response.status_code == 401 and attempt == 1:
                self._token = None  # expired or revoked: log in again once
                continue
            if response.status_code >= 400:
                raise RingCentralError(response.status_code, response.json())
            return response.json()
        raise AssertionError("unreachable")

    def send_batch(self, sender: str, recipients: Sequence[str], text: str) -> BatchResult:
        """Send ``text`` to every recipient in one batch."""
        body = {"from": sender, "text": text, "messages": [{"to": [to]} for to in recipients]}
        batch = self._call("POST", "/batches", json=body)
        rejected = [(r["index"], r["to"][0], r["errorCode"]) for r in batch["rejected"]]
        return BatchResult(batch["id"], batch["batchSize"], rejected)

    def batch_status(self, batch_id: str) -> str:
        """``Processing`` or ``Completed``."""
        return self._call("GET", f"/batches/{batch_id}")["status"]

    def messages(self, batch_id: str, *, per_page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every message of a batch, following the page tokens."""
        params: dict[str, Any] = {"batchId": batch_id, "perPage": per_page}
        while True:
            page = self._call("GET", "/messages", params=params)
            yield from page["records"]
            token = page["paging"].get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token

    def delivery_report(self, batch_id: str) -> dict[str, str]:
        """Recipient → ``messageStatus`` for a batch."""
        return {m["to"][0]: m["messageStatus"] for m in self.messages(batch_id)}
