"""Each shipped scenario does what its header promises, for every provider.

The scenario is chosen with the ``sms_scenario`` marker; messages go in and
statuses come out through each provider's own endpoints (see _drivers.py).
"""

from __future__ import annotations

import math
from collections import Counter

import httpx
import pytest

from emulator import Emulator

from ._drivers import SB, SB_CREDS, Driver

scenario = pytest.mark.sms_scenario


def advance(emu: Emulator, driver: Driver, client: httpx.Client, duration: str) -> None:
    """Advance the clock, then log in again (a RingCentral token lasts an hour)."""
    emu.advance(duration)
    driver.setup(client)


def statuses(driver: Driver, client: httpx.Client, sent) -> list[tuple[str, str | None]]:
    return [driver.status(client, s) for s in sent]


@scenario("happy-path")
def test_happy_path(sms_emulator: Emulator, driver: Driver, client: httpx.Client) -> None:
    sent = driver.send(client, [driver.number(1), driver.number(2)])
    assert all(s.id for s in sent)
    assert {driver.status(client, s)[0] for s in sent} == {driver.queued}
    sms_emulator.advance("2s")  # the batch has left the queue; 1s to the carrier
    sms_emulator.advance("1s")
    assert {driver.status(client, s)[0] for s in sent} == {driver.sent}
    sms_emulator.advance("5s")
    assert statuses(driver, client, sent) == [(driver.delivered, None)] * 2


