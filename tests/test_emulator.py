"""The Emulator class: its public methods, and --db persistence across restarts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import emulator.providers
from emulator import Emulator
from emulator.core.clock import MAX_TIMESTAMP, VirtualClock, to_datetime
from emulator.core.models import Batch, Message, Status
from emulator.core.store import MemoryStore, MessageQuery
from emulator.emulator import iso
from emulator.providers.base import Provider
from emulator.scenario.loader import ScenarioError

START = datetime(2026, 1, 1, tzinfo=UTC)


def outbound(emu: Emulator, to: str = "+14155550100", outcome: str = "delivered") -> Message:
    now = emu.time()
    return Message(
        id=f"m{emu.ids.next('test.message')}",
        provider="ringcentral",
        tenant="acct",
        sender="+16505550100",
        to=to,
        text="hello",
        segments=1,
        created_at=now,
        dispatch_at=now,
        plan=emu.plan(outcome),
    )


def test_defaults() -> None:
    emu = Emulator()
    assert isinstance(emu.store, MemoryStore)
    assert emu.clock.kind == "virtual"
    assert emu.now == START
    assert emu.now.tzinfo is not None
    assert emu.scenario.name == "happy-path"
    assert emu.seed == 0
    emu.close()
    emu.close()  # closing twice is harmless


def test_advance_forms() -> None:
    emu = Emulator()
    assert emu.advance("30s") == START + timedelta(seconds=30)
    assert emu.advance(seconds=30) == START + timedelta(seconds=60)
    assert emu.advance(60) == START + timedelta(seconds=120)
    assert emu.advance("1h30m") == START + timedelta(hours=1, seconds=1920)
    with pytest.raises(TypeError):
        emu.advance()
    with pytest.raises(TypeError):
        emu.advance("1s", seconds=1)
    with pytest.raises(ValueError):
        emu.advance("-1s")
    with pytest.raises(ValueError):
        emu.advance("soon")
    assert emu.time() == (START + timedelta(hours=1, seconds=1920)).timestamp()


def test_start_and_seed_arguments() -> None:
    emu = Emulator(start="2030-01-01T00:00:00Z", seed=7)
    assert emu.now == datetime(2030, 1, 1, tzinfo=UTC)
    assert emu.seed == 7
    emu.load_scenario({"name": "x", "seed": 1})
    assert emu.seed == 7  # an explicit seed wins over the scenario's
    assert emu.ids.seed == 7


def test_start_now_is_the_wall_clock_as_for_serve_and_the_marker() -> None:
    before = time.time()
    emu = Emulator(start=" Now ")
    assert before <= emu.time() <= time.time()
    emu.advance("1h")
    emu.reset()  # back to the start it was given, not to "now" read again
    assert before <= emu.time() <= before + 60


def test_a_start_the_clock_cannot_take_is_refused_not_dropped() -> None:
    """As ``serve --start`` with ``--clock real`` is: the wall clock ran instead."""
    with pytest.raises(ValueError, match="start needs clock='virtual'"):
        Emulator(clock="real", start="2026-05-01T00:00:00Z")
    with pytest.raises(ValueError, match="start is for a clock the emulator makes"):
        Emulator(clock=VirtualClock(0), start="2026-05-01T00:00:00Z")


def test_load_scenario_forms_and_errors(tmp_path: Path) -> None:
    emu = Emulator()
    assert emu.load_scenario({"name": "dict", "seed": 3}).name == "dict"
    assert emu.seed == 3
    path = tmp_path / "s.yaml"
    path.write_text("name: file\ntiming: {sent: 4s}\n")
    emu.load_scenario(str(path))
    assert (emu.scenario.name, emu.timing.sent) == ("file", 4.0)
    emu.load_scenario(path)
    emu.load_scenario("happy-path")
    assert emu.scenario.name == "happy-path"
    with pytest.raises(ScenarioError):
        emu.load_scenario("no-such-scenario")
    with pytest.raises(ScenarioError):
        emu.load_scenario({"rules": [{"outcome": "nope"}]})
    assert emu.scenario.name == "happy-path"  # a bad scenario leaves the active one
    with pytest.raises(ScenarioError):
        Emulator(scenario=str(tmp_path / "missing.yaml"))


def test_messages_status_follow_the_clock() -> None:
    emu = Emulator()
    emu.add_messages([outbound(emu), outbound(emu, "+14155550101", "undeliverable")])
    assert [m["status"] for m in emu.messages()] == ["queued", "queued"]
    emu.advance("1s")
    assert [m["status"] for m in emu.messages()] == ["sent", "sent"]
    emu.advance("5s")
    assert [m["status"] for m in emu.messages()] == ["delivered", "failed"]
    assert [m["to"] for m in emu.messages(status="failed")] == ["+14155550101"]
    assert [m["to"] for m in emu.messages(to="+14155550100")] == ["+14155550100"]
    assert emu.messages(provider="sendbulk") == []
    with pytest.raises(ValueError):
        emu.messages(status="lost")


def test_reset_forgets_state_keeps_scenario_and_restarts_ids() -> None:
    emu = Emulator(scenario={"name": "kept", "seed": 4})
    emu.add_messages([outbound(emu)])
    first_token = emu.ids.token("x")
    emu.advance("1h")
    emu.store.put_state("ns", "k", 1)
    emu.reset()
    assert emu.messages() == []
    assert emu.store.get_state("ns", "k") is None
    assert emu.now == START
    assert emu.scenario.name == "kept"
    assert emu.ids.token("x") == first_token  # same seed, same sequence


def test_reset_forgets_pending_webhooks_and_times_new_ones_on_its_clock() -> None:
    emu = Emulator(
        scenario={"providers": {"sendbulk": {"dlr_callback_url": "http://127.0.0.1:9/"}}}
    )
    body = {
        "partnerID": "1",
        "apikey": "k",
        "shortcode": "S",
        "message": "hi",
        "mobile": "0712345678",
    }
    with emu.client() as client:
        client.post("/api/services/sendsms", json=body)  # its report is due in 8s
        assert [job["event"] for job in emu.webhook_report()["pending"]] == ["dlr"]
        emu.reset()
        assert emu.webhook_report()["pending"] == []
        emu.advance("1h")
        assert emu.webhook_report() == {"pending": [], "attempts": []}
        emu.reset()  # the clock back an hour
        client.post("/api/services/sendsms", json=body)
        emu.advance("1s")
        assert emu.webhook_report()["attempts"] == []  # not due for 7s more
        emu.advance("10s")
        attempts = emu.webhook_report()["attempts"]
        assert [a["event"] for a in attempts][:1] == ["dlr"]
        numbers = [a["number"] for a in attempts]
        later = emu.webhook_report(after=numbers[0])["attempts"]
        assert [a["number"] for a in later] == numbers[1:]  # those numbered above it
    emu.close()


def test_requests_filters_by_provider_and_after_as_the_admin_api_does() -> None:
    emu = Emulator()
    with emu.client() as client:
        client.post("/api/services/getbalance", json={"partnerID": "1", "apikey": "k"})
        client.post("/v2/Properties/PR1/Messages", auth=("AC1", "token"), json={})
        client.post("/api/services/getbalance", json={"partnerID": "1", "apikey": "k"})
        over_http = client.get("/_emulator/requests", params={"provider": "sendbulk"}).json()
    every = emu.requests()
    assert [e["provider"] for e in every] == ["sendbulk", "fonedynamics", "sendbulk"]
    assert emu.requests(provider="sendbulk") == [every[0], every[2]] == over_http["requests"]
    assert emu.requests(after=every[0]["id"]) == every[1:]
    assert emu.requests(provider="sendbulk", after=every[0]["id"]) == [every[2]]
    with pytest.raises(ValueError, match=r"unknown provider 'fonedynamic' \(known: .*fonedynamics"):
        emu.requests(provider="fonedynamic")
    assert emu.requests(provider="ringcentral") == []


def test_reset_keeps_a_clock_of_the_users_own() -> None:
    """Only the emulator's own kinds of clock go back: a clock of another class given to
    it is the test's to set (a ``VirtualClock`` given to it is replaced by a fresh one)."""

    class Ticking:
        kind = "virtual"

        def __init__(self) -> None:
            self.now = 1_800_000_000.0

        def time(self) -> float:
            return self.now

        def advance(self, seconds: float) -> float:
            self.now += seconds
            return self.now

        def set(self, moment: datetime | str | float) -> float:
            raise NotImplementedError

    clock = Ticking()
    emu = Emulator(clock=clock)
    emu.advance("1h")
    emu.reset()
    assert emu.clock is clock and emu.time() == 1_800_003_600.0
    emu.close()


