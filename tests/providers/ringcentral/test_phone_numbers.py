"""GET .../extension/{extensionId}/phone-number: the numbers a sender is picked from."""

from __future__ import annotations

import re

import pytest

from emulator import Emulator
from emulator.scenario.loader import ScenarioError

from .conftest import RC, bearer

PATH = "/restapi/v1.0/account/{account}/extension/{extension}/phone-number"
COMPANY = "/restapi/v1.0/account/~/phone-number"


def test_without_declared_numbers_the_default_sender_is_listed(rc: RC) -> None:
    response = rc.http.get(PATH.format(account="~", extension="~"), headers=rc.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    (record,) = body["records"]
    assert record["phoneNumber"] == "+16505550100"
    # as RingCentral's High Volume SMS guide shows one: an A2P number is no SmsSender
    assert record["features"] == ["CallerId", "A2PSmsSender"]
    assert (record["paymentType"], record["usageType"], record["status"]) == (
        "Local",
        "DirectNumber",
        "Normal",
    )
    assert isinstance(record["id"], int) and record["uri"].endswith(f"/{record['id']}")
    assert body["paging"] == {
        "page": 1,
        "totalPages": 1,
        "perPage": 100,
        "totalElements": 1,
        "pageStart": 0,
        "pageEnd": 0,
    }
    assert body["uri"].startswith("http://sms-emulator.test/restapi/v1.0/account/37439510/")
    assert body["navigation"]["firstPage"]["uri"] == body["uri"]
    assert "x-rate-limit-group" in response.headers and "rcrequestid" in response.headers


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {
                    "client_id": "a",
                    "account_id": "111",
                    "owner_id": "7",
                    "numbers": ["+18445550100"],
                },
                {"client_id": "b", "account_id": "222", "numbers": ["+14155550000"]},
            ]
        }
    }
)
def test_an_account_lists_its_own_numbers_and_only_its_own(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    headers = bearer(client, auth=("a", ""))
    for account, extension in (("~", "~"), ("111", "7"), ("~", "7")):
        body = client.get(PATH.format(account=account, extension=extension), headers=headers)
        assert [(r["phoneNumber"], r["paymentType"]) for r in body.json()["records"]] == [
            ("+18445550100", "TollFree")
        ]
    for account, extension in (("222", "~"), ("~", "8")):
        missing = client.get(PATH.format(account=account, extension=extension), headers=headers)
        assert (missing.status_code, missing.json()["errorCode"]) == (404, "CMN-102")
    assert client.get(PATH.format(account="~", extension="~")).status_code == 401


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {
                    "client_id": "a",
                    "account_id": "111",
                    "owner_id": "7",
                    "numbers": ["+18445550100", "+14155550000"],
                }
            ]
        }
    }
)
def test_the_account_wide_list_names_the_extension_of_each_number(
    sms_emulator: Emulator,
) -> None:
    """GET .../account/{accountId}/phone-number (company numbers), which apps list too."""
    client = sms_emulator.client()
    headers = bearer(client, auth=("a", ""))
    for account in ("~", "111"):
        response = client.get(f"/restapi/v1.0/account/{account}/phone-number", headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert [r["phoneNumber"] for r in body["records"]] == ["+18445550100", "+14155550000"]
        extension = body["records"][0]["extension"]
        assert extension["id"] == "7"
        assert extension["uri"].endswith("/restapi/v1.0/account/111/extension/7")
        assert body["uri"].endswith("/restapi/v1.0/account/111/phone-number?page=1&perPage=100")
        assert body["paging"]["totalElements"] == 2
    other = client.get("/restapi/v1.0/account/222/phone-number", headers=headers)
    assert (other.status_code, other.json()["errorCode"]) == (404, "CMN-102")


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [
                {
                    "client_id": "a",
                    "account_id": "111",
                    "owner_id": "7",
                    "numbers": ["+18445550100"],
                },
                {
                    "client_id": "b",
                    "account_id": "111",
                    "owner_id": "8",
                    "numbers": ["+14155550000"],
                },
            ]
        }
    }
)
def test_the_account_wide_list_is_the_same_whoever_asks(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    for who in ("a", "b"):
        headers = bearer(client, auth=(who, ""))
        body = client.get("/restapi/v1.0/account/~/phone-number", headers=headers).json()
        assert [(r["phoneNumber"], r["extension"]["id"]) for r in body["records"]] == [
            ("+18445550100", "7"),
            ("+14155550000", "8"),
        ]


@pytest.mark.parametrize(
    ("numbers", "field", "complaint"),
    [
        ("+16505550100", "numbers", "must be a list"),
        (16505550100, "numbers", "must be a list"),
        (["+16505550100", "garbage"], "numbers[1]", "'garbage' is not an E.164"),
        ([""], "numbers[0]", "is not an E.164"),
        ([True], "numbers[0]", "True is not an E.164"),
    ],
)
def test_declared_numbers_that_are_not_phone_numbers_refuse_the_scenario(
    numbers: object, field: str, complaint: str
) -> None:
    """Listed as A2P senders, a typo would be a 500 or a junk ``from``: refused at load."""
    with pytest.raises(
        ScenarioError, match=rf"accounts\.ringcentral\[0\]\.{re.escape(field)}"
    ) as bad:
        Emulator(scenario={"accounts": {"ringcentral": [{"numbers": numbers}]}})
    assert complaint in str(bad.value)


def test_numbers_written_with_spaces_dashes_or_as_a_tuple_are_the_same_numbers() -> None:
    """Listed and matched for inbound messages as E.164 (they were refused, or matched
    nothing and sent the reply to the first account)."""
    numbers = ("+1 (650) 555-0123", "1-888-555-0100")
    emu = Emulator(
        scenario={
            "accounts": {
                "ringcentral": [
                    {"client_id": "a", "account_id": "111"},
                    {"client_id": "b", "account_id": "222", "numbers": numbers},
                ]
            }
        }
    )
    try:
        record = emu.inbound("ringcentral", "+14155550100", "+16505550123", "hi")
        assert record["tenant"] == "222"
        client = emu.client()
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "j"}
        token = client.post("/restapi/oauth/token", auth=("b", ""), data=form).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        listed = client.get(PATH.format(account="~", extension="~"), headers=headers).json()
        assert [r["phoneNumber"] for r in listed["records"]] == ["+16505550123", "+18885550100"]
    finally:
        emu.close()


