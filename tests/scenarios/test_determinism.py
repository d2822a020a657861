"""Same scenario + seed + requests → same outcomes, ids, timestamps and bytes.

Sequential use must be byte-identical between two fresh emulators; sending
the same messages concurrently and in another order must give each
recipient the same fate.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from emulator import Emulator

from ._drivers import DRIVERS, RC_A2P, Driver

SCENARIO = "mixed-delivery"  # weighted outcomes and timing jitter: the hard case


def conversation(emu: Emulator, driver: Driver) -> list[tuple[int, list, bytes]]:
    """A fixed request sequence; every response as (status, headers, body)."""
    seen: list[tuple[int, list, bytes]] = []

    def keep(response: httpx.Response) -> None:
        seen.append(
            (response.status_code, sorted(response.headers.multi_items()), response.content)
        )

    with emu.client(event_hooks={"response": [lambda r: (r.read(), keep(r))]}) as client:
        driver.setup(client)
        sent = driver.send(client, [driver.number(i) for i in range(30)], text="Your code is 1234")
        sent += driver.send(client, [driver.number(i) for i in range(5)], text="Résumé ✓")
        for duration in ("1s", "2s", "3s", "10s"):
            emu.advance(duration)
            for message in sent[::3]:
                driver.status(client, message)
        driver.ping(client)
    return seen


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
def test_sequential_runs_are_byte_identical(driver: Driver) -> None:
    first = conversation(Emulator(SCENARIO), driver)
    second = conversation(Emulator(SCENARIO), driver)
    assert len(first) > 40
    assert first == second


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
def test_neutral_records_are_identical_too(driver: Driver) -> None:
    records = []
    for _ in range(2):
        emu = Emulator(SCENARIO)
        conversation(emu, driver)
        records.append(emu.messages(provider=driver.name))
    assert records[0] == records[1]
    assert len({r["status"] for r in records[0]}) > 1  # the mix really is mixed


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
def test_a_different_seed_changes_the_fates(driver: Driver) -> None:
    fates = []
    for seed in (1, 2):
        emu = Emulator(SCENARIO, seed=seed)
        with emu.client() as client:
            driver.setup(client)
            driver.send(client, [driver.number(i) for i in range(60)])
        emu.advance("1m")
        fates.append([m["status"] for m in emu.messages(provider=driver.name)])
    assert fates[0] != fates[1]


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
def test_concurrent_sends_in_another_order_give_each_recipient_the_same_fate(
    driver: Driver,
) -> None:
    numbers = [driver.number(i) for i in range(40)]

    def fates(order: list[str], threads: int) -> dict[str, str]:
        emu = Emulator(SCENARIO)
        with emu.client() as client:
            driver.setup(client)
            with ThreadPoolExecutor(max_workers=threads) as pool:
                sent = list(pool.map(lambda n: driver.send(client, [n])[0], order))
            emu.advance("1m")
            driver.setup(client)
            return {s.to: driver.status(client, s)[0] for s in sent}

    shuffled = numbers[:]
    random.Random(7).shuffle(shuffled)
    in_order = fates(numbers, threads=1)
    assert len(set(in_order.values())) > 1
    assert fates(shuffled, threads=8) == in_order


def test_a_batch_refused_whole_does_not_move_the_fates_of_its_corrected_retry() -> None:
    """Its first 40 items were decided before the 41st's text was found too long: a
    request refused as a whole sent no message, so it counts no occurrence."""
    numbers = [f"+1415555{i:04d}" for i in range(40)]
    valid = {"from": "+16505550100", "text": "Hello", "messages": [{"to": [n]} for n in numbers]}
    bad_item = {"to": ["+14155559999"], "text": "x" * 1001}

    def fates(refused_first: bool) -> dict[str, str]:
        emu = Emulator({"rules": [{"outcome": {"delivered": 0.5, "undeliverable": 0.5}}]})
        with emu.client() as client:
            login = {"grant_type": "password", "username": "u", "password": "p"}
            token = client.post("/restapi/oauth/token", auth=("a", "b"), data=login).json()
            client.headers["Authorization"] = f"Bearer {token['access_token']}"
            if refused_first:
                bad = {**valid, "messages": valid["messages"] + [bad_item]}
                assert client.post(f"{RC_A2P}/batches", json=bad).status_code == 400
            assert client.post(f"{RC_A2P}/batches", json=valid).status_code == 201
        emu.advance("1h")
        return {m["to"]: m["status"] for m in emu.messages()}

    alone = fates(refused_first=False)
    assert set(alone.values()) == {"delivered", "failed"}
    assert fates(refused_first=True) == alone


WEIGHTED = {"seed": 5, "rules": [{"outcome": {"delivered": 0.5, "undeliverable": 0.5}}]}


def test_a_fonedynamics_send_refused_for_its_lease_does_not_move_later_fates() -> None:
    """The 6th concurrent lease to one recipient is refused (403 LEASE_LIMIT_REACHED)
    after the message's fate was drawn: it sent no message, so it counts no
    occurrence, and the same message sent again gets the fates it would have had."""

    def fates(refused: int) -> list[str]:
        emu = Emulator(WEIGHTED)
        with emu.client() as client:
            client.auth = ("AC1", "tok")
            url = "/v2/Properties/P1/Messages"
            for i in range(5):  # five leases, each with its own options
                hook = f"http://127.0.0.1:9/{i}"
                body = {"To": "+61412345001", "Text": "same", "WebhookUri": hook}
                assert client.post(url, json=body).status_code == 200
            for _ in range(refused):
                body = {"To": "+61412345001", "Text": "same", "WebhookUri": "http://127.0.0.1:9/x"}
                refusal = client.post(url, json=body)
                assert refusal.status_code == 403
                assert refusal.json()["ResponseStatus"]["ErrorCode"] == "LEASE_LIMIT_REACHED"
            fixed = {"To": "+61412345001", "Text": "same", "From": "+61412345678"}
            sids = [client.post(url, json=fixed).json()["Message"]["MessageSid"] for _ in range(8)]
            emu.advance("1h")
            return [client.get(f"/v2/Messages/{sid}").json()["Message"]["Status"] for sid in sids]

    alone = fates(refused=0)
    assert set(alone) == {"Delivered", "Failed"}
    assert fates(refused=3) == alone


def test_a_sendbulk_row_refused_for_credit_does_not_move_later_fates() -> None:
    """A row refused with 1004 (too few units) was never sent: after a top-up the same
    message gets the fates it would have had without the refused tries."""

    def fates(refused: int) -> list[str]:
        account = {"partnerID": "1", "apikey": "k", "balance": 0 if refused else 100}
        emu = Emulator({**WEIGHTED, "accounts": {"sendbulk": [account]}})
        body = {
            "partnerID": "1",
            "apikey": "k",
            "mobile": "254712345671",
            "message": "same",
            "shortcode": "SHOP",
        }
        with emu.client() as client:
            for _ in range(refused):
                (row,) = client.post("/api/services/sendsms", json=body).json()["responses"]
                assert row["response-code"] == 1004
            if refused:
                top_up = {"partnerID": "1", "apikey": "k", "childID": "1", "amount": 100}
                assert client.post("/api/services/credit", json=top_up).status_code == 200
            ids = []
            for _ in range(8):
                (row,) = client.post("/api/services/sendsms", json=body).json()["responses"]
                ids.append(row["messageid"])
            emu.advance("1h")
            return [
                client.post(
                    "/api/services/getdlr", json={"partnerID": "1", "apikey": "k", "messageID": i}
                ).json()["delivery-description"]
                for i in ids
            ]

    alone = fates(refused=0)
    assert set(alone) == {"DeliveredToTerminal", "AbsentSubscriber"}
    assert fates(refused=3) == alone


def fail_once(monkeypatch: pytest.MonkeyPatch, emu: Emulator, method: str) -> None:
    """The emulator's ``method`` (a store write) fails once, as on a full disk."""
    stored = getattr(emu, method)

    def full_disk(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(emu, method, stored)
        raise OSError("database or disk is full")

    monkeypatch.setattr(emu, method, full_disk)


@pytest.mark.parametrize("provider", ["fonedynamics", "sendbulk"])
def test_a_request_failing_after_its_draws_gives_them_back(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose storing fails (a full disk under --db) sent no message: its draws
    are not used up, and the retry gets the fates the batch alone would have had."""
    numbers = [f"25471234{i:04d}" for i in range(20)]
    if provider == "fonedynamics":
        path, auth = "/v2/Properties/P1/BatchMessages", ("AC1", "tok")
        body: dict = {
            "Messages": [{"To": f"+{n}", "From": "+61412345678", "Text": "t"} for n in numbers]
        }
    else:
        path, auth = "/api/services/sendbulk", None
        item = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "t"}
        body = {"count": 20, "smslist": [{**item, "mobile": n} for n in numbers]}

    def fates(failed_first: bool) -> list[str]:
        emu = Emulator(WEIGHTED)
        with emu.client() as client:
            if auth:
                client.auth = auth
            if failed_first:
                fail_once(monkeypatch, emu, "add_batch")
                failed = client.post(path, json=body)
                if provider == "fonedynamics":
                    assert failed.status_code == 500
                else:  # the gateway's own "Failed. System error", at HTTP 200
                    assert failed.json()["response-code"] == 1007
            assert client.post(path, json=body).status_code == 200
        emu.advance("1h")
        return [m["status"] for m in emu.messages(provider=provider)]

    alone = fates(failed_first=False)
    assert set(alone) == {"delivered", "failed"}
    assert fates(failed_first=True) == alone


def test_a_reply_failing_to_be_saved_gives_back_its_forwarded_copys_draw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Fone Dynamics reply forwarded by SMS draws the copy's fate; a store failure
    saving it (a full disk under --db) sent nothing, so the draw is not used up."""

    def fates(failed_first: bool) -> list[str]:
        emu = Emulator(WEIGHTED)
        with emu.client() as client:
            client.auth = ("AC1", "tok")
            leased = client.post(
                "/v2/Properties/P1/Messages",
                json={
                    "From": "",
                    "To": "+61488023555",
                    "Text": "Reply",
                    "ForwardToSms": "+61499333222",
                },
            ).json()["Message"]["From"]
        emu.advance("10s")
        if failed_first:
            fail_once(monkeypatch, emu, "add_messages")
            with pytest.raises(OSError):
                emu.inbound("fonedynamics", "+61488023555", leased, "YES")
        for _ in range(12):
            emu.inbound("fonedynamics", "+61488023555", leased, "YES")
        emu.advance("1h")
        return [m["status"] for m in emu.messages(provider="fonedynamics", to="+61499333222")]

    alone = fates(failed_first=False)
    assert set(alone) == {"delivered", "failed"}
    assert fates(failed_first=True) == alone
