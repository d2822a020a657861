"""The same behaviour on the SQLite store, across a restart."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.core.store import BatchQuery
from emulator.providers.fonedynamics.leases import leases_to

from ..receiver import Receiver
from .conftest import ACCOUNT, BATCH, MESSAGES, TOKEN

TO = "+61488023555"


def test_messages_and_leases_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "fd.db"
    emu = Emulator(db=db)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        sent = client.post(
            MESSAGES,
            json={
                "To": TO,
                "Text": "Reply YES",
                "ExternalId": "e1",
                "Schedule": int(emu.time()) + 60,
            },
        ).json()["Message"]
        batch = client.post(
            BATCH, json={"Messages": [{"From": "MyShop", "To": TO, "Text": "b"}, {"To": "x"}]}
        ).json()
    assert batch[1]["ErrorCode"] == "PARAMETER_REQUIRED"
    emu.advance("2m")
    emu.close()

    again = Emulator(db=db)
    with again.client(auth=(ACCOUNT, TOKEN)) as client:
        message = client.get(f"/v2/Messages/{sent['MessageSid']}").json()["Message"]
        assert message["Status"] == "Delivered"
        assert (message["ExternalId"], message["Scheduled"]) == ("e1", sent["Scheduled"])
        reply = again.inbound("fonedynamics", TO, sent["From"], "YES")
        listed = client.get(MESSAGES).json()
    assert [m["MessageSid"] for m in listed["Messages"]] == [
        sent["MessageSid"],
        batch[0]["MessageSid"],
        reply["id"],
    ]
    again.close()


@pytest.mark.parametrize("stop", ["close", "crash"])
def test_a_pending_delivery_receipt_webhook_survives_restarts(
    tmp_path: Path, receiver: Receiver, stop: str, died: Callable[[Emulator], None]
) -> None:
    """Pending webhooks are in the file until sent: after a clean close() or a crash,
    and after a second restart that sent nothing; once sent, never again."""
    db = tmp_path / "fd.db"
    emu = Emulator(db=db)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        sent = client.post(
            MESSAGES,
            json={"To": TO, "Text": "hi", "DeliveryReceiptWebhookUri": f"{receiver.url}/dr"},
        ).json()["Message"]
    if stop == "close":
        emu.close()  # stopped before the receipt was due
    else:
        died(emu)
    assert receiver.requests == []
    second = Emulator(db=db)
    assert [job.message_id for job in second.webhooks.pending()] == [sent["MessageSid"]]
    second.close()
    third = Emulator(db=db)
    third.advance("1m")
    (received,) = receiver.wait_for(1)
    assert received.form["Event"] == "Message.DeliveryReceiptReceived"
    assert received.form["Message.Sid"] == sent["MessageSid"]
    third.close()
    fourth = Emulator(db=db)
    fourth.advance("1h")
    assert fourth.webhooks.pending() == [] and len(receiver.requests) == 1
    fourth.close()


def test_sids_continue_after_a_restart_without_repeating(tmp_path: Path) -> None:
    db = tmp_path / "fd.db"
    batch = {"Messages": [{"To": f"+6148802355{i}", "Text": "b"} for i in range(3)]}

    def sids(emu: Emulator) -> list[str]:
        with emu.client(auth=(ACCOUNT, TOKEN)) as client:
            return [m["MessageSid"] for m in client.post(BATCH, json=batch).json()]

    emu = Emulator(db=db)
    before = sids(emu)
    emu.close()
    again = Emulator(db=db)
    after = sids(again)
    batches = [b.id for b in again.store.query_batches(BatchQuery(provider="fonedynamics"))]
    again.close()
    assert all(re.fullmatch(r"M[A-Z0-9]{31}", sid) for sid in before + after)
    assert len(set(before + after)) == 6
    assert len(set(batches)) == 2 and all(re.fullmatch(r"B[A-Z0-9]{31}", b) for b in batches)

    fresh = Emulator()  # the same seed and calls without the restart: the same sids
    assert sids(fresh) + sids(fresh) == before + after


def test_lease_numbers_stay_unique_per_recipient_after_a_restart(tmp_path: Path) -> None:
    """Stored leases of other accounts are skipped, however many there are."""
    db = tmp_path / "fd.db"
    emu = Emulator(db=db)
    for account in ("ACA", "ACB"):
        with emu.client(auth=(account, "t")) as client:
            for i in range(5):
                body = {"To": TO, "Text": "hi", "WebhookUri": f"https://x.test/{i}"}
                assert client.post(MESSAGES, json=body).status_code == 200
    emu.close()

    again = Emulator(db=db)
    with again.client(auth=("ACC", "t")) as client:
        sent = client.post(MESSAGES, json={"To": TO, "Text": "hi"})
    numbers = [lease["Number"] for lease in leases_to(again, TO)]
    again.close()
    assert sent.status_code == 200
    assert sent.json()["Message"]["From"] == "+61412345660"
    assert numbers == [f"+61412345{650 + i}" for i in range(11)]


def test_a_lease_and_its_message_are_saved_together(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    process_death: type[BaseException],
    died: Callable[[Emulator], None],
) -> None:
    """A crash after the lease is taken but before its message is stored keeps neither."""
    db = tmp_path / "fd.db"
    emu = Emulator(db=db)

    def dies(messages: object) -> None:
        raise process_death

    monkeypatch.setattr(emu.store, "add_messages", dies)
    with emu.client(auth=(ACCOUNT, TOKEN)) as client, pytest.raises(process_death):
        client.post(MESSAGES, json={"To": TO, "Text": "hi"})  # no From: sent from a lease
    monkeypatch.undo()

    died(emu)
    again = Emulator(db=db)
    try:
        assert leases_to(again, TO) == []
        assert again.messages() == []
    finally:
        again.close()


def test_a_webhook_failing_while_a_reset_runs_is_not_kept_for_after_it(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its retry belongs to the state the reset forgot: not queued, not in the file."""
    db = tmp_path / "fd.db"
    emu = Emulator(db=db)
    resetting = threading.Thread(target=emu.reset)
    store_cleared, answered, writing_down = threading.Event(), threading.Event(), threading.Event()
    clear_journal = emu.journal.clear

    def slow_clear() -> None:  # a step of the reset, after the store's
        clear_journal()
        store_cleared.set()
        writing_down.wait(10)  # until the failed attempt is being written down

    monkeypatch.setattr(emu.journal, "clear", slow_clear)
    log = emu.webhooks._log
    assert log is not None
    holding = log.holding

    def signalled_holding() -> object:
        if answered.is_set():
            writing_down.set()
        return holding()

    monkeypatch.setattr(log, "holding", signalled_holding)

    def reset_while_answering(request: object) -> None:
        resetting.start()
        store_cleared.wait(10)
        answered.set()

    receiver.on_request = reset_while_answering
    receiver.statuses = [503]
    emu.webhooks.schedule(emu.time() + 1, method="POST", url=receiver.url + "/old", provider="p")
    emu.advance("1s")
    resetting.join(10)
    assert emu.webhooks.pending() == []
    emu.close()
    receiver.on_request = None
    again = Emulator(db=db)
    again.advance("1h")
    assert again.webhooks.pending() == [] and [r.path for r in receiver.requests] == ["/old"]
    again.close()


@pytest.mark.parametrize("path", [MESSAGES, BATCH])
def test_a_send_whose_commit_fails_gets_no_receipt(
    tmp_path: Path,
    receiver: Receiver,
    path: str,
    full_disk_at_next_commit: Callable[[object], sqlite3.Connection],
) -> None:
    emu = Emulator(db=tmp_path / "fd.db")
    real = full_disk_at_next_commit(emu.store)
    message = {"To": TO, "Text": "hi", "DeliveryReceiptWebhookUri": f"{receiver.url}/dr"}
    body = message if path == MESSAGES else {"Messages": [message]}
    with emu.client(auth=(ACCOUNT, TOKEN)) as client:
        assert client.post(path, json=body).status_code == 500
    emu.store._db = real
    emu.advance("1h")
    assert (emu.messages(), emu.webhooks.pending(), receiver.requests) == ([], [], [])
    emu.close()
