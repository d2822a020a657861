"""Cross-origin access to the admin API for pages served from this machine.

A browser test whose page runs on a local dev server (``http://localhost:5173``)
may call the admin API itself (reset, move the clock, read messages). Pages from
anywhere else may not: the admin API reads every message and changes the
emulator's state, so its answers carry CORS headers only for loopback origins
(``localhost`` and ``*.localhost``, ``127.x.x.x``, ``[::1]``, any port, http or
https). A request from another origin is answered as without CORS, and the browser keeps the answer
from the page; one that would change something (a POST or PUT, which a page may
send as a form or as ``text/plain`` without asking first) is refused with 403,
unless it comes from the emulator's own pages (the inspector): its origin is the one
the request names in ``Host``, or its body is one no page sends across origins without
a preflight (JSON, YAML), which another origin's page never gets past.  (A reverse proxy
that writes its upstream's ``Host``, or terminates TLS, leaves the inspector's origin
unlike the one the request names.)
"""

from __future__ import annotations

import re

import msgspec
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.cors import CORSWithOwnRefusals

__all__ = ["LOOPBACK_ORIGIN", "LoopbackBrowserAccess"]

#: An origin on this machine: ``*.localhost`` too, which browsers resolve to loopback
#: themselves (RFC 6761), never through DNS.
LOOPBACK_ORIGIN = re.compile(
    r"https?://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*localhost"
    r"|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?",
    re.ASCII,
)


#: Methods a page from anywhere may have a browser send (they change nothing).
_READING = ("GET", "HEAD", "OPTIONS")

#: The inspector's bodies: a page of another origin has a browser send one only after a
#: preflight, which it does not get past (unlike a form, ``text/plain``, or what a browser
#: sends itself: a ping's ``text/ping``, a CSP report's ``application/csp-report``).
_PREFLIGHTED_TYPES = ("application/json", "application/yaml")


class LoopbackBrowserAccess:
    """Wraps the admin app: CORS (preflights included) for loopback origins only, and
    no change made for a page of another origin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSWithOwnRefusals(
            app,
            refusal=_refused_preflight,
            allow_origin_regex=LOOPBACK_ORIGIN.pattern,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type"],
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" else None
        if origin is None:
            await self.app(scope, receive, send)
        elif LOOPBACK_ORIGIN.fullmatch(origin):
            await self.cors(scope, receive, send)
        elif (
            scope["method"] not in _READING
            and origin != _own_origin(scope)
            and not _preflighted(scope)
        ):
            error = f"a request from a page of {origin} may not change the emulator"
            await _error(error, 403)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _own_origin(scope: Scope) -> str:
    """The origin the emulator's own pages have, as this request reached it."""
    return f"{scope.get('scheme', 'http')}://{_header(scope, b'host') or ''}"


def _preflighted(scope: Scope) -> bool:
    """Whether a browser sends this request across origins only after a preflight (a
    JSON or YAML body): one another origin's page asked for is refused there, so a page
    of the emulator's own origin sent it."""
    content_type = _header(scope, b"content-type") or ""
    return content_type.split(";", 1)[0].strip(" \t").lower() in _PREFLIGHTED_TYPES


def _error(error: str, status: int) -> Response:
    body = msgspec.json.encode({"error": error})
    return Response(body, status_code=status, media_type="application/json")


def _refused_preflight(reason: str, headers: Headers) -> Response:
    """A preflight asking for a method or header the admin API does not take."""
    return _error(reason, 400)