@scenario("mixed-delivery")
def test_mixed_delivery_converges_to_its_ratios(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    n = 400
    sent = driver.send(client, [driver.number(i) for i in range(n)])
    advance(sms_emulator, driver, client, "1h")
    neutral = Counter(m["status"] for m in sms_emulator.messages(provider=driver.name))
    # delivered 85%, failed (undeliverable + send_failed) 11%, never confirmed 4%
    for status, share in (("delivered", 0.85), ("failed", 0.11), ("sent", 0.04)):
        tolerance = 5 * math.sqrt(share * (1 - share) / n)
        assert abs(neutral[status] / n - share) <= tolerance, neutral
    words = Counter(driver.status(client, s)[0] for s in sent)
    assert words[driver.delivered] == neutral["delivered"]
    assert words[driver.sent] == neutral["sent"]


@scenario("invalid-numbers")
def test_invalid_numbers_are_refused_at_submit(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    bad, good = driver.number(5, "000"), driver.number(5, "123")
    refused, accepted = driver.send(client, [bad, good])
    assert refused.id is None
    assert (
        refused.code
        == {
            "ringcentral": "SMS-RC-410",
            "fonedynamics": "INVALID_PHONENUMBER_FORMAT",
            "sendbulk": 1003,
        }[driver.name]
    )
    assert accepted.id is not None
    sms_emulator.advance("1m")
    assert driver.status(client, accepted) == (driver.delivered, None)


@scenario("carrier-failures")
def test_carrier_failures_by_last_digit(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    odd, two, four = driver.send(
        client, [driver.number(7, "1"), driver.number(7, "2"), driver.number(7, "4")]
    )
    assert odd.id and two.id and four.id  # all accepted
    sms_emulator.advance("4s")  # dispatched and sent, not yet reported
    assert driver.status(client, odd)[0] == driver.sent
    advance(sms_emulator, driver, client, "1h")
    expected = {
        "ringcentral": [
            ("DeliveryFailed", "SMS-CAR-411"),  # the scenario's code for RingCentral
            ("SendingFailed", "SMS-UP-500"),
            ("Delivered", None),
        ],
        "fonedynamics": [
            ("Failed", "DELIVERY_FAILED"),
            ("Failed", "SUBMISSION_FAILED"),
            ("Delivered", None),
        ],
        "sendbulk": [
            ("AbsentSubscriber", None),
            ("DeliveryImpossible", None),
            ("DeliveredToTerminal", None),
        ],
    }[driver.name]
    assert statuses(driver, client, [odd, two, four]) == expected


@scenario("no-receipts")
def test_no_receipt_ever_arrives(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    sent = driver.send(client, [driver.number(3), driver.number(4)])
    advance(sms_emulator, driver, client, "2d")
    assert statuses(driver, client, sent) == [(driver.sent, None)] * 2
    assert {m["status"] for m in sms_emulator.messages(provider=driver.name)} == {"sent"}


@scenario("slow-processing")
def test_slow_processing_takes_its_time_but_delivers(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    sent = driver.send(client, [driver.number(i) for i in range(4)])
    sms_emulator.advance("4m")
    assert {driver.status(client, s)[0] for s in sent} == {driver.queued}
    sms_emulator.advance("30m")
    assert driver.delivered not in {driver.status(client, s)[0] for s in sent}
    advance(sms_emulator, driver, client, "1h")
    assert statuses(driver, client, sent) == [(driver.delivered, None)] * 4


@scenario("rate-limited")
def test_rate_limited_answers_429_in_the_providers_format(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    answers = [driver.ping(client) for _ in range(6)]
    assert [r.status_code for r in answers[:5]] == [200] * 5
    driver.check_error(answers[5], 429)
    if driver.name == "ringcentral":
        assert answers[5].headers["retry-after"] == "60"  # the penalty
        sms_emulator.advance("59s")
        assert driver.ping(client).status_code == 429  # restarts the penalty
    sms_emulator.advance("60s")
    assert driver.ping(client).status_code == 200


@scenario("rate-limited")
def test_ringcentral_auth_group_has_its_own_bucket(sms_emulator: Emulator) -> None:
    with sms_emulator.client() as client:
        form = {"grant_type": "password", "username": "u", "password": "p"}
        answers = [
            client.post("/restapi/oauth/token", data=form, auth=("id", "secret")) for _ in range(4)
        ]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[3].headers["x-rate-limit-group"] == "auth"
    assert int(answers[3].headers["retry-after"]) >= 1


@scenario("flaky-network")
def test_flaky_network_503s_and_drops_by_count(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    outcomes = {}
    for call in range(driver.setup_calls + 1, 16):
        try:
            response = driver.ping(client)
        except httpx.RemoteProtocolError:
            outcomes[call] = "dropped"
            continue
        if response.status_code == 503:
            driver.check_error(response, 503)
            outcomes[call] = "503"
        else:
            assert response.status_code == 200, response.text
            outcomes[call] = "ok"
    expected = {
        call: "dropped" if call % 5 == 0 else "503" if call % 3 == 0 else "ok" for call in outcomes
    }
    assert outcomes == expected
    journal = sms_emulator.journal.entries(provider=driver.name)
    assert sum(e["error"] == "connection dropped" for e in journal) == 3


@scenario("flaky-network")
def test_flaky_network_really_drops_the_socket_on_a_live_server(sms_emulator_server) -> None:
    url = f"{sms_emulator_server.url}{SB}/getbalance"
    answers = []
    with httpx.Client() as client:
        for _ in range(5):
            try:
                answers.append(client.post(url, json=SB_CREDS).status_code)
            except httpx.RemoteProtocolError:
                answers.append("dropped")
    assert answers == [200, 200, 503, 200, "dropped"]


@scenario("insufficient-balance")
def test_insufficient_balance(sms_emulator: Emulator, driver: Driver, client: httpx.Client) -> None:
    numbers = [driver.number(i) for i in range(4)]
    if driver.name == "sendbulk":
        balance = client.post(f"{SB}/getbalance", json=SB_CREDS).json()
        assert float(balance["credit"]) == 3
        sent = driver.send(client, numbers)
        assert [s.code for s in sent] == [None, None, None, 1004]
        assert float(client.post(f"{SB}/getbalance", json=SB_CREDS).json()["credit"]) == 0
        stranger = client.post(f"{SB}/getbalance", json={"partnerID": "9", "apikey": "x"})
        assert stranger.json()["response-code"] == 1006
        sms_emulator.advance("1m")
        assert driver.status(client, sent[0])[0] == driver.delivered
        return
    sent = driver.send(client, numbers)
    assert all(s.id for s in sent)  # accepted...
    sms_emulator.advance("1m")  # ...then failed without being sent
    expected = {
        "ringcentral": ("SendingFailed", "SMS-UP-500"),
        "fonedynamics": ("Failed", "SUBMISSION_FAILED"),
    }[driver.name]
    assert statuses(driver, client, sent) == [expected] * 4


@scenario("opt-outs")
def test_opted_out_recipients_fail(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    stop, fine = driver.send(client, [driver.number(8, "99"), driver.number(8, "98")])
    sms_emulator.advance("1m")
    expected = {
        "ringcentral": ("SendingFailed", "SMS-RC-413"),
        "fonedynamics": ("Failed", "RECIPIENT_OPTED_OUT"),
        "sendbulk": ("SenderName Blacklisted", None),
    }[driver.name]
    assert driver.status(client, stop) == expected
    assert driver.status(client, fine) == (driver.delivered, None)
