"""httpx clients that reach loopback addresses directly, whatever proxy the environment sets.

httpx honours ``HTTP_PROXY``/``HTTPS_PROXY`` unless ``NO_PROXY`` names the host, and
it does not skip loopback by itself: on a runner with a company proxy, a webhook to
a receiver on ``127.0.0.1`` would go to the proxy.  Other hosts still use it.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["LOOPBACK", "async_client", "client"]

#: Where a test's receivers and servers live.
LOOPBACK = ("all://127.0.0.1", "all://localhost", "all://[::1]")


def client(**options: Any) -> httpx.Client:
    """An ``httpx.Client(**options)`` that reaches ``LOOPBACK`` without a proxy."""
    direct = {pattern: httpx.HTTPTransport() for pattern in LOOPBACK}
    return httpx.Client(mounts={**direct, **options.pop("mounts", {})}, **options)


def async_client(**options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient(**options)`` that reaches ``LOOPBACK`` without a proxy."""
    direct = {pattern: httpx.AsyncHTTPTransport() for pattern in LOOPBACK}
    return httpx.AsyncClient(mounts={**direct, **options.pop("mounts", {})}, **options)
