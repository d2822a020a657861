"""E3 GET /v2/Messages/{MessageSid} and E4 GET /v2/Properties/{PropertySid}/Messages."""

from __future__ import annotations

import httpx
import pytest

from emulator import Emulator

from .conftest import MESSAGES, PROPERTY

BATCH = MESSAGES.rsplit("/", 1)[0] + "/BatchMessages"

TO = "+61488023555"


def send(client: httpx.Client, text: str = "hi", path: str = MESSAGES) -> str:
    response = client.post(path, json={"From": "MyShop", "To": TO, "Text": text})
    assert response.status_code == 200, response.text
    return response.json()["Message"]["MessageSid"]


def test_lookup_returns_the_message_wrapped(client: httpx.Client) -> None:
    sid = send(client)
    response = client.get(f"/v2/Messages/{sid}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["Message"] and body["Message"]["MessageSid"] == sid


def test_unknown_message_sid_is_message_not_found(client: httpx.Client) -> None:
    response = client.get("/v2/Messages/MNOSUCHMESSAGE000000000000000000")
    assert response.status_code == 400
    assert response.json() == {
        "ResponseStatus": {
            "ErrorCode": "MESSAGE_NOT_FOUND",
            "Message": "The requested message was not found.",
            "Errors": [{"FieldName": "MessageSid"}],
        }
    }


def test_another_accounts_message_is_not_found(emu: Emulator, client: httpx.Client) -> None:
    sid = send(client)
    with emu.client(auth=("AOTHER", "t")) as other:
        response = other.get(f"/v2/Messages/{sid}")
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "MESSAGE_NOT_FOUND"


def test_listing_shape_and_order(emu: Emulator, client: httpx.Client) -> None:
    sids = [send(client, f"m{i}") for i in range(3)]
    send(client, "other property", "/v2/Properties/SOTHER/Messages")
    response = client.get(MESSAGES)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["Messages", "TotalCount"]
    assert [m["MessageSid"] for m in body["Messages"]] == sids
    assert body["TotalCount"] == 3
    assert all(m["PropertySid"] == PROPERTY for m in body["Messages"])


def test_listing_date_from_is_inclusive_and_date_to_exclusive(
    emu: Emulator, client: httpx.Client
) -> None:
    # Fone Dynamics' "Find SMS messages" page: Date_From "(inclusive)", Date_To "(exclusive)".
    t0 = int(emu.time())
    first = send(client, "a")
    emu.advance("10s")
    second = send(client, "b")
    emu.advance("10s")
    third = send(client, "c")
    listed = client.get(MESSAGES, params={"Date_From": t0 + 10, "Date_To": t0 + 20}).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [second]
    assert listed["TotalCount"] == 1
    listed = client.get(MESSAGES, params={"date_to": t0 + 10}).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [first]
    listed = client.get(MESSAGES, params={"Date_From": t0 + 20, "Date_To": t0 + 21}).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [third]
    empty = client.get(MESSAGES, params={"Date_From": t0 + 20, "Date_To": t0 + 20}).json()
    assert (empty["Messages"], empty["TotalCount"]) == ([], 0)


def test_listing_takes_the_search_as_a_json_body(emu: Emulator, client: httpx.Client) -> None:
    # The "Find SMS messages" page shows the search as a JSON object:
    # {"Date_From": ..., "Date_To": ..., "Direction": "Transmit", "Status": "Delivered",
    #  "Results_Count": 10, "Results_Skip": 10}. A GET with that body is bound like the query.
    t0 = int(emu.time())
    send(client, "a")
    emu.advance("10s")
    second = send(client, "b")
    emu.advance("1s")
    third = send(client, "c")
    emu.advance("9s")
    send(client, "d")
    search = {"Date_From": t0 + 10, "Date_To": t0 + 20, "Direction": "Transmit"}
    listed = client.request("GET", MESSAGES, json=search).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [second, third]
    assert listed["TotalCount"] == 2
    paged = {**search, "Status": "Delivered", "Results_Count": 1, "Results_Skip": 1}
    listed = client.request("GET", MESSAGES, json=paged).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [third]
    # A whole number written as a JSON float is that number, as its text would be.
    floats = {"Date_From": t0 + 10.0, "Date_To": t0 + 20.0, "Results_Count": 1.0}
    listed = client.request("GET", MESSAGES, json=floats).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [second]
    fraction = client.request("GET", MESSAGES, json={"Results_Count": 1.5})
    assert fraction.status_code == 400
    assert fraction.json()["ResponseStatus"]["Errors"] == [{"FieldName": "Results_Count"}]
    # A query string value wins over the body's, as on E1.
    listed = client.request("GET", MESSAGES, params={"Date_To": t0 + 11}, json=search).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [second]
    # The body's values are checked as the query's are.
    bad = client.request("GET", MESSAGES, json={"Date_From": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["ResponseStatus"]["Errors"] == [{"FieldName": "Date_From"}]
    bad = client.request("GET", MESSAGES, json={"Status": True})
    assert bad.json()["ResponseStatus"]["ErrorCode"] == "INVALID_PARAMETER"
    not_json = client.request(
        "GET", MESSAGES, content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json()["ResponseStatus"]["ErrorCode"] == "SerializationException"


def test_listing_results_count_defaults_to_200(client: httpx.Client) -> None:
    # The docs: "Results_Count ... Default is 200."
    sids = [
        m["MessageSid"]
        for m in client.post(
            BATCH, json={"Messages": [{"From": "MyShop", "To": TO, "Text": "x"}] * 201}
        ).json()
    ]
    page = client.get(MESSAGES).json()
    assert [m["MessageSid"] for m in page["Messages"]] == sids[:200]
    assert page["TotalCount"] == 201 and "NextPageToken" in page


def test_listing_filters_on_status_and_direction(emu: Emulator, client: httpx.Client) -> None:
    # The docs' optional Status (Processing, Submitted, Delivered, Failed, Received)
    # and Direction (Transmit, Receive) filters.
    response = client.post(MESSAGES, json={"To": TO, "Text": "Reply YES"})
    sent, leased = response.json()["Message"]["MessageSid"], response.json()["Message"]["From"]
    reply = emu.inbound("fonedynamics", TO, leased, "YES")

    def listed(**params: object) -> list[str]:
        response = client.get(MESSAGES, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["TotalCount"] == len(body["Messages"])
        return [m["MessageSid"] for m in body["Messages"]]

    reply_sid = reply["id"]
    assert listed(Direction="Transmit") == [sent]
    assert listed(Direction="Receive") == [reply_sid]
    assert listed(Status="Received") == [reply_sid]
    assert listed(Status="Processing") == [sent]
    assert listed(Status="Delivered") == []
    emu.advance("1m")
    assert listed(Status="Delivered", Direction="Transmit") == [sent]
    assert listed(Status="Processing") == []
    assert listed(status="delivered") == [sent]  # names and values in any case


@pytest.mark.parametrize(("name", "value"), [("Status", "Sent"), ("Direction", "Outbound")])
def test_listing_rejects_an_unknown_status_or_direction(
    client: httpx.Client, name: str, value: str
) -> None:
    response = client.get(MESSAGES, params={name: value})
    assert response.status_code == 400
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "INVALID_PARAMETER"
    assert status["Errors"] == [{"FieldName": name}]


def test_listing_pages_with_results_count_and_skip(client: httpx.Client) -> None:
    sids = [send(client, f"m{i}") for i in range(5)]
    page = client.get(MESSAGES, params={"Results_Count": 2, "Results_Skip": 2}).json()
    assert [m["MessageSid"] for m in page["Messages"]] == sids[2:4]
    assert page["TotalCount"] == 5
    assert isinstance(page["NextPageToken"], str)


def test_listing_pages_with_next_page_token(client: httpx.Client) -> None:
    sids = [send(client, f"m{i}") for i in range(5)]
    seen: list[str] = []
    params: dict[str, object] = {"Results_Count": 2}
    while True:
        page = client.get(MESSAGES, params=params).json()
        seen += [m["MessageSid"] for m in page["Messages"]]
        if "NextPageToken" not in page:
            break
        params = {"Results_Count": 2, "Page_Token": page["NextPageToken"]}
    assert seen == sids


def test_listing_includes_received_replies(emu: Emulator, client: httpx.Client) -> None:
    response = client.post(MESSAGES, json={"To": TO, "Text": "Reply YES"})
    leased = response.json()["Message"]["From"]
    emu.inbound("fonedynamics", TO, leased, "YES")
    messages = client.get(MESSAGES).json()["Messages"]
    assert [(m["Direction"], m["Status"]) for m in messages] == [
        ("Transmit", "Processing"),
        ("Receive", "Received"),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"Results_Count": "ten"}, "Results_Count"),
        ({"Results_Count": 0}, "Results_Count"),
        ({"Results_Count": "1_0"}, "Results_Count"),  # Python's int() reads these as 10
        ({"Results_Count": "\uff11\uff10"}, "Results_Count"),
        ({"Date_To": "1" * 5000}, "Date_To"),
        ({"Results_Skip": -1}, "Results_Skip"),
        ({"Date_From": "yesterday"}, "Date_From"),
        ({"Page_Token": "!!!"}, "Page_Token"),
    ],
)
def test_listing_rejects_bad_parameters(
    client: httpx.Client, params: dict[str, object], field: str
) -> None:
    response = client.get(MESSAGES, params=params)
    assert response.status_code == 400
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "INVALID_PARAMETER"
    assert status["Errors"] == [{"FieldName": field}]


def test_listing_date_from_after_date_to_conflicts(client: httpx.Client) -> None:
    response = client.get(MESSAGES, params={"Date_From": 200, "Date_To": 100})
    assert response.status_code == 400
    assert response.json()["ResponseStatus"]["ErrorCode"] == "CONFLICTING_PARAMETERS"


def test_results_count_is_capped_at_1000(client: httpx.Client) -> None:
    """Larger values are capped (docs/providers/fonedynamics.md): a page of 1000, and the
    token to the rest."""
    messages = [{"From": "MyShop", "To": TO, "Text": f"m{i}"} for i in range(1001)]
    assert client.post(BATCH, json={"Messages": messages}).status_code == 200
    response = client.get(MESSAGES, params={"Results_Count": 5000})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["Messages", "TotalCount", "NextPageToken"]
    assert [m["Text"] for m in body["Messages"]] == [f"m{i}" for i in range(1000)]
    assert body["TotalCount"] == 1001
    rest = client.get(MESSAGES, params={"Page_Token": body["NextPageToken"]}).json()
    assert [m["Text"] for m in rest["Messages"]] == ["m1000"]


def test_a_status_filtered_page_is_read_at_one_time(
    emu: Emulator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter, TotalCount and the Messages shown take one `now`: a clock that moves
    while the page is built (a real one) must not list a message whose Status is not the
    one asked for."""
    from emulator.providers.fonedynamics.listing import ListQuery, list_messages

    from .conftest import ACCOUNT

    sids = [send(client, str(i)) for i in range(3)]
    # Processing at first, Delivered by the next step: each call of the clock is a step later.
    start = emu.time()
    step = max(emu.store.get_message(sid).final_at for sid in sids) - start + 1
    assert step > 0 and {m["Status"] for m in client.get(MESSAGES).json()["Messages"]} == {
        "Processing"
    }
    steps = iter(range(1_000))
    monkeypatch.setattr(emu, "time", lambda: start + next(steps) * step)
    body = list_messages(emu, ACCOUNT, PROPERTY, ListQuery(status="Processing"))
    assert [m["MessageSid"] for m in body["Messages"]] == sids
    assert {m["Status"] for m in body["Messages"]} == {"Processing"}
    assert body["TotalCount"] == 3
