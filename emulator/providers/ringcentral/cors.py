"""Cross-origin access for browser apps: RingCentral's JS SDK also runs in browsers
(client-side web apps), so the API answers CORS preflights and labels its answers.

Only requests that carry an ``Origin`` header (what browsers send cross-origin)
take Starlette's CORS middleware; every other request goes straight through.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...core.cors import CORSWithOwnRefusals
from .errors import InvalidParameter

__all__ = ["BrowserAccess"]

#: Response headers a browser app may read: the SDKs log the request id and pace
#: themselves by the rate-limit headers.
_EXPOSED = (
    "RCRequestId",
    "Retry-After",
    "X-Rate-Limit-Group",
    "X-Rate-Limit-Limit",
    "X-Rate-Limit-Remaining",
    "X-Rate-Limit-Window",
)


class BrowserAccess:
    """Wraps RingCentral's app: CORS for any origin, any request header, with
    credentials (the JS SDK's fetch sends ``credentials: "include"``, which a
    wildcard ``Access-Control-Allow-Origin`` fails: the origin is echoed instead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSWithOwnRefusals(
            app,
            refusal=_refused_preflight,
            allow_origin_regex=".*",
            allow_credentials=True,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["*"],
            expose_headers=list(_EXPOSED),
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(name == b"origin" for name, _ in scope["headers"]):
            if scope["method"] == "OPTIONS" and _asks_private_network(scope):
                scope, send = _allowing_private_network(scope, send)
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


_PRIVATE_NETWORK = b"access-control-request-private-network"


def _refused_preflight(reason: str, headers: Headers) -> Response:
    """A preflight for a method the API has none of (``TRACE``, a lower-case ``patch``,
    which browsers send as written): CMN-101 naming the header, not plain text."""
    method = headers.get("access-control-request-method", "")
    return InvalidParameter(parameter="Access-Control-Request-Method", value=method).response()


def _asks_private_network(scope: Scope) -> bool:
    names = {name for name, _ in scope["headers"]}
    return _PRIVATE_NETWORK in names and b"access-control-request-method" in names


def _allowing_private_network(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """A preflight from a public page to the emulator's private address (Chrome's Private
    Network Access) is allowed, as the real API on the internet is reached without one.
    Starlette 0.51 and later refuse it with a plain-text 400 unless told, earlier ones do
    not answer it: the header is handled here, the same with every version."""
    headers = [(name, value) for name, value in scope["headers"] if name != _PRIVATE_NETWORK]

    async def send_allowing(message: Message) -> None:
        if message["type"] == "http.response.start":
            allowed = (b"access-control-allow-private-network", b"true")
            message = {**message, "headers": [*message.get("headers", []), allowed]}
        await send(message)

    return dict(scope, headers=headers), send_allowing
