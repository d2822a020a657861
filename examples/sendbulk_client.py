"""A small client for the Kenyan "sendbulk" gateways (Advanta and friends), using requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

ADVANTA = "https://quicksms.advantasms.com"


class GatewayError(Exception):
    """The whole request was refused (the gateway still answers HTTP 200)."""

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        super().__init__(f"{code}: {description}")


def _code(row: dict[str, Any]) -> int:
    # Brands spell the key differently; both spellings mean the same.
    return int(row.get("response-code", row.get("respose-code", 0)))


@dataclass
class Outcome:
    mobile: str
    message_id: str | None
    code: int


class SendbulkSms:
    def __init__(
        self,
        partner_id: str,
        apikey: str,
        shortcode: str,
        *,
        base_url: str = ADVANTA,
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._credentials = {"partnerID": partner_id, "apikey": apikey}
        self._shortcode = shortcode

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._session.post(
            f"{self._base}/api/services/{endpoint}/", json=body, timeout=30
        )
        response.raise_for_status()
        answer = response.json()
        if "responses" not in answer and _code(answer) != 200:
            raise GatewayError(_code(answer), answer.get("response-description", ""))
        return answer

    def send_bulk(self, messages: Sequence[tuple[str, str]]) -> list[Outcome]:
        """Send ``(mobile, text)`` pairs in one ``sendbulk`` call; one outcome per pair."""
        smslist = [
            {
                **self._credentials,
                "pass_type": "plain",
                "clientsmsid": index,
                "mobile": mobile,
                "message": text,
                "shortcode": self._shortcode,
            }
            for index, (mobile, text) in enumerate(messages, 1)
        ]
        rows = self._post("sendbulk", {"count": len(smslist), "smslist": smslist})["responses"]
        return [
            Outcome(mobile, row.get("messageid") if _code(row) == 200 else None, _code(row))
            for (mobile, _), row in zip(messages, rows, strict=True)
        ]

    def balance(self) -> float:
        return float(self._post("getbalance", dict(self._credentials))["credit"])

    def delivery(self, message_id: str) -> str | None:
        """The delivery description (``DeliveredToTerminal``...), None before any report."""
        try:
            report = self._post("getdlr", {**self._credentials, "messageID": message_id})
        except GatewayError as exc:
            if exc.code in (1008, 1009):  # no report yet
                return None
            raise
        return report["delivery-description"]