def test_loading_a_scenario_or_a_reset_refills_the_rate_limit_buckets() -> None:
    """As the fault counters restart (the README: buckets restart as when a scenario is
    loaded), even when the limits stay the same."""
    limited = {"rate_limits": {"sendbulk": {"requests": 1, "per": "1h"}}}
    emu = Emulator(scenario=limited)
    balance = {"partnerID": "1", "apikey": "k"}
    with emu.client() as client:

        def status() -> int:
            return client.post("/api/services/getbalance", json=balance).status_code

        assert [status(), status()] == [200, 429]
        emu.load_scenario(limited)
        assert [status(), status()] == [200, 429]
        emu.load_scenario(emu.scenario)  # the very same one, parsed
        assert [status(), status()] == [200, 429]
        emu.reset()
        assert status() == 200
    emu.close()


def test_inbound_through_a_provider() -> None:
    emu = Emulator()
    record = emu.inbound("ringcentral", "+14155550100", "+16505550100", "hi")
    assert record["direction"] == "inbound"
    assert record["status"] == "delivered"
    assert emu.messages() == [record]  # the record as messages() gives it
    emu.advance("1h")
    assert (
        emu.inbound("ringcentral", "+14155550100", "+16505550100", "again") == (emu.messages()[-1])
    )
    with pytest.raises(ValueError, match="unknown provider"):
        emu.inbound("nope", "+1", "+2", "x")


