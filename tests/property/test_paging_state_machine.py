"""Paged reads interleaved with sends, replies, clock moves and resets, on both stores.

The model is every message accepted (with its id and creation time). A walk
through each provider's own listing must show each once, no refused item and
nothing from before a reset, even with messages added between its pages:
RingCentral lists newest first, so those appear only on a fresh walk; Fone
Dynamics lists oldest first, continuing after the token's message, so they
appear at the walk's end.
"""

from __future__ import annotations

import base64
import os
import tempfile
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from emulator import Emulator
from emulator.testing.invariants import STATUS_RANKS, check_status_counts

RC = "/restapi/v1.0/account/~/a2p-sms"
FD = "/v2/Properties/SPROP"
FD_AUTH = {"Authorization": "Basic " + base64.b64encode(b"ACC:token").decode()}
SB = {"partnerID": "1234", "apikey": "k", "shortcode": "SHOP", "message": "m"}
SINCE = "2000-01-01T00:00:00Z"
RC_FROM, FD_FROM, BAD = "+16505550100", "+61412345678", "+4088070206"
SCENARIO = {
    "timing": {"processing": "2s", "sent": "1s", "delivered": "5s"},
    "rules": [
        {"when": {"to": "*9"}, "outcome": "undeliverable"},
        {"when": {"to": "*8"}, "outcome": "send_failed"},
        {"when": {"to": "*6"}, "outcome": "invalid_number"},
    ],
}
US = st.integers(0, 9999).map(lambda n: f"+1415555{n:04d}")
KE = st.integers(0, 9_999_999).map(lambda n: f"25471{n:07d}")
INSERTS = st.lists(st.sampled_from(["none", "send", "reply", "tick"]), max_size=5)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Paging(RuleBasedStateMachine):
    DB = False

    @initialize()
    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory() if self.DB else None
        db = os.path.join(self.tmp.name, "e.db") if self.tmp else None
        self.emu = Emulator(scenario=SCENARIO, clock="virtual", seed=1, db=db)
        self.c = self.emu.client()
        self.ranks: dict[tuple[str, str], float] = {}
        self.forget()

    def forget(self) -> None:
        self.rc: dict[int, float] = {}  # id -> created
        self.batches: dict[str, int] = {}  # id -> size
        self.fd: dict[str, float] = {}  # sid -> created
        self.sb: set[str] = set()
        r = self.c.post(
            "/restapi/oauth/token",
            auth=("id", "s"),
            data={"grant_type": "password", "username": "u", "password": "p"},
        )
        self.h, self.login_at = (
            {"Authorization": "Bearer " + r.json()["access_token"]},
            self.emu.time(),
        )

    def teardown(self) -> None:
        if hasattr(self, "emu"):
            self.c.close()
            self.emu.close()
            if self.tmp:
                self.tmp.cleanup()

    def seen(self, key: tuple[str, str], word: str) -> None:
        rank = STATUS_RANKS.get(word, 0)
        assert rank >= self.ranks.get(key, 0), f"{key}: status went back to {word}"
        self.ranks[key] = rank

    @rule(good=st.lists(US, max_size=3), bad=st.integers(0, 2))
    def rc_send(self, good: list[str], bad: int) -> None:
        tos = good + [BAD] * bad or [BAD]
        body = {"from": RC_FROM, "text": "hi", "messages": [{"to": [t]} for t in tos]}
        b = self.c.post(f"{RC}/batches", headers=self.h, json=body).json()
        refused = {i for i, t in enumerate(tos, 1) if t == BAD or t.endswith("6")}
        assert {e["index"] for e in b["rejected"]} == refused and b["creationTime"] == iso(
            self.emu.time()
        )
        listed = self.c.get(f"{RC}/messages", headers=self.h, params={"batchId": b["id"]})
        self.batches[b["id"]] = len(tos) - len(refused)
        self.rc.update({m["id"]: self.emu.time() for m in listed.json()["records"]})

    @rule(tos=st.lists(st.one_of(US, st.just(BAD)), min_size=1, max_size=3))
    def fd_send(self, tos: list[str]) -> None:
        body = {"Messages": [{"To": t, "From": FD_FROM, "Text": "b"} for t in tos]}
        for to, el in zip(
            tos, self.c.post(f"{FD}/BatchMessages", headers=FD_AUTH, json=body).json(), strict=True
        ):
            assert ("MessageSid" in el) == (to != BAD and not to.endswith("6")), el
            if "MessageSid" in el:
                self.fd[el["MessageSid"]] = self.emu.time()

    @rule(mobiles=st.lists(KE, min_size=1, max_size=3), bulk=st.booleans())
    def sb_send(self, mobiles: list[str], bulk: bool) -> None:
        items = [dict(SB, mobile=m) for m in [*mobiles, "0799"]]
        if bulk:
            r = self.c.post("/api/services/sendbulk", json={"count": len(items), "smslist": items})
        else:
            r = self.c.post("/api/services/sendsms", json=dict(SB, mobile=",".join(mobiles)))
        self.sb |= {str(r["messageid"]) for r in r.json()["responses"] if r["response-code"] == 200}

    @rule(sender=US)
    def reply(self, sender: str) -> None:
        self.rc[int(self.emu.inbound("ringcentral", sender, RC_FROM, "hello")["id"])] = (
            self.emu.time()
        )
        # a reply to the sender of a message it accepted (a refused one reached no one)
        sent = [m["to"] for m in self.emu.messages(provider="fonedynamics") if m["id"] in self.fd]
        if sent:
            self.fd[self.emu.inbound("fonedynamics", sent[0], FD_FROM, "yes")["id"]] = (
                self.emu.time()
            )

    @rule(seconds=st.one_of(st.sampled_from([0, 0.5, 1, 3, 8]), st.integers(1, 200_000)))
    def advance(self, seconds: float) -> None:
        before = self.emu.time()
        self.emu.advance(seconds=seconds)
        assert self.emu.time() == before + seconds
        if self.emu.time() - self.login_at > 3000:  # a real client logs in again
            rc, batches, fd, sb = self.rc, self.batches, self.fd, self.sb
            self.forget()
            self.rc, self.batches, self.fd, self.sb = rc, batches, fd, sb

    def insert(self, what: str) -> None:
        if what == "send":
            self.rc_send(["+14155550100"], 0)
            self.fd_send(["+14155550100"])
        elif what == "reply":
            self.reply("+14155550101")
        elif what == "tick":
            self.advance(1)

    def rc_walk(self, path: str, per_page: int, inserts: list[str]) -> tuple[list[Any], str]:
        params: dict[str, Any] = {"perPage": per_page, "dateFrom": SINCE}
        seen, first = [], None
        for step in range(10_000):
            body = self.c.get(f"{RC}/{path}", headers=self.h, params=params).json()
            seen += [r["id"] for r in body["records"]]
            for r in body["records"]:
                if path == "messages":
                    assert r["creationTime"] == iso(self.rc[r["id"]]), r
                    self.seen(("rc", r["id"]), r["messageStatus"])
                else:
                    assert r["batchSize"] == self.batches[r["id"]], r
                    assert (r["status"] == "Completed") == (r["processedCount"] == r["batchSize"])
            first = first or body["paging"].get("nextPageToken")
            if "nextPageToken" not in body["paging"]:
                return seen, first
            params["pageToken"] = body["paging"]["nextPageToken"]
            self.insert(inserts[step] if step < len(inserts) else "none")
        raise AssertionError("paging does not end")

    @rule(per_page=st.integers(1, 4), inserts=INSERTS, batches=st.booleans())
    def ringcentral_walk(self, per_page: int, inserts: list[str], batches: bool) -> None:
        expected = set(self.batches if batches else self.rc)
        seen, _ = self.rc_walk("batches" if batches else "messages", per_page, inserts)
        assert len(seen) == len(set(seen)) and set(seen) == expected, (seen, expected)

    @rule(count=st.integers(1, 4), inserts=INSERTS)
    def fonedynamics_walk(self, count: int, inserts: list[str]) -> None:
        params: dict[str, Any] = {"Results_Count": count}
        seen: list[str] = []
        for step in range(10_000):
            body = self.c.get(f"{FD}/Messages", headers=FD_AUTH, params=params).json()
            assert body["TotalCount"] == len(self.fd), body
            for m in body["Messages"]:
                assert m["Created"] == int(self.fd[m["MessageSid"]]), m
                self.seen(("fd", m["MessageSid"]), m["Status"])
            seen += [m["MessageSid"] for m in body["Messages"]]
            if "NextPageToken" not in body:
                break
            params["Page_Token"] = body["NextPageToken"]
            self.insert(inserts[step] if step < len(inserts) else "none")
        assert len(seen) == len(set(seen)) and set(seen) == set(self.fd)  # inserts included

    @rule()
    def reset(self) -> None:
        self.emu.reset()
        self.ranks.clear()
        self.forget()

    @invariant()
    def admin_and_summaries_match_the_model(self) -> None:
        records = self.c.get("/_emulator/messages").json()["messages"]
        kept = [r for r in records if r["status"] != "rejected"]
        ids = {
            p: {r["id"] for r in kept if r["provider"] == p}
            for p in ("ringcentral", "fonedynamics")
        }
        assert ids == {"ringcentral": {str(i) for i in self.rc}, "fonedynamics": set(self.fd)}
        sent = {
            r["id"] for r in kept if r["provider"] == "sendbulk" and r["direction"] == "outbound"
        }
        assert sent == {f"sendbulk-{m}" for m in self.sb}
        assert [r["created_at"] for r in records] == sorted(r["created_at"] for r in records)
        for r in records:
            assert r["created_at"] <= r["updated_at"] <= iso(self.emu.time()), r
            self.seen((r["provider"], r["id"]), r["status"])
        summary = self.c.get(f"{RC}/statuses", headers=self.h, params={"dateFrom": SINCE}).json()
        listed = self.c.get(f"{RC}/messages", headers=self.h, params={"dateFrom": SINCE}).json()
        check_status_counts(summary, listed["records"])


class PagingOnDisk(Paging):
    DB = True


SETTINGS = settings(
    max_examples=15, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
)
Paging.TestCase.settings = PagingOnDisk.TestCase.settings = SETTINGS
TestPagingInMemory = Paging.TestCase
TestPagingOnDisk = PagingOnDisk.TestCase
