"""POST /restapi/oauth/token and /restapi/oauth/revoke; bearer checks on the API."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from emulator import Emulator

from .conftest import A2P, CLIENT, JWT_GRANT, check_schema, login

TOKEN = "/restapi/oauth/token"
REVOKE = "/restapi/oauth/revoke"


def test_jwt_grant_returns_token_info(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    response = client.post(
        TOKEN, auth=("id", "secret"), data={"grant_type": JWT_GRANT, "assertion": "eyJ.x.y"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    # RFC 6749 5.1: tokens are not to be kept by caches
    assert (response.headers["cache-control"], response.headers["pragma"]) == (
        "no-store",
        "no-cache",
    )
    body = response.json()
    check_schema("TokenInfo", body)
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and isinstance(body["expires_in"], int)
    assert body["refresh_token_expires_in"] == 604800
    assert isinstance(body["refresh_token_expires_in"], int)
    for key in ("access_token", "refresh_token", "scope", "owner_id", "endpoint_id", "session_id"):
        assert isinstance(body[key], str) and body[key]
    assert "A2PSMS" in body["scope"].split()


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "password", "username": "+16505550100", "password": "p", "extension": "101"},
        {"grant_type": "authorization_code", "code": "abc", "redirect_uri": "http://x/cb"},
        {"grant_type": "partner_jwt", "assertion": "x"},
    ],
)
def test_other_grants_with_client_id_in_body(sms_emulator: Emulator, form: dict[str, str]) -> None:
    response = sms_emulator.client().post(TOKEN, data={**form, "client_id": "public-app"})
    assert response.status_code == 200, response.text
    check_schema("TokenInfo", response.json())


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("-1", 3600),
        ("0", 3600),
        ("30", 600),
        ("1200", 1200),
        ("99999", 3600),
        ("abc", 3600),
        ("1e400", 3600),
        ("inf", 3600),
        ("-inf", 3600),
        ("nan", 3600),
        ("9" * 400, 3600),
        ("9_00", 3600),  # Python's float() reads 900; Java's number parsing does not
    ],
)
def test_access_ttl_is_clamped_not_refused(
    sms_emulator: Emulator, sent: str, expected: int
) -> None:
    body = login(sms_emulator.client(), access_token_ttl=sent, refresh_token_ttl="9999999")
    assert body["expires_in"] == expected
    assert body["refresh_token_expires_in"] == 2_592_000


def test_access_token_expires_on_the_emulator_clock(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = login(client, access_token_ttl="600")
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get(A2P + "/batches", headers=headers).status_code == 200
    sms_emulator.advance("600s")
    response = client.get(A2P + "/batches", headers=headers)
    assert response.status_code == 401
    assert response.json()["errorCode"] == "OAU-128"
    check_schema("ASGErrorResponse", response.json())


def test_refresh_tokens_are_single_use(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    first = login(client)
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    refreshed = client.post(TOKEN, auth=CLIENT, data=form)
    assert refreshed.status_code == 200
    body = refreshed.json()
    assert body["session_id"] == first["session_id"]
    assert body["refresh_token"] != first["refresh_token"]
    again = client.post(TOKEN, auth=CLIENT, data=form)
    assert again.status_code == 400
    error = again.json()
    check_schema("OauthInvalidRequest", error)
    assert error["error"] == "invalid_grant"
    assert error["errors"][0]["errorCode"] == "OAU-213"
    assert isinstance(error["error_description"], str)


def test_a_refresh_makes_the_old_access_token_invalid_at_once(sms_emulator: Emulator) -> None:
    """As RingCentral does: 401 OAU-129 "Access token corrupted" right after the refresh,
    OAU-213 "Token not found" from about 10 s on; the new token works."""
    client = sms_emulator.client()
    first = login(client)
    old = {"Authorization": f"Bearer {first['access_token']}"}
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    new = client.post(TOKEN, auth=CLIENT, data=form).json()
    corrupted = client.get(A2P + "/batches", headers=old)
    assert corrupted.status_code == 401
    check_schema("ASGErrorResponse", corrupted.json())
    assert (corrupted.json()["errorCode"], corrupted.json()["message"]) == (
        "OAU-129",
        "Access token corrupted",
    )
    sms_emulator.advance("10s")
    gone = client.get(A2P + "/batches", headers=old)
    assert (gone.status_code, gone.json()["errorCode"]) == (401, "OAU-213")
    fresh = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get(A2P + "/batches", headers=fresh).status_code == 200


def test_a_worker_revoking_a_refreshed_away_token_leaves_the_session(
    sms_emulator: Emulator,
) -> None:
    """Two workers share a token; one refreshes; the other, logging out with the old
    token, must not end the session the first now uses (the token is unknown)."""
    client = sms_emulator.client()
    first = login(client)
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    new = client.post(TOKEN, auth=CLIENT, data=form).json()
    revoked = client.post(REVOKE, auth=CLIENT, data={"token": first["access_token"]})
    assert revoked.status_code == 200
    fresh = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get(A2P + "/batches", headers=fresh).status_code == 200
    again = {"grant_type": "refresh_token", "refresh_token": new["refresh_token"]}
    assert client.post(TOKEN, auth=CLIENT, data=again).status_code == 200


def test_a_long_session_keeps_only_recently_replaced_tokens(sms_emulator: Emulator) -> None:
    """Each refresh forgets the tokens replaced over 10 s ago (they answer OAU-213 either
    way), so a session refreshed all day does not pile them up."""
    client = sms_emulator.client()
    tokens = [login(client)]
    for _ in range(5):
        form = {"grant_type": "refresh_token", "refresh_token": tokens[-1]["refresh_token"]}
        tokens.append(client.post(TOKEN, auth=CLIENT, data=form).json())
        sms_emulator.advance("11s")
    kept = [key for key, _ in sms_emulator.store.state_items("ringcentral.access")]
    assert kept == [tokens[-2]["access_token"], tokens[-1]["access_token"]]
    for token in tokens[:-1]:
        old = {"Authorization": f"Bearer {token['access_token']}"}
        assert client.get(A2P + "/batches", headers=old).json()["errorCode"] == "OAU-213"


def test_a_token_an_earlier_version_replaced_keeps_its_replacement_time(
    sms_emulator: Emulator,
) -> None:
    """A --db session written before tokens were moved to ``retired``: a refresh must
    not restart the old token's 10 s of "Access token corrupted"."""
    client = sms_emulator.client()
    first = login(client)
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = client.post(TOKEN, auth=CLIENT, data=form).json()
    store = sms_emulator.store
    session = store.get_state("ringcentral.session", first["session_id"])
    # as the earlier version left it: the replaced token still in "access", no "retired"
    store.put_state(
        "ringcentral.session",
        first["session_id"],
        {"access": [first["access_token"], second["access_token"]], "refresh": session["refresh"]},
    )
    sms_emulator.advance("1m")
    form = {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}
    assert client.post(TOKEN, auth=CLIENT, data=form).status_code == 200
    old = {"Authorization": f"Bearer {first['access_token']}"}
    assert client.get(A2P + "/batches", headers=old).json()["errorCode"] == "OAU-213"


