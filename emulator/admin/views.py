"""Read-only views of the emulator's state for the inspector UI and its JSON endpoints.

Everything here is built from neutral data (messages, batches, the journal,
webhook attempts); provider-specific words come only from each provider's
``status_name``.  Choices made where nothing is specified:

- The request that created a message is the journal entry recorded in
  ``message.extra["journal_id"]`` when a provider sets it; otherwise, among
  the entries of the same provider that arrived before the message was stored
  and were answered after it, not refused (status below 400; within two seconds,
  emulator time), the first whose
  response names the message (or its batch), or else whose request names the
  recipient.  It is labelled as a guess.
  None for a message stored before the oldest request the journal still keeps
  (it keeps up to 10,000; a ``--db`` server's restart starts it empty): a later
  request would be a wrong guess.
- Cost is shown only when a provider stores one in ``message.extra``: a
  ``"cost"`` as is, else ``"rate"`` (per segment) × segments.
- Free-text search and the status filter are evaluated in Python over pages
  of the store, newest first, examining at most ``SCAN_LIMIT`` messages per
  page; the page then offers to continue from where the search stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.convertors import Convertor, register_url_convertor

from ..core.models import Batch, Direction, Message, Status
from ..core.segments import GSM7_BASIC, GSM7_EXTENSION, analyze, split
from ..core.store import BatchQuery, MessageQuery
from ..emulator import iso

if TYPE_CHECKING:
    from ..emulator import Emulator

__all__ = [
    "SCAN_LIMIT",
    "MessageFilter",
    "MessagePage",
    "batch_detail",
    "batch_summary",
    "creating_request",
    "journal_entry",
    "journal_page",
    "list_batches",
    "live_state",
    "message_detail",
    "message_page",
    "newest_batches",
    "parse_iso",
    "segment_breakdown",
]

#: Messages examined per page when filtering by status or text in Python.
SCAN_LIMIT = 20_000
#: Seconds after a message's creation in which its creating request may be journaled.
REQUEST_WINDOW = 2.0
#: Batches whose per-status counts are worked out (larger ones skip the scan).
COUNT_LIMIT = 5_000
_CHUNK = 500
_NEWEST = 2**62


def parse_iso(text: str) -> float:
    """Inverse of ``iso``: ``2026-01-01T00:00:00.000000Z`` → epoch seconds."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return moment.timestamp()


def _number_variants(number: str) -> frozenset[str]:
    """Spellings of a number as stored by different providers (with/without ``+``)."""
    compact = "".join(number.split())
    digits = compact.lstrip("+")
    variants = {compact}
    if digits.isdigit():
        variants |= {digits, "+" + digits}
    return frozenset(variants)


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """What the message list is filtered by; empty strings mean no filter."""

    provider: str = ""
    number: str = ""
    status: str = ""
    direction: str = ""
    batch: str = ""
    q: str = ""

    @property
    def in_python(self) -> bool:
        """Whether matching needs more than the store's own filters."""
        return bool(self.status or self.q)

    def store_query(self) -> MessageQuery:
        return MessageQuery(
            provider=self.provider or None,
            batch_id=self.batch or None,
            direction=Direction(self.direction) if self.direction else None,
            numbers=_number_variants(self.number) if self.number.strip() else None,
        )

    def matches(self, record: dict[str, Any]) -> bool:
        if self.status and record["status"] != self.status:
            return False
        if self.q:
            needle = self.q.casefold()
            fields = ("text", "id", "from", "to", "provider_status", "batch_id", "error_code")
            return any(needle in str(record.get(f) or "").casefold() for f in fields)
        return True


@dataclass(slots=True)
class MessagePage:
    """One page of the message list, newest first, with keyset cursors."""

    records: list[dict[str, Any]] = field(default_factory=list)
    #: Pass as ``before`` for the next (older) page; None when there is none.
    older: int | None = None
    #: Pass as ``after`` for the previous (newer) page; None when this is the newest.
    newer: int | None = None
    #: Messages examined; equals ``SCAN_LIMIT`` when a search stopped early.
    scanned: int = 0
    truncated: bool = False
    #: Walked toward newer messages (``after``): a stopped search continues *Newer*.
    forward: bool = False


