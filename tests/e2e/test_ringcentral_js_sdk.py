"""RingCentral end to end with its JavaScript SDKs run by node: the official SDK
(``@ringcentral/sdk``) and ringcentral-extensible (``@rc-ex/core``), generated from
RingCentral's API spec.

The node project lives in ``tests/e2e/js`` (``package.json`` + ``package-lock.json``);
install it with ``npm ci --prefix tests/e2e/js``. Covered: the official SDK's
refresh-and-retry on 401 (it refreshes with ``access_token_ttl=-1``), its
``handleRateLimit`` retry after a 429, its three-legged login with PKCE, and the failures
it cannot recover from (a refused refresh, a 503, a truncated body). rc-ex calls
differently: ``client_id`` in the token form beside the Basic header, array filters sent
as repeated query parameters (``status=Completed&status=Processing``), the
``/restapi/v2/.../sms/consents`` family (``PATCH``, ``search``, ``history``, ``export``),
and a ``RestException`` holding the error answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

JS = Path(__file__).parent / "js"


def _node(script: str, server_url: str, package: str = "@ringcentral/sdk") -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the RingCentral JS SDK tests need Node.js 18+")
    if not (JS / "node_modules" / package).is_dir():
        pytest.fail(
            f"{package} is not installed: run `npm ci --prefix tests/e2e/js` first",
            pytrace=False,
        )
    done = subprocess.run(
        [node, str(JS / script), server_url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stderr}\n{done.stdout}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _journal(server_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server_url}/_emulator/requests", params={"provider": "ringcentral"})
    return response.json()["requests"]


def test_js_sdk_refreshes_and_retries_after_401(sms_emulator_server: Any) -> None:
    result = _node("refresh_on_401.mjs", sms_emulator_server.url)
    assert result["created"]["batchSize"] == 2
    assert result["batch"]["status"] == "Completed"
    (record,) = result["page"]["records"]
    assert record["text"] == "Héllo from JS 😀"
    assert record["messageStatus"] == "Delivered"

    journal = _journal(sms_emulator_server.url)
    calls = [(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in journal]
    expired = calls.index(("GET", result["created"]["id"], 401))
    assert calls[expired + 1] == ("POST", "token", 200)
    assert calls[expired + 2] == ("GET", result["created"]["id"], 200)
    refresh = journal[expired + 1]["request_body"]
    assert "grant_type=refresh_token" in refresh
    assert "access_token_ttl=-1" in refresh
    assert journal[expired]["response_headers"]["rcrequestid"]


def test_js_sdk_logs_in_with_pkce_and_the_code_works_once(sms_emulator_server: Any) -> None:
    result = _node("auth_code_pkce.mjs", sms_emulator_server.url)
    assert result["status"] == 302
    assert result["query"] == ["code", "expires_in", "state"]
    assert result["listed"] == 200
    description = "Invalid authorization code"
    assert result["again"] == {
        "status": 400,
        "body": {
            "error": "invalid_grant",
            "errors": [{"errorCode": "OAU-106", "message": description}],
            "error_description": description,
        },
    }
    (login, *_) = [e for e in _journal(sms_emulator_server.url) if e["path"].endswith("/token")]
    assert "code_verifier=" in login["request_body"]


@pytest.mark.sms_scenario(
    {"rate_limits": {"ringcentral.light": {"requests": 2, "per": "2s", "penalty": "1s"}}}
)
def test_js_sdk_waits_retry_after_on_429(sms_emulator_server: Any) -> None:
    result = _node("rate_limit.mjs", sms_emulator_server.url)
    assert result["statuses"] == [200, 200, 200]
    assert result["waits"] == [1000]  # milliseconds, from Retry-After: 1
    unhandled = result["unhandled"]
    assert unhandled["status"] == 429
    assert unhandled["retryAfter"] == "1"
    assert unhandled["body"]["errorCode"] == "CMN-301"
    statuses = [
        e["status"] for e in _journal(sms_emulator_server.url) if e["path"].endswith("/batches")
    ]
    assert statuses.count(429) == 2


def test_js_sdk_subscribes_and_a_node_receiver_gets_the_batch_events(
    sms_emulator_server: Any,
) -> None:
    result = _node("webhook_subscription.mjs", sms_emulator_server.url)
    assert result["subscription"]["status"] == "Active"
    assert "verificationToken" not in result["subscription"]["deliveryMode"]  # write-only
    received = result["received"]
    assert [r["body"]["body"]["status"] for r in received] == ["Processing", "Completed"]
    assert {r["body"]["body"]["id"] for r in received} == {result["created"]["id"]}
    assert {r["headers"]["verification-token"] for r in received} == {"js-secret"}
    assert {r["body"]["subscriptionId"] for r in received} == {result["subscription"]["id"]}


def test_js_sdk_surfaces_what_it_cannot_recover_from(sms_emulator_server: Any) -> None:
    """The refresh after a 401 refused (refresh token expired: RingCentral's 400
    OAU-210 "Token expired"; session revoked: OAU-213), a 503 it does not retry, and a
    truncated body that fails at once instead of hanging."""
    result = _node("refresh_failures.mjs", sms_emulator_server.url)
    assert result["refreshExpired"] == {
        "message": "Token expired",  # the SDK's message is error_description
        "status": 400,
        "body": {
            "error": "invalid_grant",
            "errors": [{"errorCode": "OAU-210", "message": "Token expired"}],
            "error_description": "Token expired",
        },
        "retryAfter": None,
    }
    assert result["refreshErrors"] == ["Token expired"]
    revoked = result["sessionRevoked"]
    assert (revoked["status"], revoked["body"]["error"]) == (400, "invalid_grant")
    assert revoked["body"]["errors"][0]["errorCode"] == "OAU-213"
    unavailable = result["unavailable"]
    assert (unavailable["status"], unavailable["retryAfter"]) == (503, "5")
    assert unavailable["message"] == "Service Temporary Unavailable"
    assert unavailable["body"]["errorCode"] == "CMN-201"
    assert unavailable["body"]["errors"][0]["errorCode"] == "CMN-201"
    assert "invalid json response body" in result["truncated"]
    journal = _journal(sms_emulator_server.url)
    refused = [e for e in journal if e["path"].endswith("/token") and e["status"] == 400]
    assert ["grant_type=refresh_token" in e["request_body"] for e in refused] == [True, True]


def test_rcex_sends_lists_and_reads_consents_and_their_history(sms_emulator_server: Any) -> None:
    got = _node("rcex_a2p.mjs", sms_emulator_server.url, "@rc-ex/core")
    assert "access_token" in got["token"] and "refresh_token" in got["token"]
    created = got["created"]
    assert (created["batchSize"], created["status"]) == (2, "Processing")
    assert created["rejected"] == [
        {
            "index": 3,
            "to": ["+1415555"],
            "errorCode": "SMS-RC-410",
            "description": "The recipient number is invalid",
        }
    ]
    assert got["batches"] == [[created["id"], "Completed"]]
    (first,) = got["page"]["records"]
    assert first["text"] == "Own text" and first["messageStatus"] == "Delivered"
    assert isinstance(first["id"], int)  # the list's id: int64 in the spec
    assert got["next"] == ["+14155550100"]
    assert got["one"]["id"] == str(first["id"])  # one message's id: a string
    assert got["statuses"]["delivered"] == {"count": 2, "cost": 0.014}
    assert got["patched"] == {}
    assert [(r["to"], r["optStatus"]) for r in got["searched"]] == [("+14155550199", "OptIn")]
    assert [(r["optStatus"], r["source"]) for r in got["history"]] == [
        ("OptIn", "Recipient"),
        ("OptOut", "Api"),
    ]
    assert got["exported"].splitlines()[1].startswith("+14155550199,+16505550100,OptIn,")
    assert got["unknownBatch"]["type"] == "RestException"
    assert (got["unknownBatch"]["status"], got["unknownBatch"]["body"]["errorCode"]) == (
        404,
        "CMN-102",
    )
    bad = got["badFilter"]
    assert (bad["status"], bad["body"]["errors"][0]["parameterName"]) == (400, "status")

    journal = _journal(sms_emulator_server.url)
    login = journal[0]
    assert login["path"] == "/restapi/oauth/token"
    assert "client_id=rcex-client-id" in login["request_body"]
    assert login["request_headers"]["authorization"].startswith("Basic ")
    listed = next(
        e for e in journal if e["path"].endswith("/a2p-sms/batches") and e["method"] == "GET"
    )
    assert listed["query"] == "status=Completed&status=Processing"
