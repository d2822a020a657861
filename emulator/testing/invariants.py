"""Reusable checks over the emulator's state and a client's results.

Each ``check_*`` function returns None when the property holds and raises
``AssertionError`` saying exactly what broke (which index, which id, which
status) otherwise, so it reads well inside a pytest or Hypothesis test.

Generic checks take plain data (recipients, ids, records, counts); the
``check_<provider>_*`` helpers unpack one provider's request and response
bodies and call them:

- ``check_recipients_accounted``: every submitted recipient accepted exactly
  once or rejected with its 1-based index.
- ``check_pages``: paging returned each record exactly once.
- ``check_statuses_forward``: statuses seen over time only moved forward and
  a final status never changed.
- ``check_status_counts``: counts (and costs) in a statuses summary equal the
  messages listed.
- ``check_totals``: segment counts match the texts; segment and cost totals add up.
- ``check_emulator_state``: the neutral records an emulator holds are consistent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..core.segments import analyze
from ..providers.sendbulk.errors import DESCRIPTIONS
from ..providers.sendbulk.mobile import split_mobiles
from ..providers.sendbulk.php import php_list
from .helpers import same_number

__all__ = [
    "STATUS_RANKS",
    "check_emulator_state",
    "check_fonedynamics_batch",
    "check_pages",
    "check_recipients_accounted",
    "check_ringcentral_batch",
    "check_sendbulk_responses",
    "check_status_counts",
    "check_statuses_forward",
    "check_totals",
]

#: Status word → how far along it is (0 waiting, 1 on its way, 2 final), for
#: neutral records and each provider's words.  ``Processing`` is between: a
#: RingCentral batch goes ``Queued`` → ``Processing``, a Fone Dynamics message
#: ``Processing`` → ``Submitted``.
STATUS_RANKS: dict[str, float] = {
    # neutral
    "queued": 0,
    "sent": 1,
    "delivered": 2,
    "failed": 2,
    "rejected": 2,
    # RingCentral messages and batches
    "Queued": 0,
    "Processing": 0.5,
    "Sent": 1,
    "Delivered": 2,
    "DeliveryFailed": 2,
    "SendingFailed": 2,
    "Completed": 2,
    # Fone Dynamics
    "Submitted": 1,
    "Failed": 2,
    "Received": 2,
    # sendbulk delivery descriptions
    "Scheduled": 0,
    "SentToNetwork": 1,
    "DeliveredToTerminal": 2,
    "AbsentSubscriber": 2,
    "DeliveryImpossible": 2,
    "SenderName Blacklisted": 2,
    "Unknown": 2,
    "Invalid Source Address": 2,
    # sendbulk rows refused at submit: the row's response-description
    "Rejected": 2,
    **dict.fromkeys(DESCRIPTIONS.values(), 2),
}
_FINAL = 2


def _key(value: Any) -> Any:
    """Recipients compare by digits (``+14155550100`` == ``14155550100``)."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) == 10 and digits.startswith("0"):
            digits = "254" + digits[1:]
        return digits or value
    if isinstance(value, list):
        return tuple(_key(v) for v in value)
    return value


def _fail(title: str, problems: list[str]) -> None:
    if problems:
        shown = problems[:20]
        more = [f"... and {len(problems) - 20} more"] if len(problems) > 20 else []
        raise AssertionError("\n  ".join([title, *shown, *more]))


