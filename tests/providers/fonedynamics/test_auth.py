"""HTTP Basic auth (AccountSid:Token): pre-emptive, challenge-then-auth, declared accounts."""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx
import pytest

from emulator import Emulator

from .conftest import ACCOUNT, MESSAGES, PROPERTY, TOKEN

BODY = {"From": "+61499009990", "To": "+61488023555", "Text": "hello"}


def basic(value: str) -> dict[str, str]:
    return {"Authorization": "Basic " + value}


def encoded(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_challenge(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="/auth/basic"'
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "UNAUTHORIZED"
    assert isinstance(status["Message"], str) and status["Message"]


class ChallengeThenAuth(httpx.Auth):
    """Like Apache's BasicCredentialsProvider (Java SDK): credentials only after a challenge."""

    def __init__(self, user: str, password: str) -> None:
        self.header = "Basic " + encoded(user, password)
        self.challenges: list[str] = []

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        challenge = response.headers.get("WWW-Authenticate", "")
        if response.status_code == 401 and challenge.lower().startswith("basic"):
            self.challenges.append(challenge)
            request.headers["Authorization"] = self.header
            yield request


def test_preemptive_basic_auth_is_accepted(client: httpx.Client) -> None:
    response = client.post(MESSAGES, json=BODY)
    assert response.status_code == 200
    assert response.json()["Message"]["AccountSid"] == ACCOUNT


def test_any_nonempty_credentials_work_by_default_and_name_the_account(emu: Emulator) -> None:
    with emu.client(auth=("MYACCOUNT", "x")) as c:
        message = c.post(MESSAGES, json=BODY).json()["Message"]
    assert message["AccountSid"] == "MYACCOUNT"
    assert message["PropertySid"] == PROPERTY


def test_credentials_that_are_not_utf8_are_read_as_latin1(emu: Emulator) -> None:
    """As the bodies are: bytes that are no UTF-8 are ISO-8859-1 (one character each)."""
    latin1 = base64.b64encode("Caf\u00e9:t\u00f6k".encode("latin-1")).decode()
    with emu.client() as c:
        response = c.post(MESSAGES, json=BODY, headers=basic(latin1))
    assert response.status_code == 200
    assert response.json()["Message"]["AccountSid"] == "Caf\u00e9"


def test_challenge_then_auth_like_the_java_sdk(emu: Emulator) -> None:
    auth = ChallengeThenAuth(ACCOUNT, TOKEN)
    with emu.client(auth=auth) as c:
        response = c.post(MESSAGES, json=BODY)
    assert auth.challenges == ['Basic realm="/auth/basic"']
    assert response.status_code == 200
    assert response.json()["Message"]["To"] == "+61488023555"
    # the unauthenticated first attempt stored nothing
    assert len(emu.messages(provider="fonedynamics")) == 1


def test_the_challenge_round_trip_is_one_call_for_limits_and_faults() -> None:
    """A Java SDK call is two requests (the anonymous one gets the 401 challenge): a
    scenario's "5 per minute" and "every 2nd call" count SDK calls, as with any client."""
    emu = Emulator(
        scenario={
            "rate_limits": {"fonedynamics": {"requests": 3, "per": "60s"}},
            "faults": [
                {"when": {"provider": "fonedynamics"}, "calls": [2], "respond": {"status": 503}}
            ],
        }
    )
    auth = ChallengeThenAuth(ACCOUNT, TOKEN)
    with emu.client(auth=auth) as c:
        statuses = [c.post(MESSAGES, json=BODY).status_code for _ in range(4)]
    assert len(auth.challenges) == 4
    assert statuses == [200, 503, 200, 429]
    emu.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        basic(encoded("", "token")),
        basic(encoded(ACCOUNT, "")),
        basic(base64.b64encode(b"no-colon-here").decode()),
    ],
    ids=["missing", "bearer", "empty-sid", "empty-token", "no-colon"],
)
def test_missing_or_unusable_credentials_get_a_401_challenge(
    emu: Emulator, headers: dict[str, str]
) -> None:
    with emu.client() as c:
        response = c.post(MESSAGES, json=BODY, headers=headers)
    assert_challenge(response)
    assert emu.messages() == []


def test_401_on_every_endpoint(emu: Emulator) -> None:
    with emu.client() as c:
        assert_challenge(c.get(MESSAGES))
        assert_challenge(c.get("/v2/Messages/MXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"))
        assert_challenge(c.post(MESSAGES.replace("Messages", "BatchMessages"), json={}))


def test_bad_base64_length_is_a_format_exception(emu: Emulator) -> None:
    with emu.client() as c:
        response = c.post(MESSAGES, json=BODY, headers=basic("abc"))
    assert response.status_code == 400
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "FormatException",
            "Message": "Invalid length for a Base-64 char array or string.",
        }
    }


