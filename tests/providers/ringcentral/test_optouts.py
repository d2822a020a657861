"""Opt-outs: STOP/START keywords, SMS-RC-413, GET opt-outs (JSON, CSV), bulk-assign."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from threading import Event, Thread
from typing import Any

import pytest

from emulator import Emulator

from .conftest import RC, SENDER, check_schema

HANDSET = "+14155550100"


@pytest.mark.parametrize("word", ["STOP", "stop ", "Unsubscribe", "QUIT", "cancel", "END"])
def test_stop_words_opt_the_pair_out(rc: RC, word: str) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, word)
    rc.send([HANDSET, "+12125550100"])
    rc.emu.advance("1m")
    records = {r["to"][0]: r for r in rc.messages(direction="Outbound")}
    assert records[HANDSET]["messageStatus"] == "SendingFailed"
    assert records[HANDSET]["errorCode"] == "SMS-RC-413"
    assert records["+12125550100"]["messageStatus"] == "Delivered"


def test_a_message_to_an_opted_out_recipient_adds_nothing_to_its_batch_cost(rc: RC) -> None:
    """The refused message is ``SendingFailed``, which has no cost, and a batch's ``cost``
    is the sum of its messages' costs: only the delivered one counts."""
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    batch = rc.send([HANDSET, "+12125550100"])
    rc.emu.advance("1m")
    done = rc.get(f"/batches/{batch['id']}").json()
    assert (done["status"], done["batchSize"], done["processedCount"]) == ("Completed", 2, 2)
    assert done["cost"] == 0.007
    statuses = rc.get("/statuses", params={"batchId": batch["id"]}).json()
    assert statuses["sendingFailed"] == {
        "count": 1,
        "cost": 0.0,
        "errorCodeCounts": {"SMS-RC-413": 1},
    }


@pytest.mark.parametrize(
    "word",
    [
        "\u017ftop",
        "quit".replace("i", "\u0131"),
        "\ufb06op",
        "\uff33TOP",
        "\u3000STOP",  # an ideographic space: not the "surrounding spaces" ignored
        "STOP\u00a0",
    ],
)
def test_non_ascii_look_alikes_are_no_keywords(rc: RC, word: str) -> None:
    """str.upper() turns "ſtop" (long s), "quıt" (dotless i) and "ﬆop" (ligature) into
    STOP/QUIT: they opted the pair out, though they are not the keywords RingCentral lists."""
    rc.emu.inbound("ringcentral", HANDSET, SENDER, word)
    rc.send([HANDSET])
    rc.emu.advance("1m")
    [record] = rc.messages(direction="Outbound")
    assert record["messageStatus"] == "Delivered"


@pytest.mark.parametrize("word", ["START", "subscribe", "Resume", "CONTINUE", " unstop"])
def test_every_opt_in_word_opts_the_pair_back_in(rc: RC, word: str) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    rc.emu.inbound("ringcentral", HANDSET, SENDER, word)
    rc.send([HANDSET])
    rc.emu.advance("1m")
    [record] = rc.messages(direction="Outbound")
    assert record["messageStatus"] == "Delivered"
    listed = rc.get("/opt-outs", params={"status": "optin"}).json()["records"]
    assert listed == [{"from": SENDER, "to": HANDSET, "status": "OptIn", "source": "Recipient"}]


def test_start_opts_back_in_and_other_senders_are_unaffected(rc: RC) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    other = {"from": "+16505550111", "text": "x", "messages": [{"to": [HANDSET]}]}
    rc.post("/batches", json=other)
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "start")
    rc.send([HANDSET])
    rc.emu.advance("1m")
    statuses = [r["messageStatus"] for r in rc.messages(direction="Outbound")]
    assert statuses == ["Delivered", "Delivered"]


