"""Sending through each provider's real HTTP endpoint, as a client of a live emulator would."""

from __future__ import annotations

import json
from typing import Any

import httpx

from emulator.testing.server import LiveServer

FD_ACCOUNT = "AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS"
FD_PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
FD_SENDER = "+61400000001"
FD_HANDSET = "+61400000002"


def fd_send(server: LiveServer, text: str, to: str = FD_HANDSET, **fields: Any) -> str:
    """Send one SMS through Fone Dynamics' real endpoint; return its MessageSid."""
    body = {"From": FD_SENDER, "To": to, "Text": text, **fields}
    response = httpx.post(
        f"{server.url}/v2/Properties/{FD_PROPERTY}/Messages",
        # UTF-8, as httpx 0.28 writes json=; before 0.28 it escaped non-ASCII (\u00fc),
        # which the request's page shows as sent
        content=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        auth=(FD_ACCOUNT, "token"),
    )
    assert response.status_code == 200, response.text
    return response.json()["Message"]["MessageSid"]


RC_A2P = "/restapi/v1.0/account/~/a2p-sms"
RC_SENDER = "+16505550100"
RC_HANDSET = "+16505550123"


def rc_send(server: LiveServer, text: str, numbers: list[str]) -> dict[str, Any]:
    """Log in with a JWT and send one RingCentral A2P batch; return the batch resource."""
    with httpx.Client(base_url=server.url) as http:
        token = http.post(
            "/restapi/oauth/token",
            auth=("client-id", "client-secret"),
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "j"},
        )
        assert token.status_code == 200, token.text
        response = http.post(
            f"{RC_A2P}/batches",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            json={"from": RC_SENDER, "text": text, "messages": [{"to": [n]} for n in numbers]},
        )
    assert response.status_code == 201, response.text
    return response.json()


SB_SHORTCODE = "SHOP"
SB_HANDSET = "+254712345678"


def sendbulk_send(server: LiveServer, text: str) -> None:
    """One SMS through the sendbulk gateway's sendsms endpoint."""
    response = httpx.post(
        f"{server.url}/api/services/sendsms",
        json={
            "partnerID": "1234",
            "apikey": "test-key",
            "shortcode": SB_SHORTCODE,
            "mobile": SB_HANDSET[1:],
            "message": text,
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["responses"][0]["response-code"] == 200, response.text


def send_through(server: LiveServer, provider: str, text: str) -> None:
    if provider == "ringcentral":
        rc_send(server, text, [RC_HANDSET])
    elif provider == "fonedynamics":
        fd_send(server, text)
    else:
        sendbulk_send(server, text)
