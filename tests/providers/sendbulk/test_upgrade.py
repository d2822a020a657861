"""A --db file an earlier version wrote: its sendbulk state is brought up to date, once."""

from __future__ import annotations

from pathlib import Path

from emulator import Emulator
from emulator.core.models import Batch
from emulator.core.store import BatchQuery

from ._helpers import PARTNER, balance, body, bulk, bulk_item, post

LOW = {"accounts": {"sendbulk": [{"partnerID": PARTNER, "apikey": "test-key", "balance": 3}]}}


def _batch(emu: Emulator, batch_id: str, accepted: int, rejected: list[dict]) -> Batch:
    return Batch(
        id=batch_id,
        provider="sendbulk",
        tenant=PARTNER,
        sender="SHOP",
        created_at=emu.time(),
        size=accepted,
        processing=2.0,
        rejected=rejected,
    )


def _as_an_earlier_version_left_it(db: Path) -> None:
    """A batch with 0-based refused indexes, a bare-number balance, no format mark."""
    emu = Emulator(db=db)
    emu.store.add_batch(_batch(emu, "sendbulk-b1", 2, [{"index": 1, "code": 1003}]))
    emu.store.put_state("sendbulk.balance", PARTNER, 95.0)
    emu.store.put_meta("sendbulk.format", None)
    emu.close()


def test_refused_indexes_become_one_based_once_and_balances_go_on(tmp_path: Path) -> None:
    """Old batches named the item before the refused one; a bare balance ignored, then
    took over, the next scenario's starting balance."""
    db = tmp_path / "old.db"
    _as_an_earlier_version_left_it(db)
    for _ in range(2):  # the second opening changes nothing more
        emu = Emulator(db=db)
        with emu.client() as client:
            shown = client.get("/_emulator/batches/sendbulk-b1").json()["batch"]
            assert shown["rejected"] == [{"index": 2, "code": 1003}]
            assert balance(client) == "95.00"  # counted from the start it has now
        emu.close()
    emu = Emulator(db=db, scenario=LOW)  # another starting balance: starts again from it
    with emu.client() as client:
        assert balance(client) == "3.00"
    emu.close()


def test_a_reset_store_stays_marked_so_new_indexes_are_not_shifted(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    emu = Emulator(db=db)
    emu.reset()  # clears the store's meta too
    with emu.client() as client:
        items = [bulk_item("254712345678"), bulk_item("12")]
        rows = body(post(client, "sendbulk", bulk(items)))["responses"]
        assert [r["response-code"] for r in rows] == [200, 1003]
    (batch,) = emu.store.query_batches(BatchQuery())
    emu.close()
    again = Emulator(db=db)
    assert again.store.get_batch(batch.id).rejected == [{"index": 2, "code": 1003}]
    again.close()


def test_a_file_already_in_the_new_format_but_unmarked_is_only_marked(tmp_path: Path) -> None:
    """Versions between the format's changes and its mark wrote 1-based indexes and
    balances with their start, but no mark: its indexes were shifted a second time."""
    db = tmp_path / "between.db"
    _as_an_earlier_version_left_it(db)
    emu = Emulator(db=db)  # brought up to date: index 2, balance {"units", "from"}
    emu.store.put_meta("sendbulk.format", None)  # as those versions left it
    emu.close()
    again = Emulator(db=db)
    assert again.store.get_batch("sendbulk-b1").rejected == [{"index": 2, "code": 1003}]
    assert again.store.get_meta("sendbulk.format") == 2
    again.close()


def test_an_unmarked_batch_whose_index_is_its_item_count_is_left_alone(tmp_path: Path) -> None:
    """Its last item was refused and counted from 1: 0-based, it would be past the end."""
    db = tmp_path / "between.db"
    emu = Emulator(db=db)
    refused = [{"index": 1, "code": 1003}, {"index": 2, "code": 1003}]
    emu.store.add_batch(_batch(emu, "sendbulk-b9", 0, refused))  # every item refused
    emu.store.put_meta("sendbulk.format", None)
    emu.close()
    again = Emulator(db=db)
    assert again.store.get_batch("sendbulk-b9").rejected == [
        {"index": 1, "code": 1003},
        {"index": 2, "code": 1003},
    ]
    again.close()


def test_a_file_without_balances_is_brought_up_to_date_once(tmp_path: Path) -> None:
    """No balance to show it was done: only the mark keeps the next opening off it."""
    db = tmp_path / "old.db"
    emu = Emulator(db=db)
    emu.store.add_batch(_batch(emu, "sendbulk-b1", 5, [{"index": 1, "code": 1003}]))
    emu.store.put_meta("sendbulk.format", None)
    emu.close()
    for _ in range(2):
        again = Emulator(db=db)
        assert again.store.get_batch("sendbulk-b1").rejected == [{"index": 2, "code": 1003}]
        again.close()


def test_another_provider_s_batches_are_left_as_they_are(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    emu = Emulator(db=db)
    other = _batch(emu, "rc-b1", 2, [{"index": 1, "to": "+1"}])
    other.provider = "ringcentral"
    emu.store.add_batch(other)
    emu.store.put_meta("sendbulk.format", None)
    emu.close()
    again = Emulator(db=db)
    assert again.store.get_batch("rc-b1").rejected == [{"index": 1, "to": "+1"}]
    again.close()


def test_a_bare_balance_is_counted_from_the_start_the_scenario_gives_its_account(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    _as_an_earlier_version_left_it(db)
    emu = Emulator(db=db, scenario=LOW)  # the account's own start (3), not the default
    with emu.client() as client:
        assert balance(client) == "95.00"
    emu.close()