def check_recipients_accounted(
    submitted: Sequence[Any],
    accepted: Iterable[Any],
    rejected: Iterable[tuple[int, Any] | Mapping[str, Any]],
) -> None:
    """Every submitted recipient was accepted exactly once or rejected with its 1-based index.

    ``submitted``: recipients in request order.  ``accepted``: the recipient of
    each accepted message (any order).  ``rejected``: ``(index, to)`` pairs or
    mappings with ``index`` (1-based) and optionally ``to``.  Numbers compare
    by digits, so ``"+1415…"`` and ``"1415…"`` match.
    """
    problems: list[str] = []
    rejected_at: set[int] = set()
    for entry in rejected:
        if isinstance(entry, Mapping):
            index, to = entry.get("index"), entry.get("to", _ANY)
        else:
            index, to = entry
        if isinstance(index, bool) or not isinstance(index, int):
            problems.append(f"rejection {entry!r} has no integer index")
            continue
        if not 1 <= index <= len(submitted):
            problems.append(
                f"rejected index {index} is outside 1..{len(submitted)} (indexes are 1-based)"
            )
            continue
        if index in rejected_at:
            problems.append(f"index {index} ({submitted[index - 1]!r}) was rejected twice")
        rejected_at.add(index)
        if to is not _ANY and _key(to) != _key(submitted[index - 1]):
            problems.append(
                f"rejected index {index} names {to!r} but recipient {index} was "
                f"{submitted[index - 1]!r} (off by one? indexes are 1-based)"
            )
    expected = Counter(_key(to) for i, to in enumerate(submitted, 1) if i not in rejected_at)
    got = Counter(_key(to) for to in accepted)
    for to, count in sorted((expected - got).items(), key=repr):
        where = [i for i, s in enumerate(submitted, 1) if _key(s) == to and i not in rejected_at]
        problems.append(
            f"recipient {to!r} (index {', '.join(map(str, where))}) was neither accepted "
            f"nor rejected ({count} missing)"
        )
    for to, count in sorted((got - expected).items(), key=repr):
        also = [i for i in sorted(rejected_at) if _key(submitted[i - 1]) == to]
        if also:  # e.g. the rejections counted from 0: the one before each was named
            problems.append(
                f"recipient {to!r} was accepted but also rejected (index "
                f"{', '.join(map(str, also))}; off by one? indexes are 1-based)"
            )
        else:
            problems.append(f"recipient {to!r} was accepted {count} more time(s) than submitted")
    _fail(
        f"recipients not accounted for ({len(submitted)} submitted, "
        f"{sum(got.values())} accepted, {len(rejected_at)} rejected):",
        problems,
    )


_ANY: Any = object()


def _plain(value: Any) -> bool:
    """A number written as text or an integer (a float's spelling is PHP's to choose)."""
    return isinstance(value, str | int) and not isinstance(value, bool)


def check_pages(
    pages: Iterable[Sequence[Any]],
    *,
    key: str | Callable[[Any], Any] = "id",
    expected: Iterable[Any] | int | None = None,
) -> None:
    """Paging returned each record exactly once (and, with ``expected``, exactly those ids,
    or, an int, that many records).

    ``pages``: the records of each page in order (dicts, or ids with ``key=lambda r: r``).
    """
    if isinstance(expected, bool | str | bytes):  # a str would be read as its characters
        raise TypeError(
            f"check_pages(expected=): the ids paged (a list, set...) or their count,"
            f" not {type(expected).__name__} {expected!r}"
        )
    get = (lambda r: r[key]) if isinstance(key, str) else key
    first_page: dict[Any, int] = {}
    problems: list[str] = []
    for number, page in enumerate(pages, 1):
        for record in page:
            ident = get(record)
            if ident in first_page:
                problems.append(
                    f"id {ident!r} on page {number} was already on page {first_page[ident]}"
                )
            else:
                first_page[ident] = number
    if isinstance(expected, int):  # a bool refused above
        if len(first_page) != expected:
            problems.append(f"{len(first_page)} distinct record(s), not {expected}")
    elif expected is not None:
        wanted = list(expected)
        missing = [i for i in wanted if i not in first_page]
        extra = set(first_page) - set(wanted)
        if missing:
            problems.append(f"{len(missing)} id(s) on no page: {missing[:10]!r}")
        if extra:
            problems.append(f"{len(extra)} unexpected id(s): {sorted(extra, key=repr)[:10]!r}")
    _fail("paging did not return each record exactly once:", problems)


