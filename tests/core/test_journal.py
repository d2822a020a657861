"""The request journal."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from emulator.core.journal import BODY_LIMIT, HEADERS_LIMIT, Journal


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


def _one_exchange(**fields: Any) -> dict[str, Any]:
    """The entry of one exchange recorded with ``fields`` over a plain default."""
    journal = Journal()
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
    journal.record_exchange(**{**exchange, **fields})
    (entry,) = journal.entries()
    return entry


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
