"""The opt-out and consent listings, page by page, against a straightforward reference.

The reference reads every stored opt record, filters and sorts them by ``seq`` and
pages the list in memory: what the listings did before they had an index.  Random
opt-ins, opt-outs and deletions (some of another account), restarts of a ``--db``
emulator and resets in between; each answer (records, order, paging tokens) must be the
reference's, at the first page, at every token a client following the links holds, and
at tokens naming any position.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import Emulator
from emulator.providers.ringcentral import optouts
from emulator.providers.ringcentral.auth import DEFAULT_ACCOUNT_ID
from emulator.providers.ringcentral.consents import consent_record
from emulator.providers.ringcentral.optouts import forget, set_status
from emulator.providers.ringcentral.paging import (
    FIRST,
    NEXT,
    PREVIOUS,
    Cursor,
    decode_cursor,
    encode_cursor,
    list_pager,
    paginate,
)

from .conftest import A2P, login

CONSENTS = "/restapi/v2/accounts/~/sms/consents"
SENDERS = ["+16505550100", "+16505550111", "+16505550122"]
RECIPIENTS = [f"+1415555{n:04d}" for n in range(12)]
UNKNOWN = "+19995550100"
OTHER_ACCOUNT = "other-account"


def _seq(record: dict[str, Any]) -> int:
    return record["seq"]


def _optout_body(record: dict[str, Any]) -> dict[str, str]:
    return {k: record[k] for k in ("from", "to", "status", "source")}


def reference(
    emu: Emulator,
    kind: str,
    keep: Callable[[dict[str, Any]], bool],
    per_page: int,
    token: str | None,
    body_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """The page as a scan of every record, sorted and paged in memory, answers it."""
    found = [
        r
        for _, r in emu.store.state_items("ringcentral.optout")
        if r["tenant"] == DEFAULT_ACCOUNT_ID and keep(r)
    ]
    found.sort(key=_seq)
    if token:
        cursor = decode_cursor(token, kind)
    else:
        cursor = Cursor(kind, FIRST, 0)
        token = encode_cursor(cursor)
    page = paginate(cursor, per_page, *list_pager(found, _seq), _seq, token)
    return {"records": [body_of(r) for r in page.records], "paging": page.paging}


class Checker:
    """Lists through the API and compares each answer with ``reference``."""

    def __init__(self, emu: Emulator, rng: random.Random) -> None:
        self.emu = emu
        self.rng = rng
        self.http = emu.client()
        token = login(self.http)["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.tokens: dict[str, list[str]] = {"o": [], "k": []}  # from earlier lives too

    def optouts(self, params: dict[str, Any]) -> dict[str, Any]:
        response = self.http.get(f"{A2P}/opt-outs", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def consents(self, params: dict[str, Any], search: bool) -> dict[str, Any]:
        if search:
            response = self.http.post(f"{CONSENTS}/search", json=params, headers=self.headers)
        else:
            response = self.http.get(CONSENTS, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def a_token(self, kind: str) -> str:
        """A token a client could hold: one seen before (maybe before a restart or a
        reset) or one naming any position."""
        rng = self.rng
        seen = self.tokens[kind]
        if seen and rng.random() < 0.6:
            return rng.choice(seen)
        where = rng.choice([NEXT, PREVIOUS, FIRST])
        return encode_cursor(Cursor(kind, where, rng.randrange(1, 80)))

    def check_optouts(self) -> None:
        rng = self.rng
        status = rng.choice([None, "optout", "optin", "all", "OptIn", " ALL "])
        sender = rng.choice([None, None, "*", UNKNOWN, *SENDERS])
        recipient = rng.choice([None, None, None, "*", UNKNOWN, *RECIPIENTS])
        wanted = {"optout": {"OptOut"}, "optin": {"OptIn"}, "all": {"OptOut", "OptIn"}}[
            (status or "optout").strip().lower()
        ]

        def keep(r: dict[str, Any]) -> bool:
            return (
                r["status"] in wanted
                and sender in (None, "*", r["from"])
                and recipient in (None, "*", r["to"])
            )

        params: dict[str, Any] = {
            k: v for k, v in (("status", status), ("from", sender), ("to", recipient)) if v
        }
        per_page = rng.choice([None, 1, 2, 3, 5])
        if per_page is not None:
            params["perPage"] = per_page
        self.walk("o", params, keep, per_page or 1000, _optout_body, self.optouts)

    def check_consents(self) -> None:
        rng = self.rng
        search = rng.random() < 0.4
        statuses = rng.choice([[], ["OptOut"], ["OptIn"], ["OptIn", "OptOut"]])
        if search:
            statuses = statuses[:1]  # a search names one status
        senders = rng.sample([UNKNOWN, *SENDERS], rng.choice([0, 0, 1, 2, 3]))
        recipients = rng.sample([UNKNOWN, *RECIPIENTS], rng.choice([0, 0, 0, 1, 2, 4]))
        coverage = rng.choice([[], [], ["PhoneNumber"], ["Account"], ["Account", "PhoneNumber"]])
        campaign = rng.choice([[]] * 6 + [["Promotional"]])
        wanted = set(statuses or ["OptOut"])
        excluded = bool(campaign) or (bool(coverage) and "PhoneNumber" not in coverage)

        def keep(r: dict[str, Any]) -> bool:
            return (
                not excluded
                and r["status"] in wanted
                and (not senders or r["from"] in senders)
                and (not recipients or r["to"] in recipients)
            )

        per_page = rng.choice([None, 1, 2, 4])
        params: dict[str, Any] = {}
        if search:
            params = {"optStatus": statuses[0]} if statuses else {}
            params |= {"from": senders or None, "to": recipients or None}
            params |= {"coverage": coverage or None, "campaignType": campaign or None}
        else:
            params = {"optStatus": statuses, "from": senders, "to": recipients}
            params |= {"coverage": coverage, "campaignType": campaign}
        if per_page is not None:
            params["perPage"] = per_page
        self.walk(
            "k",
            params,
            keep,
            per_page or 100,
            consent_record,
            lambda p: self.consents(p, search),
        )

    def walk(
        self,
        kind: str,
        params: dict[str, Any],
        keep: Callable[[dict[str, Any]], bool],
        per_page: int,
        body_of: Callable[[dict[str, Any]], dict[str, Any]],
        ask: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        """The first page, pages a client following the links reaches, any token's page."""
        for start in (None, self.a_token(kind)):
            token = start
            for _ in range(self.rng.randrange(1, 6)):
                asked = dict(params) if token is None else {**params, "pageToken": token}
                got = ask(asked)
                assert got == reference(self.emu, kind, keep, per_page, token, body_of), asked
                links = [got["paging"].get(k) for k in ("nextPageToken", "previousPageToken")]
                links = [link for link in links if link]
                self.tokens[kind] += links
                if not links:
                    break
                token = self.rng.choice(links)