def _scan(
    emu: Emulator, flt: MessageFilter, cursor: int, limit: int, forward: bool, now: float
) -> tuple[list[tuple[Message, dict[str, Any]]], bool, bool, int, int]:
    """Up to ``limit + 1`` matching (message, record) pairs walking away from ``cursor``.

    Returns the pairs in walking order, whether more messages may lie beyond,
    whether the walk stopped at ``SCAN_LIMIT``, the seq of the last message
    examined and how many were examined.
    """
    query = flt.store_query()
    found: list[tuple[Message, dict[str, Any]]] = []
    scanned = 0
    while True:
        if forward:
            chunk = emu.store.query_messages(query, after_seq=cursor, limit=_CHUNK)
        else:
            chunk = emu.store.query_messages_before(query, before_seq=cursor, limit=_CHUNK)
            chunk.reverse()
        for message in chunk:
            scanned += 1
            cursor = message.seq
            record = emu.record(message, now)
            if flt.matches(record):
                found.append((message, dict(record, seq=message.seq)))
                if len(found) > limit:
                    return found, True, False, cursor, scanned
            if flt.in_python and scanned >= SCAN_LIMIT:
                return found, True, True, cursor, scanned
        if len(chunk) < _CHUNK:
            return found, False, False, cursor, scanned


def message_page(
    emu: Emulator,
    flt: MessageFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> MessagePage:
    """A page of neutral records (plus ``seq``), newest first.

    ``before`` pages to older messages, ``after`` to newer ones (both are seqs
    taken from a previous page's ``older``/``newer``).
    """
    now = emu.time()
    forward = after is not None
    start = after if after is not None else (before if before is not None else _NEWEST)
    found, more, truncated, last, scanned = _scan(emu, flt, start, limit, forward, now)
    shown = found[:limit]
    if forward:
        shown.reverse()
    page = MessagePage([r for _, r in shown], scanned=scanned, truncated=truncated, forward=forward)
    if forward:
        if more:
            page.newer = last if truncated else shown[0][0].seq
        if start > 0:  # from the start (after=0) there is nothing older
            page.older = shown[-1][0].seq if shown else start + 1
    else:
        if more:
            page.older = last if truncated else shown[-1][0].seq
        if before is not None:
            page.newer = shown[0][0].seq if shown else before - 1
    return page


def segment_breakdown(text: str) -> dict[str, Any]:
    """Encoding, units and each segment's text and size, as a handset would split it."""
    info = analyze(text)
    gsm = info.encoding == "GSM-7"
    parts = split(text)
    capacities = {(True, True): 160, (True, False): 153, (False, True): 70, (False, False): 67}
    capacity = capacities[gsm, len(parts) == 1]

    def units(part: str) -> int:
        if gsm:
            return sum(2 if ch in GSM7_EXTENSION else 1 for ch in part)
        return sum(2 if ord(ch) > 0xFFFF else 1 for ch in part)

    seen: dict[str, None] = {}
    for ch in text:
        if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION:
            seen.setdefault(ch)
    return {
        "encoding": info.encoding,
        "units": info.units,
        "unit_name": "septets" if gsm else "UTF-16 code units",
        "segments": info.segments,
        "capacity": capacity,
        "parts": [
            {"index": i, "text": part, "units": units(part)} for i, part in enumerate(parts, 1)
        ],
        "non_gsm": [{"char": ch, "code": f"U+{ord(ch):04X}"} for ch in list(seen)[:20]],
        "extension": sorted({ch for ch in text if ch in GSM7_EXTENSION}) if gsm else [],
    }


def _provider_status(emu: Emulator, message: Message, at: float) -> str:
    provider = emu.providers.get(message.provider)
    return provider.status_name(message, at) if provider else str(message.status_at(at))


def creating_request(emu: Emulator, message: Message) -> dict[str, Any] | None:
    """The journal entry of the request that created ``message``, and how it was found."""
    journal_id = (message.extra or {}).get("journal_id")
    if isinstance(journal_id, int):
        entry = journal_entry(emu, journal_id)
        if entry is not None:
            return {"entry": entry, "match": "recorded"}
    if message.direction == Direction.INBOUND or message.seq <= emu.journal.forgotten_seq:
        return None  # its request may be gone from the journal: a later one is no guess
    candidates = []
    for entry in emu.journal.entries(provider=message.provider, stored_seq=message.seq):
        if (entry["status"] or 0) >= 400:
            continue  # refused as a whole: it stored nothing
        delay = parse_iso(entry["time"]) - message.created_at
        if -0.001 <= delay <= REQUEST_WINDOW:
            candidates.append((delay, entry))
    digits = message.to.lstrip("+")
    best: tuple[int, float, dict[str, Any]] | None = None
    for delay, entry in candidates:
        response = entry.get("response_body") or ""
        request = (entry.get("request_body") or "") + (entry.get("query") or "")
        if message.id in response or (message.batch_id and message.batch_id in response):
            score = 2
        elif digits and digits in request:
            score = 1
        else:
            score = 0
        if best is None or score > best[0] or (score == best[0] and delay < best[1]):
            best = (score, delay, entry)
    if best is None or (best[0] == 0 and len(candidates) > 1):
        return None
    how = {2: "response names the message", 1: "request names the recipient", 0: "time"}
    return {"entry": best[2], "match": how[best[0]]}


class JournalIdConvertor(Convertor[int]):
    """``{name:journal_id}``: a journal entry's number, read as Starlette's ``int`` reads
    one, but only up to 19 significant digits (past any id the journal hands out); a
    longer one matches no route, a 404, where ``int()`` would refuse it past 4,300
    digits and answer a 500."""

    regex = "0*[0-9]{1,19}"

    def convert(self, value: str) -> int:
        return int(value.lstrip("0") or "0")

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("journal_id", JournalIdConvertor())


def journal_entry(emu: Emulator, entry_id: int) -> dict[str, Any] | None:
    """One journal entry by id (None if unknown or already dropped)."""
    for entry in emu.journal.entries(after_id=entry_id - 1):
        if entry["id"] == entry_id:
            return entry
    return None


def journal_page(
    emu: Emulator, *, provider: str | None = None, before: int | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], int | None, int | None]:
    """Journal entries newest first, the ``before`` cursor of the next (older) page, and
    that of the previous (newer) one when it is not the newest (then None: no cursor)."""
    kept = emu.journal.entries(provider=provider)
    entries = [e for e in kept if before is None or e["id"] < before]
    page = entries[-limit:][::-1] if limit else []
    older = page[-1]["id"] if len(entries) > limit and page else None
    newer = None
    if before is not None:
        above = kept[len(entries) :]  # oldest first, all newer than this page
        if len(above) > limit:
            newer = above[limit]["id"]
    return page, older, newer


