"""GET /account/{accountId} and /account/{accountId}/extension/{extensionId}: what A2P
apps read right after logging in (the account id, the user's name and email)."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator
from emulator.scenario.loader import ScenarioError

from .conftest import RC, bearer

ACCOUNT = "/restapi/v1.0/account/{account}"
EXTENSION = ACCOUNT + "/extension/{extension}"
ORIGIN = "http://sms-emulator.test/restapi/v1.0/account"


def test_the_account_of_the_token(rc: RC) -> None:
    response = rc.http.get(ACCOUNT.format(account="~"), headers=rc.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-rate-limit-group"] == "light" and "rcrequestid" in response.headers
    body = response.json()
    assert body["uri"] == f"{ORIGIN}/37439510"
    assert body["id"] == 37439510  # int64 in the spec
    assert (body["mainNumber"], body["status"], body["setupWizardState"]) == (
        "+16505550100",
        "Confirmed",
        "Completed",
    )
    assert body["operator"] == {
        "uri": f"{ORIGIN}/37439510/extension/1040128016",
        "id": 1040128016,
        "extensionNumber": "101",
    }
    assert body["serviceInfo"]["brand"]["name"] == "RingCentral"
    assert body["federated"] is False and body["cfid"] == "16505550100"


def test_the_extension_of_the_token(rc: RC) -> None:
    for path in ("~/extension/~", "~/extension/~/", "37439510/extension/1040128016"):
        response = rc.http.get(f"/restapi/v1.0/account/{path}", headers=rc.headers)
        assert response.status_code == 200, path
        body = response.json()
        assert body["uri"] == f"{ORIGIN}/37439510/extension/1040128016"
        assert body["id"] == 1040128016  # int64 in the spec
        assert body["account"] == {"uri": f"{ORIGIN}/37439510", "id": "37439510"}  # a string
        assert (body["type"], body["status"], body["extensionNumber"]) == ("User", "Enabled", "101")
        assert body["name"] == "A2P Sender"
        assert body["contact"]["firstName"] == "A2P" and body["contact"]["lastName"] == "Sender"
        assert body["contact"]["email"] == "user1040128016@example.com"
        assert body["contact"]["emailAsLoginName"] is False  # a made-up address: no login
        assert body["profileImage"] == {"uri": body["uri"] + "/profile-image"}
        assert body["permissions"]["admin"] == {"enabled": True}


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {
                    "client_id": "a",
                    "username": "ops@shop.example",
                    "password": "pw",
                    "extension": 7001,
                    "account_id": "111",
                    "owner_id": "acct-owner",
                    "numbers": ["+18445550100"],
                },
                {"client_id": "b", "account_id": "222"},
            ]
        }
    }
)
def test_a_declared_account_is_described_by_its_scenario_entry(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    token = client.post(
        "/restapi/oauth/token",
        auth=("a", ""),
        data={"grant_type": "password", "username": "ops@shop.example", "password": "pw"},
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    account = client.get(ACCOUNT.format(account="111"), headers=headers).json()
    assert (account["id"], account["mainNumber"]) == (111, "+18445550100")
    assert account["operator"]["id"] == "acct-owner"  # not an int64: kept as written
    extension = client.get(EXTENSION.format(account="~", extension="~"), headers=headers).json()
    assert extension["extensionNumber"] == "7001"
    assert extension["contact"]["email"] == "ops@shop.example"
    assert extension["contact"]["emailAsLoginName"] is True
    for path in (
        ACCOUNT.format(account="222"),
        EXTENSION.format(account="222", extension="~"),
        EXTENSION.format(account="~", extension="1040128016"),
    ):
        missing = client.get(path, headers=headers)
        assert (missing.status_code, missing.json()["errorCode"]) == (404, "CMN-102"), path
    for path in (ACCOUNT.format(account="~"), EXTENSION.format(account="~", extension="~")):
        refused = client.get(path)
        assert (refused.status_code, refused.json()["errorCode"]) == (401, "AGW-401")


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {
                    "account_id": "0042",
                    "owner_id": "007",
                    "username": ["+16505550100", "ops@shop.example", "alt@shop.example"],
                    "password": "pw",
                }
            ]
        }
    }
)
def test_ids_a_number_would_change_stay_as_written(sms_emulator: Emulator) -> None:
    """An app builds its URLs from these ids: 0042 read as 42 would address nothing."""
    client = sms_emulator.client()
    headers = bearer(client, auth=("app", ""))
    account = client.get(ACCOUNT.format(account="~"), headers=headers).json()
    extension = client.get(EXTENSION.format(account="~", extension="~"), headers=headers).json()
    assert (account["id"], extension["id"], extension["account"]["id"]) == ("0042", "007", "0042")
    again = client.get(
        EXTENSION.format(account=account["id"], extension=extension["id"]), headers=headers
    )
    assert again.status_code == 200
    assert extension["contact"]["email"] == "ops@shop.example"  # the first username that is one


@pytest.mark.sms_scenario(
    {"accounts": {"ringcentral": [{"account_id": "1" * 5000, "owner_id": "9" * 20}]}}
)
def test_ids_past_int64_stay_text_and_never_fail(sms_emulator: Emulator) -> None:
    """Past int64 (and past the digits int() reads), an id is kept as written."""
    client = sms_emulator.client()
    account = client.get(ACCOUNT.format(account="~"), headers=bearer(client, auth=("app", "")))
    assert account.status_code == 200
    assert (account.json()["id"], account.json()["operator"]["id"]) == ("1" * 5000, "9" * 20)


def _extension_seen(client: httpx.Client, app: str, assertion: str) -> tuple[str, str]:
    headers = bearer(client, auth=(app, ""), assertion=assertion)
    extension = client.get(EXTENSION.format(account="~", extension="~"), headers=headers).json()
    return extension["extensionNumber"], extension["contact"]["email"]


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {"client_id": "app1", "jwt": "J1", "username": "alice@shop.example"},
                {"client_id": "app2", "jwt": "J2", "extension": "205"},
                {"jwt": "J3", "owner_id": "2002", "extension": "206"},
            ]
        }
    }
)
def test_entries_with_the_same_ids_are_one_user_whichever_app_it_logs_in_with(
    sms_emulator: Emulator,
) -> None:
    """The answer depended on the login: through app2 the user was extension 101 and had
    the address declared for app1's entry; another owner_id is another user."""
    client = sms_emulator.client()
    one = ("205", "alice@shop.example")
    assert _extension_seen(client, "app1", "J1") == one
    assert _extension_seen(client, "app2", "J2") == one
    assert _extension_seen(client, "app3", "J3") == ("206", "user2002@example.com")


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ({"jwt": "J2", "extension": "205"}, "accounts.ringcentral[1].extension"),
        (
            {"jwt": "J2", "extension": 205, "username": "bob@x.example"},
            "accounts.ringcentral[1].username",
        ),
    ],
)
def test_one_user_given_two_extensions_or_two_emails_is_refused_at_load(
    second: dict[str, object], field: str
) -> None:
    first = {
        "jwt": "J1",
        "extension": "205" if "username" in second else "101",
        "username": "alice@x.example",
    }
    with pytest.raises(ScenarioError) as refused:
        Emulator({"accounts": {"ringcentral": [first, second]}})
    assert refused.value.field == field
    assert "give each user its own owner_id" in str(refused.value)
    Emulator({"accounts": {"ringcentral": [first, {**second, "owner_id": "2"}]}}).close()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"username": "Alice@X.example"}, {"username": "alice@x.example"}),
        (
            {"username": ["a@x.example", "b@x.example"]},
            {"username": ["b@x.example", "a@x.example"]},
        ),
        ({"username": "a@x.example"}, {"username": ["+16505550100", "a@x.example"]}),
        ({"extension": None}, {"extension": 205}),
        ({"extension": 205}, {"extension": "205"}),
    ],
)
def test_one_user_declared_twice_consistently_loads(
    first: dict[str, object], second: dict[str, object]
) -> None:
    Emulator(
        {"accounts": {"ringcentral": [{**first, "jwt": "J1"}, {**second, "jwt": "J2"}]}}
    ).close()
