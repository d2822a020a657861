"""Process-local indexes over a store's contents that notice when the store is cleared.

A provider that would otherwise scan every stored record per request keeps an
index instead (built once, then kept up to date by the provider).  The index
lives in this process, one per store; its epoch (process id and a counter) is
written to the store's provider state, so after ``clear()``, a restart, or
another process building its own index over the same file, the epochs differ
and the index is built again.
"""

from __future__ import annotations

import itertools
import os
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
        self._indexes: WeakKeyDictionary[Store, tuple[str, T]] = WeakKeyDictionary()

    def get(self, store: Store) -> T:
        """The store's index; built again if the store was cleared since it was built.

        Callers that change the store and then the index do both inside
        ``store.transaction()``, so a ``clear()`` cannot fall in between (and
        take the index with ``changing()``).
        """
        with store.atomic():
            held = self._indexes.get(store)
            if held is None or store.get_state(self.namespace, "epoch") != held[0]:
                held = self._stamp(store, self._build(store))
            return held[1]

    def changing(self, store: Store) -> T:
        """The index, for a caller about to change it along with the store.

        Call it inside the ``store.transaction()`` that makes the change: the
        index gets a new epoch written in that transaction, so if it is rolled
        back (a failed commit), the epochs differ and the index is built again
        from what the store kept.
        """
        with store.atomic():
            return self._stamp(store, self.get(store))[1]

    def _stamp(self, store: Store, index: T) -> tuple[str, T]:
        epoch = f"{os.getpid()}-{next(_EPOCHS)}"
        store.put_state(self.namespace, "epoch", epoch)
        held = self._indexes[store] = (epoch, index)
        return held
