"""Token buckets on the emulator clock."""

from __future__ import annotations

from emulator import Emulator
from emulator.core.ratelimit import RateLimiter, TokenBucket


def test_bucket_allows_capacity_then_refuses_with_time_to_next_token() -> None:
    bucket = TokenBucket(3, 30.0)
    decisions = [bucket.take(100.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after == 10.0
    assert decisions[-1].retry_after_header == "10"
    assert decisions[0].retry_after_header == "0"


def test_bucket_refills_continuously_and_caps_at_capacity() -> None:
    bucket = TokenBucket(2, 10.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert not bucket.take(4.0).allowed
    assert bucket.take(5.0).allowed
    later = [bucket.take(1000.0).allowed for _ in range(3)]
    assert later == [True, True, False]


def test_retry_after_header_rounds_up_to_whole_seconds() -> None:
    bucket = TokenBucket(3, 1.0)
    for _ in range(3):
        bucket.take(0.0)
    refused = bucket.take(0.0)
    assert refused.retry_after < 1
    assert refused.retry_after_header == "1"


def test_penalty_restarts_on_each_refused_request() -> None:
    bucket = TokenBucket(1, 60.0, penalty=60.0)
    assert bucket.take(0.0).allowed
    assert bucket.take(1.0).retry_after == 60.0
    assert not bucket.take(60.0).allowed  # inside the restarted penalty
    assert bucket.take(120.5).allowed


def test_limiter_keeps_one_bucket_per_key_and_rebuilds_on_new_settings() -> None:
    limiter = RateLimiter()
    assert limiter.take(("a",), 0.0, 1, 60.0).allowed
    assert not limiter.take(("a",), 0.0, 1, 60.0).allowed
    assert limiter.take(("b",), 0.0, 1, 60.0).allowed
    assert limiter.take(("a",), 0.0, 2, 60.0).allowed  # a new scenario's limit: fresh bucket
    limiter.reset()
    assert limiter.take(("b",), 0.0, 1, 60.0).allowed


def test_a_limit_without_per_gives_its_requests_per_minute() -> None:
    """The docs: ``per`` defaults to 60s, so one request a minute here."""
    emu = Emulator({"rate_limits": {"sendbulk": {"requests": 1}}}, clock="virtual")
    with emu.client() as http:
        assert http.post("/api/services/getbalance", json={}).status_code == 200
        refused = http.post("/api/services/getbalance", json={})
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, "60")
        emu.advance("59s")
        assert http.post("/api/services/getbalance", json={}).status_code == 429
        emu.advance("1s")
        assert http.post("/api/services/getbalance", json={}).status_code == 200
