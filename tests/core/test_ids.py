"""Deterministic ids: the same seed and call sequence give the same ids."""

from __future__ import annotations

import re
import string
import uuid

import pytest

from emulator.core.ids import IdGenerator


def _sequence(gen: IdGenerator) -> list[object]:
    return [
        gen.next("a"),
        gen.next("a"),
        gen.next("b"),
        gen.reserve("a", 10),
        gen.next("a"),
        gen.token("tok"),
        gen.token("tok", 8, "xyz"),
        gen.urlsafe("u"),
        gen.uuid("id"),
        gen.uuid("id"),
    ]


def test_same_seed_same_ids() -> None:
    assert _sequence(IdGenerator(7)) == _sequence(IdGenerator(7))


def test_different_seed_different_tokens() -> None:
    one, other = IdGenerator(7), IdGenerator(8)
    assert one.token("t") != other.token("t")
    assert one.uuid("u") != other.uuid("u")
    assert one.next("n") == other.next("n") == 1  # counters do not depend on the seed


def test_counters_per_namespace() -> None:
    gen = IdGenerator()
    assert [gen.next("a"), gen.next("a"), gen.next("b"), gen.next("a")] == [1, 2, 1, 3]
    assert gen.reserve("a", 5) == 4
    assert gen.next("a") == 9
    assert gen.reserve("c", 0) == 1 and gen.next("c") == 1


def test_namespaces_do_not_shift_each_other() -> None:
    quiet, busy = IdGenerator(3), IdGenerator(3)
    for _ in range(5):
        busy.token("other")
    assert quiet.token("mine") == busy.token("mine")


def test_token_shapes() -> None:
    gen = IdGenerator(1)
    token = gen.token("t")
    assert len(token) == 32 and set(token) <= set(string.ascii_uppercase + string.digits)
    long = gen.token("t", 200)
    assert len(long) == 200
    custom = gen.token("t", 12, "ab")
    assert len(custom) == 12 and set(custom) <= {"a", "b"}
    for odd in (1, 7, 45):  # the last character drawn alone, not as one of a pair
        token = gen.token("odd", odd)
        assert len(token) == odd and set(token) <= set(string.ascii_uppercase + string.digits)
    url = gen.urlsafe("u")
    assert len(url) == 22 and re.fullmatch(r"[A-Za-z0-9_-]+", url)
    uuid = gen.uuid("x")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid
    )


def test_tokens_do_not_repeat() -> None:
    gen = IdGenerator(0)
    tokens = {gen.token("t", 10) for _ in range(2000)}
    assert len(tokens) == 2000
    uuids = {gen.uuid("u") for _ in range(2000)}
    assert len(uuids) == 2000


def test_state_restore_continues_without_collisions() -> None:
    gen = IdGenerator(5)
    first = [gen.token("t") for _ in range(3)] + [gen.next("n")]
    saved = gen.state()
    resumed = IdGenerator(5)
    resumed.restore(saved)
    later = [resumed.token("t") for _ in range(3)] + [resumed.next("n")]
    assert not set(first) & set(later)
    assert later == [gen.token("t") for _ in range(3)] + [gen.next("n")]


def test_reset_starts_over() -> None:
    gen = IdGenerator(2)
    first = _sequence(gen)
    gen.reset()
    assert _sequence(gen) == first


def test_codes_are_seeded_digests_in_upper_case_letters_and_digits() -> None:
    gen = IdGenerator(9)
    codes = gen.codes("c", 3, 31)
    assert all(re.fullmatch(r"[A-Z0-9]{31}", code) for code in codes)
    assert len(set(codes)) == 3
    alphabet = string.ascii_uppercase + string.digits
    again = IdGenerator(9)
    assert codes == [
        "".join(alphabet[byte % 36] for byte in again.digest("c", counter, 31))
        for counter in (1, 2, 3)
    ]
    assert IdGenerator(10).codes("c", 1, 31)[0] != codes[0]


def test_codes_count_in_the_namespace_and_continue_after_restore() -> None:
    gen = IdGenerator(4)
    first = gen.codes("c", 2) + gen.codes("c", 1)
    assert gen.next("c") == 4
    resumed = IdGenerator(4)
    resumed.restore(gen.state())
    later = resumed.codes("c", 5)
    assert later == gen.codes("c", 5)
    assert not set(first) & set(later)
    assert gen.codes("c", 0) == []


def test_codes_do_not_repeat_and_lengths_are_checked() -> None:
    gen = IdGenerator(0)
    assert len(set(gen.codes("c", 2000, 12))) == 2000
    assert [len(code) for code in (gen.codes("c", 1, 1) + gen.codes("c", 1, 64))] == [1, 64]
    for length in (0, 65):
        with pytest.raises(ValueError):
            gen.codes("c", 1, length)


def test_uuid_is_the_counters_digest_as_a_version_4_uuid() -> None:
    ids = IdGenerator(seed=3)
    for counter in range(1, 200):
        value = ids.uuid("rc.request")
        expected = bytearray(ids.digest("rc.request", counter))
        expected[6] = (expected[6] & 0x0F) | 0x40
        expected[8] = (expected[8] & 0x3F) | 0x80
        parsed = uuid.UUID(value)
        assert parsed.bytes == bytes(expected)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == value  # lower-case, hyphenated


@pytest.mark.parametrize(("length", "size"), [(8, 16), (22, 22), (46, 46)])
def test_a_token_is_its_digests_digits_least_significant_first(length: int, size: int) -> None:
    """The digest of the token's counter value (at least 16 bytes, one per character
    past that) read in base ``len(alphabet)``, one digit per character, lowest first."""
    alphabet = string.ascii_letters + string.digits + "-_"
    token = IdGenerator(6).urlsafe("u", length)
    value = int.from_bytes(IdGenerator(6).digest("u", 1, size), "big")
    digits = []
    for _ in range(length):
        value, digit = divmod(value, len(alphabet))
        digits.append(alphabet[digit])
    assert token == "".join(digits)


def test_url_safe_tokens_use_the_whole_alphabet() -> None:
    gen = IdGenerator(0)
    seen = set("".join(gen.urlsafe("u", 46) for _ in range(100)))
    assert seen == set(string.ascii_letters + string.digits + "-_")


def test_saved_and_restored_counters_are_copies() -> None:
    gen = IdGenerator()
    gen.next("a")
    saved = gen.state()
    gen.next("a")
    assert saved == {"a": 1}
    resumed = IdGenerator()
    resumed.restore(saved)
    resumed.next("a")
    assert saved == {"a": 1}
    assert resumed.next("a") == 3
