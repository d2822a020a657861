"""RingCentral end to end with the official Python SDK (``ringcentral``) on the live server.

The SDK sends query values unencoded (a raw ``+``), ``Content-Type: application/json``
on GETs, ``bearer`` in lower case, and raises ``ApiException`` on any non-2xx.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import httpx
import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

A2P = "/restapi/v1.0/account/~/a2p-sms"
SENDER = "+16505550100"
HANDSET = "+14155550101"


@pytest.fixture
def platform(sms_emulator_server: Any) -> Any:
    sdk = SDK("e2e-client-id", "e2e-client-secret", sms_emulator_server.url, "e2e", "1.0.0")
    platform = sdk.platform()
    platform.login(jwt="e2e-jwt-assertion")
    return platform


def test_send_poll_page_statuses_refresh_logout(sms_emulator_server: Any, platform: Any) -> None:
    numbers = [f"+1415555{i:04d}" for i in range(5)]
    body = {
        "from": SENDER,
        "text": "Hello Team 😀",
        "messages": [{"to": [n]} for n in numbers] + [{"to": ["+4088070206"]}],
    }
    created = platform.post(f"{A2P}/batches", body).json_dict()
    assert created["status"] == "Processing"
    assert created["batchSize"] == 5
    assert created["rejected"][0]["index"] == 6

    batch: dict[str, Any] = {}
    for _ in range(20):  # poll while the emulator's clock moves on
        batch = platform.get(f"{A2P}/batches/{created['id']}").json_dict()
        if batch["status"] == "Completed":
            break
        sms_emulator_server.advance("1s")
    assert batch["status"] == "Completed"
    assert batch["processedCount"] == 5
    assert batch["cost"] == 0.035

    sms_emulator_server.advance("10s")
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"phoneNumber": SENDER, "perPage": 2, "view": "Detailed"}
    while True:
        page = platform.get(f"{A2P}/messages", params).json_dict()
        seen.extend(page["records"])
        token = page["paging"].get("nextPageToken")
        if token is None:
            break
        params = {**params, "pageToken": token}
    assert sorted(r["to"][0] for r in seen) == numbers
    assert {r["messageStatus"] for r in seen} == {"Delivered"}
    assert {r["text"] for r in seen} == {"Hello Team 😀"}

    statuses = platform.get(f"{A2P}/statuses", {"batchId": created["id"]}).json_dict()
    assert statuses["delivered"] == {"count": 5, "cost": 0.035}

    old_token = platform.auth().access_token()
    platform.refresh()
    assert platform.auth().access_token() != old_token
    assert platform.get(f"{A2P}/batches").ok()

    platform.logout()
    with pytest.raises(ApiException) as raised:
        platform.get(f"{A2P}/batches", skip_auth_check=True)
    assert "401" in str(raised.value)


def test_the_auth_code_flow_with_pkce_logs_in_once(sms_emulator_server: Any) -> None:
    """The guide's login URL (S256 challenge), the browser step (the emulator signs the
    user in at once), then the SDK's ``login(code=..., verifier=...)``; the code used
    again is RingCentral's 400 OAU-106, which the SDK raises. (The SDK's own
    ``login_url`` raises NameError in 0.9.2: it uses ``urllib`` without importing it.)"""
    sdk = SDK("e2e-client-id", "e2e-client-secret", sms_emulator_server.url, "e2e", "1.0.0")
    platform = sdk.platform()
    redirect = "http://localhost:5000/oauth2callback"
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": "e2e-client-id",
        "redirect_uri": redirect,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorize = httpx.get(f"{sms_emulator_server.url}/restapi/oauth/authorize", params=query)
    location = httpx.URL(authorize.headers["location"])
    assert location.params["state"] == "xyz"
    code = location.params["code"]
    platform.login(code=code, redirect_uri=redirect, verifier=verifier)
    assert platform.get(f"{A2P}/batches").ok()
    with pytest.raises(ApiException) as raised:
        sdk.platform().login(code=code, redirect_uri=redirect, verifier=verifier)
    response = raised.value.api_response().response()
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"errorCode": "OAU-106", "message": "Invalid authorization code"}
    ]


def test_api_errors_reach_the_sdk(platform: Any) -> None:
    with pytest.raises(ApiException) as raised:
        platform.get(f"{A2P}/batches/does-not-exist")
    assert "CMN-102" in str(raised.value)


@pytest.mark.sms_scenario(
    {"accounts": {"ringcentral": [{"numbers": ["+18885550100", "16505550123"]}]}}
)
def test_the_guides_flow_picks_its_sender_from_the_extensions_numbers(
    sms_emulator_server: Any, platform: Any
) -> None:
    """RingCentral's guide code reads the extension's numbers first and sends from one
    with the ``A2PSmsSender`` feature; toll-free and 10DLC told apart by paymentType."""
    listing = platform.get("/restapi/v1.0/account/~/extension/~/phone-number").json_dict()
    senders = {
        r["phoneNumber"]: r["paymentType"]
        for r in listing["records"]
        if "A2PSmsSender" in r["features"]
    }
    assert senders == {"+18885550100": "TollFree", "+16505550123": "Local"}
    sender = next(iter(senders))
    body = {"from": sender, "text": "Hello", "messages": [{"to": ["+14155550100"]}]}
    assert platform.post(f"{A2P}/batches", body).json_dict()["from"] == sender


def test_the_login_lookups_of_a2p_apps_answer(platform: Any) -> None:
    """A2P apps read the account id and the user's name right after logging in."""
    extension = platform.get("/restapi/v1.0/account/~/extension/~").json_dict()
    account = platform.get("/restapi/v1.0/account/~").json_dict()
    assert extension["account"]["id"] == str(account["id"])
    assert extension["contact"]["firstName"] and extension["status"] == "Enabled"


