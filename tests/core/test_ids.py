"""Deterministic ids: the same seed and call sequence give the same ids."""

from __future__ import annotations

import re
import string

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
