"""/restapi/v2/accounts/{accountId}/sms/consents: the API that replaces a2p-sms opt-outs."""

from __future__ import annotations

import gc
import re
import tracemalloc
from typing import Any

import pytest

from emulator import Emulator
from emulator.providers.ringcentral import optouts

from .conftest import RC, SENDER, bearer

CONSENTS = "/restapi/v2/accounts/{account}/sms/consents"
HANDSET = "+14155550100"


def patch(rc: RC, *records: Any, account: str = "~") -> Any:
    response = rc.http.patch(
        CONSENTS.format(account=account), headers=rc.headers, json={"records": list(records)}
    )
    assert response.status_code == 200, response.text
    return response.json()


def listed(rc: RC, **params: Any) -> dict[str, Any]:
    response = rc.http.get(CONSENTS.format(account="~"), headers=rc.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def opt(to: str, status: str = "OptOut", source: str = "Api", sender: str = SENDER) -> dict:
    return {"to": to, "optStatus": status, "from": sender, "source": source}


def test_a_patched_opt_out_is_listed_and_stops_messages_to_the_pair(rc: RC) -> None:
    assert patch(rc, opt(HANDSET)) == {}
    body = listed(rc)
    assert list(body) == ["records", "paging"]
    (record,) = body["records"]
    assert list(record) == ["to", "optStatus", "from", "source", "lastModifiedTime"]
    assert record["lastModifiedTime"] == "2026-01-01T00:00:00.000000Z"
    assert {k: v for k, v in record.items() if k != "lastModifiedTime"} == opt(HANDSET)
    assert set(body["paging"]) == {"perPage", "pageToken", "firstPageToken"}
    assert body["paging"]["perPage"] == 100  # this API's default
    rc.send([HANDSET, "+12125550100"])
    rc.emu.advance("1m")
    failed = {r["to"][0]: r.get("errorCode") for r in rc.messages(direction="Outbound")}
    assert failed == {HANDSET: "SMS-RC-413", "+12125550100": None}
    assert patch(rc, opt(HANDSET, "OptIn")) == {}
    assert listed(rc)["records"] == []  # opt-outs only, unless optStatus says otherwise
    assert [r["optStatus"] for r in listed(rc, optStatus="OptIn")["records"]] == ["OptIn"]


def test_a_change_with_nothing_failed_answers_no_failed_records(rc: RC) -> None:
    """``OptRecordsModificationSummary.failedRecords`` has ``minItems: 1`` in RingCentral's
    spec (its lists of records say ``minItems: 0``): with nothing failed it is left out."""
    assert patch(rc, opt(HANDSET)) == {}
    body = patch(rc, opt(HANDSET, "OptIn"), opt("garbage"))
    assert [f["to"] for f in body["failedRecords"]] == ["garbage"]
    url = CONSENTS.format(account="~")
    gone = {"records": [{"from": SENDER, "to": HANDSET}]}
    assert rc.http.request("DELETE", url, headers=rc.headers, json=gone).json() == {}


def test_both_apis_read_and_write_the_same_consents(rc: RC) -> None:
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": ["+12125550100"]})
    rc.emu.advance("5s")
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    patch(rc, opt("+13125550100", source="Carrier"))
    sources = {r["to"]: r["source"] for r in listed(rc)["records"]}
    assert sources == {"+12125550100": "Api", HANDSET: "Recipient", "+13125550100": "Carrier"}
    old = {r["to"]: r["source"] for r in rc.get("/opt-outs").json()["records"]}
    assert old == {"+12125550100": "Account", HANDSET: "Recipient", "+13125550100": "Carrier"}
    assert rc.http.get(CONSENTS.format(account="37439510"), headers=rc.headers).status_code == 200


def test_each_bad_record_fails_alone_with_its_error(rc: RC) -> None:
    bad_to = opt("garbage")
    bad_status = opt("+12125550100", status="Maybe")
    bad_source = opt("+13125550100", source="Account")  # the deprecated API's word
    body = patch(rc, bad_to, opt(HANDSET), bad_status, bad_source, 7)
    errors = [(f.get("to"), f["error"]["parameterName"]) for f in body["failedRecords"]]
    assert errors == [
        ("garbage", "to"),
        ("+12125550100", "optStatus"),
        ("+13125550100", "source"),
        (None, "records"),
    ]
    first = body["failedRecords"][0]
    assert first == {
        **bad_to,
        "error": {
            "errorCode": "CMN-101",
            "message": "Parameter [to] value is invalid.",
            "parameterName": "to",
        },
    }
    assert [r["to"] for r in listed(rc)["records"]] == [HANDSET]


def test_deleted_consents_are_forgotten_for_one_sender_or_every_one(rc: RC) -> None:
    other = "+16505550199"
    patch(rc, opt(HANDSET), opt(HANDSET, sender=other), opt("+12125550100"))
    response = rc.http.request(
        "DELETE",
        CONSENTS.format(account="~"),
        headers=rc.headers,
        json={"records": [{"from": SENDER, "to": HANDSET}, {"from": "*", "to": "garbage"}, 3]},
    )
    assert response.status_code == 200
    failed = response.json()["failedRecords"]
    assert [f.get("to") for f in failed] == ["garbage", None]
    assert failed[0]["error"]["parameterName"] == "to"
    pairs = {(r["from"], r["to"]) for r in listed(rc)["records"]}
    assert pairs == {(other, HANDSET), (SENDER, "+12125550100")}
    rc.send([HANDSET])  # from SENDER: the pair is no longer opted out
    rc.emu.advance("1m")
    assert rc.messages()[0]["messageStatus"] == "Delivered"
    everyone = {"records": [{"from": "*", "to": HANDSET}]}
    rc.http.request("DELETE", CONSENTS.format(account="~"), headers=rc.headers, json=everyone)
    assert {r["to"] for r in listed(rc)["records"]} == {"+12125550100"}
    assert rc.get("/opt-outs").json()["records"][0]["to"] == "+12125550100"  # the same state


def test_filters_and_paging(rc: RC) -> None:
    numbers = [f"+1415555{n:04d}" for n in range(150)]
    patch(rc, *(opt(n) for n in numbers))
    patch(rc, opt(HANDSET, sender="+16505550199"))
    first = listed(rc)
    assert len(first["records"]) == 100 and "nextPageToken" in first["paging"]
    second = listed(rc, pageToken=first["paging"]["nextPageToken"])
    assert len(second["records"]) == 51 and "nextPageToken" not in second["paging"]
    seen = {r["to"] for r in first["records"] + second["records"]}
    assert seen == {*numbers, HANDSET}
    assert [r["from"] for r in listed(rc, **{"from": "16505550199"})["records"]] == ["+16505550199"]
    two = listed(rc, to=[numbers[0], numbers[1]], perPage=5000)
    assert {r["to"] for r in two["records"]} == set(numbers[:2])
    assert two["paging"]["perPage"] == 1000  # past the maximum, the maximum
    assert listed(rc, coverage="Account")["records"] == []  # every record is a number's
    assert len(listed(rc, coverage=["PhoneNumber", "Account"], perPage=1)["records"]) == 1
    assert listed(rc, campaignType="Promotional")["records"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"optStatus": "optout"}, "optStatus"),
        ({"coverage": "Everything"}, "coverage"),
        ({"campaignType": "Spam"}, "campaignType"),
        ({"from": "garbage"}, "from"),
        ({"perPage": "ten"}, "perPage"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(rc: RC, params: dict, parameter: str) -> None:
    response = rc.http.get(CONSENTS.format(account="~"), headers=rc.headers, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameterName"] == parameter


def test_requests_that_cannot_be_read_are_refused_whole(rc: RC) -> None:
    url = CONSENTS.format(account="~")
    json_headers = {**rc.headers, "Content-Type": "application/json"}
    cases = [(b"{}", "CMN-101"), (b'{"records": 5}', "CMN-101"), (b"{", "CMN-104")]
    for content, code in [*cases, (b"", "CMN-104"), (b" \r\n", "CMN-104")]:
        response = rc.http.patch(url, headers=json_headers, content=content)
        assert (response.status_code, response.json()["errorCode"]) == (400, code), content
    unlabelled = rc.http.patch(url, headers=rc.headers, content=b'{"records": []}')
    assert (unlabelled.status_code, unlabelled.json()["errorCode"]) == (400, "CMN-110")
    wrong = rc.http.put(url, headers=rc.headers)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "DELETE, GET, HEAD, PATCH")
    assert rc.http.get(url).status_code == 401
    other = rc.http.get(CONSENTS.format(account="1"), headers=rc.headers)
    assert (other.status_code, other.json()["errorCode"]) == (404, "CMN-102")


@pytest.mark.sms_scenario({"accounts": {"ringcentral": [{"scope": "SMS"}]}})
def test_the_sms_permission_opens_consents_but_not_a2p(sms_emulator: Emulator) -> None:
    client = sms_emulator.client()
    headers = bearer(client, auth=("c", "s"))
    assert client.get(CONSENTS.format(account="~"), headers=headers).status_code == 200
    a2p = client.get("/restapi/v1.0/account/~/a2p-sms/batches", headers=headers)
    assert (a2p.status_code, a2p.json()["errorCode"]) == (403, "CMN-401")


def test_one_request_deletes_thousands_named_both_ways(rc: RC) -> None:
    numbers = [f"+1415555{n:04d}" for n in range(2000)]
    patch(rc, *(opt(n) for n in numbers[:1000]))  # a PATCH takes at most 1000
    patch(rc, *(opt(n) for n in numbers[1000:]))
    records = [{"from": SENDER, "to": n} for n in numbers[:1000]]
    records += [{"from": "*", "to": n} for n in numbers[500:]]  # half of them named twice
    url = CONSENTS.format(account="~")
    response = rc.http.request("DELETE", url, headers=rc.headers, json={"records": records})
    assert response.json() == {}
    assert listed(rc)["records"] == []
    assert rc.get("/opt-outs").json()["records"] == []


def test_export_is_every_consent_as_csv_newest_first(rc: RC) -> None:
    patch(rc, opt(HANDSET), opt("+12125550100", status="OptIn", source="Recipient"))
    response = rc.http.get(CONSENTS.format(account="~") + "/export", headers=rc.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.split("\r\n") == [
        "External Party Number,Internal Party Number,Consent Status,Source,Coverage,"
        "Campaign Type,Notes,Last Modified Time",
        f"+12125550100,{SENDER},OptIn,Recipient,PhoneNumber,,,2026-01-01T00:00:00.000000Z",
        f"{HANDSET},{SENDER},OptOut,Api,PhoneNumber,,,2026-01-01T00:00:00.000000Z",
        "",
    ]
    assert rc.http.get(CONSENTS.format(account="~") + "/export").status_code == 401


def searched(rc: RC, status: int = 200, **body: Any) -> dict[str, Any]:
    response = rc.http.post(CONSENTS.format(account="~") + "/search", headers=rc.headers, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_search_takes_the_list_s_filters_and_paging_in_a_body(rc: RC) -> None:
    """POST .../consents/search: how current SDKs (rc-ex, the Java SDK) list consents."""
    patch(rc, opt(HANDSET), opt("+12125550100"), opt("+13125550100", "OptIn"))
    first = searched(rc, optStatus="OptOut", **{"from": [SENDER]}, perPage=1)
    assert first == listed(rc, optStatus="OptOut", perPage=1)  # the same page as the list's
    assert [r["to"] for r in first["records"]] == ["+12125550100"]
    token = first["paging"]["nextPageToken"]
    second = searched(rc, optStatus="OptOut", pageToken=token, perPage=1)
    assert [r["to"] for r in second["records"]] == [HANDSET]
    assert [r["to"] for r in searched(rc, optStatus="OptIn")["records"]] == ["+13125550100"]
    assert searched(rc, to=["+19995550100"])["records"] == []
    assert searched(rc)["paging"]["perPage"] == 100
    for bad in ({"optStatus": ["OptOut"]}, {"optStatus": "Nope"}, {"perPage": 0}):
        assert searched(rc, 400, **bad)["errorCode"] == "CMN-101"
    for bad in ("1.5", "one", "", 1.5, True, [1]):  # not a whole number
        error = searched(rc, 400, perPage=bad)["errors"][0]
        assert (error["errorCode"], error["parameterName"]) == ("CMN-101", "perPage"), bad
    for given in ("1", 1.0, " 1 ", "0001"):  # as RingCentral's own apps may send it
        assert searched(rc, perPage=given)["paging"]["perPage"] == 1, given
    assert searched(rc, perPage="9" * 5000)["paging"]["perPage"] == 1000  # not a 500
    assert searched(rc, 400, perPage="-" + "9" * 5000)["errorCode"] == "CMN-101"
    assert searched(rc, perPage=5000)["paging"]["perPage"] == 1000  # the most, as the list's
    nulls = {"from": None, "to": None, "coverage": None, "campaignType": None}
    assert len(searched(rc, **nulls)["records"]) == 2  # null is absent
    # the body holds the token: a query's is not read
    url = CONSENTS.format(account="~") + f"/search?pageToken={token}&perPage=1"
    page = rc.http.post(url, headers=rc.headers, json={}).json()
    assert page["paging"]["perPage"] == 100 and len(page["records"]) == 2


@pytest.mark.parametrize("count", [0, 1001])
def test_a_patch_takes_one_to_a_thousand_records(rc: RC, count: int) -> None:
    """``UpdateOptRecordList.records``: ``minItems: 1``, ``maxItems: 1000``."""
    records = [opt(f"+1415555{n:04d}") for n in range(count)]
    url = CONSENTS.format(account="~")
    response = rc.http.patch(url, headers=rc.headers, json={"records": records})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", "records")
    assert listed(rc)["records"] == []  # nothing of the request is kept


def test_a_patch_of_a_thousand_records_is_taken(rc: RC) -> None:
    assert patch(rc, *(opt(f"+1415555{n:04d}") for n in range(1000))) == {}
    assert len(listed(rc, perPage=1000)["records"]) == 1000


@pytest.mark.parametrize("field", ["from", "to"])
@pytest.mark.parametrize("count", [0, 21])
def test_a_search_names_one_to_twenty_numbers(rc: RC, field: str, count: int) -> None:
    """``SearchSmsConsentRecordsRequest``: ``from``/``to`` ``minItems: 1``, ``maxItems: 20``."""
    patch(rc, opt(HANDSET))
    numbers = [f"+1415555{n:04d}" for n in range(count)]
    error = searched(rc, 400, **{field: numbers})["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", field)
    twenty = [HANDSET if field == "to" else SENDER, *numbers[1:20]]
    assert len(searched(rc, **{field: twenty})["records"]) == 1


@pytest.mark.parametrize("field", ["coverage", "campaignType"])
def test_a_search_names_at_least_one_coverage_or_campaign_type(rc: RC, field: str) -> None:
    """``SearchSmsConsentRecordsRequest``: ``coverage``/``campaignType`` ``minItems: 1``
    (an empty list is not "no filter")."""
    patch(rc, opt(HANDSET))
    error = searched(rc, 400, **{field: []})["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", field)
    assert len(searched(rc, coverage=["PhoneNumber"])["records"]) == 1


def history(rc: RC, status: int = 200, **params: Any) -> dict[str, Any]:
    url = CONSENTS.format(account="~") + "/history"
    response = rc.http.get(url, headers=rc.headers, params=params)
    assert response.status_code == status, response.text
    return response.json()


def test_history_lists_every_consent_change_newest_first(rc: RC) -> None:
    """GET .../consents/history (listSmsConsentHistoryRecords), which RingCentral's
    generated SDKs call (rc-ex 1.8.6 ``consents().history().get({to, perPage,
    pageToken})``): ``{records: [{to, optStatus, from, source, createdAt}], paging}``."""
    patch(rc, opt(HANDSET))
    rc.emu.advance("5s")
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "START")
    rc.emu.advance("5s")
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": ["+12125550100"]})
    rc.emu.advance("5s")
    patch(rc, opt(HANDSET, source="Carrier"))
    body = history(rc)
    assert list(body) == ["records", "paging"]
    assert [list(r) for r in body["records"]] == [
        ["to", "optStatus", "from", "source", "createdAt"]
    ] * 4
    assert [(r["to"], r["optStatus"], r["source"], r["createdAt"]) for r in body["records"]] == [
        (HANDSET, "OptOut", "Carrier", "2026-01-01T00:00:15.000000Z"),
        ("+12125550100", "OptOut", "Api", "2026-01-01T00:00:10.000000Z"),
        (HANDSET, "OptIn", "Recipient", "2026-01-01T00:00:05.000000Z"),
        (HANDSET, "OptOut", "Api", "2026-01-01T00:00:00.000000Z"),
    ]
    assert {r["from"] for r in body["records"]} == {SENDER}
    assert body["paging"]["perPage"] == 100  # the spec's default
    # a deleted consent record leaves its history
    rc.http.request(
        "DELETE",
        CONSENTS.format(account="~"),
        headers=rc.headers,
        json={"records": [{"from": "*", "to": HANDSET}]},
    )
    assert len(history(rc)["records"]) == 4
    mine = history(rc, to=HANDSET.lstrip("+"), perPage=2)
    assert [r["createdAt"][17:19] for r in mine["records"]] == ["15", "05"]
    rest = history(rc, to=HANDSET, perPage=2, pageToken=mine["paging"]["nextPageToken"])
    assert [(r["optStatus"], r["source"]) for r in rest["records"]] == [("OptOut", "Api")]
    assert "nextPageToken" not in rest["paging"]
    back = history(rc, to=HANDSET, perPage=2, pageToken=rest["paging"]["previousPageToken"])
    assert back["records"] == mine["records"]  # the way back reads the newer changes
    assert history(rc, to=["+19995550100", "+12125550100"])["records"][0]["to"] == "+12125550100"
    assert history(rc, perPage=5000)["paging"]["perPage"] == 1000  # past the maximum: capped
    for bad in ({"to": "garbage"}, {"perPage": "0"}):
        assert history(rc, 400, **bad)["errors"][0]["parameterName"] in bad
    assert rc.http.get(CONSENTS.format(account="~") + "/history").status_code == 401


def test_history_survives_a_restart_of_a_sqlite_store(tmp_path: Any) -> None:
    db = str(tmp_path / "rc.db")
    with Emulator(clock="virtual", db=db) as first:
        rc = RC(first)
        patch(rc, opt(HANDSET))
        first.inbound("ringcentral", HANDSET, SENDER, "START")
    with Emulator(clock="virtual", db=db) as again:
        rc = RC(again)
        patch(rc, opt("+12125550100"))
        changes = [(r["to"], r["optStatus"]) for r in history(rc)["records"]]
        assert changes == [("+12125550100", "OptOut"), (HANDSET, "OptIn"), (HANDSET, "OptOut")]


def test_history_of_a_store_an_older_version_wrote_starts_with_its_records(
    tmp_path: Any,
) -> None:
    """A ``--db`` file from a version that kept no history has consent records and no
    history: opened, each record is listed as the change that set it (once: a file
    that has its history, its mark lost, gets no second copy)."""
    db = str(tmp_path / "rc.db")
    history_namespace = "ringcentral.optout.history"
    with Emulator(clock="virtual", db=db) as first:
        rc = RC(first)
        patch(rc, opt(HANDSET), opt("+12125550100", "OptIn"))
        first.advance("5s")
        patch(rc, opt(HANDSET, "OptIn", source="Recipient"))
        for key, _ in first.store.state_items(history_namespace):  # as such a version left it
            first.store.delete_state(history_namespace, key)
        first.store.put_meta("ringcentral.optout.format", None)
    expected = [
        (HANDSET, "OptIn", "Recipient", "2026-01-01T00:00:05.000000Z"),
        ("+12125550100", "OptIn", "Api", "2026-01-01T00:00:00.000000Z"),
    ]
    with Emulator(clock="virtual", db=db) as again:
        rc = RC(again)
        listed = history(rc)["records"]
        assert [(r["to"], r["optStatus"], r["source"], r["createdAt"]) for r in listed] == expected
        again.store.put_meta("ringcentral.optout.format", None)
    with Emulator(clock="virtual", db=db) as third:
        assert history(RC(third))["records"] == listed


def test_the_history_index_costs_a_change_little(rc: RC) -> None:
    """The history and its index are kept until a reset: with a key tuple and a list
    per recipient the index cost each change ~200 bytes (~330 built again, as after a
    restart), a third of what opting 100,000 numbers out at once held for ever."""
    numbers = [f"+1415{n:07d}" for n in range(20_000)]
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": numbers})
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = optouts._build_history(rc.emu.store)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert sum(map(len, index.by_tenant.values())) == len(numbers)
    assert held / len(numbers) < 200, held / len(numbers)  # ~120: a string, an int, a slot


def test_history_names_at_most_twenty_numbers(rc: RC) -> None:
    """``listSmsConsentHistoryRecords``' ``to``: ``maxItems: 20`` in RingCentral's spec
    (rc-public-openapi.yml, which @rc-ex/core is generated from)."""
    patch(rc, opt(HANDSET))
    numbers = [HANDSET, *(f"+1415555{n:04d}" for n in range(1, 21))]
    error = history(rc, 400, to=numbers)["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", "to")
    assert len(history(rc, to=numbers[:20])["records"]) == 1
    assert len(history(rc, to=[*numbers[:20], "", ""])["records"]) == 1  # empty: not given


def test_every_answer_carries_an_etag_of_its_content(rc: RC) -> None:
    """The spec's consents operations (list, PATCH, search, history, export) each answer
    200 with a required ``ETag`` header (``components/headers/ETag``)."""
    url = CONSENTS.format(account="~")
    changed = rc.http.patch(url, headers=rc.headers, json={"records": [opt(HANDSET)]})
    answers = [
        changed,
        rc.http.get(url, headers=rc.headers),
        rc.http.post(url + "/search", headers=rc.headers, json={}),
        rc.http.get(url + "/history", headers=rc.headers),
        rc.http.get(url + "/export", headers=rc.headers),
        rc.http.request("DELETE", url, headers=rc.headers, json={"records": []}),
    ]
    tags = [answer.headers.get("etag") for answer in answers]
    assert all(re.fullmatch(r'"[0-9a-f]{32}"', tag or "") for tag in tags), tags
    # PATCH and DELETE both answered {}, the list and the search the same page
    assert (tags[0], tags[1]) == (tags[5], tags[2]) and len(set(tags)) == 4
    assert rc.http.get(url, headers=rc.headers).headers["etag"] == tags[1]  # same content
    patch(rc, opt("+12125550100"))
    assert rc.http.get(url, headers=rc.headers).headers["etag"] != tags[1]
    refused = rc.http.get(url, headers=rc.headers, params={"optStatus": "Nope"})
    assert refused.status_code == 400 and "etag" not in refused.headers
