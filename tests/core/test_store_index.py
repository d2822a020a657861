"""StoreIndex: built once per store, built again once the store was cleared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emulator.core.sqlite import SQLiteStore
from emulator.core.store import MemoryStore, Store
from emulator.core.store_index import StoreIndex


def _counting_index() -> tuple[StoreIndex[list[str]], list[Store]]:
    builds: list[Store] = []

    def build(store: Store) -> list[str]:
        builds.append(store)
        return [key for key, _ in store.state_items("things")]

    return StoreIndex("test.index", build), builds


def test_built_once_per_store_and_kept() -> None:
    index, builds = _counting_index()
    first, second = MemoryStore(), MemoryStore()
    first.put_state("things", "a", 1)
    assert index.get(first) == ["a"]
    index.get(first).append("b")  # the owner keeps it up to date
    assert index.get(first) == ["a", "b"]
    assert index.get(second) == []
    assert builds == [first, second]


def test_built_again_after_the_store_is_cleared() -> None:
    index, builds = _counting_index()
    store = MemoryStore()
    store.put_state("things", "a", 1)
    assert index.get(store) == ["a"]
    store.clear()
    assert index.get(store) == []
    assert len(builds) == 2


def test_a_reopened_file_gets_a_fresh_index(tmp_path: Path) -> None:
    index, builds = _counting_index()
    store = SQLiteStore(tmp_path / "s.db")
    store.put_state("things", "a", 1)
    assert index.get(store) == ["a"]
    store.close()
    reopened = SQLiteStore(tmp_path / "s.db")
    reopened.put_state("things", "b", 2)
    assert index.get(reopened) == ["a", "b"]
    assert len(builds) == 2
    reopened.close()


@pytest.mark.parametrize("same_count", [False, True], ids=["its own count", "our count"])
def test_an_index_another_process_built_over_the_file_makes_ours_rebuild(
    tmp_path: Path, same_count: bool
) -> None:
    """Even when that process has stamped as many indexes as this one: the epoch
    names the process too."""
    index, builds = _counting_index()
    store = SQLiteStore(tmp_path / "s.db")
    store.put_state("things", "a", 1)
    assert index.get(store) == ["a"]
    other = f"""
import itertools
from emulator.core import sqlite, store_index
from emulator.core.sqlite import SQLiteStore
from emulator.core.store_index import StoreIndex
sqlite.FileClaim = lambda path: None  # a writer the file's claim does not stop (a tool)
store = SQLiteStore({str(tmp_path / "s.db")!r})
if {same_count!r}:
    ours = store.get_state("test.index", "epoch")
    store_index._EPOCHS = itertools.count(int(ours.rsplit("-", 1)[-1]))
store.put_state("things", "b", 2)
StoreIndex("test.index", lambda store: None).get(store)
store.close()
"""
    subprocess.run([sys.executable, "-c", other], check=True, timeout=60)
    assert index.get(store) == ["a", "b"]
    assert len(builds) == 2
    store.close()


def test_changed_in_a_transaction_that_is_undone_it_is_built_again(tmp_path: Path) -> None:
    index, builds = _counting_index()
    store = SQLiteStore(tmp_path / "s.db")
    store.put_state("things", "a", 1)
    assert index.get(store) == ["a"]
    with store.transaction():  # kept: the change stays in the index
        store.put_state("things", "b", 2)
        index.changing(store).append("b")
    assert index.get(store) == ["a", "b"] and len(builds) == 1
    try:
        with store.transaction():
            store.put_state("things", "c", 3)
            index.changing(store).append("c")
            raise RuntimeError("undone")
    except RuntimeError:
        pass
    assert index.get(store) == ["a", "b"]  # what the store kept, not what the index was told
    assert len(builds) == 2
    store.close()
