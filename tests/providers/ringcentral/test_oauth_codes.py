"""Authorization codes from GET /restapi/oauth/authorize, exchanged at /restapi/oauth/token.

A code the emulator issued is checked as RingCentral checks it: once, within its 60 s,
by the app it was issued to, with the same ``redirect_uri``, and with the PKCE
``code_verifier`` its challenge asks for. The error bodies are RingCentral's error
table's (docs/basics/errors.md): OAU-106, OAU-108, OAU-109 and OAU-110.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import httpx
import pytest

from emulator import Emulator

from .conftest import A2P, check_schema

AUTHORIZE = "/restapi/oauth/authorize"
TOKEN = "/restapi/oauth/token"
APP = ("app-id", "app-secret")
REDIRECT = "http://localhost:5000/callback"
VERIFIER = "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E"  # RingCentral's guide's example


def _oauth_error(error: str, code: str, message: str) -> dict[str, Any]:
    return {
        "error": error,
        "errors": [{"errorCode": code, "message": message}],
        "error_description": message,
    }


INVALID_CODE = _oauth_error("invalid_grant", "OAU-106", "Invalid authorization code")
EXPIRED_CODE = _oauth_error("invalid_grant", "OAU-108", "Authorization code is expired")
OTHER_REDIRECT = _oauth_error("invalid_redirect_uri", "OAU-109", "Redirect URIs do not match")
OTHER_APP = _oauth_error(
    "invalid_grant", "OAU-110", "Authorization code was not issued for this application"
)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _redirect(client: httpx.Client, **params: str) -> httpx.URL:
    query = {"response_type": "code", "client_id": APP[0], "redirect_uri": REDIRECT, **params}
    response = client.get(AUTHORIZE, params=query)
    assert response.status_code == 302, response.text
    return httpx.URL(response.headers["location"])


def _code(client: httpx.Client, **params: str) -> str:
    return _redirect(client, **params).params["code"]


def _exchange(
    client: httpx.Client, code: str, auth: tuple[str, str] | None = APP, **form: str
) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **form}
    return client.post(TOKEN, data=data, auth=auth) if auth else client.post(TOKEN, data=data)


def _assert_refused(response: httpx.Response, body: dict[str, Any]) -> None:
    """The whole wire answer: status, content type and body, field by field."""
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert list(response.json()) == ["error", "errors", "error_description"]
    assert response.json() == body


def _assert_logs_in(client: httpx.Client, response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    check_schema("TokenInfo", response.json())
    bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get(f"{A2P}/batches", headers=bearer).status_code == 200


def test_the_redirect_tells_the_codes_lifetime(sms_emulator: Emulator) -> None:
    """RingCentral's guide: the redirect carries ``code``, ``expires_in`` (60 in its
    example: "the remaining lifetime of the authorization code") and ``state``."""
    location = _redirect(sms_emulator.client(), state="s")
    assert list(location.params) == ["code", "expires_in", "state"]
    assert location.params["expires_in"] == "60"
    assert location.params["state"] == "s"


def test_a_code_logs_in_once(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    code = _code(client)
    _assert_logs_in(client, _exchange(client, code))
    again = _exchange(client, code)
    _assert_refused(again, INVALID_CODE)
    check_schema("OauthInvalidRequest", again.json())


def test_a_code_expires_after_60_seconds(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    late, in_time = _code(client), _code(client)
    sms_emulator.advance("59s")
    _assert_logs_in(client, _exchange(client, in_time))
    sms_emulator.advance("1s")
    expired = _exchange(client, late)
    _assert_refused(expired, EXPIRED_CODE)
    check_schema("OauthInvalidRequest", expired.json())


@pytest.mark.parametrize(
    "auth",
    [("other-app", "app-secret"), None],
    ids=["basic-header", "public-client-id"],
)
def test_a_code_is_refused_to_another_app(
    sms_emulator: Emulator, auth: tuple[str, str] | None
) -> None:
    """And the refusal does not use the code up: its own app still logs in with it."""
    client = sms_emulator.client()
    code = _code(client)
    form = {} if auth else {"client_id": "other-app"}
    refused = _exchange(client, code, auth, **form)
    _assert_refused(refused, OTHER_APP)
    check_schema("OauthInvalidRequest", refused.json())
    _assert_logs_in(client, _exchange(client, code))


def test_a_public_client_exchanges_its_own_code_by_client_id(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    code = _code(client)
    _assert_logs_in(client, _exchange(client, code, None, client_id=APP[0]))


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://localhost:5000/callback/", "http://localhost:5000/other", "", None],
    ids=["trailing-slash", "another-path", "empty", "left-out"],
)
def test_a_code_is_refused_with_another_redirect_uri(
    sms_emulator: Emulator, redirect_uri: str | None
) -> None:
    """RFC 6749 4.1.3: the token request's ``redirect_uri`` must be identical to the
    one given to /authorize. RingCentral answers ``invalid_redirect_uri`` (not in its
    spec's enum of ``error`` values, so no schema check), as seen in
    ringcentral-embeddable issue #914."""
    client = sms_emulator.client()
    code = _code(client)
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    _assert_refused(client.post(TOKEN, data=data, auth=APP), OTHER_REDIRECT)
    _assert_logs_in(client, _exchange(client, code))


def test_the_redirect_uri_is_compared_as_sent_not_as_the_location_encodes_it(
    sms_emulator: Emulator,
) -> None:
    client = sms_emulator.client()
    redirect = "https://app.example/ré tour?a=%2F&b=ü"
    code = _code(client, redirect_uri=redirect)
    _assert_logs_in(client, _exchange(client, code, redirect_uri=redirect))


# PKCE (RFC 7636): code_challenge at /authorize, code_verifier at /token


@pytest.mark.parametrize(
    ("method", "challenge"),
    [({"code_challenge_method": "S256"}, _s256(VERIFIER)), ({}, VERIFIER)],
    ids=["S256", "plain-by-default"],
)
def test_pkce_the_right_verifier_logs_in(
    sms_emulator: Emulator, method: dict[str, str], challenge: str
) -> None:
    client = sms_emulator.client()
    code = _code(client, code_challenge=challenge, **method)
    _assert_logs_in(client, _exchange(client, code, None, client_id=APP[0], code_verifier=VERIFIER))


def test_pkce_plain_compares_the_verifier_itself(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    code = _code(client, code_challenge=VERIFIER, code_challenge_method="plain")
    _assert_refused(_exchange(client, code, code_verifier=_s256(VERIFIER)), INVALID_CODE)
    _assert_logs_in(client, _exchange(client, code, code_verifier=VERIFIER))


@pytest.mark.parametrize(
    "verifier",
    [{"code_verifier": VERIFIER + "x"}, {"code_verifier": _s256(VERIFIER)}, {}],
    ids=["wrong", "the-challenge-itself", "left-out"],
)
def test_pkce_a_wrong_or_missing_verifier_is_refused(
    sms_emulator: Emulator, verifier: dict[str, str]
) -> None:
    """RFC 7636 4.6: invalid_grant. RingCentral's table has no PKCE code of its own: the
    answer is its "Invalid authorization code". The code stays usable."""
    client = sms_emulator.client()
    code = _code(client, code_challenge=_s256(VERIFIER), code_challenge_method="S256")
    refused = _exchange(client, code, None, client_id=APP[0], **verifier)
    _assert_refused(refused, INVALID_CODE)
    check_schema("OauthInvalidRequest", refused.json())
    _assert_logs_in(client, _exchange(client, code, code_verifier=VERIFIER))


def test_a_verifier_for_a_code_without_a_challenge_is_ignored(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    _assert_logs_in(client, _exchange(client, _code(client), code_verifier=VERIFIER))


@pytest.mark.parametrize("method", ["s256", "SHA256", "S512"])
def test_pkce_an_unsupported_method_goes_back_as_invalid_request(
    sms_emulator: Emulator, method: str
) -> None:
    """RFC 7636 4.4.1: ``invalid_request``, in the redirect (RFC 6749 4.1.2.1), with no
    code; the methods are ``plain`` and ``S256`` (RingCentral's spec), case-sensitive."""
    client = sms_emulator.client()
    location = _redirect(
        client, code_challenge=_s256(VERIFIER), code_challenge_method=method, state="s"
    )
    assert dict(location.params) == {
        "error": "invalid_request",
        "error_description": f"Parameter [code_challenge_method] value [{method}] is invalid",
        "state": "s",
    }
    assert sms_emulator.store.state_items("ringcentral.code") == []


def test_a_method_without_a_challenge_asks_for_no_verifier(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    code = _code(client, code_challenge_method="S256")
    _assert_logs_in(client, _exchange(client, code))


# a client authenticated by a client_assertion (RFC 7523)


def _assertion(subject: str) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"iss": subject, "sub": subject}).encode())
    return f"eyJhbGciOiJSUzI1NiJ9.{claims.rstrip(b'=').decode()}.c2ln"


@pytest.mark.parametrize(
    ("subject", "answer"), [(APP[0], None), ("other-app", OTHER_APP)], ids=["its-app", "another"]
)
def test_a_client_assertion_names_its_app_by_its_subject(
    sms_emulator: Emulator, subject: str, answer: dict[str, Any] | None
) -> None:
    client = sms_emulator.client()
    code = _code(client)
    assertion = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion(subject),
    }
    response = _exchange(client, code, None, **assertion)
    if answer is None:
        _assert_logs_in(client, response)
    else:
        _assert_refused(response, answer)


