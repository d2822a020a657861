"""httpx clients that reach loopback addresses directly, whatever proxy the environment sets.

httpx honours ``HTTP_PROXY``/``HTTPS_PROXY`` unless ``NO_PROXY`` names the host, and
it does not skip loopback by itself: on a runner with a company proxy, a webhook to
a receiver on ``127.0.0.1`` would go to the proxy.  Other hosts still use it.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["LOOPBACK", "async_client", "client"]

#: Where a test's receivers and servers live (these spellings exactly).
LOOPBACK = ("all://127.0.0.1", "all://localhost", "all://[::1]")


def client(**options: Any) -> httpx.Client:
    """An ``httpx.Client(**options)`` that reaches ``LOOPBACK`` without a proxy."""
    return httpx.Client(mounts=_mounts(options), **options)


def async_client(**options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient(**options)`` that reaches ``LOOPBACK`` without a proxy."""
    return httpx.AsyncClient(mounts=_mounts(options), **options)


def _mounts(options: dict[str, Any]) -> dict[str, Any]:
    """``None`` for loopback: the client's own transport (built from the caller's
    ``verify``, ``cert``, ``http2``, ``limits``, ``transport``...) without the
    environment's proxy.  A proxy the caller names is theirs to use everywhere."""
    named = options.get("proxy") is not None or options.get("proxies") is not None
    direct: dict[str, Any] = {} if named else dict.fromkeys(LOOPBACK)
    return {**direct, **options.pop("mounts", {})}