def test_inbound_through_a_provider_that_takes_none_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    silent = Provider(name="silent", title="Silent", mount="/silent", build_app=lambda emu: None)
    monkeypatch.setattr(emulator.providers, "PROVIDERS", (*emulator.providers.PROVIDERS, silent))
    emu = Emulator()
    with pytest.raises(ValueError, match="provider 'silent' does not take inbound messages"):
        emu.inbound("silent", "+14155550100", "+16505550100", "hi")
    assert emu.messages() == []
    emu.close()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("ringcentral", None, "+16505550100", "hi"), "from"),
        (("ringcentral", "+14155550100", "+16505550100", None), "text"),
        (("ringcentral", "+14155550100", "+16505550100", b"hi"), "text"),
        (("fonedynamics", "+61400111222", 61412345650, "hi"), "to"),
        (("sendbulk", 254712345678, "40404", "hi"), "from"),
        (("sendbulk", "0712345678", 40404, 5), "to, text"),
        ((None, "+14155550100", "+16505550100", "hi"), "provider"),
    ],
)
def test_inbound_refuses_what_is_not_a_string_as_the_admin_api_does(
    args: tuple[object, object, object, object], named: str
) -> None:
    """It raised AttributeError or TypeError from inside a provider (or stored an int
    sender), where ``POST /_emulator/inbound``, and so a RemoteEmulator under
    ``--sms-emulator-url``, refuses with 400 "missing or non-string fields"."""
    emu = Emulator()
    with pytest.raises(ValueError, match=f"^missing or non-string fields: {named}$"):
        emu.inbound(*args)  # type: ignore[arg-type]
    assert emu.messages() == []


