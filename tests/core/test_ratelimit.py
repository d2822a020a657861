"""Token buckets on the emulator clock."""

from __future__ import annotations

import pytest

from emulator.core.ratelimit import RateLimiter, TokenBucket, retry_after_header

T0 = 1_767_225_600.0


def test_bucket_allows_capacity_then_refuses_with_retry_after() -> None:
    bucket = TokenBucket(2, 60.0)
    first, second, third = bucket.take(T0), bucket.take(T0), bucket.take(T0)
    assert (first.allowed, first.remaining, second.allowed, second.remaining) == (True, 1, True, 0)
    assert not third.allowed
    assert third.retry_after == pytest.approx(30.0)
    assert third.retry_after_header == "30"
    assert first.retry_after_header == "0"


def test_bucket_refills_on_the_clock() -> None:
    bucket = TokenBucket(2, 60.0)
    bucket.take(T0)
    bucket.take(T0)
    assert not bucket.take(T0 + 29).allowed
    assert bucket.take(T0 + 30).allowed
    assert bucket.take(T0 + 1000).remaining == 1  # never more than the capacity


def test_penalty_blocks_and_restarts_on_each_refused_request() -> None:
    bucket = TokenBucket(1, 60.0, penalty=120.0)
    assert bucket.take(T0).allowed
    refused = bucket.take(T0 + 1)
    assert not refused.allowed and refused.retry_after == 120.0
    assert not bucket.take(T0 + 100).allowed  # retried inside the block: restarts it
    assert not bucket.take(T0 + 219).allowed
    assert bucket.take(T0 + 219 + 120).allowed


def test_limiter_keeps_buckets_per_key_and_resets() -> None:
    limiter = RateLimiter()
    assert limiter.take(("p", "", "a"), T0, 1, 60).allowed
    assert not limiter.take(("p", "", "a"), T0, 1, 60).allowed
    assert limiter.take(("p", "", "b"), T0, 1, 60).allowed
    assert limiter.take(("p", "", "a"), T0, 2, 60).allowed  # new limits: a new bucket
    limiter.reset()
    assert limiter.take(("p", "", "b"), T0, 1, 60).allowed


@pytest.mark.parametrize(("requests", "after", "wait"), [(3, 17.0, "3"), (2, 10.0, "20")])
def test_a_whole_second_wait_is_not_read_one_second_long(
    requests: int, after: float, wait: str
) -> None:
    """3 per 60 s, 17 s after running dry: 3 s until a token, not 3.0000000000000004."""
    bucket = TokenBucket(requests, 60.0)
    for _ in range(requests):
        bucket.take(T0)
    assert bucket.take(T0 + after).retry_after_header == wait


def test_a_fractional_wait_is_rounded_up_so_waiting_it_out_gets_through() -> None:
    """3 per 10 s: a token is back 3.33 s after running dry; after 3 s it is not."""
    bucket = TokenBucket(3, 10.0)
    for _ in range(3):
        bucket.take(T0)
    refused = bucket.take(T0)
    assert refused.retry_after == pytest.approx(10 / 3)
    assert refused.retry_after_header == "4"
    assert not bucket.take(T0 + 3).allowed
    assert bucket.take(T0 + 4).allowed


def test_remaining_counts_whole_tokens_only() -> None:
    """A client pacing itself on the remaining count (RingCentral's
    X-Rate-Limit-Remaining) is never refused within it."""
    bucket = TokenBucket(3, 60.0)
    for _ in range(3):
        bucket.take(T0)
    decision = bucket.take(T0 + 54)  # 2.7 tokens back: one taken, 1.7 left
    assert (decision.allowed, decision.remaining) == (True, 1)
    assert bucket.take(T0 + 54).allowed
    assert not bucket.take(T0 + 54).allowed


def test_retry_after_header_is_at_least_one_second() -> None:
    bucket = TokenBucket(1000, 1.0)
    for _ in range(1000):
        bucket.take(T0)
    refused = bucket.take(T0)
    assert refused.retry_after < 1
    assert refused.retry_after_header == "1"


def test_no_wait_is_a_retry_after_of_zero() -> None:
    """A fault's ``retry_after: 0s`` means retry at once, not in a second."""
    assert retry_after_header(0) == retry_after_header(0.0) == "0"
    assert retry_after_header(1e-9) == "1"


