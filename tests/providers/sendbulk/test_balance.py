"""getbalance and credit: per-partner units that sending uses up, one per segment."""

from __future__ import annotations

import threading

import pytest

from emulator import Emulator
from emulator.providers.base import DropConnection
from emulator.providers.sendbulk import routes

from ._helpers import APIKEY, BASE, PARTNER, balance, body, bulk, bulk_item, creds, get, post, send

ACCOUNTS = {
    "accounts": {
        "sendbulk": [
            {"partnerID": PARTNER, "apikey": APIKEY, "balance": 3, "shortcodes": ["SHOP"]},
            {"partnerID": "5678", "apikey": "child-key", "username": "shop-child", "balance": 1},
        ]
    }
}


def test_getbalance_shape(client):
    data = body(post(client, "getbalance", {"apikey": APIKEY, "partnerID": PARTNER}))
    assert data == {"response-code": 200, "credit": "10000.00", "partner-id": PARTNER}
    assert list(data) == ["response-code", "credit", "partner-id"]


@pytest.mark.parametrize("path", ["/getbalance", "/getbalance/"])
def test_getbalance_by_get_and_numeric_partner_id(client, path):
    response = client.get(BASE + path, params={"apikey": APIKEY, "partnerID": 1234})
    assert body(response)["partner-id"] == "1234"


def test_sending_uses_one_unit_per_segment(client):
    send(client, "254712345678", message="short")
    assert balance(client) == "9999.00"
    send(client, "254712345678", message="x" * 161)  # two GSM-7 segments
    assert balance(client) == "9997.00"
    send(client, "254712345678", message="ü" * 10 + "€" + "ж")  # UCS-2, one segment
    assert balance(client) == "9996.00"


def test_refused_items_are_not_charged(client):
    post(client, "sendbulk", bulk([bulk_item("123"), bulk_item("+447700900123")]))
    assert balance(client) == "10000.00"


def test_exhausted_balance_refuses_items_with_1004(client, emu):
    emu.load_scenario(ACCOUNTS)
    items = [bulk_item(f"25471234567{i}", clientsmsid=i) for i in range(5)]
    items[1]["message"] = "y" * 200  # two segments
    rows = body(post(client, "sendbulk", bulk(items)))["responses"]
    assert [r["response-code"] for r in rows] == [200, 200, 1004, 1004, 1004]
    assert rows[2] == {
        "response-code": 1004,
        "response-description": (
            "Low credit units to send message, Current balance 0.00, Required 1"
        ),
        "mobile": "254712345672",
        "clientsmsid": 2,
    }
    assert balance(client) == "0.00"
    assert send(client, "254712345678")["response-code"] == 1004


def test_a_low_credit_row_names_the_balance_and_the_units_needed(client, emu):
    # Live rows (Advanta, WaveSMS): "Low credit units to send message, Current
    # balance 0.00, Required 1", not the code table's "Low bulk credits".
    emu.load_scenario(ACCOUNTS)
    numbers = "254712345670,254712345671"
    rows = body(post(client, "sendsms", creds(mobile=numbers, message="z" * 400)))
    assert [r["response-description"] for r in rows["responses"]] == [
        "Success",
        "Low credit units to send message, Current balance 0.00, Required 3",
    ]
    row = send(client, "254712345678", message="z" * 200)
    assert row["response-description"] == (
        "Low credit units to send message, Current balance 0.00, Required 2"
    )
    # the admin API's record of a refused message says what its row said
    refused = [m for m in emu.messages(provider="sendbulk") if m["status"] == "rejected"]
    assert [m["provider_status"] for m in refused] == [
        "Low credit units to send message, Current balance 0.00, Required 3",
        "Low credit units to send message, Current balance 0.00, Required 2",
    ]


LOW_CREDIT = "Low credit units to send message, Current balance 0.00, Required 1"