def test_refresh_token_expires(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    first = login(client, refresh_token_ttl="3600")
    sms_emulator.advance("1h")
    form = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    response = client.post(TOKEN, auth=CLIENT, data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["error_description"] == "Token expired"
    assert response.json()["errors"] == [{"errorCode": "OAU-210", "message": "Token expired"}]


def test_revoke_ends_the_whole_session(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = login(client)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    response = client.post(REVOKE, auth=("id", "secret"), data={"token": token["access_token"]})
    assert response.status_code == 200
    assert response.content == b""
    denied = client.get(A2P + "/batches", headers=headers)
    assert denied.status_code == 401
    assert denied.json()["errorCode"] == "OAU-213"
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    refused = client.post(TOKEN, auth=CLIENT, data=form)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_revoke_by_refresh_token_in_query(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = login(client)
    response = client.post(REVOKE, params={"token": token["refresh_token"]}, auth=("i", "s"))
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get(A2P + "/batches", headers=headers).status_code == 401


def test_revoke_needs_client_authentication_as_the_token_endpoint_does(
    sms_emulator: Emulator,
) -> None:
    """The spec: revoke "requires client authentication" (a public client gives its
    ``client_id``); none is RingCentral's 400 invalid_client OAU-123, and nothing ends."""
    client = sms_emulator.client()
    token = login(client)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    refused = client.post(REVOKE, data={"token": token["access_token"]})
    assert refused.status_code == 400
    body = refused.json()
    check_schema("OauthInvalidRequest", body)
    description = "Client authentication is required"
    assert body == {
        "error": "invalid_client",
        "errors": [{"errorCode": "OAU-123", "message": description}],
        "error_description": description,
    }
    query_only = client.post(REVOKE, params={"token": token["access_token"]})
    assert query_only.status_code == 400
    assert client.get(A2P + "/batches", headers=headers).status_code == 200  # still live
    public = client.post(REVOKE, data={"token": token["access_token"], "client_id": "app"})
    assert public.status_code == 200
    assert client.get(A2P + "/batches", headers=headers).status_code == 401


@pytest.mark.sms_scenario(
    {"accounts": {"ringcentral": [{"client_id": "client-id", "client_secret": "client-secret"}]}}
)
def test_revoke_by_a_client_the_accounts_do_not_allow_is_invalid_client(
    sms_emulator: Emulator,
) -> None:
    client = sms_emulator.client()
    token = login(client)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    wrong = client.post(REVOKE, auth=("client-id", "wrong"), data={"token": token["access_token"]})
    assert wrong.status_code == 400
    assert (wrong.json()["error"], wrong.json()["errors"][0]["errorCode"]) == (
        "invalid_client",
        "OAU-120",
    )
    assert client.get(A2P + "/batches", headers=headers).status_code == 200
    right = client.post(REVOKE, auth=CLIENT, data={"token": token["access_token"]})
    assert right.status_code == 200
    assert client.get(A2P + "/batches", headers=headers).status_code == 401


@pytest.mark.parametrize("where", ["query", "query and body"])
def test_revoke_with_two_tokens_is_a_duplicated_parameter(
    sms_emulator: Emulator, where: str
) -> None:
    """As two in the body are: the last one was revoked, the first left live, and 200."""
    client = sms_emulator.client()
    first, second = login(client), login(client)
    tokens = [first["access_token"], second["access_token"]]
    if where == "query":
        response = client.post(REVOKE, params={"token": tokens}, auth=("i", "s"))
    else:
        response = client.post(
            REVOKE, params={"token": tokens[0]}, data={"token": tokens[1]}, auth=("i", "s")
        )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "errorCode": "OAU-111",
            "message": "Request parameter duplication detected",
            "parameterName": "token",
        }
    ]
    for token in tokens:  # neither was revoked
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(A2P + "/batches", headers=headers).status_code == 200


def test_revoke_without_token_is_invalid_request(sms_emulator: Emulator) -> None:
    response = sms_emulator.client().post(REVOKE, auth=("i", "s"), data={})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "AGW-401"),
        ({"Authorization": "Basic abc"}, "AGW-402"),
        ({"Authorization": "Bearer"}, "AGW-402"),
        ({"Authorization": "Bearer not a token!"}, "OAU-149"),
        ({"Authorization": "Bearer ###"}, "OAU-149"),
        ({"Authorization": "Bearer Unknown-Token_123"}, "OAU-213"),
    ],
)
def test_bad_bearer_tokens_get_401(sms_emulator: Emulator, headers: dict, code: str) -> None:
    response = sms_emulator.client().get(A2P + "/messages", headers=headers)
    assert response.status_code == 401
    body = response.json()
    check_schema("ASGErrorResponse", body)
    assert body["errorCode"] == code
    assert body["errors"][0]["errorCode"] == code
    assert response.headers["rcrequestid"]