@pytest.mark.sms_scenario(
    {
        "accounts": {
            "ringcentral": [{"client_id": "a", "numbers": [f"+1415555{i:04d}" for i in range(5)]}]
        }
    }
)
@pytest.mark.parametrize("path", [PATH.format(account="~", extension="~"), COMPANY])
def test_number_lists_page_by_page_and_per_page_as_asked(sms_emulator: Emulator, path: str) -> None:
    with sms_emulator.client() as http:
        headers = bearer(http, auth=("a", "secret"))
        first = http.get(path, params={"perPage": 2}, headers=headers).json()
        assert [r["phoneNumber"] for r in first["records"]] == ["+14155550000", "+14155550001"]
        assert first["paging"] == {
            "page": 1,
            "totalPages": 3,
            "perPage": 2,
            "totalElements": 5,
            "pageStart": 0,
            "pageEnd": 1,
        }
        assert first["uri"].endswith("?page=1&perPage=2")
        assert first["navigation"]["nextPage"]["uri"].endswith("?page=2&perPage=2")
        assert "previousPage" not in first["navigation"]
        last = http.get(path, params={"perPage": 2, "page": 3}, headers=headers).json()
        assert [r["phoneNumber"] for r in last["records"]] == ["+14155550004"]
        assert (last["paging"]["pageStart"], last["paging"]["pageEnd"]) == (4, 4)
        assert "nextPage" not in last["navigation"]
        assert last["navigation"]["previousPage"]["uri"].endswith("?page=2&perPage=2")
        past = http.get(path, params={"perPage": 2, "page": 4}, headers=headers).json()
        assert past["records"] == [] and past["paging"]["page"] == 4
        assert "pageStart" not in past["paging"]  # a client paging until empty stops here
        for bad in ({"page": "0"}, {"page": "x"}, {"perPage": "0"}):
            refused = http.get(path, params=bad, headers=headers)
            assert (refused.status_code, refused.json()["errorCode"]) == (400, "CMN-101")


@pytest.mark.parametrize("path", [PATH.format(account="~", extension="~"), COMPANY])
def test_a_page_number_of_ten_digits_is_refused_with_cmn_101(rc: RC, path: str) -> None:
    """Nine significant digits are a page (past the last: empty); ten are CMN-101 [page]."""
    far = rc.http.get(path, params={"page": "00999999999"}, headers=rc.headers)
    assert far.status_code == 200
    assert (far.json()["records"], far.json()["paging"]["page"]) == ([], 999999999)
    refused = rc.http.get(path, params={"page": "1000000000"}, headers=rc.headers)
    assert refused.status_code == 400
    body = refused.json()
    assert body["errorCode"] == "CMN-101"
    assert body["message"] == "Parameter [page] value is invalid."
    assert body["errors"][0]["parameterName"] == "page"


