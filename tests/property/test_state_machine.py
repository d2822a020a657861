"""A stateful model of a client session across all three providers.

Rules send batches, advance the clock, page through listings and simulate
inbound replies; after every step the invariants must hold: the emulator's
records are consistent, every recipient is accounted for, statuses only move
forward, listings return each message once, and RingCentral's statuses
summary equals its message list.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from emulator.testing.helpers import InProcessEmulator
from emulator.testing.invariants import (
    check_emulator_state,
    check_fonedynamics_batch,
    check_pages,
    check_ringcentral_batch,
    check_sendbulk_responses,
    check_status_counts,
    check_statuses_forward,
)
from emulator.testing.strategies import (
    e164_numbers,
    fonedynamics_batch_bodies,
    kenyan_msisdns,
    ringcentral_batch_bodies,
    scenarios,
    sendbulk_bulk_bodies,
)

from ._api import (
    FD_AUTH,
    FD_PROPERTY,
    RC_API,
    SINCE,
    fonedynamics_pages,
    ringcentral_headers,
    ringcentral_pages,
)

SMALL = {"max_messages": 4}


class ClientSession(RuleBasedStateMachine):
    """One emulator; the model is what was sent and every status seen so far."""

    @initialize(scenario=scenarios(outcomes=["delivered", "undeliverable", "no_receipt"]))
    def start(self, scenario: dict[str, Any]) -> None:
        self.emu = InProcessEmulator(scenario=scenario)
        self.client = self.emu.client()
        self.rc_headers = ringcentral_headers(self.client)
        self.logged_in_at = self.emu.time()
        self.rc_ids: list[int] = []
        self.fd_sids: list[str] = []
        self.fd_pairs: list[tuple[str, str]] = []  # (recipient, sender) of accepted messages
        self.snapshots: list[dict[tuple[str, str], str]] = []

    def teardown(self) -> None:
        if hasattr(self, "emu"):
            self.client.close()
            self.emu.close()

    @rule(body=ringcentral_batch_bodies(bad_items=True, **SMALL))
    def send_ringcentral_batch(self, body: dict[str, Any]) -> None:
        response = self.client.post(f"{RC_API}/batches", headers=self.rc_headers, json=body)
        assert response.status_code == 201, response.text
        batch = response.json()
        listed = [m for page in self._rc_pages(1000, batchId=batch["id"]) for m in page]
        check_ringcentral_batch(body, batch, listed)
        self.rc_ids += [m["id"] for m in listed]

    @rule(body=fonedynamics_batch_bodies(bad_items=True, **SMALL))
    def send_fonedynamics_batch(self, body: dict[str, Any]) -> None:
        response = self.client.post(
            f"/v2/Properties/{FD_PROPERTY}/BatchMessages", headers=FD_AUTH, json=body
        )
        assert response.status_code == 200, response.text
        check_fonedynamics_batch(body, response.json())
        accepted = [m for m in response.json() if m.get("MessageSid")]
        self.fd_sids += [m["MessageSid"] for m in accepted]
        self.fd_pairs += [(m["To"], m["From"]) for m in accepted if m["From"].startswith("+")]

    @rule(body=sendbulk_bulk_bodies(bad_items=True, **SMALL))
    def send_sendbulk_batch(self, body: dict[str, Any]) -> None:
        response = self.client.post("/api/services/sendbulk", json=body)
        assert response.status_code == 200
        check_sendbulk_responses([i["mobile"] for i in body["smslist"]], response.json())

    @rule(seconds=st.sampled_from([0.5, 1, 2, 5, 30, 3600]))
    def advance(self, seconds: float) -> None:
        before = self.emu.time()
        self.emu.advance(seconds=seconds)
        assert self.emu.time() == before + seconds
        if self.emu.time() - self.logged_in_at > 3000:  # a real client renews its token
            self.rc_headers = ringcentral_headers(self.client)
            self.logged_in_at = self.emu.time()

    @rule(sender=e164_numbers(), to=e164_numbers(), text=st.sampled_from(["STOP", "Yes 👍"]))
    def inbound_ringcentral(self, sender: str, to: str, text: str) -> None:
        record = self.emu.inbound("ringcentral", sender, to, text)
        assert record["direction"] == "inbound" and record["text"] == text

    @precondition(lambda self: self.fd_pairs)
    @rule(data=st.data(), text=st.sampled_from(["Yes please", "Thanks"]))
    def inbound_fonedynamics(self, data: st.DataObject, text: str) -> None:
        # A reply comes from someone a message was sent to, to the number it came from.
        recipient, sender = data.draw(st.sampled_from(self.fd_pairs), label="conversation")
        record = self.emu.inbound("fonedynamics", recipient, sender, text)
        assert (record["from"], record["to"], record["text"]) == (recipient, sender, text)

    @rule(sender=kenyan_msisdns(forms=("254",)), text=st.sampled_from(["HELP", "Asante"]))
    def inbound_sendbulk(self, sender: str, text: str) -> None:
        record = self.emu.inbound("sendbulk", sender, "SHOP", text)
        assert record["provider"] == "sendbulk"

    @precondition(lambda self: self.rc_ids)
    @rule(per_page=st.integers(1, 5))
    def page_ringcentral(self, per_page: int) -> None:
        pages = self._rc_pages(per_page, direction="Outbound")
        check_pages(pages, expected=self.rc_ids)

    @precondition(lambda self: self.fd_sids)
    @rule(count=st.integers(1, 5))
    def page_fonedynamics(self, count: int) -> None:
        pages = fonedynamics_pages(self.client, count)
        outbound = [[m for m in page if m["Direction"] == "Transmit"] for page in pages]
        check_pages(outbound, key="MessageSid", expected=self.fd_sids)

    def _rc_pages(self, per_page: int, **params: Any) -> list[list[dict[str, Any]]]:
        return ringcentral_pages(self.client, self.rc_headers, per_page, **params)

    @invariant()
    def records_are_consistent(self) -> None:
        if hasattr(self, "emu"):
            check_emulator_state(self.emu)

    @invariant()
    def statuses_only_move_forward(self) -> None:
        if hasattr(self, "emu"):
            snapshot = {(m["provider"], m["id"]): m["status"] for m in self.emu.messages()}
            self.snapshots.append(snapshot)
            check_statuses_forward(self.snapshots[-2:])

    @invariant()
    def ringcentral_summary_matches_its_list(self) -> None:
        if hasattr(self, "emu") and self.rc_ids:
            params = {"dateFrom": SINCE}
            summary = self.client.get(
                f"{RC_API}/statuses", headers=self.rc_headers, params=params
            ).json()
            listed = [m for page in self._rc_pages(1000) for m in page]
            check_status_counts(summary, listed)


ClientSession.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestClientSession = ClientSession.TestCase