def test_bad_base64_character_is_a_format_exception(emu: Emulator) -> None:
    with emu.client() as c:
        responses = [c.post(MESSAGES, json=BODY, headers=basic("ab!d")) for _ in range(2)]
    for response in responses:  # the same bad header fails every time
        assert response.status_code == 400
        status = response.json()["ResponseStatus"]
        assert status["ErrorCode"] == "FormatException"
        assert "not a valid Base-64 string" in status["Message"]


DECLARED = {
    "accounts": {
        "fonedynamics": [
            {"account_sid": ACCOUNT, "token": TOKEN, "properties": [PROPERTY]},
            {
                "account_sid": "AOFF",
                "token": "t",
                "properties": [{"property_sid": "SOFF", "sms_enabled": False}],
            },
            {"account_sid": "ANOSMS", "token": "t", "sms_enabled": False},
        ]
    }
}


@pytest.mark.sms_scenario(DECLARED)
def test_declared_account_with_its_token_is_accepted(client: httpx.Client) -> None:
    assert client.post(MESSAGES, json=BODY).status_code == 200


@pytest.mark.sms_scenario(DECLARED)
@pytest.mark.parametrize(
    "credentials", [(ACCOUNT, "wrong"), ("AUNKNOWN", TOKEN)], ids=["wrong-token", "unknown"]
)
def test_declared_accounts_refuse_other_credentials(
    emu: Emulator, credentials: tuple[str, str]
) -> None:
    with emu.client(auth=credentials) as c:
        assert_challenge(c.post(MESSAGES, json=BODY))


@pytest.mark.sms_scenario(DECLARED)
def test_property_of_another_account_is_forbidden(client: httpx.Client) -> None:
    response = client.post("/v2/Properties/SOTHER/Messages", json=BODY)
    assert response.status_code == 403
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "FORBIDDEN",
            "Message": "The property does not exist or does not belong to this account.",
            "Errors": [{"FieldName": "PropertySid"}],
        }
    }


@pytest.mark.sms_scenario(DECLARED)
def test_property_without_sms_is_forbidden(emu: Emulator) -> None:
    with emu.client(auth=("AOFF", "t")) as c:
        response = c.post("/v2/Properties/SOFF/Messages", json=BODY)
    assert response.status_code == 403
    assert response.json()["ResponseStatus"]["Message"] == "SMS is not enabled for this property."


@pytest.mark.sms_scenario(DECLARED)
def test_account_without_sms_is_forbidden(emu: Emulator) -> None:
    with emu.client(auth=("ANOSMS", "t")) as c:
        response = c.post("/v2/Properties/SANY/BatchMessages", json={"Messages": [BODY]})
    assert response.status_code == 403
    assert response.json()["ResponseStatus"]["ErrorCode"] == "FORBIDDEN"


# The Retrieve SMS page: "Your account and property must be enabled for SMS."
@pytest.mark.sms_scenario(DECLARED)
def test_reading_a_message_without_sms_on_the_account_is_forbidden(emu: Emulator) -> None:
    with emu.client(auth=("ANOSMS", "t")) as c:
        response = c.get("/v2/Messages/MNOSUCHMESSAGE000000000000000000")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "FORBIDDEN",
            "Message": "SMS is not enabled for this account.",
        }
    }


def _switch_sms(emu: Emulator, *, account: bool, prop: bool) -> None:
    entry = {
        "account_sid": ACCOUNT,
        "token": TOKEN,
        "sms_enabled": account,
        "properties": [{"property_sid": PROPERTY, "sms_enabled": prop}],
    }
    emu.load_scenario({"accounts": {"fonedynamics": [entry]}}, temporary=True)


def test_reading_a_message_of_a_property_without_sms_is_forbidden(
    emu: Emulator, client: httpx.Client
) -> None:
    _switch_sms(emu, account=True, prop=True)
    sid = client.post(MESSAGES, json=BODY).json()["Message"]["MessageSid"]
    assert client.get(f"/v2/Messages/{sid}").status_code == 200
    _switch_sms(emu, account=True, prop=False)
    response = client.get(f"/v2/Messages/{sid}")
    assert response.status_code == 403
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "FORBIDDEN",
            "Message": "SMS is not enabled for this property.",
            "Errors": [{"FieldName": "PropertySid"}],
        }
    }


def test_reading_a_sent_message_once_the_account_has_no_sms_is_forbidden(
    emu: Emulator, client: httpx.Client
) -> None:
    sid = client.post(MESSAGES, json=BODY).json()["Message"]["MessageSid"]
    _switch_sms(emu, account=False, prop=True)
    response = client.get(f"/v2/Messages/{sid}")
    assert response.status_code == 403
    assert response.json()["ResponseStatus"] == {
        "ErrorCode": "FORBIDDEN",
        "Message": "SMS is not enabled for this account.",
    }