def check_statuses_forward(
    snapshots: Iterable[Mapping[Any, str]], *, ranks: Mapping[str, float] | None = None
) -> None:
    """Statuses only moved forward between snapshots, and final ones never changed.

    ``snapshots``: ``{id: status}`` mappings in time order (e.g. one per poll).
    ``ranks`` overrides ``STATUS_RANKS`` for status words of your own.
    """
    table = STATUS_RANKS if ranks is None else {**STATUS_RANKS, **ranks}
    last: dict[Any, str] = {}
    problems: list[str] = []
    for number, snapshot in enumerate(snapshots, 1):
        for ident, status in snapshot.items():
            if status not in table:
                problems.append(f"{ident!r}: unknown status {status!r} (pass ranks=)")
                continue
            if ident in last:
                before = last[ident]
                if table[status] < table[before]:
                    problems.append(
                        f"{ident!r} went back from {before!r} to {status!r} (snapshot {number})"
                    )
                elif table[before] == _FINAL and status != before:
                    problems.append(
                        f"{ident!r} changed final status {before!r} to {status!r} "
                        f"(snapshot {number})"
                    )
            last[ident] = status
    _fail("statuses did not only move forward:", problems)


def _lower_first(word: str) -> str:
    return word[:1].lower() + word[1:]


def _status_of(record: Mapping[str, Any]) -> str:
    for name in ("messageStatus", "status", "Status"):
        if name in record:
            return _lower_first(str(record[name]))
    raise AssertionError(f"record has no status field: {record!r}")


def check_status_counts(
    counts: Mapping[str, Any],
    messages: Iterable[Mapping[str, Any]],
    *,
    status_of: Callable[[Mapping[str, Any]], str] | None = None,
    tolerance: float = 1e-6,
) -> None:
    """The per-status counts of a summary equal the messages listed.

    ``counts``: status → count, or status → ``{"count", "cost"}`` (RingCentral's
    ``statuses``; costs are checked too).  A status's key is its word with the
    first letter lower-cased (``DeliveryFailed`` → ``deliveryFailed``), unless
    ``status_of`` says otherwise.
    """
    status_of = status_of or _status_of
    listed: Counter[str] = Counter()
    cost: dict[str, float] = {}
    records = list(messages)
    for record in records:
        status = status_of(record)
        listed[status] += 1
        cost[status] = cost.get(status, 0.0) + float(record.get("cost") or 0.0)
    problems = []
    for status in sorted(set(counts) | set(listed)):
        entry = counts.get(status, 0)
        count = entry.get("count") if isinstance(entry, Mapping) else entry
        if count != listed[status]:
            if status not in counts:
                problems.append(f"{listed[status]} message(s) are {status!r}: not in the summary")
            else:
                problems.append(f"{status!r}: summary says {count}, {listed[status]} listed")
        has_cost = isinstance(entry, Mapping) and "cost" in entry
        if has_cost and abs(float(entry["cost"]) - cost.get(status, 0.0)) > tolerance:
            problems.append(
                f"{status!r}: summary cost {entry['cost']}, listed messages cost "
                f"{round(cost.get(status, 0.0), 10)}"
            )
    _fail(f"status counts do not match the {len(records)} listed message(s):", problems)


