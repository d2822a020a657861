"""The "did you mean" hint that every refusal of an unknown name carries."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["did_you_mean"]


def did_you_mean(
    value: object, choices: Sequence[str], *, listing: str | None = None, cutoff: float = 0.6
) -> str:
    """``" (did you mean 'x'?)"`` for the choice closest to ``value``.

    Case is ignored in the comparison.  With no close choice: ``" (<listing>: a, b)"``
    when ``listing`` names the list, else ``""``.  ``cutoff`` is difflib's similarity
    threshold (0 to 1).
    """
    # "TO" shares no character with "to" as difflib compares them.
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(str(value).casefold(), list(by_folded), n=1, cutoff=cutoff)
    if close:
        return f" (did you mean {by_folded[close[0]]!r}?)"
    return f" ({listing}: {', '.join(choices)})" if listing else ""
