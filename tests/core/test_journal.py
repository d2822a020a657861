"""The request journal."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from emulator.core.journal import BODY_LIMIT, BYTES_KEPT, HEADERS_LIMIT, Journal


def test_records_get_increasing_ids_and_filter() -> None:
    journal = Journal()
    first = journal.record({"provider": "a", "path": "/1"})
    journal.record({"provider": "b", "path": "/2"})
    journal.record({"provider": None, "path": "/3"})
    assert first["id"] == 1
    assert [e["path"] for e in journal.entries()] == ["/1", "/2", "/3"]
    assert [e["path"] for e in journal.entries(provider="b")] == ["/2"]
    assert [e["path"] for e in journal.entries(after_id=1)] == ["/2", "/3"]
    journal.clear()
    assert journal.entries() == []
    assert journal.record({"path": "/4"})["id"] == 1


def test_is_bounded_keeping_the_newest() -> None:
    journal = Journal(capacity=3)
    for i in range(5):
        journal.record({"path": f"/{i}"})
    assert [e["id"] for e in journal.entries()] == [3, 4, 5]


def _exchange(**fields: Any) -> dict[str, Any]:
    """The arguments of ``record_exchange`` for a plain exchange, ``fields`` over them."""
    exchange: dict[str, Any] = {
        "time": 0.0,
        "provider": "fonedynamics",
        "endpoint": None,
        "method": "POST",
        "path": "/v2/Properties/P/Messages",
        "query": b"",
        "request_headers": [],
        "request_body": b"",
        "request_size": 0,
        "status": 200,
        "response_headers": [],
        "response_body": b"{}",
        "duration": 0.001,
        "error": None,
    }
    return {**exchange, **fields}


def _one_exchange(**fields: Any) -> dict[str, Any]:
    """The entry of one exchange recorded with ``fields`` over a plain default."""
    journal = Journal()
    journal.record_exchange(**_exchange(**fields))
    (entry,) = journal.entries()
    return entry


def test_large_exchanges_are_kept_up_to_the_bytes_kept_newest_first() -> None:
    """A long-running server journaling large batches holds a bounded amount of them:
    10,000 exchanges of 64 KiB bodies each way would be over a gigabyte."""
    body = b"x" * BODY_LIMIT  # one object: the test itself holds 64 KiB
    journal = Journal()
    count = BYTES_KEPT // (2 * BODY_LIMIT) + 100
    for seq in range(1, count + 1):
        journal.record_exchange(
            **_exchange(request_body=body, response_body=body, seqs=(seq - 1, seq))
        )
    kept = journal.entries()
    assert len(kept) <= BYTES_KEPT // (2 * BODY_LIMIT) < count
    assert sum(len(e["request_body"]) + len(e["response_body"]) for e in kept) <= BYTES_KEPT
    assert kept[-1]["id"] == count  # the newest, ids in order with none skipped
    assert [e["id"] for e in kept] == list(range(count - len(kept) + 1, count + 1))
    # the requests that stored messages up to the oldest dropped one's are forgotten
    assert journal.forgotten_seq == count - len(kept)


def test_the_newest_exchange_is_kept_whatever_its_size() -> None:
    journal = Journal(bytes_kept=1000)
    journal.record_exchange(**_exchange(request_body=b"a" * 400))
    journal.record_exchange(**_exchange(request_body=b"b" * 400))
    assert len(journal.entries()) == 2
    journal.record_exchange(**_exchange(request_body=b"c" * 5000))
    assert [e["request_body"][0] for e in journal.entries()] == ["c"]
    journal.record({"path": "/small"})  # until a newer one comes
    assert [e["id"] for e in journal.entries()] == [4]
    journal.clear()  # and a cleared journal counts from nothing
    journal.record_exchange(**_exchange(request_body=b"d" * 400))
    journal.record_exchange(**_exchange(request_body=b"e" * 400))
    assert len(journal.entries()) == 2


def test_a_repeated_header_is_journaled_as_the_one_requests_are_read_by() -> None:
    """The first, as providers read it: the journal showed the last, which the answer
    was not based on."""
    entry = _one_exchange(
        method="GET",
        path="/v2/Messages/M1",
        request_headers=[(b"authorization", b"Basic !!!"), (b"authorization", b"Basic QUM6dG9r")],
        status=400,
        response_headers=[(b"x-a", b"1"), (b"x-a", b"2")],
    )
    assert entry["request_headers"] == {"authorization": "Basic !!!"}
    assert entry["response_headers"] == {"x-a": "1"}


def test_headers_are_kept_up_to_a_limit_as_bodies_are() -> None:
    """A client sending megabytes of headers does not grow the journal by as much."""
    huge = b"x" * (2 * HEADERS_LIMIT)
    entry = _one_exchange(request_headers=[(b"host", b"h"), (b"x-pad", huge), (b"x-after", b"1")])
    kept = entry["request_headers"]
    assert kept["host"] == "h" and "x-after" not in kept
    assert kept["x-pad"].endswith(" [cut by the journal]")
    assert len(kept["x-pad"]) < HEADERS_LIMIT
    named = _one_exchange(request_headers=[(b"x-" + huge, b"1")])["request_headers"]
    assert sum(len(k) + len(v) for k, v in named.items()) <= HEADERS_LIMIT  # a name too
    small = [(b"host", b"h"), (b"content-type", b"application/json")]
    assert _one_exchange(request_headers=small)["request_headers"] == {
        "host": "h",
        "content-type": "application/json",
    }


@pytest.mark.parametrize(
    ("body", "encoded"),
    [(b'{"Text":"caf\xe9"}', "eyJUZXh0IjoiY2Fm6SJ9"), (b'{"Text":"caf\xc3\xa9"}', None)],
)
def test_a_body_that_is_not_utf8_is_also_kept_exactly_in_base64(
    body: bytes, encoded: str | None
) -> None:
    """A Latin-1 body (Java's StringEntity) is read by Fone Dynamics as Latin-1; the
    journal's text shows U+FFFD for the byte, so the exact bytes come along."""
    entry = _one_exchange(request_body=body, request_size=len(body), response_body=b"\xff\xfe")
    assert entry["request_body_base64"] == encoded
    assert entry["request_body"] == body.decode("utf-8", "replace")
    if encoded is not None:
        assert base64.b64decode(encoded) == body
    assert entry["response_body_base64"] == "//4="


def test_a_utf8_body_cut_inside_a_character_at_the_limit_is_still_utf8() -> None:
    body = b'{"Text":"' + "é".encode() * BODY_LIMIT + b'"}'
    cut = body[: BODY_LIMIT + 1][:BODY_LIMIT]
    assert cut[-1:] == b"\xc3"  # the limit falls inside an é
    entry = _one_exchange(request_body=cut, request_size=len(body), response_body=cut)
    assert entry["request_body_base64"] is None
    assert entry["response_body_base64"] is None


def test_a_whole_body_of_exactly_the_limit_is_judged_whole() -> None:
    """Not cut: a last byte that begins no character is not UTF-8."""
    body = b"message=caf" + b"e" * (BODY_LIMIT - 12) + b"\xe9"
    assert len(body) == BODY_LIMIT
    entry = _one_exchange(request_body=body, request_size=len(body))
    assert base64.b64decode(entry["request_body_base64"]) == body


def test_the_documented_limits() -> None:
    """The newest 10,000 requests, bodies up to 64 KiB each, 128 MiB in all."""
    assert (BODY_LIMIT, HEADERS_LIMIT, BYTES_KEPT) == (65536, 65536, 128 * 1024 * 1024)
    journal = Journal()
    for _ in range(10_001):
        journal.record({"path": "/"})
    kept = journal.entries()
    assert (len(kept), kept[0]["id"]) == (10_000, 2)


def test_a_header_that_just_fills_the_limit_is_kept_whole() -> None:
    fill = b"x" * (HEADERS_LIMIT - len(b"x-pad"))
    kept = _one_exchange(request_headers=[(b"x-pad", fill), (b"x-after", b"1")])
    assert kept["request_headers"]["x-pad"] == fill.decode()


def test_header_bytes_are_read_as_latin_1_and_the_query_too() -> None:
    """HTTP header bytes are Latin-1 (and a raw query byte is shown as the same)."""
    entry = _one_exchange(
        query=b"text=caf\xe9",
        request_headers=[(b"x-name", b"caf\xe9")],
        response_headers=[(b"x-a", b"\xe9")],
    )
    assert entry["query"] == "text=café"
    assert entry["request_headers"] == {"x-name": "café"}
    assert entry["response_headers"] == {"x-a": "é"}


def test_time_and_duration_are_shown_to_the_microsecond() -> None:
    entry = _one_exchange(time=1_700_000_000.25, duration=0.00125)
    assert entry["time"] == "2023-11-14T22:13:20.250000Z"
    assert entry["duration_ms"] == 1.25


def test_reading_an_entry_twice_gives_the_same_object() -> None:
    journal = Journal()
    journal.record_exchange(**_exchange())
    assert journal.entries()[0] is journal.entries()[0]


def test_stored_seq_finds_the_requests_being_answered_when_the_message_was_stored() -> None:
    """A message stored as seq 6 was made by a request that arrived before (the newest
    seq then below 6) and was answered after (the newest seq then 6 or more)."""
    journal = Journal()
    journal.record({"path": "/recorded"})  # no seqs: never a message's maker
    journal.record_exchange(**_exchange(path="/made-5", seqs=(4, 5)))
    journal.record_exchange(**_exchange(path="/made-6", seqs=(5, 6)))
    journal.record_exchange(**_exchange(path="/made-6-and-7", seqs=(5, 7)))
    journal.record_exchange(**_exchange(path="/after", seqs=(7, 7)))

    def makers(seq: int) -> list[str]:
        return [e["path"] for e in journal.entries(stored_seq=seq)]

    assert makers(5) == ["/made-5"]
    assert makers(6) == ["/made-6", "/made-6-and-7"]
    assert makers(7) == ["/made-6-and-7"]
    assert makers(8) == []


def test_bytes_of_dropped_and_cleared_entries_are_no_longer_counted() -> None:
    journal = Journal(bytes_kept=1000)
    for fill in (b"a", b"b", b"c"):
        journal.record_exchange(**_exchange(request_body=fill * 598))  # 600 with "{}"
    journal.record_exchange(**_exchange(request_body=b"d" * 298))  # 300
    assert [e["request_body"][0] for e in journal.entries()] == ["c", "d"]
    journal.clear()  # 900 counted before: none after
    for fill in (b"e", b"f"):
        journal.record_exchange(**_exchange(request_body=fill * 498))  # 500 each: 1000
    assert [e["request_body"][0] for e in journal.entries()] == ["e", "f"]


def test_every_header_byte_is_counted_and_cut_headers_as_the_limit() -> None:
    """Request and response headers count as bodies do; headers cut count as the limit."""
    one = HEADERS_LIMIT + 2 + 4  # request headers at the limit, "{}", "x-a: 1"
    huge = b"x" * (2 * HEADERS_LIMIT)
    exchange = _exchange(request_headers=[(b"x-pad", huge)], response_headers=[(b"x-a", b"1")])
    for bytes_kept, kept in ((2 * one - 1, 1), (2 * one, 2)):
        journal = Journal(bytes_kept=bytes_kept)
        journal.record_exchange(**exchange)
        journal.record_exchange(**exchange)
        assert len(journal.entries()) == kept


def test_forgotten_seq_is_the_newest_answer_dropped_and_cleared_with_the_journal() -> None:
    journal = Journal(capacity=1)
    journal.record_exchange(**_exchange(seqs=(0, 10)))  # a long request, answered last
    journal.record_exchange(**_exchange(seqs=(0, 5)))
    journal.record_exchange(**_exchange(seqs=(5, 6)))
    assert journal.forgotten_seq == 10
    journal.clear()
    assert (journal.forgotten_seq, journal.last_id) == (0, 0)


def test_continue_after_never_numbers_backwards() -> None:
    journal = Journal()
    journal.continue_after(7)
    assert journal.record({"path": "/"})["id"] == 8
    journal.continue_after(3)
    assert journal.record({"path": "/"})["id"] == 9
