"""Per-provider properties: segment and cost totals, and statuses seen over time."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.core.segments import analyze
from emulator.testing.helpers import InProcessEmulator
from emulator.testing.invariants import (
    check_status_counts,
    check_statuses_forward,
    check_totals,
)
from emulator.testing.strategies import (
    e164_numbers,
    kenyan_msisdns,
    scenarios,
    sendbulk_bulk_bodies,
    sms_texts,
)

from ._api import FD_AUTH, FD_PROPERTY, RC_API, SINCE, ringcentral_headers, ringcentral_pages

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STEPS = st.lists(st.sampled_from([0.5, 1, 2, 3, 10]), min_size=1, max_size=6)


@FEW
@given(
    sender=e164_numbers(),
    items=st.lists(st.tuples(e164_numbers(), sms_texts()), min_size=1, max_size=5),
    scenario=scenarios(providers=["ringcentral"], outcomes=["delivered", "undeliverable"]),
)
def test_ringcentral_segments_and_costs_add_up(
    sender: str, items: list[tuple[str, str]], scenario: dict[str, Any]
) -> None:
    emu = Emulator(scenario=scenario)
    client = emu.client()
    headers = ringcentral_headers(client)
    body = {"from": sender, "messages": [{"to": [to], "text": text} for to, text in items]}
    batch = client.post(f"{RC_API}/batches", headers=headers, json=body).json()
    emu.advance("4h")  # past the slowest generated timing
    headers = ringcentral_headers(client)  # the old token has expired, as it would
    done = client.get(f"{RC_API}/batches/{batch['id']}", headers=headers).json()
    assert done["status"] == "Completed"
    listed = [
        m
        for page in ringcentral_pages(client, headers, 1000, batchId=batch["id"], view="Detailed")
        for m in page
    ]
    segments = sum(analyze(text).segments for _, text in items)
    check_totals(listed, segments=segments, cost=done["cost"], cost_per_segment=0.007)
    summary = client.get(
        f"{RC_API}/statuses", headers=headers, params={"batchId": batch["id"], "dateFrom": SINCE}
    ).json()
    check_status_counts(summary, listed)


@FEW
@given(
    to=e164_numbers(country_codes=["61", "64"]),
    text=sms_texts(),
    steps=STEPS,
    scenario=scenarios(providers=["fonedynamics"]),
)
def test_fonedynamics_statuses_move_forward_and_segments_match(
    to: str, text: str, steps: list[float], scenario: dict[str, Any]
) -> None:
    emu = Emulator(scenario=scenario)
    client = emu.client()
    sent = client.post(
        f"/v2/Properties/{FD_PROPERTY}/Messages",
        headers=FD_AUTH,
        json={"From": "+61400000000", "To": to, "Text": text},
    )
    if sent.status_code != 200:  # the scenario refused the number: said so in its shape
        assert sent.json()["ResponseStatus"]["ErrorCode"]
        return
    sid = sent.json()["Message"]["MessageSid"]
    snapshots = []
    for step in steps:
        emu.advance(seconds=step)
        message = client.get(f"/v2/Messages/{sid}", headers=FD_AUTH).json()["Message"]
        snapshots.append({sid: message["Status"]})
        check_totals([message])
    check_statuses_forward(snapshots)


@FEW
@given(body=sendbulk_bulk_bodies(bad_items=True, max_messages=6), steps=STEPS)
def test_sendbulk_charges_segments_and_reports_move_forward(
    body: dict[str, Any], steps: list[float]
) -> None:
    emu = Emulator()
    client = emu.client()
    credentials = {k: body["smslist"][0][k] for k in ("partnerID", "apikey")}
    before = float(client.post("/api/services/getbalance", json=credentials).json()["credit"])
    rows = client.post("/api/services/sendbulk", json=body).json()["responses"]
    after = float(client.post("/api/services/getbalance", json=credentials).json()["credit"])
    accepted = [
        (row, item)
        for row, item in zip(rows, body["smslist"], strict=True)
        if row["response-code"] == 200
    ]
    assert before - after == sum(analyze(item["message"]).segments for _, item in accepted)
    snapshots = []
    for step in steps:
        emu.advance(seconds=step)
        snapshot = {}
        for row, _ in accepted:
            report = client.post(
                "/api/services/getdlr", json={**credentials, "messageID": row["messageid"]}
            ).json()
            snapshot[row["messageid"]] = report["delivery-description"]
        snapshots.append(snapshot)
    check_statuses_forward(snapshots)


@FEW
@given(mobile=kenyan_msisdns(), text=st.sampled_from(["Your code is 482913", "PIN 1234 ok"]))
def test_last_code_finds_the_code_a_client_sent(mobile: str, text: str) -> None:
    emu = InProcessEmulator()
    client = emu.client()
    rows = client.post(
        "/api/services/sendotp",
        json={
            "partnerID": "1",
            "apikey": "k",
            "shortcode": "SHOP",
            "mobile": mobile,
            "message": text,
        },
    ).json()["responses"]
    assert rows[0]["response-code"] == 200
    assert emu.last_code(mobile) == ("482913" if "482913" in text else "1234")
