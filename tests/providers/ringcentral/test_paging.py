"""Paging: exactly the spec's keys, URL-safe tokens, every record exactly once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.providers.ringcentral.paging import _TOP, NEXT, PREVIOUS, Cursor, encode_cursor

from .conftest import A2P, RC, SENDER, check_schema

URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


def _walk(rc: RC, path: str, per_page: int, raw: bool = False) -> list[dict]:
    seen, token, pages = [], None, 0
    while True:
        if raw and token:  # the Python SDK sends tokens unencoded
            response = rc.http.get(
                f"{A2P}{path}?perPage={per_page}&pageToken={token}", headers=rc.headers
            )
        else:
            params = {"perPage": per_page, **({"pageToken": token} if token else {})}
            response = rc.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        paging = body["paging"]
        assert paging["perPage"] == per_page
        assert set(paging) <= {
            "perPage",
            "pageToken",
            "nextPageToken",
            "previousPageToken",
            "firstPageToken",
        }
        for key in ("pageToken", "nextPageToken", "previousPageToken", "firstPageToken"):
            if key in paging:
                assert URLSAFE.fullmatch(paging[key]), paging[key]
        assert ("previousPageToken" in paging) == (pages > 0)
        seen.extend(body["records"])
        pages += 1
        token = paging.get("nextPageToken")
        if token is None:
            return seen


def test_messages_pages_return_every_record_once(rc: RC) -> None:
    rc.send([f"+1415555{i:04d}" for i in range(23)])
    records = _walk(rc, "/messages", 5)
    ids = [r["id"] for r in records]
    assert len(ids) == 23 == len(set(ids))
    assert ids == sorted(ids, reverse=True)  # newest first


def test_raw_tokens_round_trip(rc: RC) -> None:
    rc.send([f"+1415555{i:04d}" for i in range(7)])
    assert len(_walk(rc, "/messages", 2, raw=True)) == 7


def test_paging_object_on_first_and_last_page(rc: RC) -> None:
    rc.send([f"+1415555{i:04d}" for i in range(3)])
    first = rc.get("/messages", params={"perPage": 2}).json()
    check_schema("MessageListResponse", first)
    assert set(first["paging"]) == {"perPage", "pageToken", "nextPageToken", "firstPageToken"}
    second = rc.get(
        "/messages", params={"perPage": 2, "pageToken": first["paging"]["nextPageToken"]}
    )
    paging = second.json()["paging"]
    assert set(paging) == {"perPage", "pageToken", "previousPageToken", "firstPageToken"}
    back = rc.get("/messages", params={"perPage": 2, "pageToken": paging["previousPageToken"]})
    assert [r["id"] for r in back.json()["records"]] == [r["id"] for r in first["records"]]
    restart = rc.get("/messages", params={"perPage": 2, "pageToken": paging["firstPageToken"]})
    assert restart.json()["records"] == first["records"]


def test_a_last_page_exactly_full_has_no_next_token(rc: RC) -> None:
    """``nextPageToken`` is left out on the last page, also when that page is full."""
    rc.send([f"+1415555{i:04d}" for i in range(4)])
    whole = rc.get("/messages", params={"perPage": 4}).json()
    assert len(whole["records"]) == 4
    assert set(whole["paging"]) == {"perPage", "pageToken", "firstPageToken"}
    first = rc.get("/messages", params={"perPage": 2}).json()
    token = first["paging"]["nextPageToken"]
    second = rc.get("/messages", params={"perPage": 2, "pageToken": token}).json()
    assert len(second["records"]) == 2
    assert "nextPageToken" not in second["paging"]


def test_opt_out_tokens_are_url_safe_too(rc: RC) -> None:
    """An opt-out token names no date window: a shorter cursor, whose plain Base64
    would end in ``=`` padding, which the Python SDK sends unencoded."""
    numbers = [f"+1415555{i:04d}" for i in range(5)]
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": numbers})
    assert len(_walk(rc, "/opt-outs", 2, raw=True)) == 5


def test_stable_under_concurrent_inserts(rc: RC) -> None:
    rc.send([f"+1415555{i:04d}" for i in range(6)])
    first = rc.get("/messages", params={"perPage": 4}).json()
    rc.send([f"+1212555{i:04d}" for i in range(5)])  # arrives between page requests
    token = first["paging"]["nextPageToken"]
    rest = rc.get("/messages", params={"perPage": 4, "pageToken": token}).json()
    ids = [r["id"] for r in first["records"] + rest["records"]]
    assert len(ids) == 6 == len(set(ids))
    assert all(r["to"][0].startswith("+1415") for r in rest["records"])


def test_batches_paging(rc: RC) -> None:
    for i in range(5):
        rc.send([f"+1415555{i:04d}"])
    batches = _walk(rc, "/batches", 2)
    assert len({b["id"] for b in batches}) == 5


def test_per_page_defaults_to_1000_and_caps(rc: RC) -> None:
    rc.send(["+14155550100"])
    assert rc.get("/messages").json()["paging"]["perPage"] == 1000
    assert rc.get("/messages", params={"perPage": 5000}).json()["paging"]["perPage"] == 1000


@pytest.mark.parametrize("path", ["/messages", "/batches", "/opt-outs"])
@pytest.mark.parametrize(
    "value", ["1_0", "\uff15", "\u0665", " 5", "5 ", "+5", "-1", "5.0", "0", "00", "0x5"]
)
def test_per_page_takes_only_ascii_digits(rc: RC, path: str, value: str) -> None:
    response = rc.get(path, params={"perPage": value})
    assert response.status_code == 400
    body = response.json()
    check_schema("ASGErrorResponse", body)
    message = "Parameter [perPage] value is invalid."
    assert body == {
        "errorCode": "CMN-101",
        "message": message,
        "errors": [
            {
                "errorCode": "CMN-101",
                "message": message,
                "parameterName": "perPage",
                "parameterValue": value,
            }
        ],
    }


@pytest.mark.parametrize(("value", "echoed"), [("007", 7), ("1000", 1000), ("9" * 5000, 1000)])
def test_per_page_digits_with_leading_zeros_or_many(rc: RC, value: str, echoed: int) -> None:
    response = rc.get("/messages", params={"perPage": value})
    assert response.status_code == 200, response.text
    assert response.json()["paging"]["perPage"] == echoed


def test_foreign_tokens_are_refused(rc: RC) -> None:
    batches = rc.get("/batches").json()["paging"]["firstPageToken"]
    made = [
        encode_cursor(Cursor("m", NEXT, -1)),
        encode_cursor(Cursor("m", NEXT, 5, (float("nan"), None))),
        encode_cursor(Cursor("m", NEXT, 5, (0.0, float("inf")))),
    ]
    for token in ("garbage!", "abc", batches, *made):
        response = rc.get("/messages", params={"pageToken": token})
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameterName"] == "pageToken"


def test_a_next_token_at_the_very_start_links_back_to_a_page_that_answers(rc: RC) -> None:
    """A next token of seq 0 (older than everything: an empty page) gave a previous
    token of seq -1, which the next request refused."""
    rc.send(["+14155550101"])
    token = encode_cursor(Cursor("m", NEXT, 0))
    page = rc.get("/messages", params={"pageToken": token}).json()
    assert page["records"] == []
    back = rc.get("/messages", params={"pageToken": page["paging"]["previousPageToken"]})
    assert back.status_code == 200, back.text
    assert len(back.json()["records"]) == 1
    top = encode_cursor(Cursor("m", PREVIOUS, _TOP))  # newer than everything: empty
    page = rc.get("/messages", params={"pageToken": top}).json()
    assert page["records"] == []
    onward = rc.get("/messages", params={"pageToken": page["paging"]["nextPageToken"]})
    assert onward.status_code == 200, onward.text
    assert len(onward.json()["records"]) == 1


def _pages(rc: RC, path: str, params: dict[str, Any], token_key: str, token: str | None) -> list:
    """The pages from ``token`` on, following ``token_key``; each page's records and paging."""
    pages = []
    while True:
        response = rc.get(path, params={**params, **({"pageToken": token} if token else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        token = body["paging"].get(token_key)
        if token is None:
            return pages


def test_batches_filtered_by_status_page_every_match_once_both_ways(rc: RC) -> None:
    for i in range(7):
        rc.send([f"+1415555{i:04d}"])
    rc.emu.advance("5s")  # these complete; the next ones are still being processed
    for i in range(5):
        rc.send([f"+1212555{i:04d}"])
    everything = [(b["id"], b["status"]) for b in _walk(rc, "/batches", 100)]
    statuses = {status for _, status in everything}
    assert len(statuses) == 2
    for status in statuses:
        expected = [bid for bid, s in everything if s == status]  # newest first
        params = {"perPage": 2, "status": status}
        forward = _pages(rc, "/batches", params, "nextPageToken", None)
        assert [b["id"] for page in forward for b in page["records"]] == expected
        assert all(b["status"] == status for page in forward for b in page["records"])
        last = forward[-1]["paging"].get("previousPageToken")
        back = _pages(rc, "/batches", params, "previousPageToken", last) if last else []
        assert [p["records"] for p in reversed(back)] == [p["records"] for p in forward[:-1]]


def test_a_batches_page_reads_a_bounded_number_of_stored_batches(rc: RC) -> None:
    for i in range(300):
        rc.send([f"+1415555{i:04d}"])
    first = rc.get("/batches", params={"perPage": 10}).json()
    read: list[int] = []
    store = rc.emu.store
    before, after = store.query_batches_before, store.query_batches

    def counted(query_batches: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> list[Any]:
            found = query_batches(*args, **kwargs)
            read.append(len(found))
            return found

        return run

    store.query_batches_before = counted(before)  # type: ignore[method-assign]
    store.query_batches = counted(after)  # type: ignore[method-assign]
    token = first["paging"]["nextPageToken"]
    second = rc.get("/batches", params={"perPage": 10, "pageToken": token}).json()
    assert len(second["records"]) == 10
    assert sum(read) <= 11  # the page and one more, not all 300 batches


def test_a_status_filter_that_matches_little_takes_few_store_reads(rc: RC) -> None:
    rc.send(["+14155550000"])
    rc.emu.advance("5s")  # the only Completed batch; the 150 after it are Processing
    for i in range(150):
        rc.send([f"+1415555{i:04d}"])
    store = rc.emu.store
    calls: list[int] = []
    before = store.query_batches_before

    def counted(*args: Any, **kwargs: Any) -> list[Any]:
        found = before(*args, **kwargs)
        calls.append(len(found))
        return found

    store.query_batches_before = counted  # type: ignore[method-assign]
    page = rc.get("/batches", params={"perPage": 1, "status": "Completed"}).json()
    assert [b["status"] for b in page["records"]] == ["Completed"]
    assert len(calls) <= 10  # reads grow: not one read per perPage + 1 batches