def _field(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in record:
            return record[name]
    return None


_SEGMENT_FIELDS = ("segments", "segmentCount", "NumSegments")
_TEXT_FIELDS = ("text", "Text", "message")


def check_totals(
    messages: Iterable[Mapping[str, Any]],
    *,
    segments: int | None = None,
    cost: float | None = None,
    cost_per_segment: float | None = None,
    tolerance: float = 1e-6,
) -> None:
    """Segment counts match the texts, and segment and cost totals add up.

    For each record with a text and a segment count (``segments``,
    ``segmentCount`` or ``NumSegments``), the count must be what GSM-7/UCS-2
    rules give.  ``segments``/``cost``: expected totals over the records.
    ``cost_per_segment``: each record's ``cost`` must be its segments times it.
    Records without a segment count (not sent yet, or failed before sending)
    count as zero.
    """
    problems: list[str] = []
    total_segments, total_cost = 0, 0.0
    records = list(messages)
    for record in records:
        ident = _field(record, ("id", "MessageSid", "messageid")) or "?"
        count = _field(record, _SEGMENT_FIELDS)
        text = _field(record, _TEXT_FIELDS)
        if count is not None and count != 0 and isinstance(text, str):
            want = analyze(text).segments
            if count != want:
                info = analyze(text)
                problems.append(
                    f"{ident!r}: {count} segment(s) for a {info.units}-unit {info.encoding} "
                    f"text, expected {want}"
                )
        total_segments += count or 0
        if "cost" in record:
            total_cost += float(record["cost"])
            expected_cost = None if cost_per_segment is None else (count or 0) * cost_per_segment
            if expected_cost is not None and abs(float(record["cost"]) - expected_cost) > tolerance:
                problems.append(
                    f"{ident!r}: cost {record['cost']} for {count} segment(s) at {cost_per_segment}"
                )
    counted = [r for r in records if _field(r, _SEGMENT_FIELDS)]
    asked = (segments, cost, cost_per_segment) != (None, None, None)
    if counted and not asked and not any(isinstance(_field(r, _TEXT_FIELDS), str) for r in counted):
        raise ValueError(
            f"check_totals: none of the {len(counted)} record(s) with a segment count has its"
            " text, so nothing was checked: list them with their text (RingCentral's"
            " view=Detailed), or pass segments=, cost= or cost_per_segment="
        )
    if segments is not None and total_segments != segments:
        problems.append(f"segments add up to {total_segments}, expected {segments}")
    if cost is not None and abs(total_cost - cost) > tolerance:
        problems.append(f"costs add up to {round(total_cost, 10)}, expected {cost}")
    _fail(f"totals do not add up over {len(records)} message(s):", problems)


_NEUTRAL_STATUSES = ("queued", "sent", "delivered", "failed", "rejected")


def check_emulator_state(source: Any) -> None:
    """The neutral records of an emulator (or a list of them) are consistent.

    Unique ids, oldest first, known statuses, ``updated_at`` not before
    ``created_at``, and outbound segment counts matching the text.  ``source``
    is anything with ``messages()`` (``Emulator``, ``LiveServer``,
    ``RemoteEmulator``) or the records themselves.
    """
    records = source.messages() if hasattr(source, "messages") else list(source)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    previous = ""
    for record in records:
        ident = (record["provider"], record["id"])
        if ident in seen:
            problems.append(f"id {ident!r} is listed twice")
        seen.add(ident)
        if record["created_at"] < previous:
            problems.append(f"{ident!r} created {record['created_at']} is listed after {previous}")
        previous = record["created_at"]
        if record["status"] not in _NEUTRAL_STATUSES:
            problems.append(f"{ident!r} has unknown status {record['status']!r}")
        if record["updated_at"] < record["created_at"]:
            problems.append(f"{ident!r} updated_at is before created_at")
        if record.get("direction", "outbound") == "outbound" and record.get("text") is not None:
            want = analyze(record["text"]).segments
            if record["segments"] != want:
                problems.append(f"{ident!r} has {record['segments']} segments, expected {want}")
    _fail(f"emulator state is inconsistent ({len(records)} messages):", problems)


# per-provider adapters


def check_ringcentral_batch(
    body: Mapping[str, Any],
    response: Mapping[str, Any],
    messages: Iterable[Mapping[str, Any]],
) -> None:
    """A RingCentral batch: each ``messages[i].to`` accepted once or in ``rejected``.

    ``body``: what was POSTed; ``response``: the 201 batch (with ``rejected``);
    ``messages``: every message listed for the batch (``GET messages?batchId=``).
    Also checks ``batchSize`` equals the accepted count.
    """
    listed = [m for m in messages if m.get("batchId", response.get("id")) == response.get("id")]
    submitted = [item["to"] for item in body["messages"]]
    check_recipients_accounted(submitted, [m["to"] for m in listed], response.get("rejected", []))
    _check_distinct_ids(((i, m["id"]) for i, m in enumerate(listed, 1) if "id" in m), "message")
    accepted = len(submitted) - len(response.get("rejected", []))
    if response.get("batchSize") != accepted:
        raise AssertionError(
            f"batchSize {response.get('batchSize')} but {accepted} of {len(submitted)} "
            "recipients were accepted"
        )


def _check_distinct_ids(ids: Iterable[tuple[int, Any]], what: str) -> None:
    """Each accepted message has its own id: ``ids`` is ``(index, id)`` pairs."""
    first: dict[Any, int] = {}
    for index, message_id in ids:
        key = str(message_id)
        if key in first:
            raise AssertionError(
                f"{what} {index} has the {message_id!r} of {what} {first[key]}: "
                "two accepted messages, one id"
            )
        first[key] = index


def check_fonedynamics_batch(body: Mapping[str, Any], response: Sequence[Any]) -> None:
    """A Fone Dynamics batch answer: one element per message, in order.

    Accepted elements have a ``MessageSid`` and the message's ``To``; rejected
    ones have ``ErrorCode`` and ``Message`` and no ``MessageSid``.
    """
    messages = list(body["Messages"])
    if not isinstance(response, list) or len(response) != len(messages):
        size = len(response) if isinstance(response, list) else type(response).__name__
        raise AssertionError(f"{len(messages)} messages sent but the answer has {size} elements")
    accepted, rejected, sids = [], [], []
    for index, (sent, got) in enumerate(zip(messages, response, strict=True), 1):
        if got.get("MessageSid"):
            accepted.append(got.get("To"))
            sids.append((index, got["MessageSid"]))
            if not same_number(got.get("To"), sent.get("To")):
                raise AssertionError(
                    f"element {index} is a message to {got.get('To')!r}, but message {index} "
                    f"was to {sent.get('To')!r} (answer out of order?)"
                )
        elif got.get("ErrorCode") and isinstance(got.get("Message"), str):
            rejected.append((index, sent.get("To", _ANY)))
        else:
            raise AssertionError(f"element {index} is neither a message nor an error: {got!r}")
    check_recipients_accounted([m.get("To") for m in messages], accepted, rejected)
    _check_distinct_ids(sids, "element")


def check_sendbulk_responses(
    mobiles: Sequence[Any] | Mapping[str, Any],
    response: Mapping[str, Any],
    *,
    code_key: str | None = None,
) -> None:
    """sendbulk/sendsms rows: one per number, in order; 200 rows carry a ``messageid``.

    ``mobiles``: the numbers in request order (``[i["mobile"] for i in
    body["smslist"]]``, or the split ``mobile`` of sendsms), or the request body
    itself (a sendbulk ``{"smslist": [...]}`` or a sendsms/sendotp ``{"mobile": ...}``),
    as the other providers' checks take it.
    """
    if isinstance(mobiles, Mapping):
        mobiles = _sendbulk_mobiles(mobiles)
    rows = response.get("responses")
    if not isinstance(rows, list):
        raise AssertionError(f"no 'responses' array: the whole request was refused: {response!r}")
    if len(rows) != len(mobiles):
        raise AssertionError(f"{len(mobiles)} numbers sent but {len(rows)} rows came back")
    keys = (code_key,) if code_key else ("response-code", "respose-code")
    accepted, rejected, ids = [], [], []
    for index, row in enumerate(rows, 1):
        code = next((row[k] for k in keys if k in row), None)
        if code is None:
            raise AssertionError(f"row {index} has no response code: {row!r}")
        sent, shown = mobiles[index - 1], row.get("mobile")
        if _plain(sent) and _plain(shown) and _key(shown) != _key(sent):
            raise AssertionError(
                f"row {index} is for {shown!r} but number {index} sent was {sent!r}"
                " (rows come back in request order)"
            )
        if int(code) == 200:
            if not row.get("messageid"):
                raise AssertionError(f"row {index} succeeded without a messageid: {row!r}")
            accepted.append(mobiles[index - 1])
            ids.append((index, row["messageid"]))
        else:
            rejected.append((index, _ANY))
    check_recipients_accounted(list(mobiles), accepted, rejected)
    _check_distinct_ids(ids, "row")


def _sendbulk_mobiles(body: Mapping[str, Any]) -> list[Any]:
    """The numbers of a sendbulk or sendsms/sendotp request body, in request order."""
    if "smslist" in body:
        items = php_list(body["smslist"])  # an object is its values, as the gateway reads it
        if not isinstance(items, list):
            raise AssertionError(f"'smslist' is not a list: {items!r}")
        return [item.get("mobile") if isinstance(item, Mapping) else None for item in items]
    if "mobile" in body:
        # as the gateway splits it; no number at all is one row, refusing the empty one
        return split_mobiles(body["mobile"]) or [""]
    raise ValueError(
        "check_sendbulk_responses: a request body needs 'smslist' (sendbulk) or 'mobile'"
        f" (sendsms, sendotp); got keys {sorted(body)!r}"
    )
