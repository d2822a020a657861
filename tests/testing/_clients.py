"""Authenticated in-process calls to each provider, for strategy and invariant tests."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from emulator import Emulator

RC_BATCHES = "/restapi/v1.0/account/~/a2p-sms/batches"
RC_MESSAGES = "/restapi/v1.0/account/~/a2p-sms/messages"
FD_PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
FD_MESSAGES = f"/v2/Properties/{FD_PROPERTY}/Messages"
FD_BATCH = f"/v2/Properties/{FD_PROPERTY}/BatchMessages"
FD_AUTH = {
    "Authorization": "Basic " + base64.b64encode(b"AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS:token").decode()
}


def ringcentral_headers(client: httpx.Client) -> dict[str, str]:
    """Log in with the password grant and return the API headers."""
    token = client.post(
        "/restapi/oauth/token",
        auth=("client-id", "client-secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def ringcentral_batch_messages(
    client: httpx.Client, headers: dict[str, str], batch_id: str
) -> list[dict[str, Any]]:
    """Every message of a batch, following ``nextPageToken``."""
    records: list[dict[str, Any]] = []
    params: dict[str, Any] = {"batchId": batch_id, "perPage": 1000}
    while True:
        page = client.get(RC_MESSAGES, headers=headers, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        records += body["records"]
        token = body["paging"].get("nextPageToken")
        if not token:
            return records
        params["pageToken"] = token


def fresh(scenario: Any = None) -> tuple[Emulator, httpx.Client]:
    emu = Emulator(scenario=scenario)
    return emu, emu.client()
