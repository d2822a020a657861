"""RingCentral's rate-limit groups, ``X-Rate-Limit-*`` headers and the 60 s penalty.

The a2p-sms operations are in the **Light** group (50 requests per 60 s), token
and revoke in **Auth** (5 per 60 s). Limits are only enforced when the scenario
sets them (``rate_limits: {ringcentral: ...}``, or per group ``ringcentral.light``
/ ``ringcentral.auth``); otherwise the headers still count down, informationally.

Penalty rule: once a group's limit is hit, every request in that group is refused
for ``penalty`` seconds (default 60, ``providers.ringcentral.rate_limit_penalty``),
and each refused request restarts the penalty. ``Retry-After`` says how long.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...core.clock import parse_duration
from ...core.ratelimit import RateDecision

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = ["GROUPS", "penalty_active", "rate_headers", "start_penalty"]

PROVIDER = "ringcentral"
#: group → (wire name, requests, window seconds)
GROUPS: dict[str, tuple[str, int, float]] = {
    "light": ("light", 50, 60.0),
    "auth": ("auth", 5, 60.0),
}
DEFAULT_PENALTY = 60.0
_STATE = "ringcentral.penalty"


def _configured(emu: Emulator, group: str) -> object | None:
    limits = emu.scenario.rate_limits
    return limits.get(f"{PROVIDER}.{group}") or limits.get(PROVIDER)


def _penalty(emu: Emulator, group: str) -> float | None:
    """Seconds of penalty this provider applies itself (None: not enforcing, or core does)."""
    limit = _configured(emu, group)
    if limit is None or getattr(limit, "penalty", None) is not None:
        return None
    option = emu.scenario.provider_options(PROVIDER).get("rate_limit_penalty", DEFAULT_PENALTY)
    seconds = parse_duration(option)
    return seconds if seconds > 0 else None


def rate_headers(
    emu: Emulator, group: str, decision: RateDecision | None, *, refused: bool = False
) -> dict[str, str]:
    """``X-Rate-Limit-Group/Limit/Remaining/Window`` for a response in ``group``."""
    name, requests, window = GROUPS[group]
    if decision is None and not refused:
        # No limit enforced: count anyway so self-throttling clients see real numbers.
        key = (PROVIDER, group, "informational")
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


def start_penalty(emu: Emulator, group: str, retry_after: float | None) -> float:
    """A refusal happened: (re)start the penalty; the ``Retry-After`` seconds to send."""
    penalty = _penalty(emu, group)
    if penalty is None:
        return retry_after if retry_after is not None else DEFAULT_PENALTY
    emu.store.put_state(_STATE, group, emu.time() + penalty)
    return penalty


def penalty_active(emu: Emulator, group: str) -> bool:
    """Whether ``group`` is inside a penalty (a request now restarts it)."""
    if _penalty(emu, group) is None:
        return False
    until = emu.store.get_state(_STATE, group)
    return until is not None and emu.time() < until