@pytest.mark.parametrize("endpoint", ["sendsms", "sendotp"])
def test_a_sendsms_low_credit_row_shows_the_number_as_sent(client, emu, endpoint):
    # A live Advanta sendsms row (savannabits/advantasms README): {"response-code":1004,
    # "response-description":"Low credit units ...","mobile":"0708467001"}: the number
    # as the client sent it, a string, where an accepted row has 254... as a number.
    emu.load_scenario({"providers": {"sendbulk": {"default_balance": 1}}})
    rows = body(post(client, endpoint, creds(mobile="0708467001, 0712345679", message="m")))
    assert rows["responses"][0]["mobile"] == 254708467001
    assert rows["responses"][1] == {
        "response-code": 1004,
        "response-description": LOW_CREDIT,
        "mobile": "0712345679",
    }
    (row,) = body(post(client, endpoint, creds(mobile=254712345678, message="m")))["responses"]
    assert (row["response-code"], row["mobile"]) == (1004, "254712345678")
    (row,) = body(get(client, endpoint, creds(mobile="0708467001", message="m")))["responses"]
    assert row["mobile"] == "0708467001"


def test_a_long_message_needs_all_its_units(client, emu):
    emu.load_scenario(ACCOUNTS)
    assert send(client, "254712345678", message="z" * 500)["response-code"] == 1004  # 4 units
    assert balance(client) == "3.00"


def test_default_balance_option(client, emu):
    emu.load_scenario({"providers": {"sendbulk": {"default_balance": 1}}})
    assert balance(client) == "1.00"
    send(client, "254712345678")
    assert send(client, "254712345678")["response-code"] == 1004


def test_balances_are_per_partner(client):
    send(client, "254712345678")
    other = body(get(client, "getbalance", {"apikey": "x", "partnerID": "other"}))
    assert other["credit"] == "10000.00"


def test_credit_tops_up_a_child_account(client, emu):
    emu.load_scenario(ACCOUNTS)
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": "shop-child", "amount": "5"}
    data = body(post(client, "credit", payload))
    assert data == {
        "response-code": 200,
        "response-description": "Partner ID 5678 has been credited with 5 units",
        "prev-balance": "1.00",
        "sms-units": "5",
        "new-balance": "6.00",
    }
    child = body(post(client, "getbalance", {"apikey": "child-key", "partnerID": "5678"}))
    assert child["credit"] == "6.00"


def test_a_credit_a_reset_overtakes_after_its_checks_is_dropped_not_applied(
    client, emu, monkeypatch
):
    """Authorised in the state before a reset (another thread's, landing between the
    credit's checks and its write), it must not top up the fresh state: it is dropped,
    as a send is, and the child keeps the balance its scenario starts it with."""
    emu.load_scenario(ACCOUNTS)
    checked, resets = routes.authenticate, []

    def reset_after_the_checks(*args, **kwargs):
        account = checked(*args, **kwargs)
        if not resets:
            resets.append(threading.Thread(target=emu.reset))
            resets[0].start()
            resets[0].join()
        return account

    monkeypatch.setattr(routes, "authenticate", reset_after_the_checks)
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": "shop-child", "amount": "5"}
    with pytest.raises(DropConnection):  # what the server turns into a closed connection
        post(client, "credit", payload)
    assert resets
    child = body(post(client, "getbalance", {"apikey": "child-key", "partnerID": "5678"}))
    assert child["credit"] == "1.00"


def test_credit_by_partner_id_and_then_sending_works_again(client, emu):
    emu.load_scenario(ACCOUNTS)
    post(client, "sendbulk", bulk([bulk_item("254712345678", message="m" * 400)]))  # 3 units
    assert send(client, "254712345678")["response-code"] == 1004
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": PARTNER, "amount": 2.5}
    data = body(post(client, "credit/", payload))
    assert (data["sms-units"], data["new-balance"]) == ("2.50", "2.50")
    assert send(client, "254712345678")["response-code"] == 200


@pytest.mark.parametrize("child", ["nobody", ""])
def test_credit_to_an_unknown_child_is_1005(client, emu, child):
    emu.load_scenario(ACCOUNTS)
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": child, "amount": "5"}
    assert body(post(client, "credit", payload)) == {
        "response-code": 1005,
        "response-description": "The child acount is invalid. Kindly verify the details",
    }


@pytest.mark.parametrize(
    "amount",
    # Python's float() reads the last three; PHP's is_numeric takes ASCII digits only
    ["five", "0", -3, None, "0.001", 0.004, "1_0", "\uff11\uff10", "\u0661\u0660"],
)
def test_credit_with_a_bad_amount_is_1009(client, amount):
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": "c", "amount": amount}
    assert body(post(client, "credit", payload))["response-code"] == 1009


