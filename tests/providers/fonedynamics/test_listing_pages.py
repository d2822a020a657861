"""E4 listing against what the client sent: pages, tokens, windows and ``TotalCount``.

The listing keeps a running count in provider state, so these tests also
check that the count follows new messages, a reset and a restart, and that
a page reads a bounded number of stored messages however many are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from threading import Event, Thread
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.core.store import MessageQuery
from emulator.providers.fonedynamics.listing import encode_token

from .conftest import ACCOUNT, PROPERTY, TOKEN

OTHER = "SOTHER"
BLOCKED = "+61400000001"  # the scenario rejects it: stored, never listed
RECIPIENTS = ["+61488023555", "+61488023556", BLOCKED]
SCENARIO = {"rules": [{"when": {"to": BLOCKED}, "outcome": "invalid_number"}]}


def batch_path(property_sid: str) -> str:
    return f"/v2/Properties/{property_sid}/BatchMessages"


def list_path(property_sid: str) -> str:
    return f"/v2/Properties/{property_sid}/Messages"


def send(client: httpx.Client, property_sid: str, recipients: list[str]) -> list[dict[str, Any]]:
    """POST one batch; the accepted messages, in order."""
    messages = [{"From": "MyShop", "To": to, "Text": "hi"} for to in recipients]
    response = client.post(batch_path(property_sid), json={"Messages": messages})
    assert response.status_code == 200, response.text
    return [item for item in response.json() if "MessageSid" in item]


def walk(client: httpx.Client, property_sid: str, params: dict[str, Any]) -> list[str]:
    """Every sid of the listing, following ``NextPageToken`` from the first page."""
    seen: list[str] = []
    query = dict(params)
    while True:
        body = client.get(list_path(property_sid), params=query).json()
        seen += [m["MessageSid"] for m in body["Messages"]]
        if "NextPageToken" not in body:
            return seen
        assert body["Messages"], "a token must never follow an empty page"
        query = {**params, "Page_Token": body["NextPageToken"]}


batches = st.lists(
    st.tuples(
        st.sampled_from([PROPERTY, OTHER]),
        st.lists(st.sampled_from(RECIPIENTS), min_size=1, max_size=4),
        st.integers(min_value=0, max_value=3),  # seconds to advance after the batch
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(
    batches=batches,
    count=st.integers(min_value=1, max_value=5),
    skip=st.integers(min_value=0, max_value=6),
    window=st.tuples(st.integers(0, 12), st.integers(0, 12)),
    list_between=st.booleans(),
)
def test_listing_matches_what_was_sent(
    batches: list[tuple[str, list[str], int]],
    count: int,
    skip: int,
    window: tuple[int, int],
    list_between: bool,
) -> None:
    emu = Emulator(scenario=SCENARIO, seed=3)
    sent: list[dict[str, Any]] = []
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        t0 = int(emu.time())
        for property_sid, recipients, pause in batches:
            accepted = send(client, property_sid, recipients)
            sent += [{**m, "property": property_sid} for m in accepted]
            if list_between:  # the running count must follow later sends
                client.get(list_path(PROPERTY))
            emu.advance(pause)
        mine = [m for m in sent if m["property"] == PROPERTY]
        sids = [m["MessageSid"] for m in mine]

        first = client.get(list_path(PROPERTY), params={"Results_Count": count}).json()
        assert first["TotalCount"] == len(sids)
        assert [m["MessageSid"] for m in first["Messages"]] == sids[:count]
        assert ("NextPageToken" in first) == (len(sids) > count)

        skipped = client.get(
            list_path(PROPERTY), params={"Results_Count": count, "Results_Skip": skip}
        ).json()
        assert [m["MessageSid"] for m in skipped["Messages"]] == sids[skip : skip + count]
        assert skipped["TotalCount"] == len(sids)

        assert walk(client, PROPERTY, {"Results_Count": count}) == sids

        low, high = t0 + min(window), t0 + max(window)
        inside = [m["MessageSid"] for m in mine if low <= m["Created"] < high]  # Date_To exclusive
        params = {"Results_Count": count, "Date_From": low, "Date_To": high}
        assert walk(client, PROPERTY, params) == inside
        windowed = client.get(list_path(PROPERTY), params=params).json()
        assert windowed["TotalCount"] == len(inside)

        others = [m["MessageSid"] for m in sent if m["property"] == OTHER]
        assert walk(client, OTHER, {"Results_Count": count}) == others
    emu.close()


def test_total_count_starts_again_after_a_reset() -> None:
    emu = Emulator(scenario=SCENARIO)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        send(client, PROPERTY, ["+61488023555"] * 3)
        assert client.get(list_path(PROPERTY)).json()["TotalCount"] == 3
        emu.reset()
        again = send(client, PROPERTY, ["+61488023556"])
        body = client.get(list_path(PROPERTY)).json()
    assert body["TotalCount"] == 1
    assert [m["MessageSid"] for m in body["Messages"]] == [again[0]["MessageSid"]]


def test_total_count_continues_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "fd.db"
    emu = Emulator(scenario=SCENARIO, db=db)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        before = send(client, PROPERTY, ["+61488023555", BLOCKED, "+61488023556"])
        assert client.get(list_path(PROPERTY)).json()["TotalCount"] == 2
    emu.close()

    again = Emulator(scenario=SCENARIO, db=db)
    with again.client(auth=(ACCOUNT, TOKEN)) as client:
        after = send(client, PROPERTY, ["+61488023557"])
        send(client, OTHER, ["+61488023558"])
        listed = walk(client, PROPERTY, {"Results_Count": 2})
        total = client.get(list_path(PROPERTY)).json()["TotalCount"]
    again.close()
    assert listed == [m["MessageSid"] for m in before + after]
    assert total == 3


@pytest.mark.parametrize("window", [{}, {"Date_From": 0}, {"Date_To": 2**40}])
def test_a_page_reads_a_bounded_number_of_stored_messages(window: dict[str, int]) -> None:
    """Paging through many messages costs O(page) per page once the count is known."""
    emu = Emulator()
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        for _ in range(5):
            send(client, PROPERTY, ["+61488023555"] * 1000)
        params = {"Results_Count": 10, **window}
        first = client.get(list_path(PROPERTY), params=params).json()
        assert first["TotalCount"] == 5000

        read: list[int] = []
        query_messages = emu.store.query_messages

        def counted(query: MessageQuery, **kwargs: Any) -> list[Any]:
            found = query_messages(query, **kwargs)
            read.append(len(found))
            return found

        emu.store.query_messages = counted  # type: ignore[method-assign]
        token = {"Page_Token": first["NextPageToken"]}
        page = client.get(list_path(PROPERTY), params={**params, **token}).json()
        send(client, PROPERTY, ["+61488023556"])
        read.clear()
        again = client.get(list_path(PROPERTY), params={**params, **token}).json()
    assert len(page["Messages"]) == 10
    assert (page["TotalCount"], again["TotalCount"]) == (5000, 5001)
    assert sum(read) <= 12  # the page, one more, and the one new message


def _paused(emu: Emulator, method: str, when: Callable[..., bool]) -> tuple[Event, Event]:
    """Make ``emu.store.<method>`` wait for a go once a call matches ``when``."""
    entered, go = Event(), Event()
    original = getattr(emu.store, method)

    def paused(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs) and not entered.is_set():
            entered.set()
            assert go.wait(5)
        return original(*args, **kwargs)

    setattr(emu.store, method, paused)
    return entered, go


def test_a_reset_waits_for_a_listing_in_progress() -> None:
    """A listing on the server thread and ``emu.reset()`` on the test's: the count stays right."""
    emu = Emulator(scenario=SCENARIO)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        send(client, PROPERTY, ["+61488023555"] * 3)
        client.get(list_path(PROPERTY))  # counted up to the third message
        send(client, PROPERTY, ["+61488023556"] * 2)
        entered, go = _paused(emu, "query_messages", lambda query, after_seq=0, **_: after_seq > 0)
        listing = Thread(target=client.get, args=(list_path(PROPERTY),))
        listing.start()
        assert entered.wait(5)  # the listing is counting the two new messages
        reset = Thread(target=emu.reset)
        reset.start()
        reset.join(0.3)
        assert reset.is_alive()  # the reset waits for the listing...
        go.set()
        listing.join(5)
        reset.join(5)
        del emu.store.query_messages
        send(client, PROPERTY, ["+61488023557"] * 2)  # ...and then forgets everything
        body = client.get(list_path(PROPERTY)).json()
    assert (len(body["Messages"]), body["TotalCount"]) == (2, 2)


def test_tokens_and_dates_beyond_any_message_are_answered_not_refused(tmp_path: Path) -> None:
    for db in (None, tmp_path / "fd.db"):
        emu = Emulator(db=db)
        with emu.client(auth=(ACCOUNT, TOKEN)) as client:
            sids = [m["MessageSid"] for m in send(client, PROPERTY, ["+61488023555"] * 2)]
            for token, expected in ((encode_token(-(10**20)), sids), (encode_token(10**20), [])):
                response = client.get(list_path(PROPERTY), params={"Page_Token": token})
                assert response.status_code == 200, response.text
                assert [m["MessageSid"] for m in response.json()["Messages"]] == expected
            far = client.get(list_path(PROPERTY), params={"Date_To": 10**20, "Date_From": 10**19})
            assert far.status_code == 200, far.text
            assert far.json()["TotalCount"] == 0
            everything = client.get(list_path(PROPERTY), params={"Date_To": 10**20})
            assert everything.json()["TotalCount"] == 2
        emu.close()
