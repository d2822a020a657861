"""Rules that decide only the Nth messages they match (``messages``/``every``/``first``),
through each provider's real endpoints: "the 3rd message to this number fails"."""

from __future__ import annotations

import httpx

from emulator import Emulator

from ._drivers import Driver


def e164(number: str) -> str:
    return number if number.startswith("+") else "+" + number


def test_the_third_message_to_one_number_fails_the_others_are_delivered(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    target, other = driver.number(7), driver.number(8)
    sms_emulator.load_scenario(
        {"rules": [{"when": {"to": e164(target)}, "messages": [3], "outcome": "undeliverable"}]}
    )
    sent = [driver.send(client, [target, other])[0] for _ in range(4)]  # one request each
    sms_emulator.advance("1m")
    driver.setup(client)
    got = [driver.status(client, s)[0] for s in sent]
    assert got[:2] + got[3:] == [driver.delivered] * 3
    assert got[2] not in (driver.delivered, driver.queued, driver.sent)  # the carrier's failure


def test_the_second_item_of_a_batch_is_refused_with_its_one_based_place(
    sms_emulator: Emulator, driver: Driver, client: httpx.Client
) -> None:
    sms_emulator.load_scenario({"rules": [{"messages": [2], "outcome": "invalid_number"}]})
    numbers = [driver.number(i) for i in (1, 2, 3)]
    sent = driver.send(client, numbers)
    assert [s.id is not None for s in sent] == [True, False, True]
    assert sent[1].code is not None
    again = driver.send(client, numbers)  # counting goes on: the 4th-6th messages
    assert all(s.id for s in again)
    sms_emulator.reset()  # counts start again, as fault counts do
    driver.setup(client)
    assert [s.id is not None for s in driver.send(client, numbers)] == [True, False, True]