@pytest.mark.parametrize("token", ["not a token!", "###"])
def test_an_unparsable_token_gets_ringcentrals_oau_149_message(
    sms_emulator: Emulator, token: str
) -> None:
    """RingCentral's error table: "401 OAU-149 Unparsable access token"."""
    headers = {"Authorization": f"Bearer {token}"}
    response = sms_emulator.client().get(A2P + "/messages", headers=headers)
    assert response.status_code == 401
    message = "Unparsable access token"
    assert response.json() == {
        "errorCode": "OAU-149",
        "message": message,
        "errors": [{"errorCode": "OAU-149", "message": message}],
    }


def test_lowercase_bearer_is_accepted(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = login(client)["access_token"]
    response = client.get(A2P + "/batches", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_missing_client_authentication(sms_emulator: Emulator) -> None:
    response = sms_emulator.client().post(TOKEN, data={"grant_type": JWT_GRANT, "assertion": "x"})
    assert response.status_code == 400
    body = response.json()
    check_schema("OauthInvalidRequest", body)
    assert body["error"] == "invalid_client"
    assert body["errors"][0]["errorCode"] == "OAU-123"


@pytest.mark.parametrize(
    ("form", "error", "parameter"),
    [
        ({}, "invalid_request", "grant_type"),
        ({"grant_type": JWT_GRANT}, "invalid_request", "assertion"),
        ({"grant_type": "password", "username": "u"}, "invalid_request", "password"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type", "grant_type"),
    ],
)
def test_token_request_errors(
    sms_emulator: Emulator, form: dict[str, str], error: str, parameter: str
) -> None:
    response = sms_emulator.client().post(TOKEN, auth=("i", "s"), data=form)
    assert response.status_code == 400
    body = response.json()
    check_schema("OauthInvalidRequest", body)
    assert body["error"] == error
    assert body["errors"][0]["parameterName"] == parameter


def test_token_wants_a_form_body(sms_emulator: Emulator) -> None:
    response = sms_emulator.client().post(
        TOKEN, auth=("i", "s"), json={"grant_type": JWT_GRANT, "assertion": "x"}
    )
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/json")


ACCOUNTS = {
    "accounts": {
        "ringcentral": [
            {
                "client_id": "app",
                "client_secret": "s3cret",
                "jwt": "good-jwt",
                "username": "+16505550100",
                "password": "pw",
                "extension": "101",
                "account_id": "111",
            }
        ]
    }
}


@pytest.mark.sms_scenario(ACCOUNTS)
def test_declared_accounts_check_jwt(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    good = client.post(
        TOKEN, auth=("app", "s3cret"), data={"grant_type": JWT_GRANT, "assertion": "good-jwt"}
    )
    assert good.status_code == 200
    token = good.json()["access_token"]
    listed = client.get(
        "/restapi/v1.0/account/111/a2p-sms/batches", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.status_code == 200
    other = client.get(
        "/restapi/v1.0/account/222/a2p-sms/batches", headers={"Authorization": f"Bearer {token}"}
    )
    assert other.status_code == 404
    assert other.json()["errors"][0]["parameterName"] == "accountId"
    bad = client.post(
        TOKEN, auth=("app", "s3cret"), data={"grant_type": JWT_GRANT, "assertion": "bad"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"
    assert bad.json()["errors"][0]["errorCode"] == "OAU-140"


@pytest.mark.sms_scenario(ACCOUNTS)
def test_declared_accounts_check_client_and_password(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    form = {"grant_type": "password", "username": "+16505550100*101", "password": "pw"}
    assert client.post(TOKEN, auth=("app", "s3cret"), data=form).status_code == 200
    wrong_secret = client.post(TOKEN, auth=("app", "nope"), data=form)
    assert wrong_secret.status_code == 400
    assert wrong_secret.json()["error"] == "invalid_client"
    wrong_password = client.post(TOKEN, auth=("app", "s3cret"), data={**form, "password": "x"})
    assert wrong_password.json()["errors"][0]["errorCode"] == "OAU-140"


@pytest.mark.sms_scenario({"accounts": {"ringcentral": [{"numbers": ["+16505550199"]}]}})
def test_an_entry_without_a_username_takes_any_password_login(sms_emulator: Emulator) -> None:
    """Declared only to set the sender numbers: a left-out username is any username, as a
    left-out jwt is any assertion (every password login was refused with OAU-140)."""
    client = sms_emulator.client()
    for grant in (
        {"grant_type": "password", "username": "+16505550123", "password": "pw"},
        {"grant_type": JWT_GRANT, "assertion": "any.jwt"},
    ):
        assert client.post(TOKEN, auth=("app", "s3cret"), data=grant).status_code == 200


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"numbers": ["+16505550199"]},
                {"jwt": "user.jwt", "account_id": "222", "owner_id": "333"},
                {"username": "+16505550123", "password": "pw", "account_id": "222"},
            ]
        }
    }
)
def test_a_named_user_is_not_taken_by_an_earlier_entry_that_leaves_it_out(
    sms_emulator: Emulator,
) -> None:
    """An entry declared for its numbers alone, listed first, took every login: the
    declared user logged in to the default account, and a wrong password was accepted."""
    client = sms_emulator.client()

    def token_for(grant: dict[str, str]) -> httpx.Response:
        return client.post(TOKEN, auth=("app", "s3cret"), data=grant)

    for grant, user in (
        ({"grant_type": JWT_GRANT, "assertion": "user.jwt"}, ("222", "333")),
        (
            {"grant_type": "password", "username": "16505550123", "password": "pw"},
            ("222", "1040128016"),
        ),
        ({"grant_type": JWT_GRANT, "assertion": "other.jwt"}, ("37439510", "1040128016")),
        (
            {"grant_type": "password", "username": "+16505550999", "password": "x"},
            ("37439510", "1040128016"),
        ),
    ):
        token = token_for(grant).json()
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        account = client.get("/restapi/v1.0/account/~", headers=bearer).json()
        assert (str(account["id"]), token["owner_id"]) == user, grant
    wrong = token_for({"grant_type": "password", "username": "+16505550123", "password": "no"})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["errorCode"] == "OAU-140"


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"username": "+16505550100", "extension": "101", "password": "a"},
                {"account_id": "2"},
            ]
        }
    }
)
def test_an_entry_naming_one_extension_leaves_the_number_s_other_extensions_alone(
    sms_emulator: Emulator,
) -> None:
    """Number and extension are one RingCentral user: extension 102 of the same number is
    another user, whom the catch-all entry takes (it was refused with OAU-140)."""
    client = sms_emulator.client()

    def login(username: str, password: str) -> httpx.Response:
        form = {"grant_type": "password", "username": username, "password": password}
        return client.post(TOKEN, auth=("app", "s3cret"), data=form)

    other = login("16505550100*102", "anything")
    assert other.status_code == 200, other.text
    bearer = {"Authorization": f"Bearer {other.json()['access_token']}"}
    assert client.get("/restapi/v1.0/account/~", headers=bearer).json()["id"] in (2, "2")
    assert login("+16505550100*101", "a").status_code == 200
    assert login("+16505550100*101", "wrong").json()["errors"][0]["errorCode"] == "OAU-140"
    assert login("+16505550100", "wrong").json()["errors"][0]["errorCode"] == "OAU-140"


