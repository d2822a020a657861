"""Clocks and durations."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

import pytest

from emulator import Emulator
from emulator.core.clock import (
    DEFAULT_VIRTUAL_START,
    MAX_DURATION,
    MAX_TIMESTAMP,
    RealClock,
    VirtualClock,
    make_clock,
    parse_duration,
    to_datetime,
    to_timestamp,
    whole_seconds,
)

START = DEFAULT_VIRTUAL_START.timestamp()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("30s", 30),
        ("15m", 900),
        ("1h", 3600),
        ("2d", 172_800),
        ("1h30m", 5400),
        ("1d2h3m4s5ms", 93_784.005),
        ("1.5h", 5400),
        ("5 s", 5),
        ("1h 30m", 5400),  # as "5 s" is read
        ("1d 2h 3m 4s 5ms", 93_784.005),
        (" 30S ", 30),
        ("0s", 0),
        ("10", 10),
        ("2.5", 2.5),
        (30, 30),
        (0.25, 0.25),
        (0, 0),
    ],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)
    assert isinstance(parse_duration(text), float)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "abc",
        "10x",
        "1s30m",  # units out of order or twice: a slip, not 30m1s nor 60s
        "30s30s",
        "1m 1m",
        "500ms1s",
        "m30",
        "1m30",
        "-5s",
        "-5",
        "1e400",
        "nan",
        "inf",
        -1,
        float("nan"),
        float("inf"),
        True,
        None,
        [1],
        {"s": 1},
        10**400,
        "1_0",  # float() reads these three as 10 seconds
        "\u0661\u0660",
        "\u0661\u0660s",
    ],
)
def test_parse_duration_rejects_bad_input_with_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match="duration") as info:
        parse_duration(bad)  # type: ignore[arg-type]
    message = str(info.value)  # each says what to write instead
    assert "'1h30m'" in message or "too long" in message or "non-negative" in message


def test_virtual_clock_stands_still_until_advanced() -> None:
    clock = VirtualClock()
    assert clock.kind == "virtual"
    assert clock.time() == START == clock.time()
    assert clock.advance(30) == START + 30
    assert clock.time() == START + 30
    assert clock.advance(0) == START + 30


def test_virtual_clock_start_accepts_datetime_iso_and_epoch() -> None:
    moment = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    for start in (moment, "2030-05-06T07:08:09Z", "2030-05-06T09:08:09+02:00", moment.timestamp()):
        assert VirtualClock(start).time() == moment.timestamp()
    # naive datetimes and strings are taken as UTC
    assert VirtualClock(datetime(2030, 5, 6, 7, 8, 9)).time() == moment.timestamp()
    assert VirtualClock("2030-05-06T07:08:09").time() == moment.timestamp()


def test_virtual_clock_set_jumps_forward_only() -> None:
    clock = VirtualClock()
    later = DEFAULT_VIRTUAL_START + timedelta(hours=2)
    assert clock.set(later) == later.timestamp()
    assert clock.set(later) == later.timestamp()  # same moment is fine
    with pytest.raises(ValueError, match="backwards"):
        clock.set(DEFAULT_VIRTUAL_START)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    assert clock.time() == later.timestamp()


@pytest.mark.parametrize("bad", ["not a time", "2026-13-01", [1], None, True])
def test_set_rejects_what_is_not_a_time(bad: object) -> None:
    clock = VirtualClock()
    with pytest.raises(ValueError):
        clock.set(bad)  # type: ignore[arg-type]
    assert clock.time() == START


@pytest.mark.parametrize("amount", [1e20, math.inf, math.nan, MAX_TIMESTAMP])
def test_clock_refuses_to_leave_the_representable_range(amount: float) -> None:
    for clock in (VirtualClock(), RealClock()):
        before = clock.time()
        with pytest.raises(ValueError):
            clock.advance(amount)
        assert clock.time() >= before
        assert clock.time() < before + 10  # unchanged (real time moves a little)
        to_datetime(clock.time())  # still shows as a datetime


def test_clock_can_reach_year_9999_but_not_beyond() -> None:
    clock = VirtualClock()
    clock.set("9999-12-31T23:59:59Z")
    assert to_datetime(clock.time()).year == 9999
    with pytest.raises(ValueError):
        clock.advance(1)
    with pytest.raises(ValueError):
        clock.set(1e300)


def test_real_clock_follows_wall_time_plus_advances() -> None:
    clock = RealClock()
    assert clock.kind == "real"
    wall = datetime.now(UTC).timestamp()
    assert abs(clock.time() - wall) < 60
    clock.advance(3600)
    assert abs(clock.time() - (datetime.now(UTC).timestamp() + 3600)) < 60
    target = datetime.now(UTC).timestamp() + 86_400
    assert clock.set(target) >= target
    assert abs(clock.time() - target) < 60
    with pytest.raises(ValueError, match="backwards"):
        clock.set(target - 3600)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_virtual_advances_add_up_exactly() -> None:
    """Ten advances of 100 ms are one second, not 0.999999 s: the clock counts microseconds."""
    clock = VirtualClock()
    for _ in range(10):
        clock.advance(parse_duration("100ms"))
    assert clock.time() == START + 1
    for _ in range(3600):
        clock.advance(1.1)
    assert clock.time() == START + 1 + 3960
    clock.set(START + 4000.0000004)  # below the microsecond: rounded
    assert clock.time() == START + 4000
    # 1.001 s is 1000999.9999999999 µs as a float: rounded, not cut to 1.000999
    assert clock.advance(1.001) == START + 4001.001


def test_clock_readings_are_whole_microseconds() -> None:
    """What a clock reads is what its ISO-8601 text (microseconds) parses back to."""
    virtual = VirtualClock(START + 0.2)
    real = RealClock()
    real.advance(0.1234567)
    for reading in (virtual.time(), real.time(), real.time()):
        shown = to_datetime(reading).isoformat()
        assert to_timestamp(shown) == reading


def test_whole_seconds_floors_after_rounding_to_the_microsecond() -> None:
    assert whole_seconds(START + 0.999999) == START
    assert whole_seconds(START + 0.9999999) == START + 1  # a sum of step times a hair short
    assert whole_seconds(START + 5.2 + 0.8) == START + 6
    assert whole_seconds(START) == START
    hair_short = math.nextafter(START + 1, 0)  # the float just below the next second
    assert hair_short < START + 1 and whole_seconds(hair_short) == START + 1


def test_make_clock() -> None:
    assert isinstance(make_clock("virtual"), VirtualClock)
    assert isinstance(make_clock("real"), RealClock)
    assert make_clock("virtual", "2030-01-01T00:00:00Z").time() == to_timestamp(
        "2030-01-01T00:00:00Z"
    )
    with pytest.raises(ValueError, match="real"):
        make_clock("fast")


def test_to_datetime_is_aware_utc() -> None:
    moment = to_datetime(START + 1.5)
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert moment == DEFAULT_VIRTUAL_START + timedelta(seconds=1.5)
    assert to_timestamp(moment) == START + 1.5
    assert to_timestamp(7) == 7.0
    with pytest.raises(ValueError):
        to_timestamp(True)


def test_epoch_seconds_as_text_are_read_as_the_number() -> None:
    """``Emulator(start="1800000000")``, ``{"set": "1800000000"}`` and ``--start`` agree."""
    assert to_timestamp("1800000000") == to_timestamp(" 1800000000.0 ") == 1_800_000_000.0
    assert VirtualClock("1800000000").time() == 1_800_000_000.0
    assert to_timestamp("20270101") == to_timestamp("2027-01-01")  # ISO's basic date
    for text in ("\u0661\u0668\u0660\u0660", "1e9", "nan", "1_800_000_000"):
        with pytest.raises(ValueError, match="ISO 8601"):  # float() reads these, no clock
            to_timestamp(text)


@pytest.mark.parametrize("text", ["2026-01-01T00:00:01.5Z", "2026-01-01t00:00:01.5z"])
def test_iso_times_end_in_z_of_either_case(text: str) -> None:
    """RFC 3339 lets the T and the Z be lowercase."""
    assert to_timestamp(text) == START + 1.5


def test_to_datetime_shows_times_past_the_year_9999_as_its_last_instant() -> None:
    """A real clock set to its end keeps running past it; a due time can lie beyond."""
    assert to_datetime(MAX_TIMESTAMP + 1) == datetime.max.replace(tzinfo=UTC)
    assert to_datetime(1e300) == datetime.max.replace(tzinfo=UTC)
    assert to_datetime(MAX_TIMESTAMP) == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert to_datetime(-1e300) == datetime.min.replace(tzinfo=UTC)  # and before the year 1


def test_naive_times_are_utc_whatever_the_machine_s_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A naive datetime or ISO text is UTC, not the local time of whoever runs the tests."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        moment = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC).timestamp()
        assert to_timestamp(datetime(2030, 5, 6, 7, 8, 9)) == moment
        assert VirtualClock("2030-05-06T07:08:09").time() == moment
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("huge", ["1e308", 1e308, "99999999999999999999d", 10**20, "3652059d"])
def test_a_duration_longer_than_the_clock_can_run_is_refused(huge: str | float) -> None:
    """Two such steps in a scenario added up to infinity, which no time display survives."""
    with pytest.raises(ValueError, match="too long"):
        parse_duration(huge)


def test_the_longest_duration_is_the_clock_s_whole_range() -> None:
    assert parse_duration(MAX_DURATION) == MAX_DURATION
    assert parse_duration("3652057d") == 3652057 * 86400.0  # just under 9999 years


@pytest.mark.parametrize("negative", ["-30s", "-5", -1, " -1h30m"])
def test_a_negative_duration_says_so(negative: str | int) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        parse_duration(negative)


def test_a_real_clock_reset_forgets_what_it_skipped_ahead() -> None:
    class Labelled(RealClock):  # a user's own: kept, not swapped for a plain one
        label = "mine"

    clock = Labelled()
    clock.advance(7200)
    clock.set(time.time() + 86400)
    clock.reset()
    assert abs(clock.time() - time.time()) < 60
    emu = Emulator(clock=clock)
    emu.advance("2h")
    emu.reset()
    assert emu.clock is clock and abs(emu.time() - time.time()) < 60
    emu.close()
