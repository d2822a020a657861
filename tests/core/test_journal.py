"""The request journal."""

from __future__ import annotations

from emulator.core.journal import Journal


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