def message_detail(emu: Emulator, message_id: str) -> dict[str, Any] | None:
    """A message's record plus its timeline, segments, webhooks, cost and creating request."""
    message = emu.store.get_message(message_id)
    if message is None:
        return None
    now = emu.time()
    record = emu.record(message, now)
    timeline = [
        {
            "time": iso(at),
            "status": str(status),
            "provider_status": _provider_status(emu, message, at),
        }
        for at, status in message.timeline(now)
    ]
    reached = len(timeline) - 1
    planned = [
        {"time": iso(message.dispatch_at + offset), "status": str(status)}
        for offset, status in message.plan.steps[reached:]
    ]
    attempts = [
        dict(a, time=iso(a["time"]))
        for a in emu.webhooks.attempts_kept()
        if a.get("message_id") == message_id
    ]
    pending = [
        {"due": iso(j.due), "event": j.event, "method": j.method, "url": j.url}
        for j in emu.webhooks.pending_for(message_id)
    ]
    cost, currency, basis = _cost(message)
    found = creating_request(emu, message)
    return {
        **record,
        "timeline": timeline,
        "planned": planned,
        "outcome": message.plan.outcome,
        "segment_breakdown": segment_breakdown(message.text),
        "cost": cost,
        "currency": currency,
        "cost_basis": basis,
        "webhooks": {"attempts": attempts, "pending": pending},
        "request": (
            {"id": found["entry"]["id"], "match": found["match"]} if found is not None else None
        ),
    }


