"""The "did you mean" hint that every refusal of an unknown name carries."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["did_you_mean"]


def did_you_mean(
    value: object, choices: Sequence[str], *, listing: str | None = None, cutoff: float = 0.6
) -> str:
    """``" (did you mean 'x'?)"`` for the choice closest to ``value``.

    With no close choice: ``" (<listing>: a, b)"`` when ``listing`` names the list,
    else ``""``.  ``cutoff`` is difflib's similarity threshold (0 to 1).
    """
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=cutoff)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" ({listing}: {', '.join(choices)})" if listing else ""