def change(emu: Emulator, rng: random.Random) -> None:
    """One random change to the opt records: mostly the default account's."""
    roll = rng.random()
    tenant = OTHER_ACCOUNT if roll < 0.1 else DEFAULT_ACCOUNT_ID
    sender, recipient = rng.choice(SENDERS), rng.choice(RECIPIENTS)
    if roll < 0.15:
        pairs: list[tuple[str | None, str]] = [
            (rng.choice([None, sender]), rng.choice(RECIPIENTS)) for _ in range(rng.randrange(3))
        ]
        forget(emu, tenant, pairs)
    elif roll < 0.25:
        emu.inbound("ringcentral", recipient, sender, rng.choice(["STOP", "START"]))
    else:
        status = rng.choice(["OptOut", "OptOut", "OptIn"])
        source = rng.choice(["Account", "Recipient", "Upstream"])
        set_status(emu, tenant, sender, recipient, status, source)


def reset(http: httpx.Client) -> None:
    assert http.post("/_emulator/reset").status_code == 200


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_listings_answer_as_a_scan_of_every_record_would(
    tmp_path: Path, backend: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    if seed % 2:  # the index's runs in chunks of 2 records: many chunks, split and emptied
        monkeypatch.setattr(optouts, "_LOAD", 2, raising=False)  # (no index before it)
    db = tmp_path / "rc.db" if backend == "sqlite" else None

    def start() -> Emulator:
        return Emulator(db=db, clock="virtual", start=1_700_000_000.0)

    emu = start()
    checker = Checker(emu, rng)
    try:
        for step in range(60):
            for _ in range(rng.randrange(1, 6)):
                change(emu, rng)
            emu.advance(f"{rng.randrange(1, 90)}s")
            checker.check_optouts()
            checker.check_consents()
            if db is not None and step % 15 == 7:  # a restart: the index is built again
                tokens = checker.tokens
                emu.close()
                emu = start()
                checker = Checker(emu, rng)
                checker.tokens = tokens
            elif step % 25 == 20:
                reset(checker.http)
                tokens = checker.tokens
                checker = Checker(emu, rng)
                checker.tokens = tokens
    finally:
        emu.close()


@pytest.mark.parametrize("seed", range(4))
def test_the_index_runs_agree_with_a_sorted_list(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries added in any order (not only newest last) and removed; every position read
    both ways."""
    monkeypatch.setattr(optouts, "_LOAD", 3)
    rng = random.Random(seed)
    run = optouts._Seqs()
    kept: list[tuple[int, str, str, str]] = []
    for _ in range(400):
        if kept and rng.random() < 0.4:
            entry = kept.pop(rng.randrange(len(kept)))
            run.remove(entry)
        else:
            seq = rng.randrange(1000) if rng.random() < 0.3 else 1000 + len(kept) * 7
            if any(e[0] == seq for e in kept):
                continue
            entry = (seq, "+16505550100", f"+1415555{seq:04d}", "OptOut")
            kept.append(entry)
            kept.sort()
            run.add(entry)
        assert [e for chunk in run.chunks for e in chunk] == kept
        assert run.lasts == [chunk[-1][0] for chunk in run.chunks]
        assert all(1 <= len(chunk) <= 6 for chunk in run.chunks)
        at = rng.randrange(-1, 2000)
        assert list(run.older(at)) == [e for e in reversed(kept) if e[0] < at]
        assert list(run.newer(at)) == [e for e in kept if e[0] > at]
    assert bool(run) == bool(kept)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (f"{A2P}/opt-outs", {"perPage": 3}),
        (f"{A2P}/opt-outs", {"perPage": 3, "status": "all"}),
        (f"{A2P}/opt-outs", {"perPage": 3, "status": "optin", "from": SENDERS[1]}),
        (f"{A2P}/opt-outs", {"to": RECIPIENTS[0]}),
        (CONSENTS, {"perPage": 3, "optStatus": ["OptIn", "OptOut"]}),
        (CONSENTS, {"perPage": 3, "from": SENDERS[:2]}),
    ],
)
def test_a_page_reads_its_own_records_not_every_one(
    sms_emulator: Emulator, path: str, params: dict[str, Any]
) -> None:
    emu = sms_emulator
    for i in range(300):
        status = "OptIn" if i % 3 == 0 else "OptOut"
        set_status(emu, DEFAULT_ACCOUNT_ID, SENDERS[i % 3], RECIPIENTS[i % 12], status, "Account")
        set_status(emu, DEFAULT_ACCOUNT_ID, SENDERS[i % 3], f"+1212555{i:04d}", status, "Account")
    http = emu.client()
    headers = {"Authorization": f"Bearer {login(http)['access_token']}"}
    assert http.get(path, params=params, headers=headers).status_code == 200  # index built
    store = emu.store
    scans: list[str] = []
    reads: list[str] = []
    state_items, get_state = store.state_items, store.get_state

    def scanned(namespace: str) -> list[Any]:
        scans.append(namespace)
        return state_items(namespace)

    def read(namespace: str, key: str, default: Any = None) -> Any:
        reads.append(key)
        return get_state(namespace, key, default)

    store.state_items = scanned  # type: ignore[method-assign]
    store.get_state = read  # type: ignore[method-assign]
    body = http.get(path, params=params, headers=headers).json()
    token = body["paging"].get("nextPageToken")
    if token:
        http.get(path, params={**params, "pageToken": token}, headers=headers)
    assert scans == []
    assert len(reads) <= 20, reads  # a page's records (and a few bookkeeping reads)