def _cost(message: Message) -> tuple[float | None, str | None, str | None]:
    """The message's cost if its provider records one: ``(cost, currency, how)``.

    ``extra["cost"]`` is taken as is; otherwise ``extra["rate"]`` (per segment)
    times the segment count.  Neither: no cost (the UI omits it).
    """
    extra = message.extra or {}
    currency = extra.get("currency") if isinstance(extra.get("currency"), str) else None
    cost, rate = extra.get("cost"), extra.get("rate")
    if isinstance(cost, int | float) and not isinstance(cost, bool):
        return float(cost), currency, None
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        total = round(message.segments * rate, 6)
        return total, currency, f"{message.segments} segment(s) × {rate:g}"
    return None, None, None


def batch_summary(emu: Emulator, batch: Batch, now: float | None = None) -> dict[str, Any]:
    """A batch's progress: ``processed`` of ``size`` messages left the queue."""
    now = emu.time() if now is None else now
    processed = batch.processed_at(now)
    return {
        "id": batch.id,
        "provider": batch.provider,
        "tenant": batch.tenant,
        "from": batch.sender,
        "size": batch.size,
        "processed": processed,
        "complete": processed >= batch.size,
        "rejected_count": len(batch.rejected),
        "created_at": iso(batch.created_at),
        "updated_at": iso(batch.changed_at(now)),
        "completes_at": iso(batch.completed_at),
    }


def list_batches(emu: Emulator, *, provider: str | None = None) -> list[dict[str, Any]]:
    """Summaries of all batches, oldest first."""
    now = emu.time()
    batches = emu.store.query_batches(BatchQuery(provider=provider))
    return [batch_summary(emu, b, now) for b in batches]


def newest_batches(
    emu: Emulator, *, provider: str | None = None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The newest ``limit`` batches' summaries, newest first, and how many there are
    (reading only those: there may be a million)."""
    now = emu.time()
    store = emu.store
    with store.atomic():
        batches = store.query_batches_before(
            BatchQuery(provider=provider), before_seq=_NEWEST, limit=limit
        )
        total = store.count_batches(provider)
    batches.reverse()
    return [batch_summary(emu, b, now) for b in batches], total


def _rejected(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """Rejected entries with a 1-based ``index`` (their own, else their position)."""
    out = []
    for position, entry in enumerate(entries, 1):
        item = dict(entry) if isinstance(entry, dict) else {"detail": entry}
        item.setdefault("index", position)
        out.append(item)
    return out


def batch_detail(
    emu: Emulator, batch_id: str, *, rejected_limit: int | None = None
) -> dict[str, Any] | None:
    """A batch's summary, rejected entries (the first ``rejected_limit``, if given) and,
    for small batches, counts by status."""
    batch = emu.store.get_batch(batch_id)
    if batch is None:
        return None
    now = emu.time()
    detail = batch_summary(emu, batch, now)
    detail["rejected"] = _rejected(islice(batch.rejected, rejected_limit))
    counts: dict[str, int] | None = None
    if batch.size <= COUNT_LIMIT:
        messages = emu.store.query_messages(MessageQuery(batch_id=batch_id), limit=COUNT_LIMIT)
        tally = Counter(str(m.status_at(now)) for m in messages)
        counts = {s.value: tally.get(s.value, 0) for s in Status}
    detail["status_counts"] = counts
    return detail


def live_state(emu: Emulator, *, timed: bool = True) -> dict[str, Any]:
    """A cheap fingerprint of everything the UI shows; it changes when anything does.

    ``timed=False`` leaves the clock out, for pages whose content does not follow it
    (the journal, webhooks, the scenario): with a real clock they would else be
    redrawn every second under the reader.
    """
    now = emu.time()
    parts = (
        f"{now:.3f}" if timed else "",
        emu.store.count_messages(),
        emu.journal.last_id,
        emu.webhooks.attempts_made,  # not len(): the kept attempts stop growing
        emu.webhooks.pending_count(),
        emu.scenario_loads,  # not id(): the fingerprint is the same from run to run
        emu.resets,  # a reset and as many requests again would otherwise look the same
    )
    return {
        "version": ":".join(str(p) for p in parts),
        "now": iso(now),
        "clock": emu.clock.kind,
    }