def test_list_opt_outs_json_and_csv(rc: RC) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    rc.emu.inbound("ringcentral", "+12125550100", SENDER, "STOP")
    rc.emu.inbound("ringcentral", "+12125550100", SENDER, "START")
    response = rc.get("/opt-outs")
    assert response.status_code == 200
    body = response.json()
    check_schema("OptOutListResponse", body)
    assert body["records"] == [
        {"from": SENDER, "to": HANDSET, "status": "OptOut", "source": "Recipient"}
    ]
    everything = rc.get("/opt-outs", params={"status": "all"}).json()["records"]
    assert {r["status"] for r in everything} == {"OptOut", "OptIn"}
    assert rc.get("/opt-outs", params={"status": "optin"}).json()["records"][0]["to"] == (
        "+12125550100"
    )
    assert rc.get("/opt-outs", params={"from": "+19999999999"}).json()["records"] == []
    csv = rc.get("/opt-outs", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == [
        "from,to,status,source",
        f"{SENDER},{HANDSET},OptOut,Recipient",
    ]


@pytest.mark.parametrize("params", [{}, {"perPage": "2"}])
def test_csv_opt_outs_have_every_record_without_paging(rc: RC, params: dict[str, str]) -> None:
    numbers = [f"+1415555{i:04d}" for i in range(1001)]  # one more than a JSON page holds
    assigned = rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": numbers})
    assert assigned.status_code == 200
    response = rc.get("/opt-outs", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = ["from,to,status,source"]
    rows += [f"{SENDER},{number},OptOut,Account" for number in reversed(numbers)]
    assert response.text == "\r\n".join(rows) + "\r\n"  # newest first, as the JSON list


@pytest.mark.parametrize(
    ("accept", "csv"),
    [
        ("text/csv", True),
        ("TEXT/CSV; charset=utf-8", True),
        ("application/json, text/csv", True),  # equal preference: the format asked for by name
        ("text/csv;q=0.9, */*;q=0.1", True),
        ("application/json, text/csv;q=0.1", False),
        ("text/csv;q=0", False),  # q=0: not acceptable
        ("*/*", False),
        ("", False),
    ],
)
def test_csv_is_chosen_by_the_accept_quality(rc: RC, accept: str, csv: bool) -> None:
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": [HANDSET]})
    response = rc.get("/opt-outs", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv" if csv else "application/json")


def test_bulk_assign(rc: RC) -> None:
    response = rc.post(
        "/opt-outs/bulk-assign",
        json={"from": SENDER, "optOuts": [HANDSET, "+4088070206"], "optIns": ["+12125550100"]},
    )
    assert response.status_code == 200
    body = response.json()
    check_schema("OptOutBulkAssignResponse", body)
    assert body["optOuts"] == {
        "successful": [HANDSET],
        "failed": [{"to": "+4088070206", "errorMessage": "The recipient number is invalid"}],
    }
    assert body["optIns"] == {"successful": ["+12125550100"], "failed": []}
    listed = rc.get("/opt-outs").json()["records"]
    assert listed == [{"from": SENDER, "to": HANDSET, "status": "OptOut", "source": "Account"}]
    rc.send([HANDSET])
    rc.emu.advance("1m")
    assert rc.messages()[0]["errorCode"] == "SMS-RC-413"


@pytest.mark.parametrize(
    ("body", "parameter"),
    [({"from": SENDER}, "optOuts"), ({"from": "x", "optOuts": [HANDSET]}, "from")],
)
def test_bulk_assign_validation(rc: RC, body: dict, parameter: str) -> None:
    response = rc.post("/opt-outs/bulk-assign", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameterName"] == parameter


@pytest.mark.sms_scenario({"rules": [{"when": {"to": "*99"}, "outcome": "opted_out"}]})
def test_scenario_opted_out_outcome(rc: RC) -> None:
    rc.send(["+14155550199"])
    rc.emu.advance("1m")
    record = rc.messages()[0]
    assert (record["messageStatus"], record["errorCode"]) == ("SendingFailed", "SMS-RC-413")
    # a per-message outcome, as documented: no consent record appears for it
    assert rc.get("/opt-outs").json()["records"] == []


def _outcomes(rc: RC) -> dict[str, str]:
    """Recipient -> status of the outbound messages, after they had time to finish."""
    rc.emu.advance("1m")
    return {r["to"][0]: r["messageStatus"] for r in rc.messages(direction="Outbound")}


def test_opt_outs_of_other_senders_and_opt_ins_do_not_block(rc: RC) -> None:
    others = [f"+1212555{i:04d}" for i in range(50)]
    assigned = rc.post("/opt-outs/bulk-assign", json={"from": "+16505550111", "optOuts": others})
    assert assigned.status_code == 200
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": [HANDSET, others[0]]})
    rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optIns": [others[0]]})
    rc.send([HANDSET, others[0], others[1]])
    assert _outcomes(rc) == {
        HANDSET: "SendingFailed",
        others[0]: "Delivered",
        others[1]: "Delivered",
    }


def test_opt_outs_are_forgotten_after_a_reset(rc: RC) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    rc.send([HANDSET])
    assert _outcomes(rc) == {HANDSET: "SendingFailed"}
    rc.emu.reset()
    rc.relogin()  # the reset forgot the access token too
    rc.send([HANDSET])
    assert _outcomes(rc) == {HANDSET: "Delivered"}


def test_opt_outs_still_block_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "rc.db"
    first = RC(Emulator(db=db))
    first.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    first.send(["+12125550100"])  # the index exists before the restart
    first.emu.close()
    again = RC(Emulator(db=db))
    again.send([HANDSET, "+12125550101"])
    assert _outcomes(again) == {
        "+12125550100": "Delivered",
        HANDSET: "SendingFailed",
        "+12125550101": "Delivered",
    }
    again.emu.close()


def test_a_batch_does_not_read_every_opt_out_record(rc: RC) -> None:
    numbers = [f"+1212555{i:04d}" for i in range(200)]
    rc.post("/opt-outs/bulk-assign", json={"from": "+16505550111", "optOuts": numbers})
    rc.send([HANDSET])
    store = rc.emu.store
    reads: list[str] = []
    state_items = store.state_items

    def counted(namespace: str) -> list[Any]:
        reads.append(namespace)
        return state_items(namespace)

    store.state_items = counted  # type: ignore[method-assign]
    rc.send([HANDSET, numbers[0]])
    assert reads == []


def test_a_reset_during_an_opt_out_leaves_no_stale_block(rc: RC) -> None:
    """An opt-out recorded while ``emu.reset()`` runs: either both go or neither stays."""
    store = rc.emu.store
    rc.send(["+12125550100"])  # the opt-out index exists
    entered, go = Event(), Event()
    put_state = store.put_state

    def paused(namespace: str, key: str, value: Any) -> None:
        put_state(namespace, key, value)
        if namespace == "ringcentral.optout" and not entered.is_set():
            entered.set()  # the record is written, the index not yet
            assert go.wait(5)

    store.put_state = paused  # type: ignore[method-assign]
    stop = Thread(target=rc.emu.inbound, args=("ringcentral", HANDSET, SENDER, "STOP"))
    stop.start()
    assert entered.wait(5)
    reset = Thread(target=rc.emu.reset)
    reset.start()
    reset.join(0.3)
    assert reset.is_alive()  # the reset waits for the opt-out to be recorded whole
    go.set()
    stop.join(5)
    reset.join(5)
    del store.put_state
    rc.relogin()
    assert rc.get("/opt-outs").json()["records"] == []
    rc.send([HANDSET])
    assert _outcomes(rc) == {HANDSET: "Delivered"}


def test_a_bulk_assign_that_fails_to_save_blocks_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its records are not saved, so neither this process (the opt-out index) nor a
    restarted one blocks any of its numbers."""
    db = tmp_path / "rc.db"
    rc = RC(Emulator(db=db))
    rc.send(["+12125550100"])  # the index exists before the failed request
    numbers = [HANDSET, "+14155550101", "+14155550102"]

    def disk_full(key: str, value: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(rc.emu.store, "put_meta", disk_full)  # the ids, saved last
    response = rc.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": numbers})
    assert response.status_code == 500
    monkeypatch.undo()
    assert rc.get("/opt-outs").json()["records"] == []
    rc.send(numbers)
    assert set(_outcomes(rc).values()) == {"Delivered"}
    rc.emu.close()


def test_a_bulk_assign_cut_short_keeps_none_of_its_numbers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    process_death: type[BaseException],
    died: Callable[[Emulator], None],
) -> None:
    db = tmp_path / "rc.db"
    first = RC(Emulator(db=db))
    put_state = first.emu.store.put_state
    written: list[str] = []

    def dies_on_the_second(namespace: str, key: str, value: object) -> None:
        if namespace == "ringcentral.optout":
            written.append(key)
            if len(written) == 2:
                raise process_death
        put_state(namespace, key, value)

    monkeypatch.setattr(first.emu.store, "put_state", dies_on_the_second)
    numbers = [HANDSET, "+14155550101", "+14155550102"]
    with pytest.raises(process_death):
        first.post("/opt-outs/bulk-assign", json={"from": SENDER, "optOuts": numbers})
    monkeypatch.undo()
    died(first.emu)
    again = RC(Emulator(db=db))
    assert again.get("/opt-outs").json()["records"] == []
    again.emu.close()


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("value", ["garbage", "+1415", "STOP", "+44 7700 900"])
@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_an_opt_out_filter_that_is_no_number_is_400(
    rc: RC, name: str, value: str, accept: str
) -> None:
    """``from``/``to`` are E.164 numbers (``from`` may be ``*``): a value that is not one
    is ``400 CMN-101 Parameter [<name>] value is invalid.``, not an empty list."""
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    response = rc.get("/opt-outs", params={name: value}, headers={"Accept": accept})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["errors"][0]
    assert (error["errorCode"], error["parameterName"]) == ("CMN-101", name)


@pytest.mark.parametrize(
    "query", ["from=*", "from=", "to=", "from=16505550100", "from=%2B16505550100&to=14155550100"]
)
def test_opt_out_filters_take_any_spelling_of_a_number_and_star(rc: RC, query: str) -> None:
    rc.emu.inbound("ringcentral", HANDSET, SENDER, "STOP")
    response = rc.get(f"/opt-outs?{query}")
    assert response.status_code == 200, response.text
    assert [r["to"] for r in response.json()["records"]] == [HANDSET]