@pytest.mark.parametrize(
    ("provider", "sender", "to"),
    [("ringcentral", "+14155550100", "+16505550100"), ("sendbulk", "0712345678", "40404")],
)
def test_inbound_text_with_a_lone_surrogate_is_stored_as_a_provider_reads_it(
    provider: str, sender: str, to: str
) -> None:
    """No HTTP body carries a lone surrogate: it is U+FFFD, so its webhook can be sent;
    a pair written as two code points is the character it stands for."""
    emu = Emulator()
    record = emu.inbound(provider, sender, to, "lone\ud800 \ud83d\ude00")
    assert record["text"] == "lone\ufffd \U0001f600"


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_lone_surrogate_in_an_inbound_number_is_read_as_a_provider_reads_it(
    tmp_path: Path, store: str
) -> None:
    """It was kept as it was: the memory store's admin listing and UI then failed (500),
    SQLite refused to store it at all, and each store answered differently."""
    emu = Emulator(db=tmp_path / "e.db" if store == "sqlite" else None)
    try:
        record = emu.inbound("sendbulk", "0712345678", "SHOP\udcff", "hi")
        assert record["to"] == "SHOP\ufffd"
        assert [m["id"] for m in emu.messages(to="SHOP\udcff")] == [record["id"]]
        with emu.client() as client:
            for path in (
                "/_emulator/messages",
                f"/_emulator/messages/{record['id']}",
                "/_emulator/ui",
            ):
                assert client.get(path).status_code == 200, path
        with pytest.raises(ValueError, match=r"must be the E\.164 number"):  # the same in both
            emu.inbound("fonedynamics", "+61412345678\ud800", "+61400000001", "hi")
    finally:
        emu.close()


def test_app_is_built_once_and_client_calls_it() -> None:
    emu = Emulator()
    assert emu.app is emu.app
    with emu.client() as client:
        assert client.get("/_emulator/health").json()["status"] == "ok"


def test_same_seed_same_ids_and_times() -> None:
    def run() -> list[tuple[str, str]]:
        emu = Emulator(seed=11)
        emu.add_messages([outbound(emu)])
        emu.advance("2s")
        emu.add_messages([outbound(emu, "+14155550109")])
        emu.inbound("ringcentral", "+14155550100", "+16505550100", "hi")
        return [(m["id"], m["updated_at"]) for m in emu.messages()]

    assert run() == run()


# persistence (--db)


def test_sqlite_keeps_messages_ids_and_clock_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.add_messages([outbound(first)])
    inbound = first.inbound("ringcentral", "+14155550100", "+16505550100", "hi")
    first.advance("2s")
    before = first.messages()
    token = first.ids.token("test.token")  # drawn without storing anything
    first.close()

    second = Emulator(db=db)
    try:
        after = second.messages()
        assert [(m["id"], m["text"], m["status"]) for m in after] == [
            (m["id"], m["text"], m["status"]) for m in before
        ]
        assert after[0]["status"] == "sent"
        assert after[1]["id"] == inbound["id"]
        assert second.now == START + timedelta(seconds=2)  # the clock did not go back
        assert second.ids.token("test.token") != token
        # statuses keep progressing on the restored clock
        second.advance("10s")
        assert second.messages()[0]["status"] == "delivered"
        # new ids continue without colliding with stored ones
        second.add_messages([outbound(second)])
        second.inbound("ringcentral", "+14155550100", "+16505550100", "again")
        ids = [m["id"] for m in second.messages()]
        assert len(ids) == len(set(ids)) == 4
        stored = second.store.query_messages(MessageQuery())
        assert [m.seq for m in stored] == sorted({m.seq for m in stored})
    finally:
        second.close()