def test_credit_that_would_make_an_absurd_balance_is_1009(client):
    """Balances stay plain decimal strings ("545.00"), never "inf" or 300 digits."""
    payload = {"apikey": APIKEY, "partnerID": PARTNER, "childID": "c", "amount": "1e308"}
    for _ in range(2):
        data = body(post(client, "credit", payload))
        assert (data["response-code"], data["response-description"]) == (
            1009,
            "Unsupported data type",
        )
    reply = body(post(client, "getbalance", {"apikey": APIKEY, "partnerID": "c"}))
    assert reply["credit"] == "10000.00"


def test_credit_needs_valid_reseller_credentials(client, emu):
    emu.load_scenario(ACCOUNTS)
    payload = {"apikey": "wrong", "partnerID": PARTNER, "childID": "5678", "amount": "5"}
    assert body(post(client, "credit", payload))["response-code"] == 1006


def test_credit_by_get_is_unsupported(client):
    params = creds(childID="c", amount="5")
    assert body(get(client, "credit", params))["response-code"] == 1010


def test_balance_lives_in_a_sqlite_store_too(tmp_path):

    emu = Emulator(db=tmp_path / "state.db")
    with emu.client() as client:
        send(client, "254712345678", message="x" * 200)
        assert balance(client) == "9998.00"
    emu.close()
    again = Emulator(db=tmp_path / "state.db")
    with again.client() as client:
        assert balance(client) == "9998.00"
        assert send(client, "254712345678")["messageid"] == "8290843"
    again.close()


def test_messages_and_their_charge_are_saved_together(tmp_path, monkeypatch, process_death, died):
    """A crash between storing the messages and charging for them keeps neither:
    no message sent for free, no credit taken for messages that are not there."""

    emu = Emulator(db=tmp_path / "state.db")
    with emu.client() as client:
        send(client, "254712345678")
        put_state = emu.store.put_state

        def dies_when_charging(namespace, key, value):
            if namespace == "sendbulk.balance":
                raise process_death
            put_state(namespace, key, value)

        monkeypatch.setattr(emu.store, "put_state", dies_when_charging)
        with pytest.raises(process_death):
            send(client, "254712345679")
    monkeypatch.undo()
    died(emu)
    again = Emulator(db=tmp_path / "state.db")
    with again.client() as client:
        assert balance(client) == "9999.00"
        assert [m["to"] for m in again.messages()] == ["+254712345678"]
    again.close()


def test_a_scenario_giving_another_starting_balance_starts_the_account_from_it(client, emu):
    """Switching to a scenario with a small balance midway (``insufficient-balance``)
    gave what was left instead of its few units; the same start keeps the count."""
    send(client, "254712345678")
    assert balance(client) == "9999.00"
    emu.load_scenario("insufficient-balance")  # partner 1234 declared with 3 units
    assert balance(client) == "3.00"
    send(client, "254712345678")
    emu.load_scenario("insufficient-balance")  # the same start: the count goes on
    assert balance(client) == "2.00"
    emu.load_scenario({"providers": {"sendbulk": {"default_balance": 500}}})
    assert balance(client) == "500.00"


@pytest.mark.parametrize("db", [False, True])
def test_switching_away_and_back_starts_the_account_again_untouched_between(tmp_path, db):
    """insufficient-balance → happy-path → insufficient-balance gave the 0 units left
    from the first time (nothing touched the account under happy-path), not its 3."""
    emu = Emulator(scenario="insufficient-balance", db=tmp_path / "s.db" if db else None)
    with emu.client() as client:
        for _ in range(3):
            send(client, "254712345678")
        assert balance(client) == "0.00"
        emu.load_scenario("happy-path")
        emu.load_scenario("insufficient-balance")
        assert balance(client) == "3.00"
        assert send(client, "254712345678")["response-code"] == 200
        emu.load_scenario("insufficient-balance")  # the same start: the count goes on
        assert balance(client) == "2.00"
        other = {"accounts": {"sendbulk": [{"partnerID": "other", "apikey": "k"}]}}
        emu.load_scenario(other)  # partner 1234 is no account of it: it starts again after
        emu.load_scenario("insufficient-balance")
        assert balance(client) == "3.00"
    emu.close()


def test_a_balance_stored_before_it_kept_its_start_still_counts(client, emu):
    emu.store.put_state("sendbulk.balance", PARTNER, 42.5)  # as older versions stored it
    assert balance(client) == "42.50"
    send(client, "254712345678")
    assert balance(client) == "41.50"