@pytest.mark.parametrize("path", [PATH.format(account="~", extension="~"), COMPANY])
def test_a_usage_type_filter_keeps_the_direct_numbers_only_when_asked(rc: RC, path: str) -> None:
    def listed(*kinds: str) -> list[str]:
        params = [("usageType", kind) for kind in kinds]
        response = rc.http.get(path, params=params, headers=rc.headers)
        return [r["phoneNumber"] for r in response.json()["records"]]

    assert listed("MainCompanyNumber") == []
    assert listed("MainCompanyNumber", "DirectNumber") == ["+16505550100"]
    assert listed() == ["+16505550100"]
    params = [("usageType", "MainCompanyNumber"), ("perPage", "2")]
    body = rc.http.get(path, params=params, headers=rc.headers).json()
    follow = rc.http.get(body["navigation"]["firstPage"]["uri"], headers=rc.headers).json()
    assert follow["records"] == []  # a client following the links keeps its filter
    assert body["uri"].endswith("?usageType=MainCompanyNumber&page=1&perPage=2")


@pytest.mark.parametrize("path", [PATH.format(account="~", extension="~"), COMPANY])
@pytest.mark.parametrize("kind", ["Bogus", "directnumber", "A2PSmsSender"])
def test_a_usage_type_outside_the_spec_is_refused_with_cmn_101(
    rc: RC, path: str, kind: str
) -> None:
    """RingCentral's API Reference: "400 CMN-101 Parameter [usageType] value is invalid"."""
    params = [("usageType", "DirectNumber"), ("usageType", kind)]
    refused = rc.http.get(path, params=params, headers=rc.headers)
    assert refused.status_code == 400
    body = refused.json()
    assert body["errorCode"] == "CMN-101"
    assert body["message"] == "Parameter [usageType] value is invalid."
    assert body["errors"][0]["parameterName"] == "usageType"
    empty = rc.http.get(path, params={"usageType": ""}, headers=rc.headers)  # JS: undefined
    assert empty.status_code == 200


@pytest.mark.sms_scenario(
    {"accounts": {"ringcentral": [{"client_id": "a", "numbers": ["+18445550100", "+14155550000"]}]}}
)
def test_the_account_wide_list_filters_by_payment_type_status_and_extension_status(
    sms_emulator: Emulator,
) -> None:
    """RingCentral's current spec (``listAccountPhoneNumbers``, as ``@rc-ex/core`` types it)
    gives the account-wide list ``paymentType``, ``status`` and ``extensionStatus`` filters,
    each repeatable; they were ignored, so ``paymentType=TollFree`` listed local numbers."""
    with sms_emulator.client() as http:
        headers = bearer(http, auth=("a", "secret"))

        def listed(*params: tuple[str, str]) -> list[str]:
            response = http.get(COMPANY, params=[*params, ("perPage", "1")], headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            if body["paging"]["totalPages"] > 1:  # a client following the links keeps them
                page = http.get(body["navigation"]["nextPage"]["uri"], headers=headers).json()
                body["records"] += page["records"]
            return [r["phoneNumber"] for r in body["records"]]

        assert listed(("paymentType", "TollFree")) == ["+18445550100"]
        assert listed(("paymentType", "Local")) == ["+14155550000"]
        both = listed(("paymentType", "Local"), ("paymentType", "TollFree"))
        assert both == ["+18445550100", "+14155550000"]
        assert listed(("paymentType", "Mobile")) == []
        assert listed(("status", "Normal"), ("paymentType", "Local")) == ["+14155550000"]
        assert listed(("status", "Pending")) == []
        assert len(listed(("extensionStatus", "Enabled"))) == 2
        assert listed(("extensionStatus", "Disabled")) == []
        first = http.get(COMPANY, params={"paymentType": "Local"}, headers=headers).json()
        assert first["uri"].endswith("?paymentType=Local&page=1&perPage=100")
        for name in ("paymentType", "status", "extensionStatus"):
            refused = http.get(COMPANY, params={name: "Bogus"}, headers=headers)
            assert (refused.status_code, refused.json()["errorCode"]) == (400, "CMN-101")
            assert refused.json()["errors"][0]["parameterName"] == name


def test_the_extension_list_filters_by_number_status(rc: RC) -> None:
    """``listExtensionPhoneNumbers`` takes ``status`` (every number here is ``Normal``)."""
    path = PATH.format(account="~", extension="~")

    def listed(status: str) -> list[str]:
        response = rc.http.get(path, params={"status": status}, headers=rc.headers)
        assert response.status_code == 200, response.text
        return [r["phoneNumber"] for r in response.json()["records"]]

    assert listed("Normal") == ["+16505550100"]
    assert listed("PortedIn") == []
    refused = rc.http.get(path, params={"status": "normal"}, headers=rc.headers)
    assert (refused.status_code, refused.json()["errorCode"]) == (400, "CMN-101")


def test_the_account_wide_list_is_in_the_heavy_rate_limit_group(rc: RC) -> None:
    response = rc.http.get(COMPANY, headers=rc.headers)
    group = (response.headers["X-Rate-Limit-Group"], response.headers["X-Rate-Limit-Limit"])
    assert group == ("heavy", "10")