@pytest.mark.parametrize("add", ["add_messages", "add_batch"])
def test_sqlite_a_write_cut_short_leaves_ids_that_continue(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    add: str,
    process_death: type[BaseException],
    died: Callable[[Emulator], None],
) -> None:
    """Messages and the id counters that made them are saved together, or not at all.

    Were the messages committed before the counters, a restart after a crash
    in between would hand out their ids again and refuse every new message.
    """
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.add_messages([outbound(first)])
    kept = [m["id"] for m in first.messages()]

    def killed(key: str, value: object) -> None:
        raise process_death

    monkeypatch.setattr(first.store, "put_meta", killed)
    message = outbound(first)
    with pytest.raises(process_death):
        if add == "add_batch":
            first.add_batch(
                Batch("b1", "ringcentral", "acct", "+16505550100", first.time(), 1, 0.0), [message]
            )
        else:
            first.add_messages([message])
    monkeypatch.undo()

    died(first)
    second = Emulator(db=db)
    try:
        assert [m["id"] for m in second.messages()] == kept  # the cut-short write is not there
        assert second.store.get_batch("b1") is None
        second.add_messages([outbound(second)])
        ids = [m["id"] for m in second.messages()]
        assert len(ids) == len(set(ids)) == 2
    finally:
        second.close()


def test_sqlite_restart_numbers_the_next_request_right_after_the_last(tmp_path: Path) -> None:
    """A clean close (or an admin clock move) skipped one: ids 1, then 3."""
    db = tmp_path / "emu.db"
    balance = {"partnerID": "1", "apikey": "k"}
    first = Emulator(db=db)
    with first.client() as client:
        client.post("/api/services/getbalance", json=balance)
        client.post("/_emulator/clock", json={"seconds": 1})
        client.post("/api/services/getbalance", json=balance)
    assert [e["id"] for e in first.journal.entries()] == [1, 2]
    first.advance("1s")
    first.close()
    second = Emulator(db=db)
    try:
        with second.client() as client:
            client.post("/api/services/getbalance", json=balance)
        assert [e["id"] for e in second.journal.entries()] == [3]
    finally:
        second.close()


def test_sqlite_restart_after_a_reset_numbers_requests_after_the_reset_s_last(
    tmp_path: Path,
) -> None:
    """A reset starts the journal at 1 again: a restart goes on from there, not from the
    numbers before the reset."""
    db = tmp_path / "emu.db"
    balance = {"partnerID": "1", "apikey": "k"}
    first = Emulator(db=db)
    with first.client() as client:
        for _ in range(3):
            client.post("/api/services/getbalance", json=balance)
        first.advance("1s")  # saved with the journal's number, 3
        first.reset()
        client.post("/api/services/getbalance", json=balance)
    assert [e["id"] for e in first.requests()] == [1]
    first.close()
    second = Emulator(db=db)
    try:
        with second.client() as client:
            client.post("/api/services/getbalance", json=balance)
        assert [e["id"] for e in second.requests()] == [2]
    finally:
        second.close()