@pytest.mark.parametrize(
    "payload",
    [b"[" * 5000, b'{"sub":' * 5000, b"not json", b"\xff\xfe"],
    ids=["nested-arrays", "nested-objects", "not-json", "not-utf8"],
)
def test_a_client_assertion_whose_payload_is_no_claims_names_no_app(
    sms_emulator: Emulator, payload: bytes
) -> None:
    """A payload nested too deep to decode (msgspec's RecursionError) is refused as one
    naming another app, not answered 500."""
    client = sms_emulator.client()
    code = _code(client)
    claims = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    assertion = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": f"eyJhbGciOiJSUzI1NiJ9.{claims}.c2ln",
    }
    _assert_refused(_exchange(client, code, None, **assertion), OTHER_APP)


# a code the emulator never issued: the documented shortcut past the browser step


def test_a_code_authorize_never_issued_still_logs_in_every_time(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    for _ in range(2):
        _assert_logs_in(client, _exchange(client, "made-up-code", redirect_uri="http://x/cb"))


# state: drawn from the seed, kept with --db, forgotten by reset()


def test_codes_follow_the_seed() -> None:
    first, second = Emulator(seed=7), Emulator(seed=7)
    try:
        codes = [_code(first.client()) for _ in range(3)]
        assert [_code(second.client()) for _ in range(3)] == codes
        assert len(set(codes)) == 3
    finally:
        first.close()
        second.close()


def test_reset_forgets_the_codes(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    used = _code(client)
    assert _exchange(client, used).status_code == 200
    _code(client)
    sms_emulator.reset()
    assert sms_emulator.store.state_items("ringcentral.code") == []
    # unknown again: a code never issued, which logs in (and the seed gives it anew)
    _assert_logs_in(client, _exchange(client, used))
    assert _code(client) == used


def test_codes_survive_a_restart_with_db(tmp_path, died) -> None:
    """Issued, used, or both after a crash (no clean close): each keeps its state."""
    db = tmp_path / "rc.db"
    first = Emulator(db=db)
    client = first.client()
    used, unused = _code(client), _code(client)
    assert _exchange(client, used).status_code == 200
    died(first)
    again = Emulator(db=db)
    try:
        client = again.client()
        assert _code(client) not in (used, unused)
        _assert_refused(_exchange(client, used), INVALID_CODE)
        _assert_refused(_exchange(client, unused, ("other-app", "s")), OTHER_APP)
        _assert_logs_in(client, _exchange(client, unused))
    finally:
        again.close()


def test_a_login_cut_short_leaves_the_code_usable(
    tmp_path, monkeypatch, process_death, died
) -> None:
    """The code is used up in the commit that saves the session: a crash in between
    leaves it unused, so the client's retry logs in (and then it is used up)."""
    db = tmp_path / "rc.db"
    first = Emulator(db=db)
    code = _code(first.client())
    real = first.store.put_state

    def dies_on_the_session(namespace: str, key: str, value: object) -> None:
        real(namespace, key, value)
        if namespace == "ringcentral.access":
            raise process_death

    monkeypatch.setattr(first.store, "put_state", dies_on_the_session)
    with pytest.raises(process_death):
        _exchange(first.client(), code)
    died(first)
    again = Emulator(db=db)
    try:
        client = again.client()
        _assert_logs_in(client, _exchange(client, code))
        _assert_refused(_exchange(client, code), INVALID_CODE)
    finally:
        again.close()