def test_a_clock_reading_earlier_than_the_last_takes_no_tokens_away() -> None:
    """A wall clock stepped back (the real clock follows it) refills nothing, and
    empties nothing either: the caller still has the tokens it had."""
    bucket = TokenBucket(2, 60.0)
    assert bucket.take(T0 + 100).remaining == 1
    decision = bucket.take(T0)  # 100 s earlier
    assert (decision.allowed, decision.remaining) == (True, 0)


def test_past_its_bucket_cap_the_limiter_forgets_what_a_new_bucket_would_equal() -> None:
    """Callers are whoever a request claims to be: a flood of made-up ones must not
    grow the limiter without end, nor free a caller it is still holding back."""
    limiter = RateLimiter(max_buckets=4)
    day = 86_400.0
    assert not [limiter.take(("held",), T0, 1, 60.0, day) for _ in range(2)][-1].allowed
    for n in range(50):  # each has refilled by the next one's time: fresh, forgotten
        assert limiter.take((f"caller-{n}",), T0 + 61 * n, 1, 60.0).allowed
    assert len(limiter._buckets) <= 4
    assert not limiter.take(("held",), T0 + 61 * 50, 1, 60.0, day).allowed  # still blocked


@pytest.mark.parametrize("penalty", [None, 60.0], ids=["refilled", "block-over"])
def test_a_bucket_a_new_one_equals_from_this_very_moment_is_forgotten_first(
    penalty: float | None,
) -> None:
    """On a virtual clock, callers of one request a minute are back to full exactly a
    minute later (or their block ends then): forgotten as such, not in place of a
    caller still held back, the least recently used."""
    limiter = RateLimiter(max_buckets=10)
    day = 86_400.0
    assert not [limiter.take(("held",), T0, 1, 60.0, day) for _ in range(2)][-1].allowed
    for n in range(9):
        for _ in range(2 if penalty else 1):  # the second is refused: a 60 s block
            limiter.take((n,), T0, 1, 60.0, penalty)
    assert limiter.take(("new",), T0 + 60, 1, 60.0).allowed  # past the cap
    assert not limiter.take(("held",), T0 + 60, 1, 60.0, day).allowed  # still held


def test_past_its_cap_with_every_bucket_in_use_the_least_recently_used_go() -> None:
    limiter = RateLimiter(max_buckets=10)
    for n in range(10):
        limiter.take((n,), T0, 1, 60.0)  # each used up: none is fresh
    limiter.take((0,), T0, 1, 60.0)  # 0 used again: the most recent now
    limiter.take(("new",), T0, 1, 60.0)
    assert len(limiter._buckets) <= 10
    assert (0,) in limiter._buckets and (1,) not in limiter._buckets
    assert not limiter.take((0,), T0, 1, 60.0).allowed  # kept with its count


def test_a_penalty_shorter_than_the_refill_blocks_until_a_token_is_back() -> None:
    """Waiting out each Retry-After got another 429 until the token was back (at 2, 4, 6
    and 8 s for one request per 10 s with a 2 s penalty), each retry restarting the block."""
    bucket = TokenBucket(1, 10.0, penalty=2.0)
    assert bucket.take(0.0).allowed
    refused = bucket.take(0.5)
    assert (refused.allowed, refused.retry_after, refused.retry_after_header) == (False, 9.5, "10")
    assert bucket.take(0.5 + refused.retry_after).allowed
    # with a token back before the penalty ends, the penalty still rules
    quick = TokenBucket(10, 1.0, penalty=5.0)
    for _ in range(10):
        assert quick.take(0.0).allowed
    assert quick.take(0.0).retry_after == 5.0
    assert not quick.take(4.9).allowed  # a refused request restarts the block
    assert quick.take(4.9 + 5.0).allowed


def test_a_token_refilled_at_an_epoch_sized_time_is_back_not_refused_with_no_wait() -> None:
    """Float error left it a hair under 1 (0.9999999...): refused with a wait of 0, so
    ``Retry-After: 0`` on a virtual clock that does not move, and a client retrying for ever."""
    start = 1767225600.0
    bucket = TokenBucket(10, 1.0)
    for _ in range(10):
        assert bucket.take(start).allowed
    assert bucket.take(start + 0.1).allowed
    refused = bucket.take(start + 0.1)
    assert not refused.allowed and refused.retry_after > 0
    assert refused.retry_after_header == "1"
