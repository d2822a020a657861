"""Small authenticated calls to each provider, shared by the property tests."""

from __future__ import annotations

import base64
from typing import Any

import httpx

RC_API = "/restapi/v1.0/account/~/a2p-sms"
FD_PROPERTY = "S7DNJ9KJDS0MDS23DKS9QMZ8DKJSD9KL"
FD_AUTH = {
    "Authorization": "Basic " + base64.b64encode(b"AG5T3HFR5ASD54FS5GB3SDAFJAKSH6DS:token").decode()
}
#: Far enough back that RingCentral's default 24-hour window never hides a message.
SINCE = "2000-01-01T00:00:00Z"


def ringcentral_headers(client: httpx.Client) -> dict[str, str]:
    token = client.post(
        "/restapi/oauth/token",
        auth=("client-id", "client-secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def ringcentral_pages(
    client: httpx.Client, headers: dict[str, str], per_page: int, **params: Any
) -> list[list[dict[str, Any]]]:
    """Every page of ``GET messages`` at ``per_page``, following ``nextPageToken``."""
    query: dict[str, Any] = {"perPage": per_page, "dateFrom": SINCE, **params}
    pages = []
    while True:
        response = client.get(f"{RC_API}/messages", headers=headers, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["paging"]["perPage"] == per_page
        pages.append(body["records"])
        token = body["paging"].get("nextPageToken")
        if not token:
            return pages
        assert len(pages) < 10_000, "paging does not end"
        query["pageToken"] = token


def fonedynamics_pages(client: httpx.Client, count: int) -> list[list[dict[str, Any]]]:
    """Every page of ``GET /v2/Properties/{sid}/Messages`` at ``Results_Count``."""
    query: dict[str, Any] = {"Results_Count": count}
    pages = []
    while True:
        response = client.get(
            f"/v2/Properties/{FD_PROPERTY}/Messages", headers=FD_AUTH, params=query
        )
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["Messages"])
        token = body.get("NextPageToken")
        if not token:
            return pages
        assert len(pages) < 10_000, "paging does not end"
        query["Page_Token"] = token
