"""Process-local indexes over a store's contents that notice when the store is cleared.

A provider that would otherwise scan every stored record per request keeps an
index instead (built once, then kept up to date by the provider).  The index
lives in this process, one per store; its epoch is written to the store's
provider state, so after ``clear()`` (or a restart, or another process
writing the file) the epochs differ and the index is built again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from .store import Store

__all__ = ["StoreIndex"]

T = TypeVar("T")

_EPOCHS = itertools.count(1)


class StoreIndex(Generic[T]):
    """An index ``build(store)`` makes, kept per store until the store changes hands."""

    def __init__(self, namespace: str, build: Callable[[Store], T]) -> None:
        self.namespace = namespace
        self._build = build
        self._indexes: WeakKeyDictionary[Store, tuple[int, T]] = WeakKeyDictionary()

    def get(self, store: Store) -> T:
        """The store's index; built again if the store was cleared since it was built."""
        held = self._indexes.get(store)
        if held is None or store.get_state(self.namespace, "epoch") != held[0]:
            epoch = next(_EPOCHS)
            store.put_state(self.namespace, "epoch", epoch)
            held = self._indexes[store] = (epoch, self._build(store))
        return held[1]
