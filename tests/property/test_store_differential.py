"""The memory store, the SQLite store and a SQLite store restarted now and then answer
every request alike.

Three emulators with the same scenario and seed get the same requests, through
all three providers and the admin API; every answer (status, headers, body) must
be the same byte for byte.  What a restart forgets by design (README, ``--db``:
the journal, the record of webhook attempts, the scenario's counters and the
rate-limit buckets) is left out for the restarted one only: its
``X-Rate-Limit-Remaining``, journal entries from before its latest restart (those
after must be the same, ids included), its webhook attempts and the inspector's
fingerprint.  Texts are never repeated, so no draw depends on an occurrence count.
Webhooks go to a receiver per emulator; what each received must be the same too.
RingCentral's consents (PATCH, DELETE, bulk-assign, inbound STOP/START) are read back
through every listing of them and their history, pages followed both ways; a restart
now and then finds its store as a version that kept no history left it (``upgrade_store``
must bring the history back).
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from providers.receiver import Receiver

from emulator import Emulator

RC = "/restapi/v1.0/account/~/a2p-sms"
SUBSCRIPTION = "/restapi/v1.0/subscription"
CONSENTS = "/restapi/v2/accounts/~/sms/consents"
FD = "/v2/Properties/SPROP"
SENDER = "+16505550100"
SENDERS = st.sampled_from([SENDER, "+16505550111"])
SINCE = "2000-01-01T00:00:00Z"
HOOK = "{hook}"  # replaced by each emulator's own receiver


def basic(user: str, password: str = "t") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


FD_ACCOUNTS = {"A": basic("ACA"), "B": basic("ACB")}
RC_APP = basic("id", "s")
PARTNERS = ("1234", "5678")
US = st.sampled_from(["+14155550101", "+14155550102", "+14155550109", "+15005550006"])
BAD_US = st.sampled_from(["+4088070206", "12"])
AU = st.sampled_from(["+61412345670", "+61412345671", "+61412345679"])
KE = st.sampled_from(["254712345678", "0712345679", "254712345670", "0799"])
STATUSES = st.sampled_from(["Queued", "Sent", "Delivered", "DeliveryFailed", "SendingFailed"])
#: A token a page gives: where ``rc_follow`` goes next.
WHICH = st.sampled_from(["nextPageToken", "previousPageToken", "firstPageToken"])
OPT = st.sampled_from(["OptOut", "OptIn"])
CONSENT = st.fixed_dictionaries(
    {
        "from": SENDERS,
        "to": st.one_of(US, US.map(lambda n: n.lstrip("+"))),  # the same numbers, spelled two ways
        "optStatus": OPT,
        "source": st.sampled_from(["Api", "Recipient", "Upstream", "Carrier"]),
    }
)
#: A record of a consents PATCH that fails alone.
BAD_CONSENT = st.one_of(
    CONSENT.map(lambda r: {**r, "to": "12"}),
    CONSENT.map(lambda r: {**r, "optStatus": "Pending"}),
    CONSENT.map(lambda r: {k: v for k, v in r.items() if k != "source"}),
    CONSENT.map(lambda r: {**r, "from": "*"}),
    st.just(5),
)
HISTORY_NAMESPACE = "ringcentral.optout.history"


def scenario(url: str) -> dict[str, Any]:
    """Seeded fates with jitter and rules by recipient; sendbulk callbacks to ``url``."""
    return {
        "seed": 11,
        "timing": {"processing": "2s", "sent": "1s", "delivered": "5s", "jitter": "3s"},
        "rules": [
            {"when": {"to": "*06"}, "outcome": "invalid_number"},
            {"when": {"to": "*79"}, "outcome": "undeliverable"},
            {
                "outcome": {
                    "delivered": 0.7,
                    "undeliverable": 0.1,
                    "no_receipt": 0.1,
                    "send_failed": 0.1,
                }
            },
        ],
        "providers": {"sendbulk": {"dlr_callback_url": f"{url}/dlr", "inbound_url": f"{url}/in"}},
    }


class Side:
    """One emulator under test, its client and webhook receiver."""

    def __init__(self, db: str | None, restarts: bool) -> None:
        self.db, self.restarts = db, restarts
        self.receiver = Receiver().start()
        self.port = self.receiver.url.rsplit(":", 1)[1]
        self.emu = self.open()
        self.client = self.emu.client()
        #: The journal id of the last request before the latest restart.
        self.journal_before = 0

    def open(self) -> Emulator:
        return Emulator(scenario=scenario(self.receiver.url), clock="virtual", seed=5, db=self.db)

    def restart(self, older: bool = False) -> None:
        """Close and open again; ``older``: the store as a version that kept no consent
        history would have left it (each current record's change gone, and the mark)."""
        if older:
            store = self.emu.store
            for _, record in store.state_items("ringcentral.optout"):
                store.delete_state(HISTORY_NAMESPACE, str(record["seq"]))
            store.put_meta("ringcentral.optout.format", None)
        self.client.close()
        self.emu.close()
        self.emu = self.open()
        self.client = self.emu.client()
        self.journal_before = self.emu.journal.last_id

    def close(self) -> None:
        self.client.close()
        self.emu.close()
        self.receiver.stop()

    def own(self, value: Any) -> Any:
        """``value`` with ``HOOK`` made this side's receiver URL."""
        return json.loads(json.dumps(value).replace(HOOK, self.receiver.url))

    def neutral(self, raw: bytes) -> bytes:
        """``raw`` with this side's receiver port and wall-clock durations blanked."""
        # the port only where it follows the host (a port's digits may be in a number)
        for colon in (b":", b"%3A", b"%3a"):
            raw = raw.replace(b"127.0.0.1" + colon + self.port.encode(), b"127.0.0.1:PORT")
        return re.sub(rb'"duration_ms":[0-9.e+-]+', b'"duration_ms":0', raw)

    def received(self) -> list[tuple[str, str, bytes]]:
        return [(r.method, r.path, self.neutral(r.body)) for r in self.receiver.requests]


def answer(
    side: Side, response: httpx.Response, path: str, restarted: Side | None = None
) -> tuple[Any, ...]:
    """What is compared of ``response`` (from ``side``): status, headers and body; for a
    comparison with ``restarted``, less what its restarts forgot."""
    body = side.neutral(response.content)
    headers = dict(response.headers)
    # the body's length: the body is compared (blanked ports and durations change it)
    headers.pop("content-length", None)
    if restarted is not None:
        headers.pop("x-rate-limit-remaining", None)  # buckets restart with the server
        body = forgotten_by_a_restart(restarted, path, body)
        if path.startswith("/_emulator/ui"):
            body = re.sub(rb'data-version="[^"]*"', b"", body)  # counts webhook attempts
    return response.status_code, sorted(headers.items()), body


def forgotten_by_a_restart(side: Side, path: str, body: bytes) -> bytes:
    """``body`` less what a restart forgets by design (what the reference's loses alike)."""
    if path == "/_emulator/requests":
        entries = json.loads(body)["requests"]
        kept = [e for e in entries if e["id"] > side.journal_before]
        for entry in kept:
            entry["response_headers"].pop("x-rate-limit-remaining", None)
        return json.dumps(kept).encode()
    if path == "/_emulator/webhooks":
        return json.dumps(json.loads(body)["pending"]).encode()
    if path.startswith(("/_emulator/messages/", "/_emulator/batches/")):
        data = json.loads(body)
        for detail in data.values():
            if isinstance(detail, dict):
                detail.pop("request", None)
                if isinstance(detail.get("webhooks"), dict):
                    detail["webhooks"].pop("attempts", None)
        return json.dumps(data).encode()
    return body


def first_difference(got: tuple[Any, ...], expected: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where ``got`` and ``expected`` (status, headers, body) part, for the failure message."""
    if got[:2] != expected[:2]:
        return got[:2], expected[:2]
    a, b = got[2], expected[2]
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return a[max(0, at - 300) : at + 300], b[max(0, at - 300) : at + 300]


class SameAnswers(RuleBasedStateMachine):
    """The model is the memory emulator: the others must answer as it does."""

    rc_tokens = Bundle("rc_tokens")
    fd_tokens = Bundle("fd_tokens")

    @initialize()
    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.sides = [
            Side(None, restarts=False),
            Side(os.path.join(self.tmp.name, "disk.db"), restarts=False),
            Side(os.path.join(self.tmp.name, "restarted.db"), restarts=True),
        ]
        self.texts = 0
        self.rc_batches: list[str] = []
        self.rc_messages: list[str] = []
        self.fd_sids: list[str] = []
        self.sb_ids: list[str] = []
        self.subscriptions: list[str] = []
        self.login()

    def teardown(self) -> None:
        for side in getattr(self, "sides", ()):
            side.close()
        if hasattr(self, "tmp"):
            self.tmp.cleanup()

    def text(self, word: str) -> str:
        self.texts += 1
        return f"{word} {self.texts}"

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send the request to every side; assert they answer alike; the model's answer."""
        responses = [side.client.request(method, path, **side.own(kwargs)) for side in self.sides]
        model, reference = self.sides[0], responses[0]
        for side, response in zip(self.sides[1:], responses[1:], strict=True):
            restarted = side if side.restarts else None
            expected = answer(model, reference, path, restarted)
            got = answer(side, response, path, restarted)
            assert got == expected, (method, path, side.db, *first_difference(got, expected))
        return reference

    def each(self, act: Callable[[Emulator], Any]) -> None:
        """``act`` on every side's emulator: the same result, or the same error."""
        results = []
        for side in self.sides:
            try:
                results.append(act(side.emu))
            except ValueError as exc:
                results.append(repr(exc))
        for got in results[1:]:
            assert got == results[0], (got, results[0])

    def login(self) -> None:
        response = self.call(
            "POST",
            "/restapi/oauth/token",
            headers=RC_APP,
            data={"grant_type": "password", "username": "u", "password": "p"},
        )
        self.rc = {"Authorization": "Bearer " + response.json()["access_token"]}
        self.refresh = response.json()["refresh_token"]
        self.logged_in = self.sides[0].emu.time()

    # RingCentral
    @rule(tos=st.lists(st.one_of(US, BAD_US), min_size=1, max_size=4), default=st.booleans())
    def rc_send(self, tos: list[str], default: bool) -> None:
        if default:
            body = {"from": SENDER, "text": self.text("hi"), "messages": [{"to": [t]} for t in tos]}
        else:
            body = {"from": SENDER, "messages": [{"to": [t], "text": self.text("m")} for t in tos]}
        response = self.call("POST", f"{RC}/batches", headers=self.rc, json=body)
        if response.status_code == 201:
            self.rc_batches.append(response.json()["id"])

    def page(
        self, method: str, path: str, query: dict[str, Any], which: str
    ) -> tuple[tuple[Any, ...], httpx.Response]:
        """Read a page: ``(method, path, query, token)``, ``which`` token of its paging (or
        its next, or its first) for ``rc_follow``, and the answer."""
        if method == "POST":
            response = self.call(method, path, headers=self.rc, json=query)
        else:
            response = self.call(method, path, headers=self.rc, params=query)
        paging = response.json().get("paging", {}) if response.status_code == 200 else {}
        token = paging.get(which) or paging.get("nextPageToken") or paging.get("firstPageToken")
        return (method, path, query, token), response

    @rule(
        target=rc_tokens,
        which=WHICH,
        path=st.sampled_from(["messages", "batches"]),
        per_page=st.integers(1, 3),
        filters=st.fixed_dictionaries(
            {},
            optional={
                "status": st.lists(STATUSES, min_size=1, max_size=2),
                "direction": st.sampled_from(["Inbound", "Outbound"]),
                "phoneNumber": US,
                "batch": st.booleans(),
                "dateTo": st.integers(0, 40),
                "from": st.just(SENDER),
            },
        ),
    )
    def rc_list(
        self, which: str, path: str, per_page: int, filters: dict[str, Any]
    ) -> tuple[Any, ...]:
        params: dict[str, Any] = {"perPage": per_page, "dateFrom": SINCE}
        for key, value in filters.items():
            if key == "batch":
                if value and self.rc_batches and path == "messages":
                    params["batchId"] = self.rc_batches[-1]
            elif key == "dateTo":
                params["dateTo"] = f"2026-01-01T00:00:{value:02d}Z"
            elif (key == "from") == (path == "batches"):
                params[key] = value
        found, response = self.page("GET", f"{RC}/{path}", params, which)
        for record in response.json().get("records", []) if path == "messages" else ():
            self.rc_messages.append(str(record["id"]))
        return found

    @rule(target=rc_tokens, page=rc_tokens, which=WHICH)
    def rc_follow(self, page: tuple[Any, ...], which: str) -> tuple[Any, ...]:
        """A page token issued earlier (before a restart, a reset, more sends) still reads;
        its page's tokens (next, previous, first) are followed in turn."""
        method, path, query, token = page
        if not token:
            return page
        return self.page(method, path, {**query, "pageToken": token}, which)[0]

    @rule(data=st.data())
    def rc_get(self, data: st.DataObject) -> None:
        if self.rc_batches:
            batch = data.draw(st.sampled_from(self.rc_batches))
            self.call("GET", f"{RC}/batches/{batch}", headers=self.rc)
        if self.rc_messages:
            message = data.draw(st.sampled_from(self.rc_messages))
            self.call("GET", f"{RC}/messages/{message}", headers=self.rc)
        self.call("GET", f"{RC}/statuses", headers=self.rc, params={"dateFrom": SINCE})

    def consents_now(self) -> None:
        """The newest consent changes and every pair's state, read after each change to
        them (and after a restart: its indexes built again)."""
        self.call("GET", f"{CONSENTS}/history", headers=self.rc, params={"perPage": 3})
        self.call("GET", CONSENTS, headers=self.rc, params={"optStatus": ["OptOut", "OptIn"]})

    @rule(
        sender=SENDERS,
        outs=st.lists(st.one_of(US, BAD_US), max_size=3),
        ins=st.lists(st.one_of(US, BAD_US), max_size=2),
        csv=st.booleans(),
    )
    def rc_opt_outs(self, sender: str, outs: list[str], ins: list[str], csv: bool) -> None:
        """``bulk-assign`` (a number in both lists, twice, or invalid too), and the list."""
        if outs or ins:
            body = {"from": sender, "optOuts": outs, "optIns": ins}
            self.call("POST", f"{RC}/opt-outs/bulk-assign", headers=self.rc, json=body)
            self.consents_now()
        accept = {"Accept": "text/csv"} if csv else {}
        self.call("GET", f"{RC}/opt-outs", headers={**self.rc, **accept}, params={"from": sender})

    @rule(
        action=st.sampled_from(["create", "list", "renew", "delete"]),
        expires=st.sampled_from([900, 3600, 604_800]),
    )
    def rc_subscription(self, action: str, expires: int) -> None:
        if action == "create":
            body = {
                "eventFilters": [
                    f"{RC}/batches",
                    f"{RC}/messages?direction=Inbound",
                    f"{SUBSCRIPTION}/~?threshold=600&interval=300",
                ],
                "deliveryMode": {"transportType": "WebHook", "address": f"{HOOK}/rc"},
                "expiresIn": expires,
            }
            response = self.call("POST", SUBSCRIPTION, headers=self.rc, json=body)
            if response.status_code == 200:
                self.subscriptions.append(response.json()["id"])
        elif action == "list" or not self.subscriptions:
            self.call("GET", SUBSCRIPTION, headers=self.rc)
        elif action == "renew":
            self.call("POST", f"{SUBSCRIPTION}/{self.subscriptions[-1]}/renew", headers=self.rc)
        else:
            self.call("DELETE", f"{SUBSCRIPTION}/{self.subscriptions.pop()}", headers=self.rc)

    @rule()
    def rc_refresh(self) -> None:
        form = {"grant_type": "refresh_token", "refresh_token": self.refresh}
        response = self.call("POST", "/restapi/oauth/token", headers=RC_APP, data=form)
        if response.status_code == 200:
            self.rc = {"Authorization": "Bearer " + response.json()["access_token"]}
            self.refresh = response.json()["refresh_token"]

    # Fone Dynamics
    @rule(
        account=st.sampled_from(sorted(FD_ACCOUNTS)),
        tos=st.lists(st.one_of(AU, st.just("x")), min_size=1, max_size=3),
        batch=st.booleans(),
        receipt=st.booleans(),
        sender=st.sampled_from([None, "+61400000000", "Shop"]),
        later=st.sampled_from([None, 0, 5, 100]),
    )
    def fd_send(
        self,
        account: str,
        tos: list[str],
        batch: bool,
        receipt: bool,
        sender: str | None,
        later: int | None,
    ) -> None:
        items = []
        for to in tos:
            item: dict[str, Any] = {"To": to, "Text": self.text("fd")}
            if later is not None:
                item["Schedule"] = int(self.sides[0].emu.time()) + later
            if sender:
                item["From"] = sender
            if receipt:
                item["DeliveryReceiptWebhookUri"] = f"{HOOK}/fd"
            items.append(item)
        headers = FD_ACCOUNTS[account]
        if batch:
            response = self.call(
                "POST", f"{FD}/BatchMessages", headers=headers, json={"Messages": items}
            )
            found = response.json() if response.status_code == 200 else []
        else:
            response = self.call("POST", f"{FD}/Messages", headers=headers, json=items[0])
            found = [response.json().get("Message") or {}] if response.status_code == 200 else []
        self.fd_sids += [m["MessageSid"] for m in found if m.get("MessageSid")]

    @rule(target=fd_tokens, account=st.sampled_from(sorted(FD_ACCOUNTS)), count=st.integers(1, 3))
    def fd_list(self, account: str, count: int) -> tuple[str, int, str | None]:
        response = self.call(
            "GET", f"{FD}/Messages", headers=FD_ACCOUNTS[account], params={"Results_Count": count}
        )
        return account, count, response.json().get("NextPageToken")

    @rule(page=fd_tokens)
    def fd_follow(self, page: tuple[str, int, str | None]) -> None:
        account, count, token = page
        if token:
            params = {"Results_Count": count, "Page_Token": token}
            self.call("GET", f"{FD}/Messages", headers=FD_ACCOUNTS[account], params=params)

    @rule(data=st.data(), account=st.sampled_from(sorted(FD_ACCOUNTS)))
    def fd_get(self, data: st.DataObject, account: str) -> None:
        if self.fd_sids:
            sid = data.draw(st.sampled_from(self.fd_sids))
            self.call("GET", f"/v2/Messages/{sid}", headers=FD_ACCOUNTS[account])

    # sendbulk
    @rule(
        partner=st.sampled_from(PARTNERS),
        mobiles=st.lists(KE, min_size=1, max_size=3),
        endpoint=st.sampled_from(["sendbulk", "sendsms", "sendotp"]),
    )
    def sb_send(self, partner: str, mobiles: list[str], endpoint: str) -> None:
        creds = {"partnerID": partner, "apikey": "k", "shortcode": "SHOP"}
        if endpoint == "sendbulk":
            items = [
                dict(creds, mobile=m, message=self.text("sb"), clientsmsid=i)
                for i, m in enumerate(mobiles)
            ]
            body: dict[str, Any] = {"count": len(items), "smslist": items}
        else:
            body = dict(creds, mobile=",".join(mobiles), message=self.text("sb"))
        response = self.call("POST", f"/api/services/{endpoint}", json=body)
        for row in response.json().get("responses", []):
            if row.get("messageid"):
                self.sb_ids.append(str(row["messageid"]))

    @rule(data=st.data(), partner=st.sampled_from(PARTNERS))
    def sb_reports(self, data: st.DataObject, partner: str) -> None:
        creds = {"partnerID": partner, "apikey": "k"}
        self.call("POST", "/api/services/getbalance", json=creds)
        if self.sb_ids:
            messageid = data.draw(st.sampled_from(self.sb_ids))
            self.call("GET", "/api/services/getdlr", params=dict(creds, messageID=messageid))

    # everyone
    @rule(data=st.data(), word=st.sampled_from(["STOP", "START", "hello"]))
    def inbound(self, data: st.DataObject, word: str) -> None:
        provider = data.draw(st.sampled_from(["ringcentral", "fonedynamics", "sendbulk"]))
        text = word if word != "hello" else self.text(word)
        if provider == "ringcentral":
            sender, to = data.draw(US), SENDER
        elif provider == "sendbulk":
            sender, to = data.draw(KE), "SHOP"
        else:  # a reply to a leased number or to a sender's own, else refused
            leases = self.sides[0].emu.provider_view("fonedynamics", "leases")
            pairs = [(lease["Recipient"], lease["Number"]) for lease in leases]
            sender, to = data.draw(st.sampled_from([*pairs, (data.draw(AU), "+61400000000")]))
        self.each(lambda emu: emu.inbound(provider, sender, to, text))
        if provider == "ringcentral":
            self.consents_now()

    @rule(seconds=st.sampled_from([0.5, 1, 2, 3, 7, 60, 4000, 700_000]))
    def advance(self, seconds: float) -> None:
        self.each(lambda emu: emu.advance(seconds=seconds))
        if self.sides[0].emu.time() - self.logged_in > 3000:
            self.login()

    @rule(
        query=st.fixed_dictionaries(
            {},
            optional={
                "provider": st.sampled_from(["ringcentral", "fonedynamics", "sendbulk"]),
                "status": st.sampled_from(["queued", "sent", "delivered", "failed", "rejected"]),
                "to": st.one_of(US, AU, KE),
            },
        )
    )
    def admin_lists(self, query: dict[str, str]) -> None:
        self.call("GET", "/_emulator/messages", params=query)
        self.call("GET", "/_emulator/batches")
        self.call("GET", "/_emulator/requests")
        self.call("GET", "/_emulator/webhooks")
        self.call("GET", "/_emulator/providers/fonedynamics/leases")
        self.call("GET", "/_emulator/ui")

    @rule(data=st.data())
    def admin_details(self, data: st.DataObject) -> None:
        records = self.call("GET", "/_emulator/messages").json()["messages"]
        if records:
            record = data.draw(st.sampled_from(records))
            self.call("GET", f"/_emulator/messages/{record['id']}")
            if record["batch_id"]:
                self.call("GET", f"/_emulator/batches/{record['batch_id']}")

    @rule()
    def reset(self) -> None:
        self.call("POST", "/_emulator/reset")
        self.rc_batches, self.rc_messages, self.fd_sids, self.sb_ids = [], [], [], []
        self.subscriptions = []
        self.login()

    @rule(failures=st.integers(1, 3))
    def receivers_fail(self, failures: int) -> None:
        """The next webhooks fail (retried later, and kept pending across a restart)."""
        for side in self.sides:
            side.receiver.statuses += [500] * failures

    @rule(
        records=st.lists(st.one_of(CONSENT, CONSENT, BAD_CONSENT), min_size=1, max_size=4),
        again=st.sampled_from([None, "OptOut", "OptIn"]),
    )
    def rc_consents(self, records: list[Any], again: str | None) -> None:
        """A consents PATCH: failing records among the others, a pair set twice."""
        if again is not None and isinstance(records[0], dict):
            records.append({**records[0], "optStatus": again})  # the same pair once more
        self.call("PATCH", CONSENTS, headers=self.rc, json={"records": records})
        self.consents_now()

    @rule(
        records=st.lists(
            st.fixed_dictionaries({"from": st.one_of(SENDERS, st.just("*")), "to": US})
            | st.fixed_dictionaries({"from": st.sampled_from(["*", "x"]), "to": BAD_US}),
            min_size=1,
            max_size=3,
        )
    )
    def rc_consents_delete(self, records: list[dict[str, str]]) -> None:
        """A consents DELETE: a pair's state is forgotten (``*``: of every sender), not its
        history."""
        self.call("DELETE", CONSENTS, headers=self.rc, json={"records": records})
        self.consents_now()

    @rule(
        target=rc_tokens,
        which=WHICH,
        kind=st.sampled_from(["list", "search", "history", "opt-outs"]),
        statuses=st.lists(OPT, max_size=2),
        senders=st.lists(SENDERS, max_size=2),
        tos=st.lists(US, max_size=2),
        per_page=st.integers(1, 3),
    )
    def rc_consent_reads(
        self,
        which: str,
        kind: str,
        statuses: list[str],
        senders: list[str],
        tos: list[str],
        per_page: int,
    ) -> tuple[Any, ...]:
        """A page of the consents (listed or searched), of their history (``to``
        filtered or not) or of the deprecated opt-out list."""
        if kind == "search":
            body: dict[str, Any] = {"perPage": per_page}
            for name, values in (("from", senders), ("to", tos)):
                if values:
                    body[name] = values
            if statuses:
                body["optStatus"] = statuses[0]
            return self.page("POST", f"{CONSENTS}/search", body, which)[0]
        if kind == "history":
            return self.page("GET", f"{CONSENTS}/history", {"to": tos, "perPage": per_page}, which)[
                0
            ]
        if kind == "opt-outs":
            status = {0: "optout", 1: "OptIn", 2: "all"}[len(statuses)]
            params = {"status": status, "from": senders[0] if senders else "*", "perPage": per_page}
            if tos:
                params["to"] = tos[0]
            return self.page("GET", f"{RC}/opt-outs", params, which)[0]
        self.call("GET", f"{CONSENTS}/export", headers=self.rc)
        params = {"optStatus": statuses, "from": senders, "to": tos, "perPage": per_page}
        return self.page("GET", CONSENTS, params, which)[0]

    @rule(older=st.booleans())
    def restart(self, older: bool) -> None:
        self.sides[2].restart(older)
        self.consents_now()

    @invariant()
    def same_webhooks_pending_and_received(self) -> None:
        if hasattr(self, "sides"):
            pending = [
                side.neutral(json.dumps(side.emu.webhook_report()["pending"]).encode())
                for side in self.sides
            ]
            assert pending[1] == pending[0]
            assert pending[2] == pending[0]
            received = [side.received() for side in self.sides]
            assert received[1] == received[0]
            assert received[2] == received[0]


SameAnswers.TestCase.settings = settings(
    max_examples=20, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)
)
TestSameAnswers = SameAnswers.TestCase