def test_consents_through_the_sdk(platform: Any) -> None:
    """The v2 consents API that replaces a2p-sms opt-outs, as the SDK calls it."""
    url = "/restapi/v2/accounts/~/sms/consents"
    record = {"to": "+14155550100", "optStatus": "OptOut", "from": SENDER, "source": "Api"}
    assert platform.patch(url, {"records": [record]}).json_dict() == {}
    listed = platform.get(url, {"optStatus": ["OptOut", "OptIn"]}).json_dict()["records"]
    assert [{k: r[k] for k in record} for r in listed] == [record]


def test_a_webhook_subscription_through_the_sdk_gets_batch_notifications(
    sms_emulator_server: Any, platform: Any, webhook_receiver: Any
) -> None:
    """The High Volume SMS app's flow: subscribe to batch events, send, learn "Completed"."""
    receiver = webhook_receiver
    subscription = platform.post(
        "/restapi/v1.0/subscription",
        {
            "eventFilters": [f"{A2P}/batches?from={SENDER}"],
            "deliveryMode": {"transportType": "WebHook", "address": f"{receiver.url}/rc"},
        },
    ).json_dict()
    assert subscription["status"] == "Active"
    created = platform.post(
        f"{A2P}/batches", {"from": SENDER, "text": "Hi", "messages": [{"to": [HANDSET]}]}
    ).json_dict()
    sms_emulator_server.advance("1m")
    events = receiver.wait_for(3)  # the validation request, then Processing and Completed
    assert "validation-token" in events[0].headers
    bodies = [json.loads(e.body)["body"] for e in events[1:]]
    assert [(b["id"], b["status"]) for b in bodies] == [
        (created["id"], "Processing"),
        (created["id"], "Completed"),
    ]
    platform.delete(f"/restapi/v1.0/subscription/{subscription['id']}")
    listed = platform.get("/restapi/v1.0/subscription").json_dict()
    assert listed["records"] == []


def _refusal(raised: Any) -> Any:
    return raised.value.api_response().response()


def test_the_sdk_refreshes_by_its_own_clock_only(sms_emulator_server: Any, platform: Any) -> None:
    """The token expires on the emulator's clock: the SDK (which never refreshes on a
    401) gets RingCentral's 401 OAU-128; once its own clock says so, it refreshes first."""
    sms_emulator_server.advance("2h")
    with pytest.raises(ApiException) as raised:
        platform.get(f"{A2P}/batches")
    assert _refusal(raised).status_code == 401
    assert _refusal(raised).json()["errors"] == [
        {"errorCode": "OAU-128", "message": "Access token expired"}
    ]
    platform.auth().set_data({"expire_time": 0})  # its clock past expires_in too
    assert platform.get(f"{A2P}/batches").ok()
    journal = httpx.get(f"{sms_emulator_server.url}/_emulator/requests").json()["requests"]
    refresh = [e for e in journal if e["path"].endswith("/token")][-1]
    assert "grant_type=refresh_token" in refresh["request_body"]
    assert refresh["status"] == 200


def test_an_expired_refresh_token_is_refused_as_ringcentral_does(
    sms_emulator_server: Any, platform: Any
) -> None:
    """RingCentral refuses an expired refresh token with invalid_grant OAU-210 "Token
    expired" (not the SDK's own local "Refresh token has expired")."""
    sms_emulator_server.advance("8d")  # past refresh_token_expires_in
    with pytest.raises(ApiException) as raised:
        platform.refresh()
    assert _refusal(raised).status_code == 400
    assert _refusal(raised).json() == {
        "error": "invalid_grant",
        "errors": [{"errorCode": "OAU-210", "message": "Token expired"}],
        "error_description": "Token expired",
    }


@pytest.mark.parametrize(
    ("respond", "status", "code", "retry_after"),
    [
        ({"status": 429, "retry_after": "30s"}, 429, "CMN-301", "30"),
        ({"status": 503, "retry_after": "5s"}, 503, "CMN-201", "5"),
        ({"status": 500}, 500, "CMN-203", None),
    ],
)
def test_faults_reach_the_sdk_as_ringcentral_errors(
    sms_emulator_server: Any,
    platform: Any,
    respond: dict[str, Any],
    status: int,
    code: str,
    retry_after: str | None,
) -> None:
    scenario = {"faults": [{"when": {"endpoint": "list_batches"}, "respond": respond}]}
    httpx.put(f"{sms_emulator_server.url}/_emulator/scenario", json=scenario).raise_for_status()
    with pytest.raises(ApiException) as raised:
        platform.get(f"{A2P}/batches")
    response = _refusal(raised)
    assert f"HTTP {status} " in str(raised.value)
    assert response.status_code == status
    assert response.headers.get("Retry-After") == retry_after
    assert response.headers["X-Rate-Limit-Group"] == "light"
    body = response.json()
    assert body["errorCode"] == code and body["errors"][0]["errorCode"] == code


def test_a_truncated_body_fails_instead_of_hanging(sms_emulator_server: Any, platform: Any) -> None:
    scenario = {"faults": [{"when": {"endpoint": "list_batches"}, "respond": {"truncate": True}}]}
    httpx.put(f"{sms_emulator_server.url}/_emulator/scenario", json=scenario).raise_for_status()
    response = platform.get(f"{A2P}/batches")
    with pytest.raises(json.JSONDecodeError):
        response.json_dict()
