"""Generated examples of a strategy, drawn without a test function: the same in every
run (derandomized), as drawn (not shrunk)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample


def _generating(count: int) -> settings:
    return settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate])


def drawn(strategy: st.SearchStrategy[Any], count: int = 300) -> list[Any]:
    """``count`` generated examples of ``strategy`` (fewer if it has fewer)."""
    seen: list[Any] = []

    def keep(value: Any) -> bool:
        seen.append(value)
        return False

    with contextlib.suppress(NoSuchExample):
        find(strategy, keep, settings=_generating(count))
    return seen


def found(
    strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool], count: int = 500
) -> Any:
    """The first of ``count`` generated examples meeting ``condition``; ``NoSuchExample``
    if none does."""
    return find(strategy, condition, settings=_generating(count))