def test_sqlite_restart_continues_request_ids_and_names_no_creator_for_older_messages(
    tmp_path: Path,
) -> None:
    """The journal starts empty after a restart; nothing in it is taken for an older request."""
    db = tmp_path / "emu.db"
    batch = {"from": "+16505550100", "text": "hi", "messages": [{"to": ["+14155550100"]}]}
    first = Emulator(db=db)
    with first.client() as client:
        token = client.post(
            "/restapi/oauth/token",
            auth=("id", "secret"),
            data={"grant_type": "password", "username": "u", "password": "p"},
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        sent = client.post("/restapi/v1.0/account/~/a2p-sms/batches", headers=auth, json=batch)
        assert sent.status_code == 201
        old_ids = [r["id"] for r in client.get("/_emulator/requests").json()["requests"]]
        (message_id,) = [m["id"] for m in first.messages()]
        shown = client.get(f"/_emulator/messages/{message_id}").json()["message"]
        assert shown["request"]["id"] == max(old_ids)  # the POST, found in this run
    first.close()

    second = Emulator(db=db)
    try:
        with second.client() as client:
            again = client.get(
                f"/restapi/v1.0/account/~/a2p-sms/batches/{sent.json()['id']}", headers=auth
            )
            assert again.status_code == 200  # its response names the batch, in the same second
            new_ids = [r["id"] for r in client.get("/_emulator/requests").json()["requests"]]
            assert min(new_ids) > max(old_ids)
            shown = client.get(f"/_emulator/messages/{message_id}").json()["message"]
            assert shown.get("request") is None
    finally:
        second.close()


def test_sqlite_keeps_a_clock_set_through_the_admin_api(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    with first.client() as client:
        client.post("/_emulator/clock", json={"set": "2026-03-01T00:00:00Z"})
    first.close()
    second = Emulator(db=db)
    assert second.now == datetime(2026, 3, 1, tzinfo=UTC)
    second.close()


def test_sqlite_keeps_an_advanced_clock_after_a_crash(
    tmp_path: Path, died: Callable[[Emulator], None]
) -> None:
    """``advance()`` saves the clock at once: a restart without ``close()`` goes on there."""
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.advance("1h")
    ahead = first.now
    died(first)
    second = Emulator(db=db)
    assert second.now == ahead
    second.close()


def test_sqlite_real_clock_does_not_go_back_after_an_advance(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    first = Emulator(db=db, clock="real")
    first.advance("1d")
    ahead = first.time()
    first.close()
    second = Emulator(db=db, clock="real")
    assert second.time() >= ahead
    second.close()


def test_status_is_computed_on_read_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.add_messages([outbound(first, outcome="undeliverable")])
    first.close()
    second = Emulator(db=db)
    message = second.store.query_messages(MessageQuery())[0]
    assert message.status_at(second.time()) == Status.QUEUED
    second.advance("1m")
    assert second.messages()[0]["status"] == "failed"
    second.close()


def test_reset_on_sqlite_empties_the_file(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.add_messages([outbound(first)])
    first.reset()
    first.close()
    second = Emulator(db=db)
    assert second.messages() == []
    assert second.now == START
    second.close()


@given(
    st.one_of(
        st.floats(min_value=-62_135_596_800, max_value=MAX_TIMESTAMP - 1),
        st.integers(min_value=0, max_value=10**10).map(lambda n: n + 0.9999995),
    )
)
def test_iso_is_datetimes_own_formatting(timestamp: float) -> None:
    # iso() keeps each second's text and adds the microseconds itself:
    # it must round exactly as datetime does (half-even, carrying into the second).
    assert iso(timestamp) == to_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_sqlite_restores_webhooks_an_earlier_version_kept_once(tmp_path: Path) -> None:
    """Files from before pending webhooks had their own entries kept them in one list
    (with no key: each is given its own)."""
    db = tmp_path / "emu.db"
    first = Emulator(db=db)
    first.store.put_meta(
        "webhooks",
        [
            {
                "due": first.time() + 60 + n,
                "order": 3 + n,
                "method": "POST",
                "url": "http://127.0.0.1:9/dr",
                "provider": "fonedynamics",
                "event": "Message.DeliveryReceiptReceived",
                "message_id": f"M{n}",
                "params": None,
                "data": {"a": "b"},
                "json": None,
                "headers": None,
                "attempt": 0,
            }
            for n in (1, 2)
        ],
    )
    first.close()
    for _ in range(2):  # converted once, then restored from its own entry
        again = Emulator(db=db)
        assert [(j.message_id, j.data, j.due) for j in again.webhooks.pending()] == [
            ("M1", {"a": "b"}, again.time() + 61),
            ("M2", {"a": "b"}, again.time() + 62),
        ]
        assert again.store.get_meta("webhooks") == []
        again.close()


@pytest.mark.parametrize("db", [False, True])
def test_a_request_in_another_thread_falls_wholly_before_or_after_a_reset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: bool
) -> None:
    """A request draws its ids and stores what uses them in one transaction(), and a
    reset forgets the store and restarts the counters under the same hold: no request
    stores ids drawn before the reset into the emptied store, where the restarted
    counters would come round to them again and be refused."""
    emu = Emulator(db=tmp_path / "emu.db" if db else None)
    emu.add_messages([outbound(emu)])
    halfway, go_on = threading.Event(), threading.Event()
    clear_journal = emu.journal.clear

    def slow_clear() -> None:  # a step of the reset between the store and the counters
        clear_journal()
        halfway.set()
        go_on.wait(10)

    monkeypatch.setattr(emu.journal, "clear", slow_clear)

    def request() -> None:
        with emu.transaction():
            emu.add_messages([outbound(emu)])

    resetting = threading.Thread(target=emu.reset)
    resetting.start()
    halfway.wait(10)
    sending = threading.Thread(target=request)
    sending.start()
    sending.join(0.2)
    assert sending.is_alive()  # it waits for the reset to finish
    go_on.set()
    resetting.join(10)
    sending.join(10)
    for _ in range(3):
        emu.add_messages([outbound(emu)])
    assert [m["id"] for m in emu.messages()] == ["m1", "m2", "m3", "m4"]
    emu.close()


@pytest.mark.parametrize(
    "written", ["+254712345678", "254712345678", "0712345678", "+254 712 345 678"]
)
def test_messages_to_finds_a_number_however_it_is_written(written: str) -> None:
    """As ``sent_messages`` does: a gateway echoes ``254…``, a Kenyan test writes ``07…``."""
    emu = Emulator(clock="virtual")
    with emu.client() as client:
        body = {"partnerID": "1", "apikey": "k", "shortcode": "SHOP", "message": "hi"}
        client.post("/api/services/sendsms", json={**body, "mobile": "0712345678"})
        client.post("/api/services/sendsms", json={**body, "mobile": "0733123456"})
        found = emu.messages(to=written)
        assert [m["to"] for m in found] == ["+254712345678"]
        assert client.get("/_emulator/messages", params={"to": written}).json()["messages"] == found
    reply = emu.inbound("sendbulk", "+254712345678", "SHOP", "yes")
    assert [m["id"] for m in emu.messages(to="SHOP")] == [reply["id"]]  # a name as written
    coded = emu.inbound("sendbulk", "+254712345678", "22141", "yes")  # stored as 22141
    for code in ("22141", "+22141", "22 141"):
        assert [m["id"] for m in emu.messages(to=code)] == [coded["id"]]
    emu.close()


def test_reset_puts_a_real_clock_back_on_the_wall_clock() -> None:
    """A test that skipped ahead (to expire a token, say) leaves the next test, after the
    fixture's reset, on the wall clock: a time the code under test reads from it (a
    ``Schedule`` a few minutes ahead) is not hours in the emulator's past."""
    emu = Emulator(clock="real")
    emu.advance("2h")
    before = time.time()
    emu.reset()
    assert before <= emu.time() < before + 60  # the wall clock, running
    with emu.client() as client:
        answer = client.post(
            "/v2/Properties/PR1/Messages",
            auth=("AC1", "token"),
            json={
                "To": "+61412345678",
                "Text": "later",
                "From": "Shop",
                "Schedule": int(time.time()) + 600,
            },
        )
    assert answer.status_code == 200, answer.text
    emu.close()


def test_an_emulator_is_a_context_manager_that_closes_it(tmp_path: Path) -> None:
    """As ``LiveServer`` and ``RemoteEmulator`` are: the file is free again after it."""
    db = tmp_path / "emu.db"
    with Emulator(db=db) as emu:
        assert emu.messages() == []
    assert emu.closed
    emu.close()  # again: nothing to do
    Emulator(db=db).close()  # not refused as a file still in use


@pytest.mark.parametrize("db", [False, True], ids=["memory", "db"])
def test_a_closed_emulator_refuses_changes_before_making_any(tmp_path: Path, db: bool) -> None:
    """With a database they raised sqlite3's "Cannot operate on a closed database" (the
    clock moved first); in memory they went on, storing a reply no server would show."""
    emu = Emulator(db=tmp_path / "closed.db" if db else None)
    emu.close()
    before = emu.time()
    calls = (
        lambda: emu.advance("1h"),
        lambda: emu.reset(),
        lambda: emu.load_scenario("happy-path"),
        lambda: emu.inbound("sendbulk", "254712345678", "SHOP", "hi"),
    )
    for call in calls:
        with pytest.raises(RuntimeError, match=r"this emulator is closed \(close\(\) ran\)"):
            call()
    assert emu.time() == before
    if not db:
        assert emu.messages() == []
