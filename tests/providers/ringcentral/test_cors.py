"""CORS for browser apps: preflights answered, answers labelled; nothing added without Origin."""

from __future__ import annotations

from emulator import Emulator

from .conftest import A2P, RC

ORIGIN = "http://localhost:3000"


def test_a_preflight_is_answered_for_any_origin_and_header(sms_emulator: Emulator) -> None:
    response = sms_emulator.client().options(
        A2P + "/batches",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-user-agent",
        },
    )
    assert response.status_code == 200
    # the origin itself, with credentials: the JS SDK's fetch sends credentials "include"
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert {"POST", "HEAD"} <= set(response.headers["access-control-allow-methods"].split(", "))
    assert response.headers["access-control-allow-headers"] == (
        "authorization,content-type,x-user-agent"
    )
    assert len(response.headers["rcrequestid"]) == 36  # as on every RingCentral answer


def test_a_preflight_for_a_method_the_api_has_none_of_is_refused_in_ringcentral_s_shape(
    sms_emulator: Emulator,
) -> None:
    """Browsers send a method other than the six standard ones as written (``patch``):
    the refusal is CMN-101 in RingCentral's error body, not Starlette's plain text, and
    keeps the CORS headers a browser reads to say why."""
    for method in ("patch", "TRACE", "PROPFIND"):
        response = sms_emulator.client().options(
            A2P + "/batches",
            headers={"Origin": ORIGIN, "Access-Control-Request-Method": method},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {
            "errorCode": "CMN-101",
            "message": "Parameter [Access-Control-Request-Method] value is invalid.",
            "errors": [
                {
                    "errorCode": "CMN-101",
                    "message": "Parameter [Access-Control-Request-Method] value is invalid.",
                    "parameterName": "Access-Control-Request-Method",
                    "parameterValue": method,
                }
            ],
        }
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "PATCH" in response.headers["access-control-allow-methods"]
        assert len(response.headers["rcrequestid"]) == 36


def test_a_private_network_preflight_is_allowed(sms_emulator: Emulator) -> None:
    """Chrome asks before a public page calls a private address (the emulator's): a
    plain-text 400 "Disallowed CORS private-network" would block the SDK."""
    response = sms_emulator.client().options(
        "/restapi/oauth/token",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-private-network"] == "true"
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert len(response.headers["rcrequestid"]) == 36


def test_answers_to_a_browser_expose_the_request_id_and_rate_limit_headers(rc: RC) -> None:
    response = rc.get("/batches", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"rcrequestid", "x-rate-limit-remaining", "retry-after"} <= exposed


def test_nothing_changes_for_a_request_without_origin(rc: RC) -> None:
    response = rc.get("/batches")
    assert not [name for name in response.headers if name.startswith("access-control-")]
    assert rc.http.options(A2P + "/batches").status_code == 405  # not a preflight: no route
