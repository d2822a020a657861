"""RingCentral's rate-limit groups and ``X-Rate-Limit-*`` headers.

The a2p-sms operations are in the **Light** group (50 requests per 60 s), changes
to webhook subscriptions in **Medium** (40), the account-wide number list in
**Heavy** (10), token and revoke in **Auth** (5 per 60 s). Limits are only enforced
when the scenario sets them (``rate_limits: {ringcentral: ...}`` for each group, or
per group, ``ringcentral.light`` ...); otherwise the headers still count
down, informationally.  Buckets are per caller (user and application; see
``routes._caller``), as RingCentral's are.

RingCentral's penalty rule (hitting a limit blocks the group for 60 s, and every
refused request restarts the block) is the provider's ``rate_limit_penalty``,
which a limit's own ``penalty`` replaces; the core limiter enforces it and
``Retry-After`` then says how long the block lasts.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TYPE_CHECKING

from ...core.ratelimit import RateDecision

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["GROUPS", "rate_headers"]

PROVIDER = "ringcentral"
#: group → (wire name, requests, window seconds)
GROUPS: dict[str, tuple[str, int, float]] = {
    "light": ("light", 50, 60.0),
    "medium": ("medium", 40, 60.0),
    "heavy": ("heavy", 10, 60.0),
    "auth": ("auth", 5, 60.0),
}


def _configured(emu: Emulator, group: str) -> object | None:
    limits = emu.scenario.rate_limits
    return limits.get(f"{PROVIDER}.{group}") or limits.get(PROVIDER)


def rate_headers(
    emu: Emulator,
    group: str,
    decision: RateDecision | None,
    *,
    refused: bool = False,
    caller: Hashable = "",
) -> dict[str, str]:
    """``X-Rate-Limit-Group/Limit/Remaining/Window`` for ``caller``'s response in ``group``."""
    name, requests, window = GROUPS[group]
    if decision is None and not refused:
        # No limit enforced: count anyway so self-throttling clients see real numbers.
        key = (PROVIDER, group, "informational", caller)
        decision = emu.rate_limiter.take(key, emu.time(), requests, window)
    if decision is not None:
        requests, window = decision.limit, decision.window
    limit = _configured(emu, group)
    if refused and limit is not None:
        requests, window = limit.requests, limit.per  # type: ignore[attr-defined]
    remaining = 0 if refused or decision is None else decision.remaining
    return {
        "X-Rate-Limit-Group": name,
        "X-Rate-Limit-Limit": str(requests),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Window": str(math.ceil(window)),
    }