def test_malformed_basic_header(sms_emulator: Emulator) -> None:
    header = "Basic " + base64.b64encode(b"no-colon").decode()
    response = sms_emulator.client().post(
        TOKEN, headers={"Authorization": header}, data={"grant_type": JWT_GRANT, "assertion": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


@pytest.mark.sms_scenario({"accounts": {"ringcentral": [{"scope": "SMS ReadAccounts"}]}})
def test_missing_a2psms_permission_is_403(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = login(client)["access_token"]
    response = client.get(A2P + "/batches", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    body = response.json()
    assert body["errorCode"] == "CMN-401"
    assert body["errors"][0]["permissionName"] == "A2PSMS"


def test_tokens_are_not_issued_twice_after_a_crash_with_db(tmp_path, died) -> None:
    """Tokens are saved with the id counters that drew them: a restart after a crash
    (no clean close) does not hand the same token to the next login."""
    db = tmp_path / "rc.db"
    first = Emulator(db=db)
    token = login(first.client())["access_token"]
    died(first)
    again = Emulator(db=db)
    try:
        client = again.client()
        assert login(client)["access_token"] != token
        response = client.get(A2P + "/batches", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200  # the first login's token is still good
    finally:
        again.close()


def test_a_request_that_stored_something_keeps_its_request_id_after_a_crash(tmp_path, died) -> None:
    """``RCRequestId`` is drawn before the request is handled, so a login's is saved with
    its token: a restart after a crash does not give it to the next request."""
    db = tmp_path / "rc.db"
    first = Emulator(db=db)
    response = first.client().post(
        TOKEN,
        auth=("client-id", "client-secret"),
        data={"grant_type": "password", "username": "u", "password": "p"},
    )
    died(first)
    again = Emulator(db=db)
    try:
        after = again.client().get(A2P + "/batches")
        assert after.headers["rcrequestid"] != response.headers["rcrequestid"]
    finally:
        again.close()


def test_a_refresh_cut_short_leaves_the_refresh_token_usable(
    tmp_path, monkeypatch, process_death, died
) -> None:
    """The refresh token is used up in the same commit as the tokens replacing it: after a
    crash in between, the client's retry with the same refresh token still works."""
    db = tmp_path / "rc.db"
    first = Emulator(db=db)
    refresh = login(first.client())["refresh_token"]
    put_state = first.store.put_state

    def dies_on_the_new_tokens(namespace: str, key: str, value: object) -> None:
        raise process_death

    monkeypatch.setattr(first.store, "put_state", dies_on_the_new_tokens)
    form = {"grant_type": "refresh_token", "refresh_token": refresh}
    with pytest.raises(process_death):
        first.client().post(TOKEN, auth=("client-id", "client-secret"), data=form)
    monkeypatch.setattr(first.store, "put_state", put_state)
    died(first)
    again = Emulator(db=db)
    try:
        retried = again.client().post(TOKEN, auth=("client-id", "client-secret"), data=form)
        assert retried.status_code == 200, retried.text
        used = again.client().post(TOKEN, auth=("client-id", "client-secret"), data=form)
        assert used.status_code == 400  # and then it is used up
    finally:
        again.close()


# scope: a token may narrow the app's scope, never widen it

INVALID_SCOPE = {
    "error": "invalid_scope",
    "errors": [
        {
            "errorCode": "CMN-101",
            "message": "Parameter [scope] value is invalid.",
            "parameterName": "scope",
        }
    ],
    "error_description": "Parameter [scope] value is invalid.",
}
SMS_APP = {"accounts": {"ringcentral": [{"scope": "SMS ReadAccounts"}]}}
WIDE_APP = {"accounts": {"ringcentral": [{"scope": "A2PSMS SMS ReadAccounts"}]}}


def _token(client: httpx.Client, **form: str) -> httpx.Response:
    return client.post(TOKEN, auth=CLIENT, data={"grant_type": JWT_GRANT, "assertion": "x", **form})


def _refresh(client: httpx.Client, refresh_token: str, **form: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **form}
    return client.post(TOKEN, auth=CLIENT, data=data)


def _assert_invalid_scope(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    check_schema("OauthInvalidRequest", response.json())
    assert response.json() == INVALID_SCOPE


@pytest.mark.sms_scenario(SMS_APP)
@pytest.mark.parametrize("scope", ["A2PSMS", "SMS A2PSMS", "sms"])
def test_login_cannot_ask_for_a_scope_the_app_lacks(sms_emulator: Emulator, scope: str) -> None:
    _assert_invalid_scope(_token(sms_emulator.client(), scope=scope))


def test_login_cannot_widen_the_default_scope(sms_emulator: Emulator) -> None:
    _assert_invalid_scope(_token(sms_emulator.client(), scope="A2PSMS ReadAccounts"))


@pytest.mark.sms_scenario(WIDE_APP)
def test_a_narrower_scope_gives_a_token_with_just_that_scope(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    narrow = _token(client, scope="SMS")
    assert narrow.status_code == 200, narrow.text
    assert narrow.json()["scope"] == "SMS"
    headers = {"Authorization": f"Bearer {narrow.json()['access_token']}"}
    denied = client.get(A2P + "/batches", headers=headers)
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["permissionName"] == "A2PSMS"
    a2p = _token(client, scope="A2PSMS")
    assert a2p.json()["scope"] == "A2PSMS"
    headers = {"Authorization": f"Bearer {a2p.json()['access_token']}"}
    assert client.get(A2P + "/batches", headers=headers).status_code == 200
    assert _token(client).json()["scope"] == "A2PSMS SMS ReadAccounts"


@pytest.mark.sms_scenario(SMS_APP)
def test_refresh_cannot_add_a_scope_the_app_lacks(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    first = login(client)
    _assert_invalid_scope(_refresh(client, first["refresh_token"], scope="A2PSMS"))
    kept = _refresh(client, first["refresh_token"])  # the refused refresh did not use it up
    assert kept.status_code == 200, kept.text
    assert kept.json()["scope"] == "SMS ReadAccounts"


@pytest.mark.sms_scenario(WIDE_APP)
def test_refresh_stays_within_what_the_login_granted(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    first = _token(client, scope="SMS A2PSMS").json()
    _assert_invalid_scope(_refresh(client, first["refresh_token"], scope="ReadAccounts"))
    narrowed = _refresh(client, first["refresh_token"], scope="SMS")
    assert narrowed.json()["scope"] == "SMS"
    narrower = _refresh(client, narrowed.json()["refresh_token"], scope="A2PSMS")
    widened = _refresh(client, narrower.json()["refresh_token"], scope="A2PSMS SMS")
    assert widened.status_code == 200, widened.text
    assert widened.json()["scope"] == "A2PSMS SMS"  # back up to what the login granted
    narrowed = _refresh(client, widened.json()["refresh_token"], scope="SMS")
    again = _refresh(client, narrowed.json()["refresh_token"])
    assert again.json()["scope"] == "SMS A2PSMS"  # none asked: the login's (RFC 6749 §6)


def _as_an_earlier_version_saved_it(emu: Emulator, refresh_token: str, scope: str) -> None:
    """Rewrite a stored grant as versions before the ``granted`` field wrote it."""
    grant = emu.store.get_state("ringcentral.refresh", refresh_token)
    grant.pop("granted")
    emu.store.put_state("ringcentral.refresh", refresh_token, {**grant, "scope": scope})


def test_a_refresh_token_saved_by_an_earlier_version_stays_within_the_apps_scope(
    sms_emulator: Emulator,
) -> None:
    """Such a grant kept no login scope: its own scope was taken for it, so a scope
    the app never had refreshed for ever, and a narrowed session could not widen back."""
    client = sms_emulator.client()
    wide = _token(client).json()["refresh_token"]
    _as_an_earlier_version_saved_it(sms_emulator, wide, "A2PSMS ReadAccounts")
    assert _refresh(client, wide).json()["scope"] == "A2PSMS"  # the app's registered scope
    narrowed = _token(client).json()["refresh_token"]
    _as_an_earlier_version_saved_it(sms_emulator, narrowed, "ReadMessages")
    widened = _refresh(client, narrowed, scope="A2PSMS")
    assert (widened.status_code, widened.json()["scope"]) == (200, "A2PSMS")


TWO_USERS = {
    "accounts": {
        "ringcentral": [
            {
                "jwt": "admin-jwt",
                "account_id": "1",
                "owner_id": "11",
                "scope": "A2PSMS ReadAccounts",
            },
            {"jwt": "clerk-jwt", "account_id": "1", "owner_id": "12", "scope": "A2PSMS"},
        ]
    }
}


@pytest.mark.sms_scenario(TWO_USERS)
def test_an_earlier_versions_refresh_token_gets_its_own_users_scope(
    sms_emulator: Emulator,
) -> None:
    """Two users of one account: the first entry of the account was taken, whoever logged in."""
    client = sms_emulator.client()
    clerk = _token(client, assertion="clerk-jwt").json()
    assert clerk["scope"] == "A2PSMS"
    _as_an_earlier_version_saved_it(sms_emulator, clerk["refresh_token"], "A2PSMS ReadAccounts")
    assert _refresh(client, clerk["refresh_token"]).json()["scope"] == "A2PSMS"


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"jwt": "one-jwt", "scope": "A2PSMS ReadAccounts"},
                {"jwt": "two-jwt", "scope": "ReadMessages A2PSMS"},
            ]
        }
    }
)
def test_an_earlier_versions_refresh_token_gets_what_every_matching_entry_allows(
    sms_emulator: Emulator,
) -> None:
    """Two entries could be its login: the one with fewer permissions was taken, a scope
    the login may never have had."""
    client = sms_emulator.client()
    first = _token(client, assertion="one-jwt").json()
    _as_an_earlier_version_saved_it(sms_emulator, first["refresh_token"], first["scope"])
    assert _refresh(client, first["refresh_token"]).json()["scope"] == "A2PSMS"


# refresh: the client is authenticated as at login, and must be the token's


TWO_APPS = {
    "accounts": {
        "ringcentral": [
            {"client_id": "app", "client_secret": "s3cret", "jwt": "good-jwt"},
            {"client_id": "other", "client_secret": "other-secret", "jwt": "other-jwt"},
        ]
    }
}


def _app_login(client: httpx.Client) -> dict[str, Any]:
    data = {"grant_type": JWT_GRANT, "assertion": "good-jwt"}
    response = client.post(TOKEN, auth=("app", "s3cret"), data=data)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.sms_scenario(TWO_APPS)
@pytest.mark.parametrize(
    "auth",
    [{"auth": ("app", "WRONG")}, {"auth": ("intruder", "x")}, {}],
    ids=["wrong-secret", "unknown-client", "no-client-authentication"],
)
def test_refresh_authenticates_the_client_as_login_does(sms_emulator: Emulator, auth: dict) -> None:
    client = sms_emulator.client()
    token = _app_login(client)
    login_form = {"grant_type": JWT_GRANT, "assertion": "good-jwt"}
    refused_login = client.post(TOKEN, data=login_form, **auth)
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    refused = client.post(TOKEN, data=form, **auth)
    assert refused.status_code == refused_login.status_code == 400
    assert refused.json() == refused_login.json()
    assert refused.json()["error"] == "invalid_client"
    kept = client.post(TOKEN, auth=("app", "s3cret"), data=form)
    assert kept.status_code == 200, kept.text  # not used up by the refused attempts


TOKEN_NOT_FOUND = {
    "error": "invalid_grant",
    "errors": [{"errorCode": "OAU-213", "message": "Token not found"}],
    "error_description": "Token not found",
}


@pytest.mark.sms_scenario(TWO_APPS)
def test_refresh_token_of_another_declared_client_is_invalid_grant(
    sms_emulator: Emulator,
) -> None:
    client = sms_emulator.client()
    token = _app_login(client)
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    refused = client.post(TOKEN, auth=("other", "other-secret"), data=form)
    assert refused.status_code == 400
    check_schema("OauthInvalidRequest", refused.json())
    assert refused.json() == TOKEN_NOT_FOUND
    kept = client.post(TOKEN, auth=("app", "s3cret"), data=form)
    assert kept.status_code == 200, kept.text
    assert kept.json()["session_id"] == token["session_id"]


def test_refresh_token_of_another_client_is_invalid_grant_without_accounts(
    sms_emulator: Emulator,
) -> None:
    client = sms_emulator.client()
    token = login(client)
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    refused = client.post(TOKEN, auth=("someone-else", "client-secret"), data=form)
    assert refused.status_code == 400
    assert refused.json() == TOKEN_NOT_FOUND
    public = client.post(TOKEN, data={**form, "client_id": "someone-else"})
    assert public.json() == TOKEN_NOT_FOUND
    assert client.post(TOKEN, auth=CLIENT, data=form).status_code == 200


AUTHORIZE = "/restapi/oauth/authorize"


def test_authorize_sends_the_browser_back_with_a_code_that_logs_in(
    sms_emulator: Emulator,
) -> None:
    """The three-legged login: the app's authorize URL (as the SDKs' ``login_url``
    builds it) signs the user in at once and redirects to ``redirect_uri`` with a
    ``code`` and the app's ``state``; the code is then exchanged at /oauth/token."""
    client = sms_emulator.client()
    response = client.get(
        AUTHORIZE,
        params={
            "response_type": "code",
            "client_id": "id",
            "redirect_uri": "http://localhost:5000/callback?next=/home",
            "state": "x y&z",
        },
    )
    assert response.status_code == 302
    assert len(response.headers["rcrequestid"]) == 36
    location = httpx.URL(response.headers["location"])
    assert (location.host, location.port, location.path) == ("localhost", 5000, "/callback")
    query = dict(location.params)
    assert query["next"] == "/home" and query["state"] == "x y&z"
    code = query["code"]
    assert code and code.isascii()
    token = client.post(
        TOKEN,
        auth=("id", "secret"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://localhost:5000/callback?next=/home",
        },
    )
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get(f"{A2P}/batches", headers=bearer).status_code == 200


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"client_id": "id", "redirect_uri": "http://x/cb"}, "response_type"),
        ({"response_type": "code", "redirect_uri": "http://x/cb"}, "client_id"),
        ({"response_type": "code", "client_id": "id"}, "redirect_uri"),
        ({"response_type": "code", "client_id": "id", "redirect_uri": "cb"}, "redirect_uri"),
        # RFC 6749 3.1.2: a redirection endpoint "MUST NOT include a fragment component"
        (
            {"response_type": "code", "client_id": "id", "redirect_uri": "http://x/#a"},
            "redirect_uri",
        ),
    ],
)
def test_authorize_without_what_it_needs_is_an_oauth_error(
    sms_emulator: Emulator, params: dict[str, str], parameter: str
) -> None:
    response = sms_emulator.client().get(AUTHORIZE, params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["errors"][0]["parameterName"] == parameter


@pytest.mark.parametrize(
    ("response_type", "location"),
    [
        # the implicit grant's answers, errors too, come in the fragment (RFC 6749
        # 4.2.2.1), where a browser app (the JS SDK's parseLoginRedirect) reads them
        ("token", "http://x/cb?a=1#error=unsupported_response_type&state=s"),
        ("id_token", "http://x/cb?a=1&error=unsupported_response_type&state=s"),
    ],
)
def test_authorize_for_another_response_type_redirects_with_the_rfc_error(
    sms_emulator: Emulator, response_type: str, location: str
) -> None:
    response = sms_emulator.client().get(
        AUTHORIZE,
        params={
            "response_type": response_type,
            "client_id": "id",
            "redirect_uri": "http://x/cb?a=1",
            "state": "s",
        },
    )
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://x/cb\r\nSet-Cookie: a=b", "http://x/cb\n", "http://x/c\x00b", "http://x/c\tb"],
)
def test_authorize_refuses_a_redirect_uri_no_location_header_can_carry(
    sms_emulator: Emulator, redirect_uri: str
) -> None:
    """A CR or LF would split the ``Location`` header (the server could only drop the
    connection): such a ``redirect_uri`` is invalid, as one that is no URL is."""
    response = sms_emulator.client().get(
        AUTHORIZE,
        params={"response_type": "code", "client_id": "id", "redirect_uri": redirect_uri},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["errors"][0]["parameterName"] == "redirect_uri"


def test_authorize_percent_encodes_what_a_location_header_cannot_carry(
    sms_emulator: Emulator,
) -> None:
    """A ``Location`` header is ASCII: a space or a non-ASCII letter in ``redirect_uri``
    goes back percent-encoded in UTF-8, as a browser sends it (it was a 500)."""
    response = sms_emulator.client().get(
        AUTHORIZE,
        params={
            "response_type": "code",
            "client_id": "id",
            "redirect_uri": "https://app.example/ré tour/😀?a=%2F&b=ü",
            "state": "ß",
        },
    )
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.isascii()
    assert location.startswith(
        "https://app.example/r%C3%A9%20tour/%F0%9F%98%80?a=%2F&b=%C3%BC&code="
    )
    assert location.endswith("&state=%C3%9F")
    assert httpx.URL(location).params["b"] == "ü"
