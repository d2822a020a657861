"""Opt-outs: STOP/START keywords, SMS-RC-413, GET opt-outs (JSON, CSV), bulk-assign."""

from __future__ import annotations

import pytest

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
