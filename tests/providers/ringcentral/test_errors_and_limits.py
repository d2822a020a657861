"""RCRequestId, X-Rate-Limit-*, 429 CMN-301, scenario faults, unknown routes, client quirks."""

from __future__ import annotations

import re
import threading
from typing import Any

import httpx
import pytest

from emulator import Emulator
from emulator.providers import base

from .conftest import A2P, CLIENT, JWT_GRANT, RC, SENDER, bearer, check_schema, login

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_every_response_has_an_rc_request_id(rc: RC) -> None:
    responses = [
        rc.get("/batches"),
        rc.get("/nope"),
        rc.http.get(A2P + "/batches"),
        rc.http.post("/restapi/oauth/token", data={}),
        rc.http.get("/restapi/v2/whatever"),
    ]
    ids = [r.headers["rcrequestid"] for r in responses]
    assert all(UUID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_rate_limit_headers(rc: RC) -> None:
    first = rc.get("/batches")
    assert first.headers["x-rate-limit-group"] == "light"
    assert first.headers["x-rate-limit-limit"] == "50"
    assert first.headers["x-rate-limit-window"] == "60"
    remaining = int(first.headers["x-rate-limit-remaining"])
    assert int(rc.get("/batches").headers["x-rate-limit-remaining"]) == remaining - 1
    token = rc.http.post(
        "/restapi/oauth/token",
        auth=("i", "s"),
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
    )
    assert token.headers["x-rate-limit-group"] == "auth"
    assert token.headers["x-rate-limit-limit"] == "5"


@pytest.mark.sms_scenario(
    {"rate_limits": {"ringcentral.light": {"requests": 2, "per": "60s", "penalty": "60s"}}}
)
def test_429_with_retry_after_and_penalty(rc: RC) -> None:
    assert rc.get("/batches").headers["x-rate-limit-remaining"] == "1"
    assert rc.get("/batches").status_code == 200
    refused = rc.get("/batches")
    assert refused.status_code == 429
    body = refused.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == "CMN-301"
    assert body["message"] == "Request rate exceeded"
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["x-rate-limit-remaining"] == "0"
    assert refused.headers["x-rate-limit-limit"] == "2"
    rc.emu.advance("59s")
    assert rc.get("/batches").status_code == 429  # restarts the penalty
    rc.emu.advance("59s")
    assert rc.get("/batches").status_code == 429
    rc.emu.advance("61s")
    assert rc.get("/batches").status_code == 200
    # the Auth group is counted separately
    revoked = rc.http.post("/restapi/oauth/revoke", auth=CLIENT, data={"token": "x"})
    assert revoked.status_code == 200


@pytest.mark.sms_scenario({"rate_limits": {"ringcentral.light": {"requests": 1, "per": "1s"}}})
def test_a_limit_without_penalty_still_gets_ringcentrals_60s_block(rc: RC) -> None:
    assert rc.get("/batches").status_code == 200
    refused = rc.get("/batches")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"  # not the 1 s refill of the bucket
    rc.emu.advance("30s")
    assert rc.get("/batches").status_code == 429  # each request restarts the block
    rc.emu.advance("61s")
    assert rc.get("/batches").status_code == 200


@pytest.mark.sms_scenario({"rate_limits": {"ringcentral.auth": {"requests": 1, "per": "60s"}}})
def test_auth_group_limit(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    login(client)
    refused = client.post(
        "/restapi/oauth/token",
        auth=CLIENT,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
    )
    assert refused.status_code == 429
    assert refused.json()["errorCode"] == "CMN-301"
    assert refused.headers["x-rate-limit-group"] == "auth"
    assert int(refused.headers["retry-after"]) >= 1
    # another application has its own auth bucket
    other = client.post(
        "/restapi/oauth/token",
        auth=("other-app", "its-secret"),
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
    )
    assert other.status_code == 200, other.text


_TWO_APPS = {
    "ringcentral": [
        {"client_id": "app-a", "client_secret": "sa", "jwt": "jwt-a", "account_id": "111"},
        {"client_id": "app-b", "client_secret": "sb", "jwt": "jwt-b", "account_id": "222"},
    ]
}


def _bearer(emu: Emulator, app: str, jwt: str) -> dict[str, str]:
    return bearer(emu.client(), auth=(app, "s" + app[-1]), assertion=jwt)


@pytest.mark.sms_scenario(
    {"accounts": _TWO_APPS, "rate_limits": {"ringcentral.light": {"requests": 2, "per": "60s"}}}
)
def test_limits_count_each_user_of_each_app_separately(sms_emulator: Emulator) -> None:
    """RingCentral limits "the pair (authenticated user, application)": one tenant's
    traffic does not throttle another's, while two sessions of one user share a bucket."""
    client = sms_emulator.client()
    a1 = _bearer(sms_emulator, "app-a", "jwt-a")
    a2 = _bearer(sms_emulator, "app-a", "jwt-a")  # the same user and app, a second login
    b = _bearer(sms_emulator, "app-b", "jwt-b")
    assert client.get(A2P + "/batches", headers=a1).status_code == 200
    assert client.get(A2P + "/batches", headers=a2).status_code == 200
    assert client.get(A2P + "/batches", headers=a1).status_code == 429
    answer = client.get(A2P + "/batches", headers=b)
    assert answer.status_code == 200
    assert answer.headers["x-rate-limit-remaining"] == "1"


@pytest.mark.sms_scenario({"accounts": _TWO_APPS})
def test_informational_remaining_counts_each_user_of_each_app(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    a, b = _bearer(sms_emulator, "app-a", "jwt-a"), _bearer(sms_emulator, "app-b", "jwt-b")
    for _ in range(10):
        client.get(A2P + "/batches", headers=a)
    assert client.get(A2P + "/batches", headers=a).headers["x-rate-limit-remaining"] == "39"
    assert client.get(A2P + "/batches", headers=b).headers["x-rate-limit-remaining"] == "49"


@pytest.mark.sms_scenario(
    {
        "faults": [
            {
                "when": {"provider": "ringcentral", "endpoint": "create_batch"},
                "calls": [1],
                "respond": {"status": 503},
            },
            {
                "when": {"provider": "ringcentral", "endpoint": "get_batch"},
                "calls": [1],
                "respond": {"status": 500},
            },
        ]
    }
)
def test_faults_come_back_in_ringcentral_shape(rc: RC) -> None:
    body = {"from": SENDER, "text": "x", "messages": [{"to": ["+14155550100"]}]}
    failed = rc.post("/batches", json=body)
    assert failed.status_code == 503
    check_schema("ASGErrorResponse", failed.json())
    assert failed.json()["errorCode"] == "CMN-201"
    assert rc.emu.messages() == []
    batch = rc.post("/batches", json=body).json()
    broken = rc.get(f"/batches/{batch['id']}")
    assert broken.status_code == 500
    assert broken.json()["errorCode"] == "CMN-203"
    # the rate-limit headers a pacing client reads are on the faults too, and they count
    assert failed.headers["x-rate-limit-group"] == "light"
    assert broken.headers["x-rate-limit-group"] == "light"
    assert broken.headers["x-rate-limit-limit"] == "50"
    assert broken.headers["x-rate-limit-window"] == "60"
    after = rc.get(f"/batches/{batch['id']}")
    remaining = int(after.headers["x-rate-limit-remaining"])
    assert int(broken.headers["x-rate-limit-remaining"]) == remaining + 1


def _batch_list_answered_by_a_fault_of(rc: RC, status: int) -> httpx.Response:
    """The first batch list answered by a fault giving only its status."""
    rc.emu.load_scenario(
        {
            "faults": [
                {
                    "when": {"provider": "ringcentral", "endpoint": "list_batches"},
                    "calls": [1],
                    "respond": {"status": status},
                }
            ]
        }
    )
    return rc.get("/batches")


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (409, "AGW-409", "Conflict"),
        (408, "AGW-408", "Request Timeout"),
        (422, "AGW-422", "Unprocessable Content"),  # RFC 9110's, on every Python
        (499, "AGW-499", "Client Error"),
        (502, "CMN-203", None),
    ],
)
def test_a_fault_status_with_no_error_of_its_own_is_named_by_it(
    rc: RC, status: int, code: str, message: str | None
) -> None:
    response = _batch_list_answered_by_a_fault_of(rc, status)
    assert response.status_code == status
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == code
    assert body["message"] == (message or "Internal Server Error")


@pytest.mark.parametrize(
    ("status", "code", "message", "detail"),
    [
        (400, "CMN-101", "Parameter [body] value is invalid.", {"parameterName": "body"}),
        (
            403,
            "CMN-401",
            "In order to call this API endpoint, application needs to have [A2PSMS] permission",
            {"permissionName": "A2PSMS"},
        ),
        (415, "CMN-415", "Content-Type [unknown] is not supported", {"parameterValue": "unknown"}),
    ],
)
def test_a_fault_status_with_an_error_of_its_own_answers_that_error(
    rc: RC, status: int, code: str, message: str, detail: dict[str, str]
) -> None:
    response = _batch_list_answered_by_a_fault_of(rc, status)
    assert response.status_code == status
    assert response.json() == {
        "errorCode": code,
        "message": message,
        "errors": [{"errorCode": code, "message": message, **detail}],
    }


def test_a_faults_retry_after_of_zero_sends_a_header_of_zero(rc: RC) -> None:
    """As on every provider: the fault asked for a retry at once (a wait is 1 s at least)."""
    rc.emu.load_scenario(
        {
            "faults": [
                {
                    "when": {"provider": "ringcentral", "endpoint": "list_batches"},
                    "calls": [1],
                    "respond": {"status": 503, "retry_after": "0s"},
                }
            ]
        }
    )
    assert rc.get("/batches").headers["retry-after"] == "0"


def test_a_401_fault_on_the_token_endpoint_is_invalid_client(rc: RC) -> None:
    rc.emu.load_scenario(
        {
            "faults": [
                {
                    "when": {"provider": "ringcentral", "endpoint": "token"},
                    "calls": [1],
                    "respond": {"status": 401},
                }
            ]
        }
    )
    response = rc.http.post(
        "/restapi/oauth/token",
        auth=("id", "secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_403_fault_on_the_token_endpoint_is_an_oauth_error(rc: RC) -> None:
    """Not the API's "application needs to have [A2PSMS] permission", which a login
    cannot lack: RingCentral's OAU- table answers 403 for a grant the app may not use."""
    fault = {"when": {"endpoint": "token"}, "calls": [1], "respond": {"status": 403}}
    rc.emu.load_scenario({"faults": [fault]})
    response = rc.http.post(
        "/restapi/oauth/token",
        auth=("id", "secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    message = "The client is unauthorized for the required grant type"
    assert (response.status_code, response.json()) == (
        403,
        {
            "error": "unauthorized_client",
            "errors": [{"errorCode": "OAU-112", "message": message}],
            "error_description": message,
        },
    )


def test_unknown_routes_and_methods(rc: RC) -> None:
    for path in ("/restapi/v1.0/account/~/a2p-sms/nope", "/restapi/v1.0/account/~/extension/~/sms"):
        response = rc.http.get(path, headers=rc.headers)
        assert response.status_code == 404
        assert response.json() == {
            "errorCode": "AGW-404",
            "message": "Resource not found",
            "errors": [],
        }
    wrong = rc.http.delete(A2P + "/batches", headers=rc.headers)
    assert wrong.status_code == 405
    assert wrong.json()["errorCode"] == "AGW-405"
    assert wrong.headers["allow"] == "GET, HEAD, POST"  # sorted, whatever the hash seed


def test_client_quirks(rc: RC) -> None:
    quirky = {**rc.headers, "Content-Type": "application/json"}  # on a bodiless GET
    assert rc.http.get(A2P + "/batches", headers=quirky).status_code == 200
    doubled = rc.http.get(
        "http://sms-emulator.test//restapi/v1.0/account/~/a2p-sms/batches", headers=rc.headers
    )
    assert doubled.status_code == 200
    no_accept = rc.http.get(A2P + "/statuses", headers={**rc.headers, "Accept": ""})
    assert no_accept.headers["content-type"].startswith("application/json")


@pytest.mark.sms_scenario(
    {"faults": [{"when": {"endpoint": "list_batches"}, "calls": [1], "respond": {"delay": "1s"}}]}
)
def test_a_token_revoked_while_a_fault_delays_its_request_is_refused(
    rc: RC, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler checks the token when it runs, not when the rate limiter looked."""
    delaying = threading.Event()
    apply_fault = base.apply_fault

    async def noted(*args: Any, **kwargs: Any) -> Any:
        delaying.set()  # past the rate limiter's look at the token, into the delay
        return await apply_fault(*args, **kwargs)

    monkeypatch.setattr(base, "apply_fault", noted)
    answers: list[int] = []
    held = threading.Thread(target=lambda: answers.append(rc.get("/batches").status_code))
    held.start()
    assert delaying.wait(timeout=10)
    token = rc.headers["Authorization"].split()[1]
    revoked = rc.emu.client().post("/restapi/oauth/revoke", auth=CLIENT, data={"token": token})
    assert revoked.status_code == 200
    held.join()
    assert answers == [401]


@pytest.mark.sms_scenario({"rate_limits": {"ringcentral.auth": {"requests": 1, "per": "60s"}}})
def test_token_requests_count_for_the_application_their_form_names(
    sms_emulator: Emulator,
) -> None:
    """Public clients (a browser's PKCE app) send client_id in the form, not in Basic."""
    client = sms_emulator.client()
    for app in ("app-a", "app-b"):
        form = {"grant_type": JWT_GRANT, "assertion": "x", "client_id": app}
        assert client.post("/restapi/oauth/token", data=form).status_code == 200, app
    again = {"grant_type": JWT_GRANT, "assertion": "x", "client_id": "app-a"}
    assert client.post("/restapi/oauth/token", data=again).status_code == 429


@pytest.mark.sms_scenario(
    {"accounts": _TWO_APPS, "rate_limits": {"ringcentral.auth": {"requests": 3, "per": "60s"}}}
)
def test_token_requests_of_unknown_applications_share_one_bucket(sms_emulator: Emulator) -> None:
    """Made-up client ids are refused and throttled together, not given a bucket each."""
    client = sms_emulator.client()
    answers = [
        client.post(
            "/restapi/oauth/token",
            auth=(f"made-up-{n}", "x"),
            data={"grant_type": JWT_GRANT, "assertion": "x"},
        ).status_code
        for n in range(6)
    ]
    assert answers == [400, 400, 400, 429, 429, 429]
    assert _bearer(sms_emulator, "app-a", "jwt-a")  # a known application is not held back


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"client_id": "app/x", "jwt": "jwt-1", "account_id": "1", "owner_id": "2"},
                {"client_id": "x", "jwt": "jwt-2", "account_id": "1", "owner_id": "2/app"},
            ]
        },
        "rate_limits": {"ringcentral.light": {"requests": 1, "per": "60s"}},
    }
)
def test_callers_whose_ids_contain_slashes_are_still_told_apart(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    logins = (("app/x", "jwt-1"), ("x", "jwt-2"))
    tokens = [bearer(client, auth=(app, "s"), assertion=jwt) for app, jwt in logins]
    assert [client.get(A2P + "/batches", headers=t).status_code for t in tokens] == [200, 200]
